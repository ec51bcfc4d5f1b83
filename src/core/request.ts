// Validation of a whole generation request against api.md §1 and §4, before anything is sent:
// a user should never pay (or wait for a failed task) to learn that a parameter was wrong.

import { isIP } from 'node:net';
import { expectedSize as sizeFor, formatCount, parseSize, relativeCost as costOf, sizeToString } from './sizes';
import {
  CreateTaskBody,
  GenerationInput,
  MAX_CALLBACK_URL_LENGTH,
  MAX_N,
  MAX_PROMPT_CODE_POINTS,
  MAX_REFERENCE_BYTES,
  MAX_REFERENCE_IMAGES,
  MIN_N,
  MODEL,
  PixelSize,
  QUALITIES,
  Quality,
  ReferenceInput,
  RESOLUTIONS,
  Resolution,
} from './types';
import { english, words, type Words } from './words';

export type ValidationField = 'prompt' | 'n' | 'size' | 'resolution' | 'quality' | 'model' | 'references' | 'callbackUrl';

export interface ValidationError {
  field: ValidationField;
  /** Names the field, the limit and the value, and says what to do: the English of `words` (logs, tests). */
  message: string;
  /** The same, as a code the UI words in the user's language (src/vscode/words.ts). */
  words: Words;
  limit?: string;
  value?: string;
}

export interface ValidRequest {
  ok: true;
  body: CreateTaskBody;
  /** Undefined when the model picks the size (`auto`). */
  expectedSize?: PixelSize;
  /** Estimate relative to one medium 1024×1024 image (see sizes.relativeCost). */
  relativeCost: number;
  /** Images asked for (= n); the provider may deliver fewer. */
  imageCount: number;
  /** Local files to upload first (unique, in first-seen order); then call withUploadedReferences. */
  localReferences: string[];
  /** The references as validated (URLs trimmed), in the user's order. */
  references: ReferenceInput[];
}

export interface InvalidRequest {
  ok: false;
  errors: ValidationError[];
}

export interface ValidateOptions {
  /**
   * Lets a callback point at a loopback host over http(s). Only for tests against the fake
   * provider; the real provider refuses such hosts, so the extension never sets it.
   */
  allowLoopbackCallback?: boolean;
}

export const ACCEPTED_IMAGE_EXTENSIONS = ['.jpeg', '.jpg', '.png', '.webp'] as const;
const ACCEPTED_LIST = ACCEPTED_IMAGE_EXTENSIONS.join(' ');
// Image types a URL may plainly name that the model refuses; other or missing extensions are
// left to the provider, since image URLs (signed, CDN, uploaded) often carry none.
const REFUSED_URL_EXTENSIONS = new Set(['.gif', '.heic', '.heif', '.avif', '.bmp', '.tif', '.tiff', '.svg', '.ico']);
const MIB = 1024 * 1024;

/** Unicode code points, as the provider counts the prompt; same as `[...s].length`, without the array. */
export function countCodePoints(s: string): number {
  // A surrogate pair is one code point; a lone surrogate counts as one, as the string iterator does.
  const len = s.length;
  let pairs = 0;
  for (let i = 0; i < len - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      pairs++;
      i++;
    }
  }
  return len - pairs;
}

export type HostKind = 'loopback' | 'private' | 'public';

function ipv4Kind(a: number, b: number): HostKind {
  if (a === 127) return 'loopback';
  if (a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) {
    return 'private';
  }
  return 'public';
}

