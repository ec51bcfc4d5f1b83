// The editor adapters: what a command's arguments or the active editor point at (a Markdown document
// and an offset, a selection, an image link's file), read into what the submitter takes. Each says in
// a warning what to do when there is nothing to read.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ReferenceInput } from '../../core/types';
import { fileOfLink } from '../../core/markdownEdits';
import { DEFAULT_VARIANTS, MAX_VARIANTS, MIN_VARIANTS } from '../../core/variants';
import { oneLine } from '../../shared/text';
import type { JobMeta } from '../state/jobMeta';
import { checkReferenceFile } from './references';
import type { RunItem } from './runTypes';

/** The Markdown document and offset a placeholder command works on: its arguments, or the cursor. */
export async function markdownTarget(uriArg: unknown, rangeArg: unknown): Promise<{ doc: vscode.TextDocument; offset: number } | undefined> {
  let doc: vscode.TextDocument | undefined;
  let offset = 0;
  const uri = toUri(uriArg);
  if (uri) {
    doc = await vscode.workspace.openTextDocument(uri);
    const range = toRange(rangeArg);
    offset = range ? doc.offsetAt(range.start) : 0;
    const editor = vscode.window.activeTextEditor;
    if (!range && editor?.document === doc) offset = doc.offsetAt(editor.selection.active);
  } else {
    const editor = vscode.window.activeTextEditor;
    doc = editor?.document;
    offset = editor ? doc!.offsetAt(editor.selection.active) : 0;
  }
  if (!doc) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: open a Markdown file with image placeholders first.'));
    return undefined;
  }
  if (doc.languageId !== 'markdown') {
    void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: image placeholders work in Markdown files. For other files, select text and run "Generate Image from Selection".'));
    return undefined;
  }
  return { doc, offset };
}

/** The selection as a prompt: its links go on a new line after the selection's last line. */
export function selectionItem(editor: vscode.TextEditor | undefined): RunItem | undefined {
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: select the text to use as the prompt first.'));
    return undefined;
  }
  const doc = editor.document;
  const prompt = doc.getText(editor.selection).trim();
  const sel = editor.selection;
  const lastLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
  const insertAt = doc.offsetAt(doc.lineAt(lastLine).range.end);
  const meta: JobMeta = { origin: 'selection', documentUri: doc.uri.toString(), alt: oneLine(prompt), insertLinks: doc.languageId === 'markdown', anchor: doc.lineAt(lastLine).text };
  return { prompt, meta, track: [insertAt, insertAt] };
}

/**
 * The reference for an image link: a URL as is, or a file that really lies in a workspace folder
 * (uploaded before the create). Relative links resolve from the document's folder.
 */
export async function referenceFor(doc: vscode.TextDocument, url: string): Promise<ReferenceInput | { error: string }> {
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url };
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^file:/i.test(url)) {
    return { error: vscode.l10n.t('Pictor: this image link ({0}) is neither a web address nor a file in the workspace.', url) };
  }
  const file = fileOfLink(path.dirname(doc.uri.fsPath), url);
  if (file === undefined) return { error: vscode.l10n.t('Pictor: the image {0} does not exist. Fix the link, then try again.', url) };
  const c = await checkReferenceFile(file, url);
  if (!c.ok) return { error: vscode.l10n.t('Pictor: {0}', c.problem) };
  return { kind: 'file', path: file, bytes: c.bytes };
}

/** A quick pick of 2–10 with the default (4) chosen: Enter takes it. */
export function chooseVariantCount(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { count: number }>();
    qp.title = vscode.l10n.t('Pictor: Generate Variants');
    qp.placeholder = vscode.l10n.t('How many variants? Each one is billed; you pick one to link.');
    qp.items = Array.from({ length: MAX_VARIANTS - MIN_VARIANTS + 1 }, (_, i) => {
      const count = MIN_VARIANTS + i;
      return { label: String(count), description: count === DEFAULT_VARIANTS ? vscode.l10n.t('default') : undefined, count };
    });
    qp.activeItems = qp.items.filter((i) => i.count === DEFAULT_VARIANTS);
    let done = false;
    const finish = (n: number | undefined) => {
      if (done) return;
      done = true;
      resolve(n);
      qp.dispose();
    };
    qp.onDidAccept(() => finish(qp.selectedItems[0]?.count ?? qp.activeItems[0]?.count));
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** A Uri, its string form, or its JSON form (how other extensions and serialized commands pass it). */
function toUri(v: unknown): vscode.Uri | undefined {
  if (v instanceof vscode.Uri) return v;
  if (typeof v === 'string' && v) return vscode.Uri.parse(v);
  const o = v as { scheme?: unknown; path?: unknown; authority?: unknown; query?: unknown; fragment?: unknown } | undefined;
  if (o && typeof o.scheme === 'string' && typeof o.path === 'string') {
    const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
    return vscode.Uri.from({ scheme: o.scheme, path: o.path, authority: str(o.authority), query: str(o.query), fragment: str(o.fragment) });
  }
  return undefined;
}

function toRange(v: unknown): vscode.Range | undefined {
  if (v instanceof vscode.Range) return v;
  const o = v as { start?: { line?: unknown; character?: unknown }; end?: { line?: unknown; character?: unknown } } | undefined;
  if (o && typeof o.start?.line === 'number' && typeof o.start.character === 'number') {
    const end = typeof o.end?.line === 'number' && typeof o.end.character === 'number' ? o.end : o.start;
    return new vscode.Range(o.start.line, o.start.character, end.line as number, end.character as number);
  }
  return undefined;
}
