// The money gate: what every create passes right before it is sent, whoever asked for it (a command,
// the CodeLens, the panel, a Retry, a resumed job, an agent tool). The queue calls `check` in its
// admission step and nothing else reaches the provider's create. The faces ask the cost question
// for a whole action before they submit (see `actionCost` / `aboveGuards`) and put the user's answer
// on each job (`JobRecord.approval`); the gate then refuses any job the answer does not cover, so a
// path that forgot to ask cannot bill more than the guards allow.

import type { Approval, JobError, JobRecord } from './store';

export type { Approval } from './store';
import type { CreateTaskBody } from './types';
import { expectedSize, parseSize, relativeCost } from '../shared/sizes';
import { QUALITIES, RESOLUTIONS, type Quality, type Resolution } from '../shared/limits';
import { said, words } from '../shared/words';
import { IMAGE_MODEL } from '../shared/model';

/** The user's spending guards: the cost question's thresholds and the session budget. */
export interface SpendingGuards {
  /** One action that bills more images than this asks first. */
  confirmAboveImages: number;
  /** One action whose relative cost (1 = one medium 1024×1024 image) is above this asks first. */
  confirmAboveCost: number;
  /** Credits this session may use before anything more asks first; undefined: no limit. */
  maxCreditsPerSession?: number;
}

export const DEFAULT_GUARDS: Readonly<SpendingGuards> = { confirmAboveImages: 4, confirmAboveCost: 16 };

/**
 * The stricter of several values of the guards (the user's and a workspace's, say): a repository's own
 * settings may lower a guard, never raise it. A missing or unusable value takes no part.
 */
export function stricterGuards(...all: Partial<SpendingGuards>[]): SpendingGuards {
  const low = (xs: (number | undefined)[]) => {
    const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0);
    return ok.length ? Math.min(...ok) : undefined;
  };
  const limit = low(all.map((g) => (g.maxCreditsPerSession !== undefined && g.maxCreditsPerSession > 0 ? g.maxCreditsPerSession : undefined)));
  return {
    confirmAboveImages: low(all.map((g) => g.confirmAboveImages)) ?? DEFAULT_GUARDS.confirmAboveImages,
    confirmAboveCost: low(all.map((g) => g.confirmAboveCost)) ?? DEFAULT_GUARDS.confirmAboveCost,
    ...(limit !== undefined ? { maxCreditsPerSession: limit } : {}),
  };
}

/** What a request bills: its image count and its cost relative to one medium 1024×1024 image. */
export interface Bill {
  images: number;
  cost: number;
}

/** The bill of one create body, from the body alone (what the gate sees of a job). */
export function billOf(body: CreateTaskBody): Bill {
  const images = typeof body.n === 'number' && Number.isFinite(body.n) && body.n > 0 ? body.n : 1;
  const quality: Quality = (QUALITIES as readonly string[]).includes(body.quality ?? '') ? body.quality as Quality : IMAGE_MODEL.defaults.quality;
  const resolution: Resolution = (RESOLUTIONS as readonly string[]).includes(body.resolution ?? '') ? body.resolution as Resolution : IMAGE_MODEL.defaults.resolution;
  const cost = relativeCost(quality, images, expectedSize(parseSize(body.size ?? IMAGE_MODEL.defaults.size), resolution));
  return { images, cost };
}

/** The bill of one action: the sum of its requests. */
export function actionCost(bills: readonly Bill[]): Bill {
  return bills.reduce((sum, b) => ({ images: sum.images + b.images, cost: sum.cost + b.cost }), { images: 0, cost: 0 });
}

/** Which guards one action's bill is above: the cost question names each. */
export function aboveGuards(bill: Bill, guards: SpendingGuards): { images: boolean; cost: boolean } {
  return { images: bill.images > guards.confirmAboveImages, cost: bill.cost > guards.confirmAboveCost + 1e-9 };
}


export function isApproval(x: unknown): x is Approval {
  const a = x as Approval | null;
  return typeof a === 'object' && a !== null && typeof a.images === 'number' && typeof a.cost === 'number';
}

