// The Explorer's context menu on an image file: Edit Image… (the file is the reference, the result
// is saved into the workspace) and Use as Reference (the file joins the panel's references).
import * as vscode from 'vscode';
import type { Generator } from '../run/generate';
import { refusedReport } from '../../core/runReport';
import type { Report } from '../run/runTypes';

const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/** The image files a menu command was invoked on: the clicked file, or every selected one. */
export function imageFilesOf(clicked: unknown, selected: unknown): vscode.Uri[] {
  const all = Array.isArray(selected) && selected.length ? selected : [clicked];
  return all.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === 'file' && IMAGE_FILE.test(u.path));
}

/** Asks for the change, then sends the file as the reference; the edited image lands in the workspace. */
export async function editImageFile(generator: Generator, file: vscode.Uri, onSent?: (sent: Report) => void): Promise<Report> {
  let bytes: number;
  try {
    bytes = (await vscode.workspace.fs.stat(file)).size;
  } catch {
    return refusedReport('input', vscode.l10n.t('Pictor: the image {0} does not exist.', vscode.workspace.asRelativePath(file)), { severity: 'error' });
  }
  const instruction = (await generator.ask({
    title: vscode.l10n.t('Pictor: Edit Image'),
    prompt: vscode.l10n.t('Describe the change to {0}, e.g. "make it night, with stars"', vscode.workspace.asRelativePath(file)),
    ignoreFocusOut: true,
  }))?.trim();
  if (!instruction) return refusedReport('input', '');
  return generator.run(undefined, [{
    prompt: instruction,
    meta: { origin: 'panel', alt: instruction.replace(/\s+/g, ' ') },
    references: [{ kind: 'file', path: file.fsPath, bytes }],
  }], vscode.l10n.t('Editing the image'), undefined, undefined, onSent);
}
