// How the `pictor` command shows a run: on a terminal one progress line redrawn in place (images done
// of total, running, failed, elapsed) with the other lines printed above it; anywhere else (a pipe, a
// file, CI) plain lines only, no control characters. The rendering is pure, so it is tested alone.

/** A run's figures at one moment. */
export interface Tally {
  /** Images the run will make in all. */
  total: number;
  /** Images saved so far. */
  done: number;
  /** Tasks sent and not finished (being created, generated or downloaded). */
  running: number;
  /** Tasks that ended without their images. */
  failed: number;
  elapsedMs: number;
}

/** `1:05`, `12:00`, `1:02:03`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** `[########------------]  4/10 images · 2 running · 1 failed · 0:12` (no control characters). */
export function progressLine(t: Tally, width = 20): string {
  const frac = t.total > 0 ? Math.min(1, t.done / t.total) : 0;
  const full = Math.round(frac * width);
  const parts = [`[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(t.done).padStart(String(t.total).length)}/${t.total} images`, `${t.running} running`];
  if (t.failed) parts.push(`${t.failed} failed`);
  parts.push(clock(t.elapsedMs));
  return parts.join(' · ');
}

/** Erase the line the cursor is on and go to its start. */
export const ERASE_LINE = '\r\u001b[2K';

interface Writable {
  write(s: string): unknown;
  columns?: number;
}

/**
 * The terminal's screen: lines are printed above the progress line, which is erased first and drawn
 * again after. Without a terminal (`tty` false) it only prints the lines.
 */
export class Screen {
  private shown = '';
  private tally: (() => Tally) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bar: Writable, readonly tty: boolean) {}

  /** Prints a line on `to` (above the progress line on a terminal). */
  print(to: Writable, line: string): void {
    if (this.shown) this.bar.write(ERASE_LINE);
    to.write(`${line}\n`);
    if (this.shown) this.bar.write(this.shown);
  }

  /** Shows the progress line from `tally` (a terminal only), redrawn now, on `redraw()` and every second. */
  start(tally: () => Tally): void {
    if (!this.tty) return;
    this.tally = tally;
    this.redraw();
    this.timer = setInterval(() => this.redraw(), 1000);
    this.timer.unref();
  }

  redraw(): void {
    if (!this.tally) return;
    const width = this.bar.columns && this.bar.columns > 0 ? this.bar.columns - 1 : 79;
    const full = progressLine(this.tally());
    const line = full.length > width ? full.slice(0, width) : full;
    if (line === this.shown) return;
    this.shown = line;
    this.bar.write(`${ERASE_LINE}${line}`);
  }

  /** The progress line erased for good (before the summary). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tally = undefined;
    if (this.shown) this.bar.write(ERASE_LINE);
    this.shown = '';
  }
}
