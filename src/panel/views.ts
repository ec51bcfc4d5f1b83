// What the webview is shown of a job, a saved file and a history entry. Only what it displays:
// never a request body, a result URL or anything else it has no use for.
import * as vscode from 'vscode';
import type { JobRecord } from '../core/store';
import { canRetry, isLive, retryNeedsConfirmation } from '../core/jobs/states';
import type { HistoryEntry } from '../vscode/state/generationHistory';
import type { JobMeta } from '../vscode/state/jobMeta';
import type { PendingPick } from '../core/variants';
import type { FileView, HistoryView, JobView, PickView } from '../shared/protocol';
import type { Thumb } from '../vscode/run/referenceChecks';
import { say, sayWords } from '../vscode/say';
import { oneLine, shortLine } from '../shared/text';
import { savedWordsOf } from '../core/finish';
import type { DownloadedImage } from '../core/types';

export type { Thumb };

/** Rows beyond this are old news; the history keeps them. */
export const MAX_ROWS = 100;


export { oneLine };


export function fileView(path: string, alt: string, thumb: Thumb, size?: { width?: number; height?: number } & Partial<Pick<DownloadedImage, 'type' | 'bytes' | 'original'>>): FileView {
  const v: FileView = { path, label: vscode.workspace.asRelativePath(path, false), thumb: thumb(path), alt: shortLine(alt, 200) };
  if (size?.width && size.height) {
    v.width = size.width;
    v.height = size.height;
  }
  const converted = convertedOf(size);
  if (converted) v.converted = converted;
  return v;
}

/** "2.4 MB PNG → 186 KB WebP" for a file the look converted (it records its download), else nothing. */
function convertedOf(f: Partial<Pick<DownloadedImage, 'type' | 'bytes' | 'original'>> | undefined): string | undefined {
  if (!f?.original || !f.type || f.bytes === undefined) return undefined;
  const w = savedWordsOf({ type: f.type, bytes: f.bytes, original: f.original });
  return w ? sayWords(w) : undefined;
}

export function altOf(job: JobRecord<JobMeta>): string {
  const meta = job.target.meta;
  return meta ? meta.alt : oneLine(job.body.prompt);
}

export function jobView(j: JobRecord<JobMeta>, thumb: Thumb, now = Date.now()): JobView {
  const live = isLive(j);
  const alt = altOf(j);
  const v: JobView = {
    id: j.id,
    // The prompt as written: the style added to the one sent is not shown as part of it.
    prompt: shortLine(j.target.meta?.recipe?.prompt ?? j.body.prompt, 100),
    origin: j.target.meta?.origin ?? 'unknown',
    state: j.state,
    progress: Math.max(0, Math.min(100, Math.round(j.progress ?? 0))),
    elapsedMs: Math.max(0, (live ? now : j.finishedAt ?? now) - j.createdAt),
    ticking: live,
    canCancel: live,
    canRetry: canRetry(j),
    files: j.state === 'completed' ? (j.files ?? []).map((f) => fileView(f.path, alt, thumb, f)) : [],
  };
  if (j.taskId) v.taskId = j.taskId;
  if (j.error && j.state !== 'completed') v.error = say(j.error);
  if (j.supersededBy) v.retrying = true;
  const asks = canRetry(j) ? retryNeedsConfirmation(j) : undefined;
  if (asks) v.retryAsks = sayWords(asks);
  if (j.sizeNote) v.sizeNote = say({ message: j.sizeNote, words: j.sizeNoteWords });
  const converted = v.files.map((f) => f.converted).filter((c): c is string => c !== undefined);
  if (converted.length) v.converted = converted;
  return v;
}

/** Newest first, at most MAX_ROWS. */
export function jobViews(jobs: JobRecord<JobMeta>[], thumb: Thumb, now = Date.now()): JobView[] {
  return [...jobs].sort((a, b) => b.createdAt - a.createdAt).slice(0, MAX_ROWS).map((j) => jobView(j, thumb, now));
}

export function historyView(e: HistoryEntry, thumb: Thumb): HistoryView {
  const v: HistoryView = {
    id: e.id,
    prompt: e.prompt,
    options: { ...e.options },
    date: e.date,
    files: e.files.map((f) => fileView(f.path, oneLine(e.prompt), thumb, f)),
  };
  if (e.taskId) v.taskId = e.taskId;
  if (e.references) v.references = e.references;
  return v;
}

export function pickView(p: PendingPick, thumb: Thumb): PickView {
  return {
    id: p.id,
    prompt: shortLine(p.alt, 100),
    document: vscode.workspace.asRelativePath(vscode.Uri.parse(p.documentUri), false),
    files: p.files.map((f) => fileView(f.path, p.alt, thumb, f)),
  };
}
