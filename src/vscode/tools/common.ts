// What the three language model tools share: turning an agent's input into workspace files and
// documents, refusals an agent can act on, the figures of a request, and the answer's lines.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import { markdownImage, relativeLink } from '../../core/markdownEdits';
import { formatSize } from '../../shared/sizes';
import type { ValidRequest } from '../../core/request';
import type { DownloadedImage, ReferenceInput } from '../../core/types';
import { formatCost } from '../../shared/optionsCheck';
import { untitledPagePath } from '../place/documentLinks';
import { checkAll, inWorkspace } from '../run/referenceChecks';
import type { ReferenceSpec } from '../../shared/protocol';
import type { Generator } from '../run/generate';
import type { PlaceholderClaims } from '../state/placeholderClaims';
import type { RunOptions } from '../run/runTypes';
import type { PictorService } from '../service';
import type { ApiKeyStore } from '../settings/secrets';
import { allowedWords, checkOptionValue } from '../../core/pageOptions';
import { savedWordsOf } from '../../core/finish';
import { isWords } from '../../shared/words';
import { sayWords } from '../say';
import { IMAGE_MODEL, type ImageOptions } from '../../shared/model';

export interface ToolDeps {
  service: PictorService;
  generator: Generator;
  keys: ApiKeyStore;
  claims: PlaceholderClaims;
  log: vscode.LogOutputChannel;
  /** What a finished job's images were told about their look (kept opaque, and why): Linker.notes. */
  lookNotes: (jobId: string) => string[];
}

/** A request Pictor will not send, with what is wrong and what to do: the tool answers with it as is. */
export class Refusal extends Error {}

export function refuse(message: string): never {
  throw new Refusal(message);
}

/** Nothing leaves Restricted Mode (the same rule as the commands; the answer says it, no notification). */
export function checkTrust(): void {
  if (!vscode.workspace.isTrusted) {
    refuse(vscode.l10n.t('Nothing was sent: this workspace is in Restricted Mode, where Pictor sends no requests (its settings could redirect the API key or files). Ask the user to trust the workspace (Manage Workspace Trust), then call the tool again.'));
  }
}

/** An agent cannot type a key: the answer says so (a tool call shows no notification). */
export async function checkKey(deps: ToolDeps): Promise<void> {
  if (await deps.keys.get()) return;
  refuse(vscode.l10n.t('Nothing was sent: Pictor has no EvoLink API key. Ask the user to run "Pictor: Set API Key" (or set the EVOLINK_API_KEY environment variable), then call the tool again.'));
}

export function checkCancelled(token: vscode.CancellationToken): void {
  if (token.isCancellationRequested) refuse(vscode.l10n.t('Cancelled before anything was sent.'));
}

export function folders(): readonly vscode.WorkspaceFolder[] {
  const all = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (!all.length) refuse(vscode.l10n.t('Nothing was sent: no folder is open. Pictor saves images into the workspace folder; ask the user to open one.'));
  return all;
}

/**
 * A path as an agent writes it: relative to the workspace folder (with the folder's name first in a
 * multi-root workspace, as asRelativePath writes it), or absolute inside the workspace. Never outside
 * it, also not through `..` or a symbolic link.
 */
export async function workspaceFile(input: string, field: string): Promise<string> {
  const text = input.trim().replace(/\\/g, '/');
  if (!text) refuse(vscode.l10n.t('{0} is empty: give a path relative to the workspace folder, e.g. docs/page.md.', field));
  const all = folders();
  let file: string;
  if (path.isAbsolute(text) || /^[a-z]:\//i.test(text)) {
    file = path.resolve(text);
  } else {
    const [first, ...rest] = text.split('/');
    const named = all.length > 1 ? all.find((f) => f.name === first) : undefined;
    if (named) {
      file = path.resolve(named.uri.fsPath, rest.join('/'));
    } else {
      const candidates = all.map((f) => path.resolve(f.uri.fsPath, text));
      file = (await firstExisting(candidates)) ?? candidates[0]!;
    }
  }
  if (!(await inWorkspace(file))) {
    refuse(vscode.l10n.t('{0} "{1}" is outside the workspace folder: Pictor only reads and writes files inside the workspace. Give a path relative to the workspace folder.', field, input));
  }
  return file;
}

async function firstExisting(files: string[]): Promise<string | undefined> {
  for (const f of files) if (await stat(f).then(() => true, () => false)) return f;
  return undefined;
}

/** The Markdown page named by `document`. */
export async function openPage(input: unknown, field = 'document'): Promise<vscode.TextDocument> {
  if (typeof input !== 'string') refuse(vscode.l10n.t('{0} must be a workspace-relative path such as docs/page.md.', field));
  const file = await workspaceFile(input, field);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  } catch {
    refuse(vscode.l10n.t('{0} "{1}" does not exist in the workspace. Give the path of a Markdown page relative to the workspace folder (pictor_listPlaceholders lists the open pages).', field, input));
  }
  if (doc.languageId !== 'markdown') {
    refuse(vscode.l10n.t('{0} "{1}" is not a Markdown page ({2}): Pictor links images into Markdown only.', field, input, doc.languageId));
  }
  return doc;
}

