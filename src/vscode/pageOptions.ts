// The options a request for a document is made with: the settings read with the document's URI (so
// folders can differ), the page's front matter and a placeholder's override comment, put together by
// core/pageOptions.ts. Also the words for every problem those can have, and for where a value comes from.
import * as vscode from 'vscode';
import {
  DEFAULT_OPTIONS, effectiveOptions, OPTION_KEYS, readOverride, readPageOptions,
  type Effective, type OptionKey, type OptionLayer, type OptionProblem, type OptionSource, type OptionValues, type ReadOptions,
} from '../core/pageOptions';
import type { FrontMatter, MarkdownScan, Placeholder } from '../core/placeholders';
import { findFrontMatter } from '../core/scan/frontMatter';
import { promptWithStyle } from '../core/recipe';
import { RATIOS } from '../shared/limits';
import { readSettings } from './config';
import type { RunOptions } from './runTypes';
import { say } from './say';

export type { Effective } from '../core/pageOptions';

/** The settings as layers by scope (folder, workspace, user) and the defaults, for `uri`. */
export function settingsLayers(uri: vscode.Uri | undefined): { layers: OptionLayer[]; defaults: OptionValues } {
  const s = readSettings(uri);
  const c = vscode.workspace.getConfiguration('pictor', uri);
  // In a single-folder window the folder's settings are the workspace's.
  const multiRoot = vscode.workspace.workspaceFile !== undefined;
  const byScope: Record<'folder' | 'workspace' | 'user', Partial<OptionValues>> = { folder: {}, workspace: {}, user: {} };
  const values: OptionValues = { size: s.size, resolution: s.resolution, quality: s.quality, n: s.n, style: s.style.trim() };
  for (const key of OPTION_KEYS) {
    const i = c.inspect(key);
    const scope = i?.workspaceFolderValue !== undefined ? (multiRoot ? 'folder' : 'workspace')
      : i?.workspaceValue !== undefined ? 'workspace'
        : i?.globalValue !== undefined ? 'user' : undefined;
    if (scope) (byScope[scope] as Record<string, unknown>)[key] = values[key];
  }
  const layers: OptionLayer[] = (['folder', 'workspace', 'user'] as const)
    .filter((from) => Object.keys(byScope[from]).length)
    .map((from) => ({ from, values: byScope[from] }));
  return { layers, defaults: values };
}

/** The last page read, by its front matter: a page is read once per change of its front matter, not per lens. */
let lastPage: { key: string; read: ReadOptions } | undefined;

/** What the page's front matter sets (an empty layer for a page without one, or another kind of document). */
export function pageOptions(doc: vscode.TextDocument | undefined, scan?: MarkdownScan): ReadOptions {
  const markdown = doc?.languageId === 'markdown';
  const fm = !markdown ? undefined : scan ? scan.frontMatter : frontMatterOf(doc.getText());
  if (!fm || !doc) return { layer: { from: 'page', values: {} }, problems: [] };
  const key = `${doc.uri.toString()}\u0000${fm.rawStart}\u0000${fm.kind}\u0000${fm.raw}`;
  if (lastPage?.key !== key) lastPage = { key, read: readPageOptions(doc.getText(), fm) };
  return lastPage.read;
}

function frontMatterOf(text: string): FrontMatter | undefined {
  return findFrontMatter(text, text.startsWith('\uFEFF') ? 1 : 0);
}

/** A call's own options as the top layer (only the keys it sets). */
export function callLayer(options: RunOptions | undefined): OptionLayer | undefined {
  if (!options) return undefined;
  const values: Partial<OptionValues> = {};
  for (const key of OPTION_KEYS) {
    const v = options[key];
    if (v !== undefined) (values as Record<string, unknown>)[key] = key === 'style' ? String(v).trim() : v;
  }
  return Object.keys(values).length ? { from: 'call', values } : undefined;
}

export interface ResolveArgs {
  doc: vscode.TextDocument | undefined;
  scan?: MarkdownScan;
  /** The placeholder the request is for: its override comment applies. */
  placeholder?: Placeholder;
  /** The document's text (read once by callers that resolve many placeholders). */
  text?: string;
  /** The placeholder's override as read with it (instead of reading `placeholder`'s again). */
  override?: OptionLayer;
  call?: RunOptions;
  /** The settings' layers, when the caller read them once for many placeholders. */
  settings?: ReturnType<typeof settingsLayers>;
}

