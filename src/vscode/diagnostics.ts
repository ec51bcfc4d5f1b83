// Placeholders the provider would refuse (a prompt over the length limit, …) are marked where they
// are, in the Problems view, while the user types: nobody should learn it only by pressing Generate.
// Generate all uses the same check to send the good placeholders and leave these.
import * as vscode from 'vscode';
import type { MarkdownScan, Placeholder } from '../core/placeholders';
import { validateRequest, type ValidationError } from '../core/request';
import { say } from './say';

/** How long typing must pause before a document is checked again. */
const DEBOUNCE_MS = 300;

/** Why the provider would refuse this placeholder's prompt, if it would (the prompt's own limits only). */
export function promptProblems(p: Placeholder): ValidationError[] {
  if (p.empty) return [];
  const v = validateRequest({ prompt: p.prompt });
  return v.ok ? [] : v.errors.filter((e) => e.field === 'prompt');
}

export class PlaceholderDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pictor');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[];

  constructor(private readonly scan: (doc: vscode.TextDocument) => MarkdownScan) {
    this.subs = [
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    ];
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (!doc.isClosed) this.update(doc);
    }, DEBOUNCE_MS));
  }

  /** Checks a document now; returns the placeholders that would be refused, with why. */
  update(doc: vscode.TextDocument): { placeholder: Placeholder; problems: ValidationError[] }[] {
    if (doc.languageId !== 'markdown') {
      this.collection.delete(doc.uri);
      return [];
    }
    const refused = this.scan(doc).placeholders
      .map((placeholder) => ({ placeholder, problems: promptProblems(placeholder) }))
      .filter((r) => r.problems.length > 0);
    this.collection.set(doc.uri, refused.map(({ placeholder: p, problems }) => {
      const d = new vscode.Diagnostic(
        new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.end)),
        vscode.l10n.t('Pictor will not send this placeholder: {0}', problems.map(say).join(' ')),
        vscode.DiagnosticSeverity.Error,
      );
      d.source = 'Pictor';
      return d;
    }));
    return refused;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.subs.forEach((s) => s.dispose());
    this.collection.dispose();
  }
}
