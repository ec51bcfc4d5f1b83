// The `pictor` command: the engine's headless run (core/headless.ts) from a terminal or CI. The same
// planner, queue, money gate, destinations, names, recipes and claims as the editor; the provider's
// addresses and the key come from this process (flags, environment), never from the repository.
// Plain lines only (no control characters), so a CI log reads as a terminal does.

import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { isGenerateMeta, isHeadlessMeta, planPages, planPrompt, type GenerateResult, type PageReport } from '../core/headless';
import { HeadlessSession, storedJobs } from '../core/headlessSession';
import { isActive, isFinal } from '../core/jobs';
import { aboveGuards, stricterGuards, type Approval, type Bill, type SpendingGuards } from '../core/money';
import { atOrInside } from '../core/paths';
import { claimsDir, pictorStateDir, type StateHost } from '../core/stateDir';
import { callLayer, type CallOptions, type PlanSettings } from '../core/plan';
import type { JobRecord } from '../core/store';
import { readRecipeFile, SIDECAR_SUFFIX, type Recipe } from '../core/recipe';
import { readWorkspaceSettings, type WorkspaceSettings } from '../core/workspaceSettings';
import { formatSize } from '../shared/sizes';
import { english, type Words } from '../shared/words';
import { HELP, parseArgs, type CliArgs } from './args';
import { processGuards, providerAddresses } from '../core/processSettings';
import { clock, Screen, type Tally } from './progress';
import { createInterface } from 'node:readline';

const manifest = require('../../package.json') as { version: string; contributes: { configuration: { properties: Record<string, never> } } };


/** Exit codes (documented in --help and the README). */
const OK = 0;
const FAILED = 1;
const USAGE = 2;
const INTERRUPTED = 130;

class Exit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** No control characters in what is printed: a prompt may hold any. */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');

interface Out {
  /** A line for the person (stderr under --json, else stdout); left out under --quiet unless `always`. */
  say(line: string, always?: boolean): void;
  /** A problem: always, on stderr. */
  warn(line: string): void;
  /** The progress line on a terminal (progress.ts); lines are printed above it. */
  screen: Screen;
  /** A person answers on this terminal: the cost question is asked. */
  interactive: boolean;
}

function output(args: CliArgs, env: Record<string, string | undefined>): Out {
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
const DASHBOARD = 'https://evolink.ai/dashboard';

function hasCode(w: Words | undefined, code: string): boolean {
  return !!w && (w.code === code || (w.args ?? []).some((a) => typeof a === 'object' && hasCode(a, code)));
}

/**
 * A job's error as the terminal says it: the editor's words, except where they name the editor's
 * commands (the key is EVOLINK_API_KEY here) — 401 and 402 name the dashboard.
 */
function errorText(error: { message: string; words?: Words } | undefined): string {
  if (hasCode(error?.words, 'error.http401')) return `EvoLink did not accept the API key (HTTP 401). Set EVOLINK_API_KEY to a valid key from your EvoLink dashboard (${DASHBOARD}/keys), then run this again; nothing more was billed.`;
  if (hasCode(error?.words, 'error.http402')) return `Your EvoLink account is out of credits (HTTP 402). Top up in your EvoLink dashboard (${DASHBOARD}), then run this again to fill what is left.`;
  return error?.message ?? '';
}

/** One line typed on the terminal (the cost question's answer); empty at the end of input. */
function ask(question: string): Promise<string> {
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

/** The nearest folder upwards that holds `.vscode/` or `.git`, else `cwd`. */
export function findWorkspace(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.vscode')) || existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

const skipDir = (name: string) => name === 'node_modules' || name.startsWith('.');

/** One folder's `.gitignore`: its patterns apply to paths below that folder. */
interface IgnoreRule {
  base: string;
  ig: Ignore;
}

async function ignoreRuleOf(dir: string): Promise<IgnoreRule | undefined> {
  const text = await fs.readFile(path.join(dir, '.gitignore'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : { base: dir, ig: ignore().add(text) };
}

/** The `.gitignore` files from the workspace folder down to `dir` (a folder outside it: its own only). */
async function ignoreRulesFor(dir: string, root: string): Promise<IgnoreRule[]> {
  const chain: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === root || !atOrInside(d, root) || path.dirname(d) === d) break;
  }
  return (await Promise.all(chain.map(ignoreRuleOf))).filter((r): r is IgnoreRule => !!r);
}

function isIgnored(rules: readonly IgnoreRule[], file: string, isDir: boolean): boolean {
  return rules.some((r) => {
    const rel = path.relative(r.base, file).split(path.sep).join('/');
    return rel !== '' && !rel.startsWith('..') && r.ig.ignores(isDir ? `${rel}/` : rel);
  });
}

/** The Markdown pages under a folder: node_modules, dot-folders and what the repository ignores left out. */
async function markdownUnder(dir: string, rules: readonly IgnoreRule[]): Promise<string[]> {
  const own = await ignoreRuleOf(dir);
  const here = own && !rules.some((r) => r.base === dir) ? [...rules, own] : rules;
  const out: string[] = [];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipDir(e.name) && !isIgnored(here, p, true)) out.push(...(await markdownUnder(p, here)));
    } else if (e.isFile() && /\.md$/i.test(e.name) && !isIgnored(here, p, false)) out.push(p);
  }
  return out;
}

