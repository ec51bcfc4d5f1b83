// Markdown pages in folders of their own for the issue-6 suites (billing, faults, secrets): what is
// on disk afterwards belongs to one test only.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor, workspaceRoot } from './helpers';
import { panelSend, panelState, type JobRow } from './panelHook';

/** What the generate commands resolve with (src/vscode/run/generate.ts JobSummary). */
export interface JobSummary { id: string; taskId?: string; prompt: string; state: string; files: string[]; linked: boolean; error?: string }

/** An empty folder `issue6/<rel>` in the workspace. */
export function freshDir(rel: string): string {
  const dir = path.join(workspaceRoot().fsPath, 'issue6', rel);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function writePage(dir: string, text: string, name = 'page.md'): vscode.Uri {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

export function onDisk(uri: vscode.Uri): string {
  return fs.readFileSync(uri.fsPath, 'utf8');
}

/** Files under a folder, relative to it, sorted (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch { /* missing */ }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

/** A whole PNG: the signature and the IEND chunk at the end (a truncated download has no IEND). */
export function assertWholePng(file: string): void {
  const b = fs.readFileSync(file);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is not a PNG`);
  assert.equal(b.subarray(b.length - 8, b.length - 4).toString('latin1'), 'IEND', `${file} is cut short`);
}

/** The range of the placeholder whose alt text contains `needle` (the commands take a range inside it). */
export function placeholderAt(uri: vscode.Uri, needle: string): vscode.Range {
  const lines = onDisk(uri).split('\n');
  const line = lines.findIndex((l) => l.includes(`![${needle}`));
  assert.ok(line >= 0, `no placeholder with "${needle}" in ${uri.fsPath}`);
  const col = lines[line]!.indexOf(`![${needle}`) + 2;
  return new vscode.Range(line, col, line, col);
}

/**
 * helpers.waitFor, but slowly: a probe that asks the panel for its state makes the host post the whole
 * queue and history to the real webview each time, and at a 50 ms pace that flood stalls the host.
 */
export function pollFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  return waitFor(what, probe, timeoutMs, everyMs);
}

export function runCommand<T>(command: string, ...args: unknown[]): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(command, ...args));
}

/**
 * Retry, the way the panel's Retry button asks for it. The queue reopens the job (or, when nothing of
 * it can be resumed, submits a new one) before the panel answers; this waits until no job with the
 * same prompt is still running and returns them all, newest first.
 */
export async function retryFromPanel(id: string, timeoutMs = 30_000): Promise<JobRow[]> {
  const before = (await panelState()).jobs.find((j) => j.id === id);
  assert.ok(before, `the panel does not list job ${id}`);
  // Where the first create may have been billed, the panel asks first: this is the user saying yes.
  const r = await panelSend(before.retryAsks ? { type: 'retry', id, confirmBilled: true } : { type: 'retry', id });
  assert.equal(r.accepted, true, `the panel refused Retry: ${r.reason}`);
  const live = new Set(['queued', 'creating', 'running', 'downloading']);
  return pollFor(`the retried job for "${before.prompt}" to finish`, async () => {
    const same = (await panelState()).jobs.filter((j) => j.prompt === before.prompt);
    return same.some((j) => live.has(j.state)) ? undefined : same;
  }, timeoutMs);
}
