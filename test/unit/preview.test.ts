import * as assert from 'node:assert/strict';
import { imageSize } from 'image-size';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { makePreview, PREVIEW_MAX_EDGE } from '../../src/core/preview';
import { encodePng } from '../fake-evolink/png';

/** A solid-colour PNG with an alpha channel, made by pngjs (an independent encoder). */
function solidPng(width: number, height: number, rgba: [number, number, number, number]): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set(rgba, i * 4);
  return PNG.sync.write(png);
}

describe('preview (the small image a language model sees)', () => {
  it('shrinks a 1536×1024 PNG to a JPEG whose longer edge is 256, keeping the aspect ratio', () => {
    const p = makePreview(encodePng(1536, 1024), 'png');
    assert.ok(p);
    assert.equal(p.mimeType, 'image/jpeg');
    assert.deepEqual([p.width, p.height], [PREVIEW_MAX_EDGE, 171]);
    // The bytes really are that JPEG (read by image-size, not by the code under test).
    const s = imageSize(p.data);
    assert.deepEqual([s.type, s.width, s.height], ['jpg', 256, 171]);
    assert.ok(p.data.byteLength < 40_000, `${p.data.byteLength} bytes is not small`);
  });

  it('keeps the colours (box average) and composites transparency on white', () => {
    const red = makePreview(solidPng(600, 300, [200, 30, 40, 255]), 'png')!;
    const px = jpeg.decode(Buffer.from(red.data), { useTArray: true });
    assert.deepEqual([red.width, red.height], [256, 128]);
    const [r, g, b] = [px.data[0]!, px.data[1]!, px.data[2]!];
    assert.ok(Math.abs(r - 200) < 8 && Math.abs(g - 30) < 8 && Math.abs(b - 40) < 8, `got ${r},${g},${b}`);
    const clear = makePreview(solidPng(64, 64, [0, 0, 0, 0]), 'png')!;
    const white = jpeg.decode(Buffer.from(clear.data), { useTArray: true });
    assert.ok(white.data[0]! > 245 && white.data[1]! > 245 && white.data[2]! > 245, 'transparent pixels should read as white');
  });

  it('never enlarges a small image, and decodes JPEG too', () => {
    const small = jpeg.encode({ width: 100, height: 50, data: Buffer.alloc(100 * 50 * 4, 128) }, 90).data;
    const p = makePreview(small, 'jpeg')!;
    assert.deepEqual([p.width, p.height], [100, 50]);
  });

  it('gives no preview for WebP, and throws on bytes that are not the image they claim', () => {
    assert.equal(makePreview(new Uint8Array([0x52, 0x49, 0x46, 0x46]), 'webp'), undefined);
    assert.throws(() => makePreview(new Uint8Array([1, 2, 3, 4]), 'png'));
  });
});
