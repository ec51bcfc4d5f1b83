// Validation of a whole generation request against docs/provider-api.md ("Create a task", "Sizes"),
// before anything is sent: a user should never pay (or wait for a failed task) to learn that a
// parameter was wrong. The checks of reference images and the callback URL are in requestReferences.ts.

import { expectedSize as sizeFor, relativeCost as costOf, sizeToString } from '../shared/sizes';
import { CreateTaskBody, GenerationInput, ReferenceInput } from './types';
import { IMAGE_MODEL } from '../shared/model';
import { shorten } from '../shared/text';
import { QUALITIES, Quality, RESOLUTIONS, Resolution } from '../shared/limits';
import { checkChoice, checkN, checkPrompt, checkSize } from '../shared/requestFields';
import { checkCallback, checkReferences } from './requestReferences';
import { problem, type InvalidRequest, type ValidateOptions, type ValidationError, type ValidRequest } from './requestTypes';
import { words } from '../shared/words';

export type { InvalidRequest, ValidateOptions, ValidationError, ValidationField, ValidRequest } from './requestTypes';

/**
 * Checks every field of `input` (all problems at once, not just the first) and builds the create
 * body. Defaults are written into the body explicitly so the log shows what was asked for;
 * `resolution` only goes with a ratio size, where it has an effect.
 */
export function validateRequest(input: GenerationInput, opts: ValidateOptions = {}): ValidRequest | InvalidRequest {
  const errors: ValidationError[] = [];
  const prompt = checkPrompt(input.prompt, errors);
  const n = checkN(input.n, errors);

  const size = checkSize(input.size, errors);
  const resolution = checkChoice<Resolution>('resolution', input.resolution, RESOLUTIONS, IMAGE_MODEL.defaults.resolution, (s) => s.toUpperCase(), errors);
  const quality = checkChoice<Quality>('quality', input.quality, QUALITIES, IMAGE_MODEL.defaults.quality, (s) => s.toLowerCase(), errors);

  const id = IMAGE_MODEL.id;
  let model: string | undefined = id;
  if (input.model !== undefined && !(typeof input.model === 'string' && (input.model.trim() === '' || input.model.trim() === id))) {
    errors.push(problem('model', words('request.model', id, JSON.stringify(shorten(String(input.model), 40))), { limit: id, value: String(input.model) }));
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

/**
 * A valid request with one more reference image: `styleFrom: first`'s new first image, once made (the
 * planner counted it against the limit). A URL goes into the body; a file is uploaded with the others.
 */
export function withReference(v: ValidRequest, ref: ReferenceInput): ValidRequest {
  const references = [...v.references, ref];
  const body: CreateTaskBody = { ...v.body };
  if (ref.kind === 'url') body.image_urls = [...(body.image_urls ?? []), ref.url];
  return { ...v, body, references, localReferences: uniqueFilePaths(references) };
}
