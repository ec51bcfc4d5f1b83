// Scaling an image down for a light file: every target pixel is the exact area average of the source
// pixels it covers (fractional coverage at its edges, as OpenCV's INTER_AREA does), computed in linear
// light with premultiplied alpha. Averaging sRGB values darkens fine detail and edges (a black and
// white checkerboard would turn mid grey 128 instead of 188), and averaging colours without their
// alpha lets the invisible colour of transparent pixels bleed into the edges of a cut-out subject.
// An area average never rings (no halo around edges), and it keeps the mean of every colour.
// Pure and synchronous: the conversion worker runs it (convertWorker.ts), never the extension host.

export interface Rgba {
  width: number;
  height: number;
  /** 4 bytes a pixel, R G B A, rows top to bottom, straight (not premultiplied) alpha. */
  data: Uint8Array;
}

/** sRGB byte → linear light, 0–1. */
const TO_LINEAR = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

/** Linear light (0–1, in LINEAR_STEPS steps) → sRGB byte: fine enough that the darkest steps are under a fifth of a byte apart. */
const LINEAR_STEPS = 16383;
const TO_SRGB = (() => {
  const t = new Uint8Array(LINEAR_STEPS + 1);
  for (let i = 0; i <= LINEAR_STEPS; i++) {
    const l = i / LINEAR_STEPS;
    const c = l <= 0.0031308 ? l * 12.92 : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
    t[i] = Math.round(Math.min(1, Math.max(0, c)) * 255);
  }
  return t;
})();

function toSrgb(l: number): number {
  return TO_SRGB[Math.round(Math.min(1, Math.max(0, l)) * LINEAR_STEPS)]!;
}

/** For each target position along one axis: the first source index it covers and the weight of each source index it covers (summing to 1). */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

function areaTaps(from: number, to: number): Taps {
  const scale = from / to;
  const stride = Math.ceil(scale) + 1;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  const weights = new Float32Array(to * stride);
  for (let i = 0; i < to; i++) {
    const a = i * scale;
    const b = Math.min(from, (i + 1) * scale);
    const first = Math.floor(a);
    let n = 0;
    for (let s = first; s < b && n < stride; s++, n++) {
      weights[i * stride + n] = (Math.min(b, s + 1) - Math.max(a, s)) / scale;
    }
    start[i] = first;
    count[i] = n;
  }
  return { start, count, weights, stride };
}

/**
 * `src` scaled to `width`×`height` (each at most the source's: this only shrinks) by area averaging in
 * linear light with premultiplied alpha. Same size: a copy. Separable: rows first, then columns.
 */
export function shrinkRgba(src: Rgba, width: number, height: number): Rgba {
  if (width > src.width || height > src.height || width < 1 || height < 1) {
    throw new Error(`cannot scale ${src.width}×${src.height} to ${width}×${height}: this only shrinks`);
  }
  if (width === src.width && height === src.height) return { width, height, data: new Uint8Array(src.data) };
  const sw = src.width;
  const sd = src.data;
  // Rows first: each source row shrinks to `width` premultiplied linear pixels (R G B A floats).
  const tx = areaTaps(sw, width);
  const mid = new Float32Array(width * src.height * 4);
  for (let y = 0; y < src.height; y++) {
    const row = y * sw * 4;
    const out = y * width * 4;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      const first = tx.start[x]!;
      const n = tx.count[x]!;
      const wAt = x * tx.stride;
      for (let k = 0; k < n; k++) {
        const i = row + (first + k) * 4;
        const w = tx.weights[wAt + k]!;
        const alpha = (sd[i + 3]! / 255) * w;
        r += TO_LINEAR[sd[i]!]! * alpha;
        g += TO_LINEAR[sd[i + 1]!]! * alpha;
        b += TO_LINEAR[sd[i + 2]!]! * alpha;
        a += alpha;
      }
      const o = out + x * 4;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
      mid[o + 3] = a;
    }
  }
  // Then columns, and back to straight alpha in sRGB bytes.
  const ty = areaTaps(src.height, height);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const first = ty.start[y]!;
    const n = ty.count[y]!;
    const wAt = y * ty.stride;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let k = 0; k < n; k++) {
        const i = ((first + k) * width + x) * 4;
        const w = ty.weights[wAt + k]!;
        r += mid[i]! * w;
        g += mid[i + 1]! * w;
        b += mid[i + 2]! * w;
        a += mid[i + 3]! * w;
      }
      const o = (y * width + x) * 4;
      const alpha = Math.round(Math.min(1, a) * 255);
      if (alpha === 0) continue; // fully transparent: its colour is never seen, left 0
      data[o] = toSrgb(r / a);
      data[o + 1] = toSrgb(g / a);
      data[o + 2] = toSrgb(b / a);
      data[o + 3] = alpha;
    }
  }
  return { width, height, data };
}

/** Whether any pixel is less than fully opaque. */
export function hasTransparency(img: Rgba): boolean {
  const d = img.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return true;
  return false;
}

/**
 * The image composited over white, opaque (for JPEG, which has no alpha). Blended in sRGB values, as
 * browsers composite a transparent PNG over a white page, so the JPEG looks like the PNG would there.
 */
export function flattenOnWhite(img: Rgba): Rgba {
  const d = img.data;
  const data = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]! / 255;
    data[i] = Math.round(d[i]! * a + 255 * (1 - a));
    data[i + 1] = Math.round(d[i + 1]! * a + 255 * (1 - a));
    data[i + 2] = Math.round(d[i + 2]! * a + 255 * (1 - a));
    data[i + 3] = 255;
  }
  return { width: img.width, height: img.height, data };
}
