// What the look step (core/finish.ts) could not do, shown where the user meets it: a warning on the
// image link that replaced the placeholder ("the background is not flat enough… kept opaque"). The
// notes are kept by file, and their ranges found again from the page's links whenever it changes, so
// a diagnostic never sits on stale text; it goes when the link does.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { scanMarkdown } from '../../core/placeholders';
import { fileOfLink } from '../../core/markdownEdits';
import { Disposable } from '../disposable';

export class LookNotes extends Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pictor.look');
  /** By page: the saved file (absolute path) and what to say about it. */
  private readonly notes = new Map<string, { file: string; message: string }[]>();

  constructor() {
    super();
    this.register(
      this.collection,
      vscode.workspace.onDidChangeTextDocument((e) => this.notes.has(e.document.uri.toString()) && this.refresh(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    );
  }

  /** Notes a message on the links of `file` in `doc`. */
  add(doc: vscode.TextDocument, file: string, message: string): void {
    const key = doc.uri.toString();
    this.notes.set(key, [...(this.notes.get(key) ?? []).filter((n) => n.file !== file || n.message !== message), { file, message }]);
    this.refresh(doc);
  }

  private refresh(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const notes = this.notes.get(key) ?? [];
    const dir = path.dirname(doc.uri.fsPath);
    const diagnostics: vscode.Diagnostic[] = [];
    const left = notes.filter((n) => {
      const links = scanMarkdown(doc.getText()).images.filter((i) => fileOfLink(dir, i.url) === n.file);
      for (const l of links) {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(l.start), doc.positionAt(l.end)), n.message, vscode.DiagnosticSeverity.Warning);
        d.source = 'Pictor';
        diagnostics.push(d);
      }
      return links.length > 0;
    });
    if (left.length) this.notes.set(key, left);
    else this.notes.delete(key);
    this.collection.set(doc.uri, diagnostics);
  }

  private forget(uri: vscode.Uri): void {
    this.notes.delete(uri.toString());
    this.collection.delete(uri);
  }
}
