// What every `pictor` command shares: the exit codes, the lines it prints (plain, no control
// characters), the JSON report, the context a command runs in, the key and the cost question.

import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { aboveGuards, stricterGuards, type Approval, type Bill, type SpendingGuards } from '../core/money';
import type { CallOptions } from '../core/plan';
import { processGuards } from '../core/processSettings';
import type { Recipe } from '../core/recipe';
import type { StateHost } from '../core/stateDir';
import type { WorkspaceSettings } from '../core/workspaceSettings';
import type { Words } from '../shared/words';
import type { CliArgs } from './args';
import { Screen } from './progress';

export const manifest = require('../../package.json') as { version: string; contributes: { configuration: { properties: Record<string, never> } } };


/** Exit codes (documented in --help and the README). */
export const OK = 0;
export const FAILED = 1;
export const USAGE = 2;
export const INTERRUPTED = 130;

export class Exit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** No control characters in what is printed: a prompt may hold any. */
// eslint-disable-next-line no-control-regex
export const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');

export interface Out {
  /** A line for the person (stderr under --json, else stdout); left out under --quiet unless `always`. */
  say(line: string, always?: boolean): void;
  /** A problem: always, on stderr. */
  warn(line: string): void;
  /** The progress line on a terminal (progress.ts); lines are printed above it. */
  screen: Screen;
  /** A person answers on this terminal: the cost question is asked. */
  interactive: boolean;
}

export function output(args: CliArgs, env: Record<string, string | undefined>): Out {
  const human = args.json ? process.stderr : process.stdout;
  // A terminal that is not CI's, or as --progress says.
  const tty = args.progress ? args.progress === 'tty' : Boolean(process.stderr.isTTY) && !env.CI && !args.quiet;
  const screen = new Screen(process.stderr, tty);
  return {
    say: (line, always = false) => { if (always || !args.quiet) screen.print(human, plain(line)); },
    warn: (line) => screen.print(process.stderr, plain(line)),
    screen,
    interactive: tty && Boolean(process.stdin.isTTY),
  };
}

/** The EvoLink dashboard, where a key is made and credits are bought. */
export const DASHBOARD = 'https://evolink.ai/dashboard';

export function hasCode(w: Words | undefined, code: string): boolean {
  return !!w && (w.code === code || (w.args ?? []).some((a) => typeof a === 'object' && hasCode(a, code)));
}

/**
 * A job's error as the terminal says it: the editor's words, except where they name the editor's
 * commands (the key is EVOLINK_API_KEY here) — 401 and 402 name the dashboard.
 */
export function errorText(error: { message: string; words?: Words } | undefined): string {
  if (hasCode(error?.words, 'error.http401')) return `EvoLink did not accept the API key (HTTP 401). Set EVOLINK_API_KEY to a valid key from your EvoLink dashboard (${DASHBOARD}/keys), then run this again; nothing more was billed.`;
  if (hasCode(error?.words, 'error.http402')) return `Your EvoLink account is out of credits (HTTP 402). Top up in your EvoLink dashboard (${DASHBOARD}), then run this again to fill what is left.`;
  return error?.message ?? '';
}

/** One line typed on the terminal (the cost question's answer); empty at the end of input. */
export function ask(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    let answered = false;
    rl.question(question, (a) => {
      answered = true;
      rl.close();
      resolve(a);
    });
    rl.on('close', () => { if (!answered) resolve(''); });
  });
}


/** The guards of this run: flags, else the environment, else the editor's defaults; the workspace may only lower them. */
export function guardsOf(args: CliArgs, env: Record<string, string | undefined>, workspace: Partial<SpendingGuards>): SpendingGuards {
  try {
    return stricterGuards(processGuards(args, env), workspace);
  } catch (e) {
    throw new Exit(USAGE, (e as Error).message);
  }
}

export const round2 = (n: number) => Math.round(n * 100) / 100;
export const slash = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** A stored task as `status` shows it. */
export interface TaskItem {
  id: string;
  taskId?: string;
  state: string;
  prompt: string;
  page?: string;
  out?: string;
  createdAt: string;
  ageSeconds: number;
  message?: string;
}