/** Eight 16-bit groups of a valid IPv6 literal (zone removed, trailing dotted IPv4 allowed). */
function ipv6Groups(addr: string): number[] {
  let s = addr.split('%')[0]!;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  if (rest === undefined) return h;
  const t = parse(rest);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * Whether a URL host is loopback, private/link-local/unspecified, or anything else. Literal
 * IPs only (a name that resolves to a private address cannot be told apart without DNS).
 * Expects the host as `URL.hostname` gives it: IPv4 already normalised, IPv6 in brackets.
 */
export function hostKind(hostname: string): HostKind {
  let h = hostname.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  const family = isIP(h);
  if (family === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return ipv4Kind(a, b);
  }
  if (family === 6) {
    const g = ipv6Groups(h);
    const zeroUpTo = (k: number) => g.slice(0, k).every((x) => x === 0);
    if (zeroUpTo(7) && g[7] === 1) return 'loopback';
    if (zeroUpTo(8)) return 'private';
    if (zeroUpTo(5) && g[5] === 0xffff) return ipv4Kind(g[6]! >> 8, g[6]! & 0xff); // ::ffff:a.b.c.d
    if ((g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xffc0) === 0xfe80) return 'private';
  }
  return 'public';
}

function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** A validation error whose message is the English of its words. */
function problem(field: ValidationField, w: Words, rest: { limit?: string; value?: string } = {}): ValidationError {
  return { field, message: english(w), words: w, ...rest };
}

function shorten(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function checkPrompt(prompt: unknown, errors: ValidationError[]): string | undefined {
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    errors.push(problem('prompt', words('request.promptEmpty'), {
      limit: '1 to 32,000 code points',
      value: typeof prompt === 'string' ? prompt : '',
    }));
    return undefined;
  }
  const text = prompt.trim();
  // A string of at most N UTF-16 units has at most N code points: skip counting the common case.
  if (text.length > MAX_PROMPT_CODE_POINTS) {
    const count = countCodePoints(text);
    if (count > MAX_PROMPT_CODE_POINTS) {
      errors.push(problem('prompt', words('request.promptTooLong', formatCount(count), formatCount(MAX_PROMPT_CODE_POINTS), formatCount(count - MAX_PROMPT_CODE_POINTS)), {
        limit: `${formatCount(MAX_PROMPT_CODE_POINTS)} code points`,
        value: `${formatCount(count)} code points`,
      }));
      return undefined;
    }
  }
  return text;
}

function checkN(n: unknown, errors: ValidationError[]): number | undefined {
  if (n === undefined) return MIN_N;
  if (typeof n === 'number' && Number.isInteger(n) && n >= MIN_N && n <= MAX_N) return n;
  errors.push(problem('n', words('request.n', MIN_N, MAX_N, String(n)), {
    limit: `${MIN_N}–${MAX_N}`,
    value: String(n),
  }));
  return undefined;
}

function checkChoice<T extends string>(
  field: 'resolution' | 'quality',
  raw: unknown,
  choices: readonly T[],
  fallback: T,
  normalise: (s: string) => string,
  errors: ValidationError[],
): T | undefined {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return fallback;
  const v = typeof raw === 'string' ? normalise(raw.trim()) : '';
  if ((choices as readonly string[]).includes(v)) return v as T;
  errors.push(problem(field, words(field === 'resolution' ? 'request.resolution' : 'request.quality', choices.join(', '), JSON.stringify(shorten(String(raw), 40))), {
    limit: choices.join(', '),
    value: String(raw),
  }));
  return undefined;
}

function checkUrlReference(index: number, rawUrl: string, errors: ValidationError[]): string | undefined {
  const url = rawUrl.trim();
  const where = words('request.refWhere', index + 1, shorten(url));
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    errors.push(problem('references', words('request.refNotHttps', where), { limit: 'https:// URL', value: url }));
    return undefined;
  }
  // The fake provider serves its uploads over plain http on 127.0.0.1; nothing else may use http.
  if (parsed.protocol === 'http:' && hostKind(parsed.hostname) !== 'loopback') {
    errors.push(problem('references', words('request.refPlainHttp', where), { limit: 'https:// URL', value: url }));
    return undefined;
  }
  const ext = extensionOf(parsed.pathname);
  if (REFUSED_URL_EXTENSIONS.has(ext)) {
    errors.push(problem('references', words('request.refUrlType', where, ext, ACCEPTED_LIST), { limit: ACCEPTED_LIST, value: url }));
    return undefined;
  }
  return url;
}

