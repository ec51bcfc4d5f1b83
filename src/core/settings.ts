// Settings as the manifest's schema describes them. VS Code does not enforce a schema's type,
// minimum or maximum when a setting is read (settings.json may say anything), so every value goes
// through coerceSetting: a value the schema allows passes, anything else becomes the nearest
// allowed value (or the default) and the problem is described, naming the setting and the value used.

import { english, words, type Words } from '../shared/words';

/** The part of a `contributes.configuration.properties` entry this reader understands. */
export interface SettingSchema {
  type?: string | string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  additionalProperties?: { type?: string } | boolean;
}

export interface Coerced<T = unknown> {
  value: T;
  /** Set when the value read is not what the schema allows: what was read, and what is used instead (English, for the log). */
  problem?: string;
  /** The same, as a code the UI words in the user's language. */
  problemWords?: Words;
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

/** A value used instead of the one read, and why, in both forms. */
function corrected(value: unknown, w: Words): Coerced {
  return { value, problem: english(w), problemWords: w };
}

/**
 * The value to use for setting `name` read as `raw`. Strings keep their text (the request validator
 * explains a wrong size or resolution before anything is sent); numbers are clamped to the schema's
 * range; a value of the wrong type means the default.
 */
export function coerceSetting(name: string, raw: unknown, schema: SettingSchema): Coerced {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const fallback = schema.default;
  const useDefault = (why: Words): Coerced => corrected(fallback, words('setting.useDefault', name, show(raw), why, show(fallback)));
  if (raw === undefined || raw === null) return { value: fallback };
  switch (type) {
    case 'integer':
    case 'number': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) n = Number(raw);
      else return useDefault(words('setting.notNumber'));
      if (!Number.isFinite(n)) return useDefault(words('setting.notNumber'));
      let v = type === 'integer' ? Math.round(n) : n;
      if (schema.minimum !== undefined && v < schema.minimum) v = schema.minimum;
      if (schema.maximum !== undefined && v > schema.maximum) v = schema.maximum;
      if (v === raw) return { value: v };
      const range = rangeWords(schema);
      return corrected(v, range ? words('setting.clamped', name, show(raw), range, v) : words('setting.rounded', name, show(raw), v));
    }
    case 'string':
      return typeof raw === 'string' ? { value: raw } : useDefault(words('setting.notText'));
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : useDefault(words('setting.notBoolean'));
    case 'object': {
      if (typeof raw !== 'object' || Array.isArray(raw)) return useDefault(words('setting.notObject'));
      const want = typeof schema.additionalProperties === 'object' ? schema.additionalProperties.type : undefined;
      if (!want) return { value: raw };
      const kept = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === want));
      const dropped = Object.keys(raw).filter((k) => !(k in kept));
      if (!dropped.length) return { value: raw };
      const list = dropped.map(show).join(', ');
      return corrected(kept, want === 'string' ? words('setting.entriesNotText', name, list) : words('setting.entriesNotType', name, want, list));
    }
    default:
      return { value: raw };
  }
}

function rangeWords(s: SettingSchema): Words | undefined {
  if (s.minimum !== undefined && s.maximum !== undefined) return words('setting.range', s.minimum, s.maximum);
  if (s.minimum !== undefined) return words('setting.atLeast', s.minimum);
  if (s.maximum !== undefined) return words('setting.atMost', s.maximum);
  return undefined;
}
