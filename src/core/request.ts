// Validation of a whole generation request against api.md §1 and §4, before anything is sent:
// a user should never pay (or wait for a failed task) to learn that a parameter was wrong. The
// checks of reference images and the callback URL are in requestReferences.ts.

import { expectedSize as sizeFor, formatCount, parseSize, relativeCost as costOf, sizeToString } from '../shared/sizes';
import { CreateTaskBody, GenerationInput, MODEL, ReferenceInput } from './types';
import { codePointCount, shorten } from '../shared/text';
import { MAX_N, MAX_PROMPT_CODE_POINTS, MIN_N, QUALITIES, Quality, RESOLUTIONS, Resolution } from '../shared/limits';
import { checkCallback, checkReferences } from './requestReferences';
import { problem, type InvalidRequest, type ValidateOptions, type ValidationError, type ValidRequest } from './requestTypes';
import { words } from '../shared/words';

export type { InvalidRequest, ValidateOptions, ValidationError, ValidationField, ValidRequest } from './requestTypes';

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
    const count = codePointCount(text);
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
