// Finds image placeholders (`![prompt]()`) and image links in Markdown, with exact UTF-16
// offsets into the text the editor holds. A real CommonMark parser (markdown-it) decides what is an
// image, so code, HTML and front matter are never mistaken for one. The work is in ./scan/.

import { MarkdownDocument, type MarkdownScan, type Placeholder, type ImageLink } from './scan/document';
import { findFrontMatter } from './scan/frontMatter';

export type { FrontMatter } from './scan/frontMatter';
export type { ImageLink, MarkdownScan, Placeholder } from './scan/document';

export function scanMarkdown(text: string): MarkdownScan {
  // A text with no `![` holds no image at all: only its front matter can be worth reporting.
  if (!text.includes('![')) {
    const frontMatter = findFrontMatter(text, text.startsWith('\uFEFF') ? 1 : 0);
    return frontMatter ? { placeholders: [], images: [], frontMatter } : { placeholders: [], images: [] };
  }
  return new MarkdownDocument(text).scan;
}

/** Is `offset` inside `[start, end]`? When two ranges touch, the one that starts there wins. */
function at<T extends { start: number; end: number }>(items: readonly T[], offset: number): T | undefined {
  let touching: T | undefined;
  for (const item of items) {
    if (item.start <= offset && offset < item.end) return item;
    if (offset === item.end) touching ??= item;
  }
  return touching;
}

export function placeholderAt(scan: MarkdownScan, offset: number): Placeholder | undefined {
  return at(scan.placeholders, offset);
}

export function imageAt(scan: MarkdownScan, offset: number): ImageLink | undefined {
  return at(scan.images, offset);
}


/**
 * Remembers the last scan of each document for its version, so CodeLens, commands and the
 * linker asking about the same version parse it once; a new version is scanned from the last
 * one, parsing again only the blocks the edit touched. Least recently used documents go first.
 */
export class ScanCache {
  private readonly entries = new Map<string, { version: number; doc: MarkdownDocument }>();

  constructor(private readonly capacity = 50) {}

  get(key: string, version: number, text: () => string): MarkdownScan {
    const hit = this.entries.get(key);
    this.entries.delete(key);
    let entry = hit;
    if (!entry) entry = { version, doc: new MarkdownDocument(text()) };
    else if (entry.version !== version) {
      entry.doc.update(text());
      entry.version = version;
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.doc.scan;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
