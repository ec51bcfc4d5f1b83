// The options a page's front matter sets under `pictor:` (YAML), each value checked, each problem on the
// line that writes it. Anchors and aliases are refused before the value is looked at.

import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import type { FrontMatter } from '../scan/frontMatter';
import { checkOptionValue, isKey, OPTION_KEYS, type OptionLayer, type ReadOptions } from './values';
import { clip, MAX_UNKNOWN_WARNINGS, show, type OptionProblem, type OptionProblemKind } from './problems';

/** The parser's reason, as a problem's detail: its own words are short, but it may quote the page. */
const reasonOf = (e: unknown) => clip(String(e instanceof YAMLException ? e.reason : e instanceof Error ? e.message : e), 160);

/** The line of text[offset] as a range without its line ending, leading indentation left out. */
function lineRange(text: string, offset: number): { start: number; end: number } {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  return { start, end };
}

/** The `pictor:` key, written at the start of a line (a top-level key), maybe quoted. */
const PICTOR_HEAD = /^["']?pictor["']?[ \t]*:/m;

/** A key in the `pictor:` block: at the start of an indented line, or after `{` or `,` (flow style). */
const BLOCK_KEY = /(^[ \t]+|[{,][ \t]*)["']?([^\s"'{},:#][^\r\n"'{},:]*?)["']?[ \t]*:/gm;

/** Where the `pictor:` block is in the front matter's text, and where each of its keys is written first. */
interface PictorBlock {
  /** Offset of the `pictor:` line and of just after its `:`, in `raw`. */
  head: number;
  value: number;
  /** Offset of the next line that starts a top-level key (or the end). */
  end: number;
  /** Offset of the first line that writes each key (read in one pass: a key's line is a lookup). */
  keys: Map<string, number>;
}

function pictorBlock(raw: string): PictorBlock | undefined {
  const head = PICTOR_HEAD.exec(raw);
  if (!head) return undefined;
  const value = head.index + head[0].length;
  // The block runs until the next line that starts a top-level key.
  const headLineEnd = raw.indexOf('\n', head.index);
  const afterHead = headLineEnd === -1 ? raw.length : headLineEnd + 1;
  const next = /^[^\s#]/m.exec(raw.slice(afterHead));
  const end = next ? afterHead + next.index : raw.length;
  const keys = new Map<string, number>();
  const block = raw.slice(value, end);
  BLOCK_KEY.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = BLOCK_KEY.exec(block));) {
    const key = m[2]!.trimEnd();
    if (!keys.has(key)) keys.set(key, value + m.index + m[1]!.length);
  }
  return { head: head.index, value, end, keys };
}

/**
 * A listener for js-yaml's load that finds where an anchor or an alias is written in the value that
 * opens at `valueAt` (just after `pictor:`): told where each node opens, it looks at the node's first
 * character after spaces, comments and a tag. `&` or `*` there is an anchor or an alias: a plain value
 * cannot start with either, so `rock & roll` or `*bold*` inside a value is never taken for one. The
 * parse events nest, so the value is exactly what opens while its node is open (a flow value may go on
 * at the start of a line, where a look at the text alone would think it over).
 */
function anchorFinder(raw: string, valueAt: number): {
  listener: (event: string, state: { position: number }) => void;
  /** Anchors and aliases in the value, and in the whole text; `seen` says whether the value was met at all. */
  found: number[]; all: number[]; seen: () => boolean;
} {
  const found: number[] = [];
  const all: number[] = [];
  let depth = 0;
  /** The value's depth while it is open; 0 before it opens, -1 after it closed. */
  let valueDepth = 0;
  let lastAt = -1;
  let lastHit = -1;
  const startOf = (from: number): number => {
    let i = from;
    while (i < raw.length) {
      const c = raw[i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]!))) {
        while (i < raw.length && raw[i] !== '\n' && raw[i] !== '\r') i++;
      } else if (c === '!') {
        while (i < raw.length && !/\s/.test(raw[i]!)) i++;
      } else break;
    }
    return raw[i] === '&' || raw[i] === '*' ? i : -1;
  };
  const listener = (event: string, state: { position: number }) => {
    if (event === 'close') {
      if (depth-- === valueDepth) valueDepth = -1;
      return;
    }
    depth++;
    if (valueDepth === 0 && state.position === valueAt) valueDepth = depth;
    // Nested nodes often open at the same place: look once.
    if (state.position !== lastAt) {
      lastAt = state.position;
      lastHit = startOf(lastAt);
    }
    if (lastHit === -1) return;
    all.push(lastHit);
    if (valueDepth > 0) found.push(lastHit);
  };
  return { listener, found, all, seen: () => valueDepth !== 0 };
}

