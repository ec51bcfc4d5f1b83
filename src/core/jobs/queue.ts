// The task queue's public face: submit, wait, cancel, retry, resume, prune. It owns no logic of its
// own beyond wiring the rooms together: uploading (uploading.ts), admission (admission.ts), pacing (pacing.ts), polling
// (polling.ts), fetching and finalizing (fetching.ts), resume planning (resume.ts) and the state
// transitions (transitions.ts). It knows nothing of VS Code.

import { randomUUID } from 'node:crypto';
import type { CreateTaskBody, ReferenceInput } from '../types';
import type { JobRecord, JobTarget } from '../store';
import { Admission } from './admission';
import { QueueCore, checkConcurrency, checkTimeout, snap, stoppedError } from './queueState';
import { Fetching } from './fetching';
import { etaPacing } from './pacing';
import { Polling } from './polling';
import { History } from './history';
import { DEFAULT_PRUNE, planResume } from './resume';
import { isActive, isFinal, isLive, isRetryableState, retryPlan } from './states';
import { Transitions } from './transitions';
import type { JobEvent, QueueOptions } from './types';
import type { Approval } from '../money';
import { Uploading } from './uploading';
import { errorOf, words } from '../../shared/words';

export interface RetryOptions {
  /**
   * Asked only when the Retry would send a new task (a new bill): the approval for it, undefined when
   * none is needed, or false when the user declined (then nothing changes). The money gate refuses a
   * new task above the guards that carries no approval.
   */
  approve?: (job: JobRecord) => Promise<Approval | undefined | false>;
}

/**
 * `M`: what the jobs' `target.meta` holds (the editor's JobMeta, the headless run's HeadlessMeta);
 * the queue only stores it. Every record it holds came from `submit` or from its store's `load`, so
 * each carries an `M`; a store read from disk checks that as it loads (see TaskStore).
 */
export class JobQueue<M = unknown> {
  private readonly core: QueueCore<M>;
  private readonly tx: Transitions<M>;
  private readonly admission: Admission<M>;
  private readonly polling: Polling<M>;
  private readonly fetching: Fetching<M>;
  private readonly history: History<M>;
  private readonly uploading: Uploading<M>;
  /** Jobs a Retry reopened (resumed polling or downloading): a second Retry returns them as they are. */
  private readonly reopened = new Set<string>();
  /** Retries waiting for the user's answer to the cost question, by job id. */
  private readonly approving = new Map<string, Promise<JobRecord<M>>>();

  constructor(opts: QueueOptions<M>) {
    this.core = new QueueCore<M>(opts, etaPacing, DEFAULT_PRUNE);
    this.tx = new Transitions(this.core, () => this.slotFreed());
    this.fetching = new Fetching(this.core, this.tx, () => this.admission.pump());
    this.polling = new Polling(this.core, this.tx, (job, results) => this.fetching.onCompleted(job, results));
    this.admission = new Admission(this.core, this.tx, (job, task) => this.polling.onCreated(job, task));
    this.history = new History(this.core, (id) => this.admission.drop(id), (id) => this.reopened.delete(id));
    this.uploading = new Uploading(this.core, this.tx, (job) => this.admission.requeue(job));
  }

  /** A job ended: its slot goes to the next job, and the history stays within its limits. */
  private slotFreed(): void {
    this.admission.pump();
    this.history.trim();
  }

  onEvent(listener: (e: JobEvent<M>) => void): { dispose(): void } {
    this.core.listeners.add(listener);
    return { dispose: () => { this.core.listeners.delete(listener); } };
  }

  /**
   * Persists the job before returning. With local files among `references` (the request's, in the
   * user's order) it is 'uploading': the files are checked and uploaded, their URLs put into the
   * body, and then it is 'queued'; it starts when a slot is free.
   */
  async submit(body: CreateTaskBody, target: JobTarget<M>, references: readonly ReferenceInput[] = [], approval?: Approval): Promise<JobRecord<M>> {
    this.assertLive();
    return this.admit(this.newJob(body, target, references, approval));
  }

