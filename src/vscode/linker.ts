// Puts finished images in place: copies each checked download into the workspace (through
// vscode.workspace.fs, never overwriting) and links it into the document in one WorkspaceEdit.
// A placeholder the user deleted or rewrote meanwhile is never clobbered: the image is saved and
// the user is told where.
import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import { resolveDestination } from '../core/destination';
import { firstFreeName, fileBaseName } from '../core/fileNames';
import { anchorLineEnd, insertionEdit, markdownImage, placeholderEdit, relativeLink } from '../core/markdownEdits';
import { scanMarkdown, type Placeholder, type ImageLink } from '../core/placeholders';
import type { JobRecord } from '../core/store';
import type { DownloadedImage } from '../core/types';
import { KeyedQueue } from '../core/keyedQueue';
import { realDirInside } from '../core/paths';
import { readSettings } from './config';
import { isJobMeta, type JobMeta } from './jobMeta';
import { placeSidecar, stampRecipe } from './recipeHook';
import type { RangeTracker } from './tracker';
import { say } from './say';

/** How long a link edit is retried while the user's typing keeps making it stale. */
const RETRY_WHILE_TYPING_MS = 60_000;

export type UnlinkedReason = 'no-document' | 'not-markdown' | 'placeholder-gone' | 'image-gone' | 'cancelled' | 'pick';

/** Takes the saved variants of a job whose placeholder waits for the user's pick (see variants.ts). */
export type PickOffer = (job: JobRecord, meta: Extract<JobMeta, { origin: 'placeholder' }>, files: DownloadedImage[]) => Promise<void>;

/** The tracker id a placeholder waiting for a pick is followed under, once its job is over. */
export function pickTrackId(jobId: string): string {
  return `pick:${jobId}`;
}
export type LinkOutcome = { linked: true; documentUri: string } | { linked: false; reason: UnlinkedReason };

export class Linker {
  private readonly outcomes = new Map<string, LinkOutcome>();
  /** The last link edit queued for each document (see link). */
  private readonly byDocument = new KeyedQueue();
  /** Set at activation: where variants that wait for a pick go instead of into the document. */
  offerPick: PickOffer | undefined;

  constructor(private readonly tracker: RangeTracker, private readonly log: vscode.LogOutputChannel) {}

  /** How the images of a finished job were linked (for commands that report it). */
  outcome(jobId: string): LinkOutcome | undefined {
    return this.outcomes.get(jobId);
  }

  /** The queue's finalize hook: runs after the downloads, before the job counts as completed. */
  async finalize(job: JobRecord, files: DownloadedImage[]): Promise<DownloadedImage[]> {
    const meta = job.target.meta;
    if (!isJobMeta(meta)) throw new Error(vscode.l10n.t('This task has no destination recorded; its images are in Pictor\'s storage folder.'));
    const docUri = meta.documentUri ? vscode.Uri.parse(meta.documentUri) : undefined;
    const placed = await this.place(job, docUri, meta.alt, files);
    // Several images for a placeholder that waits for a pick: saved, offered, not linked yet. The
    // placeholder is followed on under another id, so the pick finds this one among look-alikes.
    if (meta.origin === 'placeholder' && meta.pick && placed.length > 1 && !job.detached && this.offerPick) {
      try {
        await this.offerPick(job, meta, placed);
        this.outcomes.set(job.id, { linked: false, reason: 'pick' });
        this.tracker.rekey(job.id, pickTrackId(job.id));
        return placed;
      } catch (e) {
        // Not kept for a pick (the workspace state could not be written): every image is linked, none lost.
        this.log.warn(`Could not keep the variants of "${meta.alt}" for a pick (${(e as Error).message}); linking them all.`);
      }
    }
    try {
      // A task the user cancelled that still finished: its images are paid for, so they are saved,
      // but the document is left as the user left it.
      const outcome: LinkOutcome = job.detached ? { linked: false, reason: 'cancelled' } : await this.link(job.id, meta, docUri, placed);
      this.outcomes.set(job.id, outcome);
      if (!outcome.linked) this.tellUnlinked(meta, docUri, placed, outcome.reason);
    } finally {
      this.tracker.forget(job.id);
    }
    return placed;
  }

