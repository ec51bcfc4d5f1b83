// Synthetic images with known ground-truth alpha for the keyer (issue 24, section 2): each case paints
// a backdrop (the key as the model paints it: off the asked colour, with gradient, vignette, grain),
// then layers of subject with anti-aliased coverage, composited the way a camera or a renderer would;
// the true alpha is the composited coverage. Used by test/unit/matte.test.ts and `npm run bench`
// (any size: shapes are placed in a 0–1 frame and scaled, stroke widths stay in pixels).
import type { Rgb } from '../../src/core/keyColour';

export interface MatteCase {
  name: string;
  /** The key colour asked of the model. */
  asked: Rgb;
  /** The backdrop's base colour as painted. */
  painted: Rgb;
  rgba: Uint8Array;
  /** The true alpha, 0–1 per pixel. */
  alpha: Float32Array;
  width: number;
  height: number;
  /** False for a backdrop that must be refused (not flat enough). */
  keyable: boolean;
}

/** A deterministic generator (mulberry32) and a normal draw. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

/** Coverage of a shape at a pixel centre from its signed distance in pixels (negative inside): a 1-px anti-aliased edge. */
const cover = (sd: number) => Math.max(0, Math.min(1, 0.5 - sd));

/** Signed distance in pixels; `box` bounds where it can be inside (so a 1536×1024 set renders in a few seconds). */
type Shape = ((x: number, y: number) => number) & { bounds?: [number, number, number, number] };
const bounded = (f: (x: number, y: number) => number, x0: number, y0: number, x1: number, y1: number): Shape =>
  Object.assign(f, { bounds: [x0 - 2, y0 - 2, x1 + 2, y1 + 2] as [number, number, number, number] });
type Paint = (x: number, y: number) => Rgb;
interface Layer { shape: Shape; paint: Paint; /** Extra opacity (a shadow is black at 0.3). */ opacity?: (x: number, y: number) => number }

const solid = (c: Rgb): Paint => () => c;

