// The one way Pictor writes, moves or deletes a file in a workspace folder (placing a saved image and
// its sidecar, moving or deleting the variants not picked, trashing a replaced image): each operation
// passes core/paths targetInside right before it runs, so a symbolic link (of the file or of a folder
// on its way) never leads a write, a move or a delete out of the document's workspace folder.
import * as vscode from 'vscode';
import { realDirInside, targetInside, type TargetInside } from '../../core/paths';

export type Refusal = Exclude<TargetInside, { ok: true }> & { file: string };

/** An operation the gate refused: nothing was written, moved or deleted. */
export class OutsideFolder extends Error {
  constructor(readonly refusal: Refusal, message: string) {
    super(message);
  }

  override toString(): string {
    return this.message;
  }
}

/** The default words for a refusal (callers with more to say word their own). */
export function refusalMessage(r: Refusal): string {
  const rel = vscode.workspace.asRelativePath(r.file, false);
  if (r.reason === 'exists') return vscode.l10n.t('{0} already exists, so nothing was written over it.', rel);
  if (r.reason === 'missing') return vscode.l10n.t('{0} could not be found.', rel);
  return r.real && r.real !== r.file
    ? vscode.l10n.t('{0} leads outside the workspace folder (to {1}) through a symbolic link, so Pictor left it alone.', rel, r.real)
    : vscode.l10n.t('{0} is outside the workspace folder, so Pictor left it alone.', rel);
}

async function gate(file: vscode.Uri, folder: string, kind: 'existing' | 'new'): Promise<void> {
  const r = await targetInside(file.fsPath, folder, kind);
  if (!r.ok) {
    const refusal = { ...r, file: file.fsPath };
    throw new OutsideFolder(refusal, refusalMessage(refusal));
  }
}

/** Makes `dir` (and the folders above it), inside `folder` only: never through a link that leads out. */
export async function createFolderIn(dir: vscode.Uri, folder: string): Promise<void> {
  const there = await realDirInside(dir.fsPath, folder);
  if (there.ok) return;
  if (there.reason === 'missing') {
    // Another image placed at the same time may make the folder between the look above and this one:
    // then it exists, and where it really is is checked below as for any folder.
    const r = await targetInside(dir.fsPath, folder, 'new');
    if (!r.ok && r.reason !== 'exists') {
      const refusal = { ...r, file: dir.fsPath };
      throw new OutsideFolder(refusal, refusalMessage(refusal));
    }
    await vscode.workspace.fs.createDirectory(dir);
  }
  const made = there.reason === 'missing' ? await realDirInside(dir.fsPath, folder) : there;
  if (!made.ok) {
    const refusal = { ...made, file: dir.fsPath };
    throw new OutsideFolder(refusal, refusalMessage(refusal));
  }
}

/** Copies `from` (anywhere: Pictor's own storage) to the new file `to` inside `folder`; never over a file. */
export async function copyIn(from: vscode.Uri, to: vscode.Uri, folder: string): Promise<void> {
  await gate(to, folder, 'new');
  await vscode.workspace.fs.copy(from, to, { overwrite: false });
}

/** Moves a file inside `folder` to the new file `to`, inside `folder` too; never over a file. */
export async function moveIn(from: vscode.Uri, to: vscode.Uri, folder: string): Promise<void> {
  await gate(from, folder, 'existing');
  await gate(to, folder, 'new');
  await vscode.workspace.fs.rename(from, to, { overwrite: false });
}

/**
 * How a file goes: `trash` only to the trash (where there is none, the file is kept), `trashOrDelete`
 * to the trash where there is one, else for good; `delete` for good (a copy Pictor made a moment ago).
 */
export type DeleteHow = 'trash' | 'trashOrDelete' | 'delete';

/** Deletes a file that really lies inside `folder`. Returns what happened to it. */
export async function deleteIn(file: vscode.Uri, folder: string, how: DeleteHow): Promise<'trashed' | 'deleted' | 'kept'> {
  await gate(file, folder, 'existing');
  if (how === 'delete') {
    await vscode.workspace.fs.delete(file, { useTrash: false });
    return 'deleted';
  }
  try {
    await vscode.workspace.fs.delete(file, { useTrash: true });
    return 'trashed';
  } catch {
    // Some file systems (a remote server, a container) have no trash.
    if (how === 'trash') return 'kept';
    await gate(file, folder, 'existing');
    await vscode.workspace.fs.delete(file, { useTrash: false });
    return 'deleted';
  }
}

/**
 * The workspace folder a page's images went into (placing.ts): the page's own, else (an untitled
 * page, a page outside every folder) the first one; undefined when no folder is open.
 */
export function pageFolder(docUri: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
  return (docUri && vscode.workspace.getWorkspaceFolder(docUri)) || vscode.workspace.workspaceFolders?.[0];
}
