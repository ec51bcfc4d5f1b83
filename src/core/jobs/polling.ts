// Watching a created task: polls paced by the pacing policy (never two polls of one task closer than
// minPollMs in real time), progress announced, transient errors survived, the foreground deadline
// kept, and the task's answer read: completed hands over to fetching, failed ends the job, and a
// status the API does not document ends it too instead of polling until the timeout.

import { describeTaskFailure } from './failures';
import type { JobRecord } from '../store';
import type { TaskObject } from '../types';
import { retryAfterMs, statusOf, toJobError } from './admission';
import type { QueueCore } from './queueState';
import { MAX_SAMPLES } from './pacing';
import { RESULTS_LIFETIME_MS } from './types';
import type { Transitions } from './transitions';
import { said, words } from '../../shared/words';

const KNOWN_STATUSES = new Set(['pending', 'processing', 'completed', 'failed']);
const TRANSIENT_POLL_KINDS = new Set(['network', 'timeout', 'server', 'rate_limit', 'bad_response']);

export class Polling<M> {
  constructor(
    private readonly core: QueueCore<M>,
    private readonly tx: Transitions<M>,
    /** The task completed with these results (already checked against n). */
    private readonly onCompleted: (job: JobRecord<M>, results: string[]) => Promise<void>,
  ) {}

  startWatch(job: JobRecord<M>): void {
    const rt = this.core.rt(job);
    rt.watching = true;
    rt.watchStart = this.core.now();
    rt.deadline = job.detached ? this.backgroundDeadline(job) : rt.watchStart + this.core.timeoutMs;
    rt.delay = 0;
    rt.samples = [];
  }

  backgroundDeadline(job: JobRecord<M>): number {
    return (job.startedAt ?? job.createdAt) + RESULTS_LIFETIME_MS;
  }

  schedule(job: JobRecord<M>, delay: number): void {
    const rt = this.core.rt(job);
    if (this.core.disposed) return;
    clearTimeout(rt.timer);
    rt.notBefore = Date.now() + Math.max(0, delay);
    rt.timer = setTimeout(() => { void this.core.guard(job, this.poll(job)); }, Math.max(0, delay));
  }

  /** The answer to the create: the first poll is paced from it. */
  async onCreated(job: JobRecord<M>, task: TaskObject): Promise<void> {
    this.startWatch(job);
    await this.onTask(job, task);
  }

  private async poll(job: JobRecord<M>): Promise<void> {
    const core = this.core;
    const rt = core.rt(job);
    rt.timer = undefined;
    if (!core.alive(job) || !rt.watching || rt.inFlight || !job.taskId) return;
    // Timers may fire a millisecond early by the wall clock; the pace is a promise to the provider.
    const wait = Math.max(rt.notBefore, rt.lastPollAt + core.minPollMs) - Date.now();
    if (wait > 0) {
      this.schedule(job, wait);
      return;
    }
    rt.lastPollAt = Date.now();
    rt.inFlight = true;
    let task: TaskObject;
    try {
      task = await core.client.getTask(job.taskId, rt.ctrl.signal);
    } catch (e) {
      rt.inFlight = false;
      if (!core.alive(job) || !rt.watching) return;
      await this.onPollError(job, e);
      return;
    }
    rt.inFlight = false;
    if (!core.alive(job) || !rt.watching) return;
    if (task.status === 'pending' || task.status === 'processing') {
      const p = typeof task.progress === 'number' && Number.isFinite(task.progress) ? Math.max(0, Math.min(100, task.progress)) : 0;
      rt.samples.push({ at: core.now(), progress: p });
      if (rt.samples.length > MAX_SAMPLES) rt.samples.shift();
    }
    await this.onTask(job, task);
  }

