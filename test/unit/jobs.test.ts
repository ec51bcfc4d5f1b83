// Unit tests of the task queue against an in-memory TaskClient double (the real
// client over HTTP is exercised in test/component/jobs.test.ts).

import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  MemoryTaskStore, TASK_FAILURES, UNKNOWN_AFTER_RESTART_MESSAGE,
  type JobEvent, type JobRecord, type TaskClient,
} from '../../src/core/jobs';
import { FileTaskStore } from '../../src/core/fileStore';
import { disposeQueues, makeQueue, waitFor } from './support';
import type { CreateTaskBody, DownloadedImage, TaskObject } from '../../src/core/types';

// ---- the client double ----

interface DoubleTask {
  id: string;
  prompt: string;
  n: number;
  polls: number;
  /** Polls answered 'processing' before the final answer; Infinity = never ends on its own. */
  pollsBeforeDone: number;
  outcome: 'completed' | 'failed';
  code?: string;
  resultCount: number;
  forced?: 'completed' | 'failed';
}

function err(kind: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { kind, retryable: false, ...extra });
}

class DoubleClient implements TaskClient {
  readonly timeline: string[] = [];
  readonly creates: { prompt: string; at: number }[] = [];
  readonly polls: { id: string; at: number }[] = [];
  readonly downloads: { url: string; dir: string; baseName: string }[] = [];
  readonly tasks = new Map<string, DoubleTask>();
  /** Errors thrown by the next polls, in order. */
  pollErrors: Error[] = [];
  /** Urls whose download fails (until removed). */
  failDownloads = new Set<string>();
  createError?: Error;
  /** When set, createTask waits for it (to observe what happens meanwhile). */
  createGate?: Promise<void>;
  /** Creates answered (after the gate, if any). */
  answered = 0;
  estimatedTime = 0.02;
  private seq = 0;
  private live = new Set<string>();
  maxLive = 0;

  async createTask(body: CreateTaskBody, signal?: AbortSignal): Promise<TaskObject> {
    this.timeline.push(`create:${body.prompt}`);
    this.creates.push({ prompt: body.prompt, at: Date.now() });
    if (this.createGate) await this.createGate;
    this.answered++;
    if (signal?.aborted) throw err('cancelled', 'aborted');
    if (this.createError) throw this.createError;
    const id = `task-unified-1757156493-${(++this.seq).toString().padStart(8, '0')}`;
    const m = (re: RegExp) => re.exec(body.prompt)?.[1];
    const never = body.prompt.includes('[never]');
    const fail = m(/\[fail:([a-z_]+)\]/);
    this.tasks.set(id, {
      id, prompt: body.prompt, n: body.n ?? 1, polls: 0,
      pollsBeforeDone: never ? Infinity : Number(m(/\[polls:(\d+)\]/) ?? 2),
      outcome: fail ? 'failed' : 'completed', code: fail,
      resultCount: Number(m(/\[results:(\d+)\]/) ?? body.n ?? 1),
    });
    this.live.add(id);
    this.maxLive = Math.max(this.maxLive, this.live.size);
    return { id, status: 'pending', progress: 0, task_info: { can_cancel: true, estimated_time: this.estimatedTime } };
  }

  async getTask(id: string, signal?: AbortSignal): Promise<TaskObject> {
    this.polls.push({ id, at: Date.now() });
    if (signal?.aborted) throw err('cancelled', 'aborted');
    const e = this.pollErrors.shift();
    if (e) throw e;
    const t = this.tasks.get(id);
    if (!t) throw err('not_found', 'Task not found', { status: 404, code: 'task_not_found' });
    t.polls++;
    const done = t.forced ?? (t.polls > t.pollsBeforeDone ? t.outcome : undefined);
    if (done === 'completed') {
      this.live.delete(id);
      return { id, status: 'completed', progress: 100, results: Array.from({ length: t.resultCount }, (_, i) => `https://files.test/${id}/${i}.png`) };
    }
    if (done === 'failed') {
      this.live.delete(id);
      return { id, status: 'failed', progress: 0, error: { code: t.code ?? 'service_error', message: `provider says ${t.code}`, type: 'task_error' } };
    }
    return { id, status: 'processing', progress: Math.min(90, t.polls * 30), task_info: { estimated_time: this.estimatedTime } };
  }

