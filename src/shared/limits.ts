// The provider's limits (docs/provider-api.md, "Limits"), in one place for the host, the core and the webview alike.
// Pure constants: src/shared imports nothing outside src/shared, so the webview bundles it as is.

export const RATIOS = [
  '1:1', '1:2', '2:1', '1:3', '3:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '9:21', '21:9',
] as const;
export type Ratio = (typeof RATIOS)[number];
export const RESOLUTIONS = ['1K', '2K', '4K'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const QUALITIES = ['low', 'medium', 'high'] as const;
export type Quality = (typeof QUALITIES)[number];

/** The look options (issue 24): what Pictor does to the image itself, the provider never sees them. */
export const BACKGROUNDS = ['opaque', 'transparent'] as const;
export type Background = (typeof BACKGROUNDS)[number];
export const FORMATS = ['png', 'webp', 'jpeg'] as const;
export type Format = (typeof FORMATS)[number];

export const MAX_PROMPT_CODE_POINTS = 32000;
export const MIN_N = 1;
export const MAX_N = 10;
export const MAX_REFERENCE_IMAGES = 16;
export const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;
/** The file types a reference image may have (by extension; the bytes are checked too). */
export const REFERENCE_EXTENSIONS = ['.jpeg', '.jpg', '.png', '.webp'] as const;
export const MAX_CALLBACK_URL_LENGTH = 2048;

export interface PixelSize {
  width: number;
  height: number;
}
