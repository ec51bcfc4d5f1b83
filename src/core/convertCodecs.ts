// The conversion itself, as the worker thread runs it (convertWorker.ts; convert.ts starts it): decode
// the PNG or JPEG (pngjs, jpeg-js: preview.ts's decoder with its limits), shrink it (resample.ts),
// encode it. PNG with pngjs; WebP and JPEG with libwebp and MozJPEG compiled to WebAssembly (Squoosh's
// builds, @jsquash/webp and @jsquash/jpeg), whose .wasm files esbuild.mjs copies to dist/wasm/ (wasm.ts).
// Never imported by the extension host's thread: loading the codecs is the worker's business.
import { PNG } from 'pngjs';
import { decodeRgba } from './preview';
import { flattenOnWhite, hasTransparency, shrinkRgba, type Rgba } from './resample';
import type { ConvertJob, Converted, KeyResult } from './convert';
import { keyOut } from './matte';
import { toHex } from './keyColour';
import { emscriptenOptions, wasmBytes } from './wasm';

interface Encoder {
  encode(data: Uint8Array, width: number, height: number, options: object): Uint8Array | null;
}

async function webpEncoder(): Promise<Encoder> {
  // The SIMD build: every Node and Electron that runs the extension has WebAssembly SIMD.
  const factory = (await import('@jsquash/webp/codec/enc/webp_enc_simd.js')).default as unknown as (o: object) => Promise<Encoder>;
  return factory(emscriptenOptions(wasmBytes('webp')));
}

async function jpegEncoder(): Promise<Encoder> {
  const factory = (await import('@jsquash/jpeg/codec/enc/mozjpeg_enc.js')).default as unknown as (o: object) => Promise<Encoder>;
  return factory(emscriptenOptions(wasmBytes('jpeg')));
}

// The encoders' settings: libwebp's and MozJPEG's defaults as Squoosh sets them (@jsquash/*/meta.js),
// written out so a dependency update cannot change the files silently.
const WEBP_OPTIONS = {
  target_size: 0, target_PSNR: 0, method: 4, sns_strength: 50, filter_strength: 60, filter_sharpness: 0,
  filter_type: 1, partitions: 0, segments: 4, pass: 1, show_compressed: 0, preprocessing: 0, autofilter: 0,
  partition_limit: 0, alpha_compression: 1, alpha_filtering: 1, alpha_quality: 100, lossless: 0, exact: 0,
  image_hint: 0, emulate_jpeg_size: 0, thread_level: 0, low_memory: 0, near_lossless: 100,
  use_delta_palette: 0, use_sharp_yuv: 0,
};
const JPEG_OPTIONS = {
  baseline: false, arithmetic: false, progressive: true, optimize_coding: true, smoothing: 0,
  color_space: 3 /* YCbCr */, quant_table: 3, trellis_multipass: false, trellis_opt_zero: false,
  trellis_opt_table: false, trellis_loops: 1, auto_subsample: true, chroma_subsample: 2,
  separate_chroma_quality: false,
};

function encodePng(img: Rgba): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  // An opaque image is written as RGB: a quarter fewer bytes before compression.
  const opaque = !hasTransparency(img);
  return PNG.sync.write(png, opaque ? { colorType: 2, inputHasAlpha: true } : { colorType: 6 });
}

/** Runs one job: decode, shrink, encode. Throws with what went wrong. */
export async function convertInThread(job: ConvertJob): Promise<Converted> {
  let decoded = decodeRgba(job.bytes, job.source);
  if (!decoded) throw new Error(`cannot decode a ${job.source.toUpperCase()} source`);
  // Keyed at the size the model drew (its edges are what the matte reads), then scaled with its alpha.
  let keyed: KeyResult | undefined;
  if (job.key) {
    const k = keyOut(decoded.data, decoded.width, decoded.height);
    keyed = k.ok ? { ok: true, transparent: k.transparent, key: toHex(k.estimate.key) } : { ok: false, reason: k.reason, key: toHex(k.estimate.key) };
    if (k.ok) decoded = { width: decoded.width, height: decoded.height, data: k.rgba };
  }
  let img: Rgba = decoded.width === job.width && decoded.height === job.height ? decoded : shrinkRgba(decoded, job.width, job.height);
  let bytes: Uint8Array;
  if (job.format === 'png') {
    bytes = encodePng(img);
  } else if (job.format === 'webp') {
    const out = (await webpEncoder()).encode(img.data, img.width, img.height, { ...WEBP_OPTIONS, quality: job.quality });
    if (!out) throw new Error('libwebp could not encode the image');
    bytes = out;
  } else {
    if (hasTransparency(img)) img = flattenOnWhite(img);
    const out = (await jpegEncoder()).encode(img.data, img.width, img.height, { ...JPEG_OPTIONS, quality: job.quality, chroma_quality: job.quality });
    if (!out) throw new Error('MozJPEG could not encode the image');
    bytes = out;
  }
  // The encoders answer a view into their WebAssembly memory: copy it out into a buffer of its own.
  return { bytes: new Uint8Array(bytes), width: img.width, height: img.height, format: job.format, ...(keyed ? { keyed } : {}) };
}
