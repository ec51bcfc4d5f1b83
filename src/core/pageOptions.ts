// Page options: what a page's front matter (`pictor:` in YAML) and a placeholder's override comment
// (`![a fox]() <!-- pictor: size=16:9 quality=high -->`) set, checked value by value, and the one
// function that puts those layers and the settings together: placeholder > page > settings > defaults.
// Problems carry a kind and offsets, and their words as the core's codes (problemWords): every face
// words a problem the same.

import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import type { FrontMatter } from './scan/frontMatter';
import { parseSize } from '../shared/sizes';
import { MAX_N, MAX_REFERENCE_IMAGES, MIN_N, QUALITIES, RATIOS, RESOLUTIONS } from '../shared/limits';
import { EDGE_STEP, MAX_EDGE, MIN_EDGE } from '../shared/sizes';
import { words, type WordArg, type Words } from '../shared/words';
import { shorten } from '../shared/text';

export const OPTION_KEYS = ['size', 'resolution', 'quality', 'n', 'style', 'background', 'format', 'maxWidth', 'references', 'styleFrom'] as const;
export type OptionKey = (typeof OPTION_KEYS)[number];

// The look options (issue 24) are named in shared/limits.ts: the panel's webview checks them too.
import { BACKGROUNDS, FORMATS, type Background, type Format } from '../shared/limits';
import { IMAGE_MODEL } from '../shared/model';
import { imageTypeNamed } from '../shared/imageFormats';
export { BACKGROUNDS, FORMATS, type Background, type Format };
export const STYLE_FROM = ['', 'first'] as const;
export type StyleFrom = (typeof STYLE_FROM)[number];

/** The options one request is made with. `style` is '' for none; `maxWidth` 0 for no limit; `styleFrom` '' for none. */
export interface OptionValues {
  size: string;
  resolution: string;
  quality: string;
  n: number;
  style: string;
  background: Background;
  format: Format;
  maxWidth: number;
  /** Reference images every placeholder of the page sends: paths relative to the page (as in Markdown links) or https URLs. */
  references: string[];
  styleFrom: StyleFrom;
}

/**
 * Where a value comes from, highest first: what a caller asked for (an agent's input, the panel's own
 * choices, a recipe), the placeholder's override, the page's front matter, the settings by scope, the defaults.
 */
export type OptionSource = 'call' | 'placeholder' | 'page' | 'folder' | 'workspace' | 'user' | 'default';

export type OptionProblemKind =
  /** The front matter is not valid YAML (and it has a `pictor:` key). */
  | 'yaml'
  /** `pictor:` holds something other than a mapping of options. */
  | 'notMapping'
  /**
   * An anchor (`&a`) or an alias (`*a`) under `pictor:`. Refused outright: a few hundred bytes of
   * nested aliases are billions of values once anything copies the value out.
   */
  | 'alias'
  /** A value of the wrong type (`n: "two"`, `style: 42`). */
  | 'type'
  /** A value outside what the provider takes (`quality: ultra`, `size: 7:7`, `n: 11`). */
  | 'value'
  /** A key Pictor does not know (a typo, or an option of a newer version): a warning, never blocking. */
  | 'unknown'
  /** The same key twice in one override. */
  | 'duplicate'
  /** Text in an override that is not `key=value`. */
  | 'syntax'
  /** An override comment without its closing `-->` on the same line. */
  | 'unclosed'
  /** TOML front matter with a `[pictor]` table: options are read from YAML only (a warning). */
  | 'toml';

export interface OptionProblem {
  kind: OptionProblemKind;
  /** Where it was written. */
  origin: 'page' | 'placeholder';
  /** The option it is about, when it is about one. */
  key?: string;
  /** The value as written, for the message. */
  value?: string;
  /** More words from the check (the YAML parser's reason, the size rule that failed). English. */
  detail?: string;
  /** `detail` as a code the UI words in the user's language, when it is the core's (the size rule). */
  detailWords?: Words;
  /** Range to mark, as offsets into the document text. */
  start: number;
  end: number;
  /** Errors stop the placeholders that would use the value; warnings only inform. */
  severity: 'error' | 'warning';
}

