// The shape of a persisted task and the interface the queue writes through.
// Kept apart from the queue so the glue can back it with any storage (VS Code
// memento, a JSON file) without knowing how the queue schedules anything.

import type { Words } from '../shared/words';
import type { CreateTaskBody, DownloadedImage, ReferenceInput } from './types';

export type JobState =
  | 'uploading' | 'queued' | 'creating' | 'running' | 'downloading'
  | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'unknown';

/** States in which wait() settles. 'cancelled' may still be watched in the background (see `detached`). */
export const FINAL_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled', 'timed_out', 'unknown'];

export interface JobTarget<M = unknown> {
  /** Folder the images are downloaded into (a temp or download dir; the glue may move them in `finalize`). */
  dir: string;
  /** File name without extension; `-2`, `-3`… are appended when the task returns several images. */
  baseName: string;
  /** JSON for the glue (document uri, placeholder…), of the queue's meta type; the queue only stores it. */
  meta?: M;
}

/** The local reference images a job uploads before it is queued (state 'uploading'). */
export interface JobUpload {
  /** The references in the user's order (files by path, URLs as given): `body.image_urls` is rebuilt from them. */
  references: ReferenceInput[];
  /** The URL each local file got so far, by its path: a resumed job uploads only the others. */
  urls: Record<string, string>;
}

/**
 * What the user said yes to for the action a job belongs to: its whole bill, and whether they chose to
 * send it although the session budget was reached. Stored with the job, so a resumed job keeps it;
 * a Retry that sends a new task asks again.
 */
export interface Approval {
  images: number;
  cost: number;
  overBudget?: boolean;
}

export interface JobError {
  /** A PictorError kind, or 'task_failed' | 'download' | 'finalize' | 'store' | 'timeout' | 'unknown'. */
  kind: string;
  code?: string;
  /** Says what happened and what to do, in English (logs, tests); the UI shows `words` in the user's language. */
  message: string;
  /** The message as a code with its parameters (absent in records stored by older versions). */
  words?: Words;
  /** Whether trying again (possibly later) can help. */
  retryable: boolean;
}

/** `M`: what `target.meta` holds, the type of the queue that made the job (`JobQueue<M>`). */
export interface JobRecord<M = unknown> {
  /** Local id, known before any request. */
  id: string;
  /** What the user approved for the action this job belongs to (the money gate reads it; see core/money.ts). */
  approval?: Approval;
  /** Provider task id, stored the moment create returns. */
  taskId?: string;
  body: CreateTaskBody;
  target: JobTarget<M>;
  state: JobState;
  progress: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** task_info.estimated_time, seconds. */
  estimatedTime?: number;
  /** Result URLs once completed, in the provider's order. */
  results?: string[];
  /** When `results` were received; their URLs expire 24 h later. */
  resultsAt?: number;
  /** Saved images, in the order of `results`. */
  files?: DownloadedImage[];
  /** For each entry of `files`, the index in `results` it came from (so a retry downloads only what is missing). */
  savedResults?: number[];
  error?: JobError;
  /** Cancelled by the user but still watched in the background, so images already paid for are saved. */
  detached?: boolean;
  /** The id of the job a Retry made to send this one again: this one offers no second Retry. */
  supersededBy?: string;
  /** The create went out but its answer was lost: the provider may have made (and billed) the task. */
  mayBeBilled?: boolean;
  /** The images' real pixel size differs from the size asked for: said once, in English (logs, tests). */
  sizeNote?: string;
  /** The same, as a code the UI words in the user's language (absent in records stored by older versions). */
  sizeNoteWords?: Words;
  /**
   * Local reference images still to upload: present from the submit until `body` carries their URLs
   * (then the job is queued). Kept on a job that failed while uploading, so a Retry uploads them again.
   */
  upload?: JobUpload;
}

/**
 * Where a queue's jobs are kept. A store read from disk or storage, which could hold anything, checks
 * each record's meta as it loads it (see `checkedMeta`): the queue trusts what `load` returns.
 */
export interface TaskStore<M = unknown> {
  load(): Promise<JobRecord<M>[]>;
  /** Insert or replace by id. Implementations must copy the record before returning (the queue keeps mutating it). */
  save(rec: JobRecord<M>): Promise<void>;
  remove(id: string): Promise<void>;
  /** Forgets many at once (pruned history), in one write where the store can. */
  removeMany?(ids: readonly string[]): Promise<void>;
}

/**
 * A stored record as the queue of meta type `M` may take it: its meta kept when `isMeta` says it is
 * one, else left out (the record stays: its task id and files are facts already paid for; the glue
 * treats a job without meta as one with no destination recorded).
 */
export function checkedMeta<M>(rec: JobRecord, isMeta: (v: unknown) => v is M): JobRecord<M> {
  const meta = rec.target?.meta;
  if (isMeta(meta)) return rec as JobRecord<M>;
  const { meta: _dropped, ...target } = rec.target ?? {};
  return { ...rec, target: target as JobTarget<M> };
}

// A JSON round trip, not structuredClone, so memory behaves like the file store would.
function clone<M>(r: JobRecord<M>): JobRecord<M> {
  return JSON.parse(JSON.stringify(r)) as JobRecord<M>;
}

/** Keeps records in memory only: for tests and for hosts that persist elsewhere. */
export class MemoryTaskStore<M = unknown> implements TaskStore<M> {
  private readonly records = new Map<string, JobRecord<M>>();

  constructor(initial: JobRecord<M>[] = []) {
    for (const r of initial) this.records.set(r.id, clone(r));
  }

  async load(): Promise<JobRecord<M>[]> {
    return [...this.records.values()].map((r) => clone(r));
  }

  async save(rec: JobRecord<M>): Promise<void> {
    this.records.set(rec.id, clone(rec));
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
  }

  async removeMany(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.records.delete(id);
  }

  /** A copy of what is stored now, for assertions. */
  peek(id: string): JobRecord<M> | undefined {
    const r = this.records.get(id);
    return r && clone(r);
  }

  all(): JobRecord<M>[] {
    return [...this.records.values()].map((r) => clone(r));
  }
}
