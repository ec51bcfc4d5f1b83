// Words for what the core reports, in the user's language: the core's message codes go through the
// table in wordTable.ts (vscode.l10n); anything without a code (an error from Node, from VS Code)
// is shown with its own message.
import * as vscode from 'vscode';
import { isWords, type WordCode, type Words } from '../shared/words';
import { wordTable, type WordTable } from './wordTable';

let table: WordTable | undefined;

/** A core message in the user's language. */
export function sayWords(w: Words): string {
  table ??= wordTable(vscode);
  const args = (w.args ?? []).map((a) => (typeof a === 'object' ? sayWords(a) : String(a)));
  return table[w.code](args);
}

/** What to show for an error, a refusal or a validation problem that came from the core. */
export function say(x: { message?: unknown; words?: unknown } | string | undefined | null): string {
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x;
  if (isWords(x.words)) return sayWords(x.words);
  return typeof x.message === 'string' ? x.message : String(x);
}

const PLACEHOLDERS = Array.from({ length: 10 }, (_, i) => `{${i}}`);

/** The translated templates, `{0}`… kept, for the webview to fill itself (it has no vscode.l10n). */
export function wordTemplates(codes: readonly WordCode[]): Record<string, string> {
  table ??= wordTable(vscode);
  return Object.fromEntries(codes.map((c) => [c, table![c](PLACEHOLDERS)]));
}