function checkFileReference(index: number, path: string, bytes: number | undefined, errors: ValidationError[]): boolean {
  const where = words('request.refWhere', index + 1, shorten(path));
  let ok = true;
  const ext = extensionOf(path);
  if (!(ACCEPTED_IMAGE_EXTENSIONS as readonly string[]).includes(ext)) {
    const w = ext ? words('request.refFileType', where, ext, ACCEPTED_LIST) : words('request.refNoExtension', where, ACCEPTED_LIST);
    errors.push(problem('references', w, { limit: ACCEPTED_LIST, value: path }));
    ok = false;
  }
  if (typeof bytes === 'number' && bytes > MAX_REFERENCE_BYTES) {
    errors.push(problem('references', words('request.refTooBig', where, (bytes / MIB).toFixed(1), MAX_REFERENCE_BYTES / MIB), {
      limit: `${MAX_REFERENCE_BYTES / MIB} MB`,
      value: `${bytes} bytes`,
    }));
    ok = false;
  }
  return ok;
}

function checkReferences(raw: unknown, errors: ValidationError[]): ReferenceInput[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    errors.push(problem('references', words('request.refsNotList'), { value: String(raw) }));
    return undefined;
  }
  const before = errors.length;
  if (raw.length > MAX_REFERENCE_IMAGES) {
    errors.push(problem('references', words('request.refsTooMany', raw.length, MAX_REFERENCE_IMAGES, raw.length - MAX_REFERENCE_IMAGES), {
      limit: `${MAX_REFERENCE_IMAGES} images`,
      value: `${raw.length} images`,
    }));
  }
  const out: ReferenceInput[] = [];
  raw.forEach((ref: unknown, i) => {
    const r = ref as Partial<ReferenceInput> | null;
    if (r && r.kind === 'url' && typeof r.url === 'string') {
      const url = checkUrlReference(i, r.url, errors);
      if (url !== undefined) out.push({ kind: 'url', url });
    } else if (r && r.kind === 'file' && typeof r.path === 'string' && r.path !== '') {
      const bytes = typeof r.bytes === 'number' ? r.bytes : undefined;
      if (checkFileReference(i, r.path, bytes, errors)) out.push(bytes === undefined ? { kind: 'file', path: r.path } : { kind: 'file', path: r.path, bytes });
    } else {
      errors.push(problem('references', words('request.refUnknown', i + 1), { value: JSON.stringify(ref) ?? String(ref) }));
    }
  });
  return errors.length === before ? out : undefined;
}

