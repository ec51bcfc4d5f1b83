// Every face plans through here: the page's text and scan and the settings read for the page, handed to
// the core's planner (core/plan.ts), which reads nothing and tells nobody. A page's plan is kept with
// its scan (one per text of the page) for the settings and call options it was made with, so the
// CodeLens, the diagnostics, the tools and Generate all asking about the same text share one plan, and
// the submitter takes the requests of an action from it instead of planning them again.
import type * as vscode from 'vscode';
import { readOverride } from '../../core/pageOptions';
import { actionCost } from '../../core/money';
import {
  callLayer, plan, planPage, withRunning, type CallOptions, type Plan, type PlanItem, type PlannedRequest, type PlanPage, type PlanSettings, type SkippedItem,
} from '../../core/plan';
import type { MarkdownScan, Placeholder } from '../../core/placeholders';
import { planSettings } from '../settings/pageOptions';

/** Plans of one text of a page, by settings and call options (a few: the lens's, a tool's, the panel's). */
const byScan = new WeakMap<MarkdownScan, Map<string, Plan>>();
const PER_SCAN = 4;

function pageOf(doc: vscode.TextDocument | undefined, scan: MarkdownScan | undefined): PlanPage | undefined {
  return doc?.languageId === 'markdown' && scan ? { text: doc.getText(), scan, ...(doc.uri.scheme === 'file' ? { path: doc.uri.fsPath } : {}) } : undefined;
}

function keyOf(settings: PlanSettings, call: CallOptions | undefined): string {
  return JSON.stringify([settings, callLayer(call)?.values ?? {}]);
}

/**
 * The plan of every placeholder of a Markdown page (`scan` is the document's scan for its text now),
 * with the settings read for the page and the call's options. With `running`, the placeholders being
 * generated are left out as `running` (the lens and the diagnostics plan without it).
 */
export function pagePlan(doc: vscode.TextDocument, scan: MarkdownScan, opts: { call?: CallOptions; running?: (p: Placeholder) => boolean } = {}): Plan {
  const settings = planSettings(doc.uri);
  const key = keyOf(settings, opts.call);
  let plans = byScan.get(scan);
  let p = plans?.get(key);
  if (!p) {
    p = planPage({ page: pageOf(doc, scan) ?? { text: doc.getText(), scan }, settings, call: opts.call });
    if (!plans) byScan.set(scan, plans = new Map<string, Plan>());
    plans.set(key, p);
    if (plans.size > PER_SCAN) plans.delete(plans.keys().next().value as string);
  }
  return opts.running ? withRunning(p, opts.running) : p;
}

/** What a page plan left out, by the placeholder's start offset (a placeholder starts where no other does). */
const skippedBy = new WeakMap<Plan, Map<number, SkippedItem>>();

/** Why the page plan leaves out the placeholder `p` of the same text, if it does. */
export function skippedIn(p: Plan, placeholder: Placeholder): SkippedItem | undefined {
  let by = skippedBy.get(p);
  if (!by) {
    by = new Map(p.skipped.flatMap((s) => (s.placeholder ? [[s.placeholder.start, s] as const] : [])));
    skippedBy.set(p, by);
  }
  return by.get(placeholder.start);
}

/**
 * The plan of an action's prompts, in one pass. A placeholder's prompt whose page plan for this very
 * text, settings and call is at hand (the lens, a tool or Generate all made it) is taken from there:
 * the same prompt with the same override comment, no references, on the same text plans the same.
 */
export function actionPlan(doc: vscode.TextDocument | undefined, scan: MarkdownScan | undefined, items: readonly PlanItem[], call?: CallOptions): Plan {
  const page = pageOf(doc, scan);
  const settings = planSettings(doc?.uri);
  const known = page ? byScan.get(page.scan)?.get(keyOf(settings, call)) : undefined;
  if (!known || !page || items.some((i) => i.placeholder || i.references?.length)) return plan({ page, settings, call, items });
  const byPrompt = new Map<string, (PlannedRequest | SkippedItem)[]>();
  for (const e of [...known.requests, ...known.skipped]) byPrompt.set(e.prompt, [...(byPrompt.get(e.prompt) ?? []), e]);
  const overrideOf = (e: PlannedRequest | SkippedItem) => JSON.stringify(readOverride(page.text, e.placeholder!.end)?.layer);
  const found = items.map((item) => byPrompt.get(item.prompt)?.find((e) => e.placeholder && overrideOf(e) === JSON.stringify(item.override)));
  // Any prompt the page plan does not hold (not a placeholder, or one changed since): plan them all afresh.
  if (found.some((e) => !e)) return plan({ page, settings, call, items });
  const requests: PlannedRequest[] = [];
  const skipped: SkippedItem[] = [];
  for (const [index, e] of found.entries()) {
    // The item is not that placeholder (identical ones are planned alike): only the plan is taken.
    const { placeholder: _, ...entry } = e!;
    if ('reason' in entry) skipped.push({ ...entry, index });
    else requests.push({ ...entry, index });
  }
  return { requests, skipped, bill: actionCost(requests.map((r) => r.figures)), problems: known.problems };
}
