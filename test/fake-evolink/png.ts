// Real PNGs of any size, cheap enough to serve 4K results in tests.
//
// With a label (the task's prompt), the gradient's colours come from the label and its first words
// are written across the middle in a 5×7 bitmap font (font.ts), so a person looking at a page the
// fake filled sees which image belongs to which placeholder. Only the rows of that band are
// encoded pixel by pixel (filter None); the rest keeps the cheap scheme below.
//
// The picture is a diagonal gradient where every channel is c0 + f(x) + g(y) with no overflow.
// Row 0 uses the Sub filter; every later row uses the Up filter, so each filtered row is one
// constant 3-byte pattern (g(y) - g(y-1) per channel, 0 or 1). Only a handful of distinct
// filtered rows exist, which deflate squeezes to almost nothing and zlib runs at memory speed.
import { deflateRawSync, deflateSync, constants as zc } from 'node:zlib';
import { ADVANCE, GLYPH_HEIGHT, drawable, glyph } from './font';
// The chunks are written by the core's PNG writer (pngText.ts); the pixels are the fake's own.
import { makeChunk, PNG_SIGNATURE } from '../../src/core/pngText';

/** Per-channel gradient parameters; `variant` picks a palette so images of one task differ. */
function palette(variant: number): { base: number[]; dx: number[]; dy: number[] } {
  const palettes = [
    { base: [40, 60, 120], dx: [180, 90, 40], dy: [30, 100, 90] },
    { base: [120, 30, 60], dx: [40, 150, 120], dy: [90, 70, 60] },
    { base: [20, 110, 70], dx: [160, 40, 150], dy: [70, 100, 30] },
    { base: [90, 90, 20], dx: [60, 120, 180], dy: [100, 40, 50] },
  ];
  return palettes[((variant % palettes.length) + palettes.length) % palettes.length]!;
}

/** Colours of the gradient for a label: a hash of it picks each channel's start and slopes. */
function labelPalette(label: string, variant: number): { base: number[]; dx: number[]; dy: number[] } {
  let h = 0x811c9dc5;
  for (const ch of `${label}\u0000${variant}`) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  const next = () => {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
    return (h ^ (h >>> 15)) >>> 0;
  };
  const base: number[] = [];
  const dx: number[] = [];
  const dy: number[] = [];
  for (let c = 0; c < 3; c++) {
    // base + dx + dy stays at most 250: no channel overflows.
    base.push(20 + (next() % 100));
    dx.push(30 + (next() % 100));
    dy.push(next() % (251 - base[c]! - dx[c]!));
  }
  return { base, dx, dy };
}

/** Where the label goes: at most two lines of its first words, as large as fits a third of the height. */
export interface LabelLayout {
  lines: string[];
  /** Pixels per font cell. */
  scale: number;
  /** Left edge of each line (lines are centred) and top of the first line. */
  lineX: number[];
  top: number;
  /** Rows darkened behind the text: [bandTop, bandBottom). */
  bandTop: number;
  bandBottom: number;
}

const MAX_COLUMNS = 18;
const MAX_LINES = 2;
const LINE_CELLS = GLYPH_HEIGHT + 2;

export function labelLayout(label: string, width: number, height: number): LabelLayout | undefined {
  // Fake-provider markers such as [slow:1200] are instructions to the fake, not words to show.
  const words = drawable(label.replace(/\[[^\]]*\]/g, ' ')).split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const w = word.slice(0, MAX_COLUMNS);
    if (!line) line = w;
    else if (line.length + 1 + w.length <= MAX_COLUMNS) line += ` ${w}`;
    else {
      lines.push(line);
      line = lines.length < MAX_LINES ? w : '';
      if (!line) break;
    }
  }
  if (line && lines.length < MAX_LINES) lines.push(line);
  if (lines.length === 0) return undefined;
  const columns = Math.max(...lines.map((l) => l.length));
  const scale = Math.floor(Math.min((0.9 * width) / (columns * ADVANCE), height / 3 / (lines.length * LINE_CELLS)));
  if (scale < 1) return undefined; // too small to write on
  const blockHeight = (lines.length * LINE_CELLS - 2) * scale;
  const top = Math.floor((height - blockHeight) / 2);
  const lineX = lines.map((l) => Math.floor((width - (l.length * ADVANCE - 1) * scale) / 2));
  return { lines, scale, lineX, top, bandTop: Math.max(0, top - 2 * scale), bandBottom: Math.min(height, top + blockHeight + 2 * scale) };
}