  private newJob(body: CreateTaskBody, target: JobTarget<M>, references: readonly ReferenceInput[] = [], approval?: Approval): JobRecord<M> {
    const job: JobRecord<M> = {
      id: randomUUID(),
      body: JSON.parse(JSON.stringify(body)) as CreateTaskBody,
      target: JSON.parse(JSON.stringify(target)) as JobTarget<M>,
      state: 'queued',
      progress: 0,
      createdAt: this.core.now(),
    };
    if (approval) job.approval = { images: approval.images, cost: approval.cost, ...(approval.overBudget ? { overBudget: true } : {}) };
    if (references.some((r) => r.kind === 'file')) {
      job.state = 'uploading';
      job.upload = { references: JSON.parse(JSON.stringify(references)) as ReferenceInput[], urls: {} };
    }
    return job;
  }

  /** Into the queue, or first into its uploads. */
  private admit(job: JobRecord<M>): Promise<JobRecord<M>> {
    return job.state === 'uploading' ? this.uploading.enter(job) : this.enqueue(job);
  }

  private async enqueue(job: JobRecord<M>): Promise<JobRecord<M>> {
    const core = this.core;
    const rt = core.rt(job);
    rt.ready = false;
    core.jobs.set(job.id, job);
    this.admission.pending.push(job.id);
    try {
      await core.store.save(job);
    } catch (e) {
      core.jobs.delete(job.id);
      core.rts.delete(job.id);
      this.admission.drop(job.id);
      this.admission.pump();
      throw e;
    }
    rt.ready = true;
    if (!core.alive(job)) return snap(job);
    // A cancel during the save already persisted and announced 'cancelled'.
    if (job.state === 'queued') core.emit('queued', job);
    this.admission.pump();
    return snap(job);
  }

  /** Settles when the job reaches completed/failed/cancelled/timed_out/unknown. */
  wait(id: string): Promise<JobRecord<M>> {
    const job = this.core.jobs.get(id);
    if (!job) return Promise.reject(errorOf(words('queue.noTask', id)));
    if (isFinal(job)) return Promise.resolve(snap(job));
    if (this.core.disposed) return Promise.reject(stoppedError());
    return new Promise((resolve, reject) => this.core.addWaiter(id, { resolve, reject }));
  }

  /**
   * Stops waiting in the foreground. A task already sent stays watched in the background
   * (`detached`) so its images are still saved if it completes: the provider has no cancel
   * endpoint and the user pays for them anyway.
   */
  async cancel(id: string): Promise<void> {
    const core = this.core;
    const job = core.jobs.get(id);
    if (!job) return;
    const rt = core.rt(job);
    if (job.state === 'uploading') {
      this.uploading.stop(id);
      core.log('info', `job ${id}: cancelled while uploading its reference images; nothing was created`);
      await this.tx.end(job, 'cancelled');
      return;
    }
    if (job.state === 'queued' || (job.state === 'creating' && !rt.sent)) {
      this.admission.drop(id);
      core.log('info', `job ${id}: cancelled before anything was sent`);
      await this.tx.end(job, 'cancelled');
      return;
    }
    if (!isActive(job)) return;
    const wasRunning = job.state === 'running';
    const ending = this.tx.end(job, 'cancelled', { detached: true });
    if (rt.watching) {
      rt.deadline = this.polling.backgroundDeadline(job);
      if (wasRunning && !rt.inFlight) this.polling.schedule(job, core.maxPollMs);
    }
    core.log('info', `job ${id}: cancelled; task ${job.taskId ?? '(being created)'} is still watched in the background`);
    await ending;
  }

  async cancelAll(): Promise<void> {
    const live = [...this.core.jobs.values()].filter(isLive);
    // Queued ones first: otherwise each slot freed by a cancel would start one of them.
    live.sort((a, b) => (a.state === 'queued' ? 0 : 1) - (b.state === 'queued' ? 0 : 1));
    await Promise.all(live.map((j) => this.cancel(j.id)));
  }

