// The fake provider's pictures: valid PNGs of the requested size, a different picture for each
// prompt, with the prompt's first words drawn in the bitmap font so a person can tell them apart.
// Decoded here independently (chunk CRCs, inflate, all five PNG filters) and checked pixel by pixel.
import * as assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { imageSize } from 'image-size';
import { encodePng, labelLayout, PngCache } from '../fake-evolink/png';
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, drawable, glyph } from '../fake-evolink/font';

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Decoded { width: number; height: number; pixel(x: number, y: number): [number, number, number] }

/** A small, strict PNG reader for 8-bit RGB: every chunk's CRC, IHDR, IDAT inflated and unfiltered. */
function decode(png: Buffer): Decoded {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  let ended = false;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    assert.equal(png.readUInt32BE(at + 8 + len), crc32(png.subarray(at + 4, at + 8 + len)), `CRC of ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.deepEqual([...data.subarray(8)], [8, 2, 0, 0, 0], '8-bit RGB, no interlace');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    at += 12 + len;
  }
  assert.ok(ended, 'IEND');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  assert.equal(raw.length, height * (stride + 1), 'one filter byte and one RGB row per line');
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    assert.ok(f <= 4, `filter type ${f} on row ${y}`);
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 3 ? out[y * stride + i - 3]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= 3 && y > 0 ? out[(y - 1) * stride + i - 3]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth;
      out[y * stride + i] = (v + pred) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [out[y * stride + x * 3]!, out[y * stride + x * 3 + 1]!, out[y * stride + x * 3 + 2]!] };
}

const isWhite = (p: number[]) => p.every((c) => c === 255);

describe('fake provider pictures', function () {
  this.timeout(20_000); // decoding megapixels in plain JavaScript, on a shared machine
  it('are valid PNGs of exactly the requested size, with or without a prompt', () => {
    for (const [w, h] of [[1024, 1024], [1536, 1024], [1024, 1536], [16, 16], [3, 700]] as const) {
      for (const label of [undefined, 'a red fox asleep in fresh snow']) {
        const png = encodePng(w, h, 0, label);
        const d = decode(png);
        assert.deepEqual([d.width, d.height], [w, h]);
        assert.deepEqual(imageSize(png), { width: w, height: h, type: 'png' }, 'image-size reads another size');
      }
    }
  });

  it('write the prompt\'s first words in the font, white on a dark band, centred', () => {
    const prompt = 'Hi, fox 42 [slow:1200]';
    const d = decode(encodePng(1024, 768, 0, prompt));
    const layout = labelLayout(prompt, 1024, 768)!;
    assert.deepEqual(layout.lines, ['HI, FOX 42'], 'the fake\'s markers are not words to draw');
    let ink = 0;
    for (const [li, line] of layout.lines.entries()) {
      for (const [ci, ch] of [...line].entries()) {
        const bits = glyph(ch);
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
          for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
            // The middle of each font cell is ink exactly where the glyph has a '#'.
            const x = layout.lineX[li]! + (ci * ADVANCE + gx) * layout.scale + (layout.scale >> 1);
            const y = layout.top + (li * (GLYPH_HEIGHT + 2) + gy) * layout.scale + (layout.scale >> 1);
            assert.equal(isWhite(d.pixel(x, y)), bits[gy]![gx]!, `"${ch}" cell (${gx},${gy}) at ${x},${y}`);
            if (bits[gy]![gx]) ink++;
          }
        }
      }
    }
    assert.ok(ink > 50, 'the label has ink');
    // Centred: as much room left of the text as right of it (within one pixel).
    const textWidth = (layout.lines[0]!.length * ADVANCE - 1) * layout.scale;
    assert.ok(Math.abs(layout.lineX[0]! - (1024 - layout.lineX[0]! - textWidth)) <= 1);
    // The band is darker than the picture above it, and nothing outside the band is white.
    const above = d.pixel(10, layout.bandTop - 1);
    const band = d.pixel(10, layout.bandTop);
    assert.ok(band.reduce((a, b) => a + b) < above.reduce((a, b) => a + b));
    for (let y = 0; y < 768; y += 7) if (y < layout.bandTop || y >= layout.bandBottom) assert.ok(!isWhite(d.pixel(512, y)), `row ${y}`);
  });

  it('break long prompts into at most two lines of whole words, and draw what the font lacks as "?"', () => {
    assert.deepEqual(labelLayout('a lighthouse on a rocky coast at dawn, watercolor', 1536, 1024)!.lines, ['A LIGHTHOUSE ON A', 'ROCKY COAST AT']);
    assert.equal(drawable('Café 猫'), 'CAFE ?');
    assert.equal(labelLayout('x', 8, 8), undefined, 'too small to write on');
  });

  it('differ from prompt to prompt and image to image, and are the same for the same prompt', () => {
    const a = encodePng(640, 480, 0, 'a red tulip');
    assert.deepEqual(encodePng(640, 480, 0, 'a red tulip'), a);
    assert.notDeepEqual(encodePng(640, 480, 0, 'a yellow tulip'), a);
    assert.notDeepEqual(encodePng(640, 480, 1, 'a red tulip'), a);
    // Not only the text: the colours differ too (the corner is far from the band).
    assert.notDeepEqual(decode(encodePng(640, 480, 0, 'a yellow tulip')).pixel(0, 0), decode(a).pixel(0, 0));
    const cache = new PngCache();
    assert.deepEqual(cache.get(640, 480, 0, 'a red tulip'), a);
    assert.notDeepEqual(cache.get(640, 480, 0, 'a white tulip'), a);
  });
});