/** The pages named: files as given, folders' **\/*.md, globs matched under the current folder. */
async function collectPages(paths: readonly string[], cwd: string, root: string): Promise<string[]> {
  const under = async (dir: string) => markdownUnder(dir, await ignoreRulesFor(dir, root));
  const found = new Set<string>();
  for (const given of paths.length ? paths : ['.']) {
    const abs = path.resolve(cwd, given);
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) for (const f of await under(abs)) found.add(f);
      else found.add(abs);
      continue;
    }
    if (!picomatch.scan(given).isGlob) throw new Exit(USAGE, `No such file or folder: ${given}`);
    const match = picomatch(given.split(path.sep).join('/'));
    const matched = (await under(path.resolve(cwd))).filter((f) => match(path.relative(cwd, f).split(path.sep).join('/')));
    if (!matched.length) throw new Exit(USAGE, `No Markdown page matches ${given}`);
    for (const f of matched) found.add(f);
  }
  return [...found];
}

/** The guards of this run: flags, else the environment, else the editor's defaults; the workspace may only lower them. */
function guardsOf(args: CliArgs, env: Record<string, string | undefined>, workspace: Partial<SpendingGuards>): SpendingGuards {
  try {
    return stricterGuards(processGuards(args, env), workspace);
  } catch (e) {
    throw new Exit(USAGE, (e as Error).message);
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const slash = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** One placeholder in the JSON report. */
interface ReportItem {
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

interface JsonReport {
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

/** The other faces the `pictor` command can start, handed in by the launcher. */
export interface OtherFaces {
  mcp?: (args: CliArgs, env: Record<string, string | undefined>, cwd: string) => Promise<number>;
}

export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd(), faces: OtherFaces = {}): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`pictor: ${parsed.message}\n`);
    return USAGE;
  }
  const args = parsed.args;
  if (args.help) {
    process.stdout.write(HELP);
    return OK;
  }
  if (args.version) {
    process.stdout.write(`${manifest.version}\n`);
    return OK;
  }
  if (!args.command) {
    process.stderr.write(`pictor: no command.\n\n${HELP}`);
    return USAGE;
  }
  // The agent server is another face (src/mcp); the launcher (src/bin/pictor.ts) hands it in.
  if (args.command === 'mcp') {
    if (faces.mcp) return faces.mcp(args, env, cwd);
    process.stderr.write('pictor: this build has no agent server (pictor mcp).\n');
    return USAGE;
  }
  const out = output(args, env);
  const report: JsonReport = {
    version: 1, command: args.command, workspace: '', dryRun: args.dryRun || args.command === 'list', bill: { images: 0, cost: 0 },
    guards: { confirmAboveImages: 0, confirmAboveCost: 0 }, pages: [], summary: { filled: 0, failed: 0, skipped: 0, planned: 0 }, exitCode: OK, problems: [],
  };
  try {
    report.exitCode = await run(args, env, cwd, out, report);
  } catch (e) {
    const code = e instanceof Exit ? e.code : FAILED;
    const message = e instanceof Exit ? e.message : `Unexpected error: ${(e as Error).message}`;
    out.warn(`pictor: ${message}`);
    report.problems.push(message);
    report.exitCode = code;
  }
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.exitCode;
}

