// Linking placed images into their document: one WorkspaceEdit, worked out on the text as it is when
// it is applied (the user may be typing), made one after another per document, and only where the
// placeholder or image link is still as it was read. Never clobbers what the user changed.
import * as vscode from 'vscode';
import { anchorLineEnd, insertionEdit, placeholderEdit, relativeLink } from '../core/markdownEdits';
import { scanMarkdown, type Placeholder, type ImageLink } from '../core/placeholders';
import type { DownloadedImage } from '../core/types';
import { KeyedQueue } from '../core/keyedQueue';
import type { JobMeta } from './jobMeta';
import type { RangeTracker } from './tracker';

/** How long a link edit is retried while the user's typing keeps making it stale. */
const RETRY_WHILE_TYPING_MS = 60_000;

export type UnlinkedReason = 'no-document' | 'not-markdown' | 'placeholder-gone' | 'image-gone' | 'cancelled' | 'pick';

export type LinkOutcome = { linked: true; documentUri: string } | { linked: false; reason: UnlinkedReason };

export class DocumentLinks {
  /** The last link edit queued for each document (see link). */
  private readonly byDocument = new KeyedQueue();

  constructor(private readonly tracker: RangeTracker, private readonly log: vscode.LogOutputChannel) {}

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

export function isOpenInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
}
