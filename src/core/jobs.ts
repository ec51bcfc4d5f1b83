// The task queue: starts at most N tasks at once, polls each at a pace set by
// the provider's estimate, downloads the results, and persists every step so
// a restart resumes instead of paying twice. It knows nothing of VS Code: the
// glue listens to its events and moves/links files in `finalize`.

import { randomUUID } from 'node:crypto';
import type { CreateTaskBody, DownloadedImage, TaskObject } from './types';
import { FINAL_STATES, type JobError, type JobRecord, type JobState, type JobTarget, type TaskStore } from './store';

export type { JobError, JobRecord, JobState, JobTarget, TaskStore } from './store';
export { FINAL_STATES, MemoryTaskStore } from './store';

/** The part of EvoLinkClient the queue uses, so tests can hand it a double. */
export type TaskClient = {
  createTask(body: CreateTaskBody, signal?: AbortSignal): Promise<TaskObject>;
  getTask(id: string, signal?: AbortSignal): Promise<TaskObject>;
  download(url: string, destDir: string, baseName: string, signal?: AbortSignal): Promise<DownloadedImage>;
};

export type JobEvent =
  | { type: 'queued'; job: JobRecord }
  | { type: 'created'; job: JobRecord }
  | { type: 'progress'; job: JobRecord }
  | { type: 'completed'; job: JobRecord }
  | { type: 'failed'; job: JobRecord }
  | { type: 'cancelled'; job: JobRecord }
  | { type: 'timed_out'; job: JobRecord }
  | { type: 'updated'; job: JobRecord };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface QueueOptions {
  client: TaskClient;
  store: TaskStore;
  /** Tasks in creating/running/downloading at once; default 4. */
  maxConcurrent?: number;
  /** Foreground wait before a task is reported timed out (its id is kept); default 15. */
  timeoutMinutes?: number;
  /** Never poll one task more often than this; default 2000 (api.md §7). */
  minPollMs?: number;
  /** Slowest poll pace, also the pace for cancelled tasks watched in the background; default 15000. */
  maxPollMs?: number;
  now?: () => number;
  log?: (level: LogLevel, msg: string) => void;
  /** Moves/links the downloaded files; runs before 'completed' is emitted. What it returns replaces `files`. */
  finalize?: (job: JobRecord, files: DownloadedImage[]) => Promise<DownloadedImage[]>;
}

/** Result URLs expire 24 h after the task finished (api.md §2). */
export const RESULTS_LIFETIME_MS = 24 * 60 * 60 * 1000;

export const UNKNOWN_AFTER_RESTART_MESSAGE =
  'Pictor was stopped while this task was being created; it was not resent to avoid paying twice. Retry to send it again.';

interface FailureInfo { reason: string; retryable: boolean; advice: string }

const CHANGE_INPUT = 'Change the prompt or the reference images before trying again.';
const LATER = 'Retrying later may work.';

/** api.md §3, task failure codes: what happened in words, and whether sending it again as is can help. */
export const TASK_FAILURES: Readonly<Record<string, FailureInfo>> = {
  content_policy_violation: { reason: "The provider refused the prompt or images under its content policy.", retryable: false, advice: CHANGE_INPUT },
  invalid_parameters: { reason: 'The provider rejected the parameters of the request.', retryable: false, advice: 'Check the size, resolution, quality and n before trying again.' },
  image_processing_error: { reason: 'The provider could not process a reference image.', retryable: false, advice: CHANGE_INPUT },
  image_dimension_mismatch: { reason: "The reference images' dimensions do not fit the request.", retryable: false, advice: CHANGE_INPUT },
  generation_failed_no_content: { reason: 'The model finished without producing an image.', retryable: true, advice: LATER },
  service_error: { reason: 'The provider had an internal error.', retryable: true, advice: LATER },
  generation_timeout: { reason: "The generation took too long on the provider's side.", retryable: true, advice: LATER },
  resource_exhausted: { reason: 'The provider is out of capacity right now.', retryable: true, advice: LATER },
  quota_exceeded: { reason: 'The account has run out of credits.', retryable: true, advice: "Top up the account in the provider's dashboard, then retry." },
  service_unavailable: { reason: 'The provider is unavailable right now.', retryable: true, advice: LATER },
  unknown_error: { reason: 'The provider reported an unknown error.', retryable: true, advice: LATER },
  request_cancelled: { reason: "The task was cancelled on the provider's side.", retryable: false, advice: 'Generate again if you still want the image.' },
  resource_not_found: { reason: 'The provider could not find a resource the task needed (such as a reference image).', retryable: false, advice: 'Check the reference images before trying again.' },
};

