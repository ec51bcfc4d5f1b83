// The model Pictor sends to, described once (docs/provider-api.md, "Limits" and "Sizes"): its name, its
// limits, its size rules, its cost factors and the parameters it takes. The request rules
// (requestFields.ts, sizes.ts, core/request.ts), the planner, the money gate, the panel and the webview
// all read this; limits.ts and sizes.ts name its figures for them. The manifest (package.json: the
// settings' defaults and enums, the tools' input schemas) repeats it for VS Code, and
// test/unit/model.test.ts holds the manifest to it.
//
// Pure data: src/shared imports nothing outside src/shared, so the webview bundles it as is.

import type { ImageType } from './imageFormats';

/**
 * The four options every request is made with, as a user writes them (the model's own parameters):
 * the one shape the settings, the page options, the panel, the history, the recipe, the tools' and the
 * command's inputs and the create body share or extend (partial where a value may be left out).
 */
export interface ImageOptions {
  size: string;
  resolution: string;
  quality: string;
  n: number;
}

/** What one model takes and how it is billed. A second model is a second value of this shape. */
export interface ModelDescription {
  /** The `model` field of the create body, and the `pictor.model` setting's value. */
  readonly id: string;
  /** The prompt's length in Unicode code points. */
  readonly maxPromptCodePoints: number;
  /** Images per task (`n`). */
  readonly n: { readonly min: number; readonly max: number };
  /** Reference images (`image_urls`): how many, how large, of which formats. */
  readonly references: { readonly max: number; readonly maxBytes: number; readonly types: readonly ImageType[] };
  /** The named ratios `size` takes, besides `auto` and `WxH`. */
  readonly ratios: readonly string[];
  /** The `WxH` rules: edges multiples of `step` in [minEdge, maxEdge], a pixel budget, a longest ratio. */
  readonly explicitSize: {
    readonly step: number;
    readonly minEdge: number;
    readonly maxEdge: number;
    readonly minPixels: number;
    readonly maxPixels: number;
    readonly maxAspect: number;
  };
  /**
   * The resolution tiers of a ratio size: `short` fixes the short edge, `long` the long one; the other
   * edge follows the ratio, rounded to the step, and the whole is scaled into the pixel budget.
   */
  readonly resolutions: Readonly<Record<string, { readonly short: number } | { readonly long: number }>>;
  readonly qualities: readonly string[];
  /** What the provider uses for a field left out (and Pictor writes into the body). */
  readonly defaults: Readonly<ImageOptions>;
  /** The relative cost per image: by quality at `basePixels`, growing with the pixel count. */
  readonly cost: { readonly perQuality: Readonly<Record<string, number>>; readonly basePixels: number };
  /** The create body's fields the model takes; `resolution` only with a ratio size. */
  readonly parameters: readonly string[];
}

export const GPT_IMAGE_2 = {
  id: 'gpt-image-2',
  maxPromptCodePoints: 32_000,
  n: { min: 1, max: 10 },
  references: { max: 16, maxBytes: 50 * 1024 * 1024, types: ['png', 'jpeg', 'webp'] },
  ratios: ['1:1', '1:2', '2:1', '1:3', '3:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '9:21', '21:9'],
  explicitSize: { step: 16, minEdge: 16, maxEdge: 3840, minPixels: 655_360, maxPixels: 8_294_400, maxAspect: 3 },
  resolutions: { '1K': { short: 1024 }, '2K': { long: 2048 }, '4K': { long: 3840 } },
  qualities: ['low', 'medium', 'high'],
  defaults: { size: 'auto', resolution: '1K', quality: 'medium', n: 1 },
  cost: { perQuality: { low: 0.11, medium: 1, high: 4 }, basePixels: 1024 * 1024 },
  parameters: ['model', 'prompt', 'size', 'resolution', 'quality', 'n', 'image_urls', 'callback_url'],
} as const satisfies ModelDescription;

/** The model every request is sent to. */
export const IMAGE_MODEL = GPT_IMAGE_2;
