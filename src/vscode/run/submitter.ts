// The one way a request is sent, whoever made it (a command, the panel, a tool, a recipe): every item is
// planned (core/plan.ts, through plans.ts), a big batch confirmed, the budget and the key checked, and
// only then anything sent. A user never pays to learn that an option was wrong. Tells the caller the
// ids of the jobs it made as soon as they are stored (`onSubmitted`), and resolves when every one of
// them is final, with the run's report (core/runReport.ts): it shows no notification, the face renders
// the report (reportNotices.ts for the commands, the tools as their answer).
import * as vscode from 'vscode';
import { lookNeedsWork } from '../../core/look';
import { slugify } from '../../core/fileNames';
import type { MarkdownScan } from '../../core/placeholders';
import { withReference, type ValidRequest } from '../../core/request';
import { firstImageReference } from '../../core/pageReferences';
import { words } from '../../shared/words';
import type { JobRecord } from '../../core/store';
import { waitsForPick } from '../../core/variants';
import { shortLine } from '../../shared/text';
import type { Figures, SkippedItem } from '../../core/plan';
import { refusedReport, type NotSent } from '../../core/runReport';
import { readGuards, readSettings } from '../settings/config';
import { approvalOf, askCost } from './costQuestion';
import type { PlaceholderDiagnostics } from '../editor/diagnostics';
import type { JobMeta } from '../state/jobMeta';
import type { Linker } from '../place/linker';
import type { PendingReads } from './pendingReads';
import { waitWithProgress } from './progress';
import type { JobError, JobSummary, Report, RunItem, RunOptions } from './runTypes';
import type { PictorService, SubmitResult } from '../service';
import { actionPlan } from './plans';
import { say, sayWords } from '../say';
import { untrustedWords } from '../settings/trust';
import type { UserInput } from '../userInput';

export class Submitter {
  constructor(
    private readonly service: PictorService,
    private readonly linker: Linker,
    private readonly log: vscode.LogOutputChannel,
    private readonly pending: PendingReads,
    private readonly scan: (doc: vscode.TextDocument) => MarkdownScan,
    private readonly diagnostics: PlaceholderDiagnostics,
    private readonly withProgress: UserInput['withProgress'],
  ) {}

  /**
   * Runs the items and reports what happened (see core/runReport.ts); shows nothing itself: the face
   * that called renders the report. `onSent` hears the report so far once nothing more will be sent
   * (before the jobs finish), not when the run stops before that.
   */
  async run(doc: vscode.TextDocument | undefined, items: RunItem[], title: string, options?: RunOptions,
    onSubmitted?: (jobIds: string[]) => void, onSent?: (sent: Report) => void): Promise<Report> {
    if (!vscode.workspace.isTrusted) {
      this.log.warn('Restricted Mode: nothing was sent. Trust the workspace to generate images.');
      return refusedReport('trust', untrustedWords());
    }
    // Offsets are good for the document as it is now; from here on the user may type (while a key
    // is asked for, a reference uploaded, a request sent), so follow them at once.
    const reads = items.map((item) => item.followed ?? (item.track && doc ? this.pending.follow(doc, item.track[0], item.track[1], item.meta) : undefined));
    this.pending.notify();
    try {
      return await this.runFollowed(doc, items, reads, title, options, onSubmitted, onSent);
    } finally {
      for (const r of reads) if (r) this.pending.forget(r);
      this.pending.notify();
    }
  }

  private async runFollowed(doc: vscode.TextDocument | undefined, items: RunItem[], reads: (string | undefined)[],
    title: string, options?: RunOptions, onSubmitted?: (jobIds: string[]) => void, onSent?: (sent: Report) => void): Promise<Report> {
    const validated = this.validateAll(doc, items, options);
    if (!Array.isArray(validated)) return validated;
    // The cost question for the whole action; its answer goes with each job to the money gate.
    const asked = await askCost(validated.map((x) => x.figures), validated.length, readGuards(), this.log);
    if (asked === false) return refusedReport('cost', vscode.l10n.t('the user declined the cost question (pictor.confirmAboveImages, pictor.confirmAboveCost).'));
    const budget = await this.service.spend.confirmBudget(doc?.uri);
    if (!budget) return refusedReport('budget', vscode.l10n.t('the user declined to send more this session: it is at or over pictor.maxCreditsPerSession.'));
    if (!(await this.service.ensureKey())) return refusedReport('key', vscode.l10n.t('Pictor has no EvoLink API key. Run "Pictor: Set API Key" (or set the EVOLINK_API_KEY environment variable).'));
    const approval = approvalOf(asked, budget);

    const submitted: SubmitResult[] = [];
    const errors: JobError[] = [];
    const byIndex = new Map<number, SubmitResult>();
    for (const { item, v, i, follows } of validated) {
      if (follows !== undefined) continue; // styleFrom: first: sent once the first image is made (below)
      try {
        const s = await this.service.submit(v, item.meta, slugify(item.prompt), approval);
        const read = reads[i];
        if (read) this.pending.handOver(read, s.job.id);
        submitted.push(s);
        byIndex.set(i, s);
      } catch (e) {
        this.log.error(`Could not submit: ${(e as Error).message}`);
        errors.push(e as Error);
      }
    }
    this.pending.notify();
    await this.sendFollowers(validated, byIndex, reads, approval, submitted, errors);
    const figures = validated.map((x) => x.figures);
    const report: Report = { jobs: [], notSent: [], sending: validated.length, errors, figures };
    if (submitted.length) {
      try {
        onSubmitted?.(submitted.map((s) => s.job.id));
      } catch (e) {
        this.log.error(`A caller's onSubmitted threw: ${(e as Error).message}`);
      }
    }
    try {
      onSent?.({ ...report, errors: [...errors] });
    } catch (e) {
      this.log.error(`A caller's onSent threw: ${(e as Error).message}`);
    }
    const finished = await waitWithProgress(this.service, title, submitted, this.withProgress);
    const failures = finished.filter((j) => j.state === 'failed' || j.state === 'timed_out' || j.state === 'unknown');
    return {
      ...report,
      jobs: finished.map((j) => this.summary(j)),
      ...(failures.length ? { failed: failures[0]!.error ?? { kind: 'unknown', message: vscode.l10n.t('A task failed.') } } : {}),
    };
  }

