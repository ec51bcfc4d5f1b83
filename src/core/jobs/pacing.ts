// When to poll a task next: a pure function of what is known about it, so the same code runs in the
// queue and in the bench's simulated clock. Polls cost the provider and us a request each, and a
// completion noticed late costs the user time: predict the finish and poll around it.

/** One non-final answer: when it came (ms, the queue's clock) and the progress it said. */
export interface ProgressSample { at: number; progress: number }

export interface PaceInput {
  /** Now, on the same clock as `startedAt` and the samples. */
  now: number;
  /** When the create answered (the task's clock starts about then). */
  startedAt: number;
  /** `task_info.estimated_time` in ms, when the provider gave one. */
  estimateMs?: number;
  /** Non-final answers so far, oldest first (the queue keeps the last few). */
  samples: readonly ProgressSample[];
  /** The delay this policy chose last time (0 before the first poll): the base of a back-off. */
  prevDelay: number;
  /**
   * No poll of one task closer than this to the previous one (2 s in production, docs/provider-api.md "Pacing"); the
   * first poll, which follows the create rather than a poll, keeps it too unless the provider's own
   * estimate says the task is done sooner (see etaPacing).
   */
  minPollMs: number;
  /** The slowest pace. */
  maxPollMs: number;
  /** A cancelled task watched in the background only: the slow pace will do. */
  detached?: boolean;
}

/** Returns how long to wait before the next poll, in ms. */
export type PacingPolicy = (p: PaceInput) => number;

/** Progress samples kept per task: enough for a rate and for the back-off to reach the slowest pace. */
export const MAX_SAMPLES = 6;
/** A prediction that is closer than this is polled at directly; farther ones are probed first. */
const DIRECT_SPAN_MIN_POLLS = 5;
/** Before a far prediction, the next probe goes this share of the way there. */
const PROBE_SHARE = 0.6;
/** Without progress, the estimate alone is probed at this share of it (a 3× pessimistic one is still caught). */
const ESTIMATE_PROBE_SHARE = 0.25;
/** Past the prediction, each wait is this much longer than the last. */
const BACKOFF = 1.5;

function clamp(ms: number, p: PaceInput): number {
  return Math.round(Math.min(p.maxPollMs, Math.max(p.minPollMs, ms)));
}

/** A poll aimed at the predicted finish goes out a little after it, so it does not land just before. */
export function finishMargin(spanMs: number): number {
  return Math.min(1000, Math.max(50, spanMs * 0.02));
}

/**
 * The finish predicted from progress rising over time: the rate from the create (progress 0) to the
 * last sample, extended to 100. Undefined when there is no progress yet or it has stalled (the last
 * two samples say the same), because a stalled rate predicts nothing.
 */
export function progressEta(p: Pick<PaceInput, 'startedAt' | 'samples'>): number | undefined {
  const s = p.samples;
  const last = s[s.length - 1];
  if (!last || !(last.progress > 0) || last.progress >= 100 || last.at <= p.startedAt) return undefined;
  const prev = s[s.length - 2];
  if (prev && prev.progress >= last.progress) return undefined;
  const rate = last.progress / (last.at - p.startedAt);
  return last.at + (100 - last.progress) / rate;
}

function stalled(p: Pick<PaceInput, 'samples'>): boolean {
  const s = p.samples;
  const last = s[s.length - 1];
  const prev = s[s.length - 2];
  return last !== undefined && prev !== undefined && last.progress > 0 && last.progress <= prev.progress;
}

/** The estimate's finish, unless progress has stalled (then the task is behind any estimate). */
function estimateFinish(p: PaceInput): number | undefined {
  return p.estimateMs !== undefined && p.estimateMs > 0 && !stalled(p) ? p.startedAt + p.estimateMs : undefined;
}

/**
 * The predicted finish (ms, queue clock): the sooner of the progress rate's and the estimate's, as
 * long as it is still ahead; `measured` when it rests on the progress rate.
 */
export function predictFinish(p: PaceInput): { at: number; measured: boolean } | undefined {
  const eta = progressEta(p);
  const est = estimateFinish(p);
  if (est !== undefined && est > p.now && (eta === undefined || est <= eta)) return { at: est, measured: false };
  if (eta !== undefined) return { at: eta, measured: true };
  return undefined;
}

/** Nothing polled yet: the delay asked for follows the create's answer, not a poll. */
export function beforeFirstPoll(p: Pick<PaceInput, 'samples' | 'prevDelay'>): boolean {
  return p.samples.length === 0 && p.prevDelay === 0;
}

/**
 * The ETA policy (the default): poll just after the predicted finish when it is near; when it is
 * far, probe part of the way there to learn the progress rate; once past the prediction (or with
 * nothing to predict from), back off 1.5× per poll from the minimum up to the slowest pace.
 *
 * The one poll that may come sooner than minPollMs is the first, when the provider's own estimate
 * (task_info.estimated_time) puts the finish sooner: it goes just after that finish, never before
 * it. The floor spaces polls (docs/provider-api.md, "Pacing": no faster than every 2 s) and the first one has no poll
 * before it; the provider said when its answer would be there, and is not asked sooner than that.
 * Every later poll keeps the floor.
 */
export const etaPacing: PacingPolicy = (p) => {
  if (p.detached) return p.maxPollMs;
  const target = predictFinish(p);
  if (target && target.at > p.now) {
    const remaining = target.at - p.now;
    const span = target.at - p.startedAt;
    let wait: number;
    if (remaining <= DIRECT_SPAN_MIN_POLLS * p.minPollMs) {
      wait = remaining + finishMargin(span);
      if (wait < p.minPollMs && !target.measured && beforeFirstPoll(p)) return Math.ceil(wait);
    } else if (target.measured || p.samples.length) wait = remaining * PROBE_SHARE;
    // Only an estimate, nothing measured yet: a first probe early enough to catch a task 3× faster.
    else wait = Math.min(remaining, span * ESTIMATE_PROBE_SHARE);
    return clamp(wait, p);
  }
  // Past the prediction: count the polls since it passed (or since the start, with none).
  const est = estimateFinish(p);
  const since = est !== undefined && est <= p.now ? est : p.startedAt;
  const missed = p.samples.filter((s) => s.at > since).length;
  return clamp(p.minPollMs * BACKOFF ** missed, p);
};

/**
 * The policy Pictor shipped before the ETA policy, kept only so `npm run bench` can print both side
 * by side: first poll at half the estimate, then every estimate/5 (at least the minimum) until the
 * estimate has passed, then 1.5× slower each time.
 */
export const legacyPacing: PacingPolicy = (p) => {
  if (p.detached) return p.maxPollMs;
  const est = p.estimateMs ?? 0;
  if (p.prevDelay === 0) return clamp(est > 0 ? est * 0.5 : p.minPollMs, p);
  const base = clamp(est > 0 ? est / 5 : p.minPollMs, p);
  const elapsed = p.now - p.startedAt;
  return clamp(est > 0 && elapsed <= est ? base : Math.max(base, p.prevDelay * BACKOFF), p);
};
