// Puts finished images in place: the queue's finalize hook. Each checked download is copied into the
// workspace (placing.ts) and linked into its document (documentLinks.ts); a placeholder the user deleted
// or rewrote meanwhile is never clobbered: the image is saved and the user is told where
// (tellUnlinked, below). Several images for a placeholder that waits for a pick go to the picker.
import * as vscode from 'vscode';
import type { JobRecord } from '../../core/store';
import type { DownloadedImage } from '../../core/types';
import { documentPathOf, type DocumentLinks, type LinkOutcome, type UnlinkedReason } from './documentLinks';
import { markdownImage, relativeLink } from '../../core/markdownEdits';
import type { JobMeta } from '../state/jobMeta';
import { placeFiles } from './placing';
import type { RangeTracker } from './tracker';
import { LookNotes } from './lookNotes';
import { sayWords } from '../say';
import type { Words } from '../../shared/words';

/** Takes the saved variants of a job whose placeholder waits for the user's pick (see variants.ts). */
export interface PickKeeper {
  offer(job: JobRecord<JobMeta>, meta: Extract<JobMeta, { origin: 'placeholder' }>, files: DownloadedImage[]): Promise<void>;
}

/** The tracker id a placeholder waiting for a pick is followed under, once its job is over. */
export function pickTrackId(jobId: string): string {
  return `pick:${jobId}`;
}

export class Linker {
  private readonly outcomes = new Map<string, LinkOutcome>();
  /** What the look step could not do, on the links it made (disposed with the extension). */
  readonly lookNotes = new LookNotes();
  private readonly told = new Map<string, string[]>();

  /** `picks`: where variants that wait for a pick go instead of into the document. */
  constructor(
    private readonly tracker: RangeTracker,
    private readonly links: DocumentLinks,
    private readonly picks: PickKeeper,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** What a finished job's images were told about their look (kept opaque, and why), in the user's language. */
  notes(jobId: string): string[] {
    return this.told.get(jobId) ?? [];
  }

  /** How the images of a finished job were linked (for commands that report it). */
  outcome(jobId: string): LinkOutcome | undefined {
    return this.outcomes.get(jobId);
  }

  /** The queue's finalize hook: runs after the downloads, before the job counts as completed. */
  async finalize(job: JobRecord<JobMeta>, files: DownloadedImage[]): Promise<DownloadedImage[]> {
    const meta = job.target.meta;
    if (!meta) throw new Error(vscode.l10n.t('This task has no destination recorded; its images are in Pictor\'s storage folder.'));
    const docUri = meta.documentUri ? vscode.Uri.parse(meta.documentUri) : undefined;
    const notes: Words[] = [];
    const placed = await placeFiles(job, docUri, meta.alt, files, this.log, (w) => notes.push(w));
    if (notes.length) this.told.set(job.id, notes.map(sayWords));
    // Several images for a placeholder that waits for a pick: saved, offered, not linked yet. The
    // placeholder is followed on under another id, so the pick finds this one among look-alikes.
    if (meta.origin === 'placeholder' && meta.pick && placed.length > 1 && !job.detached) {
      try {
        await this.picks.offer(job, meta, placed);
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
      const outcome: LinkOutcome = job.detached ? { linked: false, reason: 'cancelled' } : await this.links.link(job.id, meta, docUri, placed);
      this.outcomes.set(job.id, outcome);
      if (!outcome.linked) tellUnlinked(meta, docUri, placed, outcome.reason);
      this.tellLook(job.id, docUri, placed, outcome.linked);
    } finally {
      this.tracker.forget(job.id);
    }
    return placed;
  }

  /** The look's notes: on the links made (a warning diagnostic), else as a message; the agent tools read them with notes(). */
  private tellLook(jobId: string, docUri: vscode.Uri | undefined, placed: DownloadedImage[], linked: boolean): void {
    const said = this.told.get(jobId);
    if (!said?.length) return;
    const doc = docUri && vscode.workspace.textDocuments.find((d) => d.uri.toString() === docUri.toString());
    if (linked && doc) for (const f of placed) for (const m of said) this.lookNotes.add(doc, f.path, m);
    void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: {0}', said.join(' ')));
  }
}

/** Telling the user about images that were saved but not linked: where each one is, why the page was
 * left alone, and buttons to open it or copy its path or Markdown link. */
function tellUnlinked(meta: JobMeta, docUri: vscode.Uri | undefined, files: DownloadedImage[], reason: UnlinkedReason): void {
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