function circle(cx: number, cy: number, r: number): Shape {
  return bounded((x, y) => Math.hypot(x - cx, y - cy) - r, cx - r, cy - r, cx + r, cy + r);
}
function ring(cx: number, cy: number, r0: number, r1: number): Shape {
  return bounded((x, y) => { const d = Math.hypot(x - cx, y - cy); return Math.max(r0 - d, d - r1); }, cx - r1, cy - r1, cx + r1, cy + r1);
}
function box(x0: number, y0: number, x1: number, y1: number): Shape {
  return bounded((x, y) => {
    const dx = Math.max(x0 - x, x - x1), dy = Math.max(y0 - y, y - y1);
    return dx > 0 || dy > 0 ? Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) : Math.max(dx, dy);
  }, x0, y0, x1, y1);
}
/** A stroke of half-width hw along a polyline. */
function stroke(points: [number, number][], hw: number): Shape {
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  return bounded((x, y) => {
    let best = Infinity;
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1]!, [bx, by] = points[i]!;
      const vx = bx - ax, vy = by - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy || 1)));
      best = Math.min(best, Math.hypot(x - ax - t * vx, y - ay - t * vy));
    }
    return best - hw;
  }, Math.min(...xs) - hw, Math.min(...ys) - hw, Math.max(...xs) + hw, Math.max(...ys) + hw);
}
function triangle(a: [number, number], b: [number, number], c: [number, number]): Shape {
  const edge = stroke([a, b, c, a], 0);
  return bounded((x, y) => {
    const s = (p: [number, number], q: [number, number]) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
    const s1 = s(a, b), s2 = s(b, c), s3 = s(c, a);
    const inside = (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
    return inside ? -edge(x, y) : edge(x, y);
  }, Math.min(a[0], b[0], c[0]), Math.min(a[1], b[1], c[1]), Math.max(a[0], b[0], c[0]), Math.max(a[1], b[1], c[1]));
}

interface Backdrop {
  painted: Rgb;
  /** Linear gradient: colour change per unit of x (0–1 frame), added. */
  gradient?: Rgb;
  /** Darkening at the corners (0–1). */
  vignette?: number;
  /** Low-frequency blotches of the painted backdrop: amplitude per channel. */
  blotch?: number;
  /** Grain: standard deviation per channel. */
  grain?: number;
  /** 4:2:0 chroma as a JPEG stores it (2×2 average, bilinear back up). */
  chroma420?: boolean;
  /** Key light thrown on the subject's edge (share of the key mixed into opaque pixels near the edge). */
  spill?: number;
}

/** `hole`: a signed distance inside which the backdrop shows through the subject (a donut's hole, painted last as backdrop). */
function render(name: string, w: number, h: number, asked: Rgb, bd: Backdrop, layers: (s: number) => Layer[], seed: number, keyable = true,
  hole?: (x: number, y: number) => number): MatteCase {
  const n = w * h;
  const col = new Float32Array(n * 3);
  const alpha = new Float32Array(n);
  const s = Math.min(w, h); // the frame's unit in pixels, for shapes
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    const u = x / w, v = y / h;
    const vig = 1 - (bd.vignette ?? 0) * Math.min(1, ((u - 0.5) ** 2 + (v - 0.5) ** 2) * 2);
    const blot = bd.blotch ? bd.blotch * (Math.sin(7 * u + 1) * Math.cos(5 * v) + 0.5 * Math.sin(13 * v + 3 * u)) : 0;
    for (let c = 0; c < 3; c++) col[i * 3 + c] = (bd.painted[c]! + (bd.gradient?.[c] ?? 0) * (u - 0.5) + blot * (c === 1 ? -0.5 : 1)) * vig;
  }
  const ls = layers(s);
  for (const layer of ls) {
    const [bx0, by0, bx1, by1] = layer.shape.bounds ?? [0, 0, w, h];
    const xa = Math.max(0, Math.floor(bx0)), ya = Math.max(0, Math.floor(by0)), xb = Math.min(w, Math.ceil(bx1)), yb = Math.min(h, Math.ceil(by1));
    for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) {
      const a = cover(layer.shape(x + 0.5, y + 0.5)) * (layer.opacity ? layer.opacity(x + 0.5, y + 0.5) : 1);
      if (a <= 0) continue;
      const i = y * w + x;
      const f = layer.paint(x + 0.5, y + 0.5);
      for (let c = 0; c < 3; c++) col[i * 3 + c] = a * f[c]! + (1 - a) * col[i * 3 + c]!;
      alpha[i] = a + (1 - a) * alpha[i]!;
    }
  }
  if (hole) {
    // The subject is cut out there: true alpha and colour are the backdrop's again (the last layer painted the key for show).
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const a = cover(hole(x + 0.5, y + 0.5));
      const i = y * w + x;
      alpha[i] = alpha[i]! * (1 - a);
    }
  }
  if (bd.spill) {
    // Opaque pixels within 2 px of the backdrop pick up some of the key's light.
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (alpha[i]! < 0.99) continue;
      let near = false;
      for (let dy = -2; dy <= 2 && !near; dy++) for (let dx = -2; dx <= 2; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < w && yy < h && alpha[yy * w + xx]! < 0.5) { near = true; break; }
      }
      if (near) for (let c = 0; c < 3; c++) col[i * 3 + c] = (1 - bd.spill) * col[i * 3 + c]! + bd.spill * bd.painted[c]!;
    }
  }
  const r = rng(seed);
  if (bd.grain) for (let i = 0; i < n * 3; i++) col[i] = col[i]! + bd.grain * r.normal();
  if (bd.chroma420) chroma420(col, w, h);
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.max(0, Math.min(255, Math.round(col[i * 3 + c]!)));
    rgba[i * 4 + 3] = 255;
  }
  return { name, asked, painted: bd.painted, rgba, alpha, width: w, height: h, keyable };
}

