// What the backdrop of an image asked on a key colour really is (issue 24, section 2): its colour as
// painted, how grainy it is and how much of the border is near it, estimated from the border pixels;
// and the colour distance the keying works with. matte.ts takes that backdrop out of the pixels.
import type { Rgb } from './keyColour';

/** How far the flood's reference may drift from the key (matte.ts; gradients, vignettes): the border counts as flat within it. */
export const DRIFT_MIN = 24;

// --- Colour distance -------------------------------------------------------------------------------

/** Luma counts half as much as chroma: shading of the backdrop changes luma first. */
const LUMA_WEIGHT = 0.5;

export const lum = (r: number, g: number, b: number) => (0.299 * r + 0.587 * g + 0.114 * b) * LUMA_WEIGHT;
export const cb = (r: number, g: number, b: number) => -0.168736 * r - 0.331264 * g + 0.5 * b;
export const cr = (r: number, g: number, b: number) => 0.5 * r - 0.418688 * g - 0.081312 * b;

/** The distance the keying works with, between two RGB colours. */
export function keyDistance(a: Rgb, b: Rgb): number {
  const dy = lum(a[0], a[1], a[2]) - lum(b[0], b[1], b[2]);
  const db = cb(a[0], a[1], a[2]) - cb(b[0], b[1], b[2]);
  const dr = cr(a[0], a[1], a[2]) - cr(b[0], b[1], b[2]);
  return Math.sqrt(dy * dy + db * db + dr * dr);
}

// --- The key, from the border ------------------------------------------------------------------------

export interface KeyEstimate {
  /** The backdrop's colour as painted (the model never paints exactly the colour asked for). */
  key: Rgb;
  /** Share of border pixels within `outer` of the key: how keyable the backdrop is (0–1). */
  flatness: number;
  /** Median distance between neighbouring backdrop pixels on the border: the grain the thresholds allow for. */
  noise: number;
  /** Distances below this are backdrop. */
  inner: number;
  /** Distances from `inner` to this are the soft edge; above, subject. */
  outer: number;
}

/** Thresholds, from the backdrop's grain. */
const INNER_MIN = 16;
const INNER_PER_NOISE = 2.5;
const BAND_MIN = 26;

/** Border indices, ring by ring, each ring in walking order (so neighbours in the list are neighbours in the image). */
export function borderRing(w: number, h: number, ring: number): number[] {
  const out: number[] = [];
  const x0 = ring, y0 = ring, x1 = w - 1 - ring, y1 = h - 1 - ring;
  if (x1 < x0 || y1 < y0) return out;
  for (let x = x0; x <= x1; x++) out.push(y0 * w + x);
  for (let y = y0 + 1; y <= y1; y++) out.push(y * w + x1);
  if (y1 > y0) for (let x = x1 - 1; x >= x0; x--) out.push(y1 * w + x);
  if (x1 > x0) for (let y = y1 - 1; y > y0; y--) out.push(y * w + x0);
  return out;
}

/**
 * The real key from the border pixels: the densest colour of the border (a coarse histogram's peak,
 * then a few mean-shift steps), robust to a subject touching the edge; the grain of the backdrop; and
 * the flatness, the share of border pixels near that key.
 */
export function estimateKey(rgba: Uint8Array | Uint8ClampedArray, w: number, h: number): KeyEstimate {
  const rings = Math.max(1, Math.min(3, Math.floor(Math.min(w, h) / 64)));
  const idx: number[] = [];
  const ringStarts: number[] = [];
  for (let r = 0; r < rings; r++) {
    ringStarts.push(idx.length);
    for (const i of borderRing(w, h, r)) idx.push(i);
  }
  ringStarts.push(idx.length);
  // Densest cell of a 16-level histogram, counting its 26 neighbours too.
  const hist = new Uint32Array(16 * 16 * 16);
  for (const i of idx) hist[((rgba[i * 4]! >> 4) << 8) | ((rgba[i * 4 + 1]! >> 4) << 4) | (rgba[i * 4 + 2]! >> 4)]!++;
  let bestCell = 0, bestCount = -1;
  for (let c = 0; c < hist.length; c++) {
    if (!hist[c]) continue;
    const r = c >> 8, g = (c >> 4) & 15, b = c & 15;
    let sum = 0;
    for (let dr = -1; dr <= 1; dr++) for (let dg = -1; dg <= 1; dg++) for (let db = -1; db <= 1; db++) {
      const R = r + dr, G = g + dg, B = b + db;
      if (R >= 0 && R < 16 && G >= 0 && G < 16 && B >= 0 && B < 16) sum += hist[(R << 8) | (G << 4) | B]!;
    }
    if (sum > bestCount) { bestCount = sum; bestCell = c; }
  }
  let key: [number, number, number] = [((bestCell >> 8) << 4) + 8, (((bestCell >> 4) & 15) << 4) + 8, ((bestCell & 15) << 4) + 8];
  // Mean shift: the mean of the border pixels near the key, a few times, with a shrinking radius.
  for (const radius of [48, 32, 24, 24]) {
    let sr = 0, sg = 0, sb = 0, n = 0;
    for (const i of idx) {
      const p: Rgb = [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!];
      if (keyDistance(p, key) < radius) { sr += p[0]; sg += p[1]; sb += p[2]; n++; }
    }
    if (!n) break;
    key = [sr / n, sg / n, sb / n];
  }
  // Grain: neighbours along the outer ring, both near the key (gradients barely move it).
  const near = (i: number) => keyDistance([rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!], key) < 40;
  const steps: number[] = [];
  for (let k = ringStarts[0]! + 1; k < ringStarts[1]!; k++) {
    const a = idx[k - 1]!, b = idx[k]!;
    if (near(a) && near(b)) steps.push(keyDistance([rgba[a * 4]!, rgba[a * 4 + 1]!, rgba[a * 4 + 2]!], [rgba[b * 4]!, rgba[b * 4 + 1]!, rgba[b * 4 + 2]!]));
  }
  steps.sort((a, b) => a - b);
  const noise = steps.length ? steps[Math.floor(steps.length / 2)]! : 0;
  const inner = Math.max(INNER_MIN, INNER_PER_NOISE * noise);
  const outer = inner + Math.max(BAND_MIN, inner);
  // Flatness: drift of the backdrop along the border (a vignette) counts as flat up to the flood's drift.
  const flatRadius = inner + DRIFT_MIN;
  let flat = 0;
  for (const i of idx) if (keyDistance([rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!], key) < flatRadius) flat++;
  return {
    key: [Math.round(key[0]), Math.round(key[1]), Math.round(key[2])],
    flatness: idx.length ? flat / idx.length : 0, noise, inner, outer,
  };
}