  /**
   * For failed, timed_out and unknown jobs. Never pays twice on its own (retryPlan): a known task id
   * is polled again, lost downloads are fetched again from the saved URLs while they are valid; only
   * a job with nothing to resume gets a NEW job with the same body and target. The old job is marked
   * superseded before anything is awaited, so any number of Retries at once make one new task; a
   * Retry of a superseded or reopened job returns the job that carries it on.
   */
  async retry(id: string, opts: RetryOptions = {}): Promise<JobRecord<M>> {
    this.assertLive();
    const core = this.core;
    const job = core.jobs.get(id);
    if (!job) throw errorOf(words('queue.noTask', id));
    const successor = job.supersededBy ? core.jobs.get(job.supersededBy) : undefined;
    if (successor) return snap(successor);
    if (this.reopened.has(id) && isLive(job)) return snap(job);
    if (!isRetryableState(job.state) || job.supersededBy) {
      throw errorOf(words('queue.notRetryable', job.state));
    }
    const plan = retryPlan(job, core.now());
    if (plan === 'new_task') {
      // A new task is a new bill: the caller's cost question (the old job's approval does not carry over).
      // Retries of this job while the user is being asked wait for the same answer: one new task at most.
      const asking = this.approving.get(id);
      if (asking) return asking;
      if (opts.approve) {
        const approve = opts.approve;
        const run = (async () => {
          const answer = await approve(snap(job));
          if (answer === false) return snap(job);
          if (job.supersededBy || !isRetryableState(job.state) || this.core.disposed) throw errorOf(words('queue.notRetryable', job.state));
          return this.retryAsNew(job, answer);
        })().finally(() => this.approving.delete(id));
        this.approving.set(id, run);
        return run;
      }
      return this.retryAsNew(job, undefined);
    }
    return this.reopen(job);
  }

  /** A Retry with nothing to resume: a NEW job with the same body and target, the old one superseded at once. */
  private async retryAsNew(job: JobRecord<M>, approval: Approval | undefined): Promise<JobRecord<M>> {
    const core = this.core;
    const id = job.id;
    // A job that failed while uploading sends its files again, all of them checked again.
    const next = this.newJob(job.body, job.target, job.upload?.references, approval);
    job.supersededBy = next.id;
    core.log('info', `job ${id}: retry sends a new task as job ${next.id}`);
    core.emit('updated', job);
    try {
      const queued = await this.admit(next);
      await core.persist(job);
      return queued;
    } catch (e) {
      job.supersededBy = undefined;
      core.emit('updated', job);
      throw e;
    }
  }

  /** A Retry that resumes: polls the known task again, or downloads its kept results again. */
  private async reopen(job: JobRecord<M>): Promise<JobRecord<M>> {
    const core = this.core;
    const id = job.id;
    const plan = retryPlan(job, core.now());
    this.reopened.add(id);
    const rt = core.rt(job);
    if (plan === 'poll') {
      this.tx.reopen(job, 'running');
      this.polling.startWatch(job);
      await core.persist(job);
      core.emit('updated', job);
      this.polling.schedule(job, core.minPollMs);
      core.log('info', `job ${id}: retry resumes polling task ${job.taskId}`);
      return snap(job);
    }
    this.tx.reopen(job, 'downloading');
    rt.deadline = core.now() + core.timeoutMs;
    if (plan === 'download') await this.fetching.refreshResults(job);
    await core.persist(job);
    core.emit('updated', job);
    void core.guard(job, plan === 'download' ? this.fetching.download(job) : this.fetching.finish(job));
    return snap(job);
  }

