// The state every room of the queue shares (the jobs, their runtimes, the listeners) and the few
// primitives they all need: save, announce, settle the waiters, log.

import type { JobRecord, TaskStore } from '../store';
import type { PacingPolicy } from './pacing';
import type { PruneLimits } from './resume';
import { newRuntime, type JobEvent, type LogLevel, type QueueOptions, type Runtime, type TaskClient } from './types';
import { english, errorOf, words, type Words } from '../../shared/words';

interface Waiter { resolve(r: JobRecord): void; reject(e: Error): void }

export function snap(job: JobRecord): JobRecord {
  return JSON.parse(JSON.stringify(job)) as JobRecord;
}

export class QueueCore {
  readonly client: TaskClient;
  readonly store: TaskStore;
  maxConcurrent: number;
  timeoutMs: number;
  readonly minPollMs: number;
  readonly maxPollMs: number;
  readonly pacing: PacingPolicy;
  readonly pruneLimits: PruneLimits;
  readonly now: () => number;
  readonly finalizeFn?: QueueOptions['finalize'];
  private readonly logFn?: (level: LogLevel, msg: string) => void;

  readonly jobs = new Map<string, JobRecord>();
  readonly rts = new Map<string, Runtime>();
  readonly listeners = new Set<(e: JobEvent) => void>();
  readonly waiters = new Map<string, Waiter[]>();
  disposed = false;

  constructor(opts: QueueOptions, pacing: PacingPolicy, prune: PruneLimits) {
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
  async persist(job: JobRecord): Promise<void> {
    if (this.jobs.get(job.id) === undefined) return;
    try {
      await this.store.save(job);
    } catch (e) {
      this.log('error', `job ${job.id}: could not save its state: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  emit(type: JobEvent['type'], job: JobRecord): void {
    if (this.disposed) return;
    const e = { type, job: snap(job) } as JobEvent;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log('error', `event listener threw on '${type}': ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }

  settle(job: JobRecord): void {
    const list = this.waiters.get(job.id);
    if (!list) return;
    this.waiters.delete(job.id);
    const s = snap(job);
    for (const w of list) w.resolve(s);
  }

  addWaiter(id: string, w: Waiter): void {
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
