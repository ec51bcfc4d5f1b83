// Finds image placeholders (`![prompt]()`) and image links in Markdown, with exact UTF-16
// offsets into the text the editor holds. A real CommonMark parser decides what is an image,
// so code, HTML and front matter are never mistaken for one.

import { fromMarkdown } from 'mdast-util-from-markdown';
import type { Extension as MdastExtension, Token } from 'mdast-util-from-markdown';
import { frontmatter } from 'micromark-extension-frontmatter';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import type { Image, Nodes } from 'mdast';

export interface Placeholder {
  /** Offset of the `!` of the whole `![alt]()`. */
  start: number;
  /** Offset just after its closing `)`. */
  end: number;
  /** The source text between the brackets, as written (escapes, line breaks and all). */
  alt: string;
  /** The alt text as Markdown reads it (escapes resolved, inline markup flattened), trimmed. */
  prompt: string;
  /** True when the prompt is empty, so the UI can ask for one instead of generating. */
  empty: boolean;
  /** Where the path goes: the inside of `()`, or the `<>` of `(<>)`. Replace this range. */
  destStart: number;
  destEnd: number;
}

export interface ImageLink {
  start: number;
  end: number;
  /** The source text between the brackets, as written. */
  alt: string;
  /** The destination as Markdown reads it (escapes and `<>` resolved). */
  url: string;
  /** Range of the destination as written, including `<>` if present. */
  destStart: number;
  destEnd: number;
  title?: string;
}

export interface MarkdownScan {
  placeholders: Placeholder[];
  images: ImageLink[];
}

/** Offsets the parser saw while building one image node; mdast itself keeps only the node's range. */
interface ImageSource {
  altStart: number;
  altEnd: number;
  resourceStart?: number;
  resourceEnd?: number;
  destStart?: number;
  destEnd?: number;
}

const BOM = '\uFEFF';

export function scanMarkdown(text: string): MarkdownScan {
  // Parsing costs about a millisecond per 1,000 lines; a text with no `![` holds no image at all.
  if (!text.includes('![')) return { placeholders: [], images: [] };
  // micromark drops a leading BOM without counting it, so every offset would be one short.
  const shift = text.startsWith(BOM) ? 1 : 0;
  const source = shift ? text.slice(1) : text;
  const sources = new WeakMap<object, ImageSource>();
  const tree = fromMarkdown(source, {
    extensions: [gfmTable(), frontmatter(['yaml', 'toml'])],
    mdastExtensions: [gfmTableFromMarkdown(), frontmatterFromMarkdown(['yaml', 'toml']), recordSources(sources)],
  });

  const scan: MarkdownScan = { placeholders: [], images: [] };
  visitImages(tree, (node) => {
    const info = sources.get(node);
    const pos = node.position;
    if (!info || !pos || pos.start.offset === undefined || pos.end.offset === undefined) return;
    // Only inline images with a `(…)` resource; references (`![x][ref]`) became imageReference.
    if (info.resourceStart === undefined || info.resourceEnd === undefined) return;
    const start = pos.start.offset + shift;
    const end = pos.end.offset + shift;
    const alt = source.slice(info.altStart, info.altEnd);
    if (node.url === '') {
      // No destination token means `()` or `( )`: the path replaces the whole inside.
      const destStart = (info.destStart ?? info.resourceStart + 1) + shift;
      const destEnd = (info.destEnd ?? info.resourceEnd - 1) + shift;
      const prompt = node.alt?.trim() ?? '';
      scan.placeholders.push({ start, end, alt, prompt, empty: prompt === '', destStart, destEnd });
    } else if (info.destStart !== undefined && info.destEnd !== undefined) {
      const image: ImageLink = {
        start,
        end,
        alt,
        url: node.url,
        destStart: info.destStart + shift,
        destEnd: info.destEnd + shift,
      };
      if (typeof node.title === 'string') image.title = node.title;
      scan.images.push(image);
    }
  });
  return scan;
}

/**
 * Hooks into token types that mdast-util-from-markdown does not handle on `enter`, so the
 * defaults stay intact. At `labelText` the stack is [..., image, label fragment]; at
 * `resource`/`resourceDestination` the label has been resumed and the image is on top.
 */
function recordSources(sources: WeakMap<object, ImageSource>): MdastExtension {
  return {
    enter: {
      labelText(token: Token) {
        const owner = this.stack[this.stack.length - 2];
        if (owner?.type === 'image') {
          sources.set(owner, { altStart: token.start.offset, altEnd: token.end.offset });
        }
      },
      resource(token: Token) {
        const info = sources.get(this.stack[this.stack.length - 1]);
        if (info) {
          info.resourceStart = token.start.offset;
          info.resourceEnd = token.end.offset;
        }
      },
      resourceDestination(token: Token) {
        const info = sources.get(this.stack[this.stack.length - 1]);
        if (info) {
          info.destStart = token.start.offset;
          info.destEnd = token.end.offset;
        }
      },
    },
  };
}

function visitImages(node: Nodes, onImage: (image: Image) => void): void {
  if (node.type === 'image') onImage(node);
  if ('children' in node) {
    for (const child of node.children) visitImages(child, onImage);
  }
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
 * linker asking about the same version parse it once. Least recently used documents go first.
 */
export class ScanCache {
  private readonly entries = new Map<string, { version: number; scan: MarkdownScan }>();

  constructor(private readonly capacity = 50) {}

  get(key: string, version: number, text: () => string): MarkdownScan {
    const hit = this.entries.get(key);
    this.entries.delete(key);
    const entry = hit && hit.version === version ? hit : { version, scan: scanMarkdown(text()) };
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.scan;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
