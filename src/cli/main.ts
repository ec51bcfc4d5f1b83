// The `pictor` command: the engine's headless run (core/headless.ts) from a terminal or CI. The same
// planner, queue, money gate, destinations, names, recipes and claims as the editor; the provider's
// addresses and the key come from this process (flags, environment), never from the repository.
// Plain lines only (no control characters), so a CI log reads as a terminal does.

import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { isGenerateMeta, isHeadlessMeta, planPages, planPrompt, type GenerateResult, type PageReport } from '../core/headless';
import { HeadlessSession, storedJobs } from '../core/headlessSession';
import { isFinal } from '../core/jobs';
import { aboveGuards, stricterGuards, type Approval, type Bill, type SpendingGuards } from '../core/money';
import { claimsDir, pictorStateDir, type StateHost } from '../core/stateDir';
import { callLayer, type CallOptions, type PlanSettings } from '../core/plan';
import type { JobRecord } from '../core/store';
import { readRecipeFile, SIDECAR_SUFFIX, type Recipe } from '../core/recipe';
import { readWorkspaceSettings, type WorkspaceSettings } from '../core/workspaceSettings';
import { formatSize } from '../shared/sizes';
import { english } from '../shared/words';
import type * as McpServerModule from '../mcp/server';
import { HELP, envNumber, parseArgs, type CliArgs } from './args';

const manifest = require('../../package.json') as { version: string; contributes: { configuration: { properties: Record<string, never> } } };

export const DEFAULT_BASE_URL = 'https://api.evolink.ai';
export const DEFAULT_FILES_BASE_URL = 'https://files-api.evolink.ai';

/** Exit codes (documented in --help and the README). */
const OK = 0;
const FAILED = 1;
const USAGE = 2;

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
}

function output(args: CliArgs): Out {
  const human = args.json ? process.stderr : process.stdout;
  return {
    say: (line, always = false) => { if (always || !args.quiet) human.write(`${plain(line)}\n`); },
    warn: (line) => process.stderr.write(`${plain(line)}\n`),
  };
}

/** The nearest folder upwards that holds `.vscode/` or `.git`, else `cwd`. */
export function findWorkspace(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.vscode')) || existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

const skipDir = (name: string) => name === 'node_modules' || name.startsWith('.');

async function markdownUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipDir(e.name)) out.push(...(await markdownUnder(p)));
    } else if (e.isFile() && /\.md$/i.test(e.name)) out.push(p);
  }
  return out;
}

/** The pages named: files as given, folders' **\/*.md, globs matched under the current folder. */
async function collectPages(paths: readonly string[], cwd: string): Promise<string[]> {
  const found = new Set<string>();
  for (const given of paths.length ? paths : ['.']) {
    const abs = path.resolve(cwd, given);
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) for (const f of await markdownUnder(abs)) found.add(f);
      else found.add(abs);
      continue;
    }
    if (!picomatch.scan(given).isGlob) throw new Exit(USAGE, `No such file or folder: ${given}`);
    const match = picomatch(given.split(path.sep).join('/'));
    const matched = (await markdownUnder(cwd)).filter((f) => match(path.relative(cwd, f).split(path.sep).join('/')));
    if (!matched.length) throw new Exit(USAGE, `No Markdown page matches ${given}`);
    for (const f of matched) found.add(f);
  }
  return [...found];
}

