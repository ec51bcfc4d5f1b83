// Variants: several images for one placeholder, saved, and one of them picked by the user. What is
// waiting for a pick is kept in the workspace's state, so it is read back here from untrusted JSON.
import * as path from 'node:path';
import { said, words } from '../shared/words';
import type { Result, Said } from '../shared/result';

/** What happens when several images for one placeholder arrive (the `pictor.variants` setting). */
export type VariantsMode = 'pick' | 'all';
/** What happens to the images not picked (the `pictor.otherVariants` setting). */
export type OthersMode = 'move' | 'delete';

/** The folder, beside the picked image, the others move into. */
export const CANDIDATES_DIR = 'candidates';
export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 10;
export const DEFAULT_VARIANTS = 4;

export interface PendingFile {
  path: string;
  width?: number;
  height?: number;
}

/** The saved images of one task, waiting for the user to pick the one its placeholder links. */
export interface PendingPick {
  /** The id of the job that made them. */
  id: string;
  taskId?: string;
  documentUri: string;
  /** The alt text the link gets (the prompt on one line). */
  alt: string;
  /** The placeholder's source as submitted, e.g. `![a fox]()`: found again by its text. */
  source: string;
  files: PendingFile[];
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/**
 * Whether a request's images wait for a pick: only for a placeholder, only when more than one image
 * was asked for, and only when the mode says so. `forced` is a command's own choice (Generate Variants).
 */
export function waitsForPick(mode: VariantsMode, imageCount: number, forced?: VariantsMode): boolean {
  return imageCount > 1 && (forced ?? mode) === 'pick';
}

/** How many variants a person typed or chose: a whole number from 2 to 10, or why not. */
export function parseVariantCount(text: string): Result<{ count: number }, Said> {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { ok: false, ...said(words('variants.notWhole', MIN_VARIANTS, MAX_VARIANTS)) };
  const count = Number(t);
  if (count < MIN_VARIANTS || count > MAX_VARIANTS) return { ok: false, ...said(words('variants.range', MIN_VARIANTS, MAX_VARIANTS, count)) };
  return { ok: true, count };
}

/**
 * Where an image that was not picked goes: the `candidates/` folder beside the picked one, under its
 * own name, or `name-2.png`, `name-3.png`… when `attempt` > 1 (never over an existing file).
 */
export function candidateTarget(picked: string, other: string, attempt = 1, p: path.PlatformPath = path): string {
  const dir = p.join(p.dirname(picked), CANDIDATES_DIR);
  const base = p.basename(other);
  if (attempt <= 1) return p.join(dir, base);
  const ext = p.extname(base);
  return p.join(dir, `${base.slice(0, base.length - ext.length)}-${attempt}${ext}`);
}

const MAX_PENDING = 200;

/**
 * The pending picks stored in the workspace state, each checked: anything malformed (an older
 * version, a hand-edited state) is dropped rather than trusted. At most one per job id.
 */
export function parsePendingPicks(raw: unknown): PendingPick[] {
  if (!Array.isArray(raw)) return [];
  const out: PendingPick[] = [];
  const seen = new Set<string>();
  for (const r of raw.slice(0, MAX_PENDING)) {
    const p = parsePendingPick(r);
    if (p && !seen.has(p.id)) {
      seen.add(p.id);
      out.push(p);
    }
  }
  return out;
}

function parsePendingPick(r: unknown): PendingPick | undefined {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return undefined;
  const o = r as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const id = str(o.id);
  const documentUri = str(o.documentUri);
  const source = str(o.source);
  if (!id || !documentUri || !source || typeof o.alt !== 'string' || !Array.isArray(o.files)) return undefined;
  if (typeof o.createdAt !== 'number' || !Number.isFinite(o.createdAt)) return undefined;
  const files: PendingFile[] = [];
  for (const f of o.files) {
    if (!f || typeof f !== 'object') return undefined;
    const fo = f as Record<string, unknown>;
    const file = str(fo.path);
    if (!file || !path.isAbsolute(file)) return undefined;
    const pf: PendingFile = { path: file };
    if (typeof fo.width === 'number' && typeof fo.height === 'number') {
      pf.width = fo.width;
      pf.height = fo.height;
    }
    files.push(pf);
  }
  if (files.length < 2 || files.length > MAX_VARIANTS) return undefined;
  const p: PendingPick = { id, documentUri, alt: o.alt, source, files, createdAt: o.createdAt };
  const taskId = str(o.taskId);
  if (taskId) p.taskId = taskId;
  return p;
}
