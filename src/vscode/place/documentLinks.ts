// Linking placed images into their document, made one after another per document, and only where the
// placeholder or image link is still as it was read. Never clobbers what the user changed.
//
// A page being edited (open in a tab, or with unsaved changes): one WorkspaceEdit, worked out on the
// text as it is when it is applied (the user may be typing); the user's buffer is the truth, one undo
// brings the placeholder back. A file nobody is editing: the page on disk is the truth, which another
// program (an agent server, another tool) may have written since the window last read it. Such a page
// is linked under its lock (core/pageLocks.ts), which every face of Pictor takes while it writes a page.
// While the window's copy still shows the file, it is edited and saved at once. Once the file is ahead
// of it (diskIsAhead), or when another face's lock did not come free in time, the links are placed as
// the files workspace places them (core/filesWorkspace.ts: read now, found again by text, compared
// before an atomic rename), and the window's copy follows the disk through VS Code's file watcher:
// saving that copy would write over the other program's change, or fail and leave the links in a
// hidden buffer.
import * as vscode from 'vscode';
import { eolOf, FilesWorkspace, type RewriteResult } from '../../core/filesWorkspace';
import { anchorLineEnd, insertionEdit, placeholderEdit, relativeLink, type TextEdit } from '../../core/markdownEdits';
import { scanMarkdown, type Placeholder, type ImageLink } from '../../core/placeholders';
import type { DownloadedImage } from '../../core/types';
import { KeyedQueue } from '../../core/keyedQueue';
import type { JobMeta } from '../state/jobMeta';
import type { RangeTracker } from './tracker';
import type { PageLocks } from '../../core/pageLocks';

/** How long a link edit is retried while the user's typing keeps making it stale. */
const RETRY_WHILE_TYPING_MS = 60_000;
/** How long a link written to disk waits for the window's copy of the page to show it (the file watcher). */
const FOLLOW_DISK_MS = 5_000;

/**
 * Whose text a placeholder's place is worked out on. 'buffer': the window's copy, which the tracker
 * follows. 'disk': the page on disk, equal to the window's copy (the tracker's offsets hold). 'none':
 * the page on disk, which the window's copy does not show (or there is none): its text alone.
 */
export type OffsetsOf = 'buffer' | 'disk' | 'none';

/** A file page written on disk: its text before and after, or why not ('editing': it is being edited now, use the buffer). */
export type DiskResult<R extends string> = RewriteResult<R | 'editing'>;

export type UnlinkedReason = 'no-document' | 'not-markdown' | 'placeholder-gone' | 'image-gone' | 'cancelled' | 'pick';

export type LinkOutcome = { linked: true; documentUri: string } | { linked: false; reason: UnlinkedReason };

export class DocumentLinks {
  /** The last link edit queued for each document (see link). */
  private readonly byDocument = new KeyedQueue();
  /** The pages on disk: read fresh, compared before the rename (shared with the faces without an editor). */
  readonly files: FilesWorkspace;

  /** `locks`: the page locks every face of Pictor takes while it writes a page (absent: this window's own writes are kept apart only). */
  constructor(private readonly tracker: RangeTracker, private readonly log: vscode.LogOutputChannel, locks?: PageLocks) {
    this.files = new FilesWorkspace(locks);
  }

  /**
   * Links one job's images. Edits of one document are made one after another: two completions that
   * read the same version would otherwise send edits VS Code refuses (it checks the version).
   */
  link(jobId: string, meta: JobMeta, docUri: vscode.Uri | undefined, files: DownloadedImage[]): Promise<LinkOutcome> {
    // The tools hand their link to the agent, which decides where it goes.
    if ((meta.origin === 'selection' && !meta.insertLinks) || meta.origin === 'tool') return Promise.resolve({ linked: false, reason: 'not-markdown' });
    if (!docUri) return Promise.resolve({ linked: false, reason: 'no-document' });
    const key = docUri.toString();
    return this.byDocument.run(key, () => this.linkNow(jobId, meta, docUri, files));
  }

