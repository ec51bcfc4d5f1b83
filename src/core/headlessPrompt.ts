// A prompt of its own (`pictor generate`, an agent's generate): planned with the editor's rules,
// submitted to the queue, and its result as files and Markdown links.

import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { fileBaseName } from './fileNames';
import type { JobQueue } from './jobs';
import type { JobRecord } from './store';
import { markdownImage, relativeLink } from './markdownEdits';
import { atOrInside, realInside } from './paths';
import type { Approval } from './money';
import { plan, type CallOptions, type PlannedRequest, type PlanSettings, type SkipReason } from './plan';
import type { ReferenceInput } from './types';
import { said, words, type Words } from '../shared/words';
import { isGenerateMeta, type HeadlessMeta, type GenerateMeta } from './headlessMeta';
import type { Result, Said } from '../shared/result';

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
export type PlannedPrompt = Result<{ request: PlannedRequest; references: ReferenceInput[]; out: string; linkFrom: string }, Said & { reason: SkipReason | 'reference' | 'out' }>;

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
