// Follows ranges (placeholders, insertion points) through the user's edits while their tasks run,
// so an image lands where its placeholder is now, not where it was when the task started.
import type * as vscode from 'vscode';

export interface TrackedRange {
  uri: string;
  start: number;
  end: number;
  /** Set when an edit touched the range itself: its text may have changed, so it cannot be trusted. */
  touched: boolean;
}

export class RangeTracker implements vscode.Disposable {
  private readonly ranges = new Map<string, TrackedRange>();
  private readonly sub: vscode.Disposable;

  // `vscode` is loaded here, not imported at the top, so `shift` can be unit-tested in plain Node.
  constructor(onDidChange: vscode.Event<vscode.TextDocumentChangeEvent> =
    (require('vscode') as typeof vscode).workspace.onDidChangeTextDocument) {
    this.sub = onDidChange((e) => this.onChange(e));
  }

  track(id: string, uri: vscode.Uri, start: number, end: number): void {
    this.ranges.set(id, { uri: uri.toString(), start, end, touched: false });
  }

  get(id: string): TrackedRange | undefined {
    return this.ranges.get(id);
  }

  forget(id: string): void {
    this.ranges.delete(id);
  }

  /**
   * Moves a range to another id: ranges are tracked from the moment a command read the document,
   * under a provisional id, and handed to the job once it exists (the user may type in between).
   */
  rekey(from: string, to: string): void {
    const r = this.ranges.get(from);
    if (!r) return;
    this.ranges.delete(from);
    this.ranges.set(to, r);
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const key = e.document.uri.toString();
    // contentChanges of one event do not overlap and refer to the document before the event;
    // applying them from the last to the first keeps the earlier offsets valid.
    const changes = [...e.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
    for (const r of this.ranges.values()) {
      if (r.uri !== key) continue;
      for (const c of changes) shift(r, c.rangeOffset, c.rangeOffset + c.rangeLength, c.text.length);
    }
  }

  dispose(): void {
    this.sub.dispose();
    this.ranges.clear();
  }
}

/**
 * Moves a tracked range for one replacement of [from, to) by `inserted` characters.
 * Text inserted exactly at a range's start goes before it; at its end, after it. An empty range is an
 * insertion point: replacing text around it moves it to the end of the replacement.
 */
export function shift(r: { start: number; end: number; touched: boolean }, from: number, to: number, inserted: number): void {
  const delta = inserted - (to - from);
  if (to <= r.start) {
    r.start += delta;
    r.end += delta;
  } else if (from >= r.end) {
    // After the range: nothing moves.
  } else if (r.start === r.end) {
    r.start = r.end = from + inserted;
  } else {
    r.touched = true;
    r.start = Math.min(r.start, from);
    r.end = Math.max(r.start, r.end + delta);
  }
}
