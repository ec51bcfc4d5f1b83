// A failed task's `error`, in the words the user is told. The meanings come from the one table
// next to the API errors (src/core/api/errors.ts).

import { TASK_FAILURES, taskFailureMeaning } from '../api/errors';
import type { JobError } from '../store';
import type { TaskObject } from '../types';
import { english, words } from '../../shared/words';

export { TASK_FAILURES };

/** Turns a failed task's `error` into what the user is told. */
export function describeTaskFailure(error: TaskObject['error'] | undefined): JobError {
  // The client reads the answer into these types (api/task.ts); anything else is not the provider's words.
  const raw: unknown = error?.code;
  const code = (typeof raw === 'string' || typeof raw === 'number') && String(raw) !== '' ? String(raw) : 'unknown_error';
  const info = taskFailureMeaning(code);
  const w = typeof error?.message === 'string' && error.message
    ? words('task.failureSaid', info.reasonWords, error.message, info.adviceWords)
    : words('task.failure', info.reasonWords, info.adviceWords);
  return { kind: 'task_failed', code, message: english(w), words: w, retryable: info.retryable };
}