/** One placeholder in the JSON report. */
export interface ReportItem {
  line: number;
  prompt: string;
  status: 'planned' | 'filled' | 'failed' | 'skipped' | 'resumed';
  reason?: string;
  message?: string;
  options?: Record<string, string | number>;
  from?: Record<string, string>;
  size?: string;
  images?: number;
  cost?: number;
  files?: string[];
  linked?: boolean;
  /** What was done to the image's look: kept opaque and why, "2.4 MB PNG → 186 KB WebP". */
  notes?: string[];
}

export interface JsonReport {
  version: 1;
  command: string;
  workspace: string;
  dryRun: boolean;
  bill: Bill;
  guards: SpendingGuards;
  pages: { page: string; placeholders: ReportItem[] }[];
  /** `status`: the stored tasks. */
  tasks?: TaskItem[];
  /** `recipe`: the recipe read, null when the image has none. */
  recipe?: Recipe | null;
  /** `generate`: the folder, the prompt as planned, and each image saved with its Markdown link. */
  generated?: { out: string; item: ReportItem; images: { path: string; width: number; height: number; link: string }[] };
  summary: { filled: number; failed: number; skipped: number; planned: number };
  exitCode: number;
  problems: string[];
}


/** What every command works in: the workspace, its settings and the guards of this run. */
export interface Ctx {
  args: CliArgs;
  env: Record<string, string | undefined>;
  cwd: string;
  out: Out;
  report: JsonReport;
  root: string;
  settings: WorkspaceSettings;
  guards: SpendingGuards;
  host: StateHost;
  state: string;
}


/** The call's options given as flags (`--size`, `--resolution`, `--quality`, `-n`). */
export function callOf(args: CliArgs): CallOptions {
  return {
    ...(args.size !== undefined ? { size: args.size } : {}),
    ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
    ...(args.quality !== undefined ? { quality: args.quality } : {}),
    ...(args.n !== undefined ? { n: args.n } : {}),
    ...(args.background !== undefined ? { background: args.background } : {}),
    ...(args.format !== undefined ? { format: args.format } : {}),
    ...(args.maxWidth !== undefined ? { maxWidth: args.maxWidth } : {}),
  };
}

/**
 * The cost question's answer for a bill: none needed, `--yes`, a person's y on a terminal (shown the
 * pixel sizes and the cost), or refused naming `--yes` and the limits.
 */
export async function approvalFor(ctx: Ctx, bill: Bill, sizes: readonly { size: string; images: number }[]): Promise<Approval | undefined> {
  const above = aboveGuards(bill, ctx.guards);
  if (!above.images && !above.cost) return undefined;
  if (ctx.args.yes) return { images: bill.images, cost: bill.cost };
  if (ctx.out.interactive) {
    const counted = new Map<string, number>();
    for (const s of sizes) counted.set(s.size, (counted.get(s.size) ?? 0) + s.images);
    const list = [...counted].map(([size, n]) => `${n} × ${size}`).join(', ');
    const answer = await ask(`This run would bill ${limitsOf(bill, ctx.guards)}.\nImages: ${list}.\nSend it? [y/N] `);
    if (/^\s*y(es)?\s*$/i.test(answer)) return { images: bill.images, cost: bill.cost };
    throw new Exit(FAILED, 'Nothing was sent (the answer was not yes).');
  }
  throw new Exit(FAILED, `This run would bill ${limitsOf(bill, ctx.guards)} (--confirm-above-images, --confirm-above-cost). Nothing was sent: run again with --yes to send it.`);
}

export const limitsOf = (bill: Bill, guards: SpendingGuards) => `${bill.images} image(s), relative cost ${bill.cost}; the limits are ${guards.confirmAboveImages} images and cost ${guards.confirmAboveCost}`;

/** The session of a run that may send: the key from the environment, the provider's addresses from flags or the environment. */
export function requireKey(ctx: Ctx): string {
  const apiKey = ctx.env.EVOLINK_API_KEY?.trim();
  if (!apiKey) throw new Exit(USAGE, 'No API key: set the EVOLINK_API_KEY environment variable to your EvoLink API key (e.g. export EVOLINK_API_KEY=... or a CI secret), then run this again. Nothing was sent.');
  return apiKey;
}
