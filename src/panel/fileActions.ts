// What the panel does with an image it lists, when the user asks (the message already checked: the
// path lies inside the workspace folders): open it, show it in the Explorer, copy its path, or link it
// at the cursor of the Markdown page the panel writes into.
import * as vscode from 'vscode';
import { markdownImage, relativeLink } from '../core/markdownEdits';
import type { HostMessage } from '../shared/protocol';
import { documentPathOf } from '../vscode/place/documentLinks';
import type { PictorService } from '../vscode/service';
import type { GenerationHistory } from '../vscode/state/generationHistory';
import type { EditorTargets } from './editors';
import { altOf, oneLine } from './views';

export type FileActionKind = 'insertLink' | 'open' | 'reveal' | 'copyPath';

export class PanelFileActions {
  constructor(private readonly deps: { service: PictorService; history: GenerationHistory; targets: EditorTargets }) {}

  async act(kind: FileActionKind, file: string, post: (m: HostMessage) => void): Promise<void> {
    const uri = vscode.Uri.file(file);
    if (kind === 'copyPath') {
      await vscode.env.clipboard.writeText(file);
      post({ type: 'notice', level: 'info', message: vscode.l10n.t('Copied {0}', file) });
      return;
    }
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      post({ type: 'notice', level: 'error', message: vscode.l10n.t('{0} no longer exists.', vscode.workspace.asRelativePath(uri, false)) });
      return;
    }
    if (kind === 'open') {
      await vscode.commands.executeCommand('vscode.open', uri, { viewColumn: vscode.ViewColumn.One, preview: true });
    } else if (kind === 'reveal') {
      await vscode.commands.executeCommand('revealInExplorer', uri);
    } else {
      await this.insertLink(file, post);
    }
  }

  private async insertLink(file: string, post: (m: HostMessage) => void): Promise<void> {
    const point = this.deps.targets.insertionPoint();
    if (!point) {
      post({ type: 'notice', level: 'error', message: vscode.l10n.t('Open a Markdown file and put the cursor where the link should go, then click Insert Link.') });
      return;
    }
    const doc = point.doc;
    const link = markdownImage(this.altFor(file), relativeLink(documentPathOf(doc.uri), file));
    // An image is a block of its own: text around the cursor stays on its own lines.
    const at = doc.positionAt(point.cursor);
    const lineText = doc.lineAt(at.line).text;
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const text = (lineText.slice(0, at.character).trim() ? eol : '') + link + (lineText.slice(at.character).trim() ? eol : '');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, at, text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      post({ type: 'notice', level: 'error', message: vscode.l10n.t('{0} could not be edited.', vscode.workspace.asRelativePath(doc.uri, false)) });
      return;
    }
    post({ type: 'notice', level: 'info', message: vscode.l10n.t('Inserted a link into {0}.', vscode.workspace.asRelativePath(doc.uri, false)) });
  }

  /** The prompt a saved file was made from, for its alt text; its name when no task knows it. */
  private altFor(file: string): string {
    const job = this.deps.service.queue.list().find((j) => j.files?.some((f) => f.path === file));
    if (job) return altOf(job);
    const entry = this.deps.history.list().find((e) => e.files.some((f) => f.path === file));
    if (entry) return oneLine(entry.prompt);
    return vscode.Uri.file(file).path.split('/').pop()!.replace(/\.[^.]+$/, '');
  }
}
