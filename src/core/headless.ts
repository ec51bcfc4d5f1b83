// Filling pages without an editor: the engine's run for the faces that have none (the headless demo
// now; the terminal command and the agent server next). The same planner as the editor (plan.ts: page
// options, override comments, the style, the provider's rules), the same queue and money gate, the
// same destinations, never-overwrite names and recipes, and links put in by placeholder identity
// through the plain-files workspace (filesWorkspace.ts). It shows nothing: it returns a report.//
// Rooms beside it: headlessMeta.ts (what a job carries), headlessPlacer.ts (the finalize hook),
// headlessPrompt.ts (a prompt of its own). Importers use this module.

import { fileBaseName } from './fileNames';
import { FilesWorkspace, identityOf } from './filesWorkspace';
import type { JobQueue } from './jobs';
import type { JobRecord } from './store';
import { scanMarkdown } from './placeholders';
import type { Approval } from './money';
import { plan, planPage, type CallOptions, type Plan, type PlannedRequest, type PlanSettings, type SkipReason } from './plan';
import type { ReferenceInput } from './types';
import { withReference, type ValidRequest } from './request';
import { shorten } from '../shared/text';
import type { MarkdownScan } from './placeholders';
import { english, words, type Words } from '../shared/words';
import { firstImageReference } from './pageReferences';
import { type HeadlessMeta, type GenerateMeta } from './headlessMeta';
import { HeadlessPlacer } from './headlessPlacer';

export * from './headlessMeta';
export { HeadlessPlacer } from './headlessPlacer';
export * from './headlessPrompt';

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