/** Turns a failed task's `error` into what the user is told. */
export function describeTaskFailure(error: TaskObject['error'] | undefined): JobError {
  const code = error?.code !== undefined && error?.code !== null && String(error.code) !== '' ? String(error.code) : 'unknown_error';
  const info = TASK_FAILURES[code];
  const reason = info?.reason ?? `The provider reported that the task failed (${code}).`;
  const said = error?.message ? ` The provider said: "${error.message}".` : '';
  return {
    kind: 'task_failed',
    code,
    message: `${reason}${said} ${info?.advice ?? LATER}`,
    retryable: info?.retryable ?? true,
  };
}

const ACTIVE_STATES: readonly JobState[] = ['creating', 'running', 'downloading'];
// Poll errors after which the task id is still good: retry() resumes polling instead of paying again.
const RESUMABLE_KINDS = new Set(['auth', 'forbidden', 'quota', 'network', 'timeout', 'server', 'rate_limit', 'bad_response', 'store']);
const TRANSIENT_POLL_KINDS = new Set(['network', 'timeout', 'server', 'rate_limit', 'bad_response']);

interface Runtime {
  /** Aborted only by dispose() or remove(): a user's cancel keeps requests going (see cancel()). */
  ctrl: AbortController;
  timer?: NodeJS.Timeout;
  /** Until the submit's first save lands the job may not start (keeps FIFO order honest). */
  ready: boolean;
  /** createTask has been called: from here a cancel cannot un-send it. */
  sent: boolean;
  watching: boolean;
  inFlight: boolean;
  watchStart: number;
  deadline: number;
  delay: number;
  polls: number;
  /** Date.now() of the last getTask call; real time, because minPollMs is about real request spacing. */
  lastPollAt: number;
  /** Date.now() before which the scheduled poll must not go out. */
  notBefore: number;
  /** this.now() when this job's first create was refused with 429; the patience for a rate limit counts from here. */
  rateLimitedSince?: number;
}

interface Waiter { resolve(r: JobRecord): void; reject(e: Error): void }

function snap(job: JobRecord): JobRecord {
  return JSON.parse(JSON.stringify(job)) as JobRecord;
}

function toJobError(e: unknown): JobError {
  const o = (typeof e === 'object' && e !== null ? e : {}) as { kind?: unknown; code?: unknown; message?: unknown; retryable?: unknown };
  const message = typeof o.message === 'string' && o.message ? o.message : String(e);
  const err: JobError = { kind: typeof o.kind === 'string' ? o.kind : 'unknown', message, retryable: o.retryable === true };
  if (o.code !== undefined && o.code !== null && o.code !== '') err.code = String(o.code);
  return err;
}

function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

export class JobQueue {
  private readonly client: TaskClient;
  private readonly store: TaskStore;
  private maxConcurrent: number;
  private timeoutMs: number;
  private readonly minPollMs: number;
  private readonly maxPollMs: number;
  private readonly now: () => number;
  private readonly logFn?: (level: LogLevel, msg: string) => void;
  private readonly finalizeFn?: QueueOptions['finalize'];

  private readonly jobs = new Map<string, JobRecord>();
  private readonly rts = new Map<string, Runtime>();
  private readonly pending: string[] = [];
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly waiters = new Map<string, Waiter[]>();
  private disposed = false;
  /** Date.now() before which no create goes out: the provider answered 429 to one. */
  private createsPausedUntil = 0;
  private pumpTimer?: NodeJS.Timeout;

  constructor(opts: QueueOptions) {
    this.client = opts.client;
    this.store = opts.store;
    this.maxConcurrent = checkConcurrency(opts.maxConcurrent ?? 4);
    this.timeoutMs = checkTimeout(opts.timeoutMinutes ?? 15);
    this.minPollMs = Math.max(1, opts.minPollMs ?? 2000);
    this.maxPollMs = Math.max(this.minPollMs, opts.maxPollMs ?? 15000);
    this.now = opts.now ?? Date.now;
    this.logFn = opts.log;
    this.finalizeFn = opts.finalize;
  }

  onEvent(listener: (e: JobEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => { this.listeners.delete(listener); } };
  }

  /** Persists the job (state 'queued') before returning; it starts when a slot is free. */
  async submit(body: CreateTaskBody, target: JobTarget): Promise<JobRecord> {
    this.assertLive();
    const job: JobRecord = {
      id: randomUUID(),
      body: JSON.parse(JSON.stringify(body)) as CreateTaskBody,
      target: JSON.parse(JSON.stringify(target)) as JobTarget,
      state: 'queued',
      progress: 0,
      createdAt: this.now(),
    };
    const rt = this.rt(job);
    rt.ready = false;
    this.jobs.set(job.id, job);
    this.pending.push(job.id);
    try {
      await this.store.save(job);
    } catch (e) {
      this.jobs.delete(job.id);
      this.rts.delete(job.id);
      this.dropPending(job.id);
      this.pump();
      throw e;
    }
    rt.ready = true;
    if (!this.alive(job)) return snap(job);
    // A cancel during the save already persisted and announced 'cancelled'.
    if (job.state === 'queued') this.emit('queued', job);
    this.pump();
    return snap(job);
  }

