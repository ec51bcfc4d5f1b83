// Admission: jobs wait in submit order, at most maxConcurrent are sent/polled/downloaded at once,
// and a 429 on a create pauses every create (polls and downloads go on). Sending the create, the
// one billed request, happens here too: it is saved before it goes out and its task id the moment
// it comes back.

import type { JobError, JobRecord, JobState } from '../store';
import type { TaskObject } from '../types';
import { type QueueCore, durationWords } from './queueState';
import { isActive } from './states';
import type { Transitions } from './transitions';
import { isWords, said, words } from '../../shared/words';

export function toJobError(e: unknown): JobError {
  const o = (typeof e === 'object' && e !== null ? e : {}) as { kind?: unknown; code?: unknown; message?: unknown; retryable?: unknown };
  const message = typeof o.message === 'string' && o.message ? o.message : String(e);
  const err: JobError = { kind: typeof o.kind === 'string' ? o.kind : 'unknown', message, retryable: o.retryable === true };
  const w = (e as { words?: unknown } | null)?.words;
  if (isWords(w)) err.words = w;
  if (o.code !== undefined && o.code !== null && o.code !== '') err.code = String(o.code);
  return err;
}

export function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

export function retryAfterMs(e: unknown): number | undefined {
  const o = e as { retryAfterMs?: unknown; retryAfter?: unknown } | null;
  if (typeof o?.retryAfterMs === 'number') return o.retryAfterMs;
  if (typeof o?.retryAfter === 'number') return o.retryAfter * 1000;
  return undefined;
}

/**
 * A create that failed after its bytes left (a reset, a cut or unreadable answer, a gateway's 504):
 * the client refuses to resend those (retryable false), and the provider may have made the task.
 */
export function mayHaveBeenBilled(err: JobError): boolean {
  return !err.retryable && ['network', 'timeout', 'bad_response', 'server'].includes(err.kind);
}

export class Admission<M> {
  readonly pending: string[] = [];
  /** Date.now() before which no create goes out: the provider answered 429 to one. */
  private createsPausedUntil = 0;
  private pumpTimer?: NodeJS.Timeout;

  constructor(
    private readonly core: QueueCore<M>,
    private readonly tx: Transitions<M>,
    /** The create answered with a task: polling takes over. */
    private readonly onCreated: (job: JobRecord<M>, task: TaskObject) => Promise<void>,
  ) {}

  /** Jobs holding a slot: active, except those only finalizing (see Runtime.finalizing). */
  running(): number {
    let n = 0;
    for (const j of this.core.jobs.values()) if (isActive(j) && !this.core.rts.get(j.id)?.finalizing) n++;
    return n;
  }

  /** Jobs whose create is being decided or sent and has not answered yet. */
  private creating(): number {
    let n = 0;
    for (const j of this.core.jobs.values()) if (j.state === 'creating') n++;
    return n;
  }

  drop(id: string): void {
    const i = this.pending.indexOf(id);
    if (i >= 0) this.pending.splice(i, 1);
  }

