// Remembers the editors the panel works with while it has the focus (then there is no active text
// editor): the last Markdown editor, where Generate and Insert Link put links, and the last text
// editor of any kind, for Use Selection.
import * as vscode from 'vscode';
import { Disposable } from '../vscode/disposable';

interface Remembered {
  uri: string;
  position: vscode.Position;
}

export interface InsertionPoint {
  doc: vscode.TextDocument;
  /** The cursor. */
  cursor: number;
  /** The end of the cursor's line: generated links go on new lines after it. */
  lineEnd: number;
}

export class EditorTargets extends Disposable {
  private markdown: Remembered | undefined;
  private text: Remembered & { selection: vscode.Selection } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the Markdown document links would go into changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.remember(vscode.window.activeTextEditor);
    this.register(
      this.changed,
      // A closed tab changes where links would go.
      vscode.window.tabGroups.onDidChangeTabs(() => this.changed.fire()),
      vscode.window.onDidChangeActiveTextEditor((e) => this.remember(e)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.remember(e.textEditor)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.markdown?.uri === doc.uri.toString()) {
          this.markdown = undefined;
          this.changed.fire();
        }
        if (this.text?.uri === doc.uri.toString()) this.text = undefined;
      }),
    );
  }

  private remember(e: vscode.TextEditor | undefined): void {
    if (!e || !isEditable(e.document)) return;
    const uri = e.document.uri.toString();
    this.text = { uri, position: e.selection.active, selection: e.selection };
    if (e.document.languageId !== 'markdown') return;
    const moved = this.markdown?.uri !== uri;
    this.markdown = { uri, position: e.selection.active };
    if (moved) this.changed.fire();
  }

  /** The last active Markdown editor's document and cursor, if it is still open. */
  insertionPoint(): InsertionPoint | undefined {
    const m = this.markdown;
    const doc = m && openDocument(m.uri);
    if (!m || !doc) return undefined;
    const pos = doc.validatePosition(visibleEditor(doc)?.selection.active ?? m.position);
    return { doc, cursor: doc.offsetAt(pos), lineEnd: doc.offsetAt(doc.lineAt(pos.line).range.end) };
  }

  /** The last Markdown document, if it is still open in an editor tab. */
  markdownDocument(): vscode.TextDocument | undefined {
    return this.markdown && openDocument(this.markdown.uri);
  }

  /** The last Markdown document, for the panel to say where links go. */
  markdownLabel(): string | undefined {
    const doc = this.markdown && openDocument(this.markdown.uri);
    return doc ? (doc.isUntitled ? doc.uri.path : vscode.workspace.asRelativePath(doc.uri, false)) : undefined;
  }

  /** The selected text of the last active text editor ('' when nothing is selected). */
  selectionText(): string | undefined {
    const s = this.text;
    const doc = s && openDocument(s.uri);
    if (!s || !doc) return undefined;
    return doc.getText(doc.validateRange(visibleEditor(doc)?.selection ?? s.selection));
  }
}

function isEditable(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled' || doc.uri.scheme === 'vscode-remote';
}

/** An editor showing the document: its selection is current even before the change event arrives. */
function visibleEditor(doc: vscode.TextDocument): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  return active?.document === doc ? active : vscode.window.visibleTextEditors.find((e) => e.document === doc);
}

/** The document, when it is still open in an editor tab (a closed tab's document can linger in memory). */
function openDocument(uri: string): vscode.TextDocument | undefined {
  const inTab = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri));
  return inTab ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri && !d.isClosed) : undefined;
}