/** The gate the queue calls immediately before each create. */
export interface CreateGate {
  /** undefined: send it; otherwise why not (the job fails with it, and nothing is sent). */
  check(job: JobRecord): Promise<JobError | undefined>;
  /** True while creates must go one at a time (a budget is set: credits are known only once a create answers). */
  oneAtATime(): boolean;
}

export interface MoneyGateDeps {
  /** Requests may be sent from here (VS Code: the workspace is trusted). */
  trusted(): boolean;
  /** A key is there to send with. */
  hasKey(): Promise<boolean>;
  /** The guards that hold now (read at the moment of each create: a changed setting counts at once). */
  guards(): SpendingGuards;
  /** Credits this session's tasks have used, as the provider reported them. */
  sessionCredits(): number;
  /**
   * The budget was reached while `waiting` jobs of earlier actions had not been sent: may they go?
   * Absent (a face that cannot ask) or false: refused.
   */
  askOverBudget?(spent: number, limit: number, waiting: number): Promise<boolean>;
  /** Jobs submitted but not yet sent, for the budget question's count. */
  waiting?(): number;
  log?(msg: string): void;
  /** The clock jobs' createdAt is read from (the queue's). */
  now?(): number;
}

const round2 = (n: number) => String(Math.round(n * 100) / 100);

/**
 * The money gate: trust, key, the job's image count and cost against the guards (unless the user
 * approved more for its action), and the session budget. One budget question at a time: its answer
 * holds for every job submitted before it was asked, so a batch that crosses the limit asks once.
 */
export function moneyGate(deps: MoneyGateDeps): CreateGate {
  /** Jobs created (submitted) at or before this may go over the budget / are refused without asking again. */
  let allowedBefore = -Infinity;
  let refusedBefore = -Infinity;
  let asking: Promise<boolean> | undefined;

  const refusal = (kind: string, w: ReturnType<typeof words>): JobError => ({ kind, ...said(w), retryable: true });

  return {
    oneAtATime: () => deps.guards().maxCreditsPerSession !== undefined,

    async check(job) {
      if (!deps.trusted()) return refusal('untrusted', words('gate.untrusted'));
      if (!(await deps.hasKey())) return refusal('auth', words('gate.noKey'));
      const guards = deps.guards();
      const bill = billOf(job.body);
      const ok = job.approval;
      if (bill.images > guards.confirmAboveImages && bill.images > (ok?.images ?? 0)) {
        return refusal('not_confirmed', words('gate.images', String(bill.images), String(guards.confirmAboveImages)));
      }
      if (bill.cost > guards.confirmAboveCost + 1e-9 && bill.cost > (ok?.cost ?? 0) + 1e-9) {
        return refusal('not_confirmed', words('gate.cost', round2(bill.cost), round2(guards.confirmAboveCost)));
      }
      const limit = guards.maxCreditsPerSession;
      if (limit === undefined) return undefined;
      const spent = deps.sessionCredits();
      if (spent < limit || ok?.overBudget || job.createdAt <= allowedBefore) return undefined;
      const over = refusal('budget', words('gate.budget', round2(spent), round2(limit)));
      if (job.createdAt <= refusedBefore || !deps.askOverBudget) return over;
      const askedAt = (deps.now ?? Date.now)();
      asking ??= deps.askOverBudget(spent, limit, Math.max(1, deps.waiting?.() ?? 1)).then(
        (yes) => {
          if (yes) allowedBefore = Math.max(allowedBefore, askedAt);
          else refusedBefore = Math.max(refusedBefore, askedAt);
          return yes;
        },
        () => {
          refusedBefore = Math.max(refusedBefore, askedAt);
          return false;
        },
      ).finally(() => { asking = undefined; });
      const yes = await asking;
      deps.log?.(yes ? `over the session budget (${round2(spent)} of ${round2(limit)} credits): the user chose to send` : `over the session budget (${round2(spent)} of ${round2(limit)} credits): not sent`);
      return yes || job.createdAt <= allowedBefore ? undefined : over;
    },
  };
}