function checkCallback(raw: unknown, opts: ValidateOptions, errors: ValidationError[]): string | undefined | false {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  const url = typeof raw === 'string' ? raw.trim() : String(raw);
  const fail = (w: Words, limit: string) => {
    errors.push(problem('callbackUrl', w, { limit, value: shorten(url, 200) }));
    return false as const;
  };
  if (url.length > MAX_CALLBACK_URL_LENGTH) {
    return fail(words('request.callbackTooLong', formatCount(url.length), formatCount(MAX_CALLBACK_URL_LENGTH)), `${formatCount(MAX_CALLBACK_URL_LENGTH)} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(words('request.callbackInvalid', JSON.stringify(shorten(url))), 'https:// URL');
  }
  const kind = hostKind(parsed.hostname);
  const testLoopback = opts.allowLoopbackCallback === true && kind === 'loopback' && (parsed.protocol === 'http:' || parsed.protocol === 'https:');
  if (testLoopback) return url;
  if (parsed.protocol !== 'https:') {
    return fail(words('request.callbackNotHttps', parsed.protocol), 'https:// URL');
  }
  if (kind !== 'public') {
    return fail(words(kind === 'loopback' ? 'request.callbackLoopback' : 'request.callbackPrivate', parsed.hostname), 'public host');
  }
  return url;
}

/**
 * Checks every field of `input` (all problems at once, not just the first) and builds the create
 * body. Defaults are written into the body explicitly so the log shows what was asked for;
 * `resolution` only goes with a ratio size, where it has an effect.
 */
export function validateRequest(input: GenerationInput, opts: ValidateOptions = {}): ValidRequest | InvalidRequest {
  const errors: ValidationError[] = [];
  const prompt = checkPrompt(input.prompt, errors);
  const n = checkN(input.n, errors);

  const rawSize = input.size;
  const size = rawSize === undefined || (typeof rawSize === 'string' && rawSize.trim() === '') ? parseSize('auto') : parseSize(typeof rawSize === 'string' ? rawSize : String(rawSize));
  if (size.kind === 'invalid') {
    errors.push({
      field: 'size',
      message: `Size ${size.reason}.`,
      words: words('request.size', size.words),
      limit: 'auto, a ratio, or WxH with edges 16–3,840 in multiples of 16, 655,360–8,294,400 pixels, at most 3:1',
      value: String(rawSize),
    });
  }
  const resolution = checkChoice<Resolution>('resolution', input.resolution, RESOLUTIONS, '1K', (s) => s.toUpperCase(), errors);
  const quality = checkChoice<Quality>('quality', input.quality, QUALITIES, 'medium', (s) => s.toLowerCase(), errors);

  let model: string | undefined = MODEL;
  if (input.model !== undefined && !(typeof input.model === 'string' && (input.model.trim() === '' || input.model.trim() === MODEL))) {
    errors.push(problem('model', words('request.model', MODEL, JSON.stringify(shorten(String(input.model), 40))), { limit: MODEL, value: String(input.model) }));
    model = undefined;
  }

  const references = checkReferences(input.references, errors);
  const callback = checkCallback(input.callbackUrl, opts, errors);

  if (
    errors.length > 0 ||
    prompt === undefined ||
    n === undefined ||
    resolution === undefined ||
    quality === undefined ||
    model === undefined ||
    references === undefined ||
    callback === false
  ) {
    return { ok: false, errors };
  }

  const body: CreateTaskBody = { model, prompt, size: sizeToString(size)! };
  if (size.kind === 'ratio') body.resolution = resolution;
  body.quality = quality;
  body.n = n;
  const urls = references.flatMap((r) => (r.kind === 'url' ? [r.url] : []));
  if (urls.length > 0) body.image_urls = urls;
  if (callback !== undefined) body.callback_url = callback;

  const expected = sizeFor(size, resolution);
  const result: ValidRequest = {
    ok: true,
    body,
    relativeCost: costOf(quality, n, expected),
    imageCount: n,
    localReferences: uniqueFilePaths(references),
    references,
  };
  if (expected) result.expectedSize = expected;
  return result;
}

function uniqueFilePaths(references: readonly ReferenceInput[]): string[] {
  const seen = new Set<string>();
  for (const r of references) if (r.kind === 'file') seen.add(r.path);
  return [...seen];
}

/**
 * The body with `image_urls` in the user's original order, local files replaced by their
 * uploaded URLs. `uploaded` is keyed by path, or lists the URLs in `localReferences` order.
 * Throws when a file has no URL: sending the request without it would silently drop an image.
 */
export function withUploadedReferences(
  body: CreateTaskBody,
  references: readonly ReferenceInput[],
  uploaded: ReadonlyMap<string, string> | readonly string[],
): CreateTaskBody {
  let byPath: ReadonlyMap<string, string>;
  if (Array.isArray(uploaded)) {
    const paths = uniqueFilePaths(references);
    if (uploaded.length !== paths.length) {
      throw new Error(`Expected ${paths.length} uploaded URLs for the local reference images, got ${uploaded.length}.`);
    }
    byPath = new Map(paths.map((p, i) => [p, uploaded[i] as string]));
  } else {
    byPath = uploaded as ReadonlyMap<string, string>;
  }
  const urls = references.map((r) => {
    if (r.kind === 'url') return r.url;
    const url = byPath.get(r.path);
    if (url === undefined) throw new Error(`No uploaded URL for the reference image ${r.path}.`);
    return url;
  });
  const next: CreateTaskBody = { ...body };
  if (urls.length > 0) next.image_urls = urls;
  else delete next.image_urls;
  return next;
}
