// Placeholders the provider would refuse (a prompt over the length limit, …) and page options that
// cannot be sent (a wrong value in the front matter or in a placeholder's override comment) are
// marked where they are, in the Problems view, while the user types: nobody should learn it only by
// pressing Generate. All of it is read from the page's plan (plans.ts), the one Generate all and the
// CodeLens use, so Generate all sends the good placeholders and leaves exactly these.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { Plan, SkippedItem } from '../../core/plan';
import type { MarkdownScan, Placeholder } from '../../core/placeholders';
import type { ValidationError } from '../../core/request';
import type { RunOptions } from '../run/runTypes';
import { describeProblem } from '../settings/pageOptions';
import { pagePlan, skippedIn } from '../run/plans';
import { say } from '../say';

/** How long typing must pause before a document is checked again. */
const DEBOUNCE_MS = 300;

/** What the provider would refuse of a left-out placeholder's prompt (with the style that is added to it). */
function promptErrors(s: SkippedItem): ValidationError[] {
  return s.errors.filter((e) => e.field === 'prompt');
}

/**
 * Why this placeholder would not be sent, in words, from the page's plan: an option it would use cannot
 * be sent (its override comment, the page's front matter), or its prompt with the style is over the
 * provider's limit.
 */
export function placeholderProblems(doc: vscode.TextDocument, scan: MarkdownScan, p: Placeholder, _text: string, call?: RunOptions): string[] {
  if (p.empty) return [];
  const s = skippedIn(pagePlan(doc, scan, { call }), p);
  if (!s) return [];
  if (s.reason === 'options') return s.problems.map(describeProblem);
  return promptErrors(s).map(say);
}

export class PlaceholderDiagnostics extends Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pictor');
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly scan: (doc: vscode.TextDocument) => MarkdownScan) {
    super();
    this.register(
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // The style counts towards a prompt's length.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pictor.style')) for (const d of vscode.workspace.textDocuments) this.update(d);
      }),
    );
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

  /** Checks a document now, from the page's plan; returns the placeholders that would be refused for their prompt, with why. */
  update(doc: vscode.TextDocument): { placeholder: Placeholder; problems: ValidationError[] }[] {
    if (doc.languageId !== 'markdown') {
      this.collection.delete(doc.uri);
      return [];
    }
    const plan: Plan = pagePlan(doc, this.scan(doc));
    const range = (start: number, end: number) => new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    const refused = plan.skipped
      .map((s) => ({ placeholder: s.placeholder!, problems: promptErrors(s) }))
      .filter((r) => r.placeholder && r.problems.length > 0);
    const diagnostics = plan.problems.map((p) => {
      const d = new vscode.Diagnostic(range(p.start, p.end), describeProblem(p),
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'Pictor';
      return d;
    });
    for (const { placeholder: p, problems } of refused) {
      const d = new vscode.Diagnostic(
        range(p.start, p.end),
        vscode.l10n.t('Pictor will not send this placeholder: {0}', problems.map(say).join(' ')),
        vscode.DiagnosticSeverity.Error,
      );
      d.source = 'Pictor';
      diagnostics.push(d);
    }
    this.collection.set(doc.uri, diagnostics);
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
    super.dispose();
    this.collection.dispose();
  }
}
