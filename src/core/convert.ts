// Light files (issue 24 §3): an image as PNG, WebP or JPEG, scaled down to a width, made off the
// extension host's thread. Decoding a 3840×2160 PNG alone takes about 0.4 s, encoding it as WebP
// more: the work runs in a worker thread (convertWorker.ts, bundled as dist/convertWorker.js with the
// encoders' .wasm files beside it in dist/wasm/), and this side only checks the header and waits.
// The encoders are Squoosh's builds of libwebp and MozJPEG as WebAssembly (@jsquash/webp,
// @jsquash/jpeg): the reference implementations, and one .vsix for every platform (no native addon).
// This module loads no decoder or encoder: the worker does.
import * as path from 'node:path';
import { imageInfo } from './api/imageInfo';
import { oneJobInWorker } from './previewThread';
import { formatCount, MAX_EDGE, MAX_PIXELS } from '../shared/sizes';
import type { ImageType } from './types';
import { extensionOf, IMAGE_FORMATS, IMAGE_TYPES } from '../shared/imageFormats';
import type { Words } from '../shared/words';
import type { Result } from '../shared/result';

export type LightFormat = ImageType;
export const LIGHT_FORMATS: readonly LightFormat[] = IMAGE_TYPES;

/** JPEG has no alpha channel: a transparent image cannot be one (the planner refuses transparent + jpeg before anything is paid). */
export function formatAllowsAlpha(format: LightFormat): boolean {
  return IMAGE_FORMATS[format].transparency;
}

/** The file name extension of each format (the format table's first). */
export const FORMAT_EXTENSION: Readonly<Record<LightFormat, string>> =
  Object.fromEntries(IMAGE_TYPES.map((t) => [t, extensionOf(t)])) as Record<LightFormat, string>;

/** Lossy quality (1–100) when none is asked for: libwebp's and MozJPEG's own default is 75; 80 keeps gradients in generated art clean. */
export const DEFAULT_QUALITY = 80;
/** No image a request produces comes near this (a 4K PNG is about 10–25 MB); a bigger file is not read. */
export const MAX_CONVERT_FILE_BYTES = 64 * 1024 * 1024;
/** A 4K WebP encode takes a second or two; one still running after this is stopped. */
export const CONVERT_TIMEOUT_MS = 60_000;

export interface ConvertRequest {
  /** The image as the provider sent it: PNG (or JPEG). */
  bytes: Uint8Array;
  format: LightFormat;
  /** Scaled down (never up) to at most this many pixels wide, keeping the aspect ratio. */
  maxWidth?: number;
  /** Lossy quality, 1–100 (WebP, JPEG); DEFAULT_QUALITY when left out. */
  quality?: number;
  /** Make the flat backdrop transparent first (matte.ts keyOut), in the worker too; the format must allow alpha. */
  key?: boolean;
}

/** What keying did: the share made transparent, or why the image was kept opaque (the core's words). */
export type KeyResult = Result<{ transparent: number; key: string }, { reason: Words; key: string }>;

export interface Converted {
  bytes: Uint8Array;
  width: number;
  height: number;
  format: LightFormat;
  /** Set when keying was asked for. */
  keyed?: KeyResult;
}

/** What the worker is given and answers. */
export interface ConvertJob {
  bytes: Uint8Array;
  source: ImageType;
  format: LightFormat;
  width: number;
  height: number;
  quality: number;
  key?: boolean;
}
export type ConvertAnswer = { converted: Converted } | { error: string };

/** The size `width`×`height` becomes under `maxWidth`: the aspect ratio kept, never larger. */
export function convertedSize(width: number, height: number, maxWidth: number | undefined): { width: number; height: number } {
  if (maxWidth === undefined || maxWidth >= width) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

/**
 * The source's type and pixel size from its header; throws (with what is wrong) when it must not be
 * decoded: too many bytes, not a PNG or JPEG, or more pixels than any request produces. Cheap on any file.
 */
export function checkConvertible(bytes: Uint8Array): { type: ImageType; width: number; height: number } {
  if (bytes.byteLength > MAX_CONVERT_FILE_BYTES) {
    throw new Error(`the file has ${formatCount(bytes.byteLength)} bytes, more than the ${formatCount(MAX_CONVERT_FILE_BYTES)} a conversion reads`);
  }
  const info = imageInfo(bytes);
  if (!info) throw new Error('not a PNG, JPEG or WebP file with a pixel size in its header');
  if (info.type === 'webp') throw new Error('a WebP source is not converted (the provider sends PNG)');
  if (info.width > MAX_EDGE || info.height > MAX_EDGE || info.width * info.height > MAX_PIXELS) {
    throw new Error(`the header says ${info.width}×${info.height} pixels, larger than any request produces: not decoded`);
  }
  return info;
}

function checkRequest(req: ConvertRequest): void {
  if (!(LIGHT_FORMATS as readonly string[]).includes(req.format)) throw new Error(`unknown format "${String(req.format)}"`);
  if (req.maxWidth !== undefined && !(Number.isInteger(req.maxWidth) && req.maxWidth >= 1)) throw new Error(`maxWidth must be a whole number of pixels, not ${req.maxWidth}`);
  if (req.quality !== undefined && !(Number.isInteger(req.quality) && req.quality >= 1 && req.quality <= 100)) throw new Error(`quality must be a whole number from 1 to 100, not ${req.quality}`);
  if (req.key && !formatAllowsAlpha(req.format)) throw new Error(`a ${req.format.toUpperCase()} file cannot be transparent`);
}

/** The worker beside this file: dist/convertWorker.js in the bundle, out/src/core/convertWorker.js under tsc. */
const WORKER_FILE = path.join(__dirname, 'convertWorker.js');

/**
 * The image in `format`, at most `maxWidth` wide. Decoding, scaling and encoding run in a worker
 * thread; the caller's thread reads only the header. The same format at the same size is the input
 * itself, untouched (no worker). Rejects with what is wrong: a refused header (before any worker
 * starts), corrupt bytes, or an encode longer than `timeoutMs` (the worker is then stopped).
 * JPEG has no alpha: a transparent source is composited over white (see formatAllowsAlpha). With
 * `key`, the backdrop is keyed out first (matte.ts), on the worker's thread too: a 1536×1024 decode and
 * matte never runs on the caller's; when it cannot be keyed the image stays opaque and `keyed` says why.
 */
export async function convertImage(req: ConvertRequest, opts: { timeoutMs?: number } = {}): Promise<Converted> {
  checkRequest(req);
  const src = checkConvertible(req.bytes);
  const size = convertedSize(src.width, src.height, req.maxWidth);
  if (!req.key && src.type === req.format && size.width === src.width) return { bytes: req.bytes, width: src.width, height: src.height, format: req.format };
  const job: ConvertJob = { bytes: req.bytes, source: src.type, format: req.format, ...size, quality: req.quality ?? DEFAULT_QUALITY, ...(req.key ? { key: true } : {}) };
  return runInWorker(WORKER_FILE, job, opts.timeoutMs ?? CONVERT_TIMEOUT_MS);
}

/** One job in a fresh worker started from `file` (the packaging test starts it from the packaged files). */
export async function runInWorker(file: string, job: ConvertJob, timeoutMs: number): Promise<Converted> {
  return (await oneJobInWorker<ConvertAnswer>(file, job, timeoutMs, { slow: 'the conversion', worker: 'the conversion worker' })).converted;
}