  /** Loads the store, forgets history beyond the limits and picks up every unfinished job. Returns those. */
  async resume(): Promise<JobRecord<M>[]> {
    this.assertLive();
    const core = this.core;
    const loaded = await core.store.load();
    if (core.disposed) return [];
    loaded.sort((a, b) => a.createdAt - b.createdAt);
    const plan = planResume(loaded.filter((j) => !core.jobs.has(j.id)), core.now(), core.pruneLimits);
    const picked: JobRecord<M>[] = [];
    const queued: string[] = [];
    const uploads: JobRecord<M>[] = [];
    const saves: Promise<void>[] = [];
    const pruned: JobRecord<M>[] = [];
    for (const job of loaded) {
      const action = plan.get(job.id);
      if (action === undefined) continue;
      if (action === 'prune') {
        pruned.push(job);
        continue;
      }
      core.jobs.set(job.id, job);
      if (action === 'keep') continue;
      picked.push(job);
      if (action === 'queue') queued.push(job.id);
      else if (action === 'upload') uploads.push(job);
      else if (action === 'mark_unknown') saves.push(this.tx.markUnknown(job));
      else if (action === 'end_watch') {
        job.detached = false;
        saves.push(core.persist(job));
      } else if (action === 'poll') {
        if (job.state !== 'cancelled') job.state = 'running';
        this.polling.startWatch(job);
        this.polling.schedule(job, core.minPollMs);
      } else {
        if (job.state === 'completed') job.state = 'downloading';
        if (!job.detached) core.rt(job).deadline = core.now() + core.timeoutMs;
        void core.guard(job, this.fetching.download(job));
      }
    }
    await Promise.all(saves);
    if (pruned.length) {
      await this.history.forgetStored(pruned.map((j) => j.id));
      this.history.discard(pruned);
    }
    if (core.disposed) return [];
    this.admission.pending.unshift(...queued);
    for (const job of picked) core.emit('updated', job);
    for (const job of uploads) this.uploading.start(job);
    core.log('info', `resume: ${loaded.length} stored task(s), ${picked.length} picked up, ${pruned.length} old one(s) forgotten`);
    this.admission.pump();
    return picked.map(snap);
  }

  /** Forgets a job (memory and store). A job being sent, polled or downloaded must be cancelled first. */
  async remove(id: string): Promise<void> {
    const job = this.core.jobs.get(id);
    if (job && isActive(job)) throw errorOf(words('queue.stillRunning'));
    this.uploading.stop(id);
    if (job) this.history.forget(job);
    await this.core.store.remove(id);
  }

  /** Removes finished jobs (not ones still watched in the background) that ended before now - olderThanMs. */
  prune(olderThanMs: number): Promise<number> {
    return this.history.prune(olderThanMs);
  }

  list(): JobRecord<M>[] {
    return [...this.core.jobs.values()].map(snap);
  }

  get(id: string): JobRecord<M> | undefined {
    const job = this.core.jobs.get(id);
    return job && snap(job);
  }

  /** Jobs in creating/running/downloading (cancelled ones watched in the background do not count). */
  running(): number {
    return this.admission.running();
  }

  setOptions(p: Partial<Pick<QueueOptions, 'maxConcurrent' | 'timeoutMinutes'>>): void {
    const core = this.core;
    if (p.maxConcurrent !== undefined) core.maxConcurrent = checkConcurrency(p.maxConcurrent);
    if (p.timeoutMinutes !== undefined) {
      core.timeoutMs = checkTimeout(p.timeoutMinutes);
      for (const [id, rt] of core.rts) {
        const job = core.jobs.get(id);
        if (job && rt.watching && !job.detached) rt.deadline = rt.watchStart + core.timeoutMs;
      }
    }
    this.admission.pump();
  }

  /** Stops timers and in-flight requests; the store is left as is so the next start resumes. */
  dispose(): void {
    const core = this.core;
    if (core.disposed) return;
    core.disposed = true;
    this.admission.dispose();
    for (const rt of core.rts.values()) {
      clearTimeout(rt.timer);
      clearTimeout(rt.downloadTimer);
      rt.timer = undefined;
      rt.ctrl.abort();
    }
    for (const list of core.waiters.values()) for (const w of list) w.reject(stoppedError());
    core.waiters.clear();
    core.listeners.clear();
  }

  private assertLive(): void {
    if (this.core.disposed) throw errorOf(words('queue.disposed'));
  }
}