/** One layer of options. `invalid` holds the keys written here with a value that cannot be sent. */
export interface OptionLayer {
  from: OptionSource;
  values: Partial<OptionValues>;
  invalid?: Partial<Record<OptionKey, OptionProblem>>;
}

/** What a page's front matter or a placeholder's override says, with every problem found. */
export interface ReadOptions {
  layer: OptionLayer;
  problems: OptionProblem[];
}

export interface Effective {
  values: OptionValues;
  from: Record<OptionKey, OptionSource>;
  /** Errors in the layers that would have given a value: nothing may be sent while there are any. */
  problems: OptionProblem[];
}

/** Unknown keys under `pictor:` get a warning each, up to this many: a page of typos is not a page of warnings. */
export const MAX_UNKNOWN_WARNINGS = 10;

export const DEFAULT_OPTIONS: Readonly<OptionValues> = {
  size: IMAGE_MODEL.defaults.size, resolution: IMAGE_MODEL.defaults.resolution, quality: IMAGE_MODEL.defaults.quality, n: IMAGE_MODEL.defaults.n, style: '',
  background: 'opaque', format: 'png', maxWidth: 0, references: [], styleFrom: '',
};

/**
 * The options a request is made with: for each key, the first layer (highest first) that sets it;
 * a layer that sets it to an invalid value stops there with its problem (it must not silently fall
 * through to a lower layer: the user asked for something else). Keys no layer sets take `defaults`.
 */
export function effectiveOptions(layers: readonly OptionLayer[], defaults: OptionValues = DEFAULT_OPTIONS): Effective {
  const values = { ...defaults };
  const from = Object.fromEntries(OPTION_KEYS.map((k) => [k, 'default'])) as Record<OptionKey, OptionSource>;
  const problems: OptionProblem[] = [];
  for (const key of OPTION_KEYS) {
    for (const layer of layers) {
      const bad = layer.invalid?.[key];
      if (bad) {
        if (!problems.includes(bad)) problems.push(bad);
        from[key] = layer.from;
        break;
      }
      const v = layer.values[key];
      if (v !== undefined) {
        (values as Record<OptionKey, unknown>)[key] = v;
        from[key] = layer.from;
        break;
      }
    }
  }
  return { values, from, problems };
}

/** The value to use for `key` written as `raw`, or why it cannot be used. `null` means "not set". */
export function checkOptionValue(key: OptionKey, raw: unknown):
  { ok: true; value: string | number | string[] | undefined } | { ok: false; kind: 'type' | 'value'; detail?: string; detailWords?: Words } {
  if (raw === null || raw === undefined) return { ok: true, value: undefined };
  switch (key) {
    case 'size': {
      if (typeof raw !== 'string') return { ok: false, kind: 'type' };
      // No size is longer than this (`3840x2160`, `auto`); a longer text is not worded back in full.
      if (raw.trim().length > 32) return { ok: false, kind: 'value' };
      const s = parseSize(raw.trim());
      return s.kind === 'invalid' ? { ok: false, kind: 'value', detail: s.reason, detailWords: s.words } : { ok: true, value: raw.trim() };
    }
    case 'resolution': {
      if (typeof raw !== 'string') return { ok: false, kind: 'type' };
      const v = raw.trim().toUpperCase();
      return (RESOLUTIONS as readonly string[]).includes(v) ? { ok: true, value: v } : { ok: false, kind: 'value' };
    }
    case 'quality': {
      if (typeof raw !== 'string') return { ok: false, kind: 'type' };
      const v = raw.trim().toLowerCase();
      return (QUALITIES as readonly string[]).includes(v) ? { ok: true, value: v } : { ok: false, kind: 'value' };
    }
    case 'n':
      if (typeof raw !== 'number') return { ok: false, kind: 'type' };
      return Number.isInteger(raw) && raw >= MIN_N && raw <= MAX_N ? { ok: true, value: raw } : { ok: false, kind: 'value' };
    case 'style':
      return typeof raw === 'string' ? { ok: true, value: raw.trim() } : { ok: false, kind: 'type' };
    case 'background':
      return choice(raw, BACKGROUNDS);
    case 'format': {
      // An extension is taken for its format: `jpg` is `jpeg`.
      const named = typeof raw === 'string' ? imageTypeNamed(raw.trim()) : undefined;
      return named ? { ok: true, value: named } : choice(raw, FORMATS);
    }
    case 'maxWidth':
      if (typeof raw !== 'number') return { ok: false, kind: 'type' };
      return Number.isInteger(raw) && raw >= 0 && raw <= MAX_EDGE ? { ok: true, value: raw } : { ok: false, kind: 'value' };
    case 'references': {
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list) || list.some((r) => typeof r !== 'string')) return { ok: false, kind: 'type' };
      const refs = (list as string[]).map((r) => r.trim());
      if (refs.some((r) => !r) || refs.length > MAX_REFERENCE_IMAGES) return { ok: false, kind: 'value' };
      return { ok: true, value: refs };
    }
    case 'styleFrom':
      if (raw === false) return { ok: true, value: '' };
      return choice(raw, STYLE_FROM.filter((x) => x));
  }
}

