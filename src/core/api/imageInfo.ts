// What an image file really is, from its bytes (headers lie: a CDN may say octet-stream, an
// expired link may answer 200 with an HTML page). Reads only the first bytes of the file.

import { IMAGE_TYPES, type ImageType } from '../../shared/imageFormats';
import type { PixelSize } from '../../shared/limits';
import { FORMAT_BYTES } from '../imageFormats';

/**
 * How many leading bytes are enough to find the pixel size of the images we produce. A JPEG's frame
 * header follows its metadata: a recipe's XMP segment (up to 64 KB, xmp.ts) after JFIF, or a camera's
 * Exif of up to 64 KB, push it past the first 64 KB.
 */
export const HEAD_BYTES = 192 * 1024;

function bytes(buf: Uint8Array): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The format whose signature the bytes start with (the format table, imageFormats.ts). */
export function sniffImageType(buf: Uint8Array): ImageType | undefined {
  const b = bytes(buf);
  return IMAGE_TYPES.find((t) => FORMAT_BYTES[t].sniff(b));
}

export function readPixelSize(buf: Uint8Array, type: ImageType | undefined = sniffImageType(buf)): PixelSize | undefined {
  const size = type === undefined ? undefined : FORMAT_BYTES[type].size(bytes(buf));
  if (!size || size.width <= 0 || size.height <= 0) return undefined;
  return size;
}

export interface ImageInfo extends PixelSize {
  type: ImageType;
}

/** Type and pixel size from the first bytes of a file, or undefined if it is not a PNG/JPEG/WebP we can read. */
export function imageInfo(head: Uint8Array): ImageInfo | undefined {
  const type = sniffImageType(head);
  if (!type) return undefined;
  const size = readPixelSize(head, type);
  return size ? { type, ...size } : undefined;
}

/** An HTML (or XML) page: what expired links, captive portals and error pages send instead of an image. */
export function looksLikeHtml(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 512))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  // No image format we accept starts with '<'; every markup page does.
  return text.startsWith('<');
}

/**
 * Whether the file ends the way a complete image of its type ends. Catches bodies cut short
 * when the server sent no Content-Length to compare against.
 */
export function isCompleteImage(type: ImageType, head: Uint8Array, tail: Uint8Array, totalBytes: number): boolean {
  return FORMAT_BYTES[type].complete(bytes(head), bytes(tail), totalBytes);
}
