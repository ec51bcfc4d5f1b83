// The agent server's answers: a job as an agent reads it (its files and links), the text of
// generate_image's answer, previews, refusals as tool results, and waiting for jobs with progress.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isGenerateMeta, isHeadlessMeta } from '../core/headless';
import { isFinal } from '../core/jobs';
import { markdownImage, relativeLink } from '../core/markdownEdits';
import { type Bill } from '../core/money';
import { makePreviewOffThread, MAX_PREVIEW_FILE_BYTES, PREVIEW_TIMEOUT_MS } from '../core/previewThread';
import { sniffImageType } from '../core/api/imageInfo';
import type { JobRecord } from '../core/store';
import { shortLine } from '../shared/text';
import { english } from '../shared/words';
import { savedWordsOf } from '../core/finish';
import { Refusal, type Workspace } from './workspace';
import type { Engine, Extra, Server } from './context';
import type { FileOut, JobOut } from './schemas';

export const shortPrompt = shortLine;

export function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A job as answers show it: its page and prompt, its state, its saved files with their links. */
export function jobOut(ws: Workspace, engine: Engine | undefined, job: JobRecord, linkFrom?: string): JobOut {
  const meta = isHeadlessMeta(job.target.meta) ? job.target.meta : undefined;
  const own = isGenerateMeta(job.target.meta) ? job.target.meta : undefined;
  const base = linkFrom ?? meta?.page ?? path.join(engine?.root.path ?? ws.roots[0]!.path, 'untitled.md');
  const alt = meta?.alt ?? own?.prompt ?? shortPrompt(job.body.prompt, 10_000);
  const files: FileOut[] = (job.files ?? []).filter((f) => f.placed).map((f) => {
    const saved = savedWordsOf(f);
    return { path: ws.relative(f.path), width: f.width, height: f.height, markdown: markdownImage(alt, relativeLink(base, f.path)), ...(saved ? { converted: english(saved) } : {}) };
  });
  const outcome = engine?.session?.placer.outcomes.get(job.id);
  // The sizes saved are on each file; the notes are what the look could not do.
  const notes = (engine?.session?.placer.notes.get(job.id) ?? []).filter((w) => w.code !== 'look.saved').map(english);
  return {
    id: job.id, state: job.state, progress: isFinal(job) && job.state === 'completed' ? 100 : Math.round(job.progress ?? 0),
    ...(meta ? { document: ws.relative(meta.page) } : {}), prompt: meta?.prompt ?? own?.prompt ?? job.body.prompt, files,
    ...(outcome ? { linked: outcome.linked } : {}),
    ...(notes.length ? { notes } : {}),
    ...(job.error ? { error: job.error.message } : {}),
  };
}

/** The lines for one job: its files, why it has none, or that it still runs. */
export function jobLines(j: JobOut): string[] {
  if (j.state === 'completed' && j.files.length) {
    return [
      ...j.files.flatMap((f) => [`- ${f.path} (${f.width}×${f.height} pixels). Markdown: ${f.markdown}`, ...(f.converted ? [`  Converted: ${f.converted}`] : [])]),
      ...(j.notes ?? []).map((n) => `  Note: ${n}`),
    ];
  }
  if (!['completed', 'failed', 'cancelled', 'timed_out', 'unknown'].includes(j.state)) return [`- Still running (${j.state}, ${j.progress}%): job ${j.id}.`];
  return [`- Failed (${j.state}): ${j.error ?? 'no image came back'}`];
}

/** All previews of one answer together get this long (each one at most PREVIEW_TIMEOUT_MS), as the editor's tools. */
const ALL_PREVIEWS_MS = 2 * PREVIEW_TIMEOUT_MS;

/**
 * A small JPEG (≤ 256 px) of each image, PNG, JPEG or WebP, for a client that asked for a preview; an
 * image that cannot be previewed has none. Each is decoded in a worker thread (previewThread.ts), never
 * on the server's, which goes on answering the client meanwhile; its type is read from its bytes.
 */
export async function previews(ws: Workspace, jobs: JobOut[]): Promise<CallToolResult['content']> {
  const out: CallToolResult['content'] = [];
  const until = Date.now() + ALL_PREVIEWS_MS;
  for (const f of jobs.flatMap((j) => j.files)) {
    const left = until - Date.now();
    if (left <= 0) break;
    try {
      const { file } = await ws.resolve(f.path, 'preview');
      if ((await fs.stat(file)).size > MAX_PREVIEW_FILE_BYTES) continue; // not read into memory at all
      const bytes = await fs.readFile(file);
      const type = sniffImageType(bytes);
      if (!type) continue;
      const p = await makePreviewOffThread(bytes, type, { timeoutMs: Math.min(left, PREVIEW_TIMEOUT_MS) });
      out.push({ type: 'image', data: Buffer.from(p.data).toString('base64'), mimeType: p.mimeType });
    } catch {
      // The text names the file; a preview is a courtesy.
    }
  }
  return out;
}