  /** Settles when the job reaches completed/failed/cancelled/timed_out/unknown. */
  wait(id: string): Promise<JobRecord> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new Error(`Pictor has no task with id ${id}.`));
    if (FINAL_STATES.includes(job.state)) return Promise.resolve(snap(job));
    if (this.disposed) return Promise.reject(stoppedError());
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(id, list);
    });
  }

  /**
   * Stops waiting in the foreground. A task already sent stays watched in the
   * background (`detached`) so its images are still saved if it completes: the
   * provider has no cancel endpoint and the user pays for them anyway.
   */
  async cancel(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return;
    const rt = this.rt(job);
    if (job.state === 'queued' || (job.state === 'creating' && !rt.sent)) {
      this.dropPending(id);
      job.state = 'cancelled';
      job.finishedAt = this.now();
      this.log('info', `job ${id}: cancelled before anything was sent`);
      const saving = this.persist(job);
      this.emit('cancelled', job);
      this.settle(job);
      this.pump();
      await saving;
      return;
    }
    if (!ACTIVE_STATES.includes(job.state)) return;
    const wasRunning = job.state === 'running';
    job.state = 'cancelled';
    job.detached = true;
    job.finishedAt = this.now();
    if (rt.watching) {
      rt.deadline = this.backgroundDeadline(job);
      if (wasRunning && !rt.inFlight) this.schedule(job, this.maxPollMs);
    }
    this.log('info', `job ${id}: cancelled; task ${job.taskId ?? '(being created)'} is still watched in the background`);
    const saving = this.persist(job);
    this.emit('cancelled', job);
    this.settle(job);
    this.pump();
    await saving;
  }

  async cancelAll(): Promise<void> {
    const live = [...this.jobs.values()].filter((j) => j.state === 'queued' || ACTIVE_STATES.includes(j.state));
    // Queued ones first: otherwise each slot freed by a cancel would start one of them.
    live.sort((a, b) => (a.state === 'queued' ? 0 : 1) - (b.state === 'queued' ? 0 : 1));
    await Promise.all(live.map((j) => this.cancel(j.id)));
  }

  /**
   * For failed, timed_out and unknown jobs. Never pays twice on its own: a known
   * task id is polled again, lost downloads are fetched again from the saved
   * URLs (while they are valid); only a job with nothing to resume becomes a NEW
   * job with the same body and target.
   */
  async retry(id: string): Promise<JobRecord> {
    this.assertLive();
    const job = this.jobs.get(id);
    if (!job) throw new Error(`Pictor has no task with id ${id}.`);
    if (job.state !== 'failed' && job.state !== 'timed_out' && job.state !== 'unknown') {
      throw new Error(`Only failed, timed out or unknown tasks can be retried (this one is ${job.state}).`);
    }
    const kind = job.error?.kind;
    const resultsFresh = !!job.results?.length && job.resultsAt !== undefined && this.now() - job.resultsAt < RESULTS_LIFETIME_MS;

    // finalize failed after every image was saved: the URLs are not needed again.
    if (job.state === 'failed' && (kind === 'finalize' || (kind === 'download' && resultsFresh))) {
      this.reopen(job, 'downloading');
      if (kind === 'download') await this.refreshResults(job);
      await this.persist(job);
      this.emit('updated', job);
      void this.guard(job, kind === 'download' ? this.download(job) : this.finish(job));
      return snap(job);
    }
    if (job.taskId && !job.results && (job.state !== 'failed' || (kind !== undefined && RESUMABLE_KINDS.has(kind)))) {
      this.reopen(job, 'running');
      this.startWatch(job);
      await this.persist(job);
      this.emit('updated', job);
      this.schedule(job, this.minPollMs);
      this.log('info', `job ${id}: retry resumes polling task ${job.taskId}`);
      return snap(job);
    }
    this.log('info', `job ${id}: retry sends a new task`);
    return this.submit(job.body, job.target);
  }

  /**
   * Asks the provider for the task again before re-downloading: a poll is free, and it may hand out
   * fresh result URLs where the old ones expired early. Keeps the old URLs when it cannot.
   */
  private async refreshResults(job: JobRecord): Promise<void> {
    if (!job.taskId || !job.results?.length) return;
    try {
      const t = await this.client.getTask(job.taskId);
      if (t.status === 'completed' && t.results?.length === job.results.length) job.results = [...t.results];
    } catch (e) {
      this.log('debug', `job ${job.id}: could not refresh the result URLs (${(e as Error).message}); using the stored ones`);
    }
  }

  /** Loads the store and picks up every unfinished job. Returns the jobs it picked up. */
  async resume(): Promise<JobRecord[]> {
    this.assertLive();
    const loaded = await this.store.load();
    if (this.disposed) return [];
    loaded.sort((a, b) => a.createdAt - b.createdAt);
    const picked: JobRecord[] = [];
    const queued: string[] = [];
    const saves: Promise<void>[] = [];
    for (const job of loaded) {
      if (this.jobs.has(job.id)) continue;
      this.jobs.set(job.id, job);
      const rt = this.rt(job);
      const hasResults = !!job.results?.length;
      switch (job.state) {
        case 'queued':
          queued.push(job.id);
          picked.push(job);
          break;
        case 'creating':
        case 'running':
          if (!job.taskId) {
            // The create may or may not have reached the provider: resending could bill twice.
            saves.push(this.markUnknown(job));
          } else {
            job.state = 'running';
            this.startWatch(job);
            this.schedule(job, this.minPollMs);
          }
          picked.push(job);
          break;
        case 'downloading':
          if (hasResults) void this.guard(job, this.download(job));
          else if (job.taskId) {
            job.state = 'running';
            this.startWatch(job);
            this.schedule(job, this.minPollMs);
          } else saves.push(this.markUnknown(job));
          picked.push(job);
          break;
        case 'completed':
          if (hasResults && !job.files?.length) {
            job.state = 'downloading';
            void this.guard(job, this.download(job));
            picked.push(job);
          }
          break;
        case 'cancelled':
          if (!job.detached) break;
          if (hasResults) void this.guard(job, this.download(job));
          else if (job.taskId) {
            this.startWatch(job);
            this.schedule(job, this.minPollMs);
          } else {
            job.detached = false;
            saves.push(this.persist(job));
          }
          picked.push(job);
          break;
        default:
          break;
      }
      rt.ready = true;
    }
    await Promise.all(saves);
    if (this.disposed) return [];
    this.pending.unshift(...queued);
    for (const job of picked) this.emit('updated', job);
    this.log('info', `resume: ${loaded.length} stored task(s), ${picked.length} picked up`);
    this.pump();
    return picked.map(snap);
  }

  /** Forgets a job (memory and store). A job being sent, polled or downloaded must be cancelled first. */
  async remove(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (job && ACTIVE_STATES.includes(job.state)) {
      throw new Error('Cancel this task before removing it: it is still running.');
    }
    if (job) {
      const rt = this.rts.get(id);
      if (rt) {
        clearTimeout(rt.timer);
        rt.ctrl.abort();
      }
      this.rts.delete(id);
      this.jobs.delete(id);
      this.dropPending(id);
      this.settle(job);
    }
    await this.store.remove(id);
  }

  /** Removes finished jobs (not ones still watched in the background) that ended before now - olderThanMs. */
  async prune(olderThanMs: number): Promise<number> {
    const limit = this.now() - olderThanMs;
    const old = [...this.jobs.values()].filter((j) =>
      FINAL_STATES.includes(j.state) && !j.detached && (j.finishedAt ?? j.createdAt) < limit);
    for (const j of old) await this.remove(j.id);
    return old.length;
  }

  list(): JobRecord[] {
    return [...this.jobs.values()].map(snap);
  }

  get(id: string): JobRecord | undefined {
    const job = this.jobs.get(id);
    return job && snap(job);
  }

  /** Jobs in creating/running/downloading (cancelled ones watched in the background do not count). */
  running(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (ACTIVE_STATES.includes(j.state)) n++;
    return n;
  }

  setOptions(p: Partial<Pick<QueueOptions, 'maxConcurrent' | 'timeoutMinutes'>>): void {
    if (p.maxConcurrent !== undefined) this.maxConcurrent = checkConcurrency(p.maxConcurrent);
    if (p.timeoutMinutes !== undefined) {
      this.timeoutMs = checkTimeout(p.timeoutMinutes);
      for (const [id, rt] of this.rts) {
        const job = this.jobs.get(id);
        if (job && rt.watching && !job.detached) rt.deadline = rt.watchStart + this.timeoutMs;
      }
    }
    this.pump();
  }

  /** Stops timers and in-flight requests; the store is left as is so the next start resumes. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    for (const rt of this.rts.values()) {
      clearTimeout(rt.timer);
      rt.timer = undefined;
      rt.ctrl.abort();
    }
    for (const list of this.waiters.values()) for (const w of list) w.reject(stoppedError());
    this.waiters.clear();
    this.listeners.clear();
  }

  // ---- internals ----

  private pump(): void {
    if (this.disposed) return;
    // The provider is refusing new tasks for now: creates wait (polls and downloads go on).
    const pause = this.createsPausedUntil - Date.now();
    if (pause > 0) {
      if (this.pending.length && !this.pumpTimer) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, pause);
      }
      return;
    }
    while (this.pending.length && this.running() < this.maxConcurrent) {
      const id = this.pending[0];
      const job = this.jobs.get(id);
      if (!job || job.state !== 'queued') {
        this.pending.shift();
        continue;
      }
      if (!this.rt(job).ready) break;
      this.pending.shift();
      // The state changes synchronously so the next loop turn sees the slot taken.
      job.state = 'creating';
      job.startedAt = this.now();
      void this.guard(job, this.create(job));
    }
  }

  private async create(job: JobRecord): Promise<void> {
    const rt = this.rt(job);
    rt.sent = false;
    // Persist before sending: a crash after this point is seen at resume and never resent silently.
    try {
      await this.store.save(job);
    } catch (e) {
      if (!this.alive(job) || job.state !== 'creating') return;
      await this.fail(job, {
        kind: 'store',
        message: `Pictor could not record the task before sending it, so it was not sent (${(e as Error).message}). Retry to send it.`,
        retryable: true,
      });
      return;
    }
    if (!this.alive(job) || job.state !== 'creating') return;
    this.emit('updated', job);
    rt.sent = true;
    this.log('debug', `job ${job.id}: sending create`);
    let task: TaskObject;
    try {
      task = await this.client.createTask(job.body, rt.ctrl.signal);
    } catch (e) {
      // Disposed: the record stays 'creating' and resume() marks it unknown.
      if (!this.alive(job)) return;
      const err = toJobError(e);
      this.log('warn', `job ${job.id}: create failed: ${err.message}`);
      if ((job.state as JobState) === 'cancelled') {
        job.detached = false;
        job.error = err;
        await this.persist(job);
        this.emit('updated', job);
        return;
      }
      if (err.kind === 'rate_limit' && err.retryable) {
        await this.rateLimited(job, e, err);
        return;
      }
      await this.fail(job, err);
      return;
    }
    if (!this.present(job)) return;
    job.taskId = task.id;
    if (typeof task.task_info?.estimated_time === 'number' && task.task_info.estimated_time > 0) {
      job.estimatedTime = task.task_info.estimated_time;
    }
    if (job.state === 'creating') job.state = 'running';
    // Saved even if dispose() came meanwhile: a task id that exists only in memory is a paid task lost.
    await this.persist(job);
    this.log('info', `job ${job.id}: created task ${task.id} (estimated ${job.estimatedTime ?? '?'} s)`);
    if (!this.alive(job)) return;
    this.emit('created', job);
    this.startWatch(job);
    await this.onTask(job, task, true);
  }

  /**
   * A 429 on create means the provider did not take the task on, so waiting costs nothing: a
   * batch should not fail because the account hit its rate limit for a while. The job goes back
   * to its place in the queue and every create pauses; after the foreground timeout it fails.
   */
  private async rateLimited(job: JobRecord, e: unknown, err: JobError): Promise<void> {
    const rt = this.rt(job);
    rt.rateLimitedSince ??= job.startedAt ?? this.now();
    const waited = this.now() - rt.rateLimitedSince;
    if (waited >= this.timeoutMs) {
      const status = statusOf(e);
      await this.fail(job, {
        ...err,
        message: `EvoLink kept refusing new tasks because of its rate limit for ${duration(waited)}` +
          `${status ? ` (HTTP ${status}${err.code ? ` ${err.code}` : ''})` : ''}; nothing was created or billed. Wait a few minutes, then retry.`,
        retryable: true,
      });
      return;
    }
    let d = Math.min(this.maxPollMs, Math.max(this.minPollMs, rt.delay * 2));
    const ra = retryAfterMs(e);
    if (ra !== undefined) d = Math.max(d, Math.min(ra, 60_000));
    rt.delay = d;
    this.createsPausedUntil = Math.max(this.createsPausedUntil, Date.now() + d);
    job.state = 'queued';
    rt.sent = false;
    // Back in its place by age, so jobs refused together still start in the order they were submitted.
    const at = this.pending.findIndex((id) => (this.jobs.get(id)?.createdAt ?? Infinity) > job.createdAt);
    this.pending.splice(at < 0 ? this.pending.length : at, 0, job.id);
    this.log('warn', `job ${job.id}: the provider is rate limiting new tasks (nothing was created); sending again in ${d} ms`);
    await this.persist(job);
    if (!this.alive(job)) return;
    if (job.state === 'queued') this.emit('updated', job);
    this.pump();
  }

  private async poll(job: JobRecord): Promise<void> {
    const rt = this.rt(job);
    rt.timer = undefined;
    if (!this.alive(job) || !rt.watching || rt.inFlight || !job.taskId) return;
    // Timers may fire a millisecond early by the wall clock; the pace is a promise to the provider.
    const wait = Math.max(rt.notBefore, rt.lastPollAt + this.minPollMs) - Date.now();
    if (wait > 0) {
      this.schedule(job, wait);
      return;
    }
    rt.lastPollAt = Date.now();
    rt.polls++;
    rt.inFlight = true;
    let task: TaskObject;
    try {
      task = await this.client.getTask(job.taskId, rt.ctrl.signal);
    } catch (e) {
      rt.inFlight = false;
      if (!this.alive(job) || !rt.watching) return;
      await this.onPollError(job, e);
      return;
    }
    rt.inFlight = false;
    if (!this.alive(job) || !rt.watching) return;
    await this.onTask(job, task, false);
  }

  private async onTask(job: JobRecord, task: TaskObject, fromCreate: boolean): Promise<void> {
    const rt = this.rt(job);
    if (typeof task.task_info?.estimated_time === 'number' && task.task_info.estimated_time > 0) {
      job.estimatedTime = task.task_info.estimated_time;
    }
    if (task.status === 'completed') {
      this.stopWatch(job);
      job.results = Array.isArray(task.results) ? task.results.filter((u) => typeof u === 'string') : [];
      job.resultsAt = this.now();
      job.progress = 100;
      if (!job.detached) job.state = 'downloading';
      await this.persist(job);
      if (!this.alive(job)) return;
      this.emit('updated', job);
      await this.download(job);
      return;
    }
    if (task.status === 'failed') {
      this.stopWatch(job);
      const err = describeTaskFailure(task.error);
      this.log('info', `job ${job.id}: task ${job.taskId} failed: ${err.code}`);
      await this.stop(job, err);
      return;
    }
    if (typeof task.progress === 'number' && Number.isFinite(task.progress)) {
      const p = Math.max(0, Math.min(100, Math.round(task.progress)));
      if (p !== job.progress) {
        job.progress = p;
        await this.persist(job);
        if (!this.alive(job) || !rt.watching) return;
        this.emit('progress', job);
      }
    }
    this.next(job, fromCreate ? this.firstDelay(job) : this.pollDelay(job));
  }

  private async onPollError(job: JobRecord, e: unknown): Promise<void> {
    const rt = this.rt(job);
    const err = toJobError(e);
    const status = statusOf(e);
    if (err.kind === 'auth' || err.kind === 'forbidden' || status === 401 || status === 403) {
      this.stopWatch(job);
      await this.stop(job, { ...err, retryable: true, message: `${err.message} The task id is kept: Retry continues waiting for it.` });
      return;
    }
    if (err.kind === 'not_found' || status === 404 || err.code === 'task_not_found') {
      this.stopWatch(job);
      await this.stop(job, {
        kind: 'not_found',
        code: err.code ?? 'task_not_found',
        message: 'The provider no longer knows this task: it expired or its id is unknown. Retry sends it again as a new task, which is billed again.',
        retryable: true,
      });
      return;
    }
    if (err.retryable || TRANSIENT_POLL_KINDS.has(err.kind)) {
      // Polls cost nothing: keep going, slower, until the timeout.
      let d = Math.min(this.maxPollMs, Math.max(this.minPollMs, rt.delay * 2));
      const ra = retryAfterMs(e);
      if (ra !== undefined) d = Math.max(d, Math.min(ra, 60_000));
      rt.delay = d;
      this.log('debug', `job ${job.id}: poll failed (${err.kind}: ${err.message}); next in ${d} ms`);
      this.next(job, d);
      return;
    }
    this.stopWatch(job);
    await this.stop(job, { ...err, retryable: err.retryable || err.kind === 'quota' });
  }

  /** After a non-final answer: time out, or schedule the next poll. */
  private next(job: JobRecord, delay: number): void {
    const rt = this.rt(job);
    const now = this.now();
    if (now >= rt.deadline) {
      this.stopWatch(job);
      if (job.detached) {
        void this.guard(job, this.stop(job, { kind: 'timeout', message: 'Stopped watching this cancelled task: its results would have expired.', retryable: false }));
      } else {
        void this.guard(job, this.timeOut(job));
      }
      return;
    }
    // One last poll near the deadline rather than giving up a whole interval early.
    this.schedule(job, Math.max(this.minPollMs, Math.min(delay, rt.deadline - now)));
  }

  private firstDelay(job: JobRecord): number {
    const rt = this.rt(job);
    if (job.detached) return (rt.delay = this.maxPollMs);
    const est = (job.estimatedTime ?? 0) * 1000;
    return (rt.delay = this.clampPoll(est > 0 ? est * 0.5 : this.minPollMs));
  }

  private pollDelay(job: JobRecord): number {
    const rt = this.rt(job);
    if (job.detached) return (rt.delay = this.maxPollMs);
    const est = (job.estimatedTime ?? 0) * 1000;
    const base = this.clampPoll(est > 0 ? est / 5 : this.minPollMs);
    const elapsed = this.now() - (job.startedAt ?? job.createdAt);
    // Past the estimate the task is slow: back off gradually instead of hammering it.
    const d = est > 0 && elapsed <= est ? base : Math.max(base, rt.delay * 1.5);
    return (rt.delay = this.clampPoll(d));
  }

  private clampPoll(ms: number): number {
    return Math.round(Math.min(this.maxPollMs, Math.max(this.minPollMs, ms)));
  }

  private async download(job: JobRecord): Promise<void> {
    const results = job.results ?? [];
    if (!results.length) {
      await this.stop(job, { kind: 'task_failed', code: 'no_results', message: 'The task completed without any image. Retry sends it again.', retryable: true });
      return;
    }
    const rt = this.rt(job);
    const n = results.length;
    let lost = 0;
    let lastErr: JobError | undefined;
    for (let i = 0; i < n; i++) {
      if (job.savedResults?.includes(i)) continue;
      const name = job.target.baseName + (n > 1 ? `-${i + 1}` : '');
      try {
        const file = await this.client.download(results[i], job.target.dir, name, rt.ctrl.signal);
        if (!this.present(job)) return;
        addFile(job, i, file);
        // Recorded even after dispose(): the file is on disk, and a resume must not fetch it twice.
        await this.persist(job);
      } catch (e) {
        if (!this.alive(job)) return;
        lost++;
        lastErr = toJobError(e);
        this.log('warn', `job ${job.id}: result ${i + 1}/${n} not saved: ${lastErr.message}`);
      }
      if (!this.alive(job)) return;
    }
    if (lost) {
      const saved = n - lost;
      const fresh = job.resultsAt !== undefined && this.now() - job.resultsAt < RESULTS_LIFETIME_MS;
      await this.stop(job, {
        kind: 'download',
        ...(lastErr?.code ? { code: lastErr.code } : {}),
        message: `${lost} of ${n} image${n > 1 ? 's' : ''} could not be downloaded: ${endSentence(lastErr?.message ?? 'unknown error')}`
          + (saved ? ` ${saved} saved.` : '')
          + (fresh
            ? ' Retry downloads the missing ones again without a new task (possible for 24 hours after it finished).'
            : ' Their links have expired: Retry sends the task again.'),
        retryable: true,
      });
      return;
    }
    await this.finish(job);
  }

  private async finish(job: JobRecord): Promise<void> {
    if (this.finalizeFn) {
      let out: DownloadedImage[];
      try {
        out = await this.finalizeFn(snap(job), (job.files ?? []).map((f) => ({ ...f })));
      } catch (e) {
        if (!this.alive(job)) return;
        await this.stop(job, {
          kind: 'finalize',
          message: `The images were downloaded but could not be put in place: ${String((e as Error)?.message ?? e).replace(/^Error: /, '').replace(/\.$/, '')}. Retry tries again.`,
          retryable: true,
        });
        return;
      }
      if (!this.present(job)) return;
      if (Array.isArray(out)) {
        if (out.length !== (job.files ?? []).length) job.savedResults = out.map((_, i) => i);
        job.files = out;
      }
    }
    if (!this.present(job)) return;
    const done: Partial<JobRecord> = { state: 'completed', detached: undefined, error: undefined, finishedAt: this.now() };
    // Stored before anyone can see it completed (so a crash right after 'completed' never finalizes twice),
    // and saved even after dispose(): finalize has moved the files, resuming would redo it.
    await this.persist({ ...job, ...done });
    if (!this.present(job)) return;
    Object.assign(job, done);
    if (this.disposed) return;
    this.log('info', `job ${job.id}: completed with ${job.files?.length ?? 0} image(s)`);
    this.emit('completed', job);
    this.settle(job);
    this.pump();
  }

  /** Ends a job that went wrong: failed in the foreground, or a background watch that ends quietly. */
  private async stop(job: JobRecord, err: JobError): Promise<void> {
    if (job.detached) {
      this.stopWatch(job);
      job.detached = false;
      job.error = err;
      await this.persist(job);
      if (this.alive(job)) this.emit('updated', job);
      return;
    }
    await this.fail(job, err);
  }

  private async fail(job: JobRecord, err: JobError): Promise<void> {
    this.stopWatch(job);
    job.state = 'failed';
    job.error = err;
    job.finishedAt = this.now();
    const saving = this.persist(job);
    this.emit('failed', job);
    this.settle(job);
    this.pump();
    await saving;
  }

  private async timeOut(job: JobRecord): Promise<void> {
    this.stopWatch(job);
    job.state = 'timed_out';
    job.finishedAt = this.now();
    job.error = {
      kind: 'timeout',
      message: `No result after ${duration(this.timeoutMs)}. The task id is kept: Retry keeps waiting for it.`,
      retryable: true,
    };
    this.log('warn', `job ${job.id}: timed out waiting for task ${job.taskId}`);
    const saving = this.persist(job);
    this.emit('timed_out', job);
    this.settle(job);
    this.pump();
    await saving;
  }

  private markUnknown(job: JobRecord): Promise<void> {
    job.state = 'unknown';
    job.finishedAt = this.now();
    job.error = { kind: 'unknown', message: UNKNOWN_AFTER_RESTART_MESSAGE, retryable: true };
    return this.persist(job);
  }

  private reopen(job: JobRecord, state: JobState): void {
    job.state = state;
    job.error = undefined;
    job.finishedAt = undefined;
    job.detached = undefined;
  }

  private startWatch(job: JobRecord): void {
    const rt = this.rt(job);
    rt.watching = true;
    rt.watchStart = this.now();
    rt.deadline = job.detached ? this.backgroundDeadline(job) : rt.watchStart + this.timeoutMs;
    rt.polls = 0;
    rt.delay = 0;
  }

  private stopWatch(job: JobRecord): void {
    const rt = this.rt(job);
    rt.watching = false;
    clearTimeout(rt.timer);
    rt.timer = undefined;
  }

  private backgroundDeadline(job: JobRecord): number {
    return (job.startedAt ?? job.createdAt) + RESULTS_LIFETIME_MS;
  }

  private schedule(job: JobRecord, delay: number): void {
    const rt = this.rt(job);
    if (this.disposed) return;
    clearTimeout(rt.timer);
    rt.notBefore = Date.now() + Math.max(0, delay);
    rt.timer = setTimeout(() => { void this.guard(job, this.poll(job)); }, Math.max(0, delay));
  }

  private rt(job: JobRecord): Runtime {
    let rt = this.rts.get(job.id);
    if (!rt) {
      rt = {
        ctrl: new AbortController(), ready: true, sent: false, watching: false, inFlight: false,
        watchStart: 0, deadline: Infinity, delay: 0, polls: 0, lastPollAt: 0, notBefore: 0,
      };
      this.rts.set(job.id, rt);
    }
    return rt;
  }

  /** Not removed; may be disposed. Facts already paid for (task ids, saved files) are still recorded. */
  private present(job: JobRecord): boolean {
    return this.jobs.get(job.id) === job;
  }

  private alive(job: JobRecord): boolean {
    return !this.disposed && this.present(job);
  }

  /** Store errors are logged, not thrown: losing one progress write must not lose the images. */
  private async persist(job: JobRecord): Promise<void> {
    if (this.jobs.get(job.id) === undefined) return;
    try {
      await this.store.save(job);
    } catch (e) {
      this.log('error', `job ${job.id}: could not save its state: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  private emit(type: JobEvent['type'], job: JobRecord): void {
    if (this.disposed) return;
    const e = { type, job: snap(job) } as JobEvent;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log('error', `event listener threw on '${type}': ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }

  private settle(job: JobRecord): void {
    const list = this.waiters.get(job.id);
    if (!list) return;
    this.waiters.delete(job.id);
    const s = snap(job);
    for (const w of list) w.resolve(s);
  }

  private dropPending(id: string): void {
    const i = this.pending.indexOf(id);
    if (i >= 0) this.pending.splice(i, 1);
  }

  private guard(job: JobRecord, p: Promise<void>): Promise<void> {
    return p.catch((e) => {
      this.log('error', `job ${job.id}: internal error: ${(e as Error)?.stack ?? String(e)}`);
    });
  }

  private log(level: LogLevel, msg: string): void {
    try {
      this.logFn?.(level, msg);
    } catch {
      // A broken logger must not break the queue.
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('The Pictor task queue has been disposed.');
  }
}

function addFile(job: JobRecord, index: number, file: DownloadedImage): void {
  const idx = job.savedResults ?? [];
  const files = job.files ?? [];
  let at = idx.findIndex((k) => k > index);
  if (at < 0) at = idx.length;
  idx.splice(at, 0, index);
  files.splice(at, 0, file);
  job.savedResults = idx;
  job.files = files;
}

function retryAfterMs(e: unknown): number | undefined {
  const o = e as { retryAfterMs?: unknown; retryAfter?: unknown } | null;
  if (typeof o?.retryAfterMs === 'number') return o.retryAfterMs;
  if (typeof o?.retryAfter === 'number') return o.retryAfter * 1000;
  return undefined;
}

/** `0.1 seconds`, `15 minutes`, `1.5 minutes`: how long, for a message. */
function duration(ms: number): string {
  if (ms < 60_000) {
    const s = Math.round(ms / 100) / 10;
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const m = Math.round(ms / 6_000) / 10;
  return `${m} minute${m === 1 ? '' : 's'}`;
}

function endSentence(s: string): string {
  const t = s.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

function stoppedError(): Error {
  return new Error('Pictor stopped before this task finished; it resumes on the next start.');
}

function checkConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`maxConcurrent must be a whole number ≥ 1 (got ${n}).`);
  return n;
}

function checkTimeout(min: number): number {
  if (!(typeof min === 'number' && min > 0 && Number.isFinite(min))) throw new RangeError(`timeoutMinutes must be > 0 (got ${min}).`);
  return min * 60_000;
}
