// Maps offsets in the strings markdown-it parses back to offsets in the text the editor holds.
// markdown-it hands its inline parser a block's content with container markers (`> `, list
// indentation) removed and trimmed, and it only knows `\n` line endings; the editor needs exact
// UTF-16 offsets into the original text, CRLF and all.

/**
 * A piecewise map from a derived string to source offsets: piece i starts at index `at[i]` of the
 * derived string and at offset `src[i]` of the source. A `fixed` piece is a run of spaces markdown-it
 * made up for a partly used tab; all of it maps to the tab.
 */
export interface SourceMap {
  at: number[];
  src: number[];
  fixed: boolean[];
}

export function emptyMap(): SourceMap {
  return { at: [], src: [], fixed: [] };
}

export function addPiece(map: SourceMap, at: number, src: number, fixed = false): void {
  map.at.push(at);
  map.src.push(src);
  map.fixed.push(fixed);
}

export function toSource(map: SourceMap, index: number): number {
  // Binary search for the last piece that starts at or before index.
  let lo = 0;
  let hi = map.at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map.at[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return map.fixed[lo] ? map.src[lo]! : map.src[lo]! + (index - map.at[lo]!);
}

/** The map of `derived.slice(from)`: the same pieces, shifted and cut at `from`. */
export function sliceMap(map: SourceMap, from: number): SourceMap {
  const out = emptyMap();
  for (let i = 0; i < map.at.length; i++) {
    const next = i + 1 < map.at.length ? map.at[i + 1]! : Infinity;
    if (next <= from) continue;
    const at = map.at[i]!;
    if (at >= from) addPiece(out, at - from, map.src[i]!, map.fixed[i]);
    else addPiece(out, 0, map.fixed[i] ? map.src[i]! : map.src[i]! + (from - at), map.fixed[i]);
  }
  return out;
}

/**
 * Line endings as markdown-it wants them (`\n` only), and where each removed `\r` was, so an offset
 * in the normalized text can be turned back into one in the original.
 */
export interface Normalized {
  text: string;
  /** Offsets, in `text`, of each `\n` that stood for a `\r\n`. */
  crlf: number[];
}

export function normalizeNewlines(text: string): Normalized {
  if (!text.includes('\r')) return { text, crlf: [] };
  const crlf: number[] = [];
  let removed = 0;
  const out = text.replace(/\r\n?/g, (match, offset: number) => {
    if (match.length === 2) {
      crlf.push(offset - removed);
      removed++;
    }
    return '\n';
  });
  return { text: out, crlf };
}

/** The offset in the original text of `offset` in the normalized one. */
export function toOriginal(n: Normalized, offset: number): number {
  // Every `\r` removed before offset counts; the `\n` at offset itself keeps its `\r` in front.
  let lo = 0;
  let hi = n.crlf.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (n.crlf[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return offset + lo;
}