  /**
   * Copies staged downloads to their destination, each stamped with its recipe. Returns the images at
   * their new paths, each marked placed. All or nothing: if one cannot be written, the copies made so
   * far are removed again and every image stays in Pictor's storage, so a retry starts from the same files.
   */
  private async place(job: JobRecord, docUri: vscode.Uri | undefined, alt: string, files: DownloadedImage[]): Promise<DownloadedImage[]> {
    const { folder, documentPath } = destinationContext(docUri);
    const settings = readSettings(docUri);
    const base = fileBaseName(alt);
    const out: DownloadedImage[] = [];
    const copied: vscode.Uri[] = [];
    try {
      for (const [i, staged] of files.entries()) {
        if (staged.placed) {
          out.push(staged); // already placed (a finalize that is repeated after a restart)
          continue;
        }
        const fileName = files.length > 1 ? `${base}-${i + 1}` : base;
        const target = await this.freeTarget(folder, documentPath, settings.destination, fileName, staged.type);
        const { file: f, sidecar } = await stampRecipe(job, staged, i, files.length, target.fsPath, this.log);
        const dir = vscode.Uri.joinPath(target, '..');
        try {
          await vscode.workspace.fs.createDirectory(dir);
        } catch (e) {
          throw this.unwritable(target, f, e);
        }
        // The folder's text lies inside the workspace; a symbolic link on the way may still lead out.
        // Where it really is decides, once it exists.
        const where = await realDirInside(dir.fsPath, folder.uri.fsPath);
        if (!where.ok) {
          throw new PlaceError(where.reason === 'outside'
            ? vscode.l10n.t('{0} leads outside the workspace folder (to {1}) through a symbolic link, so nothing was written there; the image is kept at {2}. Remove the link or change pictor.destination',
              vscode.workspace.asRelativePath(dir), String(where.real), f.path)
            : vscode.l10n.t('{0} could not be found after it was created; the image is kept at {1}', vscode.workspace.asRelativePath(dir), f.path));
        }
        try {
          await vscode.workspace.fs.copy(vscode.Uri.file(f.path), target, { overwrite: false });
        } catch (e) {
          throw this.unwritable(target, f, e);
        }
        copied.push(target);
        if (sidecar) await placeSidecar(sidecar, target, this.log);
        out.push({ ...f, path: target.fsPath, placed: true });
      }
    } catch (e) {
      for (const c of copied) await vscode.workspace.fs.delete(c).then(undefined, () => undefined);
      throw e;
    }
    for (const [i, f] of files.entries()) {
      if (f.placed) continue;
      await rm(f.path, { force: true });
      const to = out[i]!;
      this.log.info(`Saved ${vscode.workspace.asRelativePath(to.path)} (${to.width}×${to.height}, ${to.bytes} bytes).`);
    }
    return out;
  }

  /** The image is paid for: say where it is kept until the folder can take it. */
  private unwritable(target: vscode.Uri, f: DownloadedImage, e: unknown): PlaceError {
    const why = e instanceof vscode.FileSystemError ? e.code || e.message : (e as Error).message;
    return new PlaceError(vscode.l10n.t('{0} could not be written ({1}); the image is kept at {2}. Make the folder writable or change pictor.destination',
      vscode.workspace.asRelativePath(target), why, f.path));
  }

  private async freeTarget(folder: vscode.WorkspaceFolder, documentPath: string, patterns: Record<string, string>,
    fileName: string, ext: string): Promise<vscode.Uri> {
    const r = resolveDestination({ documentPath, workspaceFolder: folder.uri.fsPath, patterns, fileName, ext });
    if (!r.ok) throw new Error(vscode.l10n.t('{0} Change the pictor.destination setting.', say({ message: r.error, words: r.words })));
    // A fixed pattern (no ${fileName}) names the same file each time: number the copies instead.
    const uri = (file: string) => folder.uri.with({ path: toUriPath(file) });
    const free = await firstFreeName(r.file, async (file) => (await exists(uri(file)) ? 'taken' : 'done'), 50);
    if (free) return uri(free);
    throw new Error(vscode.l10n.t('Could not find a free file name for {0}.', `${fileName}.${ext}`));
  }

  /**
   * Links one job's images. Edits of one document are made one after another: two completions that
   * read the same version would otherwise send edits VS Code refuses (it checks the version).
   */
  private link(jobId: string, meta: JobMeta, docUri: vscode.Uri | undefined, files: DownloadedImage[]): Promise<LinkOutcome> {
    // The tools hand their link to the agent, which decides where it goes.
    if ((meta.origin === 'selection' && !meta.insertLinks) || meta.origin === 'tool') return Promise.resolve({ linked: false, reason: 'not-markdown' });
    if (!docUri) return Promise.resolve({ linked: false, reason: 'no-document' });
    const key = docUri.toString();
    return this.byDocument.run(key, () => this.linkNow(jobId, meta, docUri, files));
  }

