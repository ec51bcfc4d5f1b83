// A simulated clock for the pacing policy: the real policy code (src/core/jobs/pacing.ts) decides
// when to poll a modelled task, exactly as the queue's polling room asks it, and this counts the
// polls and how late the completion was noticed. Used by the unit tests and by `npm run bench`.

import { MAX_SAMPLES, type PacingPolicy, type ProgressSample } from '../../src/core/jobs/pacing';

export interface SimTask {
  /** ms after the create answered at which the provider says "completed". */
  finishMs: number;
  /** task_info.estimated_time in ms (undefined: none given). */
  estimateMs?: number;
  /** The progress a poll at time t (ms) is answered with, while not finished. */
  progressAt(t: number): number;
}

export interface SimResult {
  polls: number;
  /** create + polls + one download. */
  requests: number;
  /** When the completed answer came (ms after the create answered). */
  noticedAt: number;
  /** noticedAt - finishMs. */
  lateMs: number;
  pollTimes: number[];
  /** The shortest gap between two polls (Infinity with fewer than two). */
  minGapMs: number;
}

export interface SimOptions { minPollMs: number; maxPollMs: number; timeoutMs?: number }

/** Runs the policy against the task, the way polling.ts calls it: the first delay from the create's answer. */
export function simulatePacing(policy: PacingPolicy, task: SimTask, o: SimOptions): SimResult {
  const timeout = o.timeoutMs ?? 15 * 60_000;
  const samples: ProgressSample[] = [];
  const pollTimes: number[] = [];
  let now = 0;
  let prevDelay = 0;
  for (;;) {
    const delay = policy({ now, startedAt: 0, estimateMs: task.estimateMs, samples, prevDelay, minPollMs: o.minPollMs, maxPollMs: o.maxPollMs });
    prevDelay = delay;
    // As polling.ts: the floor spaces polls; the first one goes when the policy says.
    now += pollTimes.length ? Math.max(o.minPollMs, delay) : delay;
    pollTimes.push(now);
    if (now >= task.finishMs || now > timeout) break;
    samples.push({ at: now, progress: task.progressAt(now) });
    if (samples.length > MAX_SAMPLES) samples.shift();
  }
  let minGapMs = Infinity;
  for (let i = 1; i < pollTimes.length; i++) minGapMs = Math.min(minGapMs, pollTimes[i]! - pollTimes[i - 1]!);
  return { polls: pollTimes.length, requests: pollTimes.length + 2, noticedAt: now, lateMs: now - task.finishMs, pollTimes, minGapMs };
}

/** Progress rising evenly from 0 at the create to 100 at the finish. */
export function linearTask(finishMs: number, estimateMs?: number): SimTask {
  return { finishMs, estimateMs, progressAt: (t) => Math.min(99, Math.round((100 * t) / finishMs)) };
}

/** Like the fake provider: pending for one step, then progress in equal steps. */
export function steppedTask(finishMs: number, steps: number, estimateMs?: number): SimTask {
  const stepMs = finishMs / (steps + 1);
  return {
    finishMs, estimateMs,
    progressAt: (t) => {
      const step = Math.floor(t / stepMs);
      return step < 1 ? 0 : Math.min(95, Math.round((100 * Math.min(step, steps)) / (steps + 1)));
    },
  };
}

/** Rises to `at` % by `stallFrom`, stays there until `jumpAt`, then jumps to `to` % and finishes at finishMs. */
export function stallingTask(o: { finishMs: number; estimateMs?: number; at: number; stallFrom: number; jumpAt: number; to: number }): SimTask {
  return {
    finishMs: o.finishMs, estimateMs: o.estimateMs,
    progressAt: (t) => (t < o.stallFrom ? Math.round((o.at * t) / o.stallFrom) : t < o.jumpAt ? o.at : o.to),
  };
}

/** The scenarios of issue 9, item 2 (one place, so the tests and the bench run the same ones). */
export const PACING_SCENARIOS: { name: string; task: SimTask }[] = [
  { name: '3 s task, accurate estimate', task: linearTask(3_000, 3_000) },
  { name: '30 s task, accurate estimate', task: linearTask(30_000, 30_000) },
  { name: '30 s task, accurate estimate, stepped progress (like the fake)', task: steppedTask(30_000, 3, 30_000) },
  { name: '60 s task, estimate 3× too optimistic (20 s)', task: linearTask(60_000, 20_000) },
  { name: '60 s task, estimate 3× too pessimistic (180 s)', task: linearTask(60_000, 180_000) },
  { name: '60 s task, no estimate', task: linearTask(60_000) },
  { name: 'progress stalls at 40 % (12–40 s), jumps to 90 %, done at 45 s', task: stallingTask({ finishMs: 45_000, estimateMs: 30_000, at: 40, stallFrom: 12_000, jumpAt: 40_000, to: 90 }) },
];
