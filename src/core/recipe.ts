// The recipe travels with the image: what was asked for (prompt, style, options, references) and
// which task made it. PNGs carry it inside the file: an iTXt chunk `pictor` holding the JSON, and
// a standard `Description` chunk with the prompt that image viewers show. WebP and JPEG carry it as
// uncompressed XMP (xmp.ts: the recipe and the prompt as dc:description) when it fits: always in
// WebP, in JPEG when the packet fits one 65,533-byte APP1 segment (a 32,000-character CJK prompt
// does not). Otherwise, and for a file it cannot read, a sidecar `<image file name>.pictor.json`
// beside the image. Regenerate reads it back, so it works in a fresh clone with no history.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { insideFolders } from './paths';
import { randomBytes } from 'node:crypto';
import { HEAD_BYTES, imageInfo, sniffImageType } from './api/imageInfo';
import { FORMAT_BYTES } from './imageFormats';
import { pngChunks } from './pngText';
import type { CreateTaskBody, GenerationInput, ImageType, ReferenceInput } from './types';
import { IMAGE_MODEL, type ImageOptions } from '../shared/model';
import { said, words } from '../shared/words';
import { readLook, type Look } from './look';
import { KEY_COLOURS, keyInstruction, toHex, type KeyName } from './keyColour';
import { IMAGE_TYPES } from '../shared/imageFormats';
import type { Result, Said } from '../shared/result';

export { DESCRIPTION_KEYWORD, RECIPE_KEYWORD } from './imageFormats';
export const SIDECAR_SUFFIX = '.pictor.json';
export const RECIPE_VERSION = 1;

/** A reference image as the recipe keeps it: a URL, or a file relative to the image's folder (POSIX). */
export type RecipeReference = { url: string } | { file: string };

export interface Recipe extends ImageOptions {
  /** Format version. */
  pictor: number;
  /** The prompt as the user wrote it (without the style). */
  prompt: string;
  /** The style added to the prompt when it was sent (see promptWithStyle), or null. */
  style: string | null;
  model: string;
  taskId: string;
  /** When the task was asked for, ISO 8601. */
  created: string;
  references: RecipeReference[];
  /** Which of the task's images this file is (1-based) when it returned several. */
  image?: number;
  /** The look asked for (issue 24), when not the plain one: Regenerate asks for it again. */
  background?: 'opaque' | 'transparent';
  /** The key colour the model was asked to draw on (`#RRGGBB`), with `background: transparent`. */
  key?: string;
  /** Whether the background was made transparent (false: the image was kept opaque, and why was told). */
  keyed?: boolean;
  format?: ImageType;
  maxWidth?: number;
}

/** What a finished job knows that goes into its recipe. */
export interface RecipeSource {
  body: CreateTaskBody;
  taskId?: string;
  /** Epoch ms. */
  createdAt: number;
  /** The prompt before a style was added; defaults to the prompt sent. */
  prompt?: string;
  style?: string;
  /** References as the user gave them (local files by absolute path); defaults to the URLs sent. */
  references?: ReferenceInput[];
  /** The look asked for, and whether the background was keyed out. */
  look?: Look;
  keyed?: boolean;
}

/**
 * How a style joins a prompt when it is sent. One place, so a regenerated image gets exactly the
 * prompt its recipe was made with.
 */
export function promptWithStyle(prompt: string, style: string | null | undefined): string {
  const s = style?.trim();
  return s ? `${prompt.trim()}\n\nStyle: ${s}` : prompt;
}

export function makeRecipe(src: RecipeSource, imagePath: string, image?: { index: number; count: number }): Recipe {
  const dir = path.dirname(imagePath);
  const refs: RecipeReference[] = src.references
    ? src.references.map((r) => (r.kind === 'url' ? { url: r.url } : { file: path.relative(dir, r.path).split(path.sep).join('/') }))
    : (src.body.image_urls ?? []).map((url) => ({ url }));
  const recipe: Recipe = {
    pictor: RECIPE_VERSION,
    prompt: src.prompt ?? withoutKeyInstruction(src.body.prompt, src.look),
    style: src.style?.trim() || null,
    model: src.body.model,
    size: src.body.size ?? IMAGE_MODEL.defaults.size,
    resolution: src.body.resolution ?? IMAGE_MODEL.defaults.resolution,
    quality: src.body.quality ?? IMAGE_MODEL.defaults.quality,
    n: src.body.n ?? IMAGE_MODEL.defaults.n,
    taskId: src.taskId ?? '',
    created: new Date(src.createdAt).toISOString(),
    references: refs,
  };
  if (image && image.count > 1) recipe.image = image.index + 1;
  const look = src.look;
  if (look && (look.background !== 'opaque' || look.format !== 'png' || look.maxWidth !== undefined)) {
    recipe.background = look.background;
    if (look.background === 'transparent') {
      if (look.key) recipe.key = toHex(KEY_COLOURS[look.key]);
      recipe.keyed = src.keyed ?? false;
    }
    recipe.format = look.format;
    if (look.maxWidth !== undefined) recipe.maxWidth = look.maxWidth;
  }
  return recipe;
}

