// What a set of panel options means: the exact pixel size, the relative cost, and what is wrong.
// Pure (no vscode, no Node): the webview runs it on every keystroke and the host runs it again on
// every message, so both always agree.
import { MAX_N, MIN_N, QUALITIES, RESOLUTIONS, type PixelSize, type Quality, type Resolution } from './limits';
import { expectedSize, parseSize, QUALITY_COST, relativeCost } from './sizes';
import type { FieldError, PanelOptions } from './protocol';
import type { Words } from './words';

/** Message templates (from vscode.l10n on the host, from the strings table in the webview); `{0}` is filled. */
export interface OptionMessages {
  /** `{0}` is the core's reason, naming the rule and the value. */
  errSize: string;
  /** The core's reason in the user's language (the host: vscode.l10n; the webview: the templates from `init`). English when absent. */
  words?: (w: Words) => string;
  /** `{0}` is the value given. */
  errResolution: string;
  errQuality: string;
  errN: string;
}

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

const fill = (template: string, value: string) => template.replace('{0}', value);

export function isResolution(s: string): s is Resolution {
  return (RESOLUTIONS as readonly string[]).includes(s.toUpperCase());
}

export function isQuality(s: string): s is Quality {
  return (QUALITIES as readonly string[]).includes(s.toLowerCase());
}

export function checkOptions(o: PanelOptions, t: OptionMessages): OptionsReport {
  const errors: FieldError[] = [];
  const parsed = parseSize(o.size.trim() === '' ? 'auto' : o.size);
  if (parsed.kind === 'invalid') errors.push({ field: 'size', message: fill(t.errSize, t.words ? t.words(parsed.words) : parsed.reason) });
  const resolutionOk = isResolution(o.resolution);
  if (!resolutionOk) errors.push({ field: 'resolution', message: fill(t.errResolution, o.resolution) });
  const qualityOk = isQuality(o.quality);
  if (!qualityOk) errors.push({ field: 'quality', message: fill(t.errQuality, o.quality) });
  const nOk = Number.isInteger(o.n) && o.n >= MIN_N && o.n <= MAX_N;
  if (!nOk) errors.push({ field: 'n', message: fill(t.errN, String(o.n)) });

  const report: OptionsReport = { sizeKind: parsed.kind, resolutionApplies: parsed.kind === 'ratio', errors };
  const resolution = (resolutionOk ? o.resolution.toUpperCase() : '1K') as Resolution;
  const pixels = parsed.kind === 'ratio' && !resolutionOk ? undefined : expectedSize(parsed, resolution);
  if (pixels) report.pixels = pixels;
  if (qualityOk && nOk && parsed.kind !== 'invalid' && (parsed.kind !== 'ratio' || resolutionOk)) {
    const quality = o.quality.toLowerCase() as Quality;
    report.cost = {
      total: relativeCost(quality, o.n, pixels),
      qualityFactor: QUALITY_COST[quality],
      n: o.n,
      sizeFactor: pixels ? (pixels.width * pixels.height) / (1024 * 1024) : 1,
    };
  }
  return report;
}

/** The options as the settings store them (canonical case, `×` sent as `x`, empty size = auto). */
export function normalizeOptions(o: PanelOptions): PanelOptions {
  const size = o.size.trim();
  return {
    size: size === '' ? 'auto' : size.toLowerCase() === 'auto' ? 'auto' : size.replace(/\s+/g, '').replace(/[×X]/g, 'x'),
    resolution: o.resolution.toUpperCase(),
    quality: o.quality.toLowerCase(),
    n: o.n,
  };
}

/** The cost as shown: two decimals, halves rounded up (0.11 × 2 × 2.25 is 0.495 but 0.49499… in floating point). */
export function formatCost(x: number): string {
  if (x >= 100) return x.toFixed(0);
  return (Math.round(x * 100 + 1e-9) / 100).toFixed(2);
}
