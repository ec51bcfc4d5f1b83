// The one check every local reference image passes, whoever names it (Edit Image, the panel, a
// command called with arguments, the agent tools): it must really be a file inside a workspace
// folder of this window, symbolic links followed. Nothing private leaves the machine through a
// link such as ![x](../outside/private.png), a file:// URL, an absolute path or a symlink.
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { extensionOf, realInside } from '../core/paths';
import { MAX_REFERENCE_BYTES, REFERENCE_EXTENSIONS } from '../shared/limits';

export type FileCheck = { ok: true; path: string; real: string; bytes: number } | { ok: false; problem: string };

/** The window's workspace folders on this machine's file system (where the extension host runs). */
export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}


/**
 * Checks a local file for use as a reference image. `label` is how the user wrote it (the link);
 * the messages say what is wrong and that nothing was sent.
 */
export async function checkReferenceFile(file: string, label = file): Promise<FileCheck> {
  const where = await realInside(file, workspaceFolderPaths());
  if (!where.ok && where.reason === 'missing') {
    return { ok: false, problem: vscode.l10n.t('The image {0} does not exist. Fix the link, then try again.', label) };
  }
  if (!where.ok) {
    const real = where.real && where.real !== file ? vscode.l10n.t(' (it leads to {0})', where.real) : '';
    return {
      ok: false,
      problem: vscode.l10n.t('The image {0}{1} is outside this window\'s workspace folders. Only images inside the workspace can be sent as references: copy it into the workspace first. Nothing was uploaded.', label, real),
    };
  }
  if (!(REFERENCE_EXTENSIONS as readonly string[]).includes(extensionOf(file))) {
    return { ok: false, problem: vscode.l10n.t('{0} is not a PNG, JPEG or WebP image.', label) };
  }
  const s = await stat(where.real).catch(() => undefined);
  if (!s) return { ok: false, problem: vscode.l10n.t('The image {0} does not exist. Fix the link, then try again.', label) };
  if (!s.isFile()) return { ok: false, problem: vscode.l10n.t('{0} is not a file.', label) };
  if (s.size === 0) return { ok: false, problem: vscode.l10n.t('{0} is empty.', label) };
  if (s.size > MAX_REFERENCE_BYTES) {
    return { ok: false, problem: vscode.l10n.t('{0} is {1} MB; a reference image may be at most 50 MB.', label, (s.size / 1024 / 1024).toFixed(1)) };
  }
  return { ok: true, path: file, real: where.real, bytes: s.size };
}

/** Thrown by the last check, at upload time: nothing was uploaded and no task was created. */
export class ReferenceRefused extends Error {
  readonly kind = 'invalid';
  override toString(): string {
    return this.message;
  }
}

/**
 * The check again, right before the file is opened for upload (a link may have been swapped since the
 * first check). Returns the real path to upload, so the bytes read are the ones just checked.
 */
export async function realReferenceForUpload(file: string): Promise<string> {
  const c = await checkReferenceFile(file);
  if (!c.ok) throw new ReferenceRefused(c.problem);
  return c.real;
}
