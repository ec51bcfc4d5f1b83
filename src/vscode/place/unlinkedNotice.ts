// Telling the user about images that were saved but not linked: where each one is, why the page was
// left alone, and buttons to open it or copy its path or Markdown link.
import * as vscode from 'vscode';
import { markdownImage, relativeLink } from '../../core/markdownEdits';
import type { DownloadedImage } from '../../core/types';
import { documentPathOf, type UnlinkedReason } from './documentLinks';
import type { JobMeta } from '../state/jobMeta';

export function tellUnlinked(meta: JobMeta, docUri: vscode.Uri | undefined, files: DownloadedImage[], reason: UnlinkedReason): void {
  const where = files.map((f) => vscode.workspace.asRelativePath(f.path)).join(', ');
  const from = docUri ? documentPathOf(docUri) : undefined;
  const mdLinks = files.map((f) => markdownImage(meta.alt, from ? relativeLink(from, f.path) : vscode.workspace.asRelativePath(f.path))).join('\n');
  const open = vscode.l10n.t('Open');
  const copyPath = vscode.l10n.t('Copy Path');
  const copyLink = vscode.l10n.t('Copy Markdown Link');
  const message = reason === 'cancelled'
    ? vscode.l10n.t('Pictor: a task you cancelled finished anyway. Its image is saved at {0}; the document was not changed.', where)
    : reason === 'not-markdown' || (reason === 'no-document' && !docUri)
    ? vscode.l10n.t('Pictor: image saved to {0}.', where)
    : (reason === 'placeholder-gone' && meta.origin !== 'placeholder')
      ? vscode.l10n.t('Pictor: the place for the image in the document could not be found again, so nothing was touched. The image is saved at {0}.', where)
    : reason === 'placeholder-gone' || reason === 'image-gone'
      ? vscode.l10n.t('Pictor: the placeholder "{0}" was changed or removed, so nothing in the document was touched. The image is saved at {1}.', meta.alt, where)
      : vscode.l10n.t('Pictor: the document could not be edited. The image is saved at {0}.', where);
  void vscode.window.showInformationMessage(message, open, copyPath, copyLink).then(async (pick) => {
    if (pick === open) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(files[0]!.path));
    if (pick === copyPath) await vscode.env.clipboard.writeText(files.map((f) => f.path).join('\n'));
    if (pick === copyLink) await vscode.env.clipboard.writeText(mdLinks);
  });
}
