// Variants waiting for a pick: a placeholder's several images are saved, kept here (in the workspace
// state, so a reload loses nothing) and shown in the panel; the one the user picks is linked in one
// undoable edit, and the others move to `candidates/` beside it or are deleted (pictor.otherVariants).
import * as vscode from 'vscode';
import { placeholderEdit, relativeLink } from '../../core/markdownEdits';
import { sidecarPath } from '../../core/recipe';
import type { JobRecord } from '../../core/store';
import type { DownloadedImage } from '../../core/types';
import { candidateTarget, parsePendingPicks, type PendingPick } from '../../core/variants';
import { readSettings } from '../settings/config';
import type { PickSource } from '../run/runTypes';
import type { JobMeta } from '../state/jobMeta';
import { eolOf } from '../../core/filesWorkspace';
import { documentPathOf, type DocumentLinks } from './documentLinks';
import { pickTrackId, type PickKeeper } from './linker';
import { exists } from './placing';
import type { RangeTracker } from './tracker';
import { createFolderIn, deleteIn, moveIn, pageFolder, OutsideFolder } from './workspaceFiles';

const STATE_KEY = 'pictor.pendingPicks';
export const PENDING_CONTEXT_KEY = 'pictor.hasPendingPicks';
/** How long a pick's edit is retried while the user's typing keeps making it stale (as the linker does). */
const RETRY_WHILE_TYPING_MS = 30_000;

export type PickResult =
  | { ok: true; link: string; others: { from: string; to?: string }[]; problems: string[] }
  | { ok: false; message: string };

