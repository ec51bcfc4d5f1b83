// The fault matrix of issue 6: every fault a user can meet between the editor and the provider,
// played with the real EvoLinkClient and JobQueue against the fake EvoLink over HTTP. Each test
// checks the three things a paying user cares about: what they are told, what is on disk (whole
// images only, no stray .part files), and how many tasks were created (billed) per image.
// The `after` hook prints one Markdown table row per fault, built from what actually happened.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EvoLinkClient, type ClientOptions } from '../../src/core/api/client';
import { JobQueue, type JobEvent, type JobRecord, type QueueOptions } from '../../src/core/jobs';
import { FileTaskStore } from '../../src/core/fileStore';
import type { CreateTaskBody } from '../../src/core/types';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { readPngSize } from '../fake-evolink/png';
import { closeClients, closedPort, testClient } from './support';

const BEHAVIOR = { stepMs: 30, progressSteps: 2, estimatedTime: 0.1 };
// The production retry count (ClientOptions default), with delays small enough for a test.
const RETRY = { retries: 4, baseDelayMs: 5, maxDelayMs: 40 };

interface Row {
  fault: string;
  sees: string;
  saved: string;
  creates: string;
}
const rows: Row[] = [];

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

describe('Fault matrix: what the user sees, what is saved, creates per image', function () {
  this.timeout(20000);

  let fake: FakeEvolink;
  let root: string;
  let cleanups: Array<() => Promise<void> | void> = [];
  /** Every task id the fake ever created: a task that later vanishes was still billed. */
  let billed: Set<string>;

  before(async () => {
    fake = await startFakeEvolink({ behavior: BEHAVIOR });
  });
  after(async () => {
    await fake.close();
    const lines = [
      '| fault | what the user sees | what is saved | creates per image |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${cell(r.fault)} | ${cell(r.sees)} | ${cell(r.saved)} | ${cell(r.creates)} |`),
    ];
    console.log(`\n${lines.join('\n')}\n`);
  });
  beforeEach(() => {
    fake.reset();
    billed = new Set();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-faults-'));
    fs.mkdirSync(ws(), { recursive: true });
    fs.mkdirSync(path.join(root, 'state'));
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups = [];
    await closeClients();
    fs.rmSync(root, { recursive: true, force: true });
  });

  // The workspace the images go to; the task store lives apart from it (extension storage).
  const ws = () => path.join(root, 'workspace');
  const images = () => path.join(ws(), 'images');
  const storeFile = () => path.join(root, 'state', 'tasks.json');

  const client = (over: Partial<ClientOptions> = {}): EvoLinkClient => testClient(fake, { retry: RETRY, ...over }).c;

  function queue(opts: Partial<QueueOptions> = {}): { q: JobQueue; events: JobEvent[]; logs: string[] } {
    const logs: string[] = [];
    const q = new JobQueue({
      client: opts.client ?? client(),
      store: new FileTaskStore(storeFile()),
      minPollMs: 20,
      maxPollMs: 60,
      timeoutMinutes: 1,
      log: (_level, msg) => logs.push(msg),
      ...opts,
    });
    const events: JobEvent[] = [];
    q.onEvent((e) => {
      events.push(e);
      noteTasks();
    });
    cleanups.push(() => q.dispose());
    return { q, events, logs };
  }

  function noteTasks(): void {
    for (const id of fake.tasks.keys()) billed.add(id);
  }

  const body = (prompt: string, over: Partial<CreateTaskBody> = {}): CreateTaskBody =>
    ({ model: 'gpt-image-2', prompt, size: '1:1', quality: 'low', n: 1, ...over });
  const target = (dir = images(), baseName = 'fox') => ({ dir, baseName });

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

  async function until(what: string, ok: () => boolean): Promise<void> {
    const end = Date.now() + 5000;
    while (!ok()) {
      if (Date.now() > end) assert.fail(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Every file under the test root except the task store, relative to the workspace. */
  function files(): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      if (!fs.existsSync(d)) return;
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(path.relative(ws(), p).split(path.sep).join('/'));
      }
    };
    walk(ws());
    return out.sort();
  }

  function assertNothingHalfWritten(): void {
    const parts = files().filter((f) => f.endsWith('.part'));
    assert.deepEqual(parts, [], 'no stray .part file');
  }

  function assertWholePng(rel: string): void {
    const buf = fs.readFileSync(path.join(ws(), rel));
    assert.deepEqual(readPngSize(buf), { width: 1024, height: 1024 }, `${rel} is a whole 1024×1024 PNG`);
    assert.deepEqual(buf.subarray(-8), Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]), `${rel} ends with IEND`);
  }

  /** What every message shown to a user must be: a sentence, no internals, no key. */
  function assertReadable(job: JobRecord): void {
    const m = job.error?.message ?? '';
    assert.ok(m.length > 20 && m.length < 700, `message length ${m.length}: ${m}`);
    assert.match(m, /[.!?)]$/, `ends like a sentence: ${m}`);
    assert.doesNotMatch(m, /undefined|\[object |at .*\.js:\d+|Error: /, `no internals: ${m}`);
    assert.ok(!m.includes(fake.apiKey), 'the key is not in the message');
  }

  async function stored(id: string): Promise<JobRecord | undefined> {
    return (await new FileTaskStore(storeFile()).load()).find((r) => r.id === id);
  }

  function describeOutcome(j: JobRecord): string {
    if (j.state === 'completed') return `completed (${(j.files ?? []).length} image saved)`;
    if (!j.error) return j.state;
    return `${j.state} [${j.error?.kind ?? '?'}${j.error?.retryable ? ', Retry offered' : ''}]: ${j.error?.message ?? ''}`;
  }

  /**
   * One table row from what happened: the outcomes of one job in order (first run, then after
   * each Retry), or with `batch` the outcomes of several jobs of one image each.
   */
  async function row(fault: string, id: string, outcomes: JobRecord[], batch = false): Promise<void> {
    noteTasks();
    const rec = await stored(id);
    const onDisk = files();
    const parts = onDisk.filter((f) => f.endsWith('.part')).length;
    const kept: string[] = [];
    if (rec?.state !== 'completed') {
      if (rec?.taskId) kept.push('task id kept');
      if (rec?.results?.length) kept.push('result URL kept');
    }
    const saved = [
      onDisk.filter((f) => !f.endsWith('.part')).join(', ') || 'no file',
      ...kept,
      parts ? `${parts} stray .part file(s)` : 'no .part file',
    ].join('; ');
    const posts = fake.creates();
    const refused = posts - billed.size;
    const requests = `${posts} create request${posts === 1 ? '' : 's'} reached the fake${refused > 0 ? `, ${refused} refused unbilled` : ''}`;
    const seen = batch ? [...new Set(outcomes.map(describeOutcome))].map((o) => `${outcomes.filter((j) => describeOutcome(j) === o).length} × ${o}`) : [];
    rows.push({
      fault,
      sees: batch ? seen.join('; ') : outcomes.map(describeOutcome).join(' → after Retry: '),
      saved,
      creates: batch
        ? `${billed.size / outcomes.length} each (${billed.size} tasks for ${outcomes.length} images; ${requests})`
        : `${billed.size} (${requests})`,
    });
  }

  // -------------------------------------------------------------------------------------------

  describe('DNS failure', () => {
    it('no request reaches anything; the retries end with a clear error naming the host', async () => {
      const base = 'https://pictor-test.invalid';
      const { q } = queue({ client: client({ baseUrl: base, filesBaseUrl: base }) });
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('DNS failure (API host does not resolve)', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'network');
      assert.match(f.error!.message, /Could not look up pictor-test\.invalid/);
      assert.match(f.error!.message, /Check the network connection and the URL setting/);
      assert.match(f.error!.message, /Gave up after 5 attempts/);
      assert.equal(f.error?.retryable, true, 'nothing was sent, so Retry is safe');
      assertReadable(f);
      assert.equal(f.taskId, undefined);
      assert.deepEqual(files(), []);
      assert.equal(fake.creates(), 0);
    });
  });

  describe('connection refused', () => {
    it('retried (nothing was sent), then a clear error; nothing created', async () => {
      const port = await closedPort();
      const base = `http://127.0.0.1:${port}`;
      const { q } = queue({ client: client({ baseUrl: base, filesBaseUrl: base }) });
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('connection refused', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'network');
      assert.match(f.error!.message, new RegExp(`Could not connect to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
      assert.match(f.error!.message, /Check the network connection/);
      assert.match(f.error!.message, /Gave up after 5 attempts/);
      assert.equal(f.error?.retryable, true);
      assertReadable(f);
      assert.deepEqual(files(), []);
      assert.equal(fake.creates(), 0);
    });
  });

  describe('a reset in the middle of a response', () => {
    // The create reached the provider: the task exists and is billed, but its id never arrived.
    for (const [name, fault] of [
      ['before the answer', { resetCreate: 1 }],
      ['half-way through the answer body', { cutCreate: 1 }],
    ] as const) {
      it(`on create, ${name}: not resent; the user is told it may exist and was not sent again`, async () => {
        fake.set(fault);
        const { q, logs } = queue();
        const job = await q.submit(body('a fox'), target());
        const f = await q.wait(job.id);
        await row(`connection reset on create, ${name}`, job.id, [f]);
        assert.equal(f.state, 'failed');
        assert.equal(f.error?.kind, 'network');
        assert.match(f.error!.message, /may have been created anyway/);
        assert.match(f.error!.message, /will not send it again to avoid double billing/);
        assert.match(f.error!.message, /Check your EvoLink dashboard before retrying/);
        assert.equal(f.error?.retryable, false);
        assertReadable(f);
        // The queue's word that it will not send it again (not a quiet period), then the one create.
        await until('the queue to say it will not send it again', () => logs.some((l) => l.startsWith(`job ${job.id}: create failed:`) && l.includes('will not send it again')));
        assert.equal(fake.creates(), 1, 'exactly one create');
        assert.equal(billed.size, 1, 'the provider did create it');
        assert.deepEqual(files(), []);
        assert.equal((await stored(job.id))?.state, 'failed');
      });
    }

    it('on polls (before and half-way through answers): retried, the task completes and is saved', async () => {
      fake.set({ resetPoll: 2, cutPoll: 2 });
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      const done = await q.wait(job.id);
      await row('connection reset on poll (2 before, 2 half-way)', job.id, [done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 1);
      assert.ok(fake.polls(done.taskId) >= 5, 'the four broken polls were followed by good ones');
    });
  });

  describe('slow headers', () => {
    it('on create (longer than the timeout): not resent, the user is told it may exist', async () => {
      // undici's header timer ticks every ~0.5 s: the slow answer must be well past that.
      fake.set({ slowHeadersMs: 2500, slowHeadersTimes: 1 });
      const { q } = queue({ client: client({ timeoutMs: 200 }) });
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('slow headers on create (past the timeout)', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'timeout');
      assert.match(f.error!.message, /did not answer in time/);
      assert.match(f.error!.message, /may have been created anyway/);
      assert.match(f.error!.message, /dashboard/);
      assert.equal(f.error?.retryable, false);
      assertReadable(f);
      assert.equal(fake.creates(), 1);
      assert.equal(billed.size, 1);
      assert.deepEqual(files(), []);
    });

    it('on polls: timed-out polls are retried and the task completes', async () => {
      const { q } = queue({ client: client({ timeoutMs: 200 }) });
      const job = await q.submit(body('a fox'), target());
      // From the first poll on, the next two answers come too late.
      await on(q, 'created', job.id);
      fake.set({ slowHeadersMs: 2500, slowHeadersTimes: 2 });
      const done = await q.wait(job.id);
      await row('slow headers on poll (2 polls past the timeout)', job.id, [done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 1);
      assert.ok(fake.polls(done.taskId) >= 3);
    });
  });

  describe('429 storms', () => {
    it('6 × 429 on create, then success: backs off, one task created', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 6 } });
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      const done = await q.wait(job.id);
      await row('429 storm on create (6 × 429, then OK)', job.id, [done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 7, 'six refused, then the one that worked');
      assert.equal(billed.size, 1);
      const at = fake.requests.filter((r) => r.path === '/v1/images/generations').map((r) => r.at);
      assert.ok(at[6]! - at[0]! >= 20, 'the creates were spread out, not sent back to back');
    });

    it('a batch of 4 during a 429 storm: every image saved, one task each', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 12 } });
      const { q } = queue({ maxConcurrent: 2 });
      const jobs = [];
      for (const i of [1, 2, 3, 4]) jobs.push(await q.submit(body(`fox number ${i}`), target(images(), `fox-${i}`)));
      const done = await Promise.all(jobs.map((j) => q.wait(j.id)));
      await row('429 storm on create during a batch of 4 (12 × 429)', jobs[0]!.id, done, true);
      assert.deepEqual(done.map((j) => j.state), ['completed', 'completed', 'completed', 'completed']);
      assert.deepEqual(files(), ['images/fox-1.png', 'images/fox-2.png', 'images/fox-3.png', 'images/fox-4.png']);
      assert.equal(fake.creates(), 16);
      assert.equal(billed.size, 4, 'one task per image');
      assert.equal(new Set(done.map((j) => j.taskId)).size, 4);
    });

    it('cancel while waiting out a 429: nothing more is sent, nothing created', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded' } });
      const { q, logs } = queue();
      const job = await q.submit(body('a fox'), target());
      // Back in the queue after the provider refused it: the user gives up.
      await new Promise<void>((resolve) => {
        const sub = q.onEvent((e) => {
          if (e.job.id === job.id && e.type === 'updated' && e.job.state === 'queued' && fake.creates() > 0) {
            sub.dispose();
            void q.cancel(job.id).then(resolve);
          }
        });
      });
      const c = await q.wait(job.id);
      const posts = fake.creates();
      fake.set({ failCreate: undefined });
      // The queue's word for why nothing more goes (not a quiet period).
      await until('the cancel to be logged', () => logs.includes(`job ${job.id}: cancelled before anything was sent`));
      await row('cancel while waiting out a 429', job.id, [c]);
      assert.equal(c.state, 'cancelled');
      assert.equal(fake.creates(), posts, 'no create after the cancel');
      assert.equal(billed.size, 0);
      assert.deepEqual(files(), []);
      assert.equal((await stored(job.id))?.state, 'cancelled');
    });

    it('6 × 429 on polls: polling backs off and the task completes', async () => {
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      await on(q, 'created', job.id);
      fake.set({ failPoll: { status: 429, code: 'rate_limit_exceeded', times: 6 } });
      const done = await q.wait(job.id);
      await row('429 storm on poll (6 × 429, then OK)', job.id, [done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assert.equal(fake.creates(), 1);
    });

    it('429 that never ends: gives up with a message to try later; nothing created', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded' } });
      const { q } = queue({ timeoutMinutes: 0.005 }); // 300 ms of patience
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('429 that never ends (on create)', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'rate_limit');
      assert.match(f.error!.message, /rate limit/i);
      assert.match(f.error!.message, /nothing was created or billed/);
      assert.match(f.error!.message, /[Ww]ait a few minutes, then retry/);
      assert.equal(f.error?.retryable, true);
      assertReadable(f);
      assert.ok(fake.creates() >= 5);
      assert.equal(billed.size, 0);
      assert.deepEqual(files(), []);
    });
  });

  describe('500/502/503', () => {
    const codes = { 500: 'internal_error', 502: 'upstream_error', 503: 'service_unavailable' } as const;
    for (const status of [500, 502, 503] as const) {
      it(`${status} twice on create and six times on poll: retried, one task, saved`, async () => {
        fake.set({ failCreate: { status, code: codes[status], times: 2 } });
        // A client that retries polls once: most of the burst reaches the queue, which keeps polling.
        const { q } = queue({ client: client({ retry: { ...RETRY, retries: 2 } }) });
        const job = await q.submit(body('a fox'), target());
        await on(q, 'created', job.id);
        fake.set({ failPoll: { status, code: codes[status], times: 6 } });
        const done = await q.wait(job.id);
        await row(`${status} on create (×2) and on poll (×6)`, job.id, [done]);
        assert.equal(done.state, 'completed');
        assert.deepEqual(files(), ['images/fox.png']);
        assertWholePng('images/fox.png');
        assert.equal(fake.creates(), 3, 'two refused, then the one that worked');
        assert.equal(billed.size, 1);
        assert.ok(fake.polls(done.taskId) >= 7);
      });
    }

    it('503 on every create: gives up with a message to try later; nothing created', async () => {
      fake.set({ failCreate: { status: 503, code: 'service_unavailable' } });
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('503 on every create', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'server');
      assert.match(f.error!.message, /server problem \(503 service_unavailable\)/);
      assert.match(f.error!.message, /Gave up after 5 attempts/);
      assert.match(f.error!.message, /retry in a few minutes/i);
      assert.equal(f.error?.retryable, true);
      assertReadable(f);
      assert.equal(fake.creates(), 5);
      assert.equal(billed.size, 0);
      assert.deepEqual(files(), []);
    });
  });

  describe('invalid JSON from the provider', () => {
    it('on polls: retried, the task completes', async () => {
      fake.set({ invalidJsonPoll: 4 });
      const { q } = queue({ client: client({ retry: { ...RETRY, retries: 1 } }) });
      const job = await q.submit(body('a fox'), target());
      const done = await q.wait(job.id);
      await row('invalid JSON on poll (×4)', job.id, [done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assert.equal(fake.creates(), 1);
    });

    it('on create (a 200 that cannot be read): not resent, the user is told it may exist', async () => {
      fake.set({ invalidJsonCreate: 1 });
      const { q, logs } = queue();
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('invalid JSON on create (HTTP 200)', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'bad_response');
      assert.match(f.error!.message, /could not be read/);
      assert.match(f.error!.message, /may have been created/);
      assert.match(f.error!.message, /dashboard/);
      assert.equal(f.error?.retryable, false);
      assertReadable(f);
      await until('the queue to say it will not send it again', () => logs.some((l) => l.startsWith(`job ${job.id}: create failed:`) && l.includes('will not send it again')));
      assert.equal(fake.creates(), 1);
      assert.equal(billed.size, 1);
      assert.deepEqual(files(), []);
    });
  });

  describe('a task stuck in processing past the timeout', () => {
    it('timed out with its id kept; Retry resumes polling without a new create and saves it', async () => {
      const { q } = queue({ timeoutMinutes: 0.002 }); // 120 ms
      const job = await q.submit(body('a fox [never]'), target());
      const t = await q.wait(job.id);
      assert.equal(t.state, 'timed_out');
      assert.equal(t.error?.kind, 'timeout');
      assert.match(t.error!.message, /^No result after 0\.1 seconds\./);
      assert.match(t.error!.message, /task id is kept: Retry keeps waiting for it/);
      assert.equal(t.error?.retryable, true);
      assertReadable(t);
      assert.equal((await stored(job.id))?.taskId, t.taskId, 'the task id is stored');
      assert.deepEqual(files(), []);

      // The user gives it longer and retries: polling resumes on the same task.
      q.setOptions({ timeoutMinutes: 1 });
      const pollsBefore = fake.polls(t.taskId);
      const r = await q.retry(job.id);
      assert.equal(r.id, job.id);
      assert.equal(r.state, 'running');
      await until('a poll after Retry', () => fake.polls(t.taskId) > pollsBefore);
      assert.equal(fake.creates(), 1, 'Retry did not create a new task');
      fake.completeNow(t.taskId!);
      const done = await q.wait(job.id);
      await row('task stuck in processing past the timeout', job.id, [t, done]);
      assert.equal(done.state, 'completed');
      assert.equal(done.taskId, t.taskId);
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 1);
    });
  });

  describe('a task that vanishes (404)', () => {
    it('the job fails saying the provider no longer knows the task; nothing saved, not resent on its own', async () => {
      const { q } = queue();
      const job = await q.submit(body('a fox [never]'), target());
      const c = await on(q, 'created', job.id);
      noteTasks();
      fake.forget(c.taskId!);
      const f = await q.wait(job.id);
      await row('task vanishes (404 task_not_found)', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'not_found');
      assert.equal(f.error?.code, 'task_not_found');
      assert.match(f.error!.message, /no longer knows this task/);
      assert.match(f.error!.message, /Retry sends it again as a new task, which is billed again/);
      assertReadable(f);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(fake.creates(), 1);
      assert.deepEqual(files(), []);
    });
  });

  describe('result downloads', () => {
    it('an expired result URL: tried at most twice, failed with the reason, nothing written', async () => {
      fake.set({ resultMode: 'expired' });
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      await row('expired result URL (403 from storage)', job.id, [f]);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'download');
      assert.match(f.error!.message, /^1 of 1 image could not be downloaded/);
      assert.match(f.error!.message, /403; it has probably expired/);
      assert.match(f.error!.message, /24 hours/);
      assertReadable(f);
      assert.equal(fake.requests.filter((r) => r.path.startsWith('/results/')).length, 2);
      assert.deepEqual(files(), []);
      const rec = await stored(job.id);
      assert.equal(rec?.taskId, f.taskId);
      assert.equal(rec?.results?.length, 1);
      assert.equal(fake.creates(), 1);
      // Retry asks the provider for the task again (free; fresh URLs if it has them), then downloads.
      const pollsBefore = fake.polls();
      fake.set({ resultMode: 'ok' });
      await q.retry(job.id);
      const done = await q.wait(job.id);
      assert.equal(done.state, 'completed');
      assert.equal(fake.polls(), pollsBefore + 1);
      assert.deepEqual(files(), ['images/fox.png']);
      assert.equal(fake.creates(), 1);
    });

    it('a truncated download (every time): no half file; Retry downloads it whole without a new create', async () => {
      fake.set({ resultMode: 'truncated' });
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'download');
      assert.match(f.error!.message, /cut short|broke off|incomplete/);
      assert.match(f.error!.message, /Retry downloads the missing ones again without a new task/);
      assertReadable(f);
      assertNothingHalfWritten();
      assert.deepEqual(files(), []);
      fake.set({ resultMode: 'ok' });
      await q.retry(job.id);
      const done = await q.wait(job.id);
      await row('truncated download (every attempt), then Retry', job.id, [f, done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 1);
    });

    it('an HTML error page instead of the image: said so, nothing written; Retry saves it', async () => {
      fake.set({ resultMode: 'html' });
      const { q } = queue();
      const job = await q.submit(body('a fox'), target());
      const f = await q.wait(job.id);
      assert.equal(f.state, 'failed');
      assert.match(f.error!.message, /HTML page instead of an image/);
      // (Once in test/integration/faults.test.ts too: the notification offers Retry.)
      assert.match(f.error!.message, /Retry downloads the missing ones again without a new task/);
      assertReadable(f);
      assert.deepEqual(files(), []);
      fake.set({ resultMode: 'ok' });
      await q.retry(job.id);
      const done = await q.wait(job.id);
      await row('HTML error page instead of the image, then Retry', job.id, [f, done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 1);
    });
  });

  describe('the disk', () => {
    it('a destination that cannot be written: said so with the folder; Retry saves it once fixed, no new create', async () => {
      // Tests run as root, where chmod does not stop writes: a FILE where a folder should be does.
      const blocker = path.join(ws(), 'blocked');
      fs.writeFileSync(blocker, 'not a folder');
      const dest = path.join(blocker, 'images');
      const { q } = queue();
      const job = await q.submit(body('a fox'), target(dest));
      const f = await q.wait(job.id);
      assert.equal(f.state, 'failed');
      assert.equal(f.error?.kind, 'download');
      assert.ok(f.error!.message.includes(dest), 'names the folder');
      assert.match(f.error!.message, /ENOTDIR|EEXIST/);
      assert.match(f.error!.message, /can be written to/);
      assert.match(f.error!.message, /Retry downloads the missing ones again without a new task/);
      assertReadable(f);
      assert.deepEqual(files(), ['blocked']);
      assert.equal((await stored(job.id))?.results?.length, 1, 'the result URL is kept for Retry');

      fs.rmSync(blocker);
      await q.retry(job.id);
      const done = await q.wait(job.id);
      await row('disk write fails (destination not writable), then fixed and Retry', job.id, [f, done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['blocked/images/fox.png']);
      assertWholePng('blocked/images/fox.png');
      assert.equal(fake.creates(), 1);
    });

    it('the workspace folder removed while the task runs: the folder is made again and the image saved', async () => {
      fs.mkdirSync(images());
      const { q } = queue();
      // Held at the fake until the folder is gone, however slow this machine is.
      const job = await q.submit(body('a fox [hold]'), target());
      const created = await on(q, 'created', job.id);
      fs.rmSync(ws(), { recursive: true, force: true });
      fake.release({ id: created.taskId });
      const done = await q.wait(job.id);
      await row('workspace folder removed while the task runs', job.id, [done]);
      assert.equal(done.state, 'completed');
      assert.deepEqual(files(), ['images/fox.png']);
      assertWholePng('images/fox.png');
      assert.equal(fake.creates(), 1);
      assert.equal((await stored(job.id))?.state, 'completed');
    });
  });
});