/** The effective options of one request: call > placeholder > page > folder > workspace > user > defaults. */
export function resolveOptions(a: ResolveArgs): Effective {
  const { layers: settings, defaults } = a.settings ?? settingsLayers(a.doc?.uri);
  const layers: OptionLayer[] = [];
  const call = callLayer(a.call);
  if (call) layers.push(call);
  if (a.override) layers.push(a.override);
  else if (a.placeholder && a.doc) {
    const o = readOverride(a.text ?? a.doc.getText(), a.placeholder.end);
    if (o) layers.push(o.layer);
  }
  if (a.doc) layers.push(pageOptions(a.doc, a.scan).layer);
  layers.push(...settings);
  return effectiveOptions(layers, defaults);
}

/** The options part of a request (what validateRequest takes besides the prompt). */
export function requestOptions(e: Effective): Required<Pick<RunOptions, 'size' | 'resolution' | 'quality' | 'n'>> {
  return { size: e.values.size, resolution: e.values.resolution, quality: e.values.quality, n: e.values.n };
}

/** The prompt that is sent: the prompt as written, and the style after a blank line. */
export function sentPrompt(prompt: string, e: Effective): string {
  return promptWithStyle(prompt, e.values.style);
}

// ---- words ----------------------------------------------------------------------------------------

const RATIO_LIST = RATIOS.join(', ');

/** What is allowed for an option, for a message that says how to fix it. */
export function allowedValues(key: string): string {
  switch (key as OptionKey) {
    case 'size': return vscode.l10n.t('auto, a ratio ({0}) or WxH such as 1536x1024 (edges multiples of 16, 16–3840)', RATIO_LIST);
    case 'resolution': return vscode.l10n.t('1K, 2K or 4K');
    case 'quality': return vscode.l10n.t('low, medium or high');
    case 'n': return vscode.l10n.t('a whole number from 1 to 10');
    case 'style': return vscode.l10n.t('text, e.g. "flat vector illustration, pastel palette"');
    default: return OPTION_KEYS.join(', ');
  }
}

/** A problem in words: what is wrong, and what is allowed. */
export function describeProblem(p: OptionProblem): string {
  const where = p.origin === 'page' ? vscode.l10n.t('Page options (front matter)') : vscode.l10n.t('Placeholder options');
  const stop = p.origin === 'page'
    ? vscode.l10n.t('Nothing is sent for the placeholders of this page that use it until it is fixed.')
    : vscode.l10n.t('Nothing is sent for this placeholder until it is fixed.');
  const key = p.key ?? '';
  switch (p.kind) {
    case 'yaml':
      return vscode.l10n.t('{0}: the front matter is not valid YAML ({1}). {2}', where, p.detail ?? '', stop);
    case 'notMapping':
      return vscode.l10n.t('{0}: pictor: must hold options, one per line, such as size: "16:9" (allowed: {1}); got {2}. {3}',
        where, OPTION_KEYS.join(', '), p.value ?? '', stop);
    case 'alias':
      return vscode.l10n.t('{0}: pictor: cannot use YAML anchors (&) or aliases (*). Write each value out, such as size: "16:9". {1}', where, stop);
    case 'type':
    case 'value': {
      const detail = p.detail ? ` (${say({ message: p.detail, words: p.detailWords })})` : '';
      return key === 'n' || key === 'style'
        ? vscode.l10n.t('{0}: {1} cannot be {2}{3}. Allowed: {4}. {5}', where, key, p.value ?? '', detail, allowedValues(key), stop)
        : vscode.l10n.t('{0}: {1} cannot be "{2}"{3}. Allowed: {4}. {5}', where, key, p.value ?? '', detail, allowedValues(key), stop);
    }
    case 'unknown':
      return vscode.l10n.t('{0}: Pictor does not know the option "{1}", so it is ignored. Known options: {2}.', where, key, OPTION_KEYS.join(', '));
    case 'duplicate':
      return vscode.l10n.t('{0}: {1} is given twice. Keep one. {2}', where, key, stop);
    case 'syntax':
      return vscode.l10n.t('{0}: "{1}" is not an option. Write key=value pairs, e.g. <!-- pictor: size=16:9 quality=high style="ink sketch" -->. {2}', where, p.value ?? '', stop);
    case 'unclosed':
      return vscode.l10n.t('{0}: the comment has no closing --> on its line. Write it on one line: <!-- pictor: size=16:9 quality=high -->. {1}', where, stop);
    case 'toml':
      return vscode.l10n.t('{0}: Pictor reads page options from YAML front matter (---) only; this [pictor] table is ignored.', where);
  }
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

/** Every problem of a page: its front matter's and every placeholder override's. */
export function pageProblems(doc: vscode.TextDocument, scan: MarkdownScan): OptionProblem[] {
  const text = doc.getText();
  const out = [...pageOptions(doc, scan).problems];
  for (const p of scan.placeholders) {
    const o = readOverride(text, p.end);
    if (o) out.push(...o.problems);
  }
  return out;
}

export { DEFAULT_OPTIONS };
