// The host's check of every reference image the webview names: a workspace file (inside a workspace
// folder, even through symbolic links; PNG/JPEG/WebP; at most 50 MB) or a URL (the core's rules).
import * as vscode from 'vscode';
import { realpath, stat } from 'node:fs/promises';
import { validateRequest } from '../core/request';
import type { ReferenceInput } from '../core/types';
import { extensionOf, insideFolders } from './paths';
import { MAX_REFERENCE_BYTES, MAX_REFERENCES, REFERENCE_EXTENSIONS, type ReferenceSpec, type ReferenceView } from './protocol';
import type { Thumb } from './views';

export type Checked = { ok: true; view: ReferenceView; input: ReferenceInput } | { ok: false; problem: string };

export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** True when the path lies in a workspace folder, also once symbolic links are followed (when it exists). */
export async function inWorkspace(file: string): Promise<boolean> {
  const folders = workspaceFolderPaths();
  if (!insideFolders(file, folders)) return false;
  try {
    const real = await realpath(file);
    const realFolders = await Promise.all(folders.map((f) => realpath(f).catch(() => f)));
    return insideFolders(real, realFolders);
  } catch {
    return true; // does not exist (yet): the lexical check is all there is
  }
}

export async function checkFile(file: string, thumb: Thumb): Promise<Checked> {
  const label = vscode.workspace.asRelativePath(file, false);
  if (!(await inWorkspace(file))) {
    return { ok: false, problem: vscode.l10n.t('{0} is not in a workspace folder: only workspace files can be reference images.', label) };
  }
  const ext = extensionOf(file);
  if (!(REFERENCE_EXTENSIONS as readonly string[]).includes(ext)) {
    return { ok: false, problem: vscode.l10n.t('{0} is not a PNG, JPEG or WebP image.', label) };
  }
  let bytes: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return { ok: false, problem: vscode.l10n.t('{0} is not a file.', label) };
    bytes = s.size;
  } catch {
    return { ok: false, problem: vscode.l10n.t('{0} does not exist.', label) };
  }
  if (bytes > MAX_REFERENCE_BYTES) {
    return { ok: false, problem: vscode.l10n.t('{0} is {1} MB; a reference image may be at most 50 MB.', label, (bytes / 1024 / 1024).toFixed(1)) };
  }
  if (bytes === 0) return { ok: false, problem: vscode.l10n.t('{0} is empty.', label) };
  return { ok: true, view: { kind: 'file', value: file, label, thumb: thumb(file), bytes }, input: { kind: 'file', path: file, bytes } };
}

/** A URL is checked by the same rules as any request (https, accepted image types). */
export function checkUrl(url: string): Checked {
  const v = validateRequest({ prompt: 'x', references: [{ kind: 'url', url }] });
  if (!v.ok) {
    const problem = v.errors.filter((e) => e.field === 'references').map((e) => e.message).join(' ');
    return { ok: false, problem: problem || vscode.l10n.t('{0} cannot be used as a reference image.', url) };
  }
  const clean = url.trim();
  return { ok: true, view: { kind: 'url', value: clean, label: clean }, input: { kind: 'url', url: clean } };
}

/** A dropped item: a file URI (local or remote) or path in the workspace, or an http(s) URL. */
export async function checkDropped(item: string, thumb: Thumb): Promise<Checked> {
  if (/^https?:\/\//i.test(item)) return checkUrl(item);
  let file: string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(item) && !/^[a-z]:[\\/]/i.test(item)) {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(item, true);
    } catch {
      return { ok: false, problem: vscode.l10n.t('{0} is not a file.', item) };
    }
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return { ok: false, problem: vscode.l10n.t('{0} is not a file.', item) };
    file = vscode.Uri.file(uri.path).fsPath;
  } else {
    file = item;
  }
  return checkFile(file, thumb);
}

/** Every reference of a Generate, checked again (the webview's list is not trusted). */
export async function checkAll(specs: ReferenceSpec[], thumb: Thumb): Promise<{ inputs: ReferenceInput[]; problems: string[] }> {
  const problems: string[] = [];
  if (specs.length > MAX_REFERENCES) problems.push(vscode.l10n.t('At most {0} reference images can be sent.', MAX_REFERENCES));
  const inputs: ReferenceInput[] = [];
  for (const s of specs) {
    const c = s.kind === 'file' ? await checkFile(s.path, thumb) : checkUrl(s.url);
    if (c.ok) inputs.push(c.input);
    else problems.push(c.problem);
  }
  return { inputs, problems };
}