/** The prompt as written, from the one sent: a transparent look's key-colour instruction taken off. */
function withoutKeyInstruction(sent: string, look: Look | undefined): string {
  const tail = look?.key ? `\n\n${keyInstruction(look.key)}` : undefined;
  return tail && sent.endsWith(tail) ? sent.slice(0, -tail.length) : sent;
}

/** The look a recipe asks for (the plain look for a recipe without one); its key by the colour recorded. */
export function lookOfRecipe(r: Recipe): Look {
  const key = r.key ? (Object.keys(KEY_COLOURS) as KeyName[]).find((k) => toHex(KEY_COLOURS[k]) === r.key) : undefined;
  return readLook({ background: r.background, format: r.format, maxWidth: r.maxWidth, key }) ?? { background: 'opaque', format: 'png' };
}

export function serializeRecipe(r: Recipe): string {
  return JSON.stringify(r);
}

/** A recipe from JSON found in a file. The file may come from anywhere: anything malformed is undefined. */
export function parseRecipe(text: string): Recipe | undefined {
  let o: Record<string, unknown>;
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    o = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const str = (k: string, d: string) => (typeof o[k] === 'string' ? (o[k] as string) : d);
  if (typeof o.prompt !== 'string' || !o.prompt.trim()) return undefined;
  const refs: RecipeReference[] = [];
  for (const r of Array.isArray(o.references) ? o.references : []) {
    if (r && typeof r === 'object' && typeof (r as { url?: unknown }).url === 'string') refs.push({ url: (r as { url: string }).url });
    else if (r && typeof r === 'object' && typeof (r as { file?: unknown }).file === 'string') refs.push({ file: (r as { file: string }).file });
  }
  const recipe: Recipe = {
    pictor: typeof o.pictor === 'number' ? o.pictor : RECIPE_VERSION,
    prompt: o.prompt,
    style: typeof o.style === 'string' && o.style.trim() ? o.style : null,
    model: str('model', IMAGE_MODEL.id),
    size: str('size', IMAGE_MODEL.defaults.size),
    resolution: str('resolution', IMAGE_MODEL.defaults.resolution),
    quality: str('quality', IMAGE_MODEL.defaults.quality),
    n: typeof o.n === 'number' && Number.isInteger(o.n) ? o.n : IMAGE_MODEL.defaults.n,
    taskId: str('taskId', ''),
    created: str('created', ''),
    references: refs,
  };
  if (typeof o.image === 'number') recipe.image = o.image;
  if (o.background === 'transparent' || o.background === 'opaque') recipe.background = o.background;
  if (typeof o.key === 'string' && /^#[0-9A-F]{6}$/i.test(o.key)) recipe.key = o.key.toUpperCase();
  if (typeof o.keyed === 'boolean') recipe.keyed = o.keyed;
  if ((IMAGE_TYPES as readonly unknown[]).includes(o.format)) recipe.format = o.format as ImageType;
  if (typeof o.maxWidth === 'number' && Number.isInteger(o.maxWidth) && o.maxWidth > 0) recipe.maxWidth = o.maxWidth;
  return recipe;
}

/** A PNG with the recipe in it (any earlier recipe and Description replaced). Throws on a broken PNG. */
export function embedRecipeInPng(png: Buffer, recipe: Recipe): Buffer {
  return FORMAT_BYTES.png.recipe.embed(png, serializeRecipe(recipe), recipe.prompt)!;
}

/** The recipe inside a PNG held in memory. Throws on a broken PNG. */
export function recipeFromPng(png: Buffer): Recipe | undefined {
  const json = FORMAT_BYTES.png.recipe.fromImage(png);
  return json === undefined ? undefined : parseRecipe(json);
}

/**
 * A copy of an image file with the recipe in it: PNG chunks, or XMP in WebP and JPEG (the prompt as
 * dc:description too, dropped first when a JPEG segment cannot hold both). Undefined when it does not
 * fit (a JPEG segment holds at most 65,533 bytes): the recipe then goes to the sidecar. Throws on a broken file.
 */
export function embedRecipe(image: Buffer, type: ImageType, recipe: Recipe): Buffer | undefined {
  return FORMAT_BYTES[type].recipe.embed(image, serializeRecipe(recipe), recipe.prompt);
}

/** The recipe inside an image held in memory, whatever its format. */
export function recipeFromImage(image: Buffer): Recipe | undefined {
  const type = sniffImageType(image);
  let json: string | undefined;
  try {
    json = type === undefined ? undefined : FORMAT_BYTES[type].recipe.fromImage(image);
  } catch {
    return undefined;
  }
  return json === undefined ? undefined : parseRecipe(json);
}

export function sidecarPath(imagePath: string): string {
  return imagePath + SIDECAR_SUFFIX;
}

/**
 * Puts the recipe into a staged image (a file in Pictor's own storage, not yet in the workspace): PNG
 * chunks or XMP (embedRecipe), rewritten through a temp file that replaces it only once it is checked
 * (read back whole: same type and pixel size, the recipe there), so a crash leaves the old whole file.
 * A recipe that does not fit (JPEG's segment), or a JPEG/WebP file it cannot read: a sidecar next to it.
 * Returns the image's new byte count and the sidecar to copy along, if any.
 */
export async function stampStagedImage(file: string, type: ImageType, recipe: Recipe): Promise<{ bytes: number; sidecar?: string }> {
  const before = await fs.readFile(file);
  let after: Buffer | undefined;
  if (type === 'png') {
    after = embedRecipeInPng(before, recipe); // throws on a broken PNG
  } else {
    try {
      after = imageInfo(before)?.type === type ? embedRecipe(before, type, recipe) : undefined;
    } catch {
      after = undefined; // a file this cannot parse keeps its bytes; the sidecar holds the recipe
    }
  }
  if (!after) {
    const side = sidecarPath(file);
    await writeChecked(side, Buffer.from(JSON.stringify(recipe, null, 2) + '\n', 'utf8'), () => undefined);
    return { bytes: before.length, sidecar: side };
  }
  await writeChecked(file, after, (written) => {
    if (type === 'png') pngChunks(written);
    const a = imageInfo(before);
    const b = imageInfo(written.subarray(0, HEAD_BYTES));
    if (!a || !b || a.type !== b.type || a.width !== b.width || a.height !== b.height) throw new Error('the image changed while adding its recipe');
    if (recipeFromImage(written)?.taskId !== recipe.taskId) throw new Error('the recipe could not be read back');
  });
  return { bytes: after.length };
}

/** Writes to a fresh temp file beside `target`, reads it back for `check`, then renames it over `target`. */
async function writeChecked(target: string, data: Buffer, check: (written: Buffer) => void): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temp, data, { flag: 'wx' });
    check(await fs.readFile(temp));
    await fs.rename(temp, target);
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