  async download(url: string, destDir: string, baseName: string, signal?: AbortSignal): Promise<DownloadedImage> {
    this.downloads.push({ url, dir: destDir, baseName });
    if (signal?.aborted) throw err('cancelled', 'aborted');
    if (this.failDownloads.has(url)) throw err('download', 'The result answered 404', { status: 404 });
    return { path: path.join(destDir, `${baseName}.png`), type: 'png', width: 1024, height: 1024, bytes: 1234 };
  }

  complete(id: string): void { this.tasks.get(id)!.forced = 'completed'; }
  createsOf(prompt: string): number { return this.creates.filter((c) => c.prompt === prompt).length; }
}

/** Records, in the client's timeline, every save the queue makes. */
class RecordingStore extends MemoryTaskStore {
  constructor(private readonly timeline: string[], initial: JobRecord[] = []) { super(initial); }
  override async save(rec: JobRecord): Promise<void> {
    this.timeline.push(`save:${rec.body.prompt}:${rec.state}:${rec.taskId ?? '-'}`);
    await super.save(rec);
  }
}

// ---- helpers ----

const target = (name: string) => ({ dir: '/tmp/pictor-unit', baseName: name, meta: { doc: `file:///${name}.md` } });
const body = (prompt: string, n = 1): CreateTaskBody => ({ model: 'gpt-image-2', prompt, n, size: '1:1', quality: 'low' });

const typesFor = (events: JobEvent[], id: string) => events.filter((e) => e.job.id === id).map((e) => e.type);

afterEach(disposeQueues);

// ---- tests ----

