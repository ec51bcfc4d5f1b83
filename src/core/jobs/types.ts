// The queue's public types and the per-job runtime state the rooms share.

import type { CreateTaskBody, DownloadedImage, TaskObject } from '../types';
import type { UploadSource } from '../api/upload';
import type { JobRecord, TaskStore } from '../store';
import type { PacingPolicy, ProgressSample } from './pacing';
import { ENGLISH } from '../../shared/words';
import type { CreateGate } from '../money';
import type { UploadCache } from '../uploadCache';
import type { OpaqueOriginals } from '../originals';

/** The part of EvoLinkClient the queue uses, so tests can hand it a double. */
export type TaskClient = {
  createTask(body: CreateTaskBody, signal?: AbortSignal): Promise<TaskObject>;
  getTask(id: string, signal?: AbortSignal): Promise<TaskObject>;
  download(url: string, destDir: string, baseName: string, signal?: AbortSignal): Promise<DownloadedImage>;
  /**
   * Uploads a local reference image, every attempt from the file as opened (never its path again);
   * returns its public URL. Needed only by jobs with local references.
   */
  uploadFile?(file: UploadSource, signal?: AbortSignal): Promise<{ file_url: string }>;
  /** Where uploads go (the file service's address): an uploaded URL is kept per service (uploadCache.ts). */
  filesService?(): string;
};

/** 'queued': a new job was accepted (its state is 'uploading' when it has local references to upload first). */
export type JobEvent<M = unknown> =
  | { type: 'queued'; job: JobRecord<M> }
  | { type: 'created'; job: JobRecord<M> }
  | { type: 'progress'; job: JobRecord<M> }
  | { type: 'completed'; job: JobRecord<M> }
  | { type: 'failed'; job: JobRecord<M> }
  | { type: 'cancelled'; job: JobRecord<M> }
  | { type: 'timed_out'; job: JobRecord<M> }
  | { type: 'updated'; job: JobRecord<M> };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface PruneLimits {
  /** Finished jobs that ended longer ago than this are forgotten. */
  maxAgeMs: number;
  /** At most this many finished jobs are kept (the newest). */
  maxCount: number;
}

/** `M`: what the jobs' `target.meta` holds; the queue only stores it. */
export interface QueueOptions<M = unknown> {
  client: TaskClient;
  store: TaskStore<M>;
  /** Tasks in creating/running/downloading at once; default 4. */
  maxConcurrent?: number;
  /** Foreground wait, downloads included, before a task is reported timed out (its id is kept); default 15. */
  timeoutMinutes?: number;
  /** Never poll one task more often than this; default 2000 (docs/provider-api.md, "Pacing"). */
  minPollMs?: number;
  /** Slowest poll pace, also the pace for cancelled tasks watched in the background; default 15000. */
  maxPollMs?: number;
  /** When to poll next; default the ETA policy (pacing.ts). */
  pacing?: PacingPolicy;
  /** Finished jobs kept (by age and count); default 7 days, 100 jobs. */
  prune?: PruneLimits;
  now?: () => number;
  log?: (level: LogLevel, msg: string) => void;
  /**
   * Opens a local reference image for its upload and checks the file it opened (where it really is:
   * a link may have been swapped since the request was validated); throws to refuse it, and then
   * nothing of the job is uploaded or created. The queue uploads from that open file only, and
   * closes it when the job's uploads are over. Default: opened as named, with no check.
   */
  openReference?: (file: string) => Promise<UploadSource>;
  /**
   * Uploaded reference URLs kept by content hash (uploadCache.ts, in the per-user state folder): a file
   * uploaded once is not uploaded again until its URL is near the provider's expiry. Default: none.
   */
  uploads?: UploadCache;
  /**
   * The opaque originals of images made transparent (originals.ts, in the per-user state folder): a
   * reference whose bytes have one is sent as it (issue 24: the style reference keeps its backdrop). Default: none.
   */
  originals?: OpaqueOriginals;
  /**
   * Told of the files that jobs forgotten for good (pruned from the history, removed) left unplaced
   * (`placed` unset: still where they were downloaded) and that no job still known names. The
   * extension deletes those in its staging folder. Default: nothing (without a finalize, the
   * downloads are the images themselves). Its errors are logged.
   */
  discard?: (files: readonly string[]) => Promise<void>;
  /**
   * The money gate (core/money.ts): asked immediately before every create, the one billed request.
   * A refusal fails the job with nothing sent. Default: every create goes (plain-Node tests).
   */
  gate?: CreateGate;
  /** Moves/links the downloaded files; runs before 'completed' is emitted. What it returns replaces `files`. */
  finalize?: (job: JobRecord<M>, files: DownloadedImage[]) => Promise<DownloadedImage[]>;
}

/** Result URLs expire 24 h after the task finished (docs/provider-api.md, "Poll a task"). */
export const RESULTS_LIFETIME_MS = 24 * 60 * 60 * 1000;

export const UNKNOWN_AFTER_RESTART_MESSAGE = ENGLISH['job.unknownAfterRestart'];

/** What the queue knows of a job beyond its record; never persisted. */
export interface Runtime {
  /** Aborted only by dispose() or remove(): a user's cancel keeps requests going (see cancel()). */
  ctrl: AbortController;
  timer?: NodeJS.Timeout;
  /** Until the submit's first save lands the job may not start (keeps FIFO order honest). */
  ready: boolean;
  /** createTask has been called: from here a cancel cannot un-send it. */
  sent: boolean;
  watching: boolean;
  inFlight: boolean;
  watchStart: number;
  /** this.now() after which the foreground wait (polls and downloads) is over. */
  deadline: number;
  /** The last delay the pacing policy chose (0: none yet). */
  delay: number;
  /** Non-final answers (at most the last few), for the pacing policy's progress rate. */
  samples: ProgressSample[];
  /** Date.now() of the last getTask call; real time, because minPollMs is about real request spacing. */
  lastPollAt: number;
  /** Date.now() before which the scheduled poll must not go out. */
  notBefore: number;
  /** this.now() when this job's first create was refused with 429; the patience for a rate limit counts from here. */
  rateLimitedSince?: number;
  /** this.now() when the create answered: the task's clock, which pacing counts from. */
  taskStart?: number;
  /**
   * Downloads are done and finalize (copying into the workspace, linking) runs: nothing more goes to
   * the provider, so the job no longer holds a concurrency slot.
   */
  finalizing?: boolean;
  /** The timer that ends a download phase that outlives the deadline. */
  downloadTimer?: NodeJS.Timeout;
}

export function newRuntime(): Runtime {
  return {
    ctrl: new AbortController(), ready: true, sent: false, watching: false, inFlight: false,
    watchStart: 0, deadline: Infinity, delay: 0, samples: [], lastPollAt: 0, notBefore: 0,
  };
}
