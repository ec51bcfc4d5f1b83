// The state every room of the queue shares (the jobs, their runtimes, the listeners) and the few
// primitives they all need: save, announce, settle the waiters, log.

import type { JobRecord, TaskStore } from '../store';
import type { CreateGate } from '../money';
import { openForUpload, type UploadSource } from '../api/upload';
import type { PacingPolicy } from './pacing';
import type { PruneLimits } from './resume';
import type { UploadCache } from '../uploadCache';
import type { OpaqueOriginals } from '../originals';
import { newRuntime, type JobEvent, type LogLevel, type QueueOptions, type Runtime, type TaskClient } from './types';
import { english, errorOf, words, type Words } from '../../shared/words';

interface Waiter<M> { resolve(r: JobRecord<M>): void; reject(e: Error): void }

/**
 * A deep copy of a job for anyone outside the queue (list(), get(), events, waiters): what they do
 * to it never reaches the queue's own record. The same result as a JSON round trip (what the store
 * writes), about ten times cheaper, so list() stays well under a millisecond with the kept history.
 */
export function snap<M>(job: JobRecord<M>): JobRecord<M> {
  return copyJson(job) as JobRecord<M>;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * JSON.parse(JSON.stringify(v)) without the text in between, for the plain data a record holds.
 * Anything else (a class instance, an object with toJSON) takes the JSON road itself, so the result
 * is the round trip's: undefined fields left out, NaN and Infinity as null.
 */
export function copyJson(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      // undefined, functions and symbols: left out of objects, null in arrays (below).
      return undefined;
  }
  if (v === null) return null;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = copyJson(v[i]);
      out[i] = x === undefined ? null : x;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(v)) as unknown;
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    if (!hasOwn.call(src, k)) continue;
    const x = copyJson(src[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

/** `M`: what the jobs' `target.meta` holds (the glue's type; the queue only stores it). */
export class QueueCore<M = unknown> {
  readonly client: TaskClient;
  readonly store: TaskStore<M>;
  maxConcurrent: number;
  timeoutMs: number;
  readonly minPollMs: number;
  readonly maxPollMs: number;
  readonly pacing: PacingPolicy;
  readonly pruneLimits: PruneLimits;
  readonly now: () => number;
  readonly finalizeFn?: QueueOptions<M>['finalize'];
  readonly gate: CreateGate;
  readonly discardFn?: QueueOptions['discard'];
  readonly openReference: (file: string) => Promise<UploadSource>;
  readonly uploads?: UploadCache;
  readonly originals?: OpaqueOriginals;
  private readonly logFn?: (level: LogLevel, msg: string) => void;

  readonly jobs = new Map<string, JobRecord<M>>();
  readonly rts = new Map<string, Runtime>();
  readonly listeners = new Set<(e: JobEvent<M>) => void>();
  readonly waiters = new Map<string, Waiter<M>[]>();
  disposed = false;

  constructor(opts: QueueOptions<M>, pacing: PacingPolicy, prune: PruneLimits) {
    this.client = opts.client;
    this.store = opts.store;
    this.maxConcurrent = checkConcurrency(opts.maxConcurrent ?? 4);
    this.timeoutMs = checkTimeout(opts.timeoutMinutes ?? 15);
    this.minPollMs = Math.max(1, opts.minPollMs ?? 2000);
    this.maxPollMs = Math.max(this.minPollMs, opts.maxPollMs ?? 15000);
    this.pacing = opts.pacing ?? pacing;
    this.pruneLimits = opts.prune ?? prune;
    this.now = opts.now ?? Date.now;
    this.logFn = opts.log;
    this.finalizeFn = opts.finalize;
    this.gate = opts.gate ?? { check: () => Promise.resolve(undefined), oneAtATime: () => false };
    this.discardFn = opts.discard;
    this.openReference = opts.openReference ?? openForUpload;
    this.uploads = opts.uploads;
    this.originals = opts.originals;
  }

  rt(job: JobRecord): Runtime {
    let rt = this.rts.get(job.id);
    if (!rt) {
      rt = newRuntime();
      this.rts.set(job.id, rt);
    }
    return rt;
  }

  /** Not removed; may be disposed. Facts already paid for (task ids, saved files) are still recorded. */
  present(job: JobRecord): boolean {
    return this.jobs.get(job.id) === job;
  }

  alive(job: JobRecord): boolean {
    return !this.disposed && this.present(job);
  }

  /** Store errors are logged, not thrown: losing one progress write must not lose the images. */
  async persist(job: JobRecord<M>): Promise<void> {
    if (this.jobs.get(job.id) === undefined) return;
    try {
      await this.store.save(job);
    } catch (e) {
      this.log('error', `job ${job.id}: could not save its state: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  emit(type: JobEvent['type'], job: JobRecord<M>): void {
    if (this.disposed) return;
    // A copy each: what one listener does to its job reaches neither the queue nor the next listener.
    for (const l of [...this.listeners]) {
      try {
        l({ type, job: snap(job) } as JobEvent<M>);
      } catch (err) {
        this.log('error', `event listener threw on '${type}': ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }

  settle(job: JobRecord<M>): void {
    const list = this.waiters.get(job.id);
    if (!list) return;
    this.waiters.delete(job.id);
    for (const w of list) w.resolve(snap(job));
  }

  addWaiter(id: string, w: Waiter<M>): void {
    const list = this.waiters.get(id) ?? [];
    list.push(w);
    this.waiters.set(id, list);
  }

  guard(job: JobRecord, p: Promise<void>): Promise<void> {
    return p.catch((e) => {
      this.log('error', `job ${job.id}: internal error: ${(e as Error)?.stack ?? String(e)}`);
    });
  }

  log(level: LogLevel, msg: string): void {
    try {
      this.logFn?.(level, msg);
    } catch {
      // A broken logger must not break the queue.
    }
  }
}

export function checkConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`maxConcurrent must be a whole number ≥ 1 (got ${n}).`);
  return n;
}

export function checkTimeout(min: number): number {
  if (!(typeof min === 'number' && min > 0 && Number.isFinite(min))) throw new RangeError(`timeoutMinutes must be > 0 (got ${min}).`);
  return min * 60_000;
}

/** `0.1 seconds`, `15 minutes`, `1.5 minutes`: how long, for a message. */
export function duration(ms: number): string {
  return english(durationWords(ms));
}

export function durationWords(ms: number): Words {
  if (ms < 60_000) {
    const s = Math.round(ms / 100) / 10;
    return words(s === 1 ? 'job.second' : 'job.seconds', s);
  }
  const m = Math.round(ms / 6_000) / 10;
  return words(m === 1 ? 'job.minute' : 'job.minutes', m);
}

export function endSentence(s: string): string {
  const t = s.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

export function stoppedError(): Error {
  return errorOf(words('job.stopped'));
}
