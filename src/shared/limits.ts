// The provider's limits by the names the host, the core and the webview use. The figures are the model's
// (model.ts, the one description) and the formats' (imageFormats.ts); only the callback's length and the
// look's options are Pictor's own.
// Pure constants: src/shared imports nothing outside src/shared, so the webview bundles it as is.
import { IMAGE_FORMATS, IMAGE_TYPES, type ImageType } from './imageFormats';
import { IMAGE_MODEL } from './model';

export const RATIOS = IMAGE_MODEL.ratios;
export type Ratio = (typeof RATIOS)[number];
export type Resolution = keyof typeof IMAGE_MODEL.resolutions;
export const RESOLUTIONS = Object.keys(IMAGE_MODEL.resolutions) as [Resolution, ...Resolution[]];
export const QUALITIES = IMAGE_MODEL.qualities;
export type Quality = (typeof QUALITIES)[number];

/** The look options (issue 24): what Pictor does to the image itself, the provider never sees them. */
export const BACKGROUNDS = ['opaque', 'transparent'] as const;
export type Background = (typeof BACKGROUNDS)[number];
/** The formats a saved image may have: every row of the format table. */
export const FORMATS = IMAGE_TYPES;
export type Format = ImageType;

export const MAX_PROMPT_CODE_POINTS = IMAGE_MODEL.maxPromptCodePoints;
export const MIN_N = IMAGE_MODEL.n.min;
export const MAX_N = IMAGE_MODEL.n.max;
export const MAX_REFERENCE_IMAGES = IMAGE_MODEL.references.max;
export const MAX_REFERENCE_BYTES = IMAGE_MODEL.references.maxBytes;
/** The file types a reference image may have (by extension, sorted; the bytes are checked too). */
export const REFERENCE_EXTENSIONS: readonly string[] =
  IMAGE_MODEL.references.types.flatMap((t) => IMAGE_FORMATS[t].extensions.map((e) => `.${e}`)).sort();
export const MAX_CALLBACK_URL_LENGTH = 2048;

export interface PixelSize {
  width: number;
  height: number;
}
