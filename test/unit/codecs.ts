// Independent decoders for the tests of light files: libwebp's and MozJPEG's own decoders (Squoosh's
// WebAssembly builds in @jsquash, loaded here on their own; the extension ships only the WebP one, for
// previews), so a file the conversion wrote is read back by the reference implementation, not by the
// code under test.
import { readFileSync } from 'node:fs';

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

interface Decoder {
  decode(data: Uint8Array, ...more: unknown[]): Pixels | null;
}

const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: object } } }).WebAssembly;

async function load(glue: Promise<{ default: unknown }>, wasmPath: string): Promise<Decoder> {
  const module = new wasmApi.Module(readFileSync(require.resolve(wasmPath)));
  const factory = (await glue).default as (o: object) => Promise<Decoder>;
  return factory({
    noInitialRun: true,
    locateFile: (p: string) => p,
    instantiateWasm: (imports: object, done: (i: object) => void) => {
      const instance = new wasmApi.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
  });
}

let webp: Promise<Decoder> | undefined;
let jpeg: Promise<Decoder> | undefined;

/** The pixels of a WebP file, decoded by libwebp; throws when it does not decode. */
export async function decodeWebp(bytes: Uint8Array): Promise<Pixels> {
  webp ??= load(import('@jsquash/webp/codec/dec/webp_dec.js'), '@jsquash/webp/codec/dec/webp_dec.wasm');
  const img = (await webp).decode(bytes);
  if (!img) throw new Error('libwebp could not decode the file');
  return img;
}

/** The pixels of a JPEG file (RGBA), decoded by MozJPEG; throws when it does not decode. */
export async function decodeJpeg(bytes: Uint8Array): Promise<Pixels> {
  jpeg ??= load(import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js'), '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
  const img = (await jpeg).decode(bytes, false);
  if (!img) throw new Error('MozJPEG could not decode the file');
  return img;
}
