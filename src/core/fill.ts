// The text edits that put image links into Markdown: shared by the VS Code linker and the headless demo.
import { imageLines, markdownImage } from './links';
import type { Placeholder } from './placeholders';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Fills a placeholder. One image: its empty destination gets the link and the alt text stays as
 * written. Several: the placeholder becomes one image per line, in the order of the links, kept
 * inside its list item or block quote (a table cell cannot hold line breaks: they share the cell).
 */
export function placeholderEdit(text: string, p: Placeholder, alt: string, links: string[], eol: string): TextEdit {
  if (links.length === 1) return { start: p.destStart, end: p.destEnd, text: links[0]! };
  const lineStart = text.lastIndexOf('\n', p.start - 1) + 1;
  const prefix = text.slice(lineStart, p.start);
  const joiner = /^\s*\|/.test(prefix) ? ' ' : eol + prefix.replace(/[^\s>]/g, ' ');
  return { start: p.start, end: p.end, text: links.map((l) => markdownImage(alt, l)).join(joiner) };
}

/**
 * Puts the images on new lines after the line that ends at `offset`. When a line follows, they go at
 * its start (`link⏎` there), so a cursor at the end of the line above stays where it is and the
 * user's typing stays on their line; at the end of the text they go after a line break.
 */
export function insertionEdit(text: string, offset: number, alt: string, links: string[], eol: '\n' | '\r\n'): TextEdit {
  const lines = imageLines(alt, links, eol);
  const next = text.startsWith('\r\n', offset) ? offset + 2 : text.startsWith('\n', offset) ? offset + 1 : -1;
  if (next >= 0) return { start: next, end: next, text: lines + eol };
  return { start: offset, end: offset, text: eol + lines };
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * Where links go after a line whose text is `anchor`, when the tracked position was lost (a reload,
 * a retry): the end of the only line with that text, or undefined when there is none or several.
 */
export function anchorLineEnd(text: string, anchor: string | undefined): number | undefined {
  if (anchor === undefined || anchor.trim() === '') return undefined;
  let found: number | undefined;
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const lineEnd = end > start && text[end - 1] === '\r' ? end - 1 : end;
    if (text.slice(start, lineEnd) === anchor) {
      if (found !== undefined) return undefined;
      found = lineEnd;
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return found;
}
