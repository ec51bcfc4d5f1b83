// The task queue, in rooms with one job each (see queue.ts for the map). Import from here.

export { JobQueue, type RetryOptions } from './queue';
export { TASK_FAILURES, describeTaskFailure } from './failures';
export {
  RESULTS_LIFETIME_MS, UNKNOWN_AFTER_RESTART_MESSAGE,
  type JobEvent, type LogLevel, type QueueOptions, type TaskClient,
} from './types';
export { etaPacing, legacyPacing, predictFinish, progressEta, type PaceInput, type PacingPolicy, type ProgressSample } from './pacing';
export { DEFAULT_PRUNE, planResume, pruneList, resumeAction, type PruneLimits, type ResumeAction } from './resume';
export {
  ACTIVE_STATES, FINAL_STATES, MAY_BE_BILLED_REASON, canRetry, isActive, isFinal, isLive, isRetryableState,
  retryNeedsConfirmation, retryPlan, type RetryPlan,
} from './states';
export type { JobError, JobRecord, JobState, JobTarget, TaskStore } from '../store';
export { MemoryTaskStore } from '../store';
