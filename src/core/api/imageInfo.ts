// What an image file really is, from its bytes (headers lie: a CDN may say octet-stream, an
// expired link may answer 200 with an HTML page). Reads only the first bytes of the file.

import type { ImageType } from '../types';
import type { PixelSize } from '../../shared/limits';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * How many leading bytes are enough to find the pixel size of the images we produce. A JPEG's frame
 * header follows its metadata: a recipe's XMP segment (up to 64 KB, xmp.ts) after JFIF, or a camera's
 * Exif of up to 64 KB, push it past the first 64 KB.
 */
export const HEAD_BYTES = 192 * 1024;

export function sniffImageType(buf: Uint8Array): ImageType | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

function pngSize(b: Buffer): PixelSize | undefined {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

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

export function readPixelSize(buf: Uint8Array, type: ImageType | undefined = sniffImageType(buf)): PixelSize | undefined {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = type === 'png' ? pngSize(b) : type === 'jpeg' ? jpegSize(b) : type === 'webp' ? webpSize(b) : undefined;
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
  const t = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
  if (type === 'png') return t.length >= PNG_IEND.length && t.subarray(t.length - PNG_IEND.length).equals(PNG_IEND);
  if (type === 'jpeg') {
    // Entropy-coded data escapes 0xff, so ff d9 near the end can only be the end-of-image marker.
    for (let i = t.length - 2; i >= 0; i--) if (t[i] === 0xff && t[i + 1] === 0xd9) return true;
    return false;
  }
  const h = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (h.length < 8) return false;
  const riff = h.readUInt32LE(4) + 8;
  return totalBytes === riff || totalBytes === riff + 1;
}