  private async linkNow(jobId: string, meta: JobMeta, docUri: vscode.Uri, files: DownloadedImage[]): Promise<LinkOutcome> {
    // The user may type between reading the text and the edit arriving: VS Code then refuses the
    // edit (its version is stale), and it is worked out again on the new text. Under load every
    // attempt can lose to a keystroke, so a count would leave a paid image unlinked while the user
    // types: it is retried for as long as the document keeps changing, within a generous deadline.
    const deadline = Date.now() + RETRY_WHILE_TYPING_MS;
    for (let attempt = 1; ; attempt++) {
      let doc: vscode.TextDocument;
      try {
        doc = await vscode.workspace.openTextDocument(docUri);
      } catch {
        return { linked: false, reason: 'no-document' };
      }
      const wasDirty = doc.isDirty;
      const version = doc.version;
      const planned = this.editFor(jobId, meta, doc, files);
      if ('reason' in planned) return { linked: false, reason: planned.reason };
      const selections = planned.insertAt ? cursorsUpTo(doc, planned.insertAt) : [];
      if (await vscode.workspace.applyEdit(planned.edit)) {
        // Lines inserted at a cursor would carry it (and a selection's end) past the links: a person
        // typing at the end of that line would go on typing below them. Put it back.
        if (doc.version === version + 1) for (const [editor, sel] of selections) editor.selections = sel;
        // A document nobody has open gets its link saved, so it is not lost in a hidden buffer.
        if (!wasDirty && !isOpenInTab(doc.uri)) await doc.save();
        return { linked: true, documentUri: doc.uri.toString() };
      }
      if (doc.version === version || Date.now() > deadline) {
        this.log.warn(`Could not edit ${doc.uri.toString(true)} (version ${version}, attempt ${attempt}).`);
        return { linked: false, reason: 'no-document' };
      }
    }
  }

  /** The one WorkspaceEdit that links the images, worked out on the document as it is now. */
  private editFor(jobId: string, meta: JobMeta, doc: vscode.TextDocument, files: DownloadedImage[]):
    { edit: vscode.WorkspaceEdit; insertAt?: vscode.Position } | { reason: UnlinkedReason } {
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const links = files.map((f) => relativeLink(documentPathOf(doc.uri), f.path));
    const text = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    const range = (a: number, b: number) => new vscode.Range(doc.positionAt(a), doc.positionAt(b));

    switch (meta.origin) {
      case 'placeholder': {
        const p = this.findPlaceholder(jobId, text, meta.source);
        if (!p) return { reason: 'placeholder-gone' };
        const e = placeholderEdit(text, p, meta.alt, links, eol);
        edit.replace(doc.uri, range(e.start, e.end), e.text);
        break;
      }
      case 'edit': {
        const img = this.findImage(jobId, text, meta.source, meta.oldUrl);
        if (!img) return { reason: 'image-gone' };
        if (links.length === 1) {
          edit.replace(doc.uri, range(img.destStart, img.destEnd), links[0]!);
          break;
        }
        const e = insertionEdit(text, img.end, meta.alt, links, eol);
        edit.insert(doc.uri, doc.positionAt(e.start), e.text);
        return { edit, insertAt: doc.positionAt(e.start) };
      }
      case 'selection':
      case 'panel': {
        const at = this.tracker.get(jobId);
        const offset = at ? at.start : anchorLineEnd(text, meta.anchor);
        if (offset === undefined) return { reason: 'placeholder-gone' };
        const e = insertionEdit(text, offset, meta.alt, links, eol);
        edit.insert(doc.uri, doc.positionAt(e.start), e.text);
        // Inserted at the start of the next line, no cursor on the line above moves; only an insertion
        // at the very end of the text needs the cursors put back.
        return { edit, insertAt: e.start === offset ? doc.positionAt(e.start) : undefined };
      }
    }
    return { edit };
  }

