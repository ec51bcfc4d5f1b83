// The `pictor` command: the engine's headless run (core/headless.ts) from a terminal or CI. The same
// planner, queue, money gate, destinations, names, recipes and claims as the editor; the provider's
// addresses and the key come from this process (flags, environment), never from the repository.
// Plain lines only (no control characters), so a CI log reads as a terminal does.

import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { isHeadlessMeta, planPages, type PageReport } from '../core/headless';
import { HeadlessSession, storedJobs } from '../core/headlessSession';
import { isFinal } from '../core/jobs';
import { aboveGuards, stricterGuards, type Approval, type Bill, type SpendingGuards } from '../core/money';
import { claimsDir, pictorStateDir } from '../core/stateDir';
import type { JobRecord } from '../core/store';
import { readWorkspaceSettings } from '../core/workspaceSettings';
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

async function run(args: CliArgs, env: Record<string, string | undefined>, cwd: string, out: Out, report: JsonReport): Promise<number> {
  const root = path.resolve(cwd, args.workspace ?? findWorkspace(cwd));
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Exit(USAGE, `The workspace ${root} is not a folder.`);
  report.workspace = root;
  const settings = await readWorkspaceSettings(root, manifest.contributes.configuration.properties);
  for (const p of settings.problems) {
    if (p.code === 'setting.fileUnreadable') throw new Exit(USAGE, english(p));
    out.warn(`setting: ${english(p)}`);
    report.problems.push(english(p));
  }
  const guards = guardsOf(args, env, settings.guards);
  report.guards = guards;
  const pages = await collectPages(args.paths, cwd);
  const planned = await planPages(pages, settings.plan);
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
  const limits = `${report.bill.images} image(s), relative cost ${report.bill.cost}; the limits are ${guards.confirmAboveImages} images and cost ${guards.confirmAboveCost}`;

  if (args.command === 'list' || args.dryRun) {
    for (const p of report.pages) {
      for (const i of p.placeholders) {
        if (i.status === 'skipped') out.say(`${p.page}:${i.line}  "${i.prompt}"  not sent (${i.reason}): ${i.message}`, true);
        else {
          const from = Object.entries(i.from ?? {}).filter(([, f]) => f !== 'default').map(([k, f]) => `${k} from ${f}`).join(', ');
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
  const host = { env, platform: process.platform, home: os.homedir(), cwd };
  const state = pictorStateDir(host);
  const stored = (await storedJobs(state, root)).filter((j) => !isFinal(j));
  if (!requests && !stored.length) {
    const skipped = report.pages.reduce((n, p) => n + p.placeholders.filter((i) => i.status === 'skipped').length, 0);
    report.summary.skipped = skipped;
    for (const p of report.pages) for (const i of p.placeholders) out.warn(`${p.page}:${i.line}  "${i.prompt}"  not sent (${i.reason}): ${i.message}`);
    out.say(skipped ? `Nothing sent: ${skipped} placeholder(s) could not be sent.` : 'Nothing to fill.', true);
    return skipped ? FAILED : OK;
  }
  const apiKey = env.EVOLINK_API_KEY?.trim();
  if (!apiKey) throw new Exit(USAGE, 'No API key: set the EVOLINK_API_KEY environment variable to your EvoLink API key (e.g. export EVOLINK_API_KEY=... or a CI secret), then run this again. Nothing was sent.');
  let approval: Approval | undefined;
  if (above.images || above.cost) {
    if (!args.yes) throw new Exit(FAILED, `This run would bill ${limits} (--confirm-above-images, --confirm-above-cost). Nothing was sent: run again with --yes to send it.`);
    approval = { images: report.bill.images, cost: report.bill.cost };
  }

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
    root, stateDir: state, claimsDir: claimsDir(host), apiKey, baseUrl, filesBaseUrl, userAgent: `pictor-cli/${manifest.version}`,
    guards, settings: settings.plan, destination: settings.destination, concurrency: args.concurrency ?? 4, log: (msg) => out.say(msg),
  });
  const placer = session.placer;
  session.onEvent((e) => {
    const meta = e.job.target.meta;
    const what = isHeadlessMeta(meta) ? `${slash(root, meta.page)}: "${meta.prompt}"` : e.job.id;
    if (e.type === 'created') out.say(`${what}: sent (task ${e.job.taskId})`);
    else if (e.type === 'failed' || e.type === 'timed_out') out.warn(`${what}: ${e.type === 'failed' ? 'failed' : 'timed out'}: ${e.job.error?.message ?? ''}`);
  });
  let reports: PageReport[] = [];
  const resumedReports: { job: JobRecord }[] = [];
  try {
    // Stored unfinished jobs first: waited for and placed without a new task; they hold their claims again.
    const resumed = await session.resume();
    for (const { job: j } of resumed) out.say(`${isHeadlessMeta(j.target.meta) ? `${slash(root, j.target.meta.page)}: "${j.target.meta.prompt}"` : j.id}: resuming the stored task`);
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
