// The options a request for a document is made with, as the core's planner (core/plan.ts) puts them
// together: the settings read with the document's URI (so folders can differ) as plain data, the page's
// front matter and a placeholder's override comment. Also the words for a problem and for where a value
// comes from.
import * as vscode from 'vscode';
import { OPTION_KEYS, problemWords, readOverride, type Effective, type OptionLayer, type OptionProblem, type OptionSource, type OptionValues, type ReadOptions } from '../../core/pageOptions';
import { callLayer, optionsOf, pageOptionsOf, type CallOptions, type PlanSettings } from '../../core/plan';
import type { MarkdownScan, Placeholder } from '../../core/placeholders';
import { findFrontMatter } from '../../core/scan/frontMatter';
import { readSettings } from './config';
import { sayWords } from '../say';

export type { Effective } from '../../core/pageOptions';

/** The settings as layers by scope (folder, workspace, user) and the values to use, for `uri`: what the planner is given. */
export function planSettings(uri: vscode.Uri | undefined): PlanSettings {
  const s = readSettings(uri);
  const c = vscode.workspace.getConfiguration('pictor', uri);
  // In a single-folder window the folder's settings are the workspace's.
  const multiRoot = vscode.workspace.workspaceFile !== undefined;
  const byScope: Record<'folder' | 'workspace' | 'user', Partial<OptionValues>> = { folder: {}, workspace: {}, user: {} };
  const values: OptionValues = {
    size: s.size, resolution: s.resolution, quality: s.quality, n: s.n, style: s.style.trim(),
    background: s.background, format: s.format, maxWidth: s.maxWidth, references: s.references, styleFrom: '',
  };
  for (const key of OPTION_KEYS) {
    if (key === 'styleFrom') continue; // a page's option only
    const i = c.inspect(key);
    const scope = i?.workspaceFolderValue !== undefined ? (multiRoot ? 'folder' : 'workspace')
      : i?.workspaceValue !== undefined ? 'workspace'
        : i?.globalValue !== undefined ? 'user' : undefined;
    if (scope) (byScope[scope] as Record<string, unknown>)[key] = values[key];
  }
  const layers: OptionLayer[] = (['folder', 'workspace', 'user'] as const)
    .filter((from) => Object.keys(byScope[from]).length)
    .map((from) => ({ from, values: byScope[from] }));
  // `pictor.references` is relative to the page's workspace folder, and every reference file must lie inside it.
  const folder = uri && vscode.workspace.getWorkspaceFolder(uri);
  const root = folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  return { layers, values, model: s.model, callbackUrl: s.callbackUrl, ...(root ? { root } : {}) };
}

/** What the page's front matter sets (an empty layer for a page without one, or another kind of document). */
export function pageOptions(doc: vscode.TextDocument | undefined, scan?: MarkdownScan): ReadOptions {
  if (doc?.languageId !== 'markdown') return { layer: { from: 'page', values: {} }, problems: [] };
  const text = doc.getText();
  return pageOptionsOf({ text, scan: scan ?? { placeholders: [], images: [], frontMatter: findFrontMatter(text, text.startsWith('\uFEFF') ? 1 : 0) } });
}

export { callLayer };

export interface ResolveArgs {
  doc: vscode.TextDocument | undefined;
  scan?: MarkdownScan;
  /** The placeholder the request is for: its override comment applies. */
  placeholder?: Placeholder;
  call?: CallOptions;
}

/** The effective options of one request: call > placeholder > page > folder > workspace > user > defaults (core/plan.ts). */
export function resolveOptions(a: ResolveArgs): Effective {
  const override = a.placeholder && a.doc ? readOverride(a.doc.getText(), a.placeholder.end)?.layer : undefined;
  return optionsOf(planSettings(a.doc?.uri), a.doc ? pageOptions(a.doc, a.scan).layer : undefined, override, callLayer(a.call));
}

// ---- words ----------------------------------------------------------------------------------------

/** A problem in words: what is wrong, and what is allowed (the core's words, in the user's language). */
export function describeProblem(p: OptionProblem): string {
  return sayWords(problemWords(p));
}

/** Where a value comes from, for the panel. */
export function describeSource(from: OptionSource): string {
  switch (from) {
    case 'call': return vscode.l10n.t('this request');
    case 'placeholder': return vscode.l10n.t('placeholder');
    case 'page': return vscode.l10n.t('page');
    case 'folder': return vscode.l10n.t('folder settings');
    case 'workspace': return vscode.l10n.t('workspace settings');
    case 'user': return vscode.l10n.t('user settings');
    case 'default': return vscode.l10n.t('default');
  }
}