/**
 * A look option's value as a setting gives it (already held to the manifest's type): checked as a page's
 * would be, the default when it cannot be used (the settings' reader has told the user).
 */
export function lookSetting<K extends 'background' | 'format' | 'maxWidth' | 'references'>(key: K, raw: unknown): OptionValues[K] {
  const c = checkOptionValue(key, raw);
  return (c.ok && c.value !== undefined ? c.value : DEFAULT_OPTIONS[key]) as OptionValues[K];
}

/** One of `allowed`, written in any case. */
function choice(raw: unknown, allowed: readonly string[]): { ok: true; value: string } | { ok: false; kind: 'type' | 'value' } {
  if (typeof raw !== 'string') return { ok: false, kind: 'type' };
  const v = raw.trim().toLowerCase();
  return allowed.includes(v) ? { ok: true, value: v } : { ok: false, kind: 'value' };
}

function isKey(k: string): k is OptionKey {
  return (OPTION_KEYS as readonly string[]).includes(k);
}

/** At most this many characters of what a page wrote go into a problem's words. */
const SHOWN = 60;

/** Text as a problem shows it: at most SHOWN characters. */
const clip = (s: string, max = SHOWN) => shorten(s, max);

/** The parser's reason, as a problem's detail: its own words are short, but it may quote the page. */
const reasonOf = (e: unknown) => clip(String(e instanceof YAMLException ? e.reason : e instanceof Error ? e.message : e), 160);

/**
 * A value as a problem shows it: text as written, anything else JSON-like, cut to SHOWN characters.
 * Never written out whole: an alias bomb is a few hundred bytes of YAML and gigabytes as JSON. Each step
 * writes at least one character, so the walk stops after about SHOWN steps whatever the value holds.
 */
function show(v: unknown): string {
  if (typeof v === 'string') return clip(v);
  let out = '';
  const full = () => out.length > SHOWN;
  const walk = (x: unknown): void => {
    if (full()) return;
    if (typeof x === 'string') out += JSON.stringify(clip(x));
    else if (Array.isArray(x)) {
      out += '[';
      for (let i = 0; i < x.length && !full(); i++) {
        if (i) out += ', ';
        walk(x[i]);
      }
      out += ']';
    } else if (x !== null && typeof x === 'object') {
      out += '{';
      let first = true;
      for (const k in x) {
        if (full()) break;
        if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
        out += `${first ? '' : ', '}${clip(k)}: `;
        first = false;
        walk((x as Record<string, unknown>)[k]);
      }
      out += '}';
    } else out += String(x);
  };
  walk(v);
  return clip(out);
}

// ---- front matter -------------------------------------------------------------------------------

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

