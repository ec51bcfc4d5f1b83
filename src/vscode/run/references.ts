// The one check every local reference image passes, whoever names it (Edit Image, the panel, a
// command called with arguments, the agent tools): it must really be a file inside a workspace
// folder of this window, symbolic links followed. Nothing private leaves the machine through a
// link such as ![x](../outside/private.png), a file:// URL, an absolute path or a symlink.
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { extensionOf, openInside, realInside, type OpenedInside, type RealInside } from '../../core/paths';
import type { UploadSource } from '../../core/api/upload';
import { MAX_REFERENCE_BYTES, REFERENCE_EXTENSIONS } from '../../shared/limits';
import { words } from '../../shared/words';
import { sayWords } from '../say';

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
  if (!where.ok) return { ok: false, problem: whereProblem(where, file, label) };
  const type = typeProblem(file, label);
  if (type) return { ok: false, problem: type };
  const s = await stat(where.real).catch(() => undefined);
  if (!s) return { ok: false, problem: whereProblem({ ok: false, reason: 'missing' }, file, label) };
  if (!s.isFile()) return { ok: false, problem: whereProblem({ ok: false, reason: 'notFile' }, file, label) };
  const size = sizeProblem(label, s.size);
  return size ? { ok: false, problem: size } : { ok: true, path: file, real: where.real, bytes: s.size };
}

/** What the user is told when a reference is not where it may be taken from. */
function whereProblem(where: Exclude<RealInside | OpenedInside, { ok: true }>, file: string, label: string): string {
  switch (where.reason) {
    case 'missing':
      return vscode.l10n.t('The image {0} does not exist. Fix the link, then try again.', label);
    case 'notFile':
      return sayWords(words('upload.notFile', label));
    case 'changed':
      return vscode.l10n.t('The image {0} was replaced (by a link or another file) while it was being checked, so nothing was uploaded. Try again.', label);
    case 'outside': {
      const real = where.real && where.real !== file ? vscode.l10n.t(' (it leads to {0})', where.real) : '';
      return vscode.l10n.t('The image {0}{1} is outside this window\'s workspace folders. Only images inside the workspace can be sent as references: copy it into the workspace first. Nothing was uploaded.', label, real);
    }
  }
}

/** A reference must be named as a PNG, JPEG or WebP image. */
function typeProblem(file: string, label: string): string | undefined {
  return (REFERENCE_EXTENSIONS as readonly string[]).includes(extensionOf(file)) ? undefined : vscode.l10n.t('{0} is not a PNG, JPEG or WebP image.', label);
}

/** A reference holds 1 byte to 50 MB. */
function sizeProblem(label: string, bytes: number): string | undefined {
  if (bytes === 0) return vscode.l10n.t('{0} is empty.', label);
  if (bytes > MAX_REFERENCE_BYTES) {
    return vscode.l10n.t('{0} is {1} MB; a reference image may be at most {2} MB.', label, (bytes / 1024 / 1024).toFixed(1), MAX_REFERENCE_BYTES / 1024 / 1024);
  }
  return undefined;
}

/** Thrown by the last check, at upload time: nothing was uploaded and no task was created. */
export class ReferenceRefused extends Error {
  readonly kind = 'invalid';
  override toString(): string {
    return this.message;
  }
}

/**
 * The check again, as the file is opened for upload (a link may have been swapped since the first
 * check): the file is opened once, and the file opened must really lie inside a workspace folder at
 * that moment. The queue sends that open file, every attempt, and closes it afterwards.
 */
export async function openReferenceForUpload(file: string): Promise<UploadSource> {
  const opened = await openInside(file, workspaceFolderPaths());
  if (!opened.ok) throw new ReferenceRefused(whereProblem(opened, file, file));
  const problem = typeProblem(file, file) ?? sizeProblem(file, opened.size);
  if (problem) {
    await opened.handle.close().catch(() => undefined);
    throw new ReferenceRefused(problem);
  }
  return { path: opened.real, handle: opened.handle };
}