export class VariantPicker implements PickSource, PickKeeper, vscode.Disposable {
  private picks: PendingPick[];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** Writes to the workspace state, one after another. */
  private saving: Promise<void> = Promise.resolve();
  /** Picks being linked right now: a second click on the same pick does nothing. */
  private readonly busy = new Set<string>();
  private readonly askedForPanel = new vscode.EventEmitter<string | undefined>();
  /** The user asked to see a pick's candidates (its id; the first pick when none is named): the panel opens on them. */
  readonly onDidAskForPanel = this.askedForPanel.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly tracker: RangeTracker,
    private readonly links: DocumentLinks,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.picks = parsePendingPicks(state.get<unknown>(STATE_KEY));
    void vscode.commands.executeCommand('setContext', PENDING_CONTEXT_KEY, this.picks.length > 0);
    if (this.picks.length) this.log.info(`${this.picks.length} placeholder(s) have variants waiting for a pick.`);
  }

  list(): PendingPick[] {
    return [...this.picks];
  }

  get(id: string): PendingPick | undefined {
    return this.picks.find((p) => p.id === id);
  }

  pendingIn(documentUri: string): PendingPick[] {
    return this.picks.filter((p) => p.documentUri === documentUri);
  }

  /** After a reload: says once that picks are still waiting, with a button to them. */
  remind(): void {
    if (!this.picks.length) return;
    const pick = vscode.l10n.t('Pick…');
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Pictor: {0} placeholder(s) have variants waiting for your pick.', this.picks.length), pick)
      .then((choice) => { if (choice === pick) this.askedForPanel.fire(this.picks[0]?.id); });
  }

  /** The linker's hook: the job's images are saved; keep them for a pick and tell the user. */
  async offer(job: JobRecord<JobMeta>, meta: Extract<JobMeta, { origin: 'placeholder' }>, files: DownloadedImage[]): Promise<void> {
    const pick: PendingPick = {
      id: job.id,
      documentUri: meta.documentUri,
      alt: meta.alt,
      source: meta.source,
      files: files.map((f) => ({ path: f.path, width: f.width, height: f.height })),
      createdAt: Date.now(),
    };
    if (job.taskId) pick.taskId = job.taskId;
    try {
      await this.update((all) => [...all.filter((p) => p.id !== pick.id), pick]);
    } catch (e) {
      // The linker then links them all: nothing must wait for a pick that a reload would forget.
      this.picks = this.picks.filter((p) => p.id !== pick.id);
      this.changed.fire();
      throw e;
    }
    this.log.info(`${files.length} variants of "${meta.alt}" are saved and wait for a pick.`);
    const choose = vscode.l10n.t('Pick…');
    void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: {0} variants ready for "{1}". Pick the one to link.', files.length, meta.alt), choose)
      .then((choice) => { if (choice === choose) this.askedForPanel.fire(pick.id); });
  }

  /**
   * Links `file`, one of the pick's images, into its placeholder in one WorkspaceEdit (one undo
   * brings the placeholder back), then moves or deletes the others.
   */
  async pick(id: string, file: string): Promise<PickResult> {
    const pick = this.get(id);
    if (!pick) return { ok: false, message: vscode.l10n.t('These variants no longer wait for a pick.') };
    const chosen = pick.files.find((f) => f.path === file);
    if (!chosen) return { ok: false, message: vscode.l10n.t('That image is not one of the variants of "{0}".', pick.alt) };
    if (this.busy.has(id)) return { ok: false, message: vscode.l10n.t('The pick for "{0}" is already being linked.', pick.alt) };
    this.busy.add(id);
    try {
      if (!(await exists(vscode.Uri.file(chosen.path)))) {
        return { ok: false, message: vscode.l10n.t('{0} no longer exists. Pick another variant.', vscode.workspace.asRelativePath(chosen.path, false)) };
      }
      const linked = await this.link(pick, chosen.path);
      if (!linked.ok) return linked;
      this.tracker.forget(pickTrackId(id));
      await this.update((all) => all.filter((p) => p.id !== id));
      const mode = readSettings(vscode.Uri.parse(pick.documentUri)).otherVariants;
      const folder = pageFolder(vscode.Uri.parse(pick.documentUri))?.uri.fsPath;
      const others: { from: string; to?: string }[] = [];
      const problems: string[] = [];
      for (const other of pick.files.filter((f) => f !== chosen)) {
        try {
          others.push(mode === 'delete'
            ? (await this.remove(folder, other.path), { from: other.path })
            : { from: other.path, to: await this.moveBeside(folder, chosen.path, other.path) });
        } catch (e) {
          problems.push(`${vscode.workspace.asRelativePath(other.path, false)}: ${(e as Error).message}`);
        }
      }
      this.log.info(`Picked ${vscode.workspace.asRelativePath(chosen.path, false)} for "${pick.alt}"; ${mode === 'delete' ? 'deleted' : 'moved to candidates/'} ${others.length} other(s).`);
      for (const p of problems) this.log.warn(`A variant not picked could not be ${mode === 'delete' ? 'deleted' : 'moved'}: ${p}`);
      return { ok: true, link: linked.link, others, problems };
    } finally {
      this.busy.delete(id);
    }
  }

  /** Stops waiting for a pick: the placeholder stays empty, every image stays where it is. */
  async dismiss(id: string): Promise<boolean> {
    const pick = this.get(id);
    if (!pick) return false;
    this.tracker.forget(pickTrackId(id));
    await this.update((all) => all.filter((p) => p.id !== id));
    this.log.info(`No variant picked for "${pick.alt}"; its images stay at ${pick.files.map((f) => vscode.workspace.asRelativePath(f.path, false)).join(', ')}.`);
    return true;
  }

  /**
   * Which pick a command means: a pick id, a placeholder (document and range, as the CodeLens
   * passes), the placeholder at the cursor, or else the newest one.
   */
  resolve(arg?: unknown, rangeArg?: unknown): PendingPick | undefined {
    if (typeof arg === 'string' && this.get(arg)) return this.get(arg);
    const editor = vscode.window.activeTextEditor;
    const uri = arg instanceof vscode.Uri ? arg : editor?.document.uri;
    const range = rangeArg instanceof vscode.Range ? rangeArg : undefined;
    if (uri) {
      const here = this.pendingIn(uri.toString());
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const at = doc ? doc.offsetAt(range?.start ?? (editor?.document === doc ? editor.selection.active : new vscode.Position(0, 0))) : undefined;
      const exact = at === undefined ? undefined : here.find((p) => {
        const r = this.tracker.get(pickTrackId(p.id));
        return r && r.start <= at && at <= r.end;
      });
      if (exact ?? here[0]) return exact ?? here[0];
    }
    return this.picks.at(-1);
  }

  private async link(pick: PendingPick, file: string): Promise<{ ok: true; link: string } | { ok: false; message: string }> {
    const docUri = vscode.Uri.parse(pick.documentUri);
    const gone = () => vscode.l10n.t('The placeholder "{0}" was changed or removed, so nothing was linked. Put it back as it was, or click Keep All to stop waiting; the variants stay where they are.', pick.alt);
    const notEdited = (uri: vscode.Uri) => vscode.l10n.t('{0} could not be edited, so nothing was linked. Try the pick again.', vscode.workspace.asRelativePath(uri, false));
    // As the other links (documentLinks.ts linkInto): a file nobody is editing under its lock, on disk
    // when another program wrote it since the window read it, so its change is neither written over nor
    // lost in a hidden buffer.
    const link = relativeLink(docUri.fsPath, file);
    const r = await this.links.linkInto<'gone', { ok: true; link: string } | { ok: false; message: string }>(docUri, (text, offsets) => {
      const p = this.links.findPlaceholder(pickTrackId(pick.id), text, pick.source, offsets);
      return p ? [placeholderEdit(text, p, pick.alt, [link], eolOf(text))] : { reason: 'gone' };
    }, () => this.linkInBuffer(pick, file, docUri, gone, notEdited));
    if ('buffer' in r) return r.buffer;
    if (r.disk.ok) return { ok: true, link };
    if (r.disk.reason === 'gone') return { ok: false, message: gone() };
    this.log.warn(`Could not write ${docUri.toString(true)}: ${r.disk.message ?? 'it kept changing'}.`);
    return { ok: false, message: notEdited(docUri) };
  }

  /** Links the pick by an edit of the window's copy of the page, retried while the user types. */
  private async linkInBuffer(pick: PendingPick, file: string, docUri: vscode.Uri, gone: () => string, notEdited: (uri: vscode.Uri) => string):
    Promise<{ ok: true; link: string } | { ok: false; message: string }> {
    const deadline = Date.now() + RETRY_WHILE_TYPING_MS;
    for (;;) {
      let doc: vscode.TextDocument;
      try {
        doc = await vscode.workspace.openTextDocument(docUri);
      } catch {
        return { ok: false, message: vscode.l10n.t('{0} could not be opened, so nothing was linked. The variants are kept where they are.', docUri.toString(true)) };
      }
      const text = doc.getText();
      const p = this.links.findPlaceholder(pickTrackId(pick.id), text, pick.source);
      if (!p) return { ok: false, message: gone() };
      const wasDirty = doc.isDirty;
      const version = doc.version;
      const link = relativeLink(documentPathOf(doc.uri), file);
      const e = placeholderEdit(text, p, pick.alt, [link], doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
      if (await vscode.workspace.applyEdit(edit)) {
        await this.links.saveUnedited(doc, wasDirty);
        return { ok: true, link };
      }
      if (doc.version === version || Date.now() > deadline) return { ok: false, message: notEdited(doc.uri) };
    }
  }

  /**
   * Moves a variant (and its recipe sidecar) into candidates/ beside the picked image, never over a
   * file, and only inside the page's workspace folder (workspaceFiles.ts: a `candidates` link that
   * leads out is not followed).
   */
  private async moveBeside(folder: string | undefined, picked: string, other: string): Promise<string> {
    if (!folder) throw new Error(vscode.l10n.t('no workspace folder is open; the image was left where it is'));
    let target: vscode.Uri | undefined;
    for (let attempt = 1; attempt <= 50 && !target; attempt++) {
      const t = vscode.Uri.file(candidateTarget(picked, other, attempt));
      if (!(await exists(t)) && !(await exists(t.with({ path: sidecarPath(t.path) })))) target = t;
    }
    if (!target) throw new Error(vscode.l10n.t('no free file name in the candidates folder'));
    const dir = vscode.Uri.joinPath(target, '..');
    try {
      await createFolderIn(dir, folder);
    } catch (e) {
      if (e instanceof OutsideFolder) throw new Error(vscode.l10n.t('{0} leads outside the workspace folder; the image was left where it is', vscode.workspace.asRelativePath(dir, false)));
      throw e;
    }
    await moveIn(vscode.Uri.file(other), target, folder);
    const sidecar = vscode.Uri.file(sidecarPath(other));
    if (await exists(sidecar)) {
      await moveIn(sidecar, target.with({ path: sidecarPath(target.path) }), folder)
        .then(undefined, (e: Error) => this.log.warn(`Could not move the recipe ${sidecar.fsPath}: ${e.message}`));
    }
    return target.fsPath;
  }

  /** Deletes a variant and its sidecar (inside the page's workspace folder only): to the trash where there is one. */
  private async remove(folder: string | undefined, file: string): Promise<void> {
    if (!folder) throw new Error(vscode.l10n.t('no workspace folder is open; the image was left where it is'));
    for (const f of [file, sidecarPath(file)]) {
      const uri = vscode.Uri.file(f);
      if (!(await exists(uri))) continue;
      await deleteIn(uri, folder, 'trashOrDelete');
    }
  }

  private update(change: (all: PendingPick[]) => PendingPick[]): Promise<void> {
    this.picks = change(this.picks);
    const snapshot = this.picks;
    void vscode.commands.executeCommand('setContext', PENDING_CONTEXT_KEY, snapshot.length > 0);
    this.changed.fire();
    this.saving = this.saving.then(() => this.state.update(STATE_KEY, snapshot), () => this.state.update(STATE_KEY, snapshot));
    return this.saving;
  }

  dispose(): void {
    this.changed.dispose();
    this.askedForPanel.dispose();
  }
}
