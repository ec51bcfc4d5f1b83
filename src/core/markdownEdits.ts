// The Markdown that links an image, and the text edits that put it into a page: shared by the VS Code
// linker, the panel, the agent tools and the headless demo.
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Placeholder } from './placeholders';
import { dirname, normalizeAbsolute, relative } from './portablePaths';

// ---------------------------------------------------------------------------------------------
// Links

/**
 * The path from the document to the file as a Markdown link destination: POSIX, relative,
 * not percent-encoded but for `%`, `#` and `?` (which every viewer, and fileOfLink, reads as an escape,
 * a fragment and a query); wrapped in `<…>` when spaces, parentheses or other characters would
 * otherwise end or change the destination (as VS Code's Markdown paste does).
 */
export function relativeLink(fromDocumentPath: string, toFilePath: string): string {
  const from = normalizeAbsolute(fromDocumentPath) ?? fromDocumentPath.replace(/\\/g, '/');
  const to = normalizeAbsolute(toFilePath) ?? toFilePath.replace(/\\/g, '/');
  const path = (relative(dirname(from), to) ?? to).replace(/[%#?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  // `&name;` would be read as a character reference. No backslash is left to escape: input
  // backslashes were taken as Windows separators.
  const needsBrackets = /[\s()<>\p{Cc}]|&[#a-zA-Z0-9]+;/u.test(path);
  if (!needsBrackets) return path;
  return `<${path.replace(/[<>]|&(?=[#a-zA-Z0-9]+;)/g, '\\$&')}>`;
}

/**
 * The path a link destination names, as written (not resolved): `<a b.png>`, `a%20b.png` and
 * `./a.png#x` all name a file (`a b.png`, `a.png`), as a viewer reads them: a query and a fragment
 * are not part of the path, and percent escapes are decoded (`%23` is `#`); text that does not decode
 * is taken as it is.
 */
export function linkPath(destination: string): string {
  let p = destination.trim();
  if (p.startsWith('<') && p.endsWith('>')) p = p.slice(1, -1);
  p = p.replace(/[?#].*$/, '');
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/**
 * The file a link on a page in the folder `dir` points at: a path resolved from that folder, or a
 * `file:` URL's path; undefined for a web address or any other scheme (or a `file:` URL that names no
 * local path). The inverse of relativeLink, for every face.
 */
export function fileOfLink(dir: string, destination: string): string | undefined {
  if (/^file:/i.test(destination.trim())) {
    try {
      return fileURLToPath(destination.trim());
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(destination)) return undefined;
  return nodePath.resolve(dir, linkPath(destination));
}

/**
 * `![alt](link)`: the alt is trimmed and kept on one line, and the characters that could end
 * the label or open a code span or HTML across it are escaped, so the link stays an image;
 * `&name;` is escaped too so the alt reads back as the prompt.
 */
export function markdownImage(alt: string, link: string): string {
  const label = alt
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[\\[\]`<]|&(?=[#a-zA-Z0-9]+;)/g, '\\$&');
  return `![${label}](${link})`;
}

/** One image per line, in the order given (the order of the task's `results`); no final line ending. */
export function imageLines(alt: string, links: string[], eol: '\n' | '\r\n'): string {
  return links.map((link) => markdownImage(alt, link)).join(eol);
}

// ---------------------------------------------------------------------------------------------
// Edits

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