  private async linkNow(jobId: string, meta: JobMeta, docUri: vscode.Uri, files: DownloadedImage[]): Promise<LinkOutcome> {
    const links = files.map((f) => relativeLink(docUri.fsPath, f.path));
    const r = await this.linkInto<UnlinkedReason, LinkOutcome>(docUri, (text, offsets) => {
      const planned = this.planFor(jobId, meta, text, links, eolOf(text), offsets);
      return 'reason' in planned ? planned : [planned.edit];
    }, () => this.linkInBuffer(jobId, meta, docUri, files));
    if ('buffer' in r) return r.buffer;
    if (r.disk.ok) return { linked: true, documentUri: docUri.toString() };
    const reason = r.disk.reason;
    if (reason === 'changing' || reason === 'unreadable') this.log.warn(`Could not write ${docUri.toString(true)}: ${r.disk.message ?? 'it kept changing'}.`);
    return { linked: false, reason: reason === 'changing' || reason === 'unreadable' || reason === 'editing' ? 'no-document' : reason };
  }

  /**
   * Links into a page one way or the other. A file page nobody is editing is linked under its lock (the
   * other faces of Pictor write it too): on disk by `plan` (see writeOnDisk) when the file is ahead of
   * the window's copy or another face's lock did not come free in time, else by `inBuffer` (an edit of
   * the window's copy, saved at once: see saveUnedited). Any other page: by `inBuffer`, the user's
   * buffer being the truth. The window's copy is then given a moment to show what was written on disk.
   */
  async linkInto<R extends string, T>(uri: vscode.Uri, plan: (text: string, offsets: OffsetsOf) => TextEdit[] | { reason: R }, inBuffer: () => Promise<T>):
    Promise<{ buffer: T } | { disk: DiskResult<R> }> {
    if (!nobodyEditing(uri)) return { buffer: await inBuffer() };
    const r = await this.files.exclusive<{ buffer: T } | { disk: DiskResult<R> }>(uri.fsPath, async (held) => {
      if (held && !(await diskIsAhead(uri, this.files))) return { buffer: await inBuffer() };
      const disk = await this.writeOnDisk(uri, plan);
      // Opened in a tab or edited meanwhile: the user's buffer is the truth after all.
      if (!disk.ok && disk.reason === 'editing') return { buffer: await inBuffer() };
      return { disk };
    });
    if ('disk' in r && r.disk.ok) await this.followDisk(uri);
    return r;
  }