/** One row's pixels (after a filter-type byte) of the gradient: f(x) per channel plus g(y). */
function gradientRow(fx: Uint8Array[], gy: number[], dim = 1): Buffer {
  const width = fx[0]!.length;
  const row = Buffer.alloc(1 + width * 3);
  for (let c = 0; c < 3; c++) {
    const f = fx[c]!;
    const g = gy[c]!;
    for (let x = 0, i = 1 + c; x < width; x++, i += 3) row[i] = dim === 1 ? f[x]! + g : Math.round((f[x]! + g) * dim);
  }
  return row;
}

/** One band row: the gradient darkened, with the label's ink in white. */
function bandRow(y: number, fx: Uint8Array[], gy: number[], layout: LabelLayout): Buffer {
  const row = gradientRow(fx, gy, 0.3);
  const { scale } = layout;
  const lineIndex = Math.floor((y - layout.top) / (LINE_CELLS * scale));
  const cellY = Math.floor((y - layout.top) / scale) - lineIndex * LINE_CELLS;
  if (y < layout.top || lineIndex >= layout.lines.length || cellY >= GLYPH_HEIGHT) return row;
  const text = layout.lines[lineIndex]!;
  for (let i = 0; i < text.length; i++) {
    const bits = glyph(text[i]!)[cellY]!;
    const left = layout.lineX[lineIndex]! + i * ADVANCE * scale;
    for (let cx = 0; cx < bits.length; cx++) {
      if (!bits[cx]) continue;
      row.fill(255, 1 + (left + cx * scale) * 3, 1 + (left + (cx + 1) * scale) * 3);
    }
  }
  return row;
}

export function encodePng(width: number, height: number, variant = 0, label?: string): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`bad PNG size ${width}x${height}`);
  }
  const { base, dx, dy } = label === undefined ? palette(variant) : labelPalette(label, variant);
  const layout = label === undefined ? undefined : labelLayout(label, width, height);
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  // Pixel value = base + f(x) + g(y) per channel; f is the same for every row.
  const fx = [0, 1, 2].map((c) => Uint8Array.from({ length: width }, (_, x) => base[c]! + Math.floor((x * dx[c]!) / width)));
  const gy = (y: number) => [0, 1, 2].map((c) => Math.floor((y * dy[c]!) / height));
  // The band's rows, and the row after it (the cached Up rows assume a plain row above), are worked out pixel by pixel.
  const whole = (y: number) => layout !== undefined && y >= layout.bandTop && y <= layout.bandBottom;

  // Row 0, Sub filter: byte = pixel - left pixel.
  raw[0] = 1;
  const prev = [0, 0, 0];
  for (let x = 0; x < width; x++) {
    for (let c = 0; c < 3; c++) {
      const v = base[c]! + Math.floor((x * dx[c]!) / width);
      raw[1 + x * 3 + c] = (v - prev[c]!) & 0xff;
      prev[c] = v;
    }
  }

  // Later rows, Up filter. Cache the few distinct filtered rows and copy them in.
  const rows = new Map<number, Buffer>();
  let prevPixels: Buffer | undefined;
  for (let y = 0; y < height; y++) {
    if (whole(y)) {
      const pixels = y < layout!.bandBottom ? bandRow(y, fx, gy(y), layout!) : gradientRow(fx, gy(y));
      const above = y === 0 ? undefined : prevPixels ?? gradientRow(fx, gy(y - 1));
      prevPixels = pixels;
      // Up filter against the row above: runs of zeros, which deflate packs fast and small.
      const at = y * stride;
      raw[at] = above ? 2 : 0;
      for (let i = 1; i < stride; i++) raw[at + i] = (pixels[i]! - (above ? above[i]! : 0)) & 0xff;
      continue;
    }
    if (y === 0) continue;
    const d = [0, 1, 2].map((c) => Math.floor((y * dy[c]!) / height) - Math.floor(((y - 1) * dy[c]!) / height));
    const key = d[0]! | (d[1]! << 2) | (d[2]! << 4);
    let row = rows.get(key);
    if (!row) {
      row = Buffer.alloc(stride);
      row[0] = 2;
      for (let x = 0; x < width; x++) {
        row[1 + x * 3] = d[0]!;
        row[2 + x * 3] = d[1]!;
        row[3 + x * 3] = d[2]!;
      }
      rows.set(key, row);
    }
    row.copy(raw, y * stride);
  }

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const idat = deflateSync(raw, { level: 1, strategy: zc.Z_DEFAULT_STRATEGY });
  return Buffer.concat([PNG_SIGNATURE, makeChunk('IHDR', ihdr), makeChunk('IDAT', idat), makeChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A valid, all-black RGBA PNG of any header size whose file stays small: a decompression bomb, e.g.
 * 16000×16000 (a 1 GB pixel stream) in about 1 MB. Built in milliseconds without deflating the whole
 * stream: one zero row is deflated once as a non-final, byte-aligned block that refers to nothing
 * before it (Z_FULL_FLUSH), and repeated once per row; the Adler-32 of n zero bytes is (n mod 65521) << 16 | 1.
 */
export function zeroPng(width: number, height: number): Buffer {
  const stride = 1 + width * 4;
  const row = deflateRawSync(Buffer.alloc(stride), { finishFlush: zc.Z_FULL_FLUSH });
  const last = deflateRawSync(Buffer.alloc(0)); // the final, empty block
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((Number(BigInt(stride) * BigInt(height) % 65521n) << 16) | 1) >>> 0);
  const rows = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y++) row.copy(rows, y * row.length);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const idat = Buffer.concat([Buffer.from([0x78, 0x01]), rows, last, adler]);
  return Buffer.concat([PNG_SIGNATURE, makeChunk('IHDR', ihdr), makeChunk('IDAT', idat), makeChunk('IEND', Buffer.alloc(0))]);
}

