import * as assert from 'node:assert/strict';
import { flattenOnWhite, hasTransparency, shrinkRgba, type Rgba } from '../../src/core/resample';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  return { width, height, data };
}

const at = (img: Rgba, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('shrinking an image (area average in linear light, premultiplied alpha)', () => {
  it('averages light, not sRGB numbers: a black and white checkerboard halves to 188, not 128', () => {
    const board = image(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const half = shrinkRgba(board, 32, 32);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) assert.deepEqual(at(half, x, y), [188, 188, 188, 255]);
  });

  it('keeps a flat colour exactly at any ratio, and the aspect it is given', () => {
    const flat = image(1536, 1024, () => [200, 30, 40, 255]);
    const out = shrinkRgba(flat, 1200, 800);
    assert.deepEqual([out.width, out.height], [1200, 800]);
    const want = [200, 30, 40, 255];
    const off = out.data.findIndex((v, i) => v !== want[i % 4]);
    assert.equal(off, -1, `byte ${off} differs`);
  });

  it('weighs each source pixel by the share of it a target pixel covers (3 → 2)', () => {
    // Linear values 0, 1, 0 (sRGB 0, 255, 0): the left target covers all of pixel 0 and half of pixel 1.
    const row = image(3, 1, (x) => (x === 1 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const out = shrinkRgba(row, 2, 1);
    // Linear 1/3 in sRGB: 0.6135 → 156.
    assert.deepEqual(at(out, 0, 0), [156, 156, 156, 255]);
    assert.deepEqual(at(out, 1, 0), [156, 156, 156, 255]);
  });

  it('lets no colour of a transparent pixel bleed into its neighbour, and averages alpha', () => {
    // An opaque red pixel beside a fully transparent green one: the colour stays pure red, half covered.
    const edge = image(2, 1, (x) => (x === 0 ? [255, 0, 0, 255] : [0, 255, 0, 0]));
    assert.deepEqual(at(shrinkRgba(edge, 1, 1), 0, 0), [255, 0, 0, 128]);
    const clear = image(4, 4, () => [10, 20, 30, 0]);
    assert.deepEqual(at(shrinkRgba(clear, 2, 2), 1, 1), [0, 0, 0, 0]);
  });

  it('keeps the mean light of a noisy picture within a byte, and never enlarges', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const noisy = image(300, 200, () => [rnd(), rnd(), rnd(), 255]);
    const lin = (v: number) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    const mean = (img: Rgba) => { let s = 0; for (let i = 0; i < img.data.length; i += 4) s += lin(img.data[i]!); return s / (img.width * img.height); };
    const small = shrinkRgba(noisy, 97, 65);
    assert.ok(Math.abs(mean(small) - mean(noisy)) < 1 / 255, `${mean(small)} vs ${mean(noisy)}`);
    assert.throws(() => shrinkRgba(noisy, 301, 200), /only shrinks/);
    assert.deepEqual(shrinkRgba(noisy, 300, 200).data, noisy.data);
  });

  it('composites on white for JPEG, as a browser shows a transparent PNG on a white page', () => {
    const img = image(3, 1, (x) => [[0, 0, 0, 0], [0, 0, 0, 128], [10, 200, 30, 255]][x] as [number, number, number, number]);
    assert.equal(hasTransparency(img), true);
    const flat = flattenOnWhite(img);
    assert.equal(hasTransparency(flat), false);
    assert.deepEqual([at(flat, 0, 0), at(flat, 1, 0), at(flat, 2, 0)], [[255, 255, 255, 255], [127, 127, 127, 255], [10, 200, 30, 255]]);
  });
});