  /** The placeholder where the tracker followed it (under `jobId`), else the only one with the same text. */
  findPlaceholder(jobId: string, text: string, source: string): Placeholder | undefined {
    const candidates = scanMarkdown(text).placeholders.filter((p) => text.slice(p.start, p.end) === source);
    const tracked = this.tracker.get(jobId);
    if (tracked && !tracked.touched) {
      const exact = candidates.find((p) => p.start === tracked.start);
      if (exact) return exact;
    }
    if (tracked?.touched) return undefined; // the user edited this very placeholder
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private findImage(jobId: string, text: string, source: string, oldUrl: string): ImageLink | undefined {
    const candidates = scanMarkdown(text).images.filter((i) => i.url === oldUrl && text.slice(i.start, i.end) === source);
    const tracked = this.tracker.get(jobId);
    if (tracked && !tracked.touched) {
      const exact = candidates.find((i) => i.start === tracked.start);
      if (exact) return exact;
    }
    if (tracked?.touched) return undefined;
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private tellUnlinked(meta: JobMeta, docUri: vscode.Uri | undefined, files: DownloadedImage[], reason: UnlinkedReason): void {
    const where = files.map((f) => vscode.workspace.asRelativePath(f.path)).join(', ');
    const from = docUri ? documentPathOf(docUri) : undefined;
    const mdLinks = files.map((f) => markdownImage(meta.alt, from ? relativeLink(from, f.path) : vscode.workspace.asRelativePath(f.path))).join('\n');
    const open = vscode.l10n.t('Open');
    const copyPath = vscode.l10n.t('Copy Path');
    const copyLink = vscode.l10n.t('Copy Markdown Link');
    const message = reason === 'cancelled'
      ? vscode.l10n.t('Pictor: a task you cancelled finished anyway. Its image is saved at {0}; the document was not changed.', where)
      : reason === 'not-markdown' || (reason === 'no-document' && !docUri)
      ? vscode.l10n.t('Pictor: image saved to {0}.', where)
      : (reason === 'placeholder-gone' && meta.origin !== 'placeholder')
        ? vscode.l10n.t('Pictor: the place for the image in the document could not be found again, so nothing was touched. The image is saved at {0}.', where)
      : reason === 'placeholder-gone' || reason === 'image-gone'
        ? vscode.l10n.t('Pictor: the placeholder "{0}" was changed or removed, so nothing in the document was touched. The image is saved at {1}.', meta.alt, where)
        : vscode.l10n.t('Pictor: the document could not be edited. The image is saved at {0}.', where);
    void vscode.window.showInformationMessage(message, open, copyPath, copyLink).then(async (pick) => {
      if (pick === open) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(files[0]!.path));
      if (pick === copyPath) await vscode.env.clipboard.writeText(files.map((f) => f.path).join('\n'));
      if (pick === copyLink) await vscode.env.clipboard.writeText(mdLinks);
    });
  }
}

/** A failure to write into the workspace; its message is shown as is (no "Error:" prefix). */
class PlaceError extends Error {
  override toString(): string {
    return this.message;
  }
}

/** The workspace folder a document's images go into, and the document path used for patterns. */
function destinationContext(docUri: vscode.Uri | undefined): { folder: vscode.WorkspaceFolder; documentPath: string } {
  const folder = docUri ? vscode.workspace.getWorkspaceFolder(docUri) : undefined;
  if (folder && docUri) return { folder, documentPath: docUri.fsPath };
  // An untitled document (or the panel without an editor): the first workspace folder's root.
  const first = vscode.workspace.workspaceFolders?.[0];
  if (!first) throw new Error(vscode.l10n.t('Open a folder first: Pictor saves images into the workspace folder.'));
  return { folder: first, documentPath: vscode.Uri.joinPath(first.uri, 'untitled.md').fsPath };
}

export function documentPathOf(uri: vscode.Uri): string {
  if (uri.scheme === 'untitled') {
    const first = vscode.workspace.workspaceFolders?.[0];
    return first ? vscode.Uri.joinPath(first.uri, 'untitled.md').fsPath : '/untitled.md';
  }
  return uri.fsPath;
}

function toUriPath(p: string): string {
  const posix = p.replace(/\\/g, '/');
  return /^[A-Za-z]:/.test(posix) ? '/' + posix : posix;
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The selections of editors on `doc` when none reaches past `at` (an insertion at `at` moves only those at `at`). */
function cursorsUpTo(doc: vscode.TextDocument, at: vscode.Position): [vscode.TextEditor, readonly vscode.Selection[]][] {
  return vscode.window.visibleTextEditors
    .filter((e) => e.document === doc && e.selections.every((s) => !s.end.isAfter(at)) && e.selections.some((s) => s.end.isEqual(at)))
    .map((e) => [e, e.selections]);
}

export function isOpenInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
}
