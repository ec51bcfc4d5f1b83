// The options one request is made with: their keys and defaults, a value checked key by key, and the
// one function that puts the layers together: placeholder > page > settings > defaults.

import { parseSize, MAX_EDGE } from '../../shared/sizes';
import { MAX_N, MAX_REFERENCE_IMAGES, MIN_N, QUALITIES, RESOLUTIONS } from '../../shared/limits';
// The look options (issue 24) are named in shared/limits.ts: the panel's webview checks them too.
import { BACKGROUNDS, FORMATS, type Background, type Format } from '../../shared/limits';
import { IMAGE_MODEL, type ImageOptions } from '../../shared/model';
import { imageTypeNamed } from '../../shared/imageFormats';
import type { Words } from '../../shared/words';
import type { OptionProblem } from './problems';
import type { Result } from '../../shared/result';

export const OPTION_KEYS = ['size', 'resolution', 'quality', 'n', 'style', 'background', 'format', 'maxWidth', 'references', 'styleFrom'] as const;
export type OptionKey = (typeof OPTION_KEYS)[number];

export { BACKGROUNDS, FORMATS, type Background, type Format };
export const STYLE_FROM = ['', 'first'] as const;
export type StyleFrom = (typeof STYLE_FROM)[number];

/** The options one request is made with. `style` is '' for none; `maxWidth` 0 for no limit; `styleFrom` '' for none. */
export interface OptionValues extends ImageOptions {
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
  Result<{ value: string | number | string[] | undefined }, { kind: 'type' | 'value'; detail?: string; detailWords?: Words }> {
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
function choice(raw: unknown, allowed: readonly string[]): Result<{ value: string }, { kind: 'type' | 'value' }> {
  if (typeof raw !== 'string') return { ok: false, kind: 'type' };
  const v = raw.trim().toLowerCase();
  return allowed.includes(v) ? { ok: true, value: v } : { ok: false, kind: 'value' };
}

export function isKey(k: string): k is OptionKey {
  return (OPTION_KEYS as readonly string[]).includes(k);
}
