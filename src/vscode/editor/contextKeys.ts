// Context keys that let menus offer only what applies where the user clicks (package.json `when`):
//   pictor.onPlaceholder    the cursor is on a `![prompt]()` placeholder
//   pictor.onImage          the cursor is on an image link with a destination
//   pictor.hasPlaceholders  the active Markdown editor holds at least one placeholder
// They follow the active editor, its cursor and its text. setContext is only called on a change.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import { imageAt, placeholderAt, type MarkdownScan } from '../../core/placeholders';

export const CONTEXT_KEYS = ['pictor.onPlaceholder', 'pictor.onImage', 'pictor.hasPlaceholders'] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];
export type ContextValues = Record<ContextKey, boolean>;

/** Typing re-parses the page: wait for a pause this long before updating after an edit. */
const EDIT_DEBOUNCE_MS = 150;

export class PictorContextKeys extends Disposable {
  private readonly values: ContextValues = { 'pictor.onPlaceholder': false, 'pictor.onImage': false, 'pictor.hasPlaceholders': false };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly scan: (doc: vscode.TextDocument) => MarkdownScan) {
    super();
    this.register(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.update();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.later();
      }),
    );
    for (const key of CONTEXT_KEYS) void vscode.commands.executeCommand('setContext', key, false);
    this.update();
  }

  /** What the keys were last set to (the integration tests read this through a test command). */
  current(): ContextValues {
    return { ...this.values };
  }

  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), EDIT_DEBOUNCE_MS);
  }

  update(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const editor = vscode.window.activeTextEditor;
    const next: ContextValues = { 'pictor.onPlaceholder': false, 'pictor.onImage': false, 'pictor.hasPlaceholders': false };
    if (editor && editor.document.languageId === 'markdown') {
      const scan = this.scan(editor.document);
      const offset = editor.document.offsetAt(editor.selection.active);
      next['pictor.hasPlaceholders'] = scan.placeholders.length > 0;
      next['pictor.onPlaceholder'] = Boolean(placeholderAt(scan, offset));
      next['pictor.onImage'] = Boolean(imageAt(scan, offset)?.url);
    }
    for (const key of CONTEXT_KEYS) {
      if (this.values[key] === next[key]) continue;
      this.values[key] = next[key];
      void vscode.commands.executeCommand('setContext', key, next[key]);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    super.dispose();
  }
}
