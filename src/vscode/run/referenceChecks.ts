// The host's check of every reference image the panel or an agent tool names: a workspace file (the one check of
// src/vscode/run/references.ts: inside a workspace folder, symbolic links followed; PNG/JPEG/WebP; at most
// 50 MB) or a URL (the core's rules).
import * as vscode from 'vscode';
import { insideFolders, realInside } from '../../core/paths';
import { validateRequest } from '../../core/request';
import type { ReferenceInput } from '../../core/types';
import { checkReferenceFile, workspaceFolderPaths } from './references';
import { MAX_REFERENCE_IMAGES as MAX_REFERENCES } from '../../shared/limits';
import type { ReferenceSpec, ReferenceView } from '../../shared/protocol';
import { say, sayWords } from '../say';
import { words } from '../../shared/words';

/** Turns an absolute file path into a URI the webview may load ('' when no webview is there). */
export type Thumb = (file: string) => string;

export type Checked = { ok: true; view: ReferenceView; input: ReferenceInput } | { ok: false; problem: string };

export { workspaceFolderPaths };

/** True when the path lies in a workspace folder, also once symbolic links are followed (when it exists). */
export async function inWorkspace(file: string): Promise<boolean> {
  const folders = workspaceFolderPaths();
  const r = await realInside(file, folders);
  return r.ok || (r.reason === 'missing' && insideFolders(file, folders));
}

export async function checkFile(file: string, thumb: Thumb): Promise<Checked> {
  const label = vscode.workspace.asRelativePath(file, false);
  const c = await checkReferenceFile(file, label);
  if (!c.ok) return c;
  return { ok: true, view: { kind: 'file', value: file, label, thumb: thumb(file), bytes: c.bytes }, input: { kind: 'file', path: file, bytes: c.bytes } };
}

/** A URL is checked by the same rules as any request (https, accepted image types). */
export function checkUrl(url: string): Checked {
  const v = validateRequest({ prompt: 'x', references: [{ kind: 'url', url }] });
  if (!v.ok) {
    const problem = v.errors.filter((e) => e.field === 'references').map(say).join(' ');
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
      return { ok: false, problem: sayWords(words('upload.notFile', item)) };
    }
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return { ok: false, problem: sayWords(words('upload.notFile', item)) };
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