  /** Links one job's images by an edit of the window's copy of the page (see linkInto). */
  private async linkInBuffer(jobId: string, meta: JobMeta, docUri: vscode.Uri, files: DownloadedImage[]): Promise<LinkOutcome> {
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
        await this.saveUnedited(doc, wasDirty);
        return { linked: true, documentUri: doc.uri.toString() };
      }
      if (doc.version === version || Date.now() > deadline) {
        this.log.warn(`Could not edit ${doc.uri.toString(true)} (version ${version}, attempt ${attempt}).`);
        return { linked: false, reason: 'no-document' };
      }
    }
  }

  /**
   * Saves a link edit of a page nobody has open (it was clean and is in no tab), so it is not left in
   * a hidden buffer. VS Code refuses the save when the file changed on disk since it read it (a program
   * that knows no page lock wrote it this very moment): it says so itself, offering to compare; the
   * link is then in the window's copy only, and the log says so.
   */
  async saveUnedited(doc: vscode.TextDocument, wasDirty: boolean): Promise<void> {
    if (wasDirty || isOpenInTab(doc.uri)) return;
    const saved = await Promise.resolve(doc.save()).catch(() => false);
    if (!saved || doc.isDirty) this.log.warn(`Could not save the link in ${doc.uri.toString(true)}: the file changed on disk meanwhile. The link is in the window's copy of the page; VS Code offers to compare the two.`);
  }

  /**
   * Writes a file page nobody is editing (see nobodyEditing) on disk, inside the page's exclusive()
   * (see linkInto): `plan` works the edits out on the text read now, told whether the tracker's offsets
   * hold for it. Retried while another program keeps writing the page (within the typing deadline).
   */
  private async writeOnDisk<R extends string>(uri: vscode.Uri, plan: (text: string, offsets: OffsetsOf) => TextEdit[] | { reason: R }): Promise<DiskResult<R>> {
    const deadline = Date.now() + RETRY_WHILE_TYPING_MS;
    for (;;) {
      let r: DiskResult<R>;
      try {
        r = await this.files.rewriteHeld<R | 'editing'>(uri.fsPath, (text) => {
          // Decided again on the text just read: the user may have opened the page or typed meanwhile.
          if (!nobodyEditing(uri)) return { reason: 'editing' };
          const doc = copyOf(uri);
          return plan(text, doc?.getText() === text ? 'disk' : 'none');
        });
      } catch (e) {
        r = { ok: false, reason: 'unreadable', message: (e as Error).message };
      }
      if (!r.ok && r.reason === 'changing' && Date.now() < deadline) continue;
      return r;
    }
  }

  /**
   * Waits (bounded) until the window's copy of a clean page shows the page on disk, so what reads it
   * next (the tracker, the CodeLens, a command) sees the links: VS Code reloads it when its file watcher
   * sees the write.
   */
  private async followDisk(uri: vscode.Uri): Promise<void> {
    const doc = copyOf(uri);
    // Without a copy, the page is opened as the links were made on it before (read now, it shows them):
    // what follows a link (the look's notes on it) finds it in the window.
    if (!doc) {
      await Promise.resolve(vscode.workspace.openTextDocument(uri)).catch(() => undefined);
      return;
    }
    const caughtUp = async () => doc.isClosed || doc.isDirty || doc.getText() === (await this.files.read(uri.fsPath).then((p) => p.text, () => doc.getText()));
    let done!: () => void;
    const settled = new Promise<void>((resolve) => { done = resolve; });
    const subs = [
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.document === doc) void caughtUp().then((ok) => ok && done()); }),
      vscode.workspace.onDidCloseTextDocument((d) => { if (d === doc) done(); }),
    ];
    const timer = setTimeout(() => {
      this.log.info(`The window's copy of ${uri.toString(true)} did not show the links written on disk within ${FOLLOW_DISK_MS} ms.`);
      done();
    }, FOLLOW_DISK_MS);
    try {
      if (!(await caughtUp())) await settled;
    } finally {
      clearTimeout(timer);
      for (const s of subs) s.dispose();
    }
  }

  /** The one WorkspaceEdit that links the images, worked out on the document as it is now. */
  private editFor(jobId: string, meta: JobMeta, doc: vscode.TextDocument, files: DownloadedImage[]):
    { edit: vscode.WorkspaceEdit; insertAt?: vscode.Position } | { reason: UnlinkedReason } {
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const links = files.map((f) => relativeLink(documentPathOf(doc.uri), f.path));
    const planned = this.planFor(jobId, meta, doc.getText(), links, eol, 'buffer');
    if ('reason' in planned) return planned;
    const { edit: e, cursorAt } = planned;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
    return { edit, insertAt: cursorAt ? doc.positionAt(e.start) : undefined };
  }

  /**
   * The one text edit that links the images into `text`. `cursorAt`: an insertion whose cursors at
   * its place must be put back (see linkNow).
   */
  private planFor(jobId: string, meta: JobMeta, text: string, links: string[], eol: '\n' | '\r\n', offsets: OffsetsOf):
    { edit: TextEdit; cursorAt?: boolean } | { reason: UnlinkedReason } {
    switch (meta.origin) {
      case 'placeholder': {
        const p = this.findPlaceholder(jobId, text, meta.source, offsets);
        if (!p) return { reason: 'placeholder-gone' };
        return { edit: placeholderEdit(text, p, meta.alt, links, eol) };
      }
      case 'edit': {
        const img = this.findImage(jobId, text, meta.source, meta.oldUrl, offsets);
        if (!img) return { reason: 'image-gone' };
        if (links.length === 1) return { edit: { start: img.destStart, end: img.destEnd, text: links[0]! } };
        return { edit: insertionEdit(text, img.end, meta.alt, links, eol), cursorAt: true };
      }
      case 'selection':
      case 'panel': {
        const at = offsets === 'none' ? undefined : this.tracker.get(jobId);
        const offset = at ? at.start : anchorLineEnd(text, meta.anchor);
        if (offset === undefined) return { reason: 'placeholder-gone' };
        const e = insertionEdit(text, offset, meta.alt, links, eol);
        // Inserted at the start of the next line, no cursor on the line above moves; only an insertion
        // at the very end of the text needs the cursors put back.
        return { edit: e, cursorAt: e.start === offset };
      }
      case 'tool':
        return { reason: 'not-markdown' };
    }
  }

  /**
   * The placeholder where the tracker followed it (under `jobId`), else the only one with the same text.
   * `offsets` (see OffsetsOf): in the buffer, a range the user's edit touched means the user edited this
   * very placeholder (none). On disk the tracker is only a hint: a clean copy reloaded from disk is
   * rewritten from the first changed line to the last, which touches every range between them; and a
   * page the window's copy does not show is matched by its text alone, never at a stale offset.
   */
  findPlaceholder(jobId: string, text: string, source: string, offsets: OffsetsOf = 'buffer'): Placeholder | undefined {
    const candidates = scanMarkdown(text).placeholders.filter((p) => text.slice(p.start, p.end) === source);
    return this.pick(jobId, candidates, offsets);
  }

  private findImage(jobId: string, text: string, source: string, oldUrl: string, offsets: OffsetsOf): ImageLink | undefined {
    const candidates = scanMarkdown(text).images.filter((i) => i.url === oldUrl && text.slice(i.start, i.end) === source);
    return this.pick(jobId, candidates, offsets);
  }

  private pick<T extends { start: number }>(jobId: string, candidates: T[], offsets: OffsetsOf): T | undefined {
    const tracked = offsets === 'none' ? undefined : this.tracker.get(jobId);
    if (tracked && !tracked.touched) {
      const exact = candidates.find((c) => c.start === tracked.start);
      if (exact) return exact;
    }
    if (tracked?.touched && offsets === 'buffer') return undefined; // the user edited this very placeholder
    return candidates.length === 1 ? candidates[0] : undefined;
  }
}

