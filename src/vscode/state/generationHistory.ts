// The history of past generations, kept in the workspace Memento so it survives restarts. Every
// task that completes in this workspace (from a command, a CodeLens or the panel) is recorded once.
import * as vscode from 'vscode';
import type { JobEvent } from '../../core/jobs';
import { SerialQueue } from '../../core/keyedQueue';
import type { JobRecord } from '../../core/store';
import type { JobMeta } from './jobMeta';
import type { ReferenceInput } from '../../core/types';
import { IMAGE_MODEL, type ImageOptions } from '../../shared/model';

const KEY = 'pictor.history.v1';
/** Enough to find last week's image again; old entries drop off so the Memento stays small. */
export const MAX_HISTORY = 200;

export interface HistoryOptions extends ImageOptions {
  /**
   * The look it was made with (issue 24): every entry recorded since, so Generate Again makes the same
   * (absent in an older entry: the page's options and the settings decide). maxWidth 0: no limit.
   */
  background?: string;
  format?: string;
  maxWidth?: number;
}

export interface HistoryEntry {
  /** The local job id. */
  id: string;
  /** The provider's task id. */
  taskId?: string;
  /** The prompt as written (without the style that was added to it). */
  prompt: string;
  /** The style added to the prompt when it was sent, if any. */
  style?: string;
  options: HistoryOptions;
  /** Where the task came from: panel, selection, placeholder, edit. */
  origin: string;
  /** When it completed, ms since the epoch. */
  date: number;
  /** Absolute paths of the saved images. */
  files: { path: string; width?: number; height?: number }[];
  /** How many reference images were sent with it. */
  references: number;
  /** The reference images as given (local files by absolute path, or URLs), which Generate Again sends again. */
  referenceImages?: ReferenceInput[];
}

export function entryFromJob(job: JobRecord<JobMeta>): HistoryEntry {
  const b = job.body;
  const meta = job.target.meta;
  const hints = meta?.recipe;
  return {
    id: job.id,
    ...(job.taskId ? { taskId: job.taskId } : {}),
    prompt: hints?.prompt ?? b.prompt,
    ...(hints?.style ? { style: hints.style } : {}),
    // What was asked for; a ratio's resolution is kept even though only a ratio uses it.
    options: {
      size: b.size ?? IMAGE_MODEL.defaults.size, resolution: b.resolution ?? IMAGE_MODEL.defaults.resolution,
      quality: b.quality ?? IMAGE_MODEL.defaults.quality, n: b.n ?? IMAGE_MODEL.defaults.n,
      // The look as the job carried it (none: as the provider sent it, a PNG of its own width).
      background: hints?.look?.background ?? 'opaque', format: hints?.look?.format ?? 'png', maxWidth: hints?.look?.maxWidth ?? 0,
    },
    origin: meta?.origin ?? 'unknown',
    date: job.finishedAt ?? Date.now(),
    files: (job.files ?? []).map((f) => ({ path: f.path, width: f.width, height: f.height })),
    references: b.image_urls?.length ?? 0,
    ...(hints?.references?.length ? { referenceImages: hints.references.map((r) => (r.kind === 'url' ? { kind: 'url', url: r.url } : { kind: 'file', path: r.path })) } : {}),
  };
}

/** An entry's reference images as stored (the Memento is read back as it was written, but checked: it is state). */
export function referencesOf(e: HistoryEntry): ReferenceInput[] {
  const out: ReferenceInput[] = [];
  for (const r of Array.isArray(e.referenceImages) ? e.referenceImages as unknown[] : []) {
    const x = r as { kind?: unknown; path?: unknown; url?: unknown } | null;
    if (x?.kind === 'file' && typeof x.path === 'string') out.push({ kind: 'file', path: x.path });
    else if (x?.kind === 'url' && typeof x.url === 'string') out.push({ kind: 'url', url: x.url });
  }
  return out;
}

function isEntry(v: unknown): v is HistoryEntry {
  const e = v as Partial<HistoryEntry> | undefined;
  return !!e && typeof e.id === 'string' && typeof e.prompt === 'string' && typeof e.date === 'number'
    && !!e.options && Array.isArray(e.files);
}

export class GenerationHistory implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;
  // Writes run one after another so two completions at once cannot overwrite each other.
  private readonly writes = new SerialQueue();

  constructor(private readonly memento: vscode.Memento, onJobEvent: vscode.Event<JobEvent<JobMeta>>) {
    this.sub = onJobEvent((e) => {
      if (e.type === 'completed' && e.job.files?.length) void this.record(e.job);
    });
  }

  /** Newest first. */
  list(): HistoryEntry[] {
    const raw = this.memento.get<unknown[]>(KEY, []);
    return (Array.isArray(raw) ? raw : []).filter(isEntry);
  }

  get(id: string): HistoryEntry | undefined {
    return this.list().find((e) => e.id === id);
  }

  record(job: JobRecord<JobMeta>): Promise<void> {
    return this.update((all) => [entryFromJob(job), ...all.filter((e) => e.id !== job.id)]);
  }

  remove(id: string): Promise<void> {
    return this.update((all) => all.filter((e) => e.id !== id));
  }

  /** Settles when every write so far has reached the Memento. */
  flushed(): Promise<void> {
    return this.writes.idle();
  }

  private update(change: (all: HistoryEntry[]) => HistoryEntry[]): Promise<void> {
    return this.writes.run(async () => {
      await this.memento.update(KEY, change(this.list()).slice(0, MAX_HISTORY));
      this.changed.fire();
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
