// Placing a finished image: copies each checked download from Pictor's storage to where
// pictor.destination says (through vscode.workspace.fs, never overwriting), each stamped with its recipe.
// All or nothing, and never through a symbolic link that leads out of the workspace folder.
import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import { resolveDestination } from '../../core/destination';
import { firstFreeName, fileBaseName } from '../../core/fileNames';
import type { JobRecord } from '../../core/store';
import type { DownloadedImage } from '../../core/types';
import type { JobMeta } from '../state/jobMeta';
import { readSettings } from '../settings/config';
import { placeSidecar, stampRecipe } from './recipeHook';
import { say, sayWords } from '../say';
import { english, words, type Words } from '../../shared/words';
import { finishImage, savedWords } from '../../core/finish';
import { FORMAT_EXTENSION } from '../../core/convert';
import { readLook } from '../../core/look';
import { OpaqueOriginals } from '../../core/originals';
import { originalsDir } from '../../core/stateDir';
import { isJobMeta } from '../state/jobMeta';
import { untitledPagePath } from './documentLinks';
import { copyIn, createFolderIn, deleteIn, OutsideFolder } from './workspaceFiles';

/**
 * Copies staged downloads to their destination, each stamped with its recipe. Returns the images at
 * their new paths, each marked placed. All or nothing: if one cannot be written, the copies made so
 * far are removed again and every image stays in Pictor's storage, so a retry starts from the same files.
 */
export async function placeFiles(job: JobRecord<JobMeta>, docUri: vscode.Uri | undefined, alt: string, files: DownloadedImage[],
  log: vscode.LogOutputChannel, tell: (note: Words) => void = () => undefined): Promise<DownloadedImage[]> {
  const { folder, documentPath } = destinationContext(docUri);
  const settings = readSettings(docUri);
  const base = fileBaseName(alt);
  const out: DownloadedImage[] = [];
  const copied: vscode.Uri[] = [];
  /** Finished copies in Pictor's storage (the originals go below, with the files as downloaded). */
  const finished: string[] = [];
  const meta = job.target.meta;
  const look = isJobMeta(meta) ? readLook(meta.recipe?.look) : undefined;
  try {
    for (const [i, staged] of files.entries()) {
      if (staged.placed) {
        out.push(staged); // already placed (a finalize that is repeated after a restart)
        continue;
      }
      const fileName = files.length > 1 ? `${base}-${i + 1}` : base;
      // The look (keyed, converted) in the convert worker, before the name: the extension follows the format.
      const done = await finishImage(staged, look);
      if (done.original) finished.push(done.file.path);
      if (done.note) {
        log.warn(`${alt}: ${english(done.note)}`);
        tell(done.note);
      }
      const saved = savedWords(done);
      if (saved) log.info(`${alt}: ${english(saved)}`);
      const target = await freeTarget(folder, documentPath, settings.destination, fileName, FORMAT_EXTENSION[done.file.type]);
      const { file: f, sidecar } = await stampRecipe(job, done.file, i, files.length, target.fsPath, log, done.keyed?.ok);
      const dir = vscode.Uri.joinPath(target, '..');
      const root = folder.uri.fsPath;
      // The folder's text lies inside the workspace; a symbolic link on the way may still lead out.
      // Where it really is decides, at the moment of each write (workspaceFiles.ts).
      try {
        await createFolderIn(dir, root);
        await copyIn(vscode.Uri.file(f.path), target, root);
      } catch (e) {
        throw e instanceof OutsideFolder ? refused(e, dir, target, f) : unwritable(target, f, e);
      }
      copied.push(target);
      // Made transparent: its opaque original is what a reference to it sends (core/originals.ts).
      if (done.original && done.keyed?.ok) await new OpaqueOriginals(originalsDir()).keep(target.fsPath, done.original);
      if (sidecar) await placeSidecar(sidecar, target, root, log);
      out.push({ ...f, path: target.fsPath, placed: true });
    }
  } catch (e) {
    // The copies made a moment ago go again (for good: they are Pictor's own, still in its storage too).
    for (const c of copied) await deleteIn(c, folder.uri.fsPath, 'delete').catch(() => undefined);
    throw e;
  }
  for (const o of finished) await rm(o, { force: true });
  for (const [i, f] of files.entries()) {
    if (f.placed) continue;
    await rm(f.path, { force: true });
    const to = out[i]!;
    log.info(`Saved ${vscode.workspace.asRelativePath(to.path)} (${to.width}×${to.height}, ${to.bytes} bytes).`);
  }
  return out;
}

/** The gate refused the folder or the file: say where the image is kept instead. */
function refused(e: OutsideFolder, dir: vscode.Uri, target: vscode.Uri, f: DownloadedImage): PlaceError {
  const r = e.refusal;
  if (r.reason === 'outside') {
    return new PlaceError(vscode.l10n.t('{0} leads outside the workspace folder (to {1}) through a symbolic link, so nothing was written there; the image is kept at {2}. Remove the link or change pictor.destination',
      vscode.workspace.asRelativePath(dir), String(r.real ?? r.file), f.path));
  }
  if (r.reason === 'exists') return unwritable(target, f, vscode.FileSystemError.FileExists(target));
  return new PlaceError(vscode.l10n.t('{0} could not be found after it was created; the image is kept at {1}', vscode.workspace.asRelativePath(dir), f.path));
}

/** The image is paid for: say where it is kept until the folder can take it. */
function unwritable(target: vscode.Uri, f: DownloadedImage, e: unknown): PlaceError {
  const why = e instanceof vscode.FileSystemError ? e.code || e.message : (e as Error).message;
  return new PlaceError(vscode.l10n.t('{0} could not be written ({1}); the image is kept at {2}. Make the folder writable or change pictor.destination',
    vscode.workspace.asRelativePath(target), why, f.path));
}

async function freeTarget(folder: vscode.WorkspaceFolder, documentPath: string, patterns: Record<string, string>,
  fileName: string, ext: string): Promise<vscode.Uri> {
  const r = resolveDestination({ documentPath, workspaceFolder: folder.uri.fsPath, patterns, fileName, ext });
  if (!r.ok) throw new Error(vscode.l10n.t('{0} Change the pictor.destination setting.', say({ message: r.error, words: r.words })));
  // A fixed pattern (no ${fileName}) names the same file each time: number the copies instead.
  const uri = (file: string) => folder.uri.with({ path: toUriPath(file) });
  const free = await firstFreeName(r.file, async (file) => (await exists(uri(file)) ? 'taken' : 'done'), 50);
  if (free) return uri(free);
  throw new Error(sayWords(words('place.noFreeName', `${fileName}.${ext}`)));
}

/** A failure to write into the workspace; its message is shown as is (no "Error:" prefix). */
class PlaceError extends Error {
  override toString(): string {
    return this.message;
  }
}

/** The workspace folder a document's images go into, and the document path used for patterns. */
function destinationContext(docUri: vscode.Uri | undefined): { folder: vscode.WorkspaceFolder; documentPath: string } {
  const folder = docUri ? vscode.workspace.getWorkspaceFolder(docUri) : undefined;
  if (folder && docUri) return { folder, documentPath: docUri.fsPath };
  // An untitled document (or the panel without an editor): the first workspace folder's root.
  const first = vscode.workspace.workspaceFolders?.[0];
  if (!first) throw new Error(vscode.l10n.t('Open a folder first: Pictor saves images into the workspace folder.'));
  return { folder: first, documentPath: untitledPagePath(first)! };
}

function toUriPath(p: string): string {
  const posix = p.replace(/\\/g, '/');
  return /^[A-Za-z]:/.test(posix) ? '/' + posix : posix;
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