/** Reference images through the same checks as the panel's (inside the workspace, image type, 50 MB, https). */
export async function references(input: unknown): Promise<ReferenceInput[]> {
  if (input === undefined) return [];
  if (!Array.isArray(input) || input.some((x) => typeof x !== 'string')) {
    refuse(vscode.l10n.t('referenceImages must be a list of workspace-relative paths or https:// URLs.'));
  }
  const specs: ReferenceSpec[] = [];
  for (const item of input as string[]) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item.trim())) specs.push({ kind: 'url', url: item.trim() });
    else specs.push({ kind: 'file', path: await workspaceFile(item, 'referenceImages') });
  }
  const checked = await checkAll(specs, () => '');
  if (checked.problems.length) refuse(vscode.l10n.t('Nothing was sent: {0}', checked.problems.join(' ')));
  return checked.inputs;
}

/** The look options a tool takes (issue 24), checked as a page's front matter is. */
export const LOOK_INPUTS = ['background', 'format', 'maxWidth', 'references'] as const;

/** The options an agent gave (left out = the settings): only the keys it set, so they never blank a setting. */
export function runOptions(input: Partial<Record<keyof ImageOptions, unknown>> & Partial<Record<(typeof LOOK_INPUTS)[number], unknown>>): RunOptions {
  const o: RunOptions = {};
  if (input.size !== undefined) o.size = String(input.size);
  if (input.resolution !== undefined) o.resolution = String(input.resolution);
  if (input.quality !== undefined) o.quality = String(input.quality);
  if (input.n !== undefined) o.n = typeof input.n === 'number' ? input.n : Number.NaN;
  // The look: a value a page could not use is refused here, naming what is allowed.
  for (const key of LOOK_INPUTS) {
    const raw = input[key];
    if (raw === undefined) continue;
    const c = checkOptionValue(key, raw);
    if (!c.ok) {
      const allowed = allowedWords(key);
      refuse(vscode.l10n.t('Nothing was sent: {0} cannot be {1}; allowed: {2}.', key, JSON.stringify(raw) ?? String(raw), isWords(allowed) ? sayWords(allowed) : String(allowed)));
    }
    if (c.value !== undefined) (o as Record<string, unknown>)[key] = c.value;
  }
  return o;
}

/** The figures the panel shows: images, pixel size, quality, relative cost. */
export interface Figures {
  images: number;
  sizes: string[];
  qualities: string[];
  cost: number;
}

export function figures(requests: ValidRequest[]): Figures {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    images: requests.reduce((s, v) => s + v.imageCount, 0),
    sizes: uniq(requests.map((v) => (v.expectedSize ? formatSize(v.expectedSize) : vscode.l10n.t('chosen by the model')))),
    qualities: uniq(requests.map((v) => v.body.quality ?? IMAGE_MODEL.defaults.quality)),
    cost: requests.reduce((s, v) => s + v.relativeCost, 0),
  };
}

export function describeFigures(f: Figures): string {
  return vscode.l10n.t('{0} image(s) · pixel size {1} · quality {2} · relative cost ≈{3}× (1× = one medium 1024×1024 image)',
    f.images, f.sizes.join(', '), f.qualities.join(', '), formatCost(f.cost));
}

/**
 * Every reference the call would send, named in its confirmation: a local file is uploaded to the
 * provider's public file service, a URL is passed on for the provider to fetch.
 */
export function referenceLines(refs: readonly ReferenceInput[]): string {
  if (!refs.length) return '';
  // As code, so a name cannot pass for Markdown of its own (a link, emphasis) in the confirmation.
  const code = (t: string) => '`' + t.replace(/`/g, "'").replace(/[\r\n]+/g, ' ') + '`';
  const lines = refs.map((r) => (r.kind === 'file'
    ? vscode.l10n.t('- {0}: uploaded to EvoLink\'s file service, where it gets a public link for 72 hours', code(vscode.workspace.asRelativePath(r.path)))
    : vscode.l10n.t('- {0}: passed to EvoLink, which fetches it', code(r.url))));
  return '\n\n' + vscode.l10n.t('Reference images ({0}):', refs.length) + '\n' + lines.join('\n');
}

/**
 * The confirmation of a call that planning refused: never none (which would let it through unseen),
 * but the reason. Approving it sends nothing: the call is refused again when it runs.
 */
export function planningFailed(e: unknown, title: string): vscode.PreparedToolInvocation {
  const why = e instanceof Refusal ? e.message : vscode.l10n.t('Pictor could not check this request: {0}', (e as Error)?.message ?? String(e));
  return {
    invocationMessage: vscode.l10n.t('Checking the image request'),
    confirmationMessages: {
      title,
      message: new vscode.MarkdownString(vscode.l10n.t('Pictor will not send this request as it is: {0}', why)),
    },
  };
}

/** The path links are made from: the page, or a page at the root of the first workspace folder. */
export function linkBase(doc: vscode.TextDocument | undefined): string {
  if (doc && doc.uri.scheme === 'file') return doc.uri.fsPath;
  return untitledPagePath(folders()[0])!;
}

/** One saved file as the answer names it: workspace-relative path, real pixel size, ready Markdown link (and what the look saved). */
export function fileLine(file: DownloadedImage, alt: string, base: string): string {
  const link = markdownImage(alt, relativeLink(base, file.path));
  const line = vscode.l10n.t('- {0} ({1}×{2} pixels). Markdown: {3}', vscode.workspace.asRelativePath(file.path), file.width, file.height, link);
  const saved = savedWordsOf(file);
  return saved ? `${line}\n  ${vscode.l10n.t('Converted: {0}', sayWords(saved))}` : line;
}


/** The 1-based line of an offset, as people and agents count lines. */
export function lineOf(doc: vscode.TextDocument, offset: number): number {
  return doc.positionAt(offset).line + 1;
}