// ---- a placeholder's override -------------------------------------------------------------------

/** Where an override comment is: right after the placeholder, on the same line. */
export interface OverrideComment extends ReadOptions {
  /** The comment's range (from `<!--` to just after `-->`, or to the line's end when unclosed). */
  start: number;
  end: number;
}

const OVERRIDE_HEAD = /^[ \t]*<!--[ \t]*pictor[ \t]*:/i;

/** The last answer of commentStop: the first stop at or after any offset in [from, at] is `at` (it keeps one page's text alive until another is read). */
let lastStop: { text: string; from: number; at: number } | undefined;

/**
 * Where an override comment that starts at `from` can end: the first `-->` or line break at or after
 * `from`, else the end of the text. The last answer is kept, so reading the placeholders of a page in
 * order looks at each character once even when they share one long line of unclosed comments (each
 * search ran to the end of the page: 57 s for a 1.2 MB line).
 */
function commentStop(text: string, from: number): number {
  const known = lastStop && lastStop.text === text ? lastStop : undefined;
  if (known && from >= known.from && from <= known.at) return known.at;
  // Before what is known, only the gap up to it needs looking at.
  const limit = known && from < known.from ? known.from : text.length;
  let at = from;
  for (; at < limit; at++) {
    const c = text.charCodeAt(at);
    if (c === 0x0a || c === 0x0d || (c === 0x2d && text.startsWith('-->', at))) break;
  }
  if (at === limit && known && limit === known.from) at = known.at;
  lastStop = { text, from, at };
  return at;
}

/**
 * The override comment that follows a placeholder ending at `end`, if there is one:
 * `<!-- pictor: size=16:9 quality=high n=2 style="ink sketch" -->`. Values are written without
 * spaces, or in double or single quotes. Every Markdown viewer hides the comment; filling the
 * placeholder only writes inside its `()`, so the comment stays as it is.
 */
