// Front matter as micromark-extension-frontmatter (and so remark, Hugo, Jekyll) reads it: the
// first line is exactly `---` (YAML) or `+++` (TOML), maybe followed by spaces or tabs; it runs to
// the next line that is the same fence. Without a closing fence there is no front matter (the
// `---` is then a thematic break). Page options (`pictor:` in YAML) will be read from `raw`.

export interface FrontMatter {
  kind: 'yaml' | 'toml';
  /** Offset of the opening fence. */
  start: number;
  /** Offset just after the closing fence (its line ending is not part of it). */
  end: number;
  /** The text between the fences, as written (no fence lines, no final line ending). */
  raw: string;
  rawStart: number;
  rawEnd: number;
}

const FENCES = { '---': 'yaml', '+++': 'toml' } as const;

/** Is text[from, to) a fence line: the fence and then only spaces and tabs? */
function isFence(text: string, from: number, to: number, fence: string): boolean {
  if (!text.startsWith(fence, from)) return false;
  for (let i = from + 3; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** End of the line that starts at `from` (before its `\r\n`, `\n` or `\r`). */
function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return i;
  }
  return text.length;
}

/** Offset of the line after the one ending at `end` (`end` is a line ending or the end of text). */
function nextLine(text: string, end: number): number {
  if (text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a) return end + 2;
  return Math.min(end + 1, text.length + 1);
}

/** The front matter at `from` (the start of the text, after any byte order mark), if there is one. */
export function findFrontMatter(text: string, from = 0): FrontMatter | undefined {
  const fence = text.slice(from, from + 3);
  const kind = FENCES[fence as keyof typeof FENCES];
  if (!kind) return undefined;
  const openEnd = lineEnd(text, from);
  // The opening fence needs a line ending after it.
  if (!isFence(text, from, openEnd, fence) || openEnd === text.length) return undefined;
  const rawStart = nextLine(text, openEnd);
  let line = rawStart;
  while (line <= text.length) {
    const end = lineEnd(text, line);
    if (isFence(text, line, end, fence)) {
      // The value excludes the line ending before the closing fence; empty when the fences touch.
      const rawEnd = line === rawStart ? rawStart : line - (text[line - 2] === '\r' && text[line - 1] === '\n' ? 2 : 1);
      return { kind, start: from, end, raw: text.slice(rawStart, rawEnd), rawStart, rawEnd };
    }
    if (end === text.length) return undefined;
    line = nextLine(text, end);
  }
  return undefined;
}
