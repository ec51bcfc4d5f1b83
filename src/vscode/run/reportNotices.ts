// The command face: a run's report (core/runReport.ts) as the notifications the commands have always
// shown, with their buttons (through UserInput's notify, which the integration tests' host records). The flow (generate.ts, placeholderRuns.ts, submitter.ts) shows nothing;
// the questions asked before sending (the cost question, the key, the budget) are not outcomes and
// are asked where they arise.
import * as vscode from 'vscode';
import type { NotSent } from '../../core/runReport';
import { shortLine } from '../../shared/text';
import type { JobSummary, Report } from './runTypes';
import { showJobError } from '../service';
import { tellUntrusted } from '../settings/trust';
import type { Notify } from '../userInput';

type OnSent = (sent: Report) => void;

/**
 * Runs `work` as a command: what was decided before the jobs run is told as soon as it is known (the
 * report so far, through `onSent`), the failures once they are final. Resolves with the jobs.
 */
export async function commandRun(notify: Notify, log: vscode.LogOutputChannel, work: (onSent: OnSent) => Promise<Report>): Promise<JobSummary[]> {
  let told = false;
  const report = await work((sent) => {
    told = true;
    tellSent(notify, log, sent);
  });
  if (!told) tellSent(notify, log, report);
  if (report.failed) void showJobError(report.failed, notify);
  return report.jobs;
}

/** Everything of a report but the failures of its jobs. */
export function tellSent(notify: Notify, log: vscode.LogOutputChannel, r: Report): void {
  // Generate all leaves out the placeholders the provider would refuse, and names them.
  const checked = r.notSent.filter((n) => n.line !== undefined && (n.reason === 'options' || n.reason === 'prompt' || n.reason === 'request'));
  if (checked.length) tellRefused(notify, log, checked, r.sending);
  const code = r.refusal?.code;
  const nothing = code === 'elsewhere' || code === 'claimFailed' || code === 'changed';
  const elsewhere = r.notSent.filter((n) => n.reason === 'elsewhere').length;
  if (elsewhere) {
    const msg = nothing
      ? vscode.l10n.t('Pictor: another VS Code window is already generating this. Nothing was sent.')
      : vscode.l10n.t('Pictor: {0} placeholder(s) are already being generated in another VS Code window; the others are sent.', elsewhere);
    log.info(msg);
    void notify('info', msg);
  }
  const failed = r.notSent.filter((n) => n.reason === 'claimFailed');
  if (failed.length) {
    const msg = vscode.l10n.t('Pictor: could not record in its storage folder that this window is generating {0} placeholder(s) ({1}), so they were not sent: another window could otherwise bill them twice. Try again; if it persists, check that the folder is writable.',
      failed.length, failed[0]!.words);
    log.error(msg);
    void notify('error', msg);
  }
  if (r.refusal) tellRefusal(notify, r);
  for (const e of r.errors) void showJobError(e, notify);
}

function tellRefusal(notify: Notify, r: Report): void {
  const refusal = r.refusal!;
  switch (refusal.code) {
    case 'trust':
      tellUntrusted(notify);
      return;
    case 'plan': {
      const msg = vscode.l10n.t('Pictor: nothing was sent. {0}{1}', refusal.words, '');
      if (r.notSent[0]?.reason === 'options') {
        const show = vscode.l10n.t('Show Problems');
        void notify('error', msg, show)
          .then((pick) => pick === show && vscode.commands.executeCommand('workbench.actions.view.problems'));
        return;
      }
      void notify('error', msg, vscode.l10n.t('Open Settings'))
        .then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'pictor'));
      return;
    }
    case 'pick': {
      const pick = vscode.l10n.t('Pick…');
      const id = r.notSent.find((n) => n.pickId)?.pickId;
      void notify('info', refusal.words, pick)
        .then((choice) => choice === pick && vscode.commands.executeCommand('pictor.pickVariant', id));
      return;
    }
    // The questions (cost, budget, key) were the notice; claims and the page's problems are told above.
    case 'cost': case 'budget': case 'key': case 'problems': case 'elsewhere': case 'claimFailed':
      return;
    default:
      if (!refusal.words || !refusal.severity) return;
      void notify(refusal.severity, refusal.words);
  }
}

/** One message for every placeholder Generate all leaves out, with where it is and why. */
function tellRefused(notify: Notify, log: vscode.LogOutputChannel, refused: NotSent[], sent: number): void {
  // Placeholders refused for the same reason (the page's front matter) are named together.
  const groups = new Map<string, NotSent[]>();
  for (const n of refused) groups.set(n.words, [...(groups.get(n.words) ?? []), n]);
  const named = [...groups].slice(0, 3).map(([why, ns]) => (ns.length === 1
    ? vscode.l10n.t('"{0}" (line {1}): {2}', shortLine(ns[0]!.prompt, 40), ns[0]!.line!, why)
    : vscode.l10n.t('{0} placeholders (lines {1}): {2}', ns.length, ns.map((n) => n.line!).join(', '), why)));
  const more = groups.size > 3 ? vscode.l10n.t(' and {0} more', [...groups.values()].slice(3).reduce((n, ns) => n + ns.length, 0)) : '';
  const list = named.join('; ') + more;
  const msg = sent
    ? vscode.l10n.t('Pictor: {0} placeholder(s) were not sent, the other {1} were: {2}. They are marked in the Problems view.', refused.length, sent, list)
    : vscode.l10n.t('Pictor: nothing was sent: {0}. They are marked in the Problems view.', list);
  log.warn(msg);
  const show = vscode.l10n.t('Show Problems');
  void notify('warning', msg, show)
    .then((pick) => pick === show && vscode.commands.executeCommand('workbench.actions.view.problems'));
}