export function readOverride(text: string, end: number): OverrideComment | undefined {
  const head = OVERRIDE_HEAD.exec(text.slice(end, end + 200));
  if (!head) return undefined;
  const start = end + head[0].indexOf('<');
  const bodyStart = end + head[0].length;
  // The comment is on the placeholder's line: nothing past the line's end is looked at.
  const close = commentStop(text, bodyStart);
  const layer: OptionLayer = { from: 'placeholder', values: {} };
  const problems: OptionProblem[] = [];
  // A problem that blocks an option is always kept (one per option at most); of the others, at most
  // MAX_UNKNOWN_WARNINGS: a comment of a thousand stray words is not a thousand diagnostics.
  let others = 0;
  const report = (p: OptionProblem, blocks = false) => {
    if (blocks || others++ < MAX_UNKNOWN_WARNINGS) problems.push(p);
  };
  if (!text.startsWith('-->', close)) {
    const lineEnd = close;
    const p: OptionProblem = { kind: 'unclosed', origin: 'placeholder', start, end: lineEnd, severity: 'error' };
    layer.invalid = Object.fromEntries(OPTION_KEYS.map((k) => [k, p]));
    return { start, end: lineEnd, layer, problems: [p] };
  }
  const commentEnd = close + 3;
  const body = text.slice(bodyStart, close);
  const seen = new Set<string>();
  const token = /\s*([A-Za-z_][\w-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"']+))|\s*(\S+)/gy;
  let m: RegExpExecArray | null;
  while ((m = token.exec(body)) && m[0] !== '') {
    const tokStart = bodyStart + m.index + (m[0].length - m[0].trimStart().length);
    const tokEnd = bodyStart + m.index + m[0].length;
    const range = { start: tokStart, end: tokEnd };
    if (m[5] !== undefined) {
      const p: OptionProblem = { kind: 'syntax', origin: 'placeholder', value: clip(m[5]), ...range, severity: 'error' };
      report(p, OPTION_KEYS.some((k) => !layer.invalid?.[k]));
      // What it meant cannot be known: none of this placeholder's options can be trusted.
      layer.invalid = { ...Object.fromEntries(OPTION_KEYS.map((k) => [k, p])), ...layer.invalid };
      continue;
    }
    const key = m[1]!;
    const written = m[2] ?? m[3] ?? m[4] ?? '';
    if (!isKey(key)) {
      report({ kind: 'unknown', origin: 'placeholder', key: clip(key), ...range, severity: 'warning' });
      continue;
    }
    if (seen.has(key)) {
      const p: OptionProblem = { kind: 'duplicate', origin: 'placeholder', key, value: clip(written), ...range, severity: 'error' };
      report(p, !layer.invalid?.[key]);
      (layer.invalid ??= {})[key] ??= p;
      continue;
    }
    seen.add(key);
    // Numbers are written as text here: n=2 means the number 2; a list is written with commas.
    const raw: unknown = key === 'n' || key === 'maxWidth' ? (/^\d+$/.test(written) ? Number(written) : written)
      : key === 'references' ? written.split(',').map((r) => r.trim()) : written;
    const c = checkOptionValue(key, raw);
    if (c.ok) {
      if (c.value !== undefined) (layer.values as Record<string, unknown>)[key] = c.value;
      continue;
    }
    // Text where a number belongs is a wrong value here, not a wrong type: everything is text in a comment.
    const p: OptionProblem = { kind: 'value', origin: 'placeholder', key, value: clip(written), ...range, severity: 'error' };
    if (c.detail) p.detail = c.detail;
    if (c.detailWords) p.detailWords = c.detailWords;
    report(p, true);
    (layer.invalid ??= {})[key] = p;
  }
  return { start, end: commentEnd, layer, problems };
}

// ---- words --------------------------------------------------------------------------------------

/** What is allowed for an option, for a message that says how to fix it. */
export function allowedWords(key: string): WordArg {
  switch (key as OptionKey) {
    case 'size': return words('option.allowedSize', RATIOS.join(', '), EDGE_STEP, MIN_EDGE, MAX_EDGE);
    case 'resolution': return words('option.allowedResolution');
    case 'quality': return words('option.allowedQuality');
    case 'n': return words('option.allowedN', MIN_N, MAX_N);
    case 'style': return words('option.allowedStyle');
    case 'background': return words('option.allowedBackground');
    case 'format': return words('option.allowedFormat');
    case 'maxWidth': return words('option.allowedMaxWidth', MAX_EDGE);
    case 'references': return words('option.allowedReferences', MAX_REFERENCE_IMAGES);
    case 'styleFrom': return words('option.allowedStyleFrom');
    default: return OPTION_KEYS.join(', ');
  }
}

/** A problem in words: where it is written, what is wrong, what is allowed, and what it stops. */
export function problemWords(p: OptionProblem): Words {
  const where = words(p.origin === 'page' ? 'option.wherePage' : 'option.wherePlaceholder');
  const stop = words(p.origin === 'page' ? 'option.stopPage' : 'option.stopPlaceholder');
  const key = p.key ?? '';
  switch (p.kind) {
    case 'yaml': return words('option.yaml', where, p.detail ?? '', stop);
    case 'notMapping': return words('option.notMapping', where, OPTION_KEYS.join(', '), p.value ?? '', stop);
    case 'alias': return words('option.alias', where, stop);
    case 'type':
    case 'value': {
      const detail = p.detail ? words('option.detail', p.detailWords ?? p.detail) : '';
      return words(key === 'n' || key === 'style' || key === 'maxWidth' || key === 'references' ? 'option.valueBare' : 'option.value', where, key, p.value ?? '', detail, allowedWords(key), stop);
    }
    case 'unknown': return words('option.unknown', where, key, OPTION_KEYS.join(', '));
    case 'duplicate': return words('option.duplicate', where, key, stop);
    case 'syntax': return words('option.syntax', where, p.value ?? '', stop);
    case 'unclosed': return words('option.unclosed', where, stop);
    case 'toml': return words('option.toml', where);
  }
}