/** The guards of this run: flags, else the environment, else the editor's defaults; the workspace may only lower them. */
function guardsOf(args: CliArgs, env: Record<string, string | undefined>, workspace: Partial<SpendingGuards>): SpendingGuards {
  const pick = (flag: number | undefined, name: string) => {
    if (flag !== undefined) return flag;
    const e = envNumber(env, name);
    if (!e.ok) throw new Exit(USAGE, e.message);
    return e.value;
  };
  const own: Partial<SpendingGuards> = {};
  const images = pick(args.confirmAboveImages, 'PICTOR_CONFIRM_ABOVE_IMAGES');
  if (images !== undefined) own.confirmAboveImages = images;
  const cost = pick(args.confirmAboveCost, 'PICTOR_CONFIRM_ABOVE_COST');
  if (cost !== undefined) own.confirmAboveCost = cost;
  const credits = pick(args.maxCredits, 'PICTOR_MAX_CREDITS');
  if (credits !== undefined && credits > 0) own.maxCreditsPerSession = credits;
  return stricterGuards(own, workspace);
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

export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Promise<number> {
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
  // The agent server (src/mcp): its SDK is loaded only for this command.
  if (args.command === 'mcp') return (require('../mcp/server') as typeof McpServerModule).serveMcp(args, env, cwd);
  const out = output(args);
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
      ...(j.error ? { message: j.error.message } : {}),
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
  const session = openSession(ctx, ctx.settings.plan);
  const ended: JobRecord[] = [];
  try {
    const resumed = await session.resume();
    for (const { job } of resumed) out.say(`${jobLabel(root, job)}: resuming the stored task`);
    await Promise.all(resumed.map(({ done }) => done.then((job) => { ended.push(job); })));
  } finally {
    await session.close();
  }
  for (const job of ended) {
    const meta = job.target.meta;
    const ok = job.state === 'completed' && (isGenerateMeta(meta) || session.placer.outcomes.get(job.id)?.linked === true);
    const files = (job.files ?? []).filter((f) => f.placed).map((f) => slash(root, f.path));
    const item: ReportItem = { line: 0, prompt: isHeadlessMeta(meta) || isGenerateMeta(meta) ? meta.prompt : job.body.prompt, status: ok ? 'filled' : 'failed', files, ...(job.error ? { message: job.error.message } : {}) };
    const page = isHeadlessMeta(meta) ? slash(root, meta.page) : isGenerateMeta(meta) ? `${slash(root, meta.out)}/` : '';
    let entry = report.pages.find((p) => p.page === page);
    if (!entry) report.pages.push(entry = { page, placeholders: [] });
    entry.placeholders.push(item);
    if (ok) report.summary.filled++;
    else report.summary.failed++;
    if (ok) out.say(`${jobLabel(root, job)} -> ${files.join(', ')}`);
    else out.warn(`${jobLabel(root, job)} failed: ${item.message ?? job.state}`);
  }
  out.say(`${report.summary.filled} filled, ${report.summary.failed} failed.`, true);
  return report.summary.failed ? FAILED : OK;
}

/** The call's options given as flags (`--size`, `--resolution`, `--quality`, `-n`). */
function callOf(args: CliArgs): CallOptions {
  return {
    ...(args.size !== undefined ? { size: args.size } : {}),
    ...(args.resolution !== undefined ? { resolution: args.resolution } : {}),
    ...(args.quality !== undefined ? { quality: args.quality } : {}),
    ...(args.n !== undefined ? { n: args.n } : {}),
  };
}

/** The cost question's answer for a bill: none needed, `--yes`, or refused naming `--yes` and the limits. */
function approvalFor(ctx: Ctx, bill: Bill): Approval | undefined {
  const above = aboveGuards(bill, ctx.guards);
  if (!above.images && !above.cost) return undefined;
  if (!ctx.args.yes) throw new Exit(FAILED, `This run would bill ${limitsOf(bill, ctx.guards)} (--confirm-above-images, --confirm-above-cost). Nothing was sent: run again with --yes to send it.`);
  return { images: bill.images, cost: bill.cost };
}

const limitsOf = (bill: Bill, guards: SpendingGuards) => `${bill.images} image(s), relative cost ${bill.cost}; the limits are ${guards.confirmAboveImages} images and cost ${guards.confirmAboveCost}`;

/** The session of a run that may send: the key from the environment, the provider's addresses from flags or the environment. */
function requireKey(ctx: Ctx): string {
  const apiKey = ctx.env.EVOLINK_API_KEY?.trim();
  if (!apiKey) throw new Exit(USAGE, 'No API key: set the EVOLINK_API_KEY environment variable to your EvoLink API key (e.g. export EVOLINK_API_KEY=... or a CI secret), then run this again. Nothing was sent.');
  return apiKey;
}

function openSession(ctx: Ctx, plan: PlanSettings): HeadlessSession {
  const { args, env } = ctx;
  const apiKey = requireKey(ctx);
  const baseUrl = args.baseUrl ?? env.PICTOR_BASE_URL ?? DEFAULT_BASE_URL;
  const filesBaseUrl = args.filesBaseUrl ?? env.PICTOR_FILES_BASE_URL ?? DEFAULT_FILES_BASE_URL;
  for (const [name, u] of [['--base-url', baseUrl], ['--files-base-url', filesBaseUrl]]) {
    try {
      new URL(u!);
    } catch {
      throw new Exit(USAGE, `${name} is not a URL: ${u}`);
    }
  }
  const session = new HeadlessSession({
    root: ctx.root, stateDir: ctx.state, claimsDir: claimsDir(ctx.host), apiKey, baseUrl, filesBaseUrl, userAgent: `pictor-cli/${manifest.version}`,
    guards: ctx.guards, settings: plan, destination: ctx.settings.destination, concurrency: args.concurrency ?? 4, log: (msg) => ctx.out.say(msg),
  });
  session.onEvent((e) => {
    const what = jobLabel(ctx.root, e.job);
    if (e.type === 'created') ctx.out.say(`${what}: sent (task ${e.job.taskId})`);
    else if (e.type === 'failed' || e.type === 'timed_out') ctx.out.warn(`${what}: ${e.type === 'failed' ? 'failed' : 'timed out'}: ${e.job.error?.message ?? ''}`);
  });
  return session;
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
  const approval = approvalFor(ctx, report.bill);
  const session = openSession(ctx, ctx.settings.plan);
  let result: GenerateResult;
  try {
    result = await (await session.submitPrompt(planned, approval)).done;
  } finally {
    await session.close();
  }
  const links = result.links;
  report.generated.images = result.files.map((f, i) => ({ ...f, link: links[i]! }));
  if (result.job.state !== 'completed' || !result.files.length) {
    item.status = 'failed';
    item.message = result.error?.message ?? result.job.state;
    report.summary.failed = 1;
    out.warn(`"${prompt}" failed: ${item.message}`);
    return FAILED;
  }
  item.status = 'filled';
  item.files = result.files.map((f) => f.path);
  report.summary.filled = 1;
  for (const [i, f] of result.files.entries()) out.say(`${f.path} (${f.width}×${f.height})  ${links[i]}`, true);
  return OK;
}

async function fill(ctx: Ctx): Promise<number> {
  const { args, cwd, out, report, root, settings, guards } = ctx;
  // fill's own --size … sit below each page's front matter and override comments, above the workspace's settings.
  const flags = callLayer(callOf(args));
  const planSettings: PlanSettings = flags ? { ...settings.plan, layers: [flags, ...settings.plan.layers] } : settings.plan;
  const pages = await collectPages(args.paths, cwd);
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
        options: { size: o.values.size, resolution: o.values.resolution, quality: o.values.quality, n: o.values.n, ...(o.values.style ? { style: o.values.style } : {}) },
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
  const approval = approvalFor(ctx, report.bill);
  const session = openSession(ctx, planSettings);
  const placer = session.placer;
  let reports: PageReport[] = [];
  const resumedReports: { job: JobRecord }[] = [];
  try {
    // Stored unfinished jobs first: waited for and placed without a new task; they hold their claims again.
    const resumed = await session.resume();
    for (const { job: j } of resumed) out.say(`${jobLabel(root, j)}: resuming the stored task`);
    const resumedDone = Promise.all(resumed.map(({ done }) => done.then((job) => { resumedReports.push({ job }); })));
    reports = await session.fill(pages, approval);
    await resumedDone;
  } finally {
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
        ...(s.error ? { message: s.error.message } : s.why ? { message: `not linked: ${s.why}` } : s.state !== 'completed' ? { message: s.state } : {}),
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
    entry.placeholders.push({ line: 0, prompt: meta.prompt, status: ok ? 'filled' : 'failed', files: (job.files ?? []).filter((f) => f.placed).map((f) => slash(root, f.path)), ...(job.error ? { message: job.error.message } : {}) });
  }
  for (const p of report.pages) {
    for (const i of p.placeholders) {
      if (i.status === 'filled') {
        report.summary.filled++;
        out.say(`${p.page}: "${i.prompt}" -> ${i.files!.join(', ')}`);
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
  out.say(`${filled} filled, ${failed} failed, ${skipped} not sent.`, true);
  return failed || skipped ? FAILED : OK;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`pictor: ${(e as Error).message}\n`);
    process.exitCode = FAILED;
  });
}
