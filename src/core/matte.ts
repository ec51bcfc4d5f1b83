// Transparent images (issue 24, section 2): the provider has no background parameter, so Pictor asks
// for the subject on a flat key colour and mattes that background out itself. Plain Node on raw RGBA
// buffers (row-major, 4 bytes a pixel), no `vscode`: the caller decodes and encodes the PNG.
//
// Only the background *connected to the border* goes (one flood fill), plus enclosed holes that are
// as close to the key as the border itself and large (the inside of a donut): a global colour
// threshold would eat subject pixels near the key. Distances are in YCbCr with luma weighed down,
// since shading of the backdrop (vignette, soft shadow) changes luma more than chroma. The flood's
// reference colour follows the backdrop slowly (gradients, vignettes), within a bounded drift of
// the key, so it cannot walk across a subject's edge. When the border is not flat enough to key,
// the decision says so and the caller keeps the image opaque: never a half-eaten subject.
import { words, type Words } from '../shared/words';
import type { Result } from '../shared/result';

export type Rgb = readonly [number, number, number];

export type KeyName = 'magenta' | 'green' | 'blue';

export const KEY_COLOURS: Readonly<Record<KeyName, Rgb>> = {
  magenta: [255, 0, 255],
  green: [0, 255, 0],
  blue: [0, 0, 255],
};

/** Prompt words per hue family (English and Chinese), with how strongly each conflicts with a key. */
const HUE_WORDS: readonly { re: RegExp; magenta: number; green: number; blue: number }[] = [
  { re: /\b(pink|magenta|fuchsia|purple|violet|lilac|lavender|mauve|orchid|plum|rose|amethyst|flamingo|cherry blossoms?|sakura)\b|粉|紫|品红|洋红|玫瑰|樱花|薰衣草|丁香/gi, magenta: 2, green: 0, blue: 0.5 },
  { re: /\b(red|crimson|scarlet|ruby|raspberry|berr(y|ies)|strawberr(y|ies))\b|红|莓/gi, magenta: 1, green: 0, blue: 0 },
  { re: /\b(green|lime|leaf|leaves|grass|forest|jungle|emerald|jade|olive|mint|moss|fern|frog|cactus|tree|trees|plant|plants|meadow|vine|lettuce|broccoli)\b|绿|青草|草地|草|叶|森林|树|翠|苔|薄荷|植物|竹/gi, magenta: 0, green: 2, blue: 0 },
  { re: /\b(yellow|chartreuse|teal|turquoise|aqua)\b|黄|松石/gi, magenta: 0, green: 0.7, blue: 0.5 },
  { re: /\b(blue|navy|azure|cobalt|sapphire|sky|ocean|sea|water|cyan|indigo|denim|ice|glacier)\b|蓝|天空|海|水|冰|靛/gi, magenta: 0.3, green: 0, blue: 2 },
];

/** The first key is the one kept when nothing in the prompt argues against it. */
const KEY_ORDER: readonly KeyName[] = ['magenta', 'green', 'blue'];

const KEY_WORDS: Readonly<Record<KeyName, string>> = { magenta: 'magenta', green: 'green', blue: 'blue' };

/** What the model is told (in English, which it reads best; the user never sees this sentence alone). */
export function keyInstruction(name: KeyName): string {
  const hex = toHex(KEY_COLOURS[name]);
  const k = KEY_WORDS[name];
  return `Draw the subject alone on a perfectly flat, uniform, solid ${k} (${hex}) background that fills the whole image edge to edge: no gradient, texture, pattern, floor, cast shadow, frame or border. Do not use ${k} or colours close to it anywhere in the subject, and keep the subject clear of the image edges.`;
}

export interface KeyChoice {
  name: KeyName;
  key: Rgb;
  /** `#RRGGBB`, for the recipe. */
  hex: string;
  /** The sentence to append to the prompt. */
  instruction: string;
}

