// A small copy of a saved image for a language model to look at: decoded (PNG, JPEG, or WebP through
// libwebp's decoder in WebAssembly), shrunk so its longer edge is at most `maxEdge` by averaging each
// source box, and encoded as JPEG. A model needs a glance, not the full file: a 1024×1024 PNG of
// 1–2 MB becomes about 10–30 kB. The agent faces call makePreviewOffThread (previewThread.ts), which
// runs previewInThread in a worker.
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { inflateSync } from 'node:zlib';
import { pngChunks } from './pngText';
import { checkPreviewable, PREVIEW_MAX_EDGE, type Preview, type PreviewJob } from './previewThread';
import type { ImageType } from './types';
import { emscriptenOptions, wasmBytes } from './wasm';
import { IMAGE_FORMATS } from '../shared/imageFormats';

export { PREVIEW_MAX_EDGE, type Preview };
const JPEG_QUALITY = 80;

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Channels per pixel of each PNG colour type. */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * pngjs inflates an interlaced image's data without a limit (a plain one stops at the size its header
 * gives): inflate it here first, stopping at the most its header allows, so a few KB that inflate to
 * gigabytes are refused. The seven Adam7 passes add at most a filter byte and a partial byte per row
 * of each pass: under 4 bytes per image row in all.
 */
function checkInterlacedData(buf: Buffer): void {
  const chunks = pngChunks(buf);
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const channels = PNG_CHANNELS[ihdr[9]!];
  if (!channels) throw new Error(`unknown PNG colour type ${ihdr[9]}`);
  const most = Math.ceil((width * height * channels * ihdr[8]!) / 8) + 4 * height + 16;
  try {
    inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)), { maxOutputLength: most });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`the image data inflates to more than the ${most} bytes its header allows`);
    throw e;
  }
}

/** The pixels of a PNG or JPEG (RGBA); undefined for WebP. The conversion worker decodes with it too (convertCodecs.ts). */
export function decodeRgba(bytes: Uint8Array, type: ImageType): Rgba | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'png') {
    if (buf.length > 28 && buf[28] === 1) checkInterlacedData(buf);
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: png.data };
  }
  if (type === 'jpeg') {
    // The header check bounds the pixels; this limit keeps a hostile file from asking for more than they
    // need. jpeg-js counts every buffer of the decode: 3840×2160 and 2880×2880 take about 150 MB (128 refused them).
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
    return { width: img.width, height: img.height, data: img.data };
  }
  return undefined; // WebP: no decoder worth its weight; the text answer still names the file
}

/** Box-filter downscale (each target pixel averages the source pixels it covers), composited on white. */
function shrink(src: Rgba, maxEdge: number): Rgba {
  const scale = Math.min(1, maxEdge / Math.max(src.width, src.height));
  const width = Math.max(1, Math.round(src.width * scale));
  const height = Math.max(1, Math.round(src.height * scale));
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * src.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * src.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * src.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * src.width) / width));
      let r = 0, g = 0, b = 0, n = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * src.width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, i += 4) {
          const a = src.data[i + 3]! / 255;
          r += src.data[i]! * a + 255 * (1 - a);
          g += src.data[i + 1]! * a + 255 * (1 - a);
          b += src.data[i + 2]! * a + 255 * (1 - a);
          n++;
        }
      }
      const o = (y * width + x) * 4;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/**
 * The preview of a PNG or JPEG file's bytes; undefined for WebP, whose decoder is WebAssembly and
 * asynchronous (previewInThread decodes every type). Throws on corrupt bytes, and before decoding
 * anything on a header larger than a request can produce (checkPreviewable). Synchronous and slow on
 * a large image: the faces run it in a worker (makePreviewOffThread).
 */
export function makePreview(bytes: Uint8Array, type: ImageType, maxEdge = PREVIEW_MAX_EDGE): Preview | undefined {
  if (type === 'webp') return undefined;
  checkPreviewable(bytes, type);
  const img = decodeRgba(bytes, type);
  return img && previewOf(img, maxEdge);
}

/** What the preview worker runs (previewWorker.ts): the preview of a PNG, JPEG or WebP. Throws as makePreview does. */
export async function previewInThread(job: PreviewJob): Promise<Preview> {
  if (job.type !== 'webp') {
    const p = makePreview(job.bytes, job.type, job.maxEdge);
    if (!p) throw new Error(`cannot decode a ${job.type.toUpperCase()} image`);
    return p;
  }
  checkPreviewable(job.bytes, 'webp');
  return previewOf(await decodeWebp(job.bytes), job.maxEdge);
}

function previewOf(img: Rgba, maxEdge: number): Preview {
  const small = shrink(img, maxEdge);
  const encoded = jpeg.encode({ width: small.width, height: small.height, data: Buffer.from(small.data.buffer) }, JPEG_QUALITY);
  return { mimeType: IMAGE_FORMATS.jpeg.mime, data: new Uint8Array(encoded.data), width: small.width, height: small.height };
}

interface WebpDecoder {
  decode(data: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } | null;
}
let webpDecoder: Promise<WebpDecoder> | undefined;

/**
 * The pixels of a WebP (RGBA), by libwebp's own decoder (Squoosh's WebAssembly build, @jsquash/webp,
 * the same library that encodes Pictor's WebP files; its .wasm is dist/wasm/webp_dec.wasm). The header
 * was checked first (checkPreviewable): libwebp decodes at the size the bitstream gives, which it checks
 * against the container's. Loaded once per worker.
 */
async function decodeWebp(bytes: Uint8Array): Promise<Rgba> {
  webpDecoder ??= import('@jsquash/webp/codec/dec/webp_dec.js').then((m) =>
    (m.default as unknown as (o: object) => Promise<WebpDecoder>)(emscriptenOptions(wasmBytes('webpDecode'))));
  const img = (await webpDecoder).decode(bytes);
  if (!img) throw new Error('libwebp could not decode the WebP image');
  return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
}