/** Chroma at half resolution each way (2×2 average), upsampled bilinearly: JPEG's 4:2:0. Luma kept. */
function chroma420(col: Float32Array, w: number, h: number): void {
  const n = w * h;
  const Y = new Float32Array(n), Cb = new Float32Array(n), Cr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = col[i * 3]!, g = col[i * 3 + 1]!, b = col[i * 3 + 2]!;
    Y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    Cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    Cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  const hw = Math.ceil(w / 2), hh = Math.ceil(h / 2);
  const sb = new Float32Array(hw * hh), sr = new Float32Array(hw * hh);
  for (let y = 0; y < hh; y++) for (let x = 0; x < hw; x++) {
    let b = 0, r = 0, k = 0;
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
      const xx = 2 * x + dx, yy = 2 * y + dy;
      if (xx < w && yy < h) { b += Cb[yy * w + xx]!; r += Cr[yy * w + xx]!; k++; }
    }
    sb[y * hw + x] = b / k; sr[y * hw + x] = r / k;
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const fx = Math.max(0, Math.min(hw - 1, (x - 0.5) / 2)), fy = Math.max(0, Math.min(hh - 1, (y - 0.5) / 2));
    const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(hw - 1, x0 + 1), y1 = Math.min(hh - 1, y0 + 1);
    const ax = fx - x0, ay = fy - y0;
    const bil = (a: Float32Array) => (a[y0 * hw + x0]! * (1 - ax) + a[y0 * hw + x1]! * ax) * (1 - ay) + (a[y1 * hw + x0]! * (1 - ax) + a[y1 * hw + x1]! * ax) * ay;
    const i = y * w + x;
    const b = bil(sb), r = bil(sr), yy = Y[i]!;
    col[i * 3] = yy + 1.402 * r;
    col[i * 3 + 1] = yy - 0.344136 * b - 0.714136 * r;
    col[i * 3 + 2] = yy + 1.772 * b;
  }
}

const MAGENTA: Rgb = [255, 0, 255];
const GREEN: Rgb = [0, 255, 0];

