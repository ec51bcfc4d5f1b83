// The preview of a saved image, made off the extension host's thread. The image came from the
// provider (or a proxy in between): its header is checked here first, and an image larger than any
// request can produce is refused before anything is decoded; an allowed one is decoded in a worker
// thread (previewWorker.ts), so even a slow decode never holds up the host, and one that runs too
// long is stopped. This module loads no decoder: the worker does.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readPixelSize } from './api/imageInfo';
import { formatCount, MAX_EDGE, MAX_PIXELS } from '../shared/sizes';
import type { ImageType } from './types';
import type { IMAGE_FORMATS } from '../shared/imageFormats';

export const PREVIEW_MAX_EDGE = 256;
/**
 * No image a request produces comes near this: a 3840×2160 PNG stored without compression is about
 * 33 MB. A bigger file is not read into memory for a preview.
 */
export const MAX_PREVIEW_FILE_BYTES = 64 * 1024 * 1024;
/** A 4K image decodes in well under a second; a decode still running after this is stopped. */
export const PREVIEW_TIMEOUT_MS = 10_000;

export interface Preview {
  mimeType: typeof IMAGE_FORMATS.jpeg.mime;
  data: Uint8Array;
  width: number;
  height: number;
}

/** What the worker is given and answers. */
export interface PreviewJob {
  bytes: Uint8Array;
  type: ImageType;
  maxEdge: number;
}
export type PreviewAnswer = { preview: Preview } | { error: string };

/**
 * Throws (with what is wrong) when the bytes must not be decoded for a preview: too many of them, no
 * pixel size in the header, or a header asking for more pixels than a request can produce (a 3840-pixel
 * edge, 8,294,400 pixels; src/shared/sizes.ts). Reads only the header: cheap on any file.
 */
export function checkPreviewable(bytes: Uint8Array, type: ImageType): void {
  if (bytes.byteLength > MAX_PREVIEW_FILE_BYTES) {
    throw new Error(`the file has ${formatCount(bytes.byteLength)} bytes, more than the ${formatCount(MAX_PREVIEW_FILE_BYTES)} a preview reads`);
  }
  const size = readPixelSize(bytes, type);
  if (!size) throw new Error(`no pixel size in the ${type.toUpperCase()} header`);
  if (size.width > MAX_EDGE || size.height > MAX_EDGE || size.width * size.height > MAX_PIXELS) {
    throw new Error(`the header says ${size.width}×${size.height} pixels, larger than any request produces ` +
      `(at most ${formatCount(MAX_EDGE)} pixels an edge and ${formatCount(MAX_PIXELS)} in all): not decoded`);
  }
}

/** The worker beside this file: dist/previewWorker.js in the bundle, out/src/core/previewWorker.js under tsc. */
const WORKER_FILE = path.join(__dirname, 'previewWorker.js');

/**
 * The preview of a PNG, JPEG or WebP file's bytes, decoded in a worker thread (never on the caller's:
 * the extension host, the agent server). Rejects with what is wrong when the header is refused (before
 * any worker starts), the bytes are corrupt, or the decode takes longer than `timeoutMs` (the worker
 * is then stopped).
 */
export async function makePreviewOffThread(bytes: Uint8Array, type: ImageType,
  opts: { maxEdge?: number; timeoutMs?: number } = {}): Promise<Preview> {
  checkPreviewable(bytes, type);
  const job: PreviewJob = { bytes, type, maxEdge: opts.maxEdge ?? PREVIEW_MAX_EDGE };
  const timeoutMs = opts.timeoutMs ?? PREVIEW_TIMEOUT_MS;
  return (await oneJobInWorker<PreviewAnswer>(WORKER_FILE, job, timeoutMs, { slow: 'the decode', worker: 'the preview worker' })).preview;
}

/**
 * One job in a fresh worker started from `file`: it answers one message (or `{ error }`) and is then
 * stopped, as it is when it takes longer than `timeoutMs` or dies. The way the core runs work that must
 * not hold up the extension host (previews, conversions).
 */
export function oneJobInWorker<A extends object>(file: string, data: unknown, timeoutMs: number, what: { slow: string; worker: string }): Promise<Exclude<A, { error: string }>> {
  return new Promise((resolve, reject) => {
    // The heap limit covers the decoders' own objects; pixels and WebAssembly memory live outside it,
    // bounded by the header checks.
    const worker = new Worker(file, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      f();
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`${what.slow} took longer than ${timeoutMs} ms: stopped`))), timeoutMs);
    worker.once('message', (a: A) => settle(() => ('error' in a ? reject(new Error(String(a.error))) : resolve(a as Exclude<A, { error: string }>))));
    worker.once('error', (e) => settle(() => reject(e)));
    worker.once('exit', (code) => settle(() => reject(new Error(`${what.worker} stopped (exit code ${code})`))));
  });
}
