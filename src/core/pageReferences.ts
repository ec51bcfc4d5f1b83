// A page's own reference images (issue 24 §1): the `references:` option (front matter, override
// comment: paths relative to the page, as in Markdown links; the `pictor.references` setting: relative
// to the workspace folder) and `styleFrom: first` (the first image of the page, in document order).
// Resolved at planning, so a missing or outside file is refused before anything is sent; the upload
// step opens and checks each file again (paths.ts `openInside`).
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { atOrInside } from './paths';
import { linkPath } from './markdownEdits';
import type { ImageLink, MarkdownScan, Placeholder } from './placeholders';
import type { OptionSource } from './pageOptions';
import type { DownloadedImage, ReferenceInput } from './types';
import { words } from '../shared/words';
import type { Result } from '../shared/result';

/** A file's size in bytes, or undefined when there is no such regular file (passed in by tests). */
export type FileSize = (file: string) => number | undefined;

export const fileSize: FileSize = (file) => {
  try {
    const st = statSync(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
};

/** Where a page's references are read from. */
export interface ReferenceBase {
  /** The page's file (absolute): paths from the page or a placeholder are relative to its folder. */
  page?: string;
  /** The workspace folder: the setting's paths are relative to it, and every file must lie inside it. */
  root?: string;
}

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

/** One reference as written, resolved to what a request sends; or why it cannot be. */
export function resolveReference(written: string, from: OptionSource, base: ReferenceBase, size: FileSize = fileSize): Result<{ ref: ReferenceInput }> {
  if (isUrl(written)) return { ok: true, ref: { kind: 'url', url: written.trim() } };
  const settings = from === 'folder' || from === 'workspace' || from === 'user' || from === 'default';
  const dir = settings ? base.root : base.page && path.dirname(base.page);
  const rel = linkPath(written);
  if (!dir && !path.isAbsolute(rel)) return { ok: false, words: words('plan.refNoPage', written) };
  const file = path.resolve(dir ?? '', rel);
  if (base.root && !atOrInside(file, base.root)) return { ok: false, words: words('plan.refOutside', written, base.root) };
  const bytes = size(file);
  if (bytes === undefined) return { ok: false, words: words('plan.refMissing', written) };
  return { ok: true, ref: { kind: 'file', path: file, bytes } };
}

/** Every reference as written, in order; the first that cannot be sent stops them all. */
export function resolveReferences(written: readonly string[], from: OptionSource, base: ReferenceBase, size?: FileSize): Result<{ refs: ReferenceInput[] }> {
  const refs: ReferenceInput[] = [];
  for (const w of written) {
    const r = resolveReference(w, from, base, size);
    if (!r.ok) return r;
    refs.push(r.ref);
  }
  return { ok: true, refs };
}

/** The first image of the page in document order: a linked image or a placeholder (an empty one counts: it is first). */
export function firstImage(scan: MarkdownScan): { image: ImageLink; placeholder?: undefined } | { placeholder: Placeholder; image?: undefined } | undefined {
  const p = scan.placeholders[0];
  const i = scan.images[0];
  if (p && (!i || p.start < i.start)) return { placeholder: p };
  return i ? { image: i } : undefined;
}

/** References joined without repeats (the same file or URL sent twice is one image twice). */
export function joinReferences(...lists: readonly (readonly ReferenceInput[] | undefined)[]): ReferenceInput[] {
  const seen = new Set<string>();
  const out: ReferenceInput[] = [];
  for (const r of lists.flatMap((l) => l ?? [])) {
    const k = r.kind === 'url' ? `u:${r.url}` : `f:${r.path}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}

/**
 * The reference `styleFrom: first` takes from the first image's finished job, on every face: the image
 * as placed (the recipe names it, so Regenerate sends it again). Where it was made transparent, the
 * upload sends its opaque original instead (originals.ts), for this batch and any later one.
 */
export function firstImageReference(files: readonly DownloadedImage[] | undefined): ReferenceInput | undefined {
  const file = (files ?? []).find((f) => f.placed);
  return file ? { kind: 'file', path: file.path, bytes: file.bytes } : undefined;
}
