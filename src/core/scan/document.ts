// One Markdown document's scan, kept between versions. After an edit only the top-level blocks
// the edit can have changed are parsed again: from the block before the one the edit starts in
// (a block's end can depend on the first lines of the next one) up to the first top-level block,
// past the edit, that starts where one started before. From there the text is the same and a
// top-level block starts with a fresh parser state, so the old results only move by the length
// the edit added or removed.

import { findFrontMatter, type FrontMatter } from './frontMatter';
import { findImages, parseBlocks, type FoundImage, type References } from './parser';
import { normalizeNewlines, toOriginal } from './sourceMap';

/** A top-level block (its first line's offset) and what it holds. */
interface Block {
  start: number;
  placeholders: Placeholder[];
  images: ImageLink[];
}

const BOM = '\uFEFF';
/** Characters of text first parsed after an edit; doubled until the parse meets the old one. */
const FIRST_WINDOW = 4096;
/** Lines the parse must see past a meeting point: markdown-it looks at most a line or two ahead. */
const LOOKAHEAD_LINES = 3;

function sameFrontMatter(a: FrontMatter | undefined, b: FrontMatter | undefined): boolean {
  return a === b || (!!a && !!b && a.start === b.start && a.end === b.end && a.raw === b.raw && a.kind === b.kind);
}

/** Offset of the line after the one `offset` is in (or the end of the text). */
function lineAfter(text: string, offset: number): number {
  if (offset >= text.length) return text.length;
  const lf = text.indexOf('\n', offset);
  const cr = text.indexOf('\r', offset);
  const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
  if (end === -1) return text.length;
  return text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
}