/** Width and height from a PNG's IHDR, or undefined when the bytes are not a PNG. */
export function readPngSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 24 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    return undefined;
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Keeps the last few encoded sizes: a test run asks for the same handful over and over. */
export class PngCache {
  private readonly entries = new Map<string, Buffer>();
  constructor(private readonly max = 16) {}

  get(width: number, height: number, variant = 0, label?: string): Buffer {
    const key = label === undefined ? `${width}x${height}:${variant % 4}` : `${width}x${height}:${variant}:${label}`;
    let png = this.entries.get(key);
    if (png) {
      this.entries.delete(key);
    } else {
      png = encodePng(width, height, variant, label);
      if (this.entries.size >= this.max) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    this.entries.set(key, png);
    return png;
  }
}

/**
 * The picture as a model asked for a transparent image draws it (issue 24): the labelled gradient as
 * a subject in the middle (half the width, 60 % of the height, clear of the edges) on a flat backdrop
 * of `key` (RGB), so Pictor's keying is tested end to end. `busy`: the backdrop is a pattern of
 * colour stripes instead, which is not flat enough to key (the not-flat path).
 */
export function keyedPng(width: number, height: number, key: readonly [number, number, number], label?: string, busy = false): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) throw new RangeError(`bad PNG size ${width}x${height}`);
  const { base, dx, dy } = label === undefined ? palette(0) : labelPalette(label, 0);
  const x0 = Math.floor(width / 4), x1 = width - x0, y0 = Math.floor(height / 5), y1 = height - y0;
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  const stripes = [[200, 40, 40], [40, 180, 60], [30, 60, 200], [230, 210, 40], [240, 240, 240]];
  for (let y = 0; y < height; y++) {
    const at = y * stride; // filter None
    for (let x = 0; x < width; x++) {
      const i = at + 1 + x * 3;
      let c: readonly number[];
      if (x >= x0 && x < x1 && y >= y0 && y < y1) {
        const u = (x - x0) / (x1 - x0), v = (y - y0) / (y1 - y0);
        c = [0, 1, 2].map((k) => base[k]! + Math.floor(u * dx[k]!) + Math.floor(v * dy[k]!));
      } else if (busy) {
        c = stripes[Math.floor((x + 2 * y) / 24) % stripes.length]!;
      } else {
        c = key;
      }
      raw[i] = c[0]!; raw[i + 1] = c[1]!; raw[i + 2] = c[2]!;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const idat = deflateSync(raw, { level: 1 });
  return Buffer.concat([PNG_SIGNATURE, makeChunk('IHDR', ihdr), makeChunk('IDAT', idat), makeChunk('IEND', Buffer.alloc(0))]);
}

/** The key colour Pictor's transparent-background instruction asks for in `prompt` (`… solid magenta (#FF00FF) background …`), if any. */
export function requestedKey(prompt: string): [number, number, number] | undefined {
  const m = /solid [a-z]+ \(#([0-9A-Fa-f]{6})\) background/.exec(prompt);
  if (!m) return undefined;
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
