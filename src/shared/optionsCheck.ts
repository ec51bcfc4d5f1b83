// What a set of panel options means: the exact pixel size, the relative cost, and what is wrong.
// Pure (no vscode, no Node): the webview runs it on every keystroke and the host runs it again on
// every message, with the same rules as the core's validateRequest (requestFields.ts), so all agree.
import { BACKGROUNDS, FORMATS, QUALITIES, RESOLUTIONS, type PixelSize, type Quality, type Resolution } from './limits';
import { IMAGE_MODEL } from './model';
import { BASE_PIXELS, expectedSize, MAX_EDGE, QUALITY_COST, relativeCost } from './sizes';
import type { FieldError, OptionField, PanelOptions } from './protocol';
import { checkChoice, checkN, checkSize, type ValidationError } from './requestFields';
import { english, words, type Words } from './words';
import { IMAGE_FORMATS, IMAGE_TYPES, type ImageType } from './imageFormats';

/** Words a core message in the user's language (the host: vscode.l10n; the webview: the templates from `init`). */
export type SayWords = (w: Words) => string;

export interface CostBreakdown {
  /** Relative to one medium 1024×1024 image. */
  total: number;
  qualityFactor: number;
  n: number;
  /** Pixels relative to 1024×1024 (1 for auto). */
  sizeFactor: number;
}

export interface OptionsReport {
  sizeKind: 'auto' | 'ratio' | 'explicit' | 'invalid';
  /** Resolution only has an effect with a ratio size. */
  resolutionApplies: boolean;
  pixels?: PixelSize;
  cost?: CostBreakdown;
  errors: FieldError[];
}

/**
 * The panel's options checked by the very rules validateRequest uses (requestFields.ts), each problem
 * on its field, worded by `say` (English when absent); with the pixels and the cost they mean.
 */
export function checkOptions(o: PanelOptions, say?: SayWords): OptionsReport {
  const found: ValidationError[] = [];
  const parsed = checkSize(o.size, found);
  const resolution = checkChoice<Resolution>('resolution', o.resolution, RESOLUTIONS, IMAGE_MODEL.defaults.resolution, (s) => s.toUpperCase(), found);
  const quality = checkChoice<Quality>('quality', o.quality, QUALITIES, IMAGE_MODEL.defaults.quality, (s) => s.toLowerCase(), found);
  const n = checkN(o.n, found);
  const errors: FieldError[] = found.map((e) => ({ field: e.field as OptionField, message: say ? say(e.words) : e.message }));
  errors.push(...lookErrors(o).map((e) => ({ field: e.field, message: say ? say(e.words) : english(e.words) })));

  const report: OptionsReport = { sizeKind: parsed.kind, resolutionApplies: parsed.kind === 'ratio', errors };
  const pixels = parsed.kind === 'ratio' && !resolution ? undefined : expectedSize(parsed, resolution ?? IMAGE_MODEL.defaults.resolution);
  if (pixels) report.pixels = pixels;
  if (quality && n !== undefined && parsed.kind !== 'invalid' && (parsed.kind !== 'ratio' || resolution)) {
    report.cost = {
      total: relativeCost(quality, n, pixels),
      qualityFactor: QUALITY_COST[quality],
      n,
      sizeFactor: pixels ? (pixels.width * pixels.height) / BASE_PIXELS : 1,
    };
  }
  return report;
}

/**
 * The look's problems, by the rules the planner and a page's options use: a background and format from
 * their lists, a largest width of 0 (none) to MAX_EDGE, and never transparent as JPEG (the planner's words).
 */
function lookErrors(o: PanelOptions): { field: OptionField; words: Words }[] {
  const out: { field: OptionField; words: Words }[] = [];
  if (o.background !== undefined && !(BACKGROUNDS as readonly string[]).includes(o.background)) out.push({ field: 'background', words: words('option.allowedBackground') });
  if (o.format !== undefined && !(FORMATS as readonly string[]).includes(o.format)) out.push({ field: 'format', words: words('option.allowedFormat') });
  if (o.maxWidth !== undefined && !(Number.isInteger(o.maxWidth) && o.maxWidth >= 0 && o.maxWidth <= MAX_EDGE)) out.push({ field: 'maxWidth', words: words('look.maxWidth', MAX_EDGE) });
  // A format without transparency (JPEG) cannot hold a transparent background.
  if (o.background === 'transparent' && (IMAGE_TYPES as readonly string[]).includes(o.format ?? '') && !IMAGE_FORMATS[o.format as ImageType].transparency) out.push({ field: 'format', words: words('plan.transparentJpeg') });
  return out;
}

/** The options as the settings store them (canonical case, `×` sent as `x`, empty size = auto). */
export function normalizeOptions(o: PanelOptions): PanelOptions {
  const size = o.size.trim();
  return {
    size: size === '' ? 'auto' : size.toLowerCase() === 'auto' ? 'auto' : size.replace(/\s+/g, '').replace(/[×X]/g, 'x'),
    resolution: o.resolution.toUpperCase(),
    quality: o.quality.toLowerCase(),
    n: o.n,
    ...(o.background !== undefined ? { background: o.background } : {}),
    ...(o.format !== undefined ? { format: o.format } : {}),
    ...(o.maxWidth !== undefined ? { maxWidth: o.maxWidth } : {}),
  };
}

/** The cost as shown: two decimals, halves rounded up (0.11 × 2 × 2.25 is 0.495 but 0.49499… in floating point). */
export function formatCost(x: number): string {
  if (x >= 100) return x.toFixed(0);
  return (Math.round(x * 100 + 1e-9) / 100).toFixed(2);
}
