// The checks of what a request names outside itself: its reference images (https URLs of an accepted
// type, or workspace files of an accepted type and size) and its callback URL (https, public host).
// Part of validateRequest (request.ts), which collects every problem at once.
import { MAX_CALLBACK_URL_LENGTH, MAX_REFERENCE_BYTES, MAX_REFERENCE_IMAGES, REFERENCE_EXTENSIONS } from '../shared/limits';
import { formatCount } from '../shared/sizes';
import { shorten } from '../shared/text';
import { hostKind } from './api/addresses';
import { extensionOf } from './paths';
import { problem, type ValidateOptions, type ValidationError } from './requestTypes';
import { words, type Words } from '../shared/words';
import type { ReferenceInput } from './types';

const ACCEPTED_LIST = REFERENCE_EXTENSIONS.join(' ');
// Image types a URL may plainly name that the model refuses; other or missing extensions are
// left to the provider, since image URLs (signed, CDN, uploaded) often carry none.
const REFUSED_URL_EXTENSIONS = new Set(['.gif', '.heic', '.heif', '.avif', '.bmp', '.tif', '.tiff', '.svg', '.ico']);
const MIB = 1024 * 1024;

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
  if (!(REFERENCE_EXTENSIONS as readonly string[]).includes(ext)) {
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

export function checkReferences(raw: unknown, errors: ValidationError[]): ReferenceInput[] | undefined {
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

export function checkCallback(raw: unknown, opts: ValidateOptions, errors: ValidationError[]): string | undefined | false {
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
