// Placeholders from the read to the submitter: which are running already (here, in another window, or
// waiting for a pick), which the provider would refuse, and the cross-window claim each one sent holds
// until its job is final, so two windows (or two clicks) never bill one placeholder twice. What it
// leaves out goes into the run's report (core/runReport.ts); it shows nothing itself.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { readOverride } from '../../core/pageOptions';
import type { MarkdownScan, Placeholder } from '../../core/placeholders';
import { FINAL_STATES } from '../../core/store';
import { oneLine, shortLine } from '../../shared/text';
import { placeholderProblems, type PlaceholderDiagnostics } from '../editor/diagnostics';
import type { JobMeta } from '../state/jobMeta';
import { pickTrackId } from '../place/linker';
import type { PendingReads } from './pendingReads';
import type { PlaceholderClaims } from '../state/placeholderClaims';
import { refusedReport, type NotSent } from '../../core/runReport';
import { words } from '../../shared/words';
import { pagePlan, skippedIn } from './plans';
import { type PickSource, type PlaceholderExtras, type Report, type RunItem, type RunningInfo } from './runTypes';
import { sayWords } from '../say';
import type { PictorService } from '../service';
import type { Submitter } from './submitter';
import type { RangeTracker } from '../place/tracker';

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

  /**
   * Sends the placeholders that are not running already and that the provider would take, and reports
   * what happened to each (see core/runReport.ts): it shows nothing itself.
   */
  async send(doc: vscode.TextDocument, all: Placeholder[], title: string, extras?: PlaceholderExtras): Promise<Report> {
    const lineOf = (p: Placeholder) => doc.positionAt(p.start).line + 1;
    const left = (p: Placeholder, reason: NotSent['reason'], words: string, more: Partial<NotSent> = {}): NotSent =>
      ({ reason, words, prompt: p.prompt, line: lineOf(p), ...more });
    const empty = all.filter((p) => p.empty);
    if (empty.length && empty.length === all.length) {
      return refusedReport('empty', vscode.l10n.t('Pictor: the placeholder has no prompt. Describe the image between the brackets: ![a red fox asleep in snow]().'),
        { notSent: empty.map((p) => left(p, 'empty', sayWords(words('request.promptEmpty')))), severity: 'warning' });
    }
    const running = this.runningIn(doc);
    let free = all.filter((p) => !p.empty && !running(p));
    const taken = all.filter((p) => !p.empty && running(p));
    const waiting = taken.map((p) => running(p)!.pick).filter((x) => x !== undefined);
    const runningLeft = taken.map((p) => {
      const pick = running(p)!.pick;
      return pick
        ? left(p, 'pick', vscode.l10n.t('its variants are saved and wait for the user\'s pick in the panel.'), { pickId: pick.id })
        : left(p, 'running', sayWords(words('plan.running')));
    });
    if (free.length === 0 && waiting.length) {
      return refusedReport('pick', vscode.l10n.t('Pictor: the variants of this placeholder are saved and wait for your pick. Pick one in the panel first.'),
        { notSent: runningLeft, severity: 'info' });
    }
    if (free.length === 0) {
      return refusedReport('running', vscode.l10n.t('Pictor: these placeholders are already being generated.'), { notSent: runningLeft, severity: 'info' });
    }
    const notSent: NotSent[] = [...runningLeft];
    // Of several, one the provider would refuse (a prompt over the limit) does not stop the others:
    // it is marked in the Problems view and named; the good ones are sent.
    // So is one whose options (the page's front matter, its override comment) cannot be sent.
    const text = doc.getText();
    if (free.length > 1) {
      const scan = this.scan(doc);
      const planned = pagePlan(doc, scan, { call: extras?.options });
      const refused = free
        .map((p) => ({ p, why: placeholderProblems(doc, scan, p, text, extras?.options) }))
        .filter((r) => r.why.length > 0);
      if (refused.length) {
        this.diagnostics.update(doc);
        const checked = refused.map(({ p, why }) => left(p, skippedIn(planned, p)?.reason ?? 'request', why.join(' ')));
        free = free.filter((p) => !refused.some((r) => r.p === p));
        if (!free.length) return refusedReport('problems', '', { notSent: [...notSent, ...checked] });
        notSent.push(...checked);
      }
    }
    const sending = free.length;
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
    // What this step left out goes into the submitter's report, so far and at the end.
    const withOurs = (r: Report): Report => ({ ...r, notSent: [...notSent, ...r.notSent], sending });
    try {
      const claimed = await this.claimEverywhere(doc, held, owner, extras);
      items.push(...claimed.items);
      notSent.push(...claimed.notSent);
      if (!items.length) {
        const code = claimed.notSent.some((n) => n.reason === 'elsewhere') ? 'elsewhere'
          : claimed.notSent.some((n) => n.reason === 'claimFailed') ? 'claimFailed' : 'changed';
        return { ...refusedReport(code, claimed.notSent[0]?.words ?? ''), notSent, sending };
      }
      const onSent = extras?.onSent;
      const report = await this.submitter.run(doc, items, title, extras?.options, extras?.onSubmitted, onSent && ((r) => onSent(withOurs(r))));
      return withOurs(report);
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
   * Returns the items to send (claimed, and still in the page as they were read), and those left out.
   */
  private async claimEverywhere(doc: vscode.TextDocument, held: { p: Placeholder; meta: PlaceholderMeta; id: string; override: RunItem['override'] }[],
    owner: string, extras?: PlaceholderExtras): Promise<{ items: RunItem[]; notSent: NotSent[] }> {
    const notSent: NotSent[] = [];
    const left = (p: Placeholder, reason: NotSent['reason'], words: string) =>
      notSent.push({ reason, words, prompt: p.prompt, line: doc.positionAt(p.start).line + 1 });
    const items: RunItem[] = [];
    const placeholders = new Map<RunItem, Placeholder>();
    for (const h of held) {
      // Named before it is taken, so that adoptClaims sees whose it is while it is being taken.
      h.meta.claim = await this.windows.ref(doc, h.meta.source, owner);
      // A claim that could not be taken counts as not acquired: when in doubt, nothing is sent.
      const c = await this.windows.claim(h.meta.claim);
      if (c.result === 'failed') {
        this.log.error(`Could not record the claim of "${shortLine(h.p.prompt, 60)}": ${c.error.message}`);
        left(h.p, 'claimFailed', c.error.message);
      }
      if (c.result === 'held') left(h.p, 'elsewhere', vscode.l10n.t('another VS Code window is already generating it.'));
      if (c.result !== 'acquired') continue;
      const item: RunItem = { prompt: h.p.prompt, meta: h.meta, track: [h.p.start, h.p.end], followed: h.id, references: extras?.references, override: h.override };
      items.push(item);
      placeholders.set(item, h.p);
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
        left(placeholders.get(item)!, 'changed', vscode.l10n.t('the placeholder changed while it was being claimed.'));
        if (item.meta.origin === 'placeholder' && item.meta.claim) await this.windows.release(item.meta.claim).catch(() => undefined);
      }
    }
    return { items: still, notSent };
  }

  dispose(): void {
    this.picksSub.dispose();
    this.sub.dispose();
  }
}
