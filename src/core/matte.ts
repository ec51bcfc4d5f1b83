// Transparent images (issue 24, section 2): the provider has no background parameter, so Pictor asks
// for the subject on a flat key colour (keyColour.ts) and mattes that background out itself. Plain Node on raw RGBA
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
import { toHex } from './keyColour';
import { borderRing, cb, cr, DRIFT_MIN, estimateKey, lum, type KeyEstimate } from './keyEstimate';

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

/** How fast the flood's reference follows the backdrop (it drifts at most DRIFT_MIN, or the grain, from the key). */
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
