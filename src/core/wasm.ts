// The WebAssembly codecs the workers load (Squoosh's builds of libwebp and MozJPEG, @jsquash/webp and
// @jsquash/jpeg): where each .wasm file is, and an Emscripten module made from its bytes. Only the
// worker threads load them (convertCodecs.ts: the encoders; preview.ts: the WebP decoder of previews).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The .wasm files the workers need, as dist/wasm/ holds them (esbuild.mjs copies them, also to
 * dist/cli/wasm/; the .vsix and the CLI's tarball ship them).
 */
export const WASM_FILES = {
  webp: { pkg: '@jsquash/webp', file: 'codec/enc/webp_enc_simd.wasm' },
  jpeg: { pkg: '@jsquash/jpeg', file: 'codec/enc/mozjpeg_enc.wasm' },
  webpDecode: { pkg: '@jsquash/webp', file: 'codec/dec/webp_dec.wasm' },
} as const;

/**
 * A .wasm file: beside the bundle (dist/wasm/, as the .vsix ships it), else the package's own copy
 * (the unbundled build in out/, which runs with node_modules).
 */
export function wasmBytes(which: keyof typeof WASM_FILES): Buffer {
  const { pkg, file } = WASM_FILES[which];
  const beside = path.join(__dirname, 'wasm', path.basename(file));
  return readFileSync(existsSync(beside) ? beside : require.resolve(`${pkg}/${file}`));
}

// WebAssembly is a global of every Node, but its types live in TypeScript's DOM library, which the core
// does not load: the little used here, declared.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The options an Emscripten module factory takes: our compiled module instead of a fetch, and no URL to find it by. */
export function emscriptenOptions(bytes: Buffer): Record<string, unknown> {
  const module = new wasm.Module(bytes);
  return {
    noInitialRun: true,
    locateFile: (p: string) => p, // never used (instantiateWasm below), but keeps the glue from resolving import.meta.url
    instantiateWasm: (imports: object, done: (i: object) => void) => {
      const instance = new wasm.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
  };
}
