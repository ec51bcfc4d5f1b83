// What to do with each stored record when Pictor starts: a pure function from records to actions,
// so every case is one row of a table test. Nothing here sends, saves or schedules anything.

import type { JobRecord } from '../store';
import { isFinal } from './states';
import type { PruneLimits } from './types';

export type ResumeAction =
  /** Its reference images were being uploaded: upload the ones without a URL, then queue it. */
  | 'upload'
  /** Back in the queue, in its order: nothing was sent. */
  | 'queue'
  /** The task id is known: poll it (state becomes 'running' unless it was cancelled). */
  | 'poll'
  /** The results are known: download what is missing. */
  | 'download'
  /** Sent, but the answer (and so the task id) was lost: mark unknown, never resend on its own. */
  | 'mark_unknown'
  /** A cancelled job watched in the background with nothing left to watch: stop watching. */
  | 'end_watch'
  /** History: load it, do nothing. */
  | 'keep'
  /** Old history beyond the limits: forget it (store included). */
  | 'prune';

export type { PruneLimits } from './types';

export const DEFAULT_PRUNE: PruneLimits = { maxAgeMs: 7 * 24 * 60 * 60 * 1000, maxCount: 100 };

/** Ended in the foreground and not watched in the background: only history now. */
export function isHistory(job: JobRecord): boolean {
  return isFinal(job) && !job.detached;
}

/** What one record needs, ignoring the prune limits. */
export function resumeAction(job: JobRecord): ResumeAction {
  const hasResults = !!job.results?.length;
  switch (job.state) {
    case 'uploading':
      return 'upload';
    case 'queued':
      return 'queue';
    case 'creating':
    case 'running':
      return job.taskId ? 'poll' : 'mark_unknown';
    case 'downloading':
      return hasResults ? 'download' : job.taskId ? 'poll' : 'mark_unknown';
    case 'completed':
      // Completed with results but no file: the images were never saved.
      return hasResults && !job.files?.length ? 'download' : 'keep';
    case 'cancelled':
      if (!job.detached) return 'keep';
      return hasResults ? 'download' : job.taskId ? 'poll' : 'end_watch';
    default:
      return 'keep';
  }
}

/**
 * The action for every record, by id. History beyond the limits is pruned: older than maxAgeMs
 * (by finish time), or past the newest maxCount finished jobs.
 */
export function planResume(records: readonly JobRecord[], now: number, limits: PruneLimits = DEFAULT_PRUNE): Map<string, ResumeAction> {
  const plan = new Map<string, ResumeAction>();
  const history: JobRecord[] = [];
  for (const r of records) {
    const a = resumeAction(r);
    plan.set(r.id, a);
    if (a === 'keep' && isHistory(r)) history.push(r);
  }
  for (const id of pruneList(history, now, limits)) plan.set(id, 'prune');
  return plan;
}

/** The ids of finished jobs to forget: too old, or beyond the newest maxCount. */
export function pruneList(history: readonly JobRecord[], now: number, limits: PruneLimits): string[] {
  const ended = (j: JobRecord) => j.finishedAt ?? j.createdAt;
  const newestFirst = [...history].sort((a, b) => ended(b) - ended(a));
  const out: string[] = [];
  newestFirst.forEach((j, i) => {
    if (i >= limits.maxCount || now - ended(j) > limits.maxAgeMs) out.push(j.id);
  });
  return out;
}
