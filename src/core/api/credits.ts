// The account's balances as GET /v1/credits reports them (docs/provider-api.md, "Account balance"), read leniently.

/** Balances from GET /v1/credits; every field is optional (the provider documents them loosely). */
export interface AccountCredits {
  /** What this key may still spend, when it has its own limit. */
  tokenRemaining?: number;
  tokenUsed?: number;
  /** The key has no limit of its own (the account's balance applies). */
  unlimited?: boolean;
  /** The account's balance. */
  userRemaining?: number;
  userUsed?: number;
}

export function parseCredits(v: unknown): AccountCredits {
  const data = (v as { data?: unknown } | null)?.data as { token?: Record<string, unknown>; user?: Record<string, unknown> } | undefined;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : typeof x === 'string' && x.trim() && Number.isFinite(Number(x)) ? Number(x) : undefined);
  const out: AccountCredits = {};
  const set = <K extends keyof AccountCredits>(k: K, value: AccountCredits[K] | undefined) => { if (value !== undefined) out[k] = value; };
  set('tokenRemaining', num(data?.token?.remaining_credits));
  set('tokenUsed', num(data?.token?.used_credits));
  set('unlimited', typeof data?.token?.unlimited_credits === 'boolean' ? data.token.unlimited_credits : undefined);
  set('userRemaining', num(data?.user?.remaining_credits));
  set('userUsed', num(data?.user?.used_credits));
  return out;
}