describe('JobQueue (unit, client double)', () => {
  it('never runs more than maxConcurrent tasks at once and starts them in submit order', async () => {
    const client = new DoubleClient();
    const { q } = makeQueue(client, new MemoryTaskStore(), { maxConcurrent: 2 });
    let maxRunning = 0;
    q.onEvent(() => { maxRunning = Math.max(maxRunning, q.running()); });
    const jobs: JobRecord[] = [];
    for (let i = 0; i < 6; i++) jobs.push(await q.submit(body(`p${i} [polls:2]`), target(`img${i}`)));
    const done = await Promise.all(jobs.map((j) => q.wait(j.id)));
    assert.deepEqual(done.map((j) => j.state), Array(6).fill('completed'));
    assert.equal(client.maxLive, 2, 'the provider saw at most 2 tasks at once, and the slots were used');
    assert.ok(maxRunning <= 2);
    assert.deepEqual(client.creates.map((c) => c.prompt), jobs.map((j) => j.body.prompt), 'FIFO');
    assert.equal(client.creates.length, 6);
    assert.equal(q.running(), 0);
  });

  it('persists before sending: queued, then creating, then create, then the task id, then "created"', async () => {
    const client = new DoubleClient();
    const store = new RecordingStore(client.timeline);
    const { q, events } = makeQueue(client, store);
    q.onEvent((e) => client.timeline.push(`event:${e.type}`));
    const job = await q.submit(body('fox [polls:1]'), target('fox'));
    assert.equal(store.peek(job.id)?.body.prompt, 'fox [polls:1]', 'saved before submit returned');
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    const tl = client.timeline;
    const at = (s: string) => { const i = tl.findIndex((x) => x.startsWith(s)); assert.ok(i >= 0, `${s} in ${tl.join(' | ')}`); return i; };
    assert.ok(at('save:fox [polls:1]:queued') < at('save:fox [polls:1]:creating'));
    assert.ok(at('save:fox [polls:1]:creating') < at('create:fox'));
    const taskSave = tl.findIndex((x) => /^save:fox \[polls:1\]:running:task-unified-/.test(x));
    assert.ok(at('create:fox') < taskSave && taskSave < at('event:created'), tl.join(' | '));
    assert.deepEqual(typesFor(events, job.id).filter((t) => t !== 'updated' && t !== 'progress'), ['queued', 'created', 'completed']);
    const stored = store.peek(job.id)!;
    assert.equal(stored.state, 'completed');
    assert.equal(stored.taskId, done.taskId);
    assert.deepEqual(stored.files?.map((f) => path.basename(f.path)), ['fox.png']);
  });

  it('emits progress only when it changes', async () => {
    const client = new DoubleClient();
    const { q, events } = makeQueue(client, new MemoryTaskStore());
    const job = await q.submit(body('p [polls:3]'), target('p'));
    await q.wait(job.id);
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.job.progress);
    assert.deepEqual(progress, [30, 60, 90]);
  });

  it('names several results -1, -2… in the order of results, and keeps fewer results than asked', async () => {
    const client = new DoubleClient();
    const { q } = makeQueue(client, new MemoryTaskStore());
    const a = await q.submit(body('three [polls:1]', 3), target('three'));
    const b = await q.submit(body('fewer [polls:1] [results:2]', 4), target('fewer'));
    const [ra, rb] = await Promise.all([q.wait(a.id), q.wait(b.id)]);
    assert.deepEqual(ra.files?.map((f) => path.basename(f.path)), ['three-1.png', 'three-2.png', 'three-3.png']);
    assert.deepEqual(rb.files?.map((f) => path.basename(f.path)), ['fewer-1.png', 'fewer-2.png']);
    assert.equal(rb.results?.length, 2);
    assert.deepEqual(client.downloads.filter((d) => d.baseName.startsWith('three')).map((d) => d.url), ra.results);
  });

  it('resume(): starts queued jobs, marks creating-without-id unknown without resending, polls running ones', async () => {
    const client = new DoubleClient();
    // A task that exists at the provider, as a previous session left it.
    await client.createTask(body('was running [polls:1]'));
    const existingId = [...client.tasks.keys()][0];
    client.creates.length = 0;
    const now = Date.now();
    const store = new MemoryTaskStore([
      { id: 'q1', body: body('was queued [polls:1]'), target: target('q1'), state: 'queued', progress: 0, createdAt: now - 3000 },
      { id: 'c1', body: body('was creating'), target: target('c1'), state: 'creating', progress: 0, createdAt: now - 2000, startedAt: now - 2000 },
      { id: 'r1', taskId: existingId, body: body('was running [polls:1]'), target: target('r1'), state: 'running', progress: 30, createdAt: now - 1000, startedAt: now - 1000 },
      { id: 'done', taskId: 'task-old', body: body('history'), target: target('h'), state: 'completed', progress: 100, createdAt: now - 9000, results: ['u'], files: [{ path: '/x.png', type: 'png', width: 1, height: 1, bytes: 1 }] },
    ]);
    const { q } = makeQueue(client, store);
    const picked = await q.resume();
    assert.deepEqual(picked.map((j) => j.id).sort(), ['c1', 'q1', 'r1']);
    const c1 = q.get('c1')!;
    assert.equal(c1.state, 'unknown');
    assert.equal(c1.error?.message, UNKNOWN_AFTER_RESTART_MESSAGE);
    assert.equal(store.peek('c1')?.state, 'unknown', 'the verdict is persisted');
    const [q1, r1] = await Promise.all([q.wait('q1'), q.wait('r1')]);
    assert.equal(q1.state, 'completed');
    assert.equal(r1.state, 'completed');
    assert.equal(r1.taskId, existingId);
    assert.deepEqual(client.creates.map((c) => c.prompt), ['was queued [polls:1]'], 'only the never-sent job was created');
    assert.equal(q.list().length, 4, 'history is loaded too');
    assert.equal(q.get('done')?.state, 'completed');

    // Retrying the unknown job is the user's explicit wish: it creates anew, as a new job.
    const again = await q.retry('c1');
    assert.notEqual(again.id, 'c1');
    assert.deepEqual(again.target, target('c1'));
    await q.wait(again.id);
    assert.equal(client.createsOf('was creating'), 1);
  });

  it('a queue disposed while a create is in flight leaves it "creating"; the next start does not resend it', async () => {
    const client = new DoubleClient();
    let open!: () => void;
    client.createGate = new Promise((r) => { open = r; });
    const store = new MemoryTaskStore();
    const { q } = makeQueue(client, store);
    const job = await q.submit(body('in flight'), target('f'));
    await waitFor(() => client.creates.length === 1, 'the create');
    q.dispose();
    open();
    // The answer came after the dispose: the record stays as it was.
    await waitFor(() => client.answered === 1, 'the create to be answered');
    await new Promise((r) => setImmediate(r));
    assert.equal(store.peek(job.id)?.state, 'creating');
    const client2 = new DoubleClient();
    const { q: q2 } = makeQueue(client2, store);
    await q2.resume();
    assert.equal(q2.get(job.id)?.state, 'unknown');
    assert.equal(client2.creates.length, 0);
  });

  it('times out after timeoutMinutes with the task id kept; retry resumes polling without a new create', async () => {
    const client = new DoubleClient();
    const store = new MemoryTaskStore();
    const { q, events } = makeQueue(client, store, { timeoutMinutes: 0.003 }); // 180 ms
    const job = await q.submit(body('slow [never]'), target('slow'));
    const t = await q.wait(job.id);
    assert.equal(t.state, 'timed_out');
    assert.ok(t.taskId);
    assert.match(t.error!.message, /Retry keeps waiting/);
    assert.equal(store.peek(job.id)?.state, 'timed_out');
    assert.equal(store.peek(job.id)?.taskId, t.taskId);
    assert.ok(typesFor(events, job.id).includes('timed_out'));
    assert.equal(q.running(), 0);

    client.complete(t.taskId!);
    const again = await q.retry(job.id);
    assert.equal(again.id, job.id, 'the same job continues');
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.files?.length, 1);
    assert.equal(client.creates.length, 1, 'no second create');
  });

  it('cancel stops the foreground wait, frees the slot, and still saves the images if the task completes later', async () => {
    const client = new DoubleClient();
    const store = new MemoryTaskStore();
    const { q, events } = makeQueue(client, store, { maxConcurrent: 1 });
    const a = await q.submit(body('paid [never]'), target('paid'));
    const b = await q.submit(body('next [polls:1]'), target('next'));
    await waitFor(() => q.get(a.id)?.state === 'running', 'a running');
    assert.equal(client.creates.length, 1, 'b waits for the slot');
    await q.cancel(a.id);
    const ca = await q.wait(a.id);
    assert.equal(ca.state, 'cancelled');
    assert.equal(ca.detached, true);
    assert.equal(store.peek(a.id)?.detached, true);
    assert.ok(typesFor(events, a.id).includes('cancelled'));
    // The cancelled job no longer holds the only slot.
    assert.equal((await q.wait(b.id)).state, 'completed');
    assert.equal(client.creates.length, 2);

    const pollsBefore = client.polls.filter((p) => p.id === ca.taskId).length;
    client.complete(ca.taskId!);
    await waitFor(() => typesFor(events, a.id).includes('completed'), 'background completion');
    const fin = q.get(a.id)!;
    assert.equal(fin.state, 'completed');
    assert.equal(fin.detached, undefined);
    assert.deepEqual(fin.files?.map((f) => path.basename(f.path)), ['paid.png']);
    assert.equal(store.peek(a.id)?.state, 'completed');
    assert.ok(client.polls.filter((p) => p.id === ca.taskId).length > pollsBefore, 'kept polling in the background');
    assert.equal(client.creates.length, 2);
  });

  it('background polling of a cancelled task uses the slow pace (maxPollMs)', async () => {
    const client = new DoubleClient();
    const { q } = makeQueue(client, new MemoryTaskStore(), { minPollMs: 5, maxPollMs: 40 });
    const a = await q.submit(body('bg [never]'), target('bg'));
    await waitFor(() => q.get(a.id)?.state === 'running', 'running');
    await q.cancel(a.id);
    const from = client.polls.length;
    await waitFor(() => client.polls.length >= from + 4, 'background polls');
    const at = client.polls.slice(from + 1).map((p) => p.at);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 40, `interval ${at[i]! - at[i - 1]!} ms`);
  });

  it('cancelling a queued job sends nothing', async () => {
    const client = new DoubleClient();
    const store = new MemoryTaskStore();
    const { q, events, logs } = makeQueue(client, store, { maxConcurrent: 1 });
    const a = await q.submit(body('first [polls:3]'), target('a'));
    const b = await q.submit(body('second [polls:1]'), target('b'));
    await q.cancel(b.id);
    assert.equal(q.get(b.id)?.state, 'cancelled');
    assert.equal(q.get(b.id)?.detached, undefined);
    assert.equal((await q.wait(a.id)).state, 'completed');
    // The queue's word for why nothing goes (not a quiet period), then nothing was created.
    await waitFor(() => logs.includes(`job ${b.id}: cancelled before anything was sent`), 'the cancel to be logged');
    assert.equal(client.createsOf('second [polls:1]'), 0);
    assert.equal(store.peek(b.id)?.state, 'cancelled');
    assert.deepEqual(typesFor(events, b.id), ['queued', 'cancelled']);
  });

  it('cancelAll cancels queued jobs before freeing slots, so none of them starts', async () => {
    const client = new DoubleClient();
    const { q, logs } = makeQueue(client, new MemoryTaskStore(), { maxConcurrent: 2 });
    const jobs: JobRecord[] = [];
    for (let i = 0; i < 5; i++) jobs.push(await q.submit(body(`j${i} [never]`), target(`j${i}`)));
    await waitFor(() => q.running() === 2 && jobs.slice(0, 2).every((j) => q.get(j.id)?.taskId), 'two running');
    await q.cancelAll();
    // The queue's word for each queued job: cancelled before anything was sent.
    await waitFor(() => jobs.slice(2).every((j) => logs.includes(`job ${j.id}: cancelled before anything was sent`)), 'the queued jobs\' cancels to be logged');
    assert.equal(client.creates.length, 2);
    assert.equal(q.running(), 0);
    assert.deepEqual(jobs.map((j) => q.get(j.id)?.state), Array(5).fill('cancelled'));
    assert.deepEqual(jobs.map((j) => q.get(j.id)?.detached ?? false), [true, true, false, false, false]);
  });

  it('maps every task failure code the provider documents to a reason and whether retrying can help', async () => {
    const client = new DoubleClient();
    const { q, events } = makeQueue(client, new MemoryTaskStore(), { maxConcurrent: 16 });
    const expected: Record<string, boolean> = {
      content_policy_violation: false, invalid_parameters: false, image_processing_error: false, image_dimension_mismatch: false,
      // docs/provider-api.md "Errors" (the provider's error-code page): no content asks for another prompt, so not as is.
      generation_failed_no_content: false, service_error: true, generation_timeout: true, resource_exhausted: true,
      quota_exceeded: true, service_unavailable: true, unknown_error: true, request_cancelled: false, resource_not_found: false,
    };
    assert.deepEqual(Object.keys(TASK_FAILURES).sort(), Object.keys(expected).sort());
    const jobs = await Promise.all(Object.keys(expected).map((code) => q.submit(body(`x [fail:${code}] [polls:1]`), target(code))));
    const done = await Promise.all(jobs.map((j) => q.wait(j.id)));
    for (const j of done) {
      const code = j.target.baseName;
      assert.equal(j.state, 'failed', code);
      assert.equal(j.error?.kind, 'task_failed');
      assert.equal(j.error?.code, code);
      assert.equal(j.error?.retryable, expected[code], code);
      assert.ok(j.error!.message.startsWith(TASK_FAILURES[code]!.reason), j.error!.message);
      assert.ok(j.error!.message.includes(`provider says ${code}`), 'the provider message is kept');
      assert.ok(typesFor(events, j.id).includes('failed'));
    }
    const cancelled = done.find((j) => j.target.baseName === 'request_cancelled')!;
    assert.match(cancelled.error!.message, /cancelled on the provider's side/);
    assert.equal(client.downloads.length, 0);
  });

  it('retry of a failed task is a new job with the same body and target', async () => {
    const client = new DoubleClient();
    const { q } = makeQueue(client, new MemoryTaskStore());
    const a = await q.submit(body('busy [fail:service_unavailable] [polls:1]'), target('busy'));
    assert.equal((await q.wait(a.id)).state, 'failed');
    const b = await q.retry(a.id);
    assert.notEqual(b.id, a.id);
    assert.deepEqual(b.body, a.body);
    assert.deepEqual(b.target, a.target);
    assert.equal(q.get(a.id)?.state, 'failed', 'the old one stays as history');
    await q.wait(b.id);
    assert.equal(client.creates.length, 2);
    const ok = await q.submit(body('fine [polls:1]'), target('fine'));
    assert.equal((await q.wait(ok.id)).state, 'completed');
    await assert.rejects(q.retry(ok.id), /Only failed, timed out or unknown/);
    assert.equal(client.creates.length, 3);
  });

  it('a create refused by the provider fails the job with the client error', async () => {
    const client = new DoubleClient();
    client.createError = err('quota', 'Out of credits. Top up.', { status: 402, code: 'insufficient_quota' });
    const { q, events } = makeQueue(client, new MemoryTaskStore());
    const a = await q.submit(body('x'), target('x'));
    const f = await q.wait(a.id);
    assert.equal(f.state, 'failed');
    assert.deepEqual(f.error, { kind: 'quota', code: 'insufficient_quota', message: 'Out of credits. Top up.', retryable: false });
    assert.equal(f.taskId, undefined);
    assert.deepEqual(typesFor(events, a.id).filter((t) => t !== 'updated'), ['queued', 'failed']);
  });

  it('never polls faster than minPollMs, also while transient errors back off, and survives them', async () => {
    const client = new DoubleClient();
    client.estimatedTime = 0; // no estimate: the pace is the floor
    client.pollErrors = [
      err('network', 'socket hang up', { retryable: true }),
      err('rate_limit', 'slow down', { retryable: true, status: 429 }),
      err('bad_response', 'invalid JSON'),
    ];
    const { q } = makeQueue(client, new MemoryTaskStore(), { minPollMs: 25, maxPollMs: 60 });
    const jobs = await Promise.all([q.submit(body('a [polls:3]'), target('a')), q.submit(body('b [polls:4]'), target('b'))]);
    const done = await Promise.all(jobs.map((j) => q.wait(j.id)));
    assert.deepEqual(done.map((j) => j.state), ['completed', 'completed']);
    for (const j of done) {
      const times = client.polls.filter((p) => p.id === j.taskId).map((p) => p.at);
      assert.ok(times.length >= 4);
      for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 25, `poll interval ${times[i]! - times[i - 1]!} ms`);
    }
  });

  it('polls first just after an estimate shorter than minPollMs (not at the floor), never before the estimate', async () => {
    const client = new DoubleClient();
    client.estimatedTime = 0.05; // the provider says: done in 50 ms
    const { q } = makeQueue(client, new MemoryTaskStore(), { minPollMs: 5000, maxPollMs: 15000 });
    const a = await q.submit(body('quick [polls:0]'), target('quick'));
    assert.equal((await q.wait(a.id)).state, 'completed');
    const first = client.polls[0]!.at - client.creates[0]!.at;
    assert.equal(client.polls.length, 1);
    assert.ok(first >= 50, `polled ${first} ms after the create, before the provider's estimate`);
    assert.ok(first < 2500, `polled ${first} ms after the create: the floor, not the estimate`);
  });

  it('after an early first poll, every later poll of the task keeps minPollMs', async () => {
    const client = new DoubleClient();
    client.estimatedTime = 0.03;
    const { q } = makeQueue(client, new MemoryTaskStore(), { minPollMs: 150, maxPollMs: 400 });
    const a = await q.submit(body('later [polls:3]'), target('later'));
    assert.equal((await q.wait(a.id)).state, 'completed');
    const times = [client.creates[0]!.at, ...client.polls.map((p) => p.at)];
    assert.equal(times.length, 5);
    assert.ok(times[1]! - times[0]! >= 30, `first poll ${times[1]! - times[0]!} ms after the create`);
    for (let i = 2; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 150, `poll interval ${times[i]! - times[i - 1]!} ms`);
  });

  it('401 on poll fails the job but keeps the task id; retry resumes polling', async () => {
    const client = new DoubleClient();
    const { q } = makeQueue(client, new MemoryTaskStore());
    const a = await q.submit(body('k [polls:2]'), target('k'));
    await waitFor(() => !!q.get(a.id)?.taskId, 'task id');
    client.pollErrors = [err('auth', 'The provider refused the key. Set API Key…', { status: 401, code: 'unauthorized' })];
    const f = await q.wait(a.id);
    assert.equal(f.state, 'failed');
    assert.equal(f.error?.kind, 'auth');
    assert.equal(f.error?.retryable, true);
    assert.ok(f.taskId);
    await q.retry(a.id);
    assert.equal((await q.wait(a.id)).state, 'completed');
    assert.equal(client.creates.length, 1);
  });

  it('404 task_not_found on poll fails with "expired or unknown"', async () => {
    const client = new DoubleClient();
    const { q } = makeQueue(client, new MemoryTaskStore());
    const a = await q.submit(body('gone [never]'), target('gone'));
    await waitFor(() => !!q.get(a.id)?.taskId, 'task id');
    client.tasks.delete(q.get(a.id)!.taskId!);
    const f = await q.wait(a.id);
    assert.equal(f.state, 'failed');
    assert.equal(f.error?.code, 'task_not_found');
    assert.match(f.error!.message, /expired or its id is unknown/);
  });

  it('lost downloads fail the job, keep the saved files, and retry fetches only the missing ones', async () => {
    const client = new DoubleClient();
    const store = new MemoryTaskStore();
    const { q, events } = makeQueue(client, store);
    const a = await q.submit(body('trio [polls:1]', 3), target('trio'));
    await waitFor(() => !!q.get(a.id)?.taskId, 'task id');
    const taskId = q.get(a.id)!.taskId!;
    const second = `https://files.test/${taskId}/1.png`;
    client.failDownloads.add(second);
    const f = await q.wait(a.id);
    assert.equal(f.state, 'failed');
    assert.equal(f.error?.kind, 'download');
    assert.match(f.error!.message, /^1 of 3 images could not be downloaded/);
    assert.match(f.error!.message, /Retry downloads the missing ones/);
    assert.deepEqual(f.files?.map((x) => path.basename(x.path)), ['trio-1.png', 'trio-3.png']);
    assert.deepEqual(store.peek(a.id)?.files?.map((x) => path.basename(x.path)), ['trio-1.png', 'trio-3.png']);

    client.failDownloads.clear();
    const before = client.downloads.length;
    await q.retry(a.id);
    const done = await q.wait(a.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(client.downloads.slice(before).map((d) => d.url), [second]);
    assert.deepEqual(done.files?.map((x) => path.basename(x.path)), ['trio-1.png', 'trio-2.png', 'trio-3.png'], 'results order');
    assert.equal(client.creates.length, 1);
    assert.deepEqual(typesFor(events, a.id).filter((t) => t !== 'updated' && t !== 'progress'), ['queued', 'created', 'failed', 'completed']);
  });

  it('finalize runs before "completed" and its files are recorded; if it throws the job fails with the files kept', async () => {
    const client = new DoubleClient();
    const store = new MemoryTaskStore();
    const order: string[] = [];
    let broken = true;
    const { q } = makeQueue(client, store, {
      finalize: async (job, files) => {
        order.push(`finalize:${job.state}`);
        if (broken) throw new Error('the document was closed');
        return files.map((f) => ({ ...f, path: f.path.replace('/tmp/pictor-unit', '/ws/images') }));
      },
    });
    q.onEvent((e) => { if (e.type === 'completed' || e.type === 'failed') order.push(e.type); });
    const a = await q.submit(body('fin [polls:1]'), target('fin'));
    const f = await q.wait(a.id);
    assert.equal(f.state, 'failed');
    assert.equal(f.error?.kind, 'finalize');
    assert.match(f.error!.message, /the document was closed/);
    assert.deepEqual(f.files?.map((x) => x.path), ['/tmp/pictor-unit/fin.png']);
    broken = false;
    await q.retry(a.id);
    const done = await q.wait(a.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(done.files?.map((x) => x.path), ['/ws/images/fin.png']);
    assert.deepEqual(store.peek(a.id)?.files?.map((x) => x.path), ['/ws/images/fin.png']);
    assert.deepEqual(order, ['finalize:downloading', 'failed', 'finalize:downloading', 'completed']);
    assert.equal(client.downloads.length, 1, 'retrying finalize does not download again');
  });

  it('a job whose finalize is still running gives its slot to the next create; each task is created once', async () => {
    const client = new DoubleClient();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const finalizing: string[] = [];
    const { q } = makeQueue(client, new MemoryTaskStore(), {
      maxConcurrent: 1,
      finalize: async (job, files) => {
        finalizing.push(job.body.prompt);
        if (job.body.prompt.startsWith('first')) await gate; // the first link waits (a slow document edit)
        return files;
      },
    });
    const a = await q.submit(body('first [polls:1]'), target('first'));
    const b = await q.submit(body('second [polls:1]'), target('second'));
    await waitFor(() => client.creates.length === 2, 'the second create goes out while the first finalizes');
    assert.equal(q.get(a.id)?.state, 'downloading', 'the first is not completed before its finalize ends');
    assert.equal(client.maxLive, 1, 'the provider never had more than one task at once');
    const second = await q.wait(b.id);
    assert.equal(second.state, 'completed');
    release();
    assert.equal((await q.wait(a.id)).state, 'completed');
    assert.deepEqual(client.creates.map((c) => c.prompt), ['first [polls:1]', 'second [polls:1]'], 'each sent once, in order');
    assert.deepEqual(finalizing, ['first [polls:1]', 'second [polls:1]']);
    assert.equal(q.running(), 0);
  });

  it('remove() refuses running jobs, prune() drops old finished ones', async () => {
    const client = new DoubleClient();
    const store = new MemoryTaskStore();
    let clock = Date.now();
    const { q } = makeQueue(client, store, { now: () => clock });
    const a = await q.submit(body('r [never]'), target('r'));
    await waitFor(() => q.get(a.id)?.state === 'running', 'running');
    await assert.rejects(q.remove(a.id), /Cancel this task/);
    const b = await q.submit(body('done [polls:1]'), target('d'));
    await q.wait(b.id);
    clock += 60_000;
    assert.equal(await q.prune(30_000), 1);
    assert.equal(q.get(b.id), undefined);
    assert.equal(store.peek(b.id), undefined);
    assert.equal(q.get(a.id)?.state, 'running');
  });
});