  /**
   * `styleFrom: first`: the first image of the page was sent alone; once it is made, the others go at
   * once with it as one more reference. If it fails, they are not sent, and the report says why.
   */
  private async sendFollowers(validated: { item: RunItem; v: ValidRequest; i: number; follows?: number }[], byIndex: Map<number, SubmitResult>,
    reads: (string | undefined)[], approval: ReturnType<typeof approvalOf>, submitted: SubmitResult[], errors: JobError[]): Promise<void> {
    const followers = validated.filter((x) => x.follows !== undefined);
    if (!followers.length) return;
    for (const { item, v, i, follows } of followers) {
      const first = byIndex.get(follows!);
      const end = first ? await first.done.catch(() => undefined) : undefined;
      const made = end?.state === 'completed' ? firstImageReference(end.files) : undefined;
      if (!made) {
        const firstPrompt = validated.find((x) => x.i === follows)?.item.prompt ?? '';
        const why = end?.error ? say(end.error) : vscode.l10n.t('it was not sent');
        const msg = sayWords(words('plan.firstFailed', shortLine(firstPrompt, 60), why));
        this.log.warn(`${shortLine(item.prompt, 60)}: ${msg}`);
        errors.push({ kind: 'styleFrom', message: msg });
        continue;
      }
      try {
        const s = await this.service.submit(withReference(v, made), item.meta, slugify(item.prompt), approval);
        const read = reads[i];
        if (read) this.pending.handOver(read, s.job.id);
        submitted.push(s);
      } catch (e) {
        this.log.error(`Could not submit: ${(e as Error).message}`);
        errors.push(e as Error);
      }
    }
    this.pending.notify();
  }

  /**
   * Every item as the provider would take it, planned in one pass (core/plan.ts through plans.ts), or
   * the report of a run that sends nothing (each item left out, and why) when one cannot be sent.
   */
  private validateAll(doc: vscode.TextDocument | undefined, items: RunItem[], options?: RunOptions):
    { item: RunItem; v: ValidRequest; i: number; figures: Figures; follows?: number }[] | Report {
    const settings = readSettings(doc?.uri);
    const { variants, ...call } = options ?? {};
    const scan = doc?.languageId === 'markdown' ? this.scan(doc) : undefined;
    // Call > placeholder (its override as read with it) > page > folder/workspace/user settings > defaults.
    const plan = actionPlan(doc, scan, items.map((raw) => ({ prompt: raw.prompt, override: raw.override, references: raw.references })), call);
    const first = plan.skipped[0];
    if (first) return this.skippedReport(doc, plan.skipped, items);
    return plan.requests.map((r) => {
      const raw = items[r.index]!;
      // Several images for a placeholder wait for the user's pick (decided now, kept with the job across a reload).
      const base = raw.meta.origin === 'placeholder' && waitsForPick(settings.variants, r.request.imageCount, variants)
        ? { ...raw, meta: { ...raw.meta, pick: true } } : raw;
      // The recipe keeps the prompt as written and the style apart (the alt text and file name never see the style).
      // A look to make after the download goes with the job (and the prompt as written: a transparent one's sent prompt asks for a key colour).
      const look = lookNeedsWork(r.look) ? r.look : undefined;
      const meta: JobMeta = r.style || look
        ? { ...base.meta, recipe: { ...base.meta.recipe, prompt: raw.prompt.trim(), ...(r.style ? { style: r.style } : {}), ...(look ? { look } : {}) } }
        : base.meta;
      return { item: { ...base, meta }, v: r.request, i: r.index, figures: r.figures, ...(r.follows !== undefined ? { follows: r.follows } : {}) };
    });
  }

  /** Nothing of the action is sent: every item left out, the first named by its prompt when there are several. */
  private skippedReport(doc: vscode.TextDocument | undefined, skipped: SkippedItem[], items: RunItem[]): Report {
    const first = skipped[0]!;
    const where = items.length > 1 ? vscode.l10n.t(' (prompt "{0}")', shortLine(items[first.index]!.prompt, 60)) : '';
    if (first.reason === 'options') {
      this.log.warn(vscode.l10n.t('Pictor: nothing was sent. {0}{1}', sayWords(first.words), where));
      if (doc) this.diagnostics.update(doc);
    }
    const notSent: NotSent[] = skipped.map((s) => ({ reason: s.reason, words: sayWords(s.words), prompt: s.prompt, index: s.index }));
    return refusedReport('plan', sayWords(first.words) + where, { notSent });
  }

  summary(j: JobRecord): JobSummary {
    const outcome = this.linker.outcome(j.id);
    return {
      id: j.id,
      taskId: j.taskId,
      // What was sent (with the style, if one was added); the recipe keeps the prompt as written.
      prompt: j.body.prompt,
      state: j.state,
      files: (j.files ?? []).map((f) => f.path),
      linked: Boolean(outcome?.linked),
      error: j.error && say(j.error),
      ...(outcome && !outcome.linked && outcome.reason === 'pick' ? { pick: true } : {}),
    };
  }
}
