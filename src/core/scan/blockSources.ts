// Where a block's inline content came from in the source: markdown-it keeps only line numbers for
// blocks, so these rebuild the text its block rules hand to the inline parser (lines, trimmed
// paragraphs, ATX headings, table cells) together with a source map back to the original offsets.
// Used by the wrapped block rules in parser.ts.
import type MarkdownIt from 'markdown-it';
import { addPiece, emptyMap, sliceMap, type SourceMap } from './sourceMap';

type StateBlock = MarkdownIt.StateBlock;
type Token = MarkdownIt.Token;

const ASCII_TRIMMABLE = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * What `state.getLines(begin, end, indent, false)` returns, with its source map: each line from
 * `bMarks` (container markers already skipped), up to `indent` columns of indentation removed, a
 * partly used tab turned into spaces.
 */
export function linesWithMap(state: StateBlock, begin: number, end: number, indent: number): { text: string; map: SourceMap } {
  const map = emptyMap();
  let text = '';
  for (let line = begin; line < end; line++) {
    let lineIndent = 0;
    const lineStart = state.bMarks[line]!;
    let first = lineStart;
    const last = line + 1 < end ? state.eMarks[line]! + 1 : state.eMarks[line]!;
    while (first < last && lineIndent < indent) {
      const ch = state.src.charCodeAt(first);
      if (isSpace(ch)) {
        if (ch === 0x09) lineIndent += 4 - ((lineIndent + state.bsCount[line]!) % 4);
        else lineIndent++;
      } else if (first - lineStart < state.tShift[line]!) {
        lineIndent++;
      } else {
        break;
      }
      first++;
    }
    if (lineIndent > indent) {
      addPiece(map, text.length, first - 1, true);
      text += ' '.repeat(lineIndent - indent);
    }
    addPiece(map, text.length, first);
    text += state.src.slice(first, last);
  }
  return { text, map };
}

/** Content that is `asciiTrim(getLines(…))`: paragraphs and setext headings. */
export function trimmedLines(state: StateBlock, token: Token, begin: number, end: number): SourceMap | undefined {
  const { text, map } = linesWithMap(state, begin, end, state.blkIndent);
  let lead = 0;
  while (lead < text.length && ASCII_TRIMMABLE.has(text.charCodeAt(lead))) lead++;
  return text.startsWith(token.content, lead) ? sliceMap(map, lead) : undefined;
}

export function atxHeading(state: StateBlock, token: Token, line: number): SourceMap | undefined {
  let pos = state.bMarks[line]! + state.tShift[line]!;
  while (state.src.charCodeAt(pos) === 0x23) pos++;
  while (ASCII_TRIMMABLE.has(state.src.charCodeAt(pos))) pos++;
  if (!state.src.startsWith(token.content, pos)) return undefined;
  const map = emptyMap();
  addPiece(map, 0, pos);
  return map;
}

/**
 * A table row split into cells as markdown-it's `escapedSplit` does (an unescaped `|` separates;
 * `\|` becomes `|`), each cell with its source map, then trimmed.
 */
export function tableCells(state: StateBlock, line: number): Array<{ text: string; map: SourceMap }> {
  const lineStart = state.bMarks[line]! + state.tShift[line]!;
  const raw = state.src.slice(lineStart, state.eMarks[line]!);
  const trimmed = raw.trim();
  const base = lineStart + raw.indexOf(trimmed);
  const cells: Array<{ text: string; map: SourceMap }> = [];
  let cell = { text: '', map: emptyMap() };
  let lastPos = 0;
  let escaped = false;
  const take = (from: number, to: number) => {
    if (to > from) {
      addPiece(cell.map, cell.text.length, base + from);
      cell.text += trimmed.slice(from, to);
    }
  };
  for (let pos = 0; pos < trimmed.length; pos++) {
    const ch = trimmed.charCodeAt(pos);
    if (ch === 0x7c) {
      if (!escaped) {
        take(lastPos, pos);
        cells.push(cell);
        cell = { text: '', map: emptyMap() };
        lastPos = pos + 1;
      } else {
        take(lastPos, pos - 1);
        lastPos = pos;
      }
    }
    escaped = ch === 0x5c;
  }
  take(lastPos, trimmed.length);
  cells.push(cell);
  if (cells.length && cells[0]!.text === '') cells.shift();
  if (cells.length && cells[cells.length - 1]!.text === '') cells.pop();
  return cells.map((c) => {
    const lead = c.text.length - c.text.trimStart().length;
    return { text: c.text.trim(), map: sliceMap(c.map, lead) };
  });
}

export function tableCell(state: StateBlock, token: Token, at: { row: number; index: number }): SourceMap | undefined {
  const cell = tableCells(state, at.row)[at.index];
  return cell && cell.text === token.content ? cell.map : undefined;
}