  private async onTask(job: JobRecord<M>, task: TaskObject): Promise<void> {
    const core = this.core;
    if (typeof task.task_info?.estimated_time === 'number' && task.task_info.estimated_time > 0) {
      job.estimatedTime = task.task_info.estimated_time;
    }
    if (task.status === 'completed') {
      this.tx.stopWatch(job);
      const all = Array.isArray(task.results) ? task.results.filter((u) => typeof u === 'string') : [];
      await this.onCompleted(job, all);
      return;
    }
    if (task.status === 'failed') {
      this.tx.stopWatch(job);
      const err = describeTaskFailure(task.error);
      core.log('info', `job ${job.id}: task ${job.taskId} failed: ${err.code}`);
      await this.tx.stop(job, err);
      return;
    }
    if (!KNOWN_STATUSES.has(String(task.status))) {
      this.tx.stopWatch(job);
      const status = String(task.status).slice(0, 40);
      core.log('warn', `job ${job.id}: task ${job.taskId} answered with the undocumented status "${status}"; ending it`);
      await this.tx.stop(job, {
        kind: 'task_failed',
        code: 'unknown_status',
        ...said(words('job.unknownStatus', status)),
        retryable: false,
      });
      return;
    }
    if (typeof task.progress === 'number' && Number.isFinite(task.progress)) {
      const p = Math.max(0, Math.min(100, Math.round(task.progress)));
      if (p !== job.progress) {
        // Not saved: resume needs the task id, not the percentage, and a save per tick costs.
        job.progress = p;
        core.emit('progress', job);
      }
    }
    this.next(job);
  }

  private async onPollError(job: JobRecord<M>, e: unknown): Promise<void> {
    const core = this.core;
    const rt = core.rt(job);
    const err = toJobError(e);
    const status = statusOf(e);
    if (err.kind === 'auth' || err.kind === 'forbidden' || status === 401 || status === 403) {
      this.tx.stopWatch(job);
      await this.tx.stop(job, { ...err, retryable: true, ...said(words('job.idKept', err.words ?? err.message)) });
      return;
    }
    if (err.kind === 'not_found' || status === 404 || err.code === 'task_not_found') {
      this.tx.stopWatch(job);
      await this.tx.stop(job, {
        kind: 'not_found',
        code: err.code ?? 'task_not_found',
        ...said(words('job.expired')),
        retryable: true,
      });
      return;
    }
    if (err.retryable || TRANSIENT_POLL_KINDS.has(err.kind)) {
      // Polls cost nothing: keep going, slower, until the timeout.
      let d = Math.min(core.maxPollMs, Math.max(core.minPollMs, rt.delay * 2));
      const ra = retryAfterMs(e);
      if (ra !== undefined) d = Math.max(d, Math.min(ra, 60_000));
      rt.delay = d;
      core.log('debug', `job ${job.id}: poll failed (${err.kind}: ${err.message}); next in ${d} ms`);
      this.next(job, d);
      return;
    }
    this.tx.stopWatch(job);
    await this.tx.stop(job, { ...err, retryable: err.retryable || err.kind === 'quota' });
  }

  /** After a non-final answer: time out, or schedule the next poll (the policy's delay unless given). */
  private next(job: JobRecord<M>, delay?: number): void {
    const core = this.core;
    const rt = core.rt(job);
    const now = core.now();
    if (now >= rt.deadline) {
      this.tx.stopWatch(job);
      if (job.detached) {
        void core.guard(job, this.tx.stop(job, { kind: 'timeout', ...said(words('job.stoppedWatching')), retryable: false }));
      } else {
        void core.guard(job, this.tx.timeOut(job, 'result'));
      }
      return;
    }
    // The floor spaces polls: before the first one, the policy may aim sooner (etaPacing: the
    // provider's own estimate). poll() keeps every later one minPollMs after the last in real time.
    let floor = core.minPollMs;
    if (delay === undefined) {
      if (rt.lastPollAt === 0) floor = 0;
      delay = core.pacing({
        now,
        startedAt: rt.taskStart ?? job.startedAt ?? job.createdAt,
        estimateMs: job.estimatedTime !== undefined ? job.estimatedTime * 1000 : undefined,
        samples: rt.samples,
        prevDelay: rt.delay,
        minPollMs: core.minPollMs,
        maxPollMs: core.maxPollMs,
        detached: job.detached,
      });
      rt.delay = delay;
    }
    // One last poll near the deadline rather than giving up a whole interval early.
    this.schedule(job, Math.max(floor, Math.min(delay, rt.deadline - now)));
  }
}