/** A refusal as a tool result: the text and the reason, marked as an error the agent can act on. */
export function refusalResult(server: Server, e: Refusal, base: Record<string, unknown>): CallToolResult {
  server.log('info', `refused (${e.reason}): ${e.message}`);
  return { content: [{ type: 'text', text: server.scrub(e.message) }], structuredContent: { ...base, refusal: { reason: e.reason, message: server.scrub(e.message) } }, isError: true };
}

/** Runs a tool body; a refusal (or an unexpected failure) becomes the answer an agent reads. */
export async function answering(server: Server, name: string, base: Record<string, unknown>, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof Refusal) return refusalResult(server, e, base);
    server.log('error', `${name} failed: ${(e as Error).message}`);
    return refusalResult(server, new Refusal('failed', `Pictor could not finish: ${(e as Error).message}`), base);
  }
}

/**
 * Waits for jobs until they end, the wait limit passes or the client cancels; reports progress where
 * the client sent a progress token. The jobs themselves go on in every case.
 */
export async function follow(server: Server, engine: Engine, ids: string[], done: Promise<unknown>[], extra: Extra): Promise<'done' | 'limit' | 'cancelled'> {
  const session = engine.session!;
  const token = extra._meta?.progressToken;
  let last = -1;
  const report = () => {
    if (token === undefined) return;
    const jobs = ids.map((id) => session.queue.get(id));
    const progress = jobs.reduce((s, j) => s + (!j ? 0 : isFinal(j) ? 100 : Math.min(99, j.progress ?? 0)), 0);
    if (progress <= last) return;
    last = progress;
    const finished = jobs.filter((j) => j && isFinal(j)).length;
    void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100 * ids.length, message: `${finished} of ${ids.length} image job(s) done` } }).catch(() => undefined);
  };
  const watching = new Set(ids);
  const sub = session.onEvent((e) => { if (watching.has(e.job.id)) report(); });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    report();
    return await Promise.race([
      Promise.all(done).then(() => 'done' as const),
      new Promise<'limit'>((resolve) => { timer = setTimeout(() => resolve('limit'), server.maxWaitMs); }),
      new Promise<'cancelled'>((resolve) => {
        if (extra.signal.aborted) resolve('cancelled');
        onAbort = () => resolve('cancelled');
        extra.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    sub.dispose();
    if (timer) clearTimeout(timer);
    if (onAbort) extra.signal.removeEventListener('abort', onAbort);
  }
}

/** generate_image's answer: the editor tool's words, the files with their links, the jobs still running. */
export async function generateAnswer(server: Server, ws: Workspace, engine: Engine, extra: Extra,
  what: { prompt: string; docRel?: string; linkFrom: string; placeholder: boolean; preview: boolean; bill: Bill }, ids: string[], done: Promise<unknown>[]): Promise<CallToolResult> {
  server.log('info', `generate_image: job(s) submitted: ${ids.join(', ')}`);
  const ended = await follow(server, engine, ids, done, extra);
  const jobs = ids.map((id) => jobOut(ws, engine, engine.session!.queue.get(id)!, what.placeholder ? undefined : what.linkFrom));
  const running = jobs.filter((j) => !['completed', 'failed', 'cancelled', 'timed_out', 'unknown'].includes(j.state)).map((j) => j.id);
  const saved = jobs.flatMap((j) => j.files);
  const relTo = what.docRel ?? 'the workspace root';
  const lines = [`Saved ${saved.length} image(s) for "${shortPrompt(what.prompt)}" (links relative to ${relTo}):`];
  for (const j of jobs) lines.push(...jobLines(j));
  if (what.placeholder && what.docRel) {
    if (jobs.some((j) => j.linked)) lines.push(`The placeholder in ${what.docRel} now links the image; nothing else on the page changed.`);
    else if (!running.length) lines.push(`The placeholder in ${what.docRel} was not filled (it was changed or removed meanwhile, or the task did not finish); insert the link above where it belongs.`);
  } else if (saved.length) lines.push('No page was edited: insert the Markdown link where the image belongs.');
  if (running.length) {
    const after = what.placeholder ? 'its images are saved and linked into the page when it finishes' : 'its images are saved when it finishes';
    lines.push(ended === 'cancelled'
      ? `Cancelled: stopped waiting. The job goes on in the Pictor server (it is paid for); ${after}. Call job_status with ids ${running.join(', ')} to see it.`
      : `Still running after ${server.maxWaitMs / 1000} s — call job_status with ids ${running.join(', ')}. The job goes on in the Pictor server; ${after}, without another call.`);
  }
  const content: CallToolResult['content'] = [{ type: 'text', text: server.scrub(lines.join('\n')) }];
  if (what.preview) content.push(...await previews(ws, jobs));
  return {
    content,
    structuredContent: { prompt: what.prompt, ...(what.docRel ? { document: what.docRel } : {}), jobs, stillRunning: running, bill: { images: what.bill.images, cost: Math.round(what.bill.cost * 100) / 100 } },
  };
}