/** The set, at the given size (the bench uses 1536×1024; the unit tests a smaller one). */
export function matteSet(w = 384, h = 256): MatteCase[] {
  const X = (u: number) => u * w, Yp = (v: number) => v * h;
  return [
    render('shapes', w, h, MAGENTA, { painted: [246, 12, 240], grain: 3 }, (s) => [
      { shape: circle(X(0.3), Yp(0.5), 0.25 * s), paint: solid([240, 190, 40]) },
      { shape: box(X(0.55), Yp(0.25), X(0.8), Yp(0.7)), paint: solid([40, 90, 200]) },
      { shape: triangle([X(0.6), Yp(0.9)], [X(0.9), Yp(0.9)], [X(0.75), Yp(0.75)]), paint: solid([30, 30, 30]) },
    ], 1),
    render('thin lines', w, h, MAGENTA, { painted: [250, 6, 248], grain: 3 }, () => {
      const out: Layer[] = [];
      // 1 and 2 px lines, black and coloured, at several angles.
      for (let k = 0; k < 8; k++) {
        const a = (k / 8) * Math.PI, cx = X(0.5), cy = Yp(0.5), L = 0.4 * Math.min(w, h);
        out.push({ shape: stroke([[cx - L * Math.cos(a), cy - L * Math.sin(a)], [cx + L * Math.cos(a), cy + L * Math.sin(a)]], k % 2 ? 1 : 0.5), paint: solid(k % 3 === 0 ? [20, 20, 20] : k % 3 === 1 ? [30, 120, 220] : [240, 200, 60]) });
      }
      for (let k = 0; k < 5; k++) out.push({ shape: stroke([[X(0.05), Yp(0.1 + 0.15 * k)], [X(0.25), Yp(0.1 + 0.15 * k) + 3]], 0.5 + 0.25 * k), paint: solid([10, 10, 10]) });
      return out;
    }, 2),
    render('text', w, h, MAGENTA, { painted: [238, 20, 236], grain: 2.5 }, () => {
      // Letter-like strokes, 2–3 px wide, black and dark blue: "PICTOR" drawn as polylines.
      const out: Layer[] = [];
      const glyphs: [number, number][][][] = [
        [[[0, 1], [0, 0], [0.6, 0], [0.6, 0.5], [0, 0.5]]], // P
        [[[0.3, 0], [0.3, 1]], [[0, 0], [0.6, 0]], [[0, 1], [0.6, 1]]], // I
        [[[0.6, 0], [0, 0], [0, 1], [0.6, 1]]], // C
        [[[0, 0], [0.6, 0]], [[0.3, 0], [0.3, 1]]], // T
        [[[0, 0], [0.6, 0], [0.6, 1], [0, 1], [0, 0]]], // O
        [[[0, 1], [0, 0], [0.6, 0], [0.6, 0.5], [0, 0.5], [0.6, 1]]], // R
      ];
      for (const [row, size, hw] of [[0.15, 0.12, 1.5], [0.45, 0.07, 1], [0.7, 0.04, 0.75]] as const) {
        const gw = size * h;
        glyphs.forEach((g, k) => {
          for (const line of g) out.push({ shape: stroke(line.map(([u, v]) => [X(0.1) + k * gw * 1.1 + u * gw, Yp(row) + v * gw]), hw), paint: solid(row < 0.5 ? [15, 15, 15] : [20, 40, 120]) });
        });
      }
      return out;
    }, 3),
    render('hair', w, h, MAGENTA, { painted: [248, 14, 244], grain: 3 }, (s) => {
      const out: Layer[] = [{ shape: circle(X(0.5), Yp(0.6), 0.22 * s), paint: solid([230, 190, 160]) }];
      const r = rng(7);
      for (let k = 0; k < 60; k++) {
        // Strands from the head outwards, curving, about 1 px wide (some thinner: partly covered).
        const a = Math.PI * (1.05 + 0.9 * r.next());
        const pts: [number, number][] = [];
        let x = X(0.5) + 0.18 * s * Math.cos(a), y = Yp(0.6) + 0.18 * s * Math.sin(a), dir = a;
        for (let t = 0; t < 12; t++) { pts.push([x, y]); dir += (r.next() - 0.5) * 0.3; x += Math.cos(dir) * 0.02 * s; y += Math.sin(dir) * 0.02 * s; }
        out.push({ shape: stroke(pts, 0.4 + 0.4 * r.next()), paint: solid(k % 2 ? [70, 40, 20] : [110, 70, 30]) });
      }
      return out;
    }, 4),
    render('soft shadow', w, h, MAGENTA, { painted: [244, 10, 246], grain: 3 }, (s) => [
      // A black shadow up to 30 % opaque, fading over ~8 % of the frame, under a ball.
      { shape: box(0, 0, w, h), paint: solid([0, 0, 0]), opacity: (x, y) => 0.3 * Math.max(0, 1 - Math.hypot((x - X(0.5)) / (0.3 * s), (y - Yp(0.82)) / (0.07 * s))) },
      { shape: circle(X(0.5), Yp(0.5), 0.3 * s), paint: (x, y) => [200 - 80 * ((y - Yp(0.5)) / (0.3 * s)), 120, 40] },
    ], 5),
    render('gradient, vignette, grain', w, h, MAGENTA, { painted: [235, 25, 230], gradient: [20, 10, -25], vignette: 0.25, grain: 5 }, (s) => [
      { shape: circle(X(0.35), Yp(0.5), 0.25 * s), paint: solid([60, 170, 80]) },
      { shape: box(X(0.6), Yp(0.3), X(0.85), Yp(0.75)), paint: solid([250, 250, 250]) },
    ], 6),
    render('JPEG 4:2:0 edges', w, h, MAGENTA, { painted: [252, 4, 250], grain: 2, chroma420: true }, (s) => [
      { shape: circle(X(0.3), Yp(0.5), 0.2 * s), paint: solid([250, 240, 230]) },
      { shape: box(X(0.55), Yp(0.3), X(0.85), Yp(0.7)), paint: solid([30, 60, 160]) },
      { shape: stroke([[X(0.1), Yp(0.9)], [X(0.9), Yp(0.85)]], 1), paint: solid([20, 20, 20]) },
    ], 7),
    render('subject colours near the key', w, h, MAGENTA, { painted: [250, 8, 246], grain: 3 }, (s) => [
      // Pink and purple subjects (≈ 60–70 from the key), a magenta-ish patch inside (≈ 40, enclosed: it stays)
      // and a donut whose hole shows the backdrop (it goes).
      { shape: circle(X(0.25), Yp(0.5), 0.22 * s), paint: solid([235, 110, 215]) },
      { shape: circle(X(0.25), Yp(0.5), 0.08 * s), paint: solid([225, 50, 215]) },
      { shape: box(X(0.5), Yp(0.2), X(0.62), Yp(0.8)), paint: solid([150, 40, 200]) },
      { shape: ring(X(0.8), Yp(0.5), 0.08 * s, 0.18 * s), paint: solid([180, 30, 120]) },
    ], 8),
    render('subject colours very near the key', w, h, MAGENTA, { painted: [250, 8, 246], grain: 2.5 }, (s) => [
      // ≈ 30–35 from the key, touching the backdrop with anti-aliased edges: only the connected flood keeps them.
      { shape: circle(X(0.3), Yp(0.5), 0.25 * s), paint: solid([235, 60, 240]) },
      { shape: box(X(0.6), Yp(0.25), X(0.85), Yp(0.75)), paint: solid([225, 30, 200]) },
    ], 13),
    render('enclosed areas near the key', w, h, MAGENTA, { painted: [250, 8, 246], grain: 2.5 }, (s) => [
      // A yellow plate with, inside it: a key-coloured spot too small to be a hole (stays), a large
      // patch ≈ 22 from the key (stays: not as near as the backdrop), and a large key-coloured hole (goes).
      { shape: box(X(0.08), Yp(0.1), X(0.92), Yp(0.9)), paint: solid([240, 200, 60]) },
      { shape: circle(X(0.2), Yp(0.3), 0.01 * s), paint: solid([250, 8, 246]) },
      { shape: box(X(0.3), Yp(0.25), X(0.55), Yp(0.75)), paint: solid([235, 30, 225]) },
      { shape: circle(X(0.75), Yp(0.5), 0.2 * s), paint: solid([250, 8, 246]) },
    ], 14, true, (x, y) => Math.hypot(x - X(0.75), y - Yp(0.5)) - 0.2 * Math.min(w, h)),
    render('blotchy backdrop, JPEG edges', w, h, MAGENTA, { painted: [240, 20, 235], grain: 4, blotch: 10, chroma420: true }, (s) => [
      { shape: circle(X(0.5), Yp(0.45), 0.3 * s), paint: (x, y) => [60 + 120 * (x / w), 150, 200 - 100 * (y / h)] },
      { shape: stroke([[X(0.15), Yp(0.85)], [X(0.85), Yp(0.9)]], 1.5), paint: solid([15, 15, 15]) },
    ], 15),
    render('subject touching the border', w, h, MAGENTA, { painted: [232, 22, 228], grain: 3 }, (s) => [
      { shape: box(-10, Yp(0.75), X(0.7), h + 10), paint: solid([120, 80, 40]) },
      { shape: circle(X(0.95), Yp(0.2), 0.2 * s), paint: solid([250, 220, 60]) },
      { shape: box(X(0.3), Yp(0.3), X(0.5), Yp(0.76)), paint: solid([40, 40, 40]) },
    ], 9),
    render('green key, painted off', w, h, GREEN, { painted: [40, 215, 70], grain: 3, spill: 0.25 }, (s) => [
      { shape: circle(X(0.4), Yp(0.5), 0.3 * s), paint: solid([200, 60, 190]) },
      { shape: box(X(0.7), Yp(0.2), X(0.9), Yp(0.8)), paint: solid([200, 200, 200]) },
    ], 10),
    render('spill on a grey subject', w, h, MAGENTA, { painted: [246, 10, 244], grain: 2, spill: 0.3 }, (s) => [
      { shape: circle(X(0.5), Yp(0.5), 0.3 * s), paint: solid([128, 128, 128]) },
    ], 11),
    // A scene, not a backdrop: sky to ground, blobs across the border. Must be refused.
    render('not flat: a scene', w, h, MAGENTA, { painted: [120, 170, 230], gradient: [60, -40, -120], grain: 6 }, (s) => [
      { shape: box(-10, Yp(0.6), w + 10, h + 10), paint: (x) => [90 + 60 * (x / w), 140, 60] },
      { shape: circle(X(0.1), Yp(0.1), 0.25 * s), paint: solid([250, 230, 120]) },
      { shape: circle(X(0.9), Yp(0.05), 0.2 * s), paint: solid([240, 240, 250]) },
    ], 12, false),
  ];
}

export interface MatteScore {
  /** Share of background pixels (true alpha < 0.5) whose alpha is off by more than 0.5. */
  backgroundKept: number;
  /** Share of subject pixels (true alpha ≥ 0.5) whose alpha is off by more than 0.5. */
  subjectLost: number;
}

/** Scores a keyed image against the truth: a pixel is wrong when its alpha is off by more than 0.5. */
export function scoreMatte(c: MatteCase, keyed: Uint8Array): MatteScore {
  let bg = 0, bgWrong = 0, fg = 0, fgWrong = 0;
  for (let i = 0; i < c.width * c.height; i++) {
    const t = c.alpha[i]!, a = keyed[i * 4 + 3]! / 255;
    const wrong = Math.abs(a - t) > 0.5;
    if (t < 0.5) { bg++; if (wrong) bgWrong++; } else { fg++; if (wrong) fgWrong++; }
  }
  return { backgroundKept: bg ? bgWrong / bg : 0, subjectLost: fg ? fgWrong / fg : 0 };
}
