// Issue 18 defect 7: a reference image is opened once, checked inside the workspace at that moment,
// and every attempt of its upload (retries included) sends that same open file. A path swapped for a
// symbolic link to a file outside the workspace after the check (before the first attempt, or between
// two attempts) must never send the outside file. The queue and the real client over real HTTP
// against the fake provider, whose file service records the size of every upload that reaches it.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { EvoLinkClient } from '../../src/core/api/client';
import { JobQueue, type QueueOptions } from '../../src/core/jobs';
import { MemoryTaskStore } from '../../src/core/store';
import { openInside } from '../../src/core/paths';
import type { UploadSource } from '../../src/core/api/upload';
import type { CreateTaskBody } from '../../src/core/types';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { encodePng } from '../fake-evolink/png';

describe('the upload gate: one open file from the check to the last attempt (issue 18 defect 7)', function () {
  this.timeout(20000);

  let fake: FakeEvolink;
  let root: string;
  let ws: string;
  let inside: string;
  let outside: string;
  let original: Buffer;
  let secret: Buffer;
  let cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    fake = await startFakeEvolink({ behavior: { stepMs: 20, progressSteps: 2, estimatedTime: 0.1 } });
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-gate-')));
    ws = path.join(root, 'workspace');
    fs.mkdirSync(path.join(ws, 'refs'), { recursive: true });
    fs.mkdirSync(path.join(root, 'private'));
    inside = path.join(ws, 'refs', 'sketch.png');
    outside = path.join(root, 'private', 'secret.png');
    // The same length and signature, other bytes: a read of the wrong file goes through unnoticed
    // unless the bytes themselves are compared.
    original = encodePng(16, 16, 1);
    secret = Buffer.from(original);
    secret.write('PRIVATE', secret.length - 30, 'latin1');
    assert.ok(!secret.equals(original));
    fs.writeFileSync(inside, original);
    fs.writeFileSync(outside, secret);
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The open and check the glue makes (src/vscode/run/references.ts), on this test's one workspace folder. */
  async function openInWorkspace(file: string): Promise<UploadSource> {
    const r = await openInside(file, [ws]);
    if (!r.ok) throw Object.assign(new Error(`${file} is ${r.reason}; nothing was uploaded.`), { kind: 'invalid' });
    return { path: r.real, handle: r.handle };
  }

  /** The path is now a symbolic link to the private file (what someone with write access to the workspace could do). */
  function swapForLink(): void {
    fs.rmSync(inside);
    fs.symlinkSync(outside, inside);
  }

  function queue(opts: Partial<QueueOptions>, onClientLog?: (msg: string) => void): JobQueue {
    const client = new EvoLinkClient({
      baseUrl: fake.url,
      filesBaseUrl: fake.url,
      apiKey: async () => fake.apiKey,
      timeoutMs: 3000,
      retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 40 },
      env: {},
      log: (_level, msg) => onClientLog?.(msg),
    });
    const q = new JobQueue({ client, store: new MemoryTaskStore(), minPollMs: 20, maxPollMs: 60, timeoutMinutes: 1, ...opts });
    cleanups.push(() => client.close(), () => q.dispose());
    return q;
  }

  const body = (prompt: string): CreateTaskBody => ({ model: 'gpt-image-2', prompt, n: 1, size: '1:1', quality: 'low' });

  /** Every upload that reached the file service carried the checked file's bytes, and no other. */
  async function assertOnlyOriginalSent(urls: readonly string[] | undefined): Promise<void> {
    for (const sent of fake.uploaded) {
      assert.ok(!sent.equals(secret), 'the file outside the workspace was uploaded');
      assert.ok(sent.equals(original), 'an upload sent other bytes than the checked file\'s');
    }
    for (const url of urls ?? []) {
      const served = Buffer.from(await (await request(url)).body.arrayBuffer());
      assert.ok(served.equals(original), 'the file service holds other bytes than the checked file\'s');
    }
  }

  it('swapped for a link to an outside file after the check, before the first attempt: the checked bytes are sent, or nothing', async () => {
    const q = queue({
      openReference: async (file) => {
        const opened = await openInWorkspace(file);
        swapForLink(); // right after the check said yes
        return opened;
      },
    });
    const job = await q.submit(body('a fox, swapped before the upload'), { dir: path.join(root, 'staging'), baseName: 'fox' }, [{ kind: 'file', path: inside }]);
    const done = await q.wait(job.id);
    assert.ok(done.state === 'completed' || done.state === 'failed', done.state);
    if (done.state === 'failed') assert.equal(fake.creates(), 0);
    await assertOnlyOriginalSent(done.body.image_urls);
  });

  it('swapped between two attempts of the same upload (the first answered 503): the retry sends the checked bytes, or nothing', async () => {
    fake.set({ failUpload: { status: 503, code: 503, message: 'busy', times: 1 } });
    const q = queue({ openReference: openInWorkspace }, (msg) => {
      if (/upload\/stream \(attempt 2\)/.test(msg)) swapForLink();
    });
    const job = await q.submit(body('a fox, swapped between attempts'), { dir: path.join(root, 'staging'), baseName: 'fox' }, [{ kind: 'file', path: inside }]);
    const done = await q.wait(job.id);
    assert.equal(fake.uploaded.length, 2, 'the first attempt was not retried: this test proves nothing');
    assert.ok(done.state === 'completed' || done.state === 'failed', done.state);
    await assertOnlyOriginalSent(done.body.image_urls);
  });
});
