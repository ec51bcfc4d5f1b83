// Filling pages without an editor: the engine's run for the faces that have none (the headless demo
// now; the terminal command and the agent server next). The same planner as the editor (plan.ts: page
// options, override comments, the style, the provider's rules), the same queue and money gate, the
// same destinations, never-overwrite names and recipes, and links put in by placeholder identity
// through the plain-files workspace (filesWorkspace.ts). It shows nothing: it returns a report.

import { existsSync, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { resolveDestination } from './destination';
import { fileBaseName, firstFreeName } from './fileNames';
import { FilesWorkspace, identityOf, type PlaceholderIdentity } from './filesWorkspace';
import type { JobQueue } from './jobs';
import type { JobRecord } from './store';
import { markdownImage, relativeLink } from './markdownEdits';
import { atOrInside, realInside, targetInside } from './paths';
import { scanMarkdown } from './placeholders';
import type { Approval } from './money';
import { plan, planPage, type CallOptions, type Plan, type PlannedRequest, type PlanSettings, type SkipReason } from './plan';
import { makeRecipe, sidecarPath, stampStagedImage } from './recipe';
import { finishImage, savedWords } from './finish';
import { readLook, type Look } from './look';
import { FORMAT_EXTENSION } from './convert';
import type { DownloadedImage, ReferenceInput } from './types';
import { withReference, type ValidRequest } from './request';
import { shorten } from '../shared/text';
import type { MarkdownScan } from './placeholders';
import { english, errorOf, said, words, type Words } from '../shared/words';
import type { Finished } from './finish';
import type { OpaqueOriginals } from './originals';
import { firstImageReference } from './pageReferences';

/** What a job of a headless run carries to its finalize: the page and the placeholder it fills. */
export interface HeadlessMeta {
  headless: 1;
  page: string;
  identity: PlaceholderIdentity;
  alt: string;
  prompt: string;
  style: string;
  /** The placeholder's claim (core/claims.ts), so a run that resumes this job holds it again. */
  claim?: { key: string; owner: string };
  /** The references it sent (its own, the page's, `styleFrom: first`'s), for the recipe (Regenerate sends them again). */
  references?: ReferenceInput[];
  /** What the image is made into after the download (issue 24); absent: as the provider sent it. */
  look?: Look;
}

export function isHeadlessMeta(x: unknown): x is HeadlessMeta {
  const m = x as HeadlessMeta | null;
  return typeof m === 'object' && m !== null && m.headless === 1 && typeof m.page === 'string' && typeof m.alt === 'string';
}

/** What a job of a prompt of its own (`pictor generate`, an agent's generate) carries: a folder, no page. */
export interface GenerateMeta {
  headless: 1;
  kind: 'generate';
  /** The folder (absolute, inside the workspace) its images are saved in. */
  out: string;
  prompt: string;
  style: string;
  /** The references as given (local files by absolute path), for the recipe. */
  references?: ReferenceInput[];
  /** The process that sent it: another run leaves its job alone while that process lives. */
  runner?: { pid: number; host: string };
  look?: Look;
}

export function isGenerateMeta(x: unknown): x is GenerateMeta {
  const m = x as GenerateMeta | null;
  return typeof m === 'object' && m !== null && m.headless === 1 && m.kind === 'generate' && typeof m.out === 'string' && typeof m.prompt === 'string';
}

/** A job of a face without an editor: a placeholder's or a prompt's of its own. */
export function isHeadlessJob(x: unknown): x is HeadlessMeta | GenerateMeta {
  return isHeadlessMeta(x) || isGenerateMeta(x);
}

export interface PageReport {
  page: string;
  /** One per placeholder sent: its job, the files saved (workspace paths) and whether the page links them. */
  sent: { prompt: string; jobId: string; state: string; files: string[]; linked: boolean; why?: string; error?: { message: string; words?: Words }; notes?: Words[] }[];
  /** Placeholders left out, each with its reason code and words. */
  skipped: { prompt: string; line: number; reason: SkipReason; words: Words }[];
}

export interface HeadlessOptions {
  /** The workspace folder: destinations are relative to it, nothing is written outside it. */
  root: string;
  settings: PlanSettings;
  /** `pictor.destination` patterns. */
  destination: Record<string, string>;
  queue: JobQueue<HeadlessMeta | GenerateMeta>;
  /** Where the queue downloads before the images are placed. */
  stagingDir: string;
  log?: (msg: string) => void;
  /** What the user said yes to for the whole run (the cost question's answer), put on each job. */
  approval?: Approval;
  /**
   * Takes the placeholder's claim (core/claims.ts) before it is submitted, so another face or run never
   * sends it too. Returns the claim and its release (called once the job is final), or undefined when
   * it is held elsewhere: then it is left out as `running`. Absent: nothing is claimed.
   */
  claim?: (page: string, source: string) => Promise<{ key: string; owner: string; release: () => Promise<void> } | undefined>;
  /**
   * One placeholder only (an agent's generate_image with a page and a placeholder): the first whose
   * prompt reads `prompt` (spaces folded), planned with the call's options above the page's and
   * with these references. Absent: every placeholder, with the page's options.
   */
  pick?: PickedPlaceholder;
}

export interface PickedPlaceholder {
  prompt: string;
  call?: CallOptions;
  references?: ReferenceInput[];
}

const folded = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The plan of one picked placeholder of a page (headless pick): undefined when the page has no such placeholder. */
export function planPicked(page: PlannedPage, settings: PlanSettings, pick: PickedPlaceholder): Plan | undefined {
  const placeholder = page.scan.placeholders.find((p) => !p.empty && folded(p.prompt) === folded(pick.prompt));
  if (!placeholder) return undefined;
  return plan({
    page: { text: page.text, scan: page.scan, path: page.page }, settings, ...(pick.call ? { call: pick.call } : {}),
    items: [{ prompt: placeholder.prompt, placeholder, ...(pick.references?.length ? { references: pick.references } : {}) }],
  });
}

/**
 * Puts a finished job's images in place and links them: the queue's finalize hook of a headless run.
 * Each image goes where `pictor.destination` says under a free name (never over a file), stamped with
 * its recipe; then the placeholder is filled by its identity. A page that no longer has it keeps its
 * text: the images stay saved and the report says why.
 */
export class HeadlessPlacer {
  readonly pages = new FilesWorkspace();
  /**
   * The identity each job's placeholder has now, by job id: the object the files workspace follows (a
   * twin filled before it moves it up), where the job's own stored copy would still say where it was.
   */
  private readonly identities = new Map<string, PlaceholderIdentity>();
  /** How each job's images were linked, by job id. */
  readonly outcomes = new Map<string, { linked: boolean; why?: string }>();
  /** What each job's images were told about their look (kept opaque and why; the bytes saved), by job id. */
  readonly notes = new Map<string, Words[]>();

  /**
   * `destination`: `pictor.destination`, read when a job is placed (a long-lived face re-reads its settings).
   * `originals`: where the opaque original of an image made transparent is kept (originals.ts), to be sent
   * whenever it is a reference; absent: not kept.
   */
  constructor(private readonly root: string, public destination: Record<string, string>, private readonly log: (msg: string) => void = () => undefined,
    private readonly originals?: OpaqueOriginals) {}

  /** Links `jobId`'s images by `identity`, an identity the files workspace follows (pages.follow). */
  bind(jobId: string, identity: PlaceholderIdentity): void {
    this.identities.set(jobId, identity);
  }

  async finalize(job: JobRecord, files: DownloadedImage[]): Promise<DownloadedImage[]> {
    const meta = job.target.meta;
    if (isGenerateMeta(meta)) return this.saveGenerated(job, files, meta);
    if (!isHeadlessMeta(meta)) return files;
    const source = { prompt: meta.prompt, style: meta.style, ...(Array.isArray(meta.references) && meta.references.length ? { references: meta.references } : {}) };
    const placed = await this.saveAll(job, files, fileBaseName(meta.alt), readLook(meta.look), source, async (name, ext) => {
      const d = resolveDestination({ documentPath: meta.page, workspaceFolder: this.root, patterns: this.destination, fileName: name, ext });
      if (!d.ok) throw errorOf(d.words);
      await fs.mkdir(d.dir, { recursive: true });
      const inside = await targetInside(d.dir, this.root, 'existing');
      if (!inside.ok) throw errorOf(words('place.outside', d.dir, String(inside.real ?? this.root)));
      return d.file;
    });
    const links = placed.map((f) => relativeLink(meta.page, f.path));
    const r = await this.pages.fill(meta.page, this.identities.get(job.id) ?? meta.identity, meta.alt, links);
    this.identities.delete(job.id);
    this.outcomes.set(job.id, r.ok ? { linked: true } : { linked: false, why: r.reason });
    if (!r.ok) this.log(`${path.relative(this.root, meta.page)}: "${meta.alt}" was not linked (${r.reason}); its images are saved`);
    return placed;
  }

  /**
   * A prompt's own images: each saved in its folder (inside the workspace) under a readable free name
   * with its recipe; no page is touched. The job's files are where they were saved.
   */
  private async saveGenerated(job: JobRecord, files: DownloadedImage[], meta: GenerateMeta): Promise<DownloadedImage[]> {
    const base = fileBaseName(meta.prompt);
    // The folder's way must stay inside before anything is made on it (a link may lead out).
    if (!existsSync(meta.out)) {
      const way = await targetInside(meta.out, this.root, 'new');
      if (!way.ok) throw errorOf(words('place.outside', meta.out, String(way.real ?? this.root)));
      await fs.mkdir(meta.out, { recursive: true });
    }
    const inside = await targetInside(meta.out, this.root, 'existing');
    if (!inside.ok) throw errorOf(words('place.outside', meta.out, String(inside.real ?? this.root)));
    const source = { prompt: meta.prompt, style: meta.style, ...(meta.references ? { references: meta.references } : {}) };
    const placed = await this.saveAll(job, files, base, readLook(meta.look), source, async (name, ext) => path.join(meta.out, `${name}.${ext}`));
    this.outcomes.set(job.id, { linked: false });
    return placed;
  }

  /**
   * Each image not yet placed: its look made (finish.ts), then saved with its recipe where `target`
   * names it (`base`, numbered when there are several, with the format's extension).
   */
  private async saveAll(job: JobRecord, files: DownloadedImage[], base: string, look: Look | undefined,
    source: { prompt: string; style: string; references?: ReferenceInput[] }, target: (name: string, ext: string) => Promise<string>): Promise<DownloadedImage[]> {
    const placed: DownloadedImage[] = [];
    for (const [i, staged] of files.entries()) {
      if (staged.placed) {
        placed.push(staged);
        continue;
      }
      const done = await this.finish(job, staged, look);
      const file = await target(files.length > 1 ? `${base}-${i + 1}` : base, FORMAT_EXTENSION[done.file.type]);
      placed.push(await this.save(job, done.file, file, { index: i, count: files.length }, { ...source, ...this.lookSource(look, done) }, done.original));
    }
    return placed;
  }

  /** The staged image with its look (finish.ts); what the user should hear of it goes to the job's notes. */
  private async finish(job: JobRecord, staged: DownloadedImage, look: Look | undefined): Promise<Finished> {
    const done = await finishImage(staged, look);
    const told = [done.note, savedWords(done)].filter((w): w is Words => w !== undefined);
    if (told.length) this.notes.set(job.id, [...(this.notes.get(job.id) ?? []), ...told]);
    if (done.note) this.log(`${path.basename(staged.path)}: ${english(done.note)}`);
    return done;
  }

  private lookSource(look: Look | undefined, done: Finished): { look?: Look; keyed?: boolean } {
    return look ? { look, ...(done.keyed ? { keyed: done.keyed.ok } : {}) } : {};
  }

  /** One staged image stamped with its recipe and copied to the first free name from `file` (never over a file). */
  private async save(job: JobRecord, staged: DownloadedImage, file: string, image: { index: number; count: number },
    src: { prompt: string; style: string; references?: ReferenceInput[]; look?: Look; keyed?: boolean }, original?: string): Promise<DownloadedImage> {
    const recipe = makeRecipe({ body: job.body, taskId: job.taskId, createdAt: job.createdAt, ...src }, file, image);
    const { bytes, sidecar } = await stampStagedImage(staged.path, staged.type, recipe);
    // Never over an existing file: the first free name, taken with an exclusive copy.
    const target = await firstFreeName(file, async (candidate) => {
      const gate = await targetInside(candidate, this.root, 'new');
      if (!gate.ok) return 'taken';
      try {
        await fs.copyFile(staged.path, candidate, fs.constants.COPYFILE_EXCL);
        return 'done';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'taken';
        throw e;
      }
    }, 50);
    if (!target) throw errorOf(words('place.noFreeName', path.basename(file)));
    if (sidecar) await fs.copyFile(sidecar, sidecarPath(target), fs.constants.COPYFILE_EXCL).catch(() => undefined);
    await fs.rm(staged.path, { force: true });
    // Made transparent: its opaque original is what a reference to it sends (originals.ts).
    if (original && src.keyed && this.originals) await this.originals.keep(target, original);
    if (original) await fs.rm(original, { force: true });
    if (sidecar) await fs.rm(sidecar, { force: true });
    this.log(`saved ${path.relative(this.root, target)} (${staged.width}×${staged.height})`);
    return { ...staged, bytes, path: target, placed: true };
  }
}

/** The 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A page as planned: its text when read, its scan and its plan. */
export interface PlannedPage {
  page: string;
  text: string;
  scan: MarkdownScan;
  plan: Plan;
}

/** Plans each page once, as fillPages does: what `list` and a dry run show, and the cost question's bill. */
export async function planPages(pages: readonly string[], settings: PlanSettings, workspace: FilesWorkspace = new FilesWorkspace()): Promise<PlannedPage[]> {
  const out: PlannedPage[] = [];
  for (const page of pages) {
    const { text } = await workspace.read(page);
    const scan = scanMarkdown(text);
    out.push({ page, text, scan, plan: planPage({ page: { text, scan, path: page }, settings }) });
  }
  return out;
}

/** One job a headless run submitted: its page and prompt, and the promise of its end (its claim released then). */
export interface SubmittedJob {
  page: string;
  prompt: string;
  jobId: string;
  /** Settles once the job is final and its claim released; never rejects (a stopped queue: undefined). */
  done: Promise<JobRecord | undefined>;
}

/** What submitPages returns: one report per page (its skipped items; `sent` is filled by waitPages) and the jobs. */
export interface SubmittedPages {
  reports: PageReport[];
  jobs: SubmittedJob[];
}

/**
 * Plans each page once and submits every request to the queue (its money gate decides before each
 * create), without waiting: the jobs go on, placed by the placer (the queue's finalize hook), whether
 * or not anybody waits for them. Each claim is released once its job is final.
 */
export async function submitPages(pages: readonly string[], opts: HeadlessOptions, placer: HeadlessPlacer): Promise<SubmittedPages> {
  const reports: PageReport[] = [];
  const jobs: SubmittedJob[] = [];
  for (const planned of await planPages(pages, opts.settings, placer.pages)) {
    const { page, text, scan } = planned;
    const report: PageReport = { page, sent: [], skipped: [] };
    reports.push(report);
    if (!scan.placeholders.length) continue;
    const p = opts.pick ? planPicked(planned, opts.settings, opts.pick) : planned.plan;
    if (!p) continue;
    for (const s of p.skipped) {
      report.skipped.push({ prompt: s.prompt, line: s.placeholder ? lineOf(text, s.placeholder.start) : 0, reason: s.reason, words: s.words });
    }
    const send = async (r: PlannedRequest, request: ValidRequest): Promise<SubmittedJob | undefined> => {
      const placeholder = r.placeholder!;
      const claim = opts.claim ? await opts.claim(page, text.slice(placeholder.start, placeholder.end)) : undefined;
      const release = claim?.release;
      if (opts.claim && !claim) {
        report.skipped.push({ prompt: r.prompt, line: lineOf(text, placeholder.start), reason: 'running', words: words('plan.running') });
        return undefined;
      }
      const identity = placer.pages.follow(page, identityOf(text, placeholder, scan.placeholders));
      const meta: HeadlessMeta = {
        headless: 1, page, identity, alt: placeholder.alt, prompt: r.prompt, style: r.style, look: r.look,
        ...(request.references.length ? { references: request.references } : {}),
        ...(claim ? { claim: { key: claim.key, owner: claim.owner } } : {}),
      };
      let job: JobRecord;
      try {
        job = await opts.queue.submit(request.body, { dir: opts.stagingDir, baseName: fileBaseName(r.prompt), meta }, request.references, opts.approval);
      } catch (e) {
        await release?.();
        throw e;
      }
      const done = opts.queue.wait(job.id).then((end) => end, () => undefined).then(async (end) => {
        await release?.().catch(() => undefined);
        return end;
      });
      placer.bind(job.id, identity);
      const submitted = { page, prompt: r.prompt, jobId: job.id, done };
      jobs.push(submitted);
      return submitted;
    };
    const leaders = new Map<number, SubmittedJob | undefined>();
    for (const r of p.requests) {
      if (r.follows !== undefined) continue;
      leaders.set(r.index, await send(r, r.request));
    }
    // `styleFrom: first`: the first image alone first, then the others with it as a reference, at once.
    const followers = p.requests.filter((r) => r.follows !== undefined);
    for (const r of followers) {
      const first = leaders.get(r.follows!);
      const end = first && await first.done;
      const made = end?.state === 'completed' ? firstImageReference(end.files) : undefined;
      if (made) {
        await send(r, withReference(r.request, made));
        continue;
      }
      const firstPrompt = first?.prompt ?? p.requests.find((x) => x.index === r.follows)?.prompt ?? '';
      const why = end?.error?.words ?? (end?.error?.message !== undefined ? end.error.message : end ? end.state : english(words('plan.running')));
      report.skipped.push({ prompt: r.prompt, line: lineOf(text, r.placeholder!.start), reason: 'styleFrom', words: words('plan.firstFailed', shorten(firstPrompt, 60), why) });
    }
    // Skipped items in page order, a claim held elsewhere among them.
    report.skipped.sort((a, b) => a.line - b.line);
  }
  return { reports, jobs };
}


/** A job's line in its page's report: its state, the files placed, whether the page links them, its error. */
export function sentOf(job: JobRecord, prompt: string, placer: HeadlessPlacer): PageReport['sent'][number] {
  const outcome = placer.outcomes.get(job.id);
  return {
    prompt, jobId: job.id, state: job.state,
    files: (job.files ?? []).filter((f) => f.placed).map((f) => f.path),
    linked: Boolean(outcome?.linked),
    ...(outcome?.why ? { why: outcome.why } : {}),
    ...(placer.notes.get(job.id)?.length ? { notes: placer.notes.get(job.id) } : {}),
    ...(job.error ? { error: { message: job.error.message, ...(job.error.words ? { words: job.error.words } : {}) } } : {}),
  };
}

/** Waits for every job submitPages made and fills in the reports' `sent`. */
export async function waitPages(submitted: SubmittedPages, queue: JobQueue<HeadlessMeta | GenerateMeta>, placer: HeadlessPlacer): Promise<PageReport[]> {
  for (const j of submitted.jobs) {
    const job = (await j.done) ?? queue.get(j.jobId);
    const report = submitted.reports.find((r) => r.page === j.page)!;
    if (job) report.sent.push(sentOf(job, j.prompt, placer));
  }
  return submitted.reports;
}

/**
 * Fills every placeholder of the pages: each page planned once, every request submitted to the queue
 * (its money gate decides before each create), then waited for. The placer must be the queue's
 * finalize hook. Returns one report per page.
 */
export async function fillPages(pages: readonly string[], opts: HeadlessOptions, placer: HeadlessPlacer): Promise<PageReport[]> {
  return waitPages(await submitPages(pages, opts, placer), opts.queue, placer);
}

/** A prompt of its own to generate (`pictor generate`, an agent's generate): what the caller says. */
export interface PromptInput {
  prompt: string;
  /** The call's explicit values: above the workspace's settings. */
  call?: CallOptions;
  /** Reference images: workspace files (absolute, or relative to `cwd`) or https URLs. */
  references?: readonly string[];
  /** The folder the images are saved in (absolute, or relative to `cwd`); default `images/` under `cwd`. Inside the workspace. */
  out?: string;
  /** The folder relative paths are read from (and links are relative to, without `linkFrom`). */
  cwd: string;
  /** A page the links are made relative to (absolute, or relative to `cwd`). */
  linkFrom?: string;
}

/** A prompt planned: its request as the provider takes it, or why it is not sent. */
export type PlannedPrompt =
  | { ok: true; request: PlannedRequest; references: ReferenceInput[]; out: string; linkFrom: string }
  | { ok: false; reason: SkipReason | 'reference' | 'out'; words: Words; message: string };

/**
 * Plans a prompt of its own with the editor's rules (plan.ts: the call's values > the workspace's
 * settings > defaults, the style, the provider's limits). Reference files must lie inside the
 * workspace (checked again when they are opened for upload), and so must the output folder.
 */
export async function planPrompt(root: string, settings: PlanSettings, input: PromptInput): Promise<PlannedPrompt> {
  const refuse = (reason: SkipReason | 'reference' | 'out', w: Words): PlannedPrompt => ({ ok: false, reason, ...said(w) });
  const out = path.resolve(input.cwd, input.out ?? 'images');
  if (!atOrInside(out, root)) return refuse('out', words('generate.outOutside', out, root));
  const references: ReferenceInput[] = [];
  for (const given of input.references ?? []) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
      references.push({ kind: 'url', url: given });
      continue;
    }
    const file = path.resolve(input.cwd, given);
    const where = await realInside(file, [root]);
    if (!where.ok) {
      return refuse('reference', where.reason === 'missing' ? words('upload.cannotRead', given, 'ENOENT') : words('reference.outside', given, root));
    }
    const st = await fs.stat(where.real).catch(() => undefined);
    if (!st?.isFile()) return refuse('reference', words('upload.notFile', given));
    references.push({ kind: 'file', path: file, bytes: st.size });
  }
  const p = plan({ settings, ...(input.call ? { call: input.call } : {}), items: [{ prompt: input.prompt, ...(references.length ? { references } : {}) }] });
  const skipped = p.skipped[0];
  if (skipped) return refuse(skipped.reason, skipped.words);
  const linkFrom = input.linkFrom ? path.resolve(input.cwd, input.linkFrom) : path.join(input.cwd, 'index.md');
  return { ok: true, request: p.requests[0]!, references, out, linkFrom };
}

