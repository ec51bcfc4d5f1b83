// The task queue with the real EvoLinkClient over real HTTP against the fake EvoLink on
// 127.0.0.1. Each test checks what a user would find: the files on disk, the events the
// panel would show, and how many creates (billed requests) reached the provider.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EvoLinkClient } from '../../src/core/api/client';
import { JobQueue, TASK_FAILURES, UNKNOWN_AFTER_RESTART_MESSAGE, type JobEvent, type JobRecord, type QueueOptions, type TaskStore } from '../../src/core/jobs';
import { FileTaskStore } from '../../src/core/fileStore';
import { MemoryTaskStore } from '../../src/core/store';
import type { CreateTaskBody } from '../../src/core/types';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { readPngSize } from '../fake-evolink/png';
import { closeClients, testClient } from './support';

const BEHAVIOR = { stepMs: 30, progressSteps: 2, estimatedTime: 0.1 };

describe('JobQueue with the real client against the fake provider', function () {
  this.timeout(20000);

  let fake: FakeEvolink;
  let dir: string;
  let cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    fake = await startFakeEvolink({ behavior: BEHAVIOR });
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-jobs-'));
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
    await closeClients();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const client = (retries = 3): EvoLinkClient => testClient(fake, { retry: { retries, baseDelayMs: 5, maxDelayMs: 40 } }).c;

  function queue(opts: Partial<QueueOptions> = {}): { q: JobQueue; events: JobEvent[]; store: TaskStore } {
    const store = opts.store ?? new FileTaskStore(path.join(dir, 'tasks.json'));
    const q = new JobQueue({ client: client(), store, minPollMs: 20, maxPollMs: 60, timeoutMinutes: 1, ...opts });
    const events: JobEvent[] = [];
    q.onEvent((e) => events.push(e));
    cleanups.push(() => q.dispose());
    return { q, events, store };
  }

  const out = () => path.join(dir, 'images');
  const body = (prompt: string, over: Partial<CreateTaskBody> = {}): CreateTaskBody =>
    ({ model: 'gpt-image-2', prompt, size: '1:1', quality: 'low', n: 1, ...over });
  const target = (baseName: string) => ({ dir: out(), baseName, meta: { placeholder: baseName } });

  /** Names in the image folder; a leftover `.part` file would show up here. */
  function onDisk(): string[] {
    return fs.existsSync(out()) ? fs.readdirSync(out()).sort() : [];
  }

  function assertPngFile(file: string, width: number, height: number): void {
    const buf = fs.readFileSync(file);
    assert.deepEqual(readPngSize(buf), { width, height }, `${file} is a ${width}×${height} PNG`);
  }

  /** The next event of this type for this job. */
  function on(q: JobQueue, type: JobEvent['type'], id: string): Promise<JobRecord> {
    return new Promise((resolve) => {
      const sub = q.onEvent((e) => {
        if (e.type === type && e.job.id === id) {
          sub.dispose();
          resolve(e.job);
        }
      });
    });
  }

  const typesFor = (events: JobEvent[], id: string) =>
    events.filter((e) => e.job.id === id && e.type !== 'updated' && e.type !== 'progress').map((e) => e.type);

  async function stored(id: string): Promise<JobRecord | undefined> {
    return (await new FileTaskStore(path.join(dir, 'tasks.json')).load()).find((r) => r.id === id);
  }

  it('n=1: saves one checked PNG, reports progress, one create', async () => {
    const { q, events } = queue();
    // Held at the fake until the queue has reported progress: a loaded machine could otherwise poll
    // for the first time after the task ended, and see no progress at all.
    const job = await q.submit(body('a red fox asleep in fresh snow [hold]'), target('fox'));
    const running = await on(q, 'progress', job.id);
    fake.release({ id: running.taskId });
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assertPngFile(path.join(out(), 'fox.png'), 1024, 1024);
    assert.deepEqual(done.files?.map((f) => [path.basename(f.path), f.width, f.height]), [['fox.png', 1024, 1024]]);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.job.progress);
    assert.ok(progress.length >= 1 && progress.every((p, i) => i === 0 || p > progress[i - 1]!), `rising progress ${progress}`);
    assert.equal(fake.creates(), 1);
    const rec = await stored(job.id);
    assert.equal(rec?.state, 'completed');
    assert.equal(rec?.taskId, done.taskId);
    assert.match(done.taskId!, /^task-unified-\d+-[a-z0-9]{8}$/);
  });

  it('n=3 returning fewer: saves the images that came, numbered in results order', async () => {
    const { q, events } = queue();
    const job = await q.submit(body('three foxes [fewer:2]', { n: 3, size: '3:2' }), target('foxes'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.results?.length, 2);
    assert.deepEqual(onDisk(), ['foxes-1.png', 'foxes-2.png']);
    for (const f of onDisk()) assertPngFile(path.join(out(), f), 1536, 1024);
    assert.deepEqual(done.files?.map((f) => path.basename(f.path)), ['foxes-1.png', 'foxes-2.png']);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    assert.equal(fake.creates(), 1);
    assert.equal((await stored(job.id))?.files?.length, 2);
  });

  it('a failed task, for every failure code the provider documents, is reported with its reason and saves nothing', async () => {
    const { q, events } = queue({ maxConcurrent: 16 });
    const codes = Object.keys(TASK_FAILURES);
    assert.equal(codes.length, 13);
    const jobs = await Promise.all(codes.map((code) => q.submit(body(`a fox [fail:${code}]`), target(code))));
    const done = await Promise.all(jobs.map((j) => q.wait(j.id)));
    for (const j of done) {
      const code = j.target.baseName;
      assert.equal(j.state, 'failed', code);
      assert.equal(j.error?.code, code);
      assert.equal(j.error?.retryable, TASK_FAILURES[code]!.retryable, code);
      assert.ok(j.error!.message.startsWith(TASK_FAILURES[code]!.reason));
      assert.deepEqual(typesFor(events, j.id), ['queued', 'created', 'failed']);
      assert.equal((await stored(j.id))?.state, 'failed');
    }
    assert.match(done.find((j) => j.target.baseName === 'request_cancelled')!.error!.message, /cancelled on the provider's side/);
    assert.deepEqual(onDisk(), []);
    assert.equal(fake.creates(), 13);
  });

  it('429 on create and on poll: backs off and completes with one task created', async () => {
    fake.set({
      failCreate: { status: 429, code: 'rate_limit_exceeded', times: 2 },
      failPoll: { status: 429, code: 'rate_limit_exceeded', times: 2 },
    });
    const { q, events } = queue();
    const job = await q.submit(body('a fox'), target('fox'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    assert.equal(fake.creates(), 3, 'two refused creates, then the one that worked');
    assert.equal(fake.tasks.size, 1, 'only one task exists (is billed)');
  });

  it('500/503 bursts longer than the client retries: polling goes on until the task completes', async () => {
    fake.set({
      failCreate: { status: 503, code: 'service_unavailable', times: 1 },
      failPoll: { status: 500, code: 'internal_error', times: 6 },
    });
    // A client that retries once: the burst reaches the queue, which must keep polling.
    const { q, events } = queue({ client: client(1) });
    const job = await q.submit(body('a fox'), target('fox'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    assert.equal(fake.creates(), 2, 'one 503, then the create');
    assert.equal(fake.tasks.size, 1);
    assert.ok(fake.polls(done.taskId) >= 7);
  });

  it('connections reset and broken JSON on polls are survived', async () => {
    fake.set({ resetPoll: 3, invalidJsonPoll: 2 });
    const { q, events } = queue({ client: client(0) });
    const job = await q.submit(body('a fox'), target('fox'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    assert.equal(fake.creates(), 1);
  });

  it('slow answers (headers after 200 ms) still complete', async () => {
    fake.set({ slowHeadersMs: 200 });
    const { q, events } = queue();
    const job = await q.submit(body('a fox'), target('fox'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    assert.equal(fake.creates(), 1);
  });

  it('a task that never ends times out with its id kept; retry later picks the result up without a new create', async () => {
    const { q, events } = queue({ timeoutMinutes: 0.005 }); // 300 ms
    const job = await q.submit(body('a fox [never]'), target('fox'));
    const t = await q.wait(job.id);
    assert.equal(t.state, 'timed_out');
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'timed_out']);
    assert.equal((await stored(job.id))?.taskId, t.taskId);
    fake.completeNow(t.taskId!);
    // The retried watch gets the usual deadline: 300 ms would have to cover the poll and the
    // download as well, which a loaded machine can miss (the job timed out again).
    q.setOptions({ timeoutMinutes: 1 });
    await q.retry(job.id);
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.equal(fake.creates(), 1);
  });

  it('a result that answers 404: the job fails, nothing half-written is left, retry downloads it without a new create', async () => {
    fake.set({ resultMode: '404' });
    const { q, events } = queue();
    const job = await q.submit(body('a fox'), target('fox'));
    const f = await q.wait(job.id);
    assert.equal(f.state, 'failed');
    assert.equal(f.error?.kind, 'download');
    assert.match(f.error!.message, /^1 of 1 image could not be downloaded/);
    assert.deepEqual(onDisk(), []);
    assert.equal((await stored(job.id))?.results?.length, 1, 'the result URL is kept for the retry');
    fake.set({ resultMode: 'ok' });
    await q.retry(job.id);
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assertPngFile(path.join(out(), 'fox.png'), 1024, 1024);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'failed', 'completed']);
    assert.equal(fake.creates(), 1);
  });

  it('a truncated download is retried (free) and the image saved whole', async () => {
    fake.set({ resultMode: 'truncated', resultFailTimes: 1 });
    const { q, events } = queue();
    const job = await q.submit(body('a fox'), target('fox'));
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assertPngFile(path.join(out(), 'fox.png'), 1024, 1024);
    assert.equal(fs.statSync(path.join(out(), 'fox.png')).size, done.files![0]!.bytes);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'completed']);
    assert.equal(fake.creates(), 1);
  });

  it('an HTML page instead of the image: n=2 job fails with both lost, no file written', async () => {
    fake.set({ resultMode: 'html' });
    const { q, events } = queue();
    const job = await q.submit(body('two foxes', { n: 2 }), target('foxes'));
    const f = await q.wait(job.id);
    assert.equal(f.state, 'failed');
    assert.match(f.error!.message, /^2 of 2 images could not be downloaded/);
    assert.deepEqual(f.files ?? [], []);
    assert.deepEqual(onDisk(), []);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'failed']);
    assert.equal(fake.creates(), 1);
  });

  it('cancel keeps watching in the background and saves the images the user paid for', async () => {
    const { q, events } = queue({ maxPollMs: 40 });
    // Held at the fake until the cancel is done, however slow this machine is.
    const job = await q.submit(body('a fox [hold]'), target('fox'));
    const created = await on(q, 'created', job.id);
    await q.cancel(job.id);
    const c = await q.wait(job.id);
    assert.equal(c.state, 'cancelled');
    assert.equal(q.running(), 0);
    const completed = on(q, 'completed', job.id);
    fake.release({ id: created.taskId });
    await completed;
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.deepEqual(typesFor(events, job.id), ['queued', 'created', 'cancelled', 'completed']);
    assert.equal((await stored(job.id))?.state, 'completed');
    assert.equal(fake.creates(), 1);
  });

  it('restart halfway: a new queue and client on the same store file finish every job, one create each', async () => {
    // Every task held at the fake until the second queue runs: none may end (and let a third in) before the stop.
    fake.set({ hold: true });
    const file = path.join(dir, 'tasks.json');
    const first = queue({ store: new FileTaskStore(file), maxConcurrent: 2 });
    const prompts = ['one', 'two', 'three', 'four', 'five'];
    const jobs = [];
    for (const p of prompts) jobs.push(await first.q.submit(body(`a fox number ${p}`), target(p)));
    // Stop once two tasks exist at the provider and the rest are still queued.
    await new Promise<void>((resolve) => first.q.onEvent(() => {
      if (first.events.filter((e) => e.type === 'created').length >= 2) resolve();
    }));
    first.q.dispose();
    const before = await new FileTaskStore(file).load();
    assert.equal(before.filter((r) => r.taskId).length, 2);
    assert.equal(before.filter((r) => r.state === 'queued').length, 3);

    fake.set({ hold: undefined });
    fake.release();
    const second = queue({ store: new FileTaskStore(file), maxConcurrent: 2 });
    const picked = await second.q.resume();
    assert.equal(picked.length, 5);
    const done = await Promise.all(jobs.map((j) => second.q.wait(j.id)));
    assert.deepEqual(done.map((j) => j.state), Array(5).fill('completed'));
    assert.deepEqual(onDisk(), prompts.map((p) => `${p}.png`).sort(), 'exactly one image per job, no duplicates');
    assert.equal(fake.creates(), 5, 'never more than one create per job');
    assert.equal(fake.tasks.size, 5);
    assert.deepEqual((await new FileTaskStore(file).load()).map((r) => r.state), Array(5).fill('completed'));
    assert.equal(second.events.filter((e) => e.type === 'completed').length, 5);
  });

  it('restart while a create is in flight: the job is marked unknown and not sent again', async () => {
    // The create's answer is held back longer than this test lives: the stop always comes first.
    fake.set({ slowHeadersMs: 60_000, slowHeadersTimes: 1 });
    const file = path.join(dir, 'tasks.json');
    const first = queue({ store: new FileTaskStore(file) });
    const job = await first.q.submit(body('a fox'), target('fox'));
    while (fake.creates() === 0) await new Promise((r) => setTimeout(r, 5));
    first.q.dispose();
    assert.equal((await new FileTaskStore(file).load())[0]!.state, 'creating');

    fake.set({ slowHeadersMs: undefined });
    const second = queue({ store: new FileTaskStore(file) });
    await second.q.resume();
    const u = await second.q.wait(job.id);
    assert.equal(u.state, 'unknown');
    assert.equal(u.error?.message, UNKNOWN_AFTER_RESTART_MESSAGE);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fake.creates(), 1, 'not resent on its own');
    assert.deepEqual(onDisk(), []);
    assert.equal((await stored(job.id))?.state, 'unknown');

    // The user asks: now it is sent again, as a new job.
    const again = await second.q.retry(job.id);
    assert.equal((await second.q.wait(again.id)).state, 'completed');
    assert.equal(fake.creates(), 2);
    assert.deepEqual(onDisk(), ['fox.png']);
  });

  it('works the same with the in-memory store', async () => {
    const { q } = queue({ store: new MemoryTaskStore() });
    const done = await q.wait((await q.submit(body('a fox'), target('fox'))).id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(onDisk(), ['fox.png']);
    assert.equal(fake.creates(), 1);
  });
});
