// The checks of what a request names outside itself: its reference images (https URLs of an accepted
// type, or workspace files of an accepted type and size) and its callback URL (https, public host).
// Part of validateRequest (request.ts), which collects every problem at once.
import { MAX_CALLBACK_URL_LENGTH, MAX_REFERENCE_BYTES, MAX_REFERENCE_IMAGES, REFERENCE_EXTENSIONS } from '../shared/limits';
import { formatCount } from '../shared/sizes';
import { shorten } from '../shared/text';
import { hostKind } from './hostKind';
import { extensionOf } from './paths';
import type { ValidateOptions, ValidationError } from './requestTypes';
import type { ReferenceInput } from './types';

const ACCEPTED_LIST = REFERENCE_EXTENSIONS.join(' ');
// Image types a URL may plainly name that the model refuses; other or missing extensions are
// left to the provider, since image URLs (signed, CDN, uploaded) often carry none.
const REFUSED_URL_EXTENSIONS = new Set(['.gif', '.heic', '.heif', '.avif', '.bmp', '.tif', '.tiff', '.svg', '.ico']);
const MIB = 1024 * 1024;

function checkUrlReference(index: number, rawUrl: string, errors: ValidationError[]): string | undefined {
  const url = rawUrl.trim();
  const where = `Reference image ${index + 1} (${shorten(url)})`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    errors.push({
      field: 'references',
      message: `${where} is not an https:// URL. Use an https:// link to the image, or a file in the workspace.`,
      limit: 'https:// URL',
      value: url,
    });
    return undefined;
  }
  // The fake provider serves its uploads over plain http on 127.0.0.1; nothing else may use http.
  if (parsed.protocol === 'http:' && hostKind(parsed.hostname) !== 'loopback') {
    errors.push({
      field: 'references',
      message: `${where} uses http://; only https:// URLs are accepted. Change it to https://.`,
      limit: 'https:// URL',
      value: url,
    });
    return undefined;
  }
  const ext = extensionOf(parsed.pathname);
  if (REFUSED_URL_EXTENSIONS.has(ext)) {
    errors.push({
      field: 'references',
      message: `${where} is a ${ext} image; accepted types are ${ACCEPTED_LIST}. Convert it to PNG, JPEG or WebP.`,
      limit: ACCEPTED_LIST,
      value: url,
    });
    return undefined;
  }
  return url;
}

function checkFileReference(index: number, path: string, bytes: number | undefined, errors: ValidationError[]): boolean {
  const where = `Reference image ${index + 1} (${shorten(path)})`;
  let ok = true;
  const ext = extensionOf(path);
  if (!(REFERENCE_EXTENSIONS as readonly string[]).includes(ext)) {
    errors.push({
      field: 'references',
      message:
        `${where} ${ext ? `is a ${ext} file` : 'has no file extension'}; accepted types are ${ACCEPTED_LIST}. ` +
        'Convert it to PNG, JPEG or WebP.',
      limit: ACCEPTED_LIST,
      value: path,
    });
    ok = false;
  }
  if (typeof bytes === 'number' && bytes > MAX_REFERENCE_BYTES) {
    errors.push({
      field: 'references',
      message:
        `${where} is ${(bytes / MIB).toFixed(1)} MB; each image may be at most ${MAX_REFERENCE_BYTES / MIB} MB. ` +
        'Use a smaller or more compressed image.',
      limit: `${MAX_REFERENCE_BYTES / MIB} MB`,
      value: `${bytes} bytes`,
    });
    ok = false;
  }
  return ok;
}

export function checkReferences(raw: unknown, errors: ValidationError[]): ReferenceInput[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    errors.push({ field: 'references', message: 'The reference images must be a list.', value: String(raw) });
    return undefined;
  }
  const before = errors.length;
  if (raw.length > MAX_REFERENCE_IMAGES) {
    errors.push({
      field: 'references',
      message:
        `${raw.length} reference images were given; at most ${MAX_REFERENCE_IMAGES} are accepted. ` +
        `Remove ${raw.length - MAX_REFERENCE_IMAGES}.`,
      limit: `${MAX_REFERENCE_IMAGES} images`,
      value: `${raw.length} images`,
    });
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
      errors.push({
        field: 'references',
        message: `Reference image ${i + 1} is neither a URL nor a file path. Remove it and add it again.`,
        value: JSON.stringify(ref) ?? String(ref),
      });
    }
  });
  return errors.length === before ? out : undefined;
}

export function checkCallback(raw: unknown, opts: ValidateOptions, errors: ValidationError[]): string | undefined | false {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  const url = typeof raw === 'string' ? raw.trim() : String(raw);
  const fail = (message: string, limit: string) => {
    errors.push({ field: 'callbackUrl', message, limit, value: shorten(url, 200) });
    return false as const;
  };
  if (url.length > MAX_CALLBACK_URL_LENGTH) {
    return fail(
      `The callback URL is ${formatCount(url.length)} characters long; the limit is ${formatCount(MAX_CALLBACK_URL_LENGTH)}. ` +
        'Use a shorter URL, or clear the setting.',
      `${formatCount(MAX_CALLBACK_URL_LENGTH)} characters`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`The callback URL ${JSON.stringify(shorten(url))} is not a valid URL. Enter an https:// URL, or clear the setting.`, 'https:// URL');
  }
  const kind = hostKind(parsed.hostname);
  const testLoopback = opts.allowLoopbackCallback === true && kind === 'loopback' && (parsed.protocol === 'http:' || parsed.protocol === 'https:');
  if (testLoopback) return url;
  if (parsed.protocol !== 'https:') {
    return fail(`The callback URL must start with https://; got ${parsed.protocol}//. Use an https:// URL, or clear the setting.`, 'https:// URL');
  }
  if (kind !== 'public') {
    return fail(
      `The callback URL's host ${parsed.hostname} is a ${kind === 'loopback' ? 'loopback' : 'private or link-local'} address, ` +
        "which the provider cannot reach or refuses. Use a public https:// address, or clear the setting.",
      'public host',
    );
  }
  return url;
}