/** What a prompt's job ended with: the files saved (workspace paths, pixel sizes) and their Markdown links. */
export interface GenerateResult {
  job: JobRecord;
  files: { path: string; width: number; height: number }[];
  /** `![prompt](link)`, relative to the page given, else to the current folder: one per image. */
  links: string[];
  error?: { message: string; words?: Words };
  /** What the user should hear of the look (kept opaque and why; the bytes saved). */
  notes?: Words[];
}

/** Submits a planned prompt (the queue's money gate decides before the create); `done` ends with its images saved. */
export async function submitPrompt(queue: JobQueue<HeadlessMeta | GenerateMeta>, stagingDir: string, root: string, planned: Extract<PlannedPrompt, { ok: true }>, approval?: Approval,
  notes?: (jobId: string) => Words[] | undefined): Promise<{ job: JobRecord; done: Promise<GenerateResult> }> {
  const r = planned.request;
  const meta: GenerateMeta = {
    headless: 1, kind: 'generate', out: planned.out, prompt: r.prompt, style: r.style, look: r.look, runner: { pid: process.pid, host: hostname() },
    ...(planned.references.length ? { references: planned.references } : {}),
  };
  const job = await queue.submit(r.request.body, { dir: stagingDir, baseName: fileBaseName(r.prompt), meta }, r.request.references, approval);
  const done = queue.wait(job.id).then((end) => resultOf(end, root, planned.linkFrom, notes?.(job.id)));
  return { job, done };
}

/** A prompt job's result, its files relative to the workspace and links relative to `linkFrom`. */
export function resultOf(job: JobRecord, root: string, linkFrom: string, notes?: Words[]): GenerateResult {
  const meta = job.target.meta;
  const alt = isGenerateMeta(meta) ? meta.prompt : job.body.prompt;
  const placed = (job.files ?? []).filter((f) => f.placed);
  return {
    job,
    files: placed.map((f) => ({ path: path.relative(root, f.path).split(path.sep).join('/'), width: f.width, height: f.height })),
    links: placed.map((f) => markdownImage(alt, relativeLink(linkFrom, f.path))),
    ...(notes?.length ? { notes } : {}),
    ...(job.error ? { error: { message: job.error.message, ...(job.error.words ? { words: job.error.words } : {}) } } : {}),
  };
}
