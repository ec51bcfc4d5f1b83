// What a command has read from a page (a placeholder, the end of a selection, an image link) and not yet
// turned into a job. Its range is followed from the moment it was read, so the user may type while a key
// is asked for, a reference checked or a request sent; once the job exists, the job follows it.
// (Not to be confused with a claim: that is the cross-window lock on a placeholder, core/claims.ts.)
import * as vscode from 'vscode';
import type { JobMeta } from '../state/jobMeta';
import type { RangeTracker } from '../place/tracker';

export class PendingReads implements vscode.Disposable {
  private readonly reads = new Map<string, JobMeta>();
  private count = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when what is read or running changed (see notify). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly tracker: RangeTracker) {}

  /** Starts following a range the moment it was read, before its job exists. Returns its id. */
  follow(doc: vscode.TextDocument, start: number, end: number, meta: JobMeta): string {
    const id = `pending:${++this.count}`;
    this.tracker.track(id, doc.uri, start, end);
    this.reads.set(id, meta);
    return id;
  }

  /** The read was dropped (nothing sent, or the command is over). */
  forget(id: string): void {
    this.tracker.forget(id);
    this.reads.delete(id);
  }

  /** Its job exists: from now on the job follows the range. */
  handOver(id: string, jobId: string): void {
    this.tracker.rekey(id, jobId);
    this.reads.delete(id);
  }

  entries(): [string, JobMeta][] {
    return [...this.reads];
  }

  /** Tells the CodeLens, the context keys and the panel that what runs where may have changed. */
  notify(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
