// A problem with a page's options: what kind, where it is written, how serious; and how a problem shows
// what the page wrote (clipped, never whole: an alias bomb is a few hundred bytes of YAML).

import type { Words } from '../../shared/words';
import { shorten } from '../../shared/text';

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


/** Unknown keys under `pictor:` get a warning each, up to this many: a page of typos is not a page of warnings. */
export const MAX_UNKNOWN_WARNINGS = 10;

/** At most this many characters of what a page wrote go into a problem's words. */
const SHOWN = 60;

/** Text as a problem shows it: at most SHOWN characters. */
export const clip = (s: string, max = SHOWN) => shorten(s, max);

/**
 * A value as a problem shows it: text as written, anything else JSON-like, cut to SHOWN characters.
 * Never written out whole: an alias bomb is a few hundred bytes of YAML and gigabytes as JSON. Each step
 * writes at least one character, so the walk stops after about SHOWN steps whatever the value holds.
 */
export function show(v: unknown): string {
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
