// The editor workflow: selections and placeholders become validated jobs, and jobs become linked
// images. Commands called with arguments resolve when their images are saved and linked (or failed).
import * as vscode from 'vscode';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ClaimRegistry } from '../core/claims';
import { slugify } from '../core/fileNames';
import { ScanCache, imageAt, placeholderAt, type Placeholder, type MarkdownScan } from '../core/placeholders';
import { FINAL_STATES, type JobRecord } from '../core/store';
import type { ValidRequest } from '../core/request';
import type { GenerationInput, ReferenceInput } from '../core/types';
import { inputFromSettings, readSettings } from './config';
import { isJobMeta, type JobMeta } from './jobMeta';
import type { Linker } from './linker';
import { showJobError, type PictorService } from './service';
import type { RangeTracker, TrackedRange } from './tracker';
import { PlaceholderDiagnostics, placeholderProblems } from './diagnostics';
import { readOverride, type OptionLayer } from '../core/pageOptions';
import { describeProblem, resolveOptions, requestOptions, sentPrompt } from './pageOptions';
import { checkReferenceFile } from './references';
import { requireTrust } from './trust';
import { waitWithProgress } from './progress';
import { DEFAULT_VARIANTS, MAX_VARIANTS, MIN_VARIANTS, parseVariantCount, waitsForPick, type PendingPick, type VariantsMode } from '../core/variants';
import { pickTrackId } from './linker';
import { say } from './say';

/** One prompt to generate, with where its images go. */
export interface RunItem {
  prompt: string;
  meta: JobMeta;
  /** The range (placeholder, image link) or insertion point to follow while the task runs. */
  track?: [number, number];
  /** A range the caller already follows (see claim): run() takes it over instead of `track`. */
  claimed?: string;
  references?: ReferenceInput[];
  /** A placeholder's override comment, as read when it was claimed (see core/pageOptions.ts). */
  override?: OptionLayer;
}

/**
 * Options a caller sets for one run, above everything else (the panel's choices, an agent's input, a
 * recipe). `style` given here ('' for none) replaces the page's and the settings' style. `variants`
 * decides, for a placeholder that gets several images, whether they wait for a pick (pictor.variants
 * when left out).
 */
export type RunOptions = Partial<Pick<GenerationInput, 'size' | 'resolution' | 'quality' | 'n'>> & { style?: string; variants?: VariantsMode };

/** What a caller other than a click adds to a placeholder's request (the language model tools, Generate Variants). */
export interface PlaceholderExtras {
  options?: RunOptions;
  references?: ReferenceInput[];
}

/** Where the variants that wait for the user's pick are kept (see variants.ts). */
export interface PickSource {
  pendingIn(documentUri: string): PendingPick[];
  readonly onDidChange: vscode.Event<void>;
}

/** The cross-window claim key of a placeholder: its document and its text as written. */
export function placeholderClaimKey(doc: vscode.TextDocument, source: string): string {
  return `${doc.uri.fsPath}|${source}`;
}

/** What a command reports for each of its jobs. */
export interface JobSummary {
  id: string;
  taskId?: string;
  prompt: string;
  state: string;
  files: string[];
  linked: boolean;
  error?: string;
  /** Its images are saved and wait for the user's pick in the panel (pictor.variants = pick). */
  pick?: boolean;
}

/** How far the work on one placeholder got (for its CodeLens). */
export interface RunningInfo {
  state: string;
  progress: number;
  /** Done: its variants wait for the user's pick. */
  pick?: { id: string; count: number };
}

export type ChooseCount = () => Thenable<number | undefined>;

export type AskInput = (options: vscode.InputBoxOptions) => Thenable<string | undefined>;

