// Pixel sizes for the model (model.ts, its size rules; docs/provider-api.md, "Sizes"): ratio + resolution →
// pixels, and `WxH` validation.
// The provider derives sizes itself; we derive them too so the user sees the exact size and the
// cost before paying, and so a delivered image of another size can be reported.

import { RATIOS, type PixelSize, type Quality, type Ratio, type Resolution } from './limits';
import { IMAGE_MODEL } from './model';
import { english, joinWords, words, type Words } from './words';

export const EDGE_STEP = IMAGE_MODEL.explicitSize.step;
export const MIN_EDGE = IMAGE_MODEL.explicitSize.minEdge;
export const MAX_EDGE = IMAGE_MODEL.explicitSize.maxEdge;
export const MIN_PIXELS = IMAGE_MODEL.explicitSize.minPixels;
export const MAX_PIXELS = IMAGE_MODEL.explicitSize.maxPixels;
export const MAX_ASPECT = IMAGE_MODEL.explicitSize.maxAspect;

export type ParsedSize =
  | { kind: 'auto' }
  | { kind: 'ratio'; ratio: Ratio }
  | { kind: 'explicit'; width: number; height: number }
  /** `reason` is the English of `words` (logs, tests); the UI words it in the user's language. */
  | { kind: 'invalid'; reason: string; words: Words };

const RATIO_SET: ReadonlySet<string> = new Set(RATIOS);
const RATIO_LIST = RATIOS.join(', ');

function roundToStep(x: number): number {
  return Math.round(x / EDGE_STEP) * EDGE_STEP;
}

/** `n` with thousands separators, fixed to en-US so messages do not depend on the host locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatSize(s: PixelSize): string {
  return `${s.width}×${s.height}`;
}

/**
 * Largest multiple of 16 not above `edge · sqrt(MAX_PIXELS / (w·h))`, decided in integers:
 * 16k ≤ edge·√(B/(w·h)) ⇔ (16k)²·w·h ≤ edge²·B. Floats alone put cells such as 4K 5:4
 * (2575.95…) within rounding noise of a step boundary.
 */
function shrunkEdge(edge: number, w: number, h: number): number {
  const area = BigInt(w) * BigInt(h);
  const limit = BigInt(edge) * BigInt(edge) * BigInt(MAX_PIXELS);
  let k = Math.floor((edge * Math.sqrt(MAX_PIXELS / (w * h))) / EDGE_STEP);
  const fits = (m: number) => BigInt(m * EDGE_STEP) ** 2n * area <= limit;
  while (k > 0 && !fits(k)) k--;
  while (fits(k + 1)) k++;
  return k * EDGE_STEP;
}

/** Scale `w×h` down to the pixel budget keeping the ratio, edges rounded down to multiples of 16. */
function fitBudget(w: number, h: number): PixelSize {
  if (w * h <= MAX_PIXELS) return { width: w, height: h };
  return { width: shrunkEdge(w, w, h), height: shrunkEdge(h, w, h) };
}

/** The size the provider produces for a ratio at a resolution tier (the seed's table and its mirror). */
export function pixelSize(ratio: Ratio, resolution: Resolution): PixelSize {
  const [a, b] = ratio.split(':').map(Number) as [number, number];
  const portrait = a < b;
  // Work in landscape (long:short); portrait is the same size with the edges swapped.
  const long = portrait ? b : a;
  const short = portrait ? a : b;
  const tier: { short: number } | { long: number } = IMAGE_MODEL.resolutions[resolution];
  let w: number;
  let h: number;
  if ('short' in tier) {
    h = tier.short;
    w = roundToStep((tier.short * long) / short);
  } else {
    w = tier.long;
    h = roundToStep((w * short) / long);
  }
  const fitted = fitBudget(w, h);
  return portrait ? { width: fitted.height, height: fitted.width } : fitted;
}

/** Suggest the nearest valid sizes for an explicit size that broke a rule; empty when none helps. */
function suggestions(w: number, h: number): PixelSize[] {
  const clamp = (x: number) => Math.min(MAX_EDGE, Math.max(MIN_EDGE, x));
  const out: PixelSize[] = [];
  const push = (s: PixelSize) => {
    if (explicitProblems(s.width, s.height).length === 0 && !out.some((o) => o.width === s.width && o.height === s.height)) {
      out.push(s);
    }
  };
  const down = (x: number) => clamp(Math.floor(x / EDGE_STEP) * EDGE_STEP);
  const up = (x: number) => clamp(Math.ceil(x / EDGE_STEP) * EDGE_STEP);
  push({ width: down(w), height: down(h) });
  push({ width: up(w), height: up(h) });
  const area = w * h;
  if (out.length === 0 && area > 0 && (area > MAX_PIXELS || area < MIN_PIXELS)) {
    // Off the pixel budget: keep the shape, scale to the nearest end of the budget.
    const target = area > MAX_PIXELS ? MAX_PIXELS : MIN_PIXELS;
    const f = Math.sqrt(target / area);
    const round = area > MAX_PIXELS ? down : up;
    push({ width: round(w * f), height: round(h * f) });
  }
  return out;
}