describe('FileTaskStore', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-store-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  const rec = (id: string, state: JobRecord['state'] = 'queued'): JobRecord =>
    ({ id, body: body(`p ${id} 🦊`), target: target(id), state, progress: 0, createdAt: 1 });

  it('saves, replaces, removes and loads back through a fresh instance; no temp files left', async () => {
    const file = path.join(dir, 'sub', 'tasks.json');
    const s = new FileTaskStore(file);
    assert.deepEqual(await s.load(), []);
    await Promise.all([s.save(rec('a')), s.save(rec('b')), s.save(rec('c'))]);
    await s.save({ ...rec('b', 'running'), taskId: 'task-unified-1-abcdefgh' });
    await s.remove('c');
    const again = await new FileTaskStore(file).load();
    assert.deepEqual(again.map((r) => [r.id, r.state, r.taskId]), [['a', 'queued', undefined], ['b', 'running', 'task-unified-1-abcdefgh'], ]);
    assert.equal(again[0]!.body.prompt, 'p a 🦊');
    // One file per job in the store's folder, nothing else beside it: no temp files left.
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['tasks']);
    assert.deepEqual((await fs.readdir(path.join(path.dirname(file), 'tasks'))).sort(), ['a.json', 'b.json']);
  });

  it('copies the record at save time (later mutations are not written by accident)', async () => {
    const file = path.join(dir, 'tasks.json');
    const s = new FileTaskStore(file);
    const r = rec('a');
    const saving = s.save(r);
    r.state = 'failed';
    await saving;
    assert.equal((await s.load())[0]!.state, 'queued');
  });

  it('two instances on one file do not undo each other', async () => {
    const file = path.join(dir, 'tasks.json');
    const s1 = new FileTaskStore(file);
    const s2 = new FileTaskStore(file);
    await Promise.all([0, 1, 2, 3, 4].flatMap((i) => [s1.save(rec(`a${i}`)), s2.save(rec(`b${i}`))]));
    assert.equal((await s1.load()).length, 10);
  });

  it('moves a corrupt file aside and starts empty', async () => {
    const file = path.join(dir, 'tasks.json');
    await fs.writeFile(file, '{"jobs": [ {"id": "a", ');
    let backup = '';
    const s = new FileTaskStore(file, { onCorrupt: (b) => { backup = b; } });
    assert.deepEqual(await s.load(), []);
    assert.ok(backup.startsWith(`${file}.corrupt-`));
    assert.equal(await fs.readFile(backup, 'utf8'), '{"jobs": [ {"id": "a", ');
    await s.save(rec('z'));
    assert.deepEqual((await s.load()).map((r) => r.id), ['z']);
  });

  it('a queue resumes from the file another queue left behind', async () => {
    const file = path.join(dir, 'tasks.json');
    const client = new DoubleClient();
    const { q } = makeQueue(client, new FileTaskStore(file), { maxConcurrent: 1 });
    const a = await q.submit(body('one [polls:1]'), target('one'));
    const b = await q.submit(body('two [polls:1]'), target('two'));
    await waitFor(() => !!q.get(a.id)?.taskId, 'first task id');
    q.dispose();
    const { q: q2 } = makeQueue(client, new FileTaskStore(file), { maxConcurrent: 1 });
    const picked = await q2.resume();
    assert.deepEqual(picked.map((j) => j.id), [a.id, b.id]);
    const done = await Promise.all([q2.wait(a.id), q2.wait(b.id)]);
    assert.deepEqual(done.map((j) => j.state), ['completed', 'completed']);
    assert.equal(client.creates.length, 2, 'one create per job across the restart');
    const stored = await new FileTaskStore(file).load();
    assert.deepEqual(stored.map((r) => r.state), ['completed', 'completed']);
  });
});
