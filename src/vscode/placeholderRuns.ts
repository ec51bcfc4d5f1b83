// Placeholders from the read to the submitter: which are running already (here, in another window, or
// waiting for a pick), which the provider would refuse, and the cross-window claim each one sent holds
// until its job is final, so two windows (or two clicks) never bill one placeholder twice.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { readOverride } from '../core/pageOptions';
import type { MarkdownScan, Placeholder } from '../core/placeholders';
import { FINAL_STATES } from '../core/store';
import { oneLine, shortLine } from '../shared/text';
import { placeholderProblems, type PlaceholderDiagnostics } from './diagnostics';
import type { JobMeta } from './jobMeta';
import { pickTrackId } from './linker';
import type { PendingReads } from './pendingReads';
import type { PlaceholderClaims } from './placeholderClaims';
import { type JobSummary, type PickSource, type PlaceholderExtras, type RunItem, type RunningInfo } from './runTypes';
import type { PictorService } from './service';
import type { Submitter } from './submitter';
import type { RangeTracker } from './tracker';

type PlaceholderMeta = Extract<JobMeta, { origin: 'placeholder' }>;

export class PlaceholderRuns implements vscode.Disposable {
  private readonly sub: vscode.Disposable;
  private readonly picksSub: vscode.Disposable;

  constructor(
    private readonly service: PictorService,
    private readonly tracker: RangeTracker,
    private readonly log: vscode.LogOutputChannel,
    private readonly windows: PlaceholderClaims,
    private readonly pending: PendingReads,
    private readonly submitter: Submitter,
    private readonly scan: (doc: vscode.TextDocument) => MarkdownScan,
    private readonly diagnostics: PlaceholderDiagnostics,
    /** Placeholders whose variants wait for a pick count as taken (see runningIn). */
    private readonly picks: PickSource,
  ) {
    this.picksSub = picks.onDidChange(() => this.pending.notify());
    this.sub = service.onJobEvent((e) => {
      // A placeholder's claim ends with its job: another window may fill it again if it is still empty.
      const meta = e.job.target.meta;
      if (FINAL_STATES.includes(e.job.state) && meta?.origin === 'placeholder' && meta.claim) {
        void this.windows.release(meta.claim).catch(() => undefined);
      }
      this.pending.notify();
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
      if (meta?.origin === 'placeholder' && meta.claim) {
        owners.add(meta.claim.owner);
        await this.windows.acquire(meta.claim);
      }
    }
    const reading = (owner: string) => this.pending.entries().some(([, m]) => m.origin === 'placeholder' && m.claim?.owner === owner);
    const released = await this.windows.releaseOrphans((owner) => owners.has(owner) || reading(owner));
    if (released) this.log.info(`Released ${released} placeholder claim(s) left by a window that stopped before sending.`);
  }

  /**
   * What is filling a placeholder of this document, if anything: an unfinished job, or a command
   * that has read it and is still asking for a key or sending the request. Either way it must not be
   * submitted twice. Reads the document and the queue once, for all the placeholders asked about.
   */
  runningIn(doc: vscode.TextDocument): (p: Placeholder) => RunningInfo | undefined {
    const uri = doc.uri.toString();
    const text = doc.getText();
    const sourceOf = (meta: JobMeta | undefined) => (meta?.origin === 'placeholder' && meta.documentUri === uri ? meta.source : undefined);
    const jobs = this.service.queue.list().filter((j) => !FINAL_STATES.includes(j.state) && sourceOf(j.target.meta) !== undefined);
    const reads = this.pending.entries().filter(([, meta]) => sourceOf(meta) !== undefined);
    const picks = this.picks.pendingIn(uri);
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
      const read = reads.some(([id, meta]) => sourceOf(meta) === source && this.tracker.get(id)?.start === p.start);
      return read ? { state: 'queued', progress: 0 } : undefined;
    };
  }

