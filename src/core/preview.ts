// A small copy of a saved image for a language model to look at: decoded (PNG or JPEG), shrunk so
// its longer edge is at most `maxEdge` by averaging each source box, and encoded as JPEG. A model
// needs a glance, not the full file: a 1024×1024 PNG of 1–2 MB becomes about 10–30 kB.
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import type { ImageType } from './types';

export const PREVIEW_MAX_EDGE = 256;
const JPEG_QUALITY = 80;

export interface Preview {
  mimeType: 'image/jpeg';
  data: Uint8Array;
  width: number;
  height: number;
}

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

function decode(bytes: Uint8Array, type: ImageType): Rgba | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'png') {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: png.data };
  }
  if (type === 'jpeg') {
    // The limit keeps a hostile file from asking for gigabytes (4K images need about 33 MB).
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 128 });
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

/** The preview of an image file's bytes, or undefined for a type it cannot decode. Throws on corrupt bytes. */
export function makePreview(bytes: Uint8Array, type: ImageType, maxEdge = PREVIEW_MAX_EDGE): Preview | undefined {
  const img = decode(bytes, type);
  if (!img) return undefined;
  const small = shrink(img, maxEdge);
  const encoded = jpeg.encode({ width: small.width, height: small.height, data: Buffer.from(small.data.buffer) }, JPEG_QUALITY);
  return { mimeType: 'image/jpeg', data: new Uint8Array(encoded.data), width: small.width, height: small.height };
}
