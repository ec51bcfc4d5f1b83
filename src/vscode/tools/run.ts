// Running the Generator for a tool call: its jobs follow the call's cancellation token, and what
// they produced becomes the answer's lines (and the previews).
import * as vscode from 'vscode';
import type { JobRecord } from '../../core/store';
import type { DownloadedImage } from '../../core/types';
import type { JobSummary, Report } from '../run/runTypes';
import { say } from '../say';
import type { JobMeta } from '../state/jobMeta';
import { fileLine, type ToolDeps } from './common';
import { shortLine } from '../../shared/text';
import { previewParts } from './preview';

/**
 * Runs `work` while cancelling, through the queue, every job it made (by the ids the submitter
 * reports to `onSubmitted`) once the token fires (the same as the notification's Cancel: tasks that
 * still finish are saved).
 */
export async function followToken<T>(deps: ToolDeps, token: vscode.CancellationToken,
  work: (onSubmitted: (jobIds: string[]) => void) => Promise<T>): Promise<T> {
  const ids = new Set<string>();
  const cancel = (id: string) => void deps.service.queue.cancel(id).catch(() => undefined);
  const onSubmitted = (jobIds: string[]) => {
    for (const id of jobIds) {
      ids.add(id);
      if (token.isCancellationRequested) cancel(id);
    }
  };
  const onCancel = token.onCancellationRequested(() => {
    deps.log.info(`A language model tool call was cancelled: stopping ${ids.size} task(s).`);
    ids.forEach(cancel);
  });
  try {
    return await work(onSubmitted);
  } finally {
    onCancel.dispose();
  }
}

export interface JobOutcome {
  summary: JobSummary;
  job: JobRecord<JobMeta> | undefined;
  files: DownloadedImage[];
  alt: string;
  /** What the look could not do (kept opaque, and why), in the user's language. */
  notes: string[];
}

export function outcomes(deps: ToolDeps, summaries: JobSummary[]): JobOutcome[] {
  return summaries.map((summary) => {
    const job = deps.service.queue.get(summary.id);
    const meta = job?.target.meta;
    const alt = meta ? meta.alt : shortLine(summary.prompt);
    const files = (job?.files ?? []).filter((f) => summary.files.includes(f.path));
    return { summary, job, files, alt, notes: deps.lookNotes(summary.id) };
  });
}

/** The lines for one job: its files, or why it has none. */
export function jobLines(o: JobOutcome, base: string): string[] {
  const { summary } = o;
  if (summary.state === 'completed' && o.files.length) {
    return [...o.files.map((f) => fileLine(f, o.alt, base)), ...o.notes.map((n) => vscode.l10n.t('  Note: {0}', n))];
  }
  if (summary.state === 'cancelled') {
    return [vscode.l10n.t('- Cancelled. If the provider still finishes the task, its image is saved in the workspace and the user is told where.')];
  }
  return [vscode.l10n.t('- Failed ({0}): {1}', summary.state, summary.error ?? vscode.l10n.t('no image came back'))];
}

/** The tool result: the text first, then (where VS Code supports it) a small preview of each image. */
export async function answer(text: string, done: JobOutcome[] = []): Promise<vscode.LanguageModelToolResult> {
  const parts: unknown[] = [new vscode.LanguageModelTextPart(text), ...(await previewParts(done.flatMap((o) => o.files)))];
  // @types/vscode 1.100 types the content as text and prompt-tsx parts only; data parts are newer.
  return new vscode.LanguageModelToolResult(parts as vscode.LanguageModelTextPart[]);
}

/**
 * Why the run sent nothing for an item (the one on `line` of its page, if given), in the report's
 * words: what the run found for it, or why the whole run stopped, or what refused it at sending.
 */
export function whyNotSent(report: Report, line?: number): string {
  const item = report.notSent.find((n) => line === undefined || n.line === line);
  if (item?.reason === 'elsewhere') return vscode.l10n.t('another VS Code window is already generating it.');
  if (item?.reason === 'claimFailed') {
    return vscode.l10n.t('Pictor could not record that it is generating it ({0}), so it was not sent: another window could otherwise bill it twice. Ask the user to check that Pictor\'s storage folder is writable, then call again.', item.words);
  }
  if (item) return item.words;
  // A refusal worded for a notification starts with "Pictor: "; an answer does not need it.
  if (report.refusal?.words) return report.refusal.words.replace(/^Pictor: /, '');
  if (report.errors.length) return vscode.l10n.t('it could not be sent: {0}', report.errors.map((e) => say(e)).join(' '));
  return vscode.l10n.t('it was not sent.');
}
