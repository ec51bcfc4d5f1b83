// What each task cost, as the provider reports it in the task's `usage` (docs/provider-api.md,
// "Create a task", "Account balance"): never a price Pictor works out itself. Totals are sums of
// those reports, per session and per workspace.

export interface TaskUsage {
  /** `per_call`, `per_token`, `per_second`… as the provider says. */
  billingRule?: string;
  /** Credits held for the task when it was created. */
  reserved?: number;
  /** Credits the provider says it charged, when it says so. */
  charged?: number;
}

export interface SpendEntry {
  taskId: string;
  /** Epoch ms of the first report. */
  at: number;
  usage: TaskUsage;
  /** Created in this session (not a task resumed from an earlier one). */
  session?: boolean;
}

export interface SpendTotals {
  credits: number;
  tasks: number;
}

/** Reads the provider's `usage` object; undefined when it carries nothing Pictor can show. */
export function readUsage(usage: unknown): TaskUsage | undefined {
  if (!usage || typeof usage !== 'object' || Array.isArray(usage)) return undefined;
  const u = usage as Record<string, unknown>;
  const num = (k: string) => (typeof u[k] === 'number' && Number.isFinite(u[k]) && (u[k] as number) >= 0 ? (u[k] as number) : undefined);
  const out: TaskUsage = {};
  if (typeof u.billing_rule === 'string' && u.billing_rule) out.billingRule = u.billing_rule.slice(0, 40);
  const reserved = num('credits_reserved');
  if (reserved !== undefined) out.reserved = reserved;
  const charged = num('credits_charged') ?? num('credits_used') ?? num('credits_consumed');
  if (charged !== undefined) out.charged = charged;
  return out.billingRule !== undefined || out.reserved !== undefined || out.charged !== undefined ? out : undefined;
}

/** The credits a task counts for: what was charged when known, else what was reserved. */
export function creditsOf(u: TaskUsage): number {
  return u.charged ?? u.reserved ?? 0;
}

/** Sums to two decimals, as credits are shown (no float dust like 7.499999). */
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Every task's reported usage in a workspace, newest last, at most `max` tasks. */
export class SpendLedger {
  private readonly byTask = new Map<string, SpendEntry>();

  constructor(entries: readonly SpendEntry[] = [], private readonly max = 5000) {
    for (const e of entries) {
      if (e && typeof e.taskId === 'string' && e.usage && typeof e.usage === 'object') this.byTask.set(e.taskId, { ...e, session: false });
    }
  }

  /**
   * Records a report for a task. `created` marks a task this session created (its create answer).
   * Returns whether anything changed.
   */
  record(taskId: string, usage: TaskUsage, at: number, created = false): boolean {
    const old = this.byTask.get(taskId);
    const next: SpendEntry = { taskId, at: old?.at ?? at, usage: { ...old?.usage, ...usage }, session: Boolean(old?.session || created) };
    if (old && JSON.stringify(old) === JSON.stringify(next)) return false;
    this.byTask.delete(taskId);
    this.byTask.set(taskId, next);
    while (this.byTask.size > this.max) this.byTask.delete(this.byTask.keys().next().value as string);
    return true;
  }

  get(taskId: string): TaskUsage | undefined {
    return this.byTask.get(taskId)?.usage;
  }

  totals(): { session: SpendTotals; workspace: SpendTotals } {
    const session = { credits: 0, tasks: 0 };
    const workspace = { credits: 0, tasks: 0 };
    for (const e of this.byTask.values()) {
      const c = creditsOf(e.usage);
      workspace.credits += c;
      workspace.tasks++;
      if (e.session) {
        session.credits += c;
        session.tasks++;
      }
    }
    return { session: { ...session, credits: round2(session.credits) }, workspace: { ...workspace, credits: round2(workspace.credits) } };
  }

  /** What to persist (the session flag is this session's only). */
  entries(): SpendEntry[] {
    return [...this.byTask.values()].map(({ session: _s, ...e }) => e);
  }

  /** The newest `n` entries, newest first. */
  recent(n: number): SpendEntry[] {
    return [...this.byTask.values()].slice(-n).reverse();
  }
}