/** A flat key colour away from the colours the prompt names: magenta unless the subject is pink or purple, and so on. */
export function chooseKeyColour(prompt: string): KeyChoice {
  const score: Record<KeyName, number> = { magenta: 0, green: 0, blue: 0 };
  for (const h of HUE_WORDS) {
    const hits = prompt.match(h.re)?.length ?? 0;
    for (const k of KEY_ORDER) score[k] += hits * h[k];
  }
  let best: KeyName = KEY_ORDER[0]!;
  for (const k of KEY_ORDER) if (score[k] < score[best]) best = k;
  return { name: best, key: KEY_COLOURS[best], hex: toHex(KEY_COLOURS[best]), instruction: keyInstruction(best) };
}

export function toHex(c: Rgb): string {
  return `#${c.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}

// --- Colour distance -------------------------------------------------------------------------------

/** Luma counts half as much as chroma: shading of the backdrop changes luma first. */
const LUMA_WEIGHT = 0.5;

const lum = (r: number, g: number, b: number) => (0.299 * r + 0.587 * g + 0.114 * b) * LUMA_WEIGHT;
const cb = (r: number, g: number, b: number) => -0.168736 * r - 0.331264 * g + 0.5 * b;
const cr = (r: number, g: number, b: number) => 0.5 * r - 0.418688 * g - 0.081312 * b;

/** The distance this module keys with, between two RGB colours. */
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
function borderRing(w: number, h: number, ring: number): number[] {
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

// --- The matte --------------------------------------------------------------------------------------

/** Pixels this close (steps) to the backdrop are its fringe: a pocket of key colour there is backdrop whatever its size. */
const FRINGE = 16;

/** 1 where a pixel is within `reach` 4-steps of a backdrop pixel (state 1), else 0. */
function nearBackdrop(w: number, h: number, state: Uint8Array, queue: Int32Array, reach: number): Uint8Array {
  const n = w * h;
  const dist = new Uint8Array(n).fill(255);
  let head = 0, tail = 0;
  for (let i = 0; i < n; i++) if (state[i] === 1) { dist[i] = 0; queue[tail++] = i; }
  while (head < tail) {
    const p = queue[head++]!;
    const d = dist[p]! + 1;
    if (d > reach) continue;
    const x = p % w;
    if (x > 0 && dist[p - 1]! > d) { dist[p - 1] = d; queue[tail++] = p - 1; }
    if (x < w - 1 && dist[p + 1]! > d) { dist[p + 1] = d; queue[tail++] = p + 1; }
    if (p >= w && dist[p - w]! > d) { dist[p - w] = d; queue[tail++] = p - w; }
    if (p + w < n && dist[p + w]! > d) { dist[p + w] = d; queue[tail++] = p + w; }
  }
  for (let i = 0; i < n; i++) dist[i] = dist[i]! <= reach ? 1 : 0;
  return dist;
}

/** How far the flood's reference may drift from the key (gradients, vignettes), and how fast it follows. */
const DRIFT_MIN = 24;
const FOLLOW = 0.05;

export interface MatteOptions {
  /** Remove enclosed holes as close to the key as the backdrop and at least this many pixels (default: 0.05 % of the image, at least 64); 0 keeps every hole. */
  minHole?: number;
  /** Take the key's tint out of the edge pixels (default true). */
  despill?: boolean;
}

export interface MatteResult {
  /** The image with its alpha channel and despilled edges (a new buffer). */
  rgba: Uint8Array;
  /** Share of the image made fully transparent. */
  transparent: number;
}

/**
 * Mattes the backdrop out: a flood from the border over pixels near the key (hard backdrop: alpha 0),
 * stopping at pixels that are not; pixels between `inner` and `outer` next to it get a soft alpha.
 */
export function matte(rgba: Uint8Array | Uint8ClampedArray, w: number, h: number, est: KeyEstimate, options: MatteOptions = {}): MatteResult {
  const n = w * h;
  const K = est.key;
  const kY = lum(K[0], K[1], K[2]), kB = cb(K[0], K[1], K[2]), kR = cr(K[0], K[1], K[2]);
  const inner = est.inner, outer = est.outer, band = outer - inner;
  const drift = Math.max(DRIFT_MIN, inner);
  const drift2 = drift * drift;
  // The pixels in YCbCr (luma already weighed), once.
  const Y = new Float32Array(n), B = new Float32Array(n), R = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const r = rgba[j]!, g = rgba[j + 1]!, b = rgba[j + 2]!;
    Y[i] = lum(r, g, b); B[i] = cb(r, g, b); R[i] = cr(r, g, b);
  }
  // alpha: 255 unvisited (subject), 0 backdrop, between: soft edge. refs: the flood's reference per backdrop pixel.
  const alpha = new Uint8Array(n).fill(255);
  const state = new Uint8Array(n); // 0 unseen, 1 backdrop, 2 soft edge
  const rY = new Float32Array(n), rB = new Float32Array(n), rR = new Float32Array(n);
  const queue = new Int32Array(n);

  const flood = (seeds: Iterable<number>) => {
    let head = 0, tail = 0;
    for (const s of seeds) {
      if (state[s] === 1) continue;
      state[s] = 1; alpha[s] = 0;
      rY[s] = kY; rB[s] = kB; rR[s] = kR;
      queue[tail++] = s;
    }
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % w;
      const pY = rY[p]!, pB = rB[p]!, pR = rR[p]!;
      for (let k = 0; k < 4; k++) {
        let q: number;
        if (k === 0) { if (x === 0) continue; q = p - 1; } else if (k === 1) { if (x === w - 1) continue; q = p + 1; } else if (k === 2) { if (p < w) continue; q = p - w; } else { q = p + w; if (q >= n) continue; }
        if (state[q] === 1) continue;
        const dy = Y[q]! - pY, db = B[q]! - pB, dr = R[q]! - pR;
        const d = Math.sqrt(dy * dy + db * db + dr * dr);
        if (d < inner) {
          state[q] = 1; alpha[q] = 0;
          // Follow the backdrop slowly, never further than `drift` from the key.
          let nY = pY + FOLLOW * dy, nB = pB + FOLLOW * db, nR = pR + FOLLOW * dr;
          const oy = nY - kY, ob = nB - kB, or = nR - kR;
          const o2 = oy * oy + ob * ob + or * or;
          if (o2 > drift2) { const s = drift / Math.sqrt(o2); nY = kY + oy * s; nB = kB + ob * s; nR = kR + or * s; }
          rY[q] = nY; rB[q] = nB; rR[q] = nR;
          queue[tail++] = q;
        } else if (d < outer) {
          const a = Math.round((255 * (d - inner)) / band);
          if (state[q] === 0 || a < alpha[q]!) alpha[q] = a;
          state[q] = 2;
        }
      }
    }
  };

  // Seeds: border pixels near the key.
  const seeds: number[] = [];
  const nearKey = (i: number) => {
    const dy = Y[i]! - kY, db = B[i]! - kB, dr = R[i]! - kR;
    return dy * dy + db * db + dr * dr < inner * inner;
  };
  for (const i of borderRing(w, h, 0)) if (nearKey(i)) seeds.push(i);
  flood(seeds);

  // Enclosed holes: untouched components as near the key as the border, and large — or of any size
  // close to the backdrop: the key seen between strands of hair or fur, not a detail of the subject.
  const minHole = options.minHole ?? Math.max(64, Math.round(n * 0.0005));
  if (minHole > 0) {
    const near = nearBackdrop(w, h, state, queue, FRINGE);
    const seen = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      if (state[s] !== 0 || seen[s] || !nearKey(s)) continue;
      // Label the component (stored in `queue`'s tail region would clash with flood; use a local list).
      const comp: number[] = [s];
      seen[s] = 1;
      for (let c = 0; c < comp.length; c++) {
        const p = comp[c]!, x = p % w;
        const nb = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, p >= w ? p - w : -1, p + w < n ? p + w : -1];
        for (const q of nb) if (q >= 0 && !seen[q] && state[q] === 0 && nearKey(q)) { seen[q] = 1; comp.push(q); }
      }
      if (comp.length >= minHole || comp.some((q) => near[q])) flood(comp);
    }
  }

  unmixEdges(w, h, state, alpha, Y, B, R, rY, rB, rR, inner);

  const out = new Uint8Array(n * 4);
  out.set(rgba);
  let transparent = 0;
  for (let i = 0; i < n; i++) {
    out[i * 4 + 3] = Math.round((alpha[i]! * rgba[i * 4 + 3]!) / 255);
    if (alpha[i] === 0) transparent++;
  }
  if (options.despill !== false) despill(out, w, h, alpha, [kB, kR]);
  return { rgba: out, transparent: transparent / n };
}

/** How far (pixels) from the backdrop an edge pixel looks for the subject colour it is mixed from. */
const EDGE_REACH = 2;

/**
 * Alpha of the edge by unmixing: an edge pixel P between the backdrop's colour K (the flood's
 * reference next to it) and the subject's colour F (the pixel farthest from K within EDGE_REACH) is
 * P = αF + (1−α)K, so α is P−K projected on F−K. A pixel off that line is a colour of its own and
 * keeps the alpha it has. This gets thin lines, hair and dark outlines right, which a distance ramp
 * alone does not (a dark line 40 % covered is far from the key, yet 60 % backdrop).
 */
function unmixEdges(w: number, h: number, state: Uint8Array, alpha: Uint8Array, Y: Float32Array, B: Float32Array, R: Float32Array,
  rY: Float32Array, rB: Float32Array, rR: Float32Array, inner: number): void {
  const n = w * h;
  for (let p = 0; p < n; p++) {
    if (state[p] === 1) continue;
    const px = p % w, py = (p - px) / w;
    const xa = Math.max(0, px - EDGE_REACH), xb = Math.min(w - 1, px + EDGE_REACH);
    const ya = Math.max(0, py - EDGE_REACH), yb = Math.min(h - 1, py + EDGE_REACH);
    // The backdrop next to it: the mean reference of backdrop pixels in the window.
    let kY = 0, kB = 0, kR = 0, k = 0;
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) {
      const q = y * w + x;
      if (state[q] === 1) { kY += rY[q]!; kB += rB[q]!; kR += rR[q]!; k++; }
    }
    if (!k) continue;
    kY /= k; kB /= k; kR /= k;
    // The subject: the pixel farthest from that backdrop in the window.
    let fY = 0, fB = 0, fR = 0, best = -1;
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) {
      const q = y * w + x;
      if (state[q] === 1) continue;
      const dy = Y[q]! - kY, db = B[q]! - kB, dr = R[q]! - kR;
      const d2 = dy * dy + db * db + dr * dr;
      if (d2 > best) { best = d2; fY = Y[q]!; fB = B[q]!; fR = R[q]!; }
    }
    const vY = fY - kY, vB = fB - kB, vR = fR - kR;
    const v2 = vY * vY + vB * vB + vR * vR;
    if (v2 < 4 * inner * inner) continue; // the subject is too close to the key to unmix against
    const pY = Y[p]! - kY, pB = B[p]! - kB, pR = R[p]! - kR;
    const t = (pY * vY + pB * vB + pR * vR) / v2;
    // Off the line K–F by more than the grain allows: its own colour, not a mix.
    const oY = pY - t * vY, oB = pB - t * vB, oR = pR - t * vR;
    const off = Math.sqrt(oY * oY + oB * oB + oR * oR);
    if (off > Math.max(inner, 0.25 * Math.sqrt(v2))) continue;
    const a = Math.round(255 * Math.max(0, Math.min(1, t)));
    if (state[p] === 2) alpha[p] = a; // soft: the mix is the better estimate either way
    else if (a < alpha[p]!) alpha[p] = a;
  }
}

/** How far from the backdrop (in pixels) an opaque pixel still counts as edge and is despilled. */
const SPILL_REACH = 2;

/**
 * Takes the key's tint out of the edge: soft pixels and opaque pixels within SPILL_REACH of the
 * backdrop lose the part of their chroma that points towards the key's beyond what the subject's
 * interior nearby has, luma kept.
 */
function despill(out: Uint8Array, w: number, h: number, alpha: Uint8Array, keyChroma: [number, number]): void {
  const n = w * h;
  const len = Math.hypot(keyChroma[0], keyChroma[1]);
  if (len < 8) return; // a grey key has no tint to take out
  const ub = keyChroma[0] / len, ur = keyChroma[1] / len;
  // Distance (in steps, up to SPILL_REACH) from a pixel that is not opaque.
  const dist = new Uint8Array(n).fill(255);
  for (let i = 0; i < n; i++) if (alpha[i]! < 255) dist[i] = 0;
  for (let step = 1; step <= SPILL_REACH; step++) {
    for (let i = 0; i < n; i++) {
      if (dist[i] !== 255) continue;
      const x = i % w;
      if ((x > 0 && dist[i - 1] === step - 1) || (x < w - 1 && dist[i + 1] === step - 1) ||
        (i >= w && dist[i - w] === step - 1) || (i + w < n && dist[i + w] === step - 1)) dist[i] = step;
    }
  }
  const alongAt = (q: number) => cb(out[q * 4]!, out[q * 4 + 1]!, out[q * 4 + 2]!) * ub + cr(out[q * 4]!, out[q * 4 + 1]!, out[q * 4 + 2]!) * ur;
  const reach = SPILL_REACH + 2;
  for (let i = 0; i < n; i++) {
    if (alpha[i] === 0 || dist[i] === 255) continue;
    const j = i * 4;
    const r = out[j]!, g = out[j + 1]!, b = out[j + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    let pb = cb(r, g, b), pr = cr(r, g, b);
    const along = pb * ub + pr * ur;
    if (along <= 0) continue;
    // The subject's own tint towards the key (its interior nearby) stays: a pink subject keeps pink edges.
    let own = 0;
    const x = i % w, y0 = (i - x) / w;
    for (let yy = Math.max(0, y0 - reach); yy <= Math.min(h - 1, y0 + reach); yy++) {
      for (let xx = Math.max(0, x - reach); xx <= Math.min(w - 1, x + reach); xx++) {
        const q = yy * w + xx;
        if (dist[q] === 255) own = Math.max(own, alongAt(q));
      }
    }
    if (along <= own) continue;
    pb -= (along - own) * ub; pr -= (along - own) * ur;
    out[j] = clamp255(y + 1.402 * pr);
    out[j + 1] = clamp255(y - 0.344136 * pb - 0.714136 * pr);
    out[j + 2] = clamp255(y + 1.772 * pb);
  }
}

const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

// --- The decision -----------------------------------------------------------------------------------

/** Below this share of border pixels near the key, the backdrop is not flat enough to key. */
export const MIN_FLATNESS = 0.6;

export type KeyOutcome = Result<{ rgba: Uint8Array; estimate: KeyEstimate; transparent: number }, { reason: Words; estimate: KeyEstimate }>;

/**
 * Keys the image out, or says why not (the caller then keeps it opaque): the backdrop's border must
 * be flat enough, and something must remain.
 */
export function keyOut(rgba: Uint8Array | Uint8ClampedArray, w: number, h: number, options: MatteOptions & { minFlatness?: number } = {}): KeyOutcome {
  const estimate = estimateKey(rgba, w, h);
  const min = options.minFlatness ?? MIN_FLATNESS;
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  if (estimate.flatness < min) {
    return { ok: false, estimate, reason: words('matte.notFlat', pct(estimate.flatness), toHex(estimate.key), pct(min)) };
  }
  const m = matte(rgba, w, h, estimate, options);
  if (m.transparent > 0.995) return { ok: false, estimate, reason: words('matte.nothingLeft', toHex(estimate.key)) };
  return { ok: true, rgba: m.rgba, estimate, transparent: m.transparent };
}