/** The options a page's front matter sets under `pictor:`, with a problem for each value that cannot be used. */
export function readPageOptions(text: string, fm: FrontMatter | undefined): ReadOptions {
  if (!fm) return { layer: { from: 'page', values: {} }, problems: [] };
  try {
    return readFrontMatter(text, fm);
  } catch (e) {
    // Nothing a page holds may stop Pictor (diagnostics read every open page at start): whatever
    // went wrong is one error on the page, and it blocks the page's options.
    const r = lineRange(text, fm.rawStart + (PICTOR_HEAD.exec(fm.raw)?.index ?? 0));
    const detail = reasonOf(e);
    const p: OptionProblem = { kind: 'yaml', origin: 'page', start: r.start, end: r.end, severity: 'error', detail };
    return { layer: { from: 'page', values: {}, invalid: Object.fromEntries(OPTION_KEYS.map((k) => [k, p])) }, problems: [p] };
  }
}

function readFrontMatter(text: string, fm: FrontMatter): ReadOptions {
  const layer: OptionLayer = { from: 'page', values: {} };
  const problems: OptionProblem[] = [];
  const at = (offset: number) => lineRange(text, offset);
  const blockAll = (p: OptionProblem) => {
    layer.invalid = Object.fromEntries(OPTION_KEYS.map((k) => [k, p]));
  };
  if (fm.kind === 'toml') {
    const table = /^\[pictor\][ \t]*$/m.exec(fm.raw);
    if (table) {
      const r = at(fm.rawStart + table.index);
      problems.push({ kind: 'toml', origin: 'page', start: r.start, end: r.end, severity: 'warning' });
    }
    return { layer, problems };
  }
  // A page without a `pictor:` key is none of Pictor's business, even when its YAML is broken.
  const block = pictorBlock(fm.raw);
  if (!block) return { layer, problems };
  /** A problem on the line that writes `key` (else on the `pictor:` line: js-yaml gives no positions for keys; a near miss is harmless). */
  const problem = (kind: OptionProblemKind, key: string | undefined, p: Partial<OptionProblem> = {}): OptionProblem => {
    const r = at(fm.rawStart + (key === undefined ? block.head : block.keys.get(key) ?? block.head));
    const made: OptionProblem = { kind, origin: 'page', start: r.start, end: r.end, severity: kind === 'unknown' || kind === 'toml' ? 'warning' : 'error', ...p };
    if (key !== undefined) made.key = clip(key);
    problems.push(made);
    return made;
  };
  const anchors = anchorFinder(fm.raw, block.value);
  let doc: unknown;
  try {
    doc = load(fm.raw, { schema: CORE_SCHEMA, listener: anchors.listener });
  } catch (e) {
    const mark = e instanceof YAMLException ? e.mark : undefined;
    const offset = mark && typeof mark.position === 'number' ? fm.rawStart + Math.min(mark.position, fm.raw.length) : fm.rawStart;
    const r = at(offset);
    const p: OptionProblem = { kind: 'yaml', origin: 'page', start: r.start, end: r.end, severity: 'error', detail: reasonOf(e) };
    problems.push(p);
    blockAll(p);
    return { layer, problems };
  }
  // Before the value is looked at at all: anything that walks or copies it (a message, the job queue)
  // would expand the aliases.
  // Should the value never have opened where expected, everything up to the next top-level key counts.
  const alias = anchors.seen() ? anchors.found[0] : anchors.all.find((i) => i >= block.value && i < block.end);
  if (alias !== undefined) {
    const r = at(fm.rawStart + alias);
    const p: OptionProblem = { kind: 'alias', origin: 'page', start: r.start, end: r.end, severity: 'error' };
    problems.push(p);
    blockAll(p);
    return { layer, problems };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { layer, problems };
  const opts = (doc as Record<string, unknown>).pictor;
  if (opts === null || opts === undefined) return { layer, problems };
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    blockAll(problem('notMapping', undefined, { value: show(opts) }));
    return { layer, problems };
  }
  let unknown = 0;
  for (const [key, raw] of Object.entries(opts as Record<string, unknown>)) {
    if (!isKey(key)) {
      if (unknown++ < MAX_UNKNOWN_WARNINGS) problem('unknown', key);
      continue;
    }
    const c = checkOptionValue(key, raw);
    if (c.ok) {
      if (c.value !== undefined) (layer.values as Record<string, unknown>)[key] = c.value;
      continue;
    }
    const p = problem(c.kind, key, { value: show(raw), ...(c.detail ? { detail: c.detail } : {}), ...(c.detailWords ? { detailWords: c.detailWords } : {}) });
    (layer.invalid ??= {})[key] = p;
  }
  return { layer, problems };
}