export class Generator implements vscode.Disposable {
  readonly scans = new ScanCache();
  /**
   * Asks the user for text (the edit instruction). Integration tests answer through a seam that
   * commands.ts installs outside production: an extension host cannot type into the real box.
   */
  ask: AskInput = (options) => vscode.window.showInputBox(options);
  /** Asks how many variants Generate Variants makes (a seam for the same reason as `ask`). */
  chooseCount: ChooseCount = () => chooseVariantCount();
  private picks: PickSource | undefined;
  private picksSub: vscode.Disposable | undefined;
  /** Items a running command has read but not submitted yet, by their provisional tracking id. */
  private readonly claims = new Map<string, JobMeta>();
  private claimCount = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when which placeholders are running (or their progress) changed. */
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;
  /** A closed document's scan (which keeps its text for the next edit) is not needed any more. */
  private readonly closed = vscode.workspace.onDidCloseTextDocument((doc) => this.scans.delete(doc.uri.toString()));
  /** Placeholders the provider would refuse, marked while the user types. */
  readonly diagnostics: PlaceholderDiagnostics;

  constructor(
    private readonly service: PictorService,
    private readonly tracker: RangeTracker,
    private readonly linker: Linker,
    private readonly log: vscode.LogOutputChannel,
    private readonly windows: ClaimRegistry,
  ) {
    this.diagnostics = new PlaceholderDiagnostics((doc) => this.scan(doc));
    this.sub = service.onJobEvent((e) => {
      // A placeholder's claim ends with its job: another window may fill it again if it is still empty.
      const meta = e.job.target.meta;
      if (FINAL_STATES.includes(e.job.state) && isJobMeta(meta) && meta.origin === 'placeholder' && meta.claim) {
        void this.windows.release(meta.claim.key, meta.claim.owner).catch(() => undefined);
      }
      this.changed.fire();
    });
  }

  /**
   * After a start: the claims of resumed jobs are taken again by this process, and claims that a
   * window left behind (a reload between claiming and sending) with no live job are released.
   */
  async adoptClaims(): Promise<void> {
    const live = this.service.queue.list().filter((j) => !FINAL_STATES.includes(j.state));
    const owners = new Set<string>();
    for (const j of live) {
      const meta = j.target.meta;
      if (isJobMeta(meta) && meta.origin === 'placeholder' && meta.claim) {
        owners.add(meta.claim.owner);
        await this.windows.acquire(meta.claim.key, meta.claim.owner);
      }
    }
    const released = await this.windows.releaseOrphans((owner) => owners.has(owner) || [...this.claims.values()].some((m) => m.origin === 'placeholder' && m.claim?.owner === owner));
    if (released) this.log.info(`Released ${released} placeholder claim(s) left by a window that stopped before sending.`);
  }

  /** Set at activation: placeholders whose variants wait for a pick count as taken (see runningIn). */
  setPicks(picks: PickSource): void {
    this.picks = picks;
    this.picksSub?.dispose();
    this.picksSub = picks.onDidChange(() => this.changed.fire());
  }

  scan(doc: vscode.TextDocument): MarkdownScan {
    return this.scans.get(doc.uri.toString(), doc.version, () => doc.getText());
  }

  /**
   * What is filling a placeholder of this document, if anything: an unfinished job, or a command
   * that has read it and is still asking for a key or sending the request. Either way it must not be
   * submitted twice. Reads the document and the queue once, for all the placeholders asked about.
   */
  runningIn(doc: vscode.TextDocument): (p: Placeholder) => RunningInfo | undefined {
    const uri = doc.uri.toString();
    const text = doc.getText();
    const sourceOf = (meta: unknown) => (isJobMeta(meta) && meta.origin === 'placeholder' && meta.documentUri === uri ? meta.source : undefined);
    const jobs = this.service.queue.list().filter((j) => !FINAL_STATES.includes(j.state) && sourceOf(j.target.meta) !== undefined);
    const claims = [...this.claims].filter(([, meta]) => sourceOf(meta) !== undefined);
    const picks = this.picks?.pendingIn(uri) ?? [];
    return (p) => {
      const source = text.slice(p.start, p.end);
      // Its variants are saved and wait for a pick: not a placeholder to send again.
      const pick = picks.find((x) => {
        if (x.source !== source) return false;
        const tracked = this.tracker.get(pickTrackId(x.id));
        return !tracked || tracked.start === p.start;
      });
      if (pick) return { state: 'pick', progress: 100, pick: { id: pick.id, count: pick.files.length } };
      const job = jobs.find((j) => {
        if (sourceOf(j.target.meta) !== source) return false;
        const tracked = this.tracker.get(j.id);
        return !tracked || tracked.start === p.start;
      });
      if (job) return { state: job.state, progress: job.progress ?? 0 };
      const claimed = claims.some(([id, meta]) => sourceOf(meta) === source && this.tracker.get(id)?.start === p.start);
      return claimed ? { state: 'queued', progress: 0 } : undefined;
    };
  }