function explicitProblems(w: number, h: number): Words[] {
  const problems: Words[] = [];
  const outOfRange = [w, h].filter((e) => e < MIN_EDGE || e > MAX_EDGE);
  if (outOfRange.length > 0) {
    problems.push(words('size.edgeRange', MIN_EDGE, formatCount(MAX_EDGE), joinWords(outOfRange.map(String), 'list.and')));
  }
  if (w % EDGE_STEP !== 0 || h % EDGE_STEP !== 0) {
    problems.push(words('size.edgeStep', EDGE_STEP));
  }
  const area = w * h;
  if (area < MIN_PIXELS) {
    problems.push(words('size.minPixels', formatCount(MIN_PIXELS), formatCount(area)));
  } else if (area > MAX_PIXELS) {
    problems.push(words('size.maxPixels', formatCount(MAX_PIXELS), formatCount(area)));
  }
  if (w > 0 && h > 0) {
    const aspect = Math.max(w, h) / Math.min(w, h);
    if (aspect > MAX_ASPECT) {
      problems.push(words('size.aspect', MAX_ASPECT, String(+aspect.toFixed(2))));
    }
  }
  return problems;
}

function invalid(w: Words): ParsedSize {
  return { kind: 'invalid', reason: english(w), words: w };
}

const EXPLICIT = /^(\d{1,6})\s*[x×]\s*(\d{1,6})$/i;
const RATIO_LIKE = /^(\d+)\s*:\s*(\d+)$/;

/**
 * Reads a `size` value as the provider accepts it: `auto`, one of the 15 ratios, or `WxH` /
 * `W×H` (U+00D7, any case of `x`). Invalid values carry a reason that names the rule and the
 * value, with a nearby valid size when one exists.
 */
export function parseSize(s: string): ParsedSize {
  const t = s.trim();
  if (t.toLowerCase() === 'auto') return { kind: 'auto' };
  const r = RATIO_LIKE.exec(t);
  if (r) {
    const ratio = `${Number(r[1])}:${Number(r[2])}`;
    if (RATIO_SET.has(ratio)) return { kind: 'ratio', ratio: ratio as Ratio };
    return invalid(words('size.notRatio', t, RATIO_LIST));
  }
  const m = EXPLICIT.exec(t);
  if (m) {
    const width = Number(m[1]);
    const height = Number(m[2]);
    const problems = explicitProblems(width, height);
    if (problems.length === 0) return { kind: 'explicit', width, height };
    const tries = suggestions(width, height).map(formatSize);
    const what = joinWords(problems, 'list.semicolon');
    return invalid(tries.length > 0
      ? words('size.explicitTry', `${width}×${height}`, what, joinWords(tries, 'list.or'))
      : words('size.explicit', `${width}×${height}`, what));
  }
  const shown = t === '' ? words('size.empty') : JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
  return invalid(words('size.notSize', shown, RATIO_LIST));
}

/** The canonical string for the request body (`W×H` is sent as `WxH`). */
export function sizeToString(size: ParsedSize): string | undefined {
  switch (size.kind) {
    case 'auto':
      return 'auto';
    case 'ratio':
      return size.ratio;
    case 'explicit':
      return `${size.width}x${size.height}`;
    default:
      return undefined;
  }
}

/** The size to expect back; undefined when the model chooses (auto) or the size is invalid. */
export function expectedSize(size: ParsedSize | string, resolution: Resolution): PixelSize | undefined {
  const p = typeof size === 'string' ? parseSize(size) : size;
  switch (p.kind) {
    case 'ratio':
      return pixelSize(p.ratio, resolution);
    case 'explicit':
      return { width: p.width, height: p.height };
    default:
      return undefined;
  }
}

/** The relative cost per image at the model's base size (1024×1024). */
export const QUALITY_COST: Readonly<Record<Quality, number>> = IMAGE_MODEL.cost.perQuality;
export const BASE_PIXELS = IMAGE_MODEL.cost.basePixels;

/**
 * Cost relative to one medium image at 1024×1024. An estimate: the seed gives the factors only
 * at 1024², and we assume cost grows with the pixel count (output tokens are per tile). An
 * unknown size (auto) counts as 1024².
 */
export function relativeCost(quality: Quality, n: number, pixels?: PixelSize | number): number {
  const count = pixels === undefined ? BASE_PIXELS : typeof pixels === 'number' ? pixels : pixels.width * pixels.height;
  return QUALITY_COST[quality] * n * (count / BASE_PIXELS);
}
