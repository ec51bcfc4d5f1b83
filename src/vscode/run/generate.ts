// The editor workflow's front door: what each command reads (a selection, a placeholder, all of a
// page's placeholders, an image link with an instruction) goes through the editor adapters
// (commandTargets.ts) and, for placeholders, placeholderRuns.ts, to the one submitter (submitter.ts).
// Each returns the run's report (core/runReport.ts) when its images are saved and linked (or failed),
// and shows nothing itself: the commands render the report (reportNotices.ts), the agent tools too.
// The questions asked before sending (how many variants, an instruction) go through UserInput.
import * as vscode from 'vscode';
import { ScanCache, imageAt, placeholderAt, type MarkdownScan, type Placeholder } from '../../core/placeholders';
import { parseVariantCount } from '../../core/variants';
import { oneLine } from '../../shared/text';
import { PlaceholderDiagnostics } from '../editor/diagnostics';
import { markdownTarget, referenceFor, selectionItem } from './commandTargets';
import type { JobMeta } from '../state/jobMeta';
import type { Linker } from '../place/linker';
import { PendingReads } from './pendingReads';
import type { PlaceholderClaims } from '../state/placeholderClaims';
import { PlaceholderRuns } from './placeholderRuns';
import { refusedReport } from '../../core/runReport';
import type { JobSummary, PickSource, PlaceholderExtras, Report, RunItem, RunningInfo, RunOptions } from './runTypes';
import { say } from '../say';
import type { PictorService } from '../service';
import { Submitter } from './submitter';
import type { RangeTracker, TrackedRange } from '../place/tracker';
import type { UserInput } from '../userInput';
import type { JobRecord } from '../../core/store';
import type { ReferenceInput } from '../../core/types';

export class Generator implements vscode.Disposable {
  readonly scans = new ScanCache();
  private readonly pending: PendingReads;
  private readonly submitter: Submitter;
  private readonly placeholderRuns: PlaceholderRuns;
  /** Fires when which placeholders are running (or their progress) changed. */
  readonly onDidChange: vscode.Event<void>;
  /** A closed document's scan (which keeps its text for the next edit) is not needed any more. */
  private readonly closed = vscode.workspace.onDidCloseTextDocument((doc) => this.scans.delete(doc.uri.toString()));
  /** Placeholders the provider would refuse, marked while the user types. */
  readonly diagnostics: PlaceholderDiagnostics;

  constructor(
    service: PictorService,
    private readonly tracker: RangeTracker,
    linker: Linker,
    private readonly log: vscode.LogOutputChannel,
    windows: PlaceholderClaims,
    private readonly input: UserInput,
    picks: PickSource,
  ) {
    const scan = (doc: vscode.TextDocument) => this.scan(doc);
    this.diagnostics = new PlaceholderDiagnostics(scan);
    this.pending = new PendingReads(tracker);
    this.onDidChange = this.pending.onDidChange;
    this.submitter = new Submitter(service, linker, log, this.pending, scan, this.diagnostics, input.withProgress);
    this.placeholderRuns = new PlaceholderRuns(service, tracker, log, windows, this.pending, this.submitter, scan, this.diagnostics, picks);
  }

  /** Tells the user what a run did (see reportNotices.ts). */
  get notify(): UserInput['notify'] {
    return this.input.notify;
  }

  /** Asks the user for a line of text (an edit instruction, a new prompt). */
  ask(options: vscode.InputBoxOptions): Thenable<string | undefined> {
    return this.input.askText(options);
  }

  /** After a start: the claims of resumed jobs are taken again, those a stopped window left are released. */
  adoptClaims(): Promise<void> {
    return this.placeholderRuns.adoptClaims();
  }

  scan(doc: vscode.TextDocument): MarkdownScan {
    return this.scans.get(doc.uri.toString(), doc.version, () => doc.getText());
  }

  /** What is filling a placeholder of this document, if anything (see PlaceholderRuns.runningIn). */
  runningIn(doc: vscode.TextDocument): (p: Placeholder) => RunningInfo | undefined {
    return this.placeholderRuns.runningIn(doc);
  }

  async fromSelection(editor: vscode.TextEditor | undefined, onSent?: PlaceholderExtras['onSent']): Promise<Report> {
    const item = selectionItem(editor);
    if (!item) return told();
    return this.run(editor!.document, [item], vscode.l10n.t('Generating an image from the selection'), undefined, undefined, onSent);
  }

  async placeholder(uriArg?: unknown, rangeArg?: unknown, extras?: PlaceholderExtras): Promise<Report> {
    const target = await markdownTarget(uriArg, rangeArg);
    if (!target) return told();
    const p = placeholderAt(this.scan(target.doc), target.offset);
    if (!p) {
      return refusedReport('noTarget', vscode.l10n.t('Pictor: there is no image placeholder here. Write one like ![a red fox asleep in snow]() and run the command on it.'), { severity: 'warning' });
    }
    return this.placeholderRuns.send(target.doc, [p], vscode.l10n.t('Generating an image'), extras);
  }

