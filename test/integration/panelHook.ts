// Talks to the panel's host side the way its webview does: raw messages through the internal test
// command, which answers whether the message was accepted and what the host posted back.
import * as vscode from 'vscode';
import { waitFor } from './helpers';

export const PANEL_HOOK = 'pictor._test.panelMessage';

export interface Posted { type: string; [k: string]: any }
export interface Reply { accepted: boolean; reason?: string; posted: Posted[] }

export interface JobRow { id: string; taskId?: string; prompt: string; state: string; progress: number; error?: string; canCancel: boolean; canRetry: boolean; retrying?: boolean; retryAsks?: string; files: { path: string; label: string; thumb: string }[] }
export interface HistoryRow {
  id: string; taskId?: string; prompt: string; date: number; files: { path: string }[]; references?: number;
  options: { size: string; resolution: string; quality: string; n: number; background?: string; format?: string; maxWidth?: number };
}
export interface Init { type: 'init'; strings: Record<string, string>; options: { size: string; resolution: string; quality: string; n: number }; jobs: JobRow[]; history: HistoryRow[]; target: { document?: string } }

export async function panelSend(raw: unknown): Promise<Reply> {
  const r = await vscode.commands.executeCommand<Reply>(PANEL_HOOK, raw);
  if (!r) throw new Error(`${PANEL_HOOK} returned nothing: is the extension running in test mode?`);
  return r;
}

/** What the panel would show right now (the answer to `ready`). */
export async function panelState(): Promise<Init> {
  const r = await panelSend({ type: 'ready' });
  const init = r.posted.find((m) => m.type === 'init');
  if (!init) throw new Error('the panel did not answer ready with init');
  return init as Init;
}

let requests = 0;

/** A Generate as the webview sends it, with a request id of its own (`requestId` to choose it). */
export function generate(prompt: string, options = { size: '1:1', resolution: '1K', quality: 'low', n: 1 }, references: unknown[] = [],
  requestId = `it-${process.pid}-${++requests}`) {
  return panelSend({ type: 'generate', requestId, prompt, options, references });
}

export async function waitForJob(prompt: string, pred: (j: JobRow) => boolean, what: string, timeoutMs = 30_000): Promise<JobRow> {
  // Each probe makes the host build and post a whole panel state: probing slowly keeps the host responsive.
  return waitFor(what, async () => (await panelState()).jobs.find((j) => j.prompt === prompt && pred(j)), timeoutMs, 500);
}

export async function waitForHistory(prompt: string, timeoutMs = 30_000): Promise<HistoryRow> {
  return waitFor(`a history entry for "${prompt}"`, async () => (await panelState()).history.find((h) => h.prompt === prompt), timeoutMs, 500);
}

/** Generated in panel.phase1, looked up in panel.phase2 after the host restarted. */
export const RESTART_PROMPT = 'a paper lantern kept across a restart';

/** Generated in picks.phase1 and left unpicked; picked in picks.phase2 after the host restarted. */
export const PICK_RESTART_PROMPT = 'a windmill kept for a pick across a restart';
