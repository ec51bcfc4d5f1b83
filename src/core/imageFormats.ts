// The image formats in bytes, one row each, keyed as src/shared/imageFormats.ts keys their names,
// extensions and MIME types: how a file of the format is recognised (sniff), where its pixel size is
// (size), how it ends when it is whole (complete), and how the recipe is written into it and read back
// (the PNG text chunks of pngText.ts, the XMP of xmp.ts). api/imageInfo.ts (what a download or a reference
// really is) and recipe.ts read this table; a format added to the shared table does not compile until
// it has a row here too.
import { IMAGE_FORMATS, type ImageFormat, type ImageType } from '../shared/imageFormats';
import type { PixelSize } from '../shared/limits';
import { decodeText, isPng, itxtChunk, pngChunks, readPngTextFromFile, textChunk, withTextChunks } from './pngText';
import { isJpeg, isWebp, readXmpFromFile, recipeJsonFromXmp, withJpegXmp, withWebpXmp, xmpFromImage, xmpPacket } from './xmp';

/** The PNG text chunk holding the recipe's JSON, and the standard one holding the prompt that image viewers show. */
export const RECIPE_KEYWORD = 'pictor';
export const DESCRIPTION_KEYWORD = 'Description';

/** Where the recipe goes in a file of the format: the recipe's JSON, and the prompt for viewers. */
export interface RecipePlace {
  /** A copy of `image` holding `json` (and `prompt`, when there is room); undefined when it does not fit (the sidecar then). Throws on a broken file. */
  embed(image: Buffer, json: string, prompt: string): Buffer | undefined;
  /** The recipe's JSON in an image held in memory; undefined when it has none. May throw on a broken file. */
  fromImage(image: Buffer): string | undefined;
  /** The same from a file on disk, read by its headers (the pixels are never loaded). */
  fromFile(file: string): Promise<string | undefined>;
}

export interface FormatBytes extends ImageFormat {
  /** Whether the first bytes are this format's signature. */
  sniff(head: Buffer): boolean;
  /** The pixel size from the first bytes (api/imageInfo.ts HEAD_BYTES); undefined when not there. */
  size(head: Buffer): PixelSize | undefined;
  /** Whether the file ends the way a whole file of the format ends (a body cut short does not). */
  complete(head: Buffer, tail: Buffer, totalBytes: number): boolean;
  recipe: RecipePlace;
}

// ---- PNG ----------------------------------------------------------------------------------------

const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function pngSize(b: Buffer): PixelSize | undefined {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** The first text chunk with the recipe's keyword. Throws on a broken PNG (pngChunks checks every CRC). */
function recipeTextInPng(png: Buffer): string | undefined {
  for (const c of pngChunks(png)) {
    if (c.type !== 'iTXt' && c.type !== 'tEXt') continue;
    const t = decodeText(c);
    if (t?.keyword === RECIPE_KEYWORD) return t.text;
  }
  return undefined;
}

// ---- JPEG ---------------------------------------------------------------------------------------

// SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range
// but are not frames.
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Buffer): PixelSize | undefined {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return undefined;
    // Inside the loop's bound (i + 3 < length): the byte is there.
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // image data before any frame header
    const len = b.readUInt16BE(i + 2);
    if (len < 2) return undefined;
    if (isSof(marker)) {
      if (i + 9 > b.length) return undefined;
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return undefined;
}

// ---- WebP ---------------------------------------------------------------------------------------

function webpSize(b: Buffer): PixelSize | undefined {
  if (b.length < 30) return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2f, then width-1 and height-1 packed in 14 bits each.
    if (b[20] !== 0x2f) return undefined;
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Extended: canvas width-1 and height-1 as 24-bit little-endian numbers.
    return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  }
  return undefined;
}

/** The recipe as XMP (WebP and JPEG alike): the packet's `pictor:recipe`. */
const XMP_RECIPE = {
  fromImage: (image: Buffer): string | undefined => {
    const xmp = xmpFromImage(image);
    return xmp === undefined ? undefined : recipeJsonFromXmp(xmp);
  },
  fromFile: async (file: string): Promise<string | undefined> => {
    const xmp = await readXmpFromFile(file);
    return xmp === undefined ? undefined : recipeJsonFromXmp(xmp);
  },
};

// ---- the table ----------------------------------------------------------------------------------

export const FORMAT_BYTES: Readonly<Record<ImageType, FormatBytes>> = {
  png: {
    ...IMAGE_FORMATS.png,
    sniff: isPng,
    size: pngSize,
    complete: (_head, tail) => tail.length >= PNG_IEND.length && tail.subarray(tail.length - PNG_IEND.length).equals(PNG_IEND),
    recipe: {
      // Any earlier recipe and Description replaced; right after IHDR, where readers that stop early find it.
      embed: (image, json, prompt) => withTextChunks(image, [itxtChunk(RECIPE_KEYWORD, json), textChunk(DESCRIPTION_KEYWORD, prompt)],
        [RECIPE_KEYWORD, DESCRIPTION_KEYWORD]),
      fromImage: recipeTextInPng,
      fromFile: async (file) => (await readPngTextFromFile(file, [RECIPE_KEYWORD]))[0]?.text,
    },
  },
  webp: {
    ...IMAGE_FORMATS.webp,
    sniff: isWebp,
    size: webpSize,
    // The RIFF header counts the file (an odd size may have its pad byte or not).
    complete: (head, _tail, totalBytes) => head.length >= 8 && (totalBytes === head.readUInt32LE(4) + 8 || totalBytes === head.readUInt32LE(4) + 9),
    recipe: { embed: (image, json, prompt) => withWebpXmp(image, xmpPacket(json, prompt)), ...XMP_RECIPE },
  },
  jpeg: {
    ...IMAGE_FORMATS.jpeg,
    sniff: isJpeg,
    size: jpegSize,
    // Entropy-coded data escapes 0xff, so ff d9 near the end can only be the end-of-image marker.
    complete: (_head, tail) => {
      for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
      return false;
    },
    // One APP1 segment holds at most 65,533 bytes: without the prompt when both do not fit, else the sidecar.
    recipe: { embed: (image, json, prompt) => withJpegXmp(image, xmpPacket(json, prompt)) ?? withJpegXmp(image, xmpPacket(json)), ...XMP_RECIPE },
  },
};