/** What every command works in: the workspace, its settings and the guards of this run. */
interface Ctx {
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

async function run(args: CliArgs, env: Record<string, string | undefined>, cwd: string, out: Out, report: JsonReport): Promise<number> {
  const root = path.resolve(cwd, args.workspace ?? findWorkspace(cwd));
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Exit(USAGE, `The workspace ${root} is not a folder.`);
  report.workspace = root;
  if (args.command === 'recipe') return recipe(args, cwd, out, report);
  const settings = await readWorkspaceSettings(root, manifest.contributes.configuration.properties);
  for (const p of settings.problems) {
    if (p.code === 'setting.fileUnreadable') throw new Exit(USAGE, english(p));
    out.warn(`setting: ${english(p)}`);
    report.problems.push(english(p));
  }
  const guards = guardsOf(args, env, settings.guards);
  report.guards = guards;
  const host = { env, platform: process.platform, home: os.homedir(), cwd };
  const ctx: Ctx = { args, env, cwd, out, report, root, settings, guards, host, state: pictorStateDir(host) };
  if (args.command === 'generate') return generate(ctx);
  if (args.command === 'status') return status(ctx);
  if (args.command === 'resume') return resume(ctx);
  return fill(ctx);
}

/** `pictor recipe FILE`: the recipe stored in an image (its PNG chunk, else its `.pictor.json` sidecar). */
async function recipe(args: CliArgs, cwd: string, out: Out, report: JsonReport): Promise<number> {
  const given = args.paths[0]!;
  const file = path.resolve(cwd, given);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Exit(USAGE, `No such file: ${given}`);
  const r = await readRecipeFile(file);
  report.recipe = r ?? null;
  if (!r) {
    out.warn(`${given} holds no Pictor recipe (none in the image, no ${SIDECAR_SUFFIX} file beside it).`);
    return FAILED;
  }
  out.say(`prompt:     ${r.prompt}`, true);
  if (r.style) out.say(`style:      ${r.style}`, true);
  out.say(`model:      ${r.model}`, true);
  out.say(`size:       ${r.size} · ${r.resolution} · ${r.quality} · n=${r.n}${r.image ? ` (image ${r.image} of ${r.n})` : ''}`, true);
  out.say(`task:       ${r.taskId}`, true);
  out.say(`created:    ${r.created}`, true);
  for (const ref of r.references) out.say(`reference:  ${'url' in ref ? ref.url : ref.file}`, true);
  return OK;
}

/** A stored task as `status` shows it. */
interface TaskItem {
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

/** How long ago, as a person says it. */
function ageOf(seconds: number): string {
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

/** `pictor status`: the tasks stored for this workspace (what `resume` or the next `fill` waits for). Sends nothing. */
async function status(ctx: Ctx): Promise<number> {
  const { out, report, root } = ctx;
  const jobs = await storedJobs(ctx.state, root);
  const now = Date.now();
  report.tasks = jobs.map((j): TaskItem => {
    const meta = j.target.meta;
    return {
      id: j.id, ...(j.taskId ? { taskId: j.taskId } : {}), state: j.state,
      prompt: isHeadlessMeta(meta) || isGenerateMeta(meta) ? meta.prompt : j.body.prompt,
      ...(isHeadlessMeta(meta) ? { page: slash(root, meta.page) } : isGenerateMeta(meta) ? { out: slash(root, meta.out) } : {}),
      createdAt: new Date(j.createdAt).toISOString(), ageSeconds: Math.max(0, Math.round((now - j.createdAt) / 1000)),
      ...(j.error ? { message: errorText(j.error) } : {}),
    };
  });
  for (const t of report.tasks) out.say(`${t.state.padEnd(11)} ${ageOf(t.ageSeconds).padEnd(8)} ${t.page ?? `${t.out}/`}  "${t.prompt}"${t.taskId ? `  (task ${t.taskId})` : ''}${t.message ? `: ${t.message}` : ''}`, true);
  const open = jobs.filter((j) => !isFinal(j)).length;
  out.say(open ? `${open} unfinished task(s): pictor resume (or the same pictor fill) waits for them and places their images.` : jobs.length ? 'No unfinished task.' : 'No stored task.', true);
  return OK;
}

/** `pictor resume`: waits for the stored unfinished tasks and places their images; no new task. */
async function resume(ctx: Ctx): Promise<number> {
  const { out, report, root } = ctx;
  const stored = (await storedJobs(ctx.state, root)).filter((j) => !isFinal(j));
  if (!stored.length) {
    out.say('Nothing to resume.', true);
    return OK;
  }
  const live = openSession(ctx, ctx.settings.plan);
  const session = live.session;
  const ended: JobRecord[] = [];
  let took = '';
  try {
    const resumed = await session.resume();
    for (const { job } of resumed) out.say(`${jobLabel(root, job)}: resuming the stored task`);
    live.show(resumed.reduce((n, { job }) => n + (job.body.n ?? 1), 0), resumed.map(({ job }) => job));
    await Promise.all(resumed.map(({ done }) => done.then((job) => { ended.push(job); })));
  } finally {
    took = live.end();
    await session.close();
  }
  for (const job of ended) {
    const meta = job.target.meta;
    const ok = job.state === 'completed' && (isGenerateMeta(meta) || session.placer.outcomes.get(job.id)?.linked === true);
    const files = (job.files ?? []).filter((f) => f.placed).map((f) => slash(root, f.path));
    const item: ReportItem = { line: 0, prompt: isHeadlessMeta(meta) || isGenerateMeta(meta) ? meta.prompt : job.body.prompt, status: ok ? 'filled' : 'failed', files, ...(job.error ? { message: errorText(job.error) } : {}) };
    const page = isHeadlessMeta(meta) ? slash(root, meta.page) : isGenerateMeta(meta) ? `${slash(root, meta.out)}/` : '';
    let entry = report.pages.find((p) => p.page === page);
    if (!entry) report.pages.push(entry = { page, placeholders: [] });
    entry.placeholders.push(item);
    if (ok) report.summary.filled++;
    else report.summary.failed++;
    if (ok) out.say(`${jobLabel(root, job)} -> ${files.join(', ')}`);
    else out.warn(`${jobLabel(root, job)} failed: ${item.message ?? job.state}`);
  }
  out.say(`${report.summary.filled} filled, ${report.summary.failed} failed${out.screen.tty ? ` in ${took}` : ''}.`, true);
  return report.summary.failed ? FAILED : OK;
}

/** The call's options given as flags (`--size`, `--resolution`, `--quality`, `-n`, `--background`, `--format`, `--max-width`). */
function callOf(args: CliArgs): CallOptions {
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
async function approvalFor(ctx: Ctx, bill: Bill, sizes: readonly { size: string; images: number }[]): Promise<Approval | undefined> {
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

const limitsOf = (bill: Bill, guards: SpendingGuards) => `${bill.images} image(s), relative cost ${bill.cost}; the limits are ${guards.confirmAboveImages} images and cost ${guards.confirmAboveCost}`;

/** The session of a run that may send: the key from the environment, the provider's addresses from flags or the environment. */
function requireKey(ctx: Ctx): string {
  const apiKey = ctx.env.EVOLINK_API_KEY?.trim();
  if (!apiKey) throw new Exit(USAGE, 'No API key: set the EVOLINK_API_KEY environment variable to your EvoLink API key (e.g. export EVOLINK_API_KEY=... or a CI secret), then run this again. Nothing was sent.');
  return apiKey;
}

/** A session open for a run: its jobs as last seen, the progress line, and Ctrl-C. */
interface Live {
  session: HeadlessSession;
  /** Shows the progress line (a terminal only) for a run of `total` images; jobs seen before count too. */
  show(total: number, jobs?: readonly JobRecord[]): void;
  /** The progress line erased, the signal handlers removed; the elapsed time as a clock. */
  end(): string;
}

function openSession(ctx: Ctx, plan: PlanSettings): Live {
  const { args, env, out } = ctx;
  const apiKey = requireKey(ctx);
  const { baseUrl, filesBaseUrl } = providerAddresses(args, env);
  for (const [name, u] of [['--base-url', baseUrl], ['--files-base-url', filesBaseUrl]]) {
    try {
      new URL(u!);
    } catch {
      throw new Exit(USAGE, `${name} is not a URL: ${u}`);
    }
  }
  const session = new HeadlessSession({
    root: ctx.root, stateDir: ctx.state, claimsDir: claimsDir(ctx.host), apiKey, baseUrl, filesBaseUrl, userAgent: `pictor-cli/${manifest.version}`,
    guards: ctx.guards, settings: plan, destination: ctx.settings.destination, concurrency: args.concurrency ?? 4, log: (msg) => out.say(msg),
  });
  const jobs = new Map<string, JobRecord>();
  const started = Date.now();
  let total = 0;
  session.onEvent((e) => {
    jobs.set(e.job.id, e.job);
    const what = jobLabel(ctx.root, e.job);
    // On a terminal the progress line says what was sent; a log gets a line per task.
    if (e.type === 'created' && !out.screen.tty) out.say(`${what}: sent (task ${e.job.taskId})`);
    else if (e.type === 'failed' || e.type === 'timed_out') out.warn(`${what}: ${e.type === 'failed' ? 'failed' : 'timed out'}: ${errorText(e.job.error)}`);
    out.screen.redraw();
  });
  const tally = (): Tally => {
    let done = 0;
    let running = 0;
    let failed = 0;
    for (const j of jobs.values()) {
      if (j.state === 'completed') done += (j.files ?? []).filter((f) => f.placed).length || (j.body.n ?? 1);
      else if (isActive(j)) running++;
      else if (isFinal(j)) failed++;
    }
    return { total: Math.max(total, done), done, running, failed, elapsedMs: Date.now() - started };
  };
  // Ctrl-C or a stop: the tasks sent stay stored (resume places them); nothing more is waited for.
  const stop = (signal: NodeJS.Signals) => {
    out.screen.stop();
    const open = [...jobs.values()].filter((j) => !isFinal(j)).length;
    const again = args.command === 'fill' ? `pictor resume (or the same pictor fill)` : 'pictor resume';
    out.warn(`pictor: interrupted (${signal}). ${open} task(s) sent and kept: run ${again} to wait for them and place their images; nothing is sent again.`);
    ctx.report.exitCode = INTERRUPTED;
    ctx.report.problems.push(`interrupted (${signal})`);
    if (args.json) process.stdout.write(`${JSON.stringify(ctx.report, null, 2)}\n`);
    process.exit(INTERRUPTED);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    session,
    show: (t, seen = []) => {
      total = t;
      for (const j of seen) jobs.set(j.id, j);
      out.screen.start(tally);
    },
    end: () => {
      out.screen.stop();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      return clock(Date.now() - started);
    },
  };
}

/** A job as a person reads it: its page and prompt, or the prompt of its own. */
function jobLabel(root: string, job: JobRecord): string {
  const meta = job.target.meta;
  if (isHeadlessMeta(meta)) return `${slash(root, meta.page)}: "${meta.prompt}"`;
  if (isGenerateMeta(meta)) return `"${meta.prompt}"`;
  return job.id;
}

/** `pictor generate "PROMPT"`: one prompt planned with the editor's rules, sent, its images saved and linked. */
async function generate(ctx: Ctx): Promise<number> {
  const { args, out, report } = ctx;
  const prompt = args.paths[0]!;
  const planned = await planPrompt(ctx.root, ctx.settings.plan, { prompt, call: callOf(args), references: args.references, ...(args.out !== undefined ? { out: args.out } : {}), cwd: ctx.cwd });
  if (!planned.ok) {
    report.problems.push(planned.message);
    // A folder or a file that is not there or not inside is a mistake in the call; the rest the provider would refuse.
    throw new Exit(planned.reason === 'out' || planned.reason === 'reference' ? USAGE : FAILED, `Not sent (${planned.reason}): ${planned.message}`);
  }
  const r = planned.request;
  const o = r.options;
  const size = r.figures.size ? formatSize(r.figures.size) : 'auto';
  const item: ReportItem = {
    line: 0, prompt, status: 'planned',
    options: { size: o.values.size, resolution: o.values.resolution, quality: o.values.quality, n: o.values.n, ...(o.values.style ? { style: o.values.style } : {}) },
    from: { ...o.from }, size, images: r.figures.images, cost: round2(r.figures.cost),
  };
  report.generated = { out: slash(ctx.root, planned.out), item, images: [] };
  report.bill = { images: r.figures.images, cost: round2(r.figures.cost) };
  if (args.dryRun) {
    report.summary.planned = 1;
    out.say(`"${prompt}"  ${size} · ${o.values.quality} · n=${o.values.n} · cost ${item.cost} -> ${slash(ctx.root, planned.out)}/. Nothing was sent.`, true);
    return OK;
  }
  requireKey(ctx);
  const approval = await approvalFor(ctx, report.bill, [{ size, images: r.figures.images }]);
  const live = openSession(ctx, ctx.settings.plan);
  let result: GenerateResult;
  try {
    live.show(r.figures.images);
    result = await (await live.session.submitPrompt(planned, approval)).done;
  } finally {
    live.end();
    await live.session.close();
  }
  const links = result.links;
  report.generated.images = result.files.map((f, i) => ({ ...f, link: links[i]! }));
  if (result.job.state !== 'completed' || !result.files.length) {
    item.status = 'failed';
    item.message = result.error ? errorText(result.error) : result.job.state;
    report.summary.failed = 1;
    out.warn(`"${prompt}" failed: ${item.message}`);
    return FAILED;
  }
  item.status = 'filled';
  item.files = result.files.map((f) => f.path);
  if (result.notes?.length) item.notes = result.notes.map(english);
  report.summary.filled = 1;
  for (const [i, f] of result.files.entries()) out.say(`${f.path} (${f.width}×${f.height})  ${links[i]}`, true);
  for (const n of item.notes ?? []) out.say(n, true);
  return OK;
}

async function fill(ctx: Ctx): Promise<number> {
  const { args, cwd, out, report, root, settings, guards } = ctx;
  // fill's own --size … sit below each page's front matter and override comments, above the workspace's settings.
  const flags = callLayer(callOf(args));
  const planSettings: PlanSettings = flags ? { ...settings.plan, layers: [flags, ...settings.plan.layers] } : settings.plan;
  const pages = await collectPages(args.paths, cwd, root);
  const planned = await planPages(pages, planSettings);
  let requests = 0;
  for (const { page, text, plan } of planned) {
    if (!plan.requests.length && !plan.skipped.length) continue;
    const items: ReportItem[] = [];
    const line = (offset: number) => text.slice(0, offset).split('\n').length;
    for (const r of plan.requests) {
      const o = r.options;
      items.push({
        line: line(r.placeholder!.start), prompt: r.prompt, status: 'planned',
        options: {
          size: o.values.size, resolution: o.values.resolution, quality: o.values.quality, n: o.values.n, ...(o.values.style ? { style: o.values.style } : {}),
          ...(o.values.background !== 'opaque' ? { background: o.values.background } : {}),
          ...(o.values.format !== 'png' ? { format: o.values.format } : {}),
          ...(o.values.maxWidth ? { maxWidth: o.values.maxWidth } : {}),
        },
        from: { ...o.from },
        size: r.figures.size ? formatSize(r.figures.size) : 'auto', images: r.figures.images, cost: round2(r.figures.cost),
      });
    }
    for (const s of plan.skipped) items.push({ line: s.placeholder ? line(s.placeholder.start) : 0, prompt: s.prompt, status: 'skipped', reason: s.reason, message: english(s.words) });
    items.sort((a, b) => a.line - b.line);
    report.pages.push({ page: slash(root, page), placeholders: items });
    requests += plan.requests.length;
    report.bill = { images: report.bill.images + plan.bill.images, cost: round2(report.bill.cost + plan.bill.cost) };
  }
  const above = aboveGuards(report.bill, guards);
  const limits = limitsOf(report.bill, guards);

  if (args.command === 'list' || args.dryRun) {
    for (const p of report.pages) {
      for (const i of p.placeholders) {
        if (i.status === 'skipped') out.say(`${p.page}:${i.line}  "${i.prompt}"  not sent (${i.reason}): ${i.message}`, true);
        else {
          const from = Object.entries(i.from ?? {}).filter(([, f]) => f !== 'default').map(([k, f]) => `${k} from ${f === 'call' ? 'the command line' : f}`).join(', ');
          out.say(`${p.page}:${i.line}  "${i.prompt}"  ${i.size} · ${i.options!.quality} · n=${i.options!.n} · cost ${i.cost}${from ? `  (${from})` : ''}`);
        }
      }
    }
    report.summary.planned = requests;
    report.summary.skipped = report.pages.reduce((n, p) => n + p.placeholders.filter((i) => i.status === 'skipped').length, 0);
    out.say(`${requests} placeholder(s) to fill in ${report.pages.length} page(s): ${limits}.${above.images || above.cost ? ' This run is above the limits: fill would need --yes.' : ''} Nothing was sent.`, true);
    return OK;
  }

  // Everything below may send: the store of this workspace's tasks first (a run that was stopped resumes).
  const stored = (await storedJobs(ctx.state, root)).filter((j) => !isFinal(j));
  if (!requests && !stored.length) {
    const skipped = report.pages.reduce((n, p) => n + p.placeholders.filter((i) => i.status === 'skipped').length, 0);
    report.summary.skipped = skipped;
    for (const p of report.pages) for (const i of p.placeholders) out.warn(`${p.page}:${i.line}  "${i.prompt}"  not sent (${i.reason}): ${i.message}`);
    out.say(skipped ? `Nothing sent: ${skipped} placeholder(s) could not be sent.` : 'Nothing to fill.', true);
    return skipped ? FAILED : OK;
  }
  requireKey(ctx);
  const approval = await approvalFor(ctx, report.bill, report.pages.flatMap((p) => p.placeholders.filter((i) => i.status === 'planned').map((i) => ({ size: i.size!, images: i.images! }))));
  const live = openSession(ctx, planSettings);
  const session = live.session;
  const placer = session.placer;
  let reports: PageReport[] = [];
  const resumedReports: { job: JobRecord }[] = [];
  let took = '';
  try {
    // Stored unfinished jobs first: waited for and placed without a new task; they hold their claims again.
    const resumed = await session.resume();
    for (const { job: j } of resumed) out.say(`${jobLabel(root, j)}: resuming the stored task`);
    live.show(report.bill.images + resumed.reduce((n, { job }) => n + (job.body.n ?? 1), 0), resumed.map(({ job }) => job));
    const resumedDone = Promise.all(resumed.map(({ done }) => done.then((job) => { resumedReports.push({ job }); })));
    reports = await session.fill(pages, approval);
    await resumedDone;
  } finally {
    took = live.end();
    await session.close();
  }

  // The report: each page's placeholders as they ended.
  report.pages = [];
  const resumedKeys = new Set(resumedReports.flatMap(({ job }) => (isHeadlessMeta(job.target.meta) ? [`${job.target.meta.page}|${job.target.meta.prompt}`] : [])));
  for (const r of reports) {
    const items: ReportItem[] = [];
    for (const s of r.sent) {
      const ok = s.state === 'completed' && s.linked;
      items.push({
        line: 0, prompt: s.prompt, status: ok ? 'filled' : 'failed', files: s.files.map((f) => slash(root, f)), linked: s.linked,
        ...(s.notes?.length ? { notes: s.notes.map(english) } : {}),
        ...(s.error ? { message: errorText(s.error) } : s.why ? { message: `not linked: ${s.why}` } : s.state !== 'completed' ? { message: s.state } : {}),
      });
    }
    // A placeholder held by a stored task this run resumed is that task's, reported below.
    for (const s of r.skipped.filter((s) => !(s.reason === 'running' && resumedKeys.has(`${r.page}|${s.prompt}`)))) items.push({ line: s.line, prompt: s.prompt, status: 'skipped', reason: s.reason, message: english(s.words) });
    if (items.length) report.pages.push({ page: slash(root, r.page), placeholders: items });
  }
  for (const { job } of resumedReports) {
    const meta = job.target.meta;
    if (!isHeadlessMeta(meta)) continue;
    const page = slash(root, meta.page);
    let entry = report.pages.find((p) => p.page === page);
    if (!entry) report.pages.push(entry = { page, placeholders: [] });
    const ok = job.state === 'completed' && placer.outcomes.get(job.id)?.linked === true;
    entry.placeholders.push({ line: 0, prompt: meta.prompt, status: ok ? 'filled' : 'failed', files: (job.files ?? []).filter((f) => f.placed).map((f) => slash(root, f.path)), ...(job.error ? { message: errorText(job.error) } : {}) });
  }
  for (const p of report.pages) {
    for (const i of p.placeholders) {
      if (i.status === 'filled') {
        report.summary.filled++;
        out.say(`${p.page}: "${i.prompt}" -> ${i.files!.join(', ')}${i.notes?.length ? ` (${i.notes.join(' ')})` : ''}`);
      } else if (i.status === 'failed') {
        report.summary.failed++;
        out.warn(`${p.page}: "${i.prompt}" failed: ${i.message ?? ''}`);
      } else if (i.status === 'skipped') {
        report.summary.skipped++;
        out.warn(`${p.page}:${i.line}: "${i.prompt}" not sent (${i.reason}): ${i.message}`);
      }
    }
  }
  const { filled, failed, skipped } = report.summary;
  out.say(`${filled} filled, ${failed} failed, ${skipped} not sent${out.screen.tty ? ` in ${took}` : ''}.`, true);
  return failed || skipped ? FAILED : OK;
}