  async fromSelection(editor: vscode.TextEditor | undefined): Promise<JobSummary[]> {
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: select the text to use as the prompt first.'));
      return [];
    }
    const doc = editor.document;
    const prompt = doc.getText(editor.selection).trim();
    const isMarkdown = doc.languageId === 'markdown';
    // The links go on a new line after the selection's last line.
    const sel = editor.selection;
    const lastLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
    const insertAt = doc.offsetAt(doc.lineAt(lastLine).range.end);
    const meta: JobMeta = { origin: 'selection', documentUri: doc.uri.toString(), alt: oneLine(prompt), insertLinks: isMarkdown, anchor: doc.lineAt(lastLine).text };
    return this.run(doc, [{ prompt, meta, track: [insertAt, insertAt] }], vscode.l10n.t('Generating an image from the selection'));
  }

  async placeholder(uriArg?: unknown, rangeArg?: unknown, extras?: PlaceholderExtras): Promise<JobSummary[]> {
    const target = await this.resolveTarget(uriArg, rangeArg);
    if (!target) return [];
    const { doc, offset } = target;
    const scan = this.scan(doc);
    const p = placeholderAt(scan, offset);
    if (!p) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: there is no image placeholder here. Write one like ![a red fox asleep in snow]() and run the command on it.'));
      return [];
    }
    return this.placeholders(doc, [p], vscode.l10n.t('Generating an image'), extras);
  }

  /**
   * Generate Variants: asks how many (2–10) unless told, and makes that many images for the
   * placeholder, to pick from whatever pictor.n and pictor.variants say.
   */
  async variants(uriArg?: unknown, rangeArg?: unknown, countArg?: unknown): Promise<JobSummary[]> {
    const target = await this.resolveTarget(uriArg, rangeArg);
    if (!target) return [];
    const p = placeholderAt(this.scan(target.doc), target.offset);
    if (!p) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: there is no image placeholder here. Write one like ![a red fox asleep in snow]() and run Generate Variants on it.'));
      return [];
    }
    const doc = target.doc;
    const source = doc.getText().slice(p.start, p.end);
    let count: number | undefined;
    if (countArg !== undefined) {
      const c = parseVariantCount(String(countArg));
      if (!c.ok) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Pictor: nothing was sent. {0}', say(c)));
        return [];
      }
      count = c.count;
    } else {
      count = await this.chooseCount();
    }
    if (!count) return [];
    // The user may have typed while choosing: the placeholder is read again and must be the same one.
    const now = doc.getText();
    const same = this.scan(doc).placeholders.filter((x) => now.slice(x.start, x.end) === source);
    const still = same.find((x) => x.start <= p.end && x.end >= p.start) ?? (same.length === 1 ? same[0] : undefined);
    if (!still) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: the placeholder changed while you chose how many variants; nothing was sent. Run Generate Variants again.'));
      return [];
    }
    return this.placeholders(doc, [still], vscode.l10n.t('Generating {0} variants', count), { options: { n: count, variants: 'pick' } });
  }

  async allPlaceholders(uriArg?: unknown, extras?: PlaceholderExtras): Promise<JobSummary[]> {
    const target = await this.resolveTarget(uriArg, undefined);
    if (!target) return [];
    const scan = this.scan(target.doc);
    if (scan.placeholders.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: this document has no image placeholders. Write one like ![a red fox asleep in snow]().'));
      return [];
    }
    return this.placeholders(target.doc, scan.placeholders, vscode.l10n.t('Generating images for placeholders'), extras);
  }

  private async placeholders(doc: vscode.TextDocument, all: Placeholder[], title: string, extras?: PlaceholderExtras): Promise<JobSummary[]> {
    const empty = all.filter((p) => p.empty);
    if (empty.length && empty.length === all.length) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: the placeholder has no prompt. Describe the image between the brackets: ![a red fox asleep in snow]().'));
      return [];
    }
    const running = this.runningIn(doc);
    let free = all.filter((p) => !p.empty && !running(p));
    const waiting = all.map((p) => (p.empty ? undefined : running(p)?.pick)).filter((x) => x !== undefined);
    if (free.length === 0 && waiting.length) {
      const pick = vscode.l10n.t('Pick…');
      void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: the variants of this placeholder are saved and wait for your pick. Pick one in the panel first.'), pick)
        .then((choice) => choice === pick && vscode.commands.executeCommand('pictor.pickVariant', waiting[0]!.id));
      return [];
    }
    if (free.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: these placeholders are already being generated.'));
      return [];
    }
    // Of several, one the provider would refuse (a prompt over the limit) does not stop the others:
    // it is marked in the Problems view and named; the good ones are sent.
    // So is one whose options (the page's front matter, its override comment) cannot be sent.
    const text = doc.getText();
    if (free.length > 1) {
      const scan = this.scan(doc);
      const refused = free
        .map((p) => ({ p, why: placeholderProblems(doc, scan, p, text, extras?.options) }))
        .filter((r) => r.why.length > 0);
      if (refused.length) {
        this.diagnostics.update(doc);
        this.tellRefused(doc, refused, free.length - refused.length);
        free = free.filter((p) => !refused.some((r) => r.p === p));
        if (!free.length) return [];
      }
    }
    const owner = `${vscode.env.sessionId}:${randomUUID()}`;
    // Claimed in this window in the same tick as the scan, before anything is awaited: a second run
    // (a double click, Generate all while one runs) sees them in runningIn whatever the timing, and
    // their ranges follow the user's typing from the very text they were read from. The claim lasts
    // until the job is final and linked, so a later run finds a linked image, not a placeholder.
    const held = free.map((p) => {
      const source = text.slice(p.start, p.end);
      const key = placeholderClaimKey(doc, source);
      const meta: JobMeta = { origin: 'placeholder', documentUri: doc.uri.toString(), alt: oneLine(p.prompt), source, claim: { key, owner } };
      // Its override comment is read with it, from the same text.
      return { p, meta, key, id: this.claim(doc, p.start, p.end, meta), override: readOverride(text, p.end)?.layer };
    });
    this.changed.fire();
    const items: RunItem[] = [];
    try {
      // Another VS Code window on the same file may be filling some of them: claim each one there too.
      let heldElsewhere = 0;
      let failed: Error | undefined;
      let notClaimed = 0;
      for (const h of held) {
        // A claim that could not be taken counts as not acquired: when in doubt, nothing is sent.
        const c = await this.windows.claim(h.key, owner);
        if (c.result === 'failed') {
          failed ??= c.error;
          notClaimed++;
        }
        if (c.result !== 'acquired') {
          if (c.result === 'held') heldElsewhere++;
          continue;
        }
        items.push({ prompt: h.p.prompt, meta: h.meta, track: [h.p.start, h.p.end], claimed: h.id, references: extras?.references, override: h.override });
      }
      // The user may have typed while the claims were taken: only a placeholder still there, as read,
      // is sent (its text is the prompt that is billed).
      const now = doc.getText();
      for (const item of items.splice(0)) {
        const r = item.claimed ? this.tracker.get(item.claimed) : undefined;
        const source = item.meta.origin === 'placeholder' ? item.meta.source : undefined;
        if (r && !r.touched && now.slice(r.start, r.end) === source) items.push(item);
        else {
          this.log.info(`Not sent: the placeholder "${shorten(item.prompt)}" changed while it was being claimed.`);
          if (item.meta.origin === 'placeholder' && item.meta.claim) await this.windows.release(item.meta.claim.key, owner).catch(() => undefined);
        }
      }
      if (heldElsewhere) {
        const msg = items.length
          ? vscode.l10n.t('Pictor: {0} placeholder(s) are already being generated in another VS Code window; the others are sent.', heldElsewhere)
          : vscode.l10n.t('Pictor: another VS Code window is already generating this. Nothing was sent.');
        this.log.info(msg);
        void vscode.window.showInformationMessage(msg);
      }
      if (failed) {
        const msg = vscode.l10n.t('Pictor: could not record in its storage folder that this window is generating {0} placeholder(s) ({1}), so they were not sent: another window could otherwise bill them twice. Try again; if it persists, check that the folder is writable.',
          notClaimed, failed.message);
        this.log.error(msg);
        void vscode.window.showErrorMessage(msg);
      }
      if (!items.length) return [];
      return await this.run(doc, items, title, extras?.options);
    } finally {
      // run() returns when every job it sent is final (or nothing was sent): the claims end here.
      // Jobs resumed after a reload release theirs when their final event comes (see the constructor).
      for (const h of held) this.release(h.id);
      this.changed.fire();
      for (const item of items) {
        if (item.meta.origin === 'placeholder' && item.meta.claim) await this.windows.release(item.meta.claim.key, owner).catch(() => undefined);
      }
    }
  }

  /** One message for every placeholder Generate all leaves out, with where it is and why. */
  private tellRefused(doc: vscode.TextDocument, refused: { p: Placeholder; why: string[] }[], sent: number): void {
    // Placeholders refused for the same reason (the page's front matter) are named together.
    const groups = new Map<string, Placeholder[]>();
    for (const { p, why } of refused) groups.set(why.join(' '), [...(groups.get(why.join(' ')) ?? []), p]);
    const line = (p: Placeholder) => doc.positionAt(p.start).line + 1;
    const named = [...groups].slice(0, 3).map(([why, ps]) => (ps.length === 1
      ? vscode.l10n.t('"{0}" (line {1}): {2}', shorten(ps[0]!.prompt, 40), line(ps[0]!), why)
      : vscode.l10n.t('{0} placeholders (lines {1}): {2}', ps.length, ps.map(line).join(', '), why)));
    const more = groups.size > 3 ? vscode.l10n.t(' and {0} more', [...groups.values()].slice(3).reduce((n, ps) => n + ps.length, 0)) : '';
    const list = named.join('; ') + more;
    const msg = sent
      ? vscode.l10n.t('Pictor: {0} placeholder(s) were not sent, the other {1} were: {2}. They are marked in the Problems view.', refused.length, sent, list)
      : vscode.l10n.t('Pictor: nothing was sent: {0}. They are marked in the Problems view.', list);
    this.log.warn(msg);
    const show = vscode.l10n.t('Show Problems');
    void vscode.window.showWarningMessage(msg, show)
      .then((pick) => pick === show && vscode.commands.executeCommand('workbench.actions.view.problems'));
  }

  async editImage(editor: vscode.TextEditor | undefined): Promise<JobSummary[]> {
    if (!editor || editor.document.languageId !== 'markdown') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: put the cursor on an image link in a Markdown file to edit that image.'));
      return [];
    }
    const doc = editor.document;
    const offset = doc.offsetAt(editor.selection.active);
    const img = imageAt(this.scan(doc), offset);
    if (!img) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: there is no image link at the cursor. Put the cursor on ![alt](path/to/image.png).'));
      return [];
    }
    const source = doc.getText().slice(img.start, img.end);
    // The input box stays open when the user clicks back into the editor and types: follow the link.
    const claim = this.claim(doc, img.start, img.end, { origin: 'edit', documentUri: doc.uri.toString(), alt: '', source, oldUrl: img.url });
    let instruction: string | undefined;
    let reference: ReferenceInput | { error: string };
    let now: TrackedRange | undefined;
    try {
      reference = await referenceFor(doc, img.url);
      if ('error' in reference) {
        this.log.warn(reference.error);
        void vscode.window.showErrorMessage(reference.error);
        return [];
      }
      instruction = (await this.ask({
        title: vscode.l10n.t('Pictor: Edit Image'),
        prompt: vscode.l10n.t('Describe the change, e.g. "make it night, with stars"'),
        ignoreFocusOut: true,
      }))?.trim();
      const r = this.tracker.get(claim);
      now = r && { ...r };
    } finally {
      this.release(claim);
    }
    if (!instruction) return [];
    if (!now || now.touched || doc.getText().slice(now.start, now.end) !== source) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: the image link changed while you were typing the instruction; nothing was sent. Run Edit Image again.'));
      return [];
    }
    const meta: JobMeta = { origin: 'edit', documentUri: doc.uri.toString(), alt: oneLine(instruction), source, oldUrl: img.url };
    return this.run(doc, [{ prompt: instruction, meta, track: [now.start, now.end], references: [reference] }], vscode.l10n.t('Editing the image'));
  }

  /** Starts following a range the moment it was read, before its job exists. */
  private claim(doc: vscode.TextDocument, start: number, end: number, meta: JobMeta): string {
    const id = `pending:${++this.claimCount}`;
    this.tracker.track(id, doc.uri, start, end);
    this.claims.set(id, meta);
    return id;
  }

  private release(id: string): void {
    this.tracker.forget(id);
    this.claims.delete(id);
  }

  /**
   * Validates every request, confirms big batches, and only then sends anything: a user never pays to
   * learn that an option was wrong.
   */
  async run(doc: vscode.TextDocument | undefined, items: RunItem[], title: string, options?: RunOptions): Promise<JobSummary[]> {
    if (!requireTrust()) {
      this.log.warn('Restricted Mode: nothing was sent. Trust the workspace to generate images.');
      return [];
    }
    // Offsets are good for the document as it is now; from here on the user may type (while a key
    // is asked for, a reference uploaded, a request sent), so follow them at once.
    const claims = items.map((item) => item.claimed ?? (item.track && doc ? this.claim(doc, item.track[0], item.track[1], item.meta) : undefined));
    this.changed.fire();
    try {
      return await this.runClaimed(doc, items, claims, title, options);
    } finally {
      for (const c of claims) if (c) this.release(c);
      this.changed.fire();
    }
  }

  private async runClaimed(doc: vscode.TextDocument | undefined, items: RunItem[], claims: (string | undefined)[],
    title: string, options?: RunOptions): Promise<JobSummary[]> {
    const settings = readSettings(doc?.uri);
    const { variants, ...overrides } = options ?? {};
    const scan = doc?.languageId === 'markdown' ? this.scan(doc) : undefined;
    const validated = [];
    for (const [i, raw] of items.entries()) {
      // Call > placeholder > page > folder/workspace/user settings > defaults (core/pageOptions.ts).
      const o = resolveOptions({ doc, scan, override: raw.override, call: overrides });
      const bad = o.problems.find((p) => p.severity === 'error');
      if (bad) {
        const where = items.length > 1 ? vscode.l10n.t(' (prompt "{0}")', shorten(raw.prompt)) : '';
        const msg = vscode.l10n.t('Pictor: nothing was sent. {0}{1}', describeProblem(bad), where);
        this.log.warn(msg);
        const show = vscode.l10n.t('Show Problems');
        if (doc) this.diagnostics.update(doc);
        void vscode.window.showErrorMessage(msg, show)
          .then((pick) => pick === show && vscode.commands.executeCommand('workbench.actions.view.problems'));
        return [];
      }
      const prompt = sentPrompt(raw.prompt, o);
      const v = this.service.validate({ ...inputFromSettings(prompt, settings), ...requestOptions(o), prompt, references: raw.references });
      if (!v.ok) {
        const where = items.length > 1 ? vscode.l10n.t(' (prompt "{0}")', shorten(raw.prompt)) : '';
        void vscode.window.showErrorMessage(vscode.l10n.t('Pictor: nothing was sent. {0}{1}', v.message, where), vscode.l10n.t('Open Settings'))
          .then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'pictor'));
        return [];
      }
      // Several images for a placeholder wait for the user's pick (decided now, kept with the job across a reload).
      const base = raw.meta.origin === 'placeholder' && waitsForPick(settings.variants, v.imageCount, variants)
        ? { ...raw, meta: { ...raw.meta, pick: true } } : raw;
      // The recipe keeps the prompt as written and the style apart (the alt text and file name never see the style).
      const style = o.values.style;
      const meta: JobMeta = style ? { ...base.meta, recipe: { ...base.meta.recipe, prompt: raw.prompt.trim(), style } } : base.meta;
      validated.push({ item: { ...base, meta }, v, claim: claims[i] });
    }
    // One action that bills more images than the user's threshold asks first, whether it is many
    // prompts or one prompt with a large n.
    const images = validated.reduce((sum, x) => sum + x.v.imageCount, 0);
    if (images > settings.confirmAboveImages) {
      const cost = validated.reduce((sum, x) => sum + x.v.relativeCost, 0);
      const go = vscode.l10n.t('Generate {0} Images', images);
      const question = validated.length === 1
        ? vscode.l10n.t('Generate {0} images for 1 prompt?', images)
        : vscode.l10n.t('Generate {0} images for {1} prompts?', images, validated.length);
      const pick = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} {1}. Each image is billed: about {2}× the cost of one medium 1024×1024 image.', question, sizeText(validated.map((x) => x.v)), cost.toFixed(2)),
        { modal: true }, go);
      if (pick !== go) {
        this.log.info(`Not sent: the user declined ${images} images (above pictor.confirmAboveImages).`);
        return [];
      }
    }
    if (!(await this.service.spend.confirmBudget(doc?.uri))) return [];
    if (!(await this.service.ensureKey())) return [];

    const submitted: { job: JobRecord; done: Promise<JobRecord> }[] = [];
    for (const { item, v, claim } of validated) {
      try {
        const s = await this.service.submit(v, item.meta, slugify(item.prompt));
        if (claim) {
          this.tracker.rekey(claim, s.job.id);
          this.claims.delete(claim);
        }
        submitted.push(s);
      } catch (e) {
        this.log.error(`Could not submit: ${(e as Error).message}`);
        void showJobError(e as Error);
      }
    }
    this.changed.fire();
    const finished = await waitWithProgress(this.service, title, submitted);
    const failures = finished.filter((j) => j.state === 'failed' || j.state === 'timed_out' || j.state === 'unknown');
    if (failures.length) void showJobError(failures[0]!.error ?? { kind: 'unknown', message: vscode.l10n.t('A task failed.') });
    return finished.map((j) => this.summary(j));
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

  private async resolveTarget(uriArg: unknown, rangeArg: unknown): Promise<{ doc: vscode.TextDocument; offset: number } | undefined> {
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

  dispose(): void {
    this.diagnostics.dispose();
    this.picksSub?.dispose();
    this.sub.dispose();
    this.closed.dispose();
    this.changed.dispose();
  }
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

/**
 * The reference for an image link: a URL as is, or a file that really lies in a workspace folder
 * (uploaded before the create). Relative links resolve from the document's folder.
 */
async function referenceFor(doc: vscode.TextDocument, url: string): Promise<ReferenceInput | { error: string }> {
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url };
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^file:/i.test(url)) {
    return { error: vscode.l10n.t('Pictor: this image link ({0}) is neither a web address nor a file in the workspace.', url) };
  }
  let file: string;
  try {
    // The parser percent-encodes destinations (`<my pic.png>` reads as `my%20pic.png`).
    file = /^file:/i.test(url) ? vscode.Uri.parse(url).fsPath : path.resolve(path.dirname(doc.uri.fsPath), decodeURI(url));
  } catch {
    return { error: vscode.l10n.t('Pictor: the image {0} does not exist. Fix the link, then try again.', url) };
  }
  const c = await checkReferenceFile(file, url);
  if (!c.ok) return { error: vscode.l10n.t('Pictor: {0}', c.problem) };
  return { kind: 'file', path: file, bytes: c.bytes };
}

/** The pixel sizes and quality of a confirmation: `3840×2160, high quality`. */
function sizeText(requests: ValidRequest[]): string {
  const sizes = [...new Set(requests.map((v) => (v.expectedSize ? `${v.expectedSize.width}×${v.expectedSize.height}` : vscode.l10n.t('the size the model picks'))))];
  const qualities = [...new Set(requests.map((v) => v.body.quality ?? 'medium'))];
  return vscode.l10n.t('Each at {0}, {1} quality', sizes.join(' / '), qualities.join(' / '));
}

/** A quick pick of 2–10 with the default (4) chosen: Enter takes it. */
function chooseVariantCount(): Promise<number | undefined> {
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

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function shorten(s: string, max = 60): string {
  const t = oneLine(s);
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}
