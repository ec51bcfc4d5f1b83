// Real PNGs of any size, cheap enough to serve 4K results in tests.
//
// The picture is a diagonal gradient where every channel is c0 + f(x) + g(y) with no overflow.
// Row 0 uses the Sub filter; every later row uses the Up filter, so each filtered row is one
// constant 3-byte pattern (g(y) - g(y-1) per channel, 0 or 1). Only a handful of distinct
// filtered rows exist, which deflate squeezes to almost nothing and zlib runs at memory speed.
import { deflateSync, constants as zc } from 'node:zlib';

// zlib.crc32 only exists from Node 20.15; a table keeps the fake working on any Node 20.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/** Per-channel gradient parameters; `variant` picks a palette so images of one task differ. */
function palette(variant: number): { base: number[]; dx: number[]; dy: number[] } {
  const palettes = [
    { base: [40, 60, 120], dx: [180, 90, 40], dy: [30, 100, 90] },
    { base: [120, 30, 60], dx: [40, 150, 120], dy: [90, 70, 60] },
    { base: [20, 110, 70], dx: [160, 40, 150], dy: [70, 100, 30] },
    { base: [90, 90, 20], dx: [60, 120, 180], dy: [100, 40, 50] },
  ];
  return palettes[((variant % palettes.length) + palettes.length) % palettes.length];
}

export function encodePng(width: number, height: number, variant = 0): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`bad PNG size ${width}x${height}`);
  }
  const { base, dx, dy } = palette(variant);
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);

  // Row 0, Sub filter: byte = pixel - left pixel.
  raw[0] = 1;
  const prev = [0, 0, 0];
  for (let x = 0; x < width; x++) {
    for (let c = 0; c < 3; c++) {
      const v = base[c] + Math.floor((x * dx[c]) / width);
      raw[1 + x * 3 + c] = (v - prev[c]) & 0xff;
      prev[c] = v;
    }
  }

  // Later rows, Up filter. Cache the few distinct filtered rows and copy them in.
  const rows = new Map<number, Buffer>();
  for (let y = 1; y < height; y++) {
    const d = [0, 1, 2].map((c) => Math.floor((y * dy[c]) / height) - Math.floor(((y - 1) * dy[c]) / height));
    const key = d[0] | (d[1] << 2) | (d[2] << 4);
    let row = rows.get(key);
    if (!row) {
      row = Buffer.alloc(stride);
      row[0] = 2;
      for (let x = 0; x < width; x++) {
        row[1 + x * 3] = d[0];
        row[2 + x * 3] = d[1];
        row[3 + x * 3] = d[2];
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
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** Width and height from a PNG's IHDR, or undefined when the bytes are not a PNG. */
export function readPngSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 24 || !buf.subarray(0, 8).equals(SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    return undefined;
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Keeps the last few encoded sizes: a test run asks for the same handful over and over. */
export class PngCache {
  private readonly entries = new Map<string, Buffer>();
  constructor(private readonly max = 16) {}

  get(width: number, height: number, variant = 0): Buffer {
    const key = `${width}x${height}:${variant % 4}`;
    let png = this.entries.get(key);
    if (png) {
      this.entries.delete(key);
    } else {
      png = encodePng(width, height, variant);
      if (this.entries.size >= this.max) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    this.entries.set(key, png);
    return png;
  }
}
