// GET /v1/credits over real HTTP against the fake provider: the balance, and the free key check.
import * as assert from 'node:assert/strict';
import { EvoLinkClient } from '../../src/core/api/client';
import { PictorError } from '../../src/core/api/errors';
import { parseCredits } from '../../src/core/api/credits';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';

const KEY = 'sk-evo-CREDITS-0123456789';

describe('account credits (GET /v1/credits)', function () {
  this.timeout(15000);
  let fake: FakeEvolink;
  let c: EvoLinkClient;

  before(async () => {
    fake = await startFakeEvolink({ apiKey: KEY, behavior: { stepMs: 20, progressSteps: 2, credits: 100 } });
    c = new EvoLinkClient({ baseUrl: fake.url, filesBaseUrl: fake.url, apiKey: async () => KEY, timeoutMs: 3000, env: {},
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 } });
  });
  after(async () => {
    await c.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('reads the balance, which falls by what each task reserved', async () => {
    assert.deepEqual(await c.getCredits(), { tokenRemaining: 100, tokenUsed: 0, unlimited: false, userRemaining: 100, userUsed: 0 });
    const task = await c.createTask({ model: 'gpt-image-2', prompt: 'a fox', size: '1:1', quality: 'high', n: 1 });
    const reserved = (task.usage as { credits_reserved: number }).credits_reserved;
    assert.ok(reserved > 0);
    const after = await c.getCredits();
    assert.equal(after.userRemaining, 100 - reserved);
    assert.equal(after.userUsed, reserved);
  });

  it('checks a key that is not stored: the right one passes, a wrong one is refused as auth, and neither creates a task', async () => {
    assert.equal((await c.getCredits(undefined, KEY)).userRemaining, 100);
    await assert.rejects(c.getCredits(undefined, 'sk-evo-wrong-key-000'), (e: unknown) => e instanceof PictorError && e.kind === 'auth');
    const calls = fake.requests.filter((r) => r.path === '/v1/credits');
    assert.deepEqual(calls.map((r) => r.headers.authorization), [`Bearer ${KEY}`, 'Bearer sk-evo-wrong-key-000']);
    assert.equal(fake.creates(), 0);
  });

  it('treats every field as optional and accepts numbers sent as strings', () => {
    assert.deepEqual(parseCredits({}), {});
    assert.deepEqual(parseCredits(null), {});
    assert.deepEqual(parseCredits({ data: { user: { remaining_credits: '12.5' }, token: { unlimited_credits: true, remaining_credits: 'n/a' } } }),
      { userRemaining: 12.5, unlimited: true });
  });
});
