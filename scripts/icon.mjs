#!/usr/bin/env node
// Draws media/icon.png (128×128): a framed picture — sun and hills — on a violet-to-amber tile,
// with a sparkle in the corner. Plain Node (zlib for the PNG), 4×4 supersampling for smooth edges.
// Run `node scripts/icon.mjs` after changing it; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4;

const mix = (a, b, t) => a.map((x, i) => x + (b[i] - x) * t);

/** Signed distance to a rounded rectangle centred at (cx, cy). */
function roundRect(x, y, cx, cy, hw, hh, r) {
  const dx = Math.abs(x - cx) - hw + r;
  const dy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - r;
}

/** A four-pointed star: |x|^p + |y|^p <= r^p with p < 1 gives the pinched sparkle shape. */
function sparkle(x, y, cx, cy, r) {
  const p = 0.55;
  return (Math.abs(x - cx) / r) ** p + (Math.abs(y - cy) / r) ** p <= 1;
}

/** RGBA of one sample point, or null outside the tile. */
function sample(x, y) {
  if (roundRect(x, y, 64, 64, 62, 62, 24) > 0) return null;
  // Tile: diagonal gradient.
  let c = mix([91, 60, 196], [245, 158, 66], Math.min(1, Math.max(0, (x + y) / 256)));
  // The picture: a white frame with a sky, a sun and two hills.
  const frame = roundRect(x, y, 60, 68, 38, 30, 6);
  if (frame <= 0) {
    c = [255, 255, 255];
    if (roundRect(x, y, 60, 68, 32, 24, 3) <= 0) {
      c = mix([120, 190, 255], [200, 230, 255], (y - 44) / 48);
      if (Math.hypot(x - 74, y - 58) <= 7) c = [255, 200, 60];
      const hill1 = y >= 92 - 26 * Math.exp(-(((x - 46) / 14) ** 2));
      const hill2 = y >= 92 - 18 * Math.exp(-(((x - 78) / 16) ** 2));
      if (hill2) c = [70, 160, 110];
      if (hill1) c = [40, 130, 90];
    }
  }
  if (sparkle(x, y, 100, 28, 18)) c = [255, 255, 255];
  if (sparkle(x, y, 112, 50, 8)) c = [255, 240, 200];
  return [...c, 255];
}

const rows = [];
for (let py = 0; py < SIZE; py++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (None), then RGBA
  for (let px = 0; px < SIZE; px++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const s = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
        if (!s) continue;
        // Premultiplied, so edge pixels do not darken.
        for (let i = 0; i < 3; i++) acc[i] += s[i] * (s[3] / 255);
        acc[3] += s[3];
      }
    }
    const n = SS * SS;
    const a = acc[3] / n;
    for (let i = 0; i < 3; i++) row[1 + px * 4 + i] = a ? Math.round((acc[i] / n) * (255 / a)) : 0;
    row[1 + px * 4 + 3] = Math.round(a);
  }
  rows.push(row);
}

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${path.relative(process.cwd(), out)} (${png.length} bytes)`);
