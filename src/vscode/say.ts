// Words for what the core reports, in the user's language: each message code's English template
// (src/shared/words.ts) is looked up in the bundle by vscode.l10n.t; anything without a code (an error
// from Node, from VS Code) is shown with its own message.
import * as vscode from 'vscode';
import { ENGLISH, isWords, renderWith, type WordCode, type Words } from '../shared/words';

const t = (template: string, ...args: string[]) => vscode.l10n.t(template, ...args);

/** A core message in the user's language. */
export function sayWords(w: Words): string {
  return renderWith(t, w);
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
  return Object.fromEntries(codes.map((c) => [c, t(ENGLISH[c], ...PLACEHOLDERS)]));
}