/**
 * The recipe of an image file on disk: its PNG chunk or its XMP (WebP, JPEG), read without loading the
 * pixels, else its sidecar. Undefined when it has none (or the file is missing).
 */
export async function readRecipeFile(file: string): Promise<Recipe | undefined> {
  try {
    const type = sniffImageType(await readHead(file, 12));
    const json = type === undefined ? undefined : await FORMAT_BYTES[type].recipe.fromFile(file);
    const r = json === undefined ? undefined : parseRecipe(json);
    if (r) return r;
  } catch {
    return undefined; // the image itself cannot be read
  }
  try {
    const text = await readSmallFile(sidecarPath(file), MAX_SIDECAR_BYTES);
    return text === undefined ? undefined : parseRecipe(text);
  } catch {
    return undefined;
  }
}

/**
 * A recipe is at most a few hundred KB (a 32,000-character prompt is at most 128 KB of UTF-8): a
 * bigger sidecar is not one Pictor wrote, and the CodeLens would read it for every link to its image.
 */
export const MAX_SIDECAR_BYTES = 1024 * 1024;

/** The first `n` bytes of a file (fewer when it is shorter). */
async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The file as UTF-8 text; undefined when it has more than `max` bytes (checked before anything is read). */
async function readSmallFile(file: string, max: number): Promise<string | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size > max) return undefined;
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * What to send again for a recipe, with `prompt` as the user edited it. Reference files are resolved
 * against the image's folder and must stay inside `root` (the workspace folder): a recipe from a
 * cloned repository must not make Pictor upload a file from elsewhere on the machine.
 */
export function inputFromRecipe(recipe: Recipe, imagePath: string, root: string, prompt: string):
  Result<{ input: GenerationInput }, Said> {
  const references: ReferenceInput[] = [];
  for (const r of recipe.references) {
    if ('url' in r) {
      references.push({ kind: 'url', url: r.url });
      continue;
    }
    const abs = path.resolve(path.dirname(imagePath), r.file);
    if (!insideFolders(abs, [root])) {
      return { ok: false, ...said(words('recipe.outsideRef', r.file)) };
    }
    references.push({ kind: 'file', path: abs });
  }
  return {
    ok: true,
    input: {
      prompt: promptWithStyle(prompt, recipe.style),
      model: recipe.model,
      size: recipe.size,
      resolution: recipe.resolution,
      quality: recipe.quality,
      n: recipe.n,
      references: references.length ? references : undefined,
    },
  };
}
