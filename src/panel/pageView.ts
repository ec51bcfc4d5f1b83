// What the panel shows of the active page's options: the values its placeholders are generated with
// (front matter, then the settings read for the page's folder, then the defaults) and where each
// comes from. A placeholder's own override comment is not part of it: it applies to that one only.
import * as vscode from 'vscode';
import { OPTION_KEYS, type OptionKey, type OptionSource } from '../core/pageOptions';
import type { MarkdownScan } from '../core/placeholders';
import { describeProblem, describeSource, pageOptions, resolveOptions } from '../vscode/settings/pageOptions';
import type { PageOptionsView } from '../shared/protocol';

const ORDER: OptionSource[] = ['call', 'placeholder', 'page', 'folder', 'workspace', 'user', 'default'];

/** The options line; its references are pageReferences.ts's (read from disk, so apart). */
export function pageOptionsView(doc: vscode.TextDocument, scan: MarkdownScan): Omit<PageOptionsView, 'references'> {
  const o = resolveOptions({ doc, scan });
  const read = pageOptions(doc, scan);
  // A value the page writes but cannot be sent is shown as written, marked: never as the default it is not.
  const shown = (key: OptionKey, value: string): string => {
    const bad = o.from[key] === 'page' ? read.layer.invalid?.[key] : undefined;
    return bad ? vscode.l10n.t('{0} (invalid)', bad.value ?? '?') : value;
  };
  const v = o.values;
  const style = v.style.length > 60 ? `${v.style.slice(0, 59)}…` : v.style;
  const parts = [shown('size', v.size), shown('resolution', v.resolution), shown('quality', v.quality),
    read.layer.invalid?.n && o.from.n === 'page' ? shown('n', '') : vscode.l10n.t('{0} image(s)', v.n)];
  if (read.layer.invalid?.style && o.from.style === 'page') parts.push(vscode.l10n.t('style {0}', shown('style', '')));
  else if (style) parts.push(vscode.l10n.t('style "{0}"', style));
  const bySource = new Map<OptionSource, OptionKey[]>();
  for (const key of OPTION_KEYS) {
    if (key === 'style' && !v.style && o.from.style === 'default') continue;
    // The look options (issue 24) are named only once something sets them.
    if ((key === 'background' || key === 'format' || key === 'maxWidth' || key === 'references' || key === 'styleFrom') && o.from[key] === 'default') continue;
    bySource.set(o.from[key], [...(bySource.get(o.from[key]) ?? []), key]);
  }
  const sources = ORDER.filter((s) => bySource.has(s)).map((s) => vscode.l10n.t('{0}: {1}', describeSource(s), bySource.get(s)!.join(', '))).join(' · ');
  return {
    summary: vscode.l10n.t('This page: {0}', parts.join(' · ')),
    sources: vscode.l10n.t('From {0}', sources),
    problems: read.problems.map(describeProblem),
  };
}