/**
 * Where a page that is not a file (an untitled one, or the panel or a tool without an editor) counts as
 * being, for its links and its images' destination: `untitled.md` at the root of `folder` (by default
 * the first workspace folder). The one rule of it; undefined without a folder.
 */
export function untitledPagePath(folder: vscode.WorkspaceFolder | undefined = vscode.workspace.workspaceFolders?.[0]): string | undefined {
  return folder && vscode.Uri.joinPath(folder.uri, 'untitled.md').fsPath;
}

export function documentPathOf(uri: vscode.Uri): string {
  if (uri.scheme === 'untitled') return untitledPagePath() ?? '/untitled.md';
  return uri.fsPath;
}

/** The selections of editors on `doc` when none reaches past `at` (an insertion at `at` moves only those at `at`). */
function cursorsUpTo(doc: vscode.TextDocument, at: vscode.Position): [vscode.TextEditor, readonly vscode.Selection[]][] {
  return vscode.window.visibleTextEditors
    .filter((e) => e.document === doc && e.selections.every((s) => !s.end.isAfter(at)) && e.selections.some((s) => s.end.isEqual(at)))
    .map((e) => [e, e.selections]);
}

/** The window's copy of a page, when it has one. */
function copyOf(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/**
 * A file page nobody is editing whose file another program wrote since the window read it: the
 * window's copy (clean, in no tab) differs from the file. Linked on disk then (see writeOnDisk): an
 * edit of the copy and its save would write over the other program's change. While the copy shows the
 * file, the edit and the save (the path of a page in a tab, saved at once) keep the two equal without
 * waiting for VS Code's file watcher to notice a write.
 */
export async function diskIsAhead(uri: vscode.Uri, files: FilesWorkspace): Promise<boolean> {
  if (!nobodyEditing(uri)) return false;
  const copy = copyOf(uri);
  if (!copy) return false;
  const disk = await files.read(uri.fsPath).then((p) => p.text, () => undefined);
  return disk !== undefined && disk !== copy.getText();
}

/** A file page nobody is editing: no unsaved changes, not open in a tab. Its file is the truth (see writeOnDisk). */
export function nobodyEditing(uri: vscode.Uri): boolean {
  if (uri.scheme !== 'file') return false;
  const doc = copyOf(uri);
  return !doc?.isDirty && !isOpenInTab(uri);
}

export function isOpenInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
}
