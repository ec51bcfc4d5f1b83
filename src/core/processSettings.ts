// What a face without an editor (the terminal command, the agent server) takes from its own process,
// never from the repository: the provider's addresses (a cloned repository must not be able to send
// your key elsewhere) and the spending guards, from the face's flags or else its PICTOR_* variables.
// A workspace's settings may then lower the guards, never raise them (money.ts stricterGuards).

import type { SpendingGuards } from './money';
import { errorOf, words } from '../shared/words';

export const DEFAULT_BASE_URL = 'https://api.evolink.ai';
export const DEFAULT_FILES_BASE_URL = 'https://files-api.evolink.ai';

type Env = Record<string, string | undefined>;

/** The guards' values given on the command line (absent: not given). */
export interface GuardFlags {
  confirmAboveImages?: number;
  confirmAboveCost?: number;
  maxCredits?: number;
}

/** A number from the environment: undefined when unset; throws (with words) when not a number of 0 or more. */
export function envNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw errorOf(words('guard.envNotNumber', name, raw));
  return n;
}

/** This process's own guards: each flag, else its variable; unset ones are left to the defaults. */
export function processGuards(flags: GuardFlags, env: Env): Partial<SpendingGuards> {
  const own: Partial<SpendingGuards> = {};
  const images = flags.confirmAboveImages ?? envNumber(env, 'PICTOR_CONFIRM_ABOVE_IMAGES');
  if (images !== undefined) own.confirmAboveImages = images;
  const cost = flags.confirmAboveCost ?? envNumber(env, 'PICTOR_CONFIRM_ABOVE_COST');
  if (cost !== undefined) own.confirmAboveCost = cost;
  const credits = flags.maxCredits ?? envNumber(env, 'PICTOR_MAX_CREDITS');
  if (credits !== undefined && credits > 0) own.maxCreditsPerSession = credits;
  return own;
}

/** The provider's addresses: the flag, else the variable, else the provider's own. */
export function providerAddresses(flags: { baseUrl?: string; filesBaseUrl?: string }, env: Env): { baseUrl: string; filesBaseUrl: string } {
  return {
    baseUrl: flags.baseUrl ?? env.PICTOR_BASE_URL ?? DEFAULT_BASE_URL,
    filesBaseUrl: flags.filesBaseUrl ?? env.PICTOR_FILES_BASE_URL ?? DEFAULT_FILES_BASE_URL,
  };
}
