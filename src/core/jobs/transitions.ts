// Every change of a job's state that ends or reopens its foreground goes through here: the record
// changes, it is saved, the change is announced, waiters settle and the freed slot is offered to
// the next job, always in that order.

import type { JobError, JobRecord, JobState } from '../store';
import { type QueueCore, durationWords } from './queueState';
import { UNKNOWN_AFTER_RESTART_MESSAGE } from './types';
import { english, words } from '../../shared/words';

type Ending = 'failed' | 'timed_out' | 'cancelled';

export class Transitions<M> {
  constructor(private readonly core: QueueCore<M>, private readonly pump: () => void) {}

  stopWatch(job: JobRecord<M>): void {
    const rt = this.core.rt(job);
    rt.watching = false;
    clearTimeout(rt.timer);
    rt.timer = undefined;
  }

  /** Ends the foreground: state, error and finish time change, then save, announce, settle, free the slot. */
  async end(job: JobRecord<M>, state: Ending, patch: Partial<JobRecord<M>> = {}): Promise<void> {
    if (state !== 'cancelled') this.stopWatch(job);
    Object.assign(job, patch, { state, finishedAt: this.core.now() });
    const saving = this.core.persist(job);
    this.core.emit(state, job);
    this.core.settle(job);
    this.pump();
    await saving;
  }

  fail(job: JobRecord<M>, err: JobError): Promise<void> {
    return this.end(job, 'failed', { error: err });
  }

  timeOut(job: JobRecord<M>, phase: 'result' | 'download'): Promise<void> {
    const w = words(phase === 'download' ? 'job.downloadTimeout' : 'job.noResultTimeout', durationWords(this.core.timeoutMs));
    this.core.log('warn', `job ${job.id}: timed out ${phase === 'download' ? 'downloading' : 'waiting for'} task ${job.taskId}`);
    return this.end(job, 'timed_out', { error: { kind: 'timeout', message: english(w), words: w, retryable: true } });
  }

  /** Ends a job that went wrong: failed in the foreground, or a background watch that ends quietly. */
  async stop(job: JobRecord<M>, err: JobError): Promise<void> {
    if (job.detached) {
      this.stopWatch(job);
      job.detached = false;
      job.error = err;
      await this.core.persist(job);
      if (this.core.alive(job)) this.core.emit('updated', job);
      return;
    }
    await this.fail(job, err);
  }

  /**
   * The job is done. Stored before anyone can see it completed (so a crash right after 'completed'
   * never finalizes twice), and saved even after dispose(): finalize has moved the files.
   */
  async complete(job: JobRecord<M>): Promise<void> {
    const done: Partial<JobRecord<M>> = { state: 'completed', detached: undefined, error: undefined, finishedAt: this.core.now() };
    await this.core.persist({ ...job, ...done });
    if (!this.core.present(job)) return;
    Object.assign(job, done);
    if (this.core.disposed) return;
    this.core.log('info', `job ${job.id}: completed with ${job.files?.length ?? 0} image(s)`);
    this.core.emit('completed', job);
    this.core.settle(job);
    this.pump();
  }

  markUnknown(job: JobRecord<M>): Promise<void> {
    job.state = 'unknown';
    job.finishedAt = this.core.now();
    job.mayBeBilled = true;
    job.error = { kind: 'unknown', message: UNKNOWN_AFTER_RESTART_MESSAGE, words: words('job.unknownAfterRestart'), retryable: true };
    return this.core.persist(job);
  }

  /** Back into the foreground (a Retry that resumes): saved and announced by the caller once set up. */
  reopen(job: JobRecord<M>, state: JobState): void {
    job.state = state;
    job.error = undefined;
    job.finishedAt = undefined;
    job.detached = undefined;
  }
}
