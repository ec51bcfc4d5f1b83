// Settings as the manifest's schema describes them. VS Code does not enforce a schema's type,
// minimum or maximum when a setting is read (settings.json may say anything), so every value goes
// through coerceSetting: a value the schema allows passes, anything else becomes the nearest
// allowed value (or the default) and the problem is described, naming the setting and the value used.

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
  /** Set when the value read is not what the schema allows: what was read, and what is used instead. */
  problem?: string;
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

/**
 * The value to use for setting `name` read as `raw`. Strings keep their text (the request validator
 * explains a wrong size or resolution before anything is sent); numbers are clamped to the schema's
 * range; a value of the wrong type means the default.
 */
export function coerceSetting(name: string, raw: unknown, schema: SettingSchema): Coerced {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const fallback = schema.default;
  const useDefault = (why: string): Coerced => ({
    value: fallback,
    problem: `${name} is ${show(raw)}, ${why}; using the default, ${show(fallback)}.`,
  });
  if (raw === undefined || raw === null) return { value: fallback };
  switch (type) {
    case 'integer':
    case 'number': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) n = Number(raw);
      else return useDefault('not a number');
      if (!Number.isFinite(n)) return useDefault('not a number');
      let v = type === 'integer' ? Math.round(n) : n;
      if (schema.minimum !== undefined && v < schema.minimum) v = schema.minimum;
      if (schema.maximum !== undefined && v > schema.maximum) v = schema.maximum;
      if (v === raw) return { value: v };
      const range = rangeText(schema);
      return { value: v, problem: `${name} is ${show(raw)}${range ? `; allowed: ${range}` : ''}; using ${v}.` };
    }
    case 'string':
      return typeof raw === 'string' ? { value: raw } : useDefault('not text');
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : useDefault('not true or false');
    case 'object': {
      if (typeof raw !== 'object' || Array.isArray(raw)) return useDefault('not an object');
      const want = typeof schema.additionalProperties === 'object' ? schema.additionalProperties.type : undefined;
      if (!want) return { value: raw };
      const kept = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === want));
      const dropped = Object.keys(raw).filter((k) => !(k in kept));
      if (!dropped.length) return { value: raw };
      return { value: kept, problem: `${name} has entries that are not ${want === 'string' ? 'text' : want} (${dropped.map(show).join(', ')}); they are ignored.` };
    }
    default:
      return { value: raw };
  }
}

function rangeText(s: SettingSchema): string {
  if (s.minimum !== undefined && s.maximum !== undefined) return `${s.minimum} to ${s.maximum}`;
  if (s.minimum !== undefined) return `at least ${s.minimum}`;
  if (s.maximum !== undefined) return `at most ${s.maximum}`;
  return '';
}
