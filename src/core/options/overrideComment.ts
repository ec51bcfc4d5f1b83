// A placeholder's override comment: `![a fox]() <!-- pictor: size=16:9 quality=high -->`, on the
// placeholder's line, read key=value by key=value.

import { checkOptionValue, isKey, OPTION_KEYS, type OptionLayer, type ReadOptions } from './values';
import { clip, MAX_UNKNOWN_WARNINGS, type OptionProblem } from './problems';

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