  /** Sends the placeholders that are not running already and that the provider would take. */
  async send(doc: vscode.TextDocument, all: Placeholder[], title: string, extras?: PlaceholderExtras): Promise<JobSummary[]> {
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
    // Followed in this window in the same tick as the scan, before anything is awaited: a second run
    // (a double click, Generate all while one runs) sees them in runningIn whatever the timing, and
    // their ranges follow the user's typing from the very text they were read from. The read lasts
    // until the job is final and linked, so a later run finds a linked image, not a placeholder.
    // Their claims are named in claimEverywhere (the page's real path is asked of the file system).
    const held = free.map((p) => {
      const source = text.slice(p.start, p.end);
      const meta: PlaceholderMeta = { origin: 'placeholder', documentUri: doc.uri.toString(), alt: oneLine(p.prompt), source };
      // Its override comment is read with it, from the same text.
      return { p, meta, id: this.pending.follow(doc, p.start, p.end, meta), override: readOverride(text, p.end)?.layer };
    });
    this.pending.notify();
    const items: RunItem[] = [];
    try {
      items.push(...(await this.claimEverywhere(doc, held, owner, extras)));
      if (!items.length) return [];
      return await this.submitter.run(doc, items, title, extras?.options, extras?.onSubmitted);
    } finally {
      // run() returns when every job it sent is final (or nothing was sent): the reads and claims end here.
      // Jobs resumed after a reload release theirs when their final event comes (see the constructor).
      for (const h of held) this.pending.forget(h.id);
      this.pending.notify();
      for (const item of items) {
        if (item.meta.origin === 'placeholder' && item.meta.claim) await this.windows.release(item.meta.claim).catch(() => undefined);
      }
    }
  }

  /**
   * Another VS Code window on the same file may be filling some of them: each one is claimed there too.
   * Returns the items to send: claimed, and still in the page as they were read.
   */
  private async claimEverywhere(doc: vscode.TextDocument, held: { p: Placeholder; meta: PlaceholderMeta; id: string; override: RunItem['override'] }[],
    owner: string, extras?: PlaceholderExtras): Promise<RunItem[]> {
    let heldElsewhere = 0;
    let failed: Error | undefined;
    let notClaimed = 0;
    const items: RunItem[] = [];
    for (const h of held) {
      // Named before it is taken, so that adoptClaims sees whose it is while it is being taken.
      h.meta.claim = await this.windows.ref(doc, h.meta.source, owner);
      // A claim that could not be taken counts as not acquired: when in doubt, nothing is sent.
      const c = await this.windows.claim(h.meta.claim);
      if (c.result === 'failed') {
        failed ??= c.error;
        notClaimed++;
      }
      if (c.result !== 'acquired') {
        if (c.result === 'held') heldElsewhere++;
        continue;
      }
      items.push({ prompt: h.p.prompt, meta: h.meta, track: [h.p.start, h.p.end], followed: h.id, references: extras?.references, override: h.override });
    }
    // The user may have typed while the claims were taken: only a placeholder still there, as read,
    // is sent (its text is the prompt that is billed).
    const now = doc.getText();
    const still: RunItem[] = [];
    for (const item of items) {
      const r = item.followed ? this.tracker.get(item.followed) : undefined;
      const source = item.meta.origin === 'placeholder' ? item.meta.source : undefined;
      if (r && !r.touched && now.slice(r.start, r.end) === source) still.push(item);
      else {
        this.log.info(`Not sent: the placeholder "${shortLine(item.prompt, 60)}" changed while it was being claimed.`);
        if (item.meta.origin === 'placeholder' && item.meta.claim) await this.windows.release(item.meta.claim).catch(() => undefined);
      }
    }
    if (heldElsewhere) {
      const msg = still.length
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
    return still;
  }

  /** One message for every placeholder Generate all leaves out, with where it is and why. */
  private tellRefused(doc: vscode.TextDocument, refused: { p: Placeholder; why: string[] }[], sent: number): void {
    // Placeholders refused for the same reason (the page's front matter) are named together.
    const groups = new Map<string, Placeholder[]>();
    for (const { p, why } of refused) groups.set(why.join(' '), [...(groups.get(why.join(' ')) ?? []), p]);
    const line = (p: Placeholder) => doc.positionAt(p.start).line + 1;
    const named = [...groups].slice(0, 3).map(([why, ps]) => (ps.length === 1
      ? vscode.l10n.t('"{0}" (line {1}): {2}', shortLine(ps[0]!.prompt, 40), line(ps[0]!), why)
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

  dispose(): void {
    this.picksSub.dispose();
    this.sub.dispose();
  }
}
