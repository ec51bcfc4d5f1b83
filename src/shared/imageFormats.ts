// The image formats Pictor reads and writes, one row each: the name a user reads, the file extensions
// (the first is the one Pictor writes), the MIME type, whether it holds transparency, and where the
// recipe goes. The byte side of each row (sniffing, the pixel size, completeness, the recipe written
// and read) is src/core/imageFormats.ts, keyed by the same names: a format added here does not compile
// until it has its bytes there.
//
// Pure data: src/shared imports nothing outside src/shared, so the webview bundles it as is.

export interface ImageFormat {
  /** As a user reads it: `WebP`. */
  readonly name: string;
  /** Without the dot, lower case; the first is the one a written file gets. */
  readonly extensions: readonly string[];
  readonly mime: string;
  /** Whether it keeps an alpha channel (a transparent background). */
  readonly transparency: boolean;
  /**
   * The part of the file the recipe goes in (src/core/imageFormats.ts writes it): a PNG text chunk, a
   * WebP `XMP ` chunk, a JPEG APP1 segment (at most 65,533 bytes: a bigger recipe goes to the sidecar).
   */
  readonly recipeIn: string;
}

/** In the order the panel and the messages list them. */
export const IMAGE_FORMATS = {
  png: { name: 'PNG', extensions: ['png'], mime: 'image/png', transparency: true, recipeIn: 'iTXt' },
  webp: { name: 'WebP', extensions: ['webp'], mime: 'image/webp', transparency: true, recipeIn: 'XMP ' },
  jpeg: { name: 'JPEG', extensions: ['jpg', 'jpeg'], mime: 'image/jpeg', transparency: false, recipeIn: 'APP1' },
} as const satisfies Readonly<Record<string, ImageFormat>>;

export type ImageType = keyof typeof IMAGE_FORMATS;
export const IMAGE_TYPES = Object.keys(IMAGE_FORMATS) as [ImageType, ...ImageType[]];

/** The extension a file of this type is written with, without the dot: `jpg`. */
export function extensionOf(type: ImageType): string {
  return IMAGE_FORMATS[type].extensions[0];
}

/** The type an extension names (with or without the dot, any case); undefined when none does. */
export function typeOfExtension(ext: string): ImageType | undefined {
  const e = ext.replace(/^\./, '').toLowerCase();
  return IMAGE_TYPES.find((t) => (IMAGE_FORMATS[t].extensions as readonly string[]).includes(e));
}

/** The type a format's name or one of its extensions names, any case (`jpg` is `jpeg`), as options and flags take it. */
export function imageTypeNamed(value: string): ImageType | undefined {
  const v = value.toLowerCase();
  if ((IMAGE_TYPES as readonly string[]).includes(v)) return v as ImageType;
  return v.startsWith('.') ? undefined : typeOfExtension(v);
}
