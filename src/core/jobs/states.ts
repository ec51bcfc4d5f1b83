// The job-state questions, answered once: is it waiting or running, is it over, may it be retried,
// and does a Retry need the user's word first. The queue, the panel, the status bar and the
// commands all ask here, so a new state or rule changes one file.

import { FINAL_STATES, type JobRecord, type JobState } from '../store';
import { RESULTS_LIFETIME_MS } from './types';
import { ENGLISH, words, type Words } from '../../shared/words';

export { FINAL_STATES };

/** Sent, being polled or being downloaded: a slot of the concurrency limit is taken. */
export const ACTIVE_STATES: readonly JobState[] = ['creating', 'running', 'downloading'];

/** A request is sent or about to be: holds a concurrency slot. */
export function isActive(job: Pick<JobRecord, 'state'>): boolean {
  return ACTIVE_STATES.includes(job.state);
}

/** Uploading its references, queued or active: the user is still waiting for it (it can be cancelled; the clock ticks). */
export function isLive(job: Pick<JobRecord, 'state'>): boolean {
  return job.state === 'uploading' || job.state === 'queued' || isActive(job);
}

/** wait() settles: the foreground is over (a cancelled task may still be watched in the background). */
export function isFinal(job: Pick<JobRecord, 'state'>): boolean {
  return FINAL_STATES.includes(job.state);
}

/** The states a Retry applies to. */
export function isRetryableState(state: JobState): boolean {
  return state === 'failed' || state === 'timed_out' || state === 'unknown';
}

/** Offers a Retry: it ended badly and no Retry of it was made yet (one Retry, one new task at most). */
export function canRetry(job: Pick<JobRecord, 'state' | 'supersededBy'>): boolean {
  return isRetryableState(job.state) && !job.supersededBy;
}

export const MAY_BE_BILLED_REASON = ENGLISH['job.mayBeBilled'];

/**
 * Why a Retry must be confirmed before it sends a new create, or undefined when it needs no
 * confirmation (it resumes a known task id, or nothing was sent before).
 */
export function retryNeedsConfirmation(job: Pick<JobRecord, 'state' | 'taskId' | 'mayBeBilled'>): Words | undefined {
  if (job.taskId) return undefined;
  if (job.mayBeBilled || job.state === 'unknown') return words('job.mayBeBilled');
  return undefined;
}

/** What a Retry does: finish again, download what is missing, poll the known task, or send a new one. */
export type RetryPlan = 'finish' | 'download' | 'poll' | 'new_task';

// Errors after which the task id is still good: a Retry polls it again instead of paying again.
const RESUMABLE_KINDS = new Set(['auth', 'forbidden', 'quota', 'network', 'timeout', 'server', 'rate_limit', 'bad_response', 'store']);

/** Never pays twice on its own: only a job with nothing left to resume gets a new task. */
export function retryPlan(job: JobRecord, now: number): RetryPlan {
  const kind = job.error?.kind;
  const fresh = !!job.results?.length && job.resultsAt !== undefined && now - job.resultsAt < RESULTS_LIFETIME_MS;
  if (job.state === 'failed' && kind === 'finalize') return 'finish';
  if (fresh && ((job.state === 'failed' && kind === 'download') || job.state === 'timed_out')) return 'download';
  if (job.taskId && !job.results && (job.state !== 'failed' || (kind !== undefined && RESUMABLE_KINDS.has(kind)))) return 'poll';
  return 'new_task';
}
