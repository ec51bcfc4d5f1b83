// pictor_fillPlaceholders: every placeholder of a page, as "Generate all" does. Every prompt is
// checked first; one that would be refused stops the call with its line and the limit, so the agent
// can fix the page and call again, and nothing is sent for a half-checked page.
import * as vscode from 'vscode';
import type { Placeholder } from '../../core/placeholders';
import type { PlannedRequest } from '../../core/plan';
import { describeProblem } from '../settings/pageOptions';
import { pagePlan } from '../run/plans';
import { sayWords } from '../say';
import type { JobMeta } from '../state/jobMeta';
import { planningFailed,
  checkCancelled, checkKey, checkTrust, describeFigures, figures, folders, lineOf, linkBase, openPage, refuse,
  type ToolDeps,
} from './common';
import { shortLine } from '../../shared/text';
import { answer, followToken, jobLines, outcomes, whyNotSent } from './run';

export interface FillPlaceholdersInput {
  document: string;
}

interface Plan {
  doc: vscode.TextDocument;
  label: string;
  free: { p: Placeholder; source: string; request: PlannedRequest }[];
  running: Placeholder[];
  empty: Placeholder[];
}

/** The page's plan (the one the CodeLens and Generate all use), or a refusal naming every placeholder that cannot be sent. */
async function plan(deps: ToolDeps, input: FillPlaceholdersInput): Promise<Plan> {
  folders();
  const doc = await openPage(input?.document);
  const label = vscode.workspace.asRelativePath(doc.uri);
  const scan = deps.generator.scan(doc);
  if (!scan.placeholders.length) refuse(vscode.l10n.t('Nothing was sent: {0} has no image placeholders. Write one like ![a red fox asleep in snow]() where an image belongs.', label));
  const isRunning = deps.generator.runningIn(doc);
  const planned = pagePlan(doc, scan, { running: (p) => Boolean(isRunning(p)) });
  const text = doc.getText();
  const left = (reason: 'empty' | 'running') => planned.skipped.filter((s) => s.reason === reason).map((s) => s.placeholder!);
  const problems: string[] = [];
  for (const s of planned.skipped) {
    const p = s.placeholder!;
    if (s.reason === 'empty' || s.reason === 'running') continue;
    // The page's own problem is named once, at its line in the front matter.
    const bad = s.reason === 'options' ? s.problems[0]! : undefined;
    const said = bad?.origin === 'page'
      ? vscode.l10n.t('line {0} (front matter): {1}', lineOf(doc, bad.start), describeProblem(bad))
      : vscode.l10n.t('line {0} ("{1}"): {2}', lineOf(doc, p.start), shortLine(p.prompt, 40), sayWords(s.words));
    if (!problems.includes(said)) problems.push(said);
  }
  if (problems.length) refuse(vscode.l10n.t('Nothing was sent for {0}. Fix these placeholders, then call again: {1}', label, problems.join(' ')));
  const free = planned.requests.map((r) => ({ p: r.placeholder!, source: text.slice(r.placeholder!.start, r.placeholder!.end), request: r }));
  const running = left('running');
  if (!free.length) {
    refuse(running.length
      ? vscode.l10n.t('Nothing was sent: every placeholder of {0} is already being generated. Call pictor_listPlaceholders later to see their links.', label)
      : vscode.l10n.t('Nothing was sent: the placeholders of {0} have no prompt. Describe each image between the brackets: ![a red fox asleep in snow]().', label));
  }
  return { doc, label, free, running, empty: left('empty') };
}

export function fillPlaceholdersTool(deps: ToolDeps): vscode.LanguageModelTool<FillPlaceholdersInput> {
  return {
    async prepareInvocation({ input }) {
      let p: Plan;
      try {
        p = await plan(deps, input);
      } catch (e) {
        return planningFailed(e, vscode.l10n.t('Fill the placeholders of a page with Pictor?'));
      }
      const f = figures(p.free.map((x) => x.request.request));
      return {
        invocationMessage: vscode.l10n.t('Filling {0} placeholder(s) of {1} with Pictor', p.free.length, p.label),
        confirmationMessages: {
          title: vscode.l10n.t('Fill {0} placeholder(s) of {1} with Pictor?', p.free.length, p.label),
          message: new vscode.MarkdownString(vscode.l10n.t('{0}\n\nEach placeholder\'s alt text is its prompt; the links go into the page.\n\nEach image is billed to your EvoLink account.',
            describeFigures(f))),
        },
      };
    },

    async invoke({ input }, token) {
      checkTrust();
      const p = await plan(deps, input);
      await checkKey(deps);
      checkCancelled(token);
      // An agent cannot pick among variants: with n > 1 every image is linked, as its answer says.
      const report = await followToken(deps, token,
        (onSubmitted) => deps.generator.allPlaceholders(p.doc.uri, { options: { variants: 'all' }, onSubmitted }));
      const done = outcomes(deps, report.jobs);
      const base = linkBase(p.doc);
      const saved = done.flatMap((o) => o.files);
      const lines = [vscode.l10n.t('{0}: {1} placeholder(s) sent, {2} image(s) saved, {3} linked into the page (links relative to the page):',
        p.label, done.length, saved.length, done.filter((o) => o.summary.linked).length)];
      for (const o of done) {
        lines.push(vscode.l10n.t('"{0}"{1}', shortLine(o.alt), o.summary.state === 'completed' && !o.summary.linked
          ? vscode.l10n.t(' (not linked: the placeholder was changed or removed meanwhile)') : ''));
        lines.push(...jobLines(o, base));
      }
      // Placeholders that were checked but got no job, each with the reason the run's report gives.
      const sent = new Set(done.map((o) => sourceOf(o.job?.target.meta)));
      for (const x of p.free.filter((f) => !sent.has(f.source))) {
        const line = lineOf(p.doc, x.p.start);
        lines.push(vscode.l10n.t('Not sent: line {0} ("{1}"): {2}', line, shortLine(x.p.prompt, 40), whyNotSent(report, line)));
      }
      if (p.running.length) lines.push(vscode.l10n.t('{0} placeholder(s) were already being generated and were left to finish.', p.running.length));
      if (p.empty.length) lines.push(vscode.l10n.t('{0} placeholder(s) have no prompt and were skipped: describe the image between the brackets.', p.empty.length));
      return answer(lines.join('\n'), done);
    },
  };
}

function sourceOf(meta: JobMeta | undefined): string | undefined {
  return meta?.origin === 'placeholder' ? meta.source : undefined;
}
