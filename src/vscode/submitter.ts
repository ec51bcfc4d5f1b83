// The one way a request is sent, whoever made it (a command, the panel, a tool, a recipe): every item is
// validated, a big batch confirmed, the budget and the key checked, and only then anything sent. A user
// never pays to learn that an option was wrong. Tells the caller the ids of the jobs it made as soon
// as they are stored (`onSubmitted`), and resolves when every one of them is final.
import * as vscode from 'vscode';
import { slugify } from '../core/fileNames';
import type { MarkdownScan } from '../core/placeholders';
import type { ValidRequest } from '../core/request';
import type { JobRecord } from '../core/store';
import { waitsForPick } from '../core/variants';
import { shortLine } from '../shared/text';
import { inputFromSettings, readGuards, readSettings } from './config';
import { approvalOf, askCost, type BilledRequest } from './costQuestion';
import type { PlaceholderDiagnostics } from './diagnostics';
import type { JobMeta } from './jobMeta';
import type { Linker } from './linker';
import { describeProblem, requestOptions, resolveOptions, sentPrompt } from './pageOptions';
import type { PendingReads } from './pendingReads';
import { waitWithProgress } from './progress';
import type { JobSummary, RunItem, RunOptions } from './runTypes';
import { showJobError, type PictorService } from './service';
import { say } from './say';
import { requireTrust } from './trust';
import type { UserInput } from './userInput';

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

  async run(doc: vscode.TextDocument | undefined, items: RunItem[], title: string, options?: RunOptions,
    onSubmitted?: (jobIds: string[]) => void): Promise<JobSummary[]> {
    if (!requireTrust()) {
      this.log.warn('Restricted Mode: nothing was sent. Trust the workspace to generate images.');
      return [];
    }
    // Offsets are good for the document as it is now; from here on the user may type (while a key
    // is asked for, a reference uploaded, a request sent), so follow them at once.
    const reads = items.map((item) => item.followed ?? (item.track && doc ? this.pending.follow(doc, item.track[0], item.track[1], item.meta) : undefined));
    this.pending.notify();
    try {
      return await this.runFollowed(doc, items, reads, title, options, onSubmitted);
    } finally {
      for (const r of reads) if (r) this.pending.forget(r);
      this.pending.notify();
    }
  }

  private async runFollowed(doc: vscode.TextDocument | undefined, items: RunItem[], reads: (string | undefined)[],
    title: string, options?: RunOptions, onSubmitted?: (jobIds: string[]) => void): Promise<JobSummary[]> {
    const validated = this.validateAll(doc, items, options);
    if (!validated) return [];
    // The cost question for the whole action; its answer goes with each job to the money gate.
    const asked = await askCost(validated.map((x) => billed(x.v)), validated.length, readGuards(), this.log);
    if (asked === false) return [];
    const budget = await this.service.spend.confirmBudget(doc?.uri);
    if (!budget) return [];
    if (!(await this.service.ensureKey())) return [];
    const approval = approvalOf(asked, budget);

    const submitted: { job: JobRecord; done: Promise<JobRecord> }[] = [];
    for (const { item, v, i } of validated) {
      try {
        const s = await this.service.submit(v, item.meta, slugify(item.prompt), approval);
        const read = reads[i];
        if (read) this.pending.handOver(read, s.job.id);
        submitted.push(s);
      } catch (e) {
        this.log.error(`Could not submit: ${(e as Error).message}`);
        void showJobError(e as Error);
      }
    }
    this.pending.notify();
    if (submitted.length) {
      try {
        onSubmitted?.(submitted.map((s) => s.job.id));
      } catch (e) {
        this.log.error(`A caller's onSubmitted threw: ${(e as Error).message}`);
      }
    }
    const finished = await waitWithProgress(this.service, title, submitted, this.withProgress);
    const failures = finished.filter((j) => j.state === 'failed' || j.state === 'timed_out' || j.state === 'unknown');
    if (failures.length) void showJobError(failures[0]!.error ?? { kind: 'unknown', message: vscode.l10n.t('A task failed.') });
    return finished.map((j) => this.summary(j));
  }

  /** Every item as the provider would take it, or undefined (and the user told why) when one cannot be sent. */
  private validateAll(doc: vscode.TextDocument | undefined, items: RunItem[], options?: RunOptions): { item: RunItem; v: ValidRequest; i: number }[] | undefined {
    const settings = readSettings(doc?.uri);
    const { variants, ...overrides } = options ?? {};
    const scan = doc?.languageId === 'markdown' ? this.scan(doc) : undefined;
    const where = (raw: RunItem) => (items.length > 1 ? vscode.l10n.t(' (prompt "{0}")', shortLine(raw.prompt, 60)) : '');
    const validated = [];
    for (const [i, raw] of items.entries()) {
      // Call > placeholder > page > folder/workspace/user settings > defaults (core/pageOptions.ts).
      const o = resolveOptions({ doc, scan, override: raw.override, call: overrides });
      const bad = o.problems.find((p) => p.severity === 'error');
      if (bad) {
        const msg = vscode.l10n.t('Pictor: nothing was sent. {0}{1}', describeProblem(bad), where(raw));
        this.log.warn(msg);
        const show = vscode.l10n.t('Show Problems');
        if (doc) this.diagnostics.update(doc);
        void vscode.window.showErrorMessage(msg, show)
          .then((pick) => pick === show && vscode.commands.executeCommand('workbench.actions.view.problems'));
        return undefined;
      }
      const prompt = sentPrompt(raw.prompt, o);
      const v = this.service.validate({ ...inputFromSettings(prompt, settings), ...requestOptions(o), prompt, references: raw.references });
      if (!v.ok) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Pictor: nothing was sent. {0}{1}', v.message, where(raw)), vscode.l10n.t('Open Settings'))
          .then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'pictor'));
        return undefined;
      }
      // Several images for a placeholder wait for the user's pick (decided now, kept with the job across a reload).
      const base = raw.meta.origin === 'placeholder' && waitsForPick(settings.variants, v.imageCount, variants)
        ? { ...raw, meta: { ...raw.meta, pick: true } } : raw;
      // The recipe keeps the prompt as written and the style apart (the alt text and file name never see the style).
      const style = o.values.style;
      const meta: JobMeta = style ? { ...base.meta, recipe: { ...base.meta.recipe, prompt: raw.prompt.trim(), style } } : base.meta;
      validated.push({ item: { ...base, meta }, v, i });
    }
    return validated;
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

/** What the cost question shows of a validated request. */
export function billed(v: ValidRequest): BilledRequest {
  return { images: v.imageCount, cost: v.relativeCost, size: v.expectedSize, quality: v.body.quality ?? 'medium' };
}
