// After the download, before the file is placed: the one step every face runs on a staged image to give
// it the look asked for (look.ts). Keyed (a transparent background), converted (format, maxWidth) in the
// convert worker, never on the caller's thread; the recipe then goes in by the caller (recipe.ts, in the
// new format, or a sidecar). The original stays until the caller has placed the result, so a finalize
// repeated after a crash starts again from the same bytes.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { convertImage, FORMAT_EXTENSION, type KeyResult } from './convert';
import { lookNeedsWork, type Look } from './look';
import type { DownloadedImage } from './types';
import { words, type Words } from '../shared/words';
import { IMAGE_FORMATS } from '../shared/imageFormats';

export interface Finished {
  /** The image to place: the staged one itself when nothing was asked, else a new staged file. */
  file: DownloadedImage;
  /** The original download, to remove once `file` is placed (absent when `file` is it). */
  original?: string;
  /** What keying did (transparent looks only). */
  keyed?: KeyResult;
  /** The download's type and size before the look, for "2.4 MB PNG → 186 KB WebP". */
  before?: { type: DownloadedImage['type']; bytes: number };
  /** What the user should hear (the image kept opaque, or kept as the provider sent it), as the core's words. */
  note?: Words;
}

/** The staged file a finished image is written to: beside the original, its extension that of the format. */
export function finishedPath(staged: string, look: Look): string {
  const dir = path.dirname(staged);
  const base = path.basename(staged).replace(/\.[^.]+$/, '').replace(/\.finished$/, '');
  return path.join(dir, `${base}.finished.${FORMAT_EXTENSION[look.format]}`);
}

/**
 * The staged image with its look: keyed out when transparent (else kept opaque, and `note` says why),
 * in its format, at most `maxWidth` wide. A conversion that fails keeps the image as downloaded (it is
 * paid for), with a note. Never throws for the image's sake; an unreadable staged file throws.
 */
export async function finishImage(staged: DownloadedImage, look: Look | undefined): Promise<Finished> {
  if (!lookNeedsWork(look)) return { file: staged };
  const bytes = await fs.readFile(staged.path);
  const before = { type: staged.type, bytes: bytes.length };
  const key = look.background === 'transparent';
  let converted;
  try {
    converted = await convertImage({ bytes, format: look.format, ...(look.maxWidth ? { maxWidth: look.maxWidth } : {}), ...(key ? { key } : {}) });
  } catch (e) {
    return { file: staged, before, note: words('look.convertFailed', look.format.toUpperCase(), (e as Error).message) };
  }
  const target = finishedPath(staged.path, look);
  await fs.writeFile(target, converted.bytes);
  const original = { type: staged.type, width: staged.original?.width ?? staged.width, height: staged.original?.height ?? staged.height, bytes: bytes.length };
  const file: DownloadedImage = { path: target, type: converted.format, width: converted.width, height: converted.height, bytes: converted.bytes.byteLength, original };
  const keyed = converted.keyed;
  return {
    file, original: staged.path, before,
    ...(keyed ? { keyed } : {}),
    ...(keyed && !keyed.ok ? { note: keyed.reason } : {}),
  };
}

/** "2.4 MB PNG → 186 KB WebP": what the look saved, for the reports. */
export function savedWords(f: Finished): Words | undefined {
  if (!f.before || f.file.type === f.before.type && f.file.bytes === f.before.bytes) return undefined;
  return words('look.saved', formatBytes(f.before.bytes), IMAGE_FORMATS[f.before.type].name, formatBytes(f.file.bytes), IMAGE_FORMATS[f.file.type].name);
}

/** The same for a saved file that records its download (DownloadedImage.original): the faces that show a job's files. */
export function savedWordsOf(file: Pick<DownloadedImage, 'type' | 'bytes' | 'original'>): Words | undefined {
  const o = file.original;
  if (!o || o.type === file.type && o.bytes === file.bytes) return undefined;
  return words('look.saved', formatBytes(o.bytes), IMAGE_FORMATS[o.type].name, formatBytes(file.bytes), IMAGE_FORMATS[file.type].name);
}


export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${Math.round(n / 1000)} KB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}
