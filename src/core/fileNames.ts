// What a new image file is called: a readable slug of the prompt, a short unique suffix, and the one
// never-overwrite routine (the first free name of `name.ext`, `name-2.ext`, …) that every writer uses.

import { randomBytes } from 'node:crypto';
import { codePointCount } from '../shared/text';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
const APOSTROPHES = /['\u2019\u02BC]/g;
// Marks (\p{M}) stay so scripts such as Devanagari or Thai keep their vowel signs.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * A readable, file-system-safe slug: `"A red fox, asleep!"` -> `red-fox-asleep`,
 * `"東京の夜景"` -> `東京の夜景`. Cut at a word boundary within `maxLength` code points;
 * never empty (`image`), never a Windows device name, never dot- or dash-edged.
 */
export function slugify(prompt: string, maxLength = 48): string {
  const words = prompt.normalize('NFKC').toLowerCase().replace(APOSTROPHES, '').match(WORD) ?? [];
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (codePointCount(next) <= maxLength) {
      slug = next;
    } else {
      // A single word longer than the limit (common in CJK, which has no spaces) is cut.
      if (!slug) slug = cutGraphemes(word, maxLength);
      break;
    }
  }
  slug = slug.replace(/^[.-]+|[.-]+$/g, '');
  if (!slug || slug === '.' || slug === '..') return 'image';
  if (WINDOWS_RESERVED.test(slug)) return `image-${slug}`;
  return slug;
}

/** Cut to at most `max` code points without splitting a letter from its combining marks. */
function cutGraphemes(s: string, max: number): string {
  let out = '';
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)) {
    if (codePointCount(out + segment) > max) break;
    out += segment;
  }
  return out;
}

/** Four lowercase hex characters, enough to keep two images of the same prompt apart. */
export function uniqueSuffix(): string {
  return randomBytes(2).toString('hex');
}

/** `red-fox-asleep-in-snow-3f9c`: the file name without its extension. */
export function fileBaseName(prompt: string, suffix: string = uniqueSuffix()): string {
  return `${slugify(prompt)}-${suffix}`;
}

/** `photo.png` → `photo-2.png` for attempt 2 (attempt 1 is the name itself); a name without extension gets `-2` at the end. */
export function numberedName(file: string, attempt: number): string {
  if (attempt <= 1) return file;
  return file.replace(/(\.[^./\\]+)?$/, (ext) => `-${attempt}${ext}`);
}

/** What a writer did with a candidate name: wrote the file there, or found the name taken. */
export type Claimed = 'done' | 'taken';

/**
 * Never overwrite: tries `file`, then `file` numbered 2, 3, … until `tryName` reports it wrote (or
 * reserved) one that was free, and returns that name; `undefined` after `maxAttempts` taken names.
 * `tryName` does the writing (an exclusive link or copy, a workspace copy without overwrite, or a
 * check that nothing is there), so the same routine serves every file system.
 */
export async function firstFreeName(file: string, tryName: (candidate: string) => Promise<Claimed>, maxAttempts: number): Promise<string | undefined> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const candidate = numberedName(file, attempt);
    if ((await tryName(candidate)) === 'done') return candidate;
  }
  return undefined;
}
