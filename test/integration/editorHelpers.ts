// Shared by the editor workflow suites (editor*.test.ts): documents in folders of their own, what
// the fake provider received per prompt, and what ended up on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, fake, fakeRequests, waitFor, workspaceRoot } from './helpers';

/** What the generate commands resolve with (src/vscode/run/generate.ts JobSummary). */
export interface JobSummary { id: string; taskId?: string; prompt: string; state: string; files: string[]; linked: boolean; error?: string }

export interface CreateRequest { method: string; path: string; headers: Record<string, unknown>; body: { prompt: string; n?: number; image_urls?: string[]; size?: string } }

/** A folder of the workspace for one test, empty: its `images/` then holds only that test's files. */
export async function freshFolder(rel: string): Promise<string> {
  const dir = path.join(workspaceRoot().fsPath, 'editor', rel);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/** A suite of editor tests: its own time limit, and every editor closed after each test. */
export function editorSuite(title: string, timeoutMs: number, tests: () => void): void {
  describe(title, function () {
    this.timeout(timeoutMs);
    afterEach(closeAllEditors);
    tests();
  });
}

/** A page (`page.md` unless named) holding `text`, in a fresh folder of its own (see freshFolder). */
export async function freshPage(rel: string, text: string, name = 'page.md'): Promise<{ dir: string; file: string; uri: vscode.Uri }> {
  const dir = await freshFolder(rel);
  const file = path.join(dir, name);
  return { dir, file, uri: await writeDoc(file, text) };
}

export async function writeDoc(file: string, text: string): Promise<vscode.Uri> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return vscode.Uri.file(file);
}

export async function show(uri: vscode.Uri): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
}

export async function onDisk(uri: vscode.Uri | string): Promise<string> {
  return fs.readFile(typeof uri === 'string' ? uri : uri.fsPath, 'utf8');
}

/** The files of a folder (none when it does not exist), sorted. */
export async function filesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).sort();
}

/** Every generation request the fake received whose prompt is one of these. */
export async function createsFor(prompts: readonly string[]): Promise<CreateRequest[]> {
  const all = (await fakeRequests()) as unknown as CreateRequest[];
  return all.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && prompts.includes(r.body?.prompt));
}

/** Exactly one create per prompt: nothing was billed twice, nothing was skipped. */
export async function assertOneCreateEach(prompts: readonly string[]): Promise<void> {
  const creates = await createsFor(prompts);
  const counts = Object.fromEntries(prompts.map((p) => [p, creates.filter((c) => c.body.prompt === p).length]));
  assert.deepEqual(counts, Object.fromEntries(prompts.map((p) => [p, 1])), 'creates per prompt');
}

export async function assertNoCreates(prompts: readonly string[]): Promise<void> {
  assert.deepEqual((await createsFor(prompts)).map((c) => c.body.prompt), [], 'requests were sent for these prompts');
}

/** The bytes are a PNG (what the fake returns), of the size the file system reports. */
export async function assertPng(file: string): Promise<void> {
  const bytes = await fs.readFile(file);
  assert.ok(bytes.length > 100, `${file} is too small to be an image`);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is not a PNG`);
}

/** `slug-3f9c.png`, `slug-3f9c-2.png` (n > 1): the readable name and the four-hex-digit suffix. */
export function assertName(file: string, slug: string, index?: number): void {
  const re = new RegExp(`^${escapeRe(slug)}-[0-9a-f]{4}${index === undefined ? '' : `-${index}`}\\.png$`, 'u');
  assert.match(path.basename(file), re);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The summary of the job for this prompt (commands resolve with one per job). */
export function jobFor(jobs: JobSummary[], prompt: string): JobSummary {
  const j = jobs.filter((x) => x.prompt === prompt);
  assert.equal(j.length, 1, `one job for "${prompt}", got ${j.length}: ${JSON.stringify(jobs.map((x) => x.prompt))}`);
  return j[0]!;
}

/** Sets pictor.* values in the workspace for the duration of `fn`, then removes them again. */
export async function withSettings<T>(values: Record<string, unknown>, fn: () => Promise<T>,
  target = vscode.ConfigurationTarget.Workspace): Promise<T> {
  const c = () => vscode.workspace.getConfiguration('pictor');
  for (const [k, v] of Object.entries(values)) await c().update(k, v, target);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(values)) await c().update(k, undefined, target);
  }
}

/**
 * The same in the user's settings: where the spending guards are the user's own (a workspace's
 * settings may only make them stricter: confirmAboveImages, confirmAboveCost, maxCreditsPerSession,
 * keepReplacedImages).
 */
export function withUserSettings<T>(values: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  return withSettings(values, fn, vscode.ConfigurationTarget.Global);
}

/** Waits until the fake has received the create for `prompt` (the task is running at the provider). */
export async function waitForCreate(prompt: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(`the task for "${prompt}" to be created`, async () => (await createsFor([prompt])).length > 0, timeoutMs);
}

/** Runs a command and hands back its promise without awaiting it, so a test can act while it runs. */
export function start<T>(command: string, ...args: unknown[]): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(command, ...args));
}

/** Fetches a file the fake serves (e.g. an uploaded reference). */
export async function fakeFile(url: string): Promise<Buffer> {
  assert.ok(url.startsWith(`${fake().url}/files/`), `${url} is not a file the fake stored`);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

/** A template with `{key}` where a link goes: the document before (empty destinations) and after. */
export function page(template: string, links: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)(<>)?\}/g, (_, key: string, brackets?: string) => links[key] ?? (brackets ? '<>' : ''));
}

/** A link as Pictor writes it: `<…>` around paths with spaces or parentheses. */
export function linkTo(fromDoc: string, file: string): string {
  const rel = path.relative(path.dirname(fromDoc), file).split(path.sep).join('/');
  return /[\s()]/.test(rel) ? `<${rel}>` : rel;
}
