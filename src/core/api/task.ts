// A task object as the provider answered a create or a poll (docs/provider-api.md, "Poll a task"),
// read field by field. The JSON comes from the network: a field of the wrong type is dropped (or the
// whole answer refused when it is the id or the status), so nothing downstream meets an object where
// it expects text, and what the user is shown from it is cut to a sentence.
import type { TaskObject } from '../types';
import { shortLine } from '../../shared/text';

/** Real task ids are about 40 characters; a longer one is not an id this client sends back in a URL. */
export const MAX_TASK_ID_LENGTH = 256;
/** The provider's words on a failed task reach a notification: a sentence, not a page. */
export const MAX_TASK_MESSAGE_LENGTH = 300;

type Json = Record<string, unknown>;

function record(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Own properties only: a key such as "toString" or "__proto__" in the JSON is data, never a method. */
function own(o: Json, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function taskError(v: unknown): TaskObject['error'] | undefined {
  const e = record(v);
  if (!e) return undefined;
  const out: NonNullable<TaskObject['error']> = {};
  const code = text(own(e, 'code')) ?? finite(own(e, 'code'));
  if (code !== undefined) out.code = typeof code === 'string' ? code.slice(0, MAX_TASK_ID_LENGTH) : code;
  const message = text(own(e, 'message'));
  if (message !== undefined) out.message = shortLine(message.slice(0, 4 * MAX_TASK_MESSAGE_LENGTH), MAX_TASK_MESSAGE_LENGTH);
  const type = text(own(e, 'type'));
  if (type !== undefined) out.type = type.slice(0, MAX_TASK_ID_LENGTH);
  return out;
}

/** The task in a provider answer, with every field its documented type; undefined when it holds no task (no id or status). */
export function readTask(v: unknown): TaskObject | undefined {
  const o = record(v);
  if (!o) return undefined;
  const id = text(own(o, 'id'));
  const status = text(own(o, 'status'));
  if (!id || id.length > MAX_TASK_ID_LENGTH || status === undefined) return undefined;
  // An undocumented status stays as sent: polling ends the job on it, quoting it.
  const task: TaskObject = { id, status: status as TaskObject['status'] };
  const created = finite(own(o, 'created'));
  if (created !== undefined) task.created = created;
  for (const k of ['model', 'object', 'type'] as const) {
    const s = text(own(o, k));
    if (s !== undefined) task[k] = s;
  }
  const progress = finite(own(o, 'progress'));
  if (progress !== undefined) task.progress = progress;
  const info = record(own(o, 'task_info'));
  if (info) {
    task.task_info = {};
    const cancel = own(info, 'can_cancel');
    if (typeof cancel === 'boolean') task.task_info.can_cancel = cancel;
    const estimate = finite(own(info, 'estimated_time'));
    if (estimate !== undefined) task.task_info.estimated_time = estimate;
  }
  const usage = record(own(o, 'usage'));
  if (usage) task.usage = usage;
  const results = own(o, 'results');
  if (Array.isArray(results)) task.results = results.filter((r): r is string => typeof r === 'string');
  const error = taskError(own(o, 'error'));
  if (error) task.error = error;
  return task;
}