  /**
   * Generate Variants: asks how many (2–10) unless told, and makes that many images for the
   * placeholder, to pick from whatever pictor.n and pictor.variants say.
   */
  async variants(uriArg?: unknown, rangeArg?: unknown, countArg?: unknown, onSent?: PlaceholderExtras['onSent']): Promise<Report> {
    const target = await markdownTarget(uriArg, rangeArg);
    if (!target) return told();
    const p = placeholderAt(this.scan(target.doc), target.offset);
    if (!p) {
      return refusedReport('noTarget', vscode.l10n.t('Pictor: there is no image placeholder here. Write one like ![a red fox asleep in snow]() and run Generate Variants on it.'), { severity: 'warning' });
    }
    const doc = target.doc;
    const source = doc.getText().slice(p.start, p.end);
    let count: number | undefined;
    if (countArg !== undefined) {
      const c = parseVariantCount(String(countArg));
      if (!c.ok) return refusedReport('input', vscode.l10n.t('Pictor: nothing was sent. {0}', say(c)), { severity: 'error' });
      count = c.count;
    } else {
      count = await this.input.chooseVariantCount();
    }
    if (!count) return refusedReport('input', '');
    // The user may have typed while choosing: the placeholder is read again and must be the same one.
    const now = doc.getText();
    const same = this.scan(doc).placeholders.filter((x) => now.slice(x.start, x.end) === source);
    const still = same.find((x) => x.start <= p.end && x.end >= p.start) ?? (same.length === 1 ? same[0] : undefined);
    if (!still) {
      return refusedReport('changed', vscode.l10n.t('Pictor: the placeholder changed while you chose how many variants; nothing was sent. Run Generate Variants again.'), { severity: 'warning' });
    }
    return this.placeholderRuns.send(doc, [still], vscode.l10n.t('Generating {0} variants', count), { options: { n: count, variants: 'pick' }, onSent });
  }

  async allPlaceholders(uriArg?: unknown, extras?: PlaceholderExtras): Promise<Report> {
    const target = await markdownTarget(uriArg, undefined);
    if (!target) return told();
    const scan = this.scan(target.doc);
    if (scan.placeholders.length === 0) {
      return refusedReport('noTarget', vscode.l10n.t('Pictor: this document has no image placeholders. Write one like ![a red fox asleep in snow]().'), { severity: 'info' });
    }
    return this.placeholderRuns.send(target.doc, scan.placeholders, vscode.l10n.t('Generating images for placeholders'), extras);
  }

  async editImage(editor: vscode.TextEditor | undefined, onSent?: PlaceholderExtras['onSent']): Promise<Report> {
    if (!editor || editor.document.languageId !== 'markdown') {
      return refusedReport('noTarget', vscode.l10n.t('Pictor: put the cursor on an image link in a Markdown file to edit that image.'), { severity: 'warning' });
    }
    const doc = editor.document;
    const img = imageAt(this.scan(doc), doc.offsetAt(editor.selection.active));
    if (!img) {
      return refusedReport('noTarget', vscode.l10n.t('Pictor: there is no image link at the cursor. Put the cursor on ![alt](path/to/image.png).'), { severity: 'warning' });
    }
    const source = doc.getText().slice(img.start, img.end);
    // The input box stays open when the user clicks back into the editor and types: follow the link.
    const read = this.pending.follow(doc, img.start, img.end, { origin: 'edit', documentUri: doc.uri.toString(), alt: '', source, oldUrl: img.url });
    let instruction: string | undefined;
    let now: TrackedRange | undefined;
    let reference: ReferenceInput | { error: string };
    try {
      reference = await referenceFor(doc, img.url);
      if ('error' in reference) {
        this.log.warn(reference.error);
        return refusedReport('input', reference.error, { severity: 'error' });
      }
      instruction = (await this.ask({
        title: vscode.l10n.t('Pictor: Edit Image'),
        prompt: vscode.l10n.t('Describe the change, e.g. "make it night, with stars"'),
        ignoreFocusOut: true,
      }))?.trim();
      const r = this.tracker.get(read);
      now = r && { ...r };
    } finally {
      this.pending.forget(read);
    }
    if (!instruction) return refusedReport('input', '');
    if (!now || now.touched || doc.getText().slice(now.start, now.end) !== source) {
      return refusedReport('changed', vscode.l10n.t('Pictor: the image link changed while you were typing the instruction; nothing was sent. Run Edit Image again.'), { severity: 'warning' });
    }
    const meta: JobMeta = { origin: 'edit', documentUri: doc.uri.toString(), alt: oneLine(instruction), source, oldUrl: img.url };
    return this.run(doc, [{ prompt: instruction, meta, track: [now.start, now.end], references: [reference] }], vscode.l10n.t('Editing the image'), undefined, undefined, onSent);
  }

  /**
   * Validates every request, confirms big batches, and only then sends anything (see Submitter).
   * `onSubmitted` hears the ids of the jobs it made as soon as they are stored; `onSent` the report so far.
   */
  run(doc: vscode.TextDocument | undefined, items: RunItem[], title: string, options?: RunOptions,
    onSubmitted?: (jobIds: string[]) => void, onSent?: PlaceholderExtras['onSent']): Promise<Report> {
    return this.submitter.run(doc, items, title, options, onSubmitted, onSent);
  }

  summary(j: JobRecord): JobSummary {
    return this.submitter.summary(j);
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.placeholderRuns.dispose();
    this.pending.dispose();
    this.closed.dispose();
  }
}

/** A run that stopped where the editor told the user already (no Markdown page, no selection). */
function told(): Report {
  return refusedReport('noTarget', '');
}