  dispose(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  /** Back in its place by age (so jobs still start in the order they were submitted), announced; then a slot is sought. */
  requeue(job: JobRecord<M>): void {
    const at = this.pending.findIndex((id) => (this.core.jobs.get(id)?.createdAt ?? Infinity) > job.createdAt);
    this.pending.splice(at < 0 ? this.pending.length : at, 0, job.id);
    this.emit(job);
    this.pump();
  }

  pump(): void {
    const core = this.core;
    if (core.disposed) return;
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
    while (this.pending.length && this.running() < core.maxConcurrent) {
      // With a session budget, credits are known only once a create answers: one create at a time,
      // so the budget is judged on what the provider reported, never overshot by a batch in flight.
      if (this.creating() > 0 && core.gate.oneAtATime()) break;
      const id = this.pending[0]!;
      const job = core.jobs.get(id);
      if (!job || job.state !== 'queued') {
        this.pending.shift();
        continue;
      }
      if (!core.rt(job).ready) break;
      this.pending.shift();
      // The state changes synchronously so the next loop turn sees the slot taken.
      job.state = 'creating';
      job.startedAt = core.now();
      void core.guard(job, this.create(job));
    }
  }

  private async create(job: JobRecord<M>): Promise<void> {
    const core = this.core;
    const rt = core.rt(job);
    rt.sent = false;
    // The money gate, immediately before the one billed request, whoever asked for it.
    let refused: JobError | undefined;
    try {
      refused = await core.gate.check(job);
    } catch (e) {
      refused = { kind: 'unknown', ...said(words('gate.failed', (e as Error).message)), retryable: true };
    }
    if (!core.alive(job) || job.state !== 'creating') return;
    if (refused) {
      core.log('warn', `job ${job.id}: not sent: ${refused.message}`);
      await this.tx.fail(job, refused);
      return;
    }
    // Persist before sending: a crash after this point is seen at resume and never resent silently.
    try {
      await core.store.save(job);
    } catch (e) {
      if (!core.alive(job) || job.state !== 'creating') return;
      await this.tx.fail(job, {
        kind: 'store',
        ...said(words('job.storeFailed', (e as Error).message)),
        retryable: true,
      });
      return;
    }
    if (!core.alive(job) || job.state !== 'creating') return;
    core.emit('updated', job);
    rt.sent = true;
    core.log('debug', `job ${job.id}: sending create`);
    let task: TaskObject;
    try {
      task = await core.client.createTask(job.body, rt.ctrl.signal);
    } catch (e) {
      // Disposed: the record stays 'creating' and resume() marks it unknown.
      if (!core.alive(job)) return;
      const err = toJobError(e);
      core.log('warn', `job ${job.id}: create failed: ${err.message}`);
      if (mayHaveBeenBilled(err)) job.mayBeBilled = true;
      if ((job.state as JobState) === 'cancelled') {
        job.detached = false;
        job.error = err;
        await core.persist(job);
        core.emit('updated', job);
        return;
      }
      if (err.kind === 'rate_limit' && err.retryable) {
        await this.rateLimited(job, e, err);
        return;
      }
      await this.tx.fail(job, err);
      return;
    }
    if (!core.present(job)) return;
    job.taskId = task.id;
    if (typeof task.task_info?.estimated_time === 'number' && task.task_info.estimated_time > 0) {
      job.estimatedTime = task.task_info.estimated_time;
    }
    // The task's clock starts about when the create answers: pacing counts from here.
    rt.taskStart = core.now();
    if (job.state === 'creating') job.state = 'running';
    // Saved even if dispose() came meanwhile: a task id that exists only in memory is a paid task lost.
    await core.persist(job);
    core.log('info', `job ${job.id}: created task ${task.id} (estimated ${job.estimatedTime ?? '?'} s)`);
    if (!core.alive(job)) return;
    core.emit('created', job);
    // One create at a time under a budget: the next may be judged now that this one's credits are known.
    this.pump();
    await this.onCreated(job, task);
  }

  /**
   * A 429 on create means the provider did not take the task on, so waiting costs nothing: a
   * batch should not fail because the account hit its rate limit for a while. The job goes back
   * to its place in the queue and every create pauses; after the foreground timeout it fails.
   */
  private async rateLimited(job: JobRecord<M>, e: unknown, err: JobError): Promise<void> {
    const core = this.core;
    const rt = core.rt(job);
    rt.rateLimitedSince ??= job.startedAt ?? core.now();
    const waited = core.now() - rt.rateLimitedSince;
    if (waited >= core.timeoutMs) {
      const status = statusOf(e);
      await this.tx.fail(job, {
        ...err,
        ...said(status
          ? words('job.rateLimitedStatus', durationWords(waited), `${status}${err.code ? ` ${err.code}` : ''}`)
          : words('job.rateLimited', durationWords(waited))),
        retryable: true,
      });
      return;
    }
    let d = Math.min(core.maxPollMs, Math.max(core.minPollMs, rt.delay * 2));
    const ra = retryAfterMs(e);
    if (ra !== undefined) d = Math.max(d, Math.min(ra, 60_000));
    rt.delay = d;
    this.createsPausedUntil = Math.max(this.createsPausedUntil, Date.now() + d);
    job.state = 'queued';
    rt.sent = false;
    // Back in its place by age, so jobs refused together still start in the order they were submitted.
    const at = this.pending.findIndex((id) => (core.jobs.get(id)?.createdAt ?? Infinity) > job.createdAt);
    this.pending.splice(at < 0 ? this.pending.length : at, 0, job.id);
    core.log('warn', `job ${job.id}: the provider is rate limiting new tasks (nothing was created); sending again in ${d} ms`);
    await core.persist(job);
    if (!core.alive(job)) return;
    if (job.state === 'queued') this.emit(job);
    this.pump();
  }

  private emit(job: JobRecord<M>): void {
    this.core.emit('updated', job);
  }
}