function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  // Compare in chunks first: one native string comparison beats a thousand charCodeAt calls.
  for (const chunk of [16384, 1024, 64]) {
    while (i + chunk <= max && a.slice(i, i + chunk) === b.slice(i, i + chunk)) i += chunk;
  }
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function commonSuffix(a: string, b: string, max: number): number {
  let n = 0;
  for (const chunk of [16384, 1024, 64]) {
    while (n + chunk <= max && a.slice(a.length - n - chunk, a.length - n) === b.slice(b.length - n - chunk, b.length - n)) n += chunk;
  }
  while (n < max && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

function shiftBlock(block: Block, by: number): Block {
  return {
    start: block.start + by,
    placeholders: block.placeholders.map((p) => ({ ...p, start: p.start + by, end: p.end + by, destStart: p.destStart + by, destEnd: p.destEnd + by })),
    images: block.images.map((i) => ({ ...i, start: i.start + by, end: i.end + by, destStart: i.destStart + by, destEnd: i.destEnd + by })),
  };
}

/** What one parse of text[from, to) found. `syncedAt` is where it met the previous parse. */
interface WindowParse {
  blocks: Block[];
  references: References;
  syncedAt?: number;
}

/**
 * Parses text[from, to) (both line starts) as Markdown. `sync` is asked at each top-level block
 * with its offset in `text` and whether enough lines follow it in the window to trust the blocks
 * before it; when it says yes the parse stops there.
 */
function parseWindow(
  text: string,
  from: number,
  to: number,
  references: References | undefined,
  sync?: (offset: number) => boolean,
): WindowParse {
  const normalized = normalizeNewlines(text.slice(from, to));
  const original = (offset: number) => from + toOriginal(normalized, offset);
  const atEnd = to >= text.length;
  const parse = parseBlocks(normalized.text, references, sync && ((state, line) => {
    if (!atEnd && line + LOOKAHEAD_LINES > state.lineMax) return false;
    return sync(original(state.bMarks[line]!));
  }));
  const starts = parse.env.pictor.blockLines.map((line) => original(parse.state.bMarks[line]!));
  const blocks: Block[] = starts.map((start) => ({ start, placeholders: [], images: [] }));
  let b = 0;
  for (const found of findImages(parse)) {
    const start = original(found.start);
    while (b + 1 < blocks.length && blocks[b + 1]!.start <= start) b++;
    const block = blocks[b]!;
    const result = toResult(text, found, original);
    if ('prompt' in result) block.placeholders.push(result);
    else block.images.push(result);
  }
  const syncedLine = parse.env.pictor.syncedLine;
  const out: WindowParse = { blocks, references: parse.env.references ?? {} };
  if (syncedLine !== undefined) out.syncedAt = original(parse.state.bMarks[syncedLine]!);
  return out;
}

function toResult(text: string, found: FoundImage, original: (offset: number) => number): Placeholder | ImageLink {
  const start = original(found.start);
  // Ends are mapped from the last character they cover, so a range never takes a `\r` in.
  const end = original(found.end - 1) + 1;
  const alt = text.slice(original(found.labelStart), original(found.labelEnd));
  if (found.url === '') {
    // No destination means `()` or `( )`: the path replaces the whole inside; `(<>)` keeps its `<>`.
    const destStart = original(found.destStart ?? found.insideStart);
    const destEnd = found.destEnd !== undefined ? original(found.destEnd - 1) + 1 : original(found.insideEnd);
    const prompt = found.prompt(alt.includes('\r\n') ? '\r\n' : '\n').trim();
    return { start, end, alt, prompt, empty: prompt === '', destStart, destEnd };
  }
  const image: ImageLink = {
    start,
    end,
    alt,
    url: found.url,
    destStart: original(found.destStart!),
    destEnd: original(found.destEnd! - 1) + 1,
  };
  if (found.title !== undefined) image.title = found.title;
  return image;
}

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
  /** The YAML (`---`) or TOML (`+++`) block at the very top, if the page has one. */
  frontMatter?: FrontMatter;
}

export class MarkdownDocument {
  private text = '';
  /** Where Markdown starts: after a byte order mark and the front matter. */
  private body = 0;
  private frontMatter: FrontMatter | undefined;
  private blocks: Block[] = [];
  /** The link reference definitions of the whole text (images inside an alt may use them). */
  private references: References = {};
  private result: MarkdownScan = { placeholders: [], images: [] };

  constructor(text: string) {
    this.scanAll(text);
  }

  get scan(): MarkdownScan {
    return this.result;
  }

  /** Brings the scan to `text`, parsing again only what the change can have touched. */
  update(text: string): MarkdownScan {
    if (text === this.text) return this.result;
    const old = this.text;
    const prefix = commonPrefix(old, text);
    const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
    const delta = text.length - old.length;
    const changedEnd = text.length - suffix;
    const frontMatter = findFrontMatter(text, text.startsWith(BOM) ? 1 : 0);
    if (prefix < this.body || !sameFrontMatter(frontMatter, this.frontMatter)) return this.scanAll(text);

    // The block the edit starts in, and the one before it: its end may have depended on this one.
    let i = this.blocks.length - 1;
    while (i >= 0 && this.blocks[i]!.start > prefix) i--;
    const keep = Math.max(0, i - 1);
    const from = i >= 1 ? this.blocks[i - 1]!.start : this.body;

    // A block that starts past the edit where an old block started (same text from there on).
    const oldStarts = new Map<number, number>();
    for (let k = keep; k < this.blocks.length; k++) oldStarts.set(this.blocks[k]!.start, k);
    const sync = (offset: number) => offset >= changedEnd && oldStarts.has(offset - delta);

    let to = lineAfter(text, Math.max(changedEnd, from) + FIRST_WINDOW);
    let parse = parseWindow(text, from, to, this.references, sync);
    while (parse.syncedAt === undefined && to < text.length) {
      to = lineAfter(text, from + 2 * (to - from));
      parse = parseWindow(text, from, to, this.references, sync);
    }
    const newEnd = parse.syncedAt ?? text.length;
    const oldEnd = parse.syncedAt === undefined ? old.length : parse.syncedAt - delta;
    // A link reference definition always has `]:`. Where none was or is, the document's
    // definitions are unchanged; else every image's alt may read differently: scan it all.
    if (old.slice(from, oldEnd).includes(']:') || text.slice(from, newEnd).includes(']:')) return this.scanAll(text);

    const rest = parse.syncedAt === undefined ? [] : this.blocks.slice(oldStarts.get(oldEnd)!).map((b) => shiftBlock(b, delta));
    this.blocks = [...this.blocks.slice(0, i >= 1 ? keep : 0), ...parse.blocks, ...rest];
    this.text = text;
    return this.collect();
  }

  private scanAll(text: string): MarkdownScan {
    this.text = text;
    const bom = text.startsWith(BOM) ? 1 : 0;
    this.frontMatter = findFrontMatter(text, bom);
    this.body = this.frontMatter ? lineAfter(text, this.frontMatter.end) : bom;
    const parse = parseWindow(text, this.body, text.length, undefined);
    this.blocks = parse.blocks;
    this.references = parse.references;
    return this.collect();
  }

  private collect(): MarkdownScan {
    const result: MarkdownScan = {
      placeholders: this.blocks.flatMap((b) => b.placeholders),
      images: this.blocks.flatMap((b) => b.images),
    };
    if (this.frontMatter) result.frontMatter = this.frontMatter;
    this.result = result;
    return result;
  }
}
