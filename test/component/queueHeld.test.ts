// The queue holds the provider to what was asked, over real HTTP against the fake EvoLink: more
// results than n, a status the API does not document, another pixel size than asked, any number of
// Retries at once, and a store with 5,000 past jobs.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EvoLinkClient } from '../../src/core/api/client';
import { JobQueue, canRetry, retryNeedsConfirmation, type JobRecord, type QueueOptions } from '../../src/core/jobs';
import { MemoryTaskStore } from '../../src/core/store';
import { english } from '../../src/shared/words';
import type { CreateTaskBody } from '../../src/core/types';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { readPngSize } from '../fake-evolink/png';

describe('JobQueue holds the provider to what was asked (real client, fake provider)', function () {
  this.timeout(20000);

  let fake: FakeEvolink;
  let dir: string;
  let cleanups: Array<() => Promise<void> | void> = [];
  let logs: string[] = [];

  before(async () => { fake = await startFakeEvolink({ behavior: { stepMs: 30, progressSteps: 2, estimatedTime: 0.1 } }); });
  after(async () => { await fake.close(); });
  beforeEach(() => {
    fake.reset();
    logs = [];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-held-'));
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function queue(opts: Partial<QueueOptions> = {}): JobQueue {
    const client = new EvoLinkClient({
      baseUrl: fake.url, filesBaseUrl: fake.url, apiKey: async () => fake.apiKey, timeoutMs: 3000,
      retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 40 }, env: {},
    });
    const q = new JobQueue({
      client, store: new MemoryTaskStore(), minPollMs: 20, maxPollMs: 60, timeoutMinutes: 1,
      log: (level, msg) => logs.push(`${level}: ${msg}`), ...opts,
    });
    cleanups.push(() => client.close(), () => q.dispose());
    return q;
  }

  const out = () => path.join(dir, 'images');
  const body = (prompt: string, over: Partial<CreateTaskBody> = {}): CreateTaskBody =>
    ({ model: 'gpt-image-2', prompt, size: '1:1', resolution: '1K', quality: 'low', n: 1, ...over });
  const target = (baseName: string) => ({ dir: out(), baseName });
  const onDisk = () => (fs.existsSync(out()) ? fs.readdirSync(out()).sort() : []);
  const resultDownloads = () => fake.requests.filter((r) => r.path.startsWith('/results/')).length;

  it('more results than n: only n are downloaded, the rest are logged', async () => {
    const q = queue();
    const job = await q.submit(body('two foxes [more:3]', { n: 2 }), target('foxes'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['foxes-1.png', 'foxes-2.png']);
    assert.equal(resultDownloads(), 2, 'the extra results were downloaded');
    assert.equal(done.results?.length, 2);
    assert.ok(logs.some((l) => /returned 5 images for n=2; only the first 2 are downloaded/.test(l)), logs.join('\n'));
  });

  it('a status the API does not document ends the job as failed, naming the status, without waiting for the timeout', async () => {
    const q = queue({ timeoutMinutes: 10 });
    const job = await q.submit(body('a fox [status:cancelled]'), target('fox'));
    const started = Date.now();
    const done = await q.wait(job.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'unknown_status');
    assert.match(done.error!.message, /status "cancelled"/);
    assert.ok(Date.now() - started < 10_000, 'it polled on instead of ending');
    assert.deepEqual(onDisk(), []);
    assert.equal(done.error?.retryable, false, 'sending the same task again is not advised as a fix');
  });

  it('another pixel size than asked: the image is kept, the difference is noted on the job and logged once', async () => {
    const q = queue();
    const job = await q.submit(body('a wide fox [px:1280x720]', { n: 2 }), target('wide'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(readPngSize(fs.readFileSync(path.join(out(), 'wide-1.png'))), { width: 1280, height: 720 });
    assert.equal(done.sizeNote, 'The provider delivered 1280×720 instead of the 1024×1024 asked for (1:1 at 1K).');
    assert.equal(logs.filter((l) => l.includes('instead of the 1024×1024')).length, 1, 'said once per task, not per image');
    // The right size says nothing.
    const ok = await q.wait((await q.submit(body('a square fox'), target('square'))).id);
    assert.equal(ok.sizeNote, undefined);
  });

  it('any number of Retries at once create one task; the old job is superseded and offers no second Retry', async () => {
    const q = queue();
    const job = await q.submit(body('a fox [fail:service_error]'), target('fox'));
    assert.equal((await q.wait(job.id)).state, 'failed');
    assert.equal(fake.creates(), 1);
    const retries = await Promise.all(Array.from({ length: 5 }, () => q.retry(job.id)));
    assert.equal(new Set(retries.map((r) => r.id)).size, 1, 'all Retries got the same new job');
    assert.equal(q.get(job.id)?.supersededBy, retries[0]!.id);
    assert.equal(canRetry(q.get(job.id)!), false);
    await q.wait(retries[0]!.id);
    // One more Retry afterwards still answers with the job that carried it on.
    assert.equal((await q.retry(job.id)).id, retries[0]!.id);
    assert.equal(fake.creates(), 2, 'one create for the job, one for all the Retries');
  });

  it('a create cut mid-answer (billed at the provider): Retry asks first; however many at once, one more create', async () => {
    fake.set({ cutCreate: 1 });
    const q = queue();
    const job = await q.submit(body('a fox'), target('fox'));
    const failed = await q.wait(job.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.mayBeBilled, true);
    const asks = retryNeedsConfirmation(failed);
    assert.ok(asks, 'a Retry of it asks first');
    assert.match(english(asks), /may already have been billed/);
    assert.equal(fake.creates(), 1);
    const [a, b, c] = await Promise.all([q.retry(job.id), q.retry(job.id), q.retry(job.id)]);
    assert.ok(a.id === b.id && b.id === c.id);
    assert.equal((await q.wait(a.id)).state, 'completed');
    assert.equal(fake.creates(), 2, 'two concurrent Retries plus one more gave more than one new create');
  });

  it('a store with 5,000 past jobs: history is pruned to its limits at resume, and new jobs run as usual', async () => {
    const now = Date.now();
    const past: JobRecord[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `past-${i}`, taskId: `task-unified-1-${String(i).padStart(8, '0')}`, body: body(`past prompt ${i}`), target: target(`past-${i}`),
      state: i % 10 === 0 ? 'failed' : 'completed', progress: 100, createdAt: now - (5000 - i) * 60_000, finishedAt: now - (5000 - i) * 60_000 + 1000,
      results: [`${fake.url}/results/x/${i}.png`], files: [{ path: `/ws/images/past-${i}.png`, type: 'png', width: 1024, height: 1024, bytes: 1 }],
    }));
    const store = new MemoryTaskStore(past);
    const q = queue({ store });
    assert.deepEqual(await q.resume(), []);
    const kept = q.list();
    assert.equal(kept.length, 100, 'at most 100 finished jobs are kept');
    assert.ok(kept.every((j) => Number(j.id.slice(5)) >= 4900), 'the newest are kept');
    assert.equal(store.all().length, 100, 'the store forgot the rest too');
    const job = await q.submit(body('a new fox'), target('new'));
    assert.equal((await q.wait(job.id)).state, 'completed');
    assert.equal(q.list().length, 100, 'a finished job pushes the oldest out');
    assert.equal(store.all().length, 100);
    assert.ok(q.get(job.id), 'the newest job is kept');
    assert.equal(fake.creates(), 1);
  });
});
