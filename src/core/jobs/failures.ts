// A failed task's `error`, in the words the user is told. The meanings come from the one table
// next to the API errors (src/core/api/errors.ts).

import { TASK_FAILURES, taskFailureMeaning } from '../api/errors';
import type { JobError } from '../store';
import type { TaskObject } from '../types';

export { TASK_FAILURES };

/** Turns a failed task's `error` into what the user is told. */
export function describeTaskFailure(error: TaskObject['error'] | undefined): JobError {
  const code = error?.code !== undefined && error?.code !== null && String(error.code) !== '' ? String(error.code) : 'unknown_error';
  const info = taskFailureMeaning(code);
  const said = error?.message ? ` The provider said: "${error.message}".` : '';
  return { kind: 'task_failed', code, message: `${info.reason}${said} ${info.advice}`, retryable: info.retryable };
}
