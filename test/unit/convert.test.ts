import * as assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { imageSize } from 'image-size';
import { checkConvertible, convertImage, convertedSize, formatAllowsAlpha, FORMAT_EXTENSION } from '../../src/core/convert';
import { imageInfo } from '../../src/core/api/imageInfo';
import { encodePng } from '../fake-evolink/png';
import { decodeJpeg, decodeWebp, type Pixels } from './codecs';
import { countingDecodes, pngOf } from './pngFixtures';

const px = (img: Pixels | PNG, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
const near = (got: number[], want: number[], tol: number) => got.every((v, i) => Math.abs(v - want[i]!) <= tol);

// Left half opaque red, right half transparent; a half-transparent blue band at the bottom.
const cutout = (w: number, h: number) => pngOf(w, h, (x, y) => (y >= h - 8 ? [0, 0, 255, 128] : x < w / 2 ? [220, 20, 30, 255] : [0, 255, 0, 0]));

describe('light files: converting an image (in a worker thread)', () => {
  it('writes WebP at maxWidth that libwebp decodes, with the aspect ratio and the alpha kept, decoding nothing on this thread', async () => {
    const src = cutout(400, 200);
    const { value: out, decodes } = await countingDecodes(() => convertImage({ bytes: src, format: 'webp', maxWidth: 100 }));
    assert.equal(decodes, 0, 'the PNG was decoded on the caller\'s thread');
    assert.deepEqual([out.format, out.width, out.height], ['webp', 100, 50]);
    assert.deepEqual(imageInfo(out.bytes), { type: 'webp', width: 100, height: 50 });
    assert.deepEqual(imageSize(out.bytes), { type: 'webp', width: 100, height: 50 });
    const img = await decodeWebp(out.bytes);
    assert.deepEqual([img.width, img.height], [100, 50]);
    assert.ok(near(px(img, 10, 10), [220, 20, 30, 255], 12), `opaque red: ${px(img, 10, 10)}`);
    assert.equal(px(img, 90, 10)[3], 0, 'the transparent half stays transparent');
    assert.ok(near(px(img, 10, 49), [0, 0, 255, 128], 12), `half-transparent blue: ${px(img, 10, 49)}`);
  });

  it('writes JPEG that MozJPEG decodes, transparency composited over white (JPEG has no alpha)', async () => {
    assert.equal(formatAllowsAlpha('jpeg'), false);
    assert.deepEqual(['png', 'webp'].map((f) => formatAllowsAlpha(f as 'png')), [true, true]);
    const out = await convertImage({ bytes: cutout(400, 200), format: 'jpeg', maxWidth: 200, quality: 90 });
    assert.deepEqual([out.format, out.width, out.height], ['jpeg', 200, 100]);
    assert.deepEqual(imageSize(out.bytes), { type: 'jpg', width: 200, height: 100 });
    const img = await decodeJpeg(out.bytes);
    assert.ok(near(px(img, 20, 20), [220, 20, 30, 255], 16), `red: ${px(img, 20, 20)}`);
    assert.ok(near(px(img, 180, 20), [255, 255, 255, 255], 6), `white where it was transparent: ${px(img, 180, 20)}`);
    assert.ok(near(px(img, 20, 98), [127, 127, 255, 255], 16), `blue at half over white: ${px(img, 20, 98)}`);
    assert.equal(FORMAT_EXTENSION.jpeg, 'jpg');
  });

  it('scales a PNG down as a PNG with its alpha, and returns a PNG that needs nothing untouched', async () => {
    const src = cutout(300, 100);
    const out = await convertImage({ bytes: src, format: 'png', maxWidth: 150 });
    const png = PNG.sync.read(Buffer.from(out.bytes));
    assert.deepEqual([png.width, png.height], [150, 50]);
    assert.deepEqual(px(png, 10, 10), [220, 20, 30, 255]);
    assert.equal(px(png, 140, 10)[3], 0);
    const same = await convertImage({ bytes: src, format: 'png', maxWidth: 300 });
    assert.equal(same.bytes, src, 'the same bytes, not a re-encoded copy');
    assert.equal((await convertImage({ bytes: src, format: 'png' })).bytes, src);
  });

  it('never scales up: a maxWidth above the width keeps the size', async () => {
    const out = await convertImage({ bytes: encodePng(160, 90), format: 'webp', maxWidth: 4000 });
    assert.deepEqual([out.width, out.height], [160, 90]);
    assert.deepEqual(convertedSize(1536, 1024, 1200), { width: 1200, height: 800 });
    assert.deepEqual(convertedSize(3840, 2160, 1200), { width: 1200, height: 675 });
    assert.deepEqual(convertedSize(1024, 1024, 1200), { width: 1024, height: 1024 });
  });

  it('a lower quality makes a smaller file', async () => {
    let seed = 1;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const noisy = pngOf(256, 256, (x, y) => [(x + rnd() / 4) & 255, (y + rnd() / 4) & 255, rnd(), 255]);
    for (const format of ['webp', 'jpeg'] as const) {
      const low = await convertImage({ bytes: noisy, format, quality: 30 });
      const high = await convertImage({ bytes: noisy, format, quality: 95 });
      assert.ok(low.bytes.byteLength < high.bytes.byteLength, `${format}: ${low.bytes.byteLength} vs ${high.bytes.byteLength}`);
    }
  });

  it('refuses before any worker starts: bad options, a header larger than any request, bytes that are no image', async () => {
    const src = encodePng(64, 64);
    await assert.rejects(convertImage({ bytes: src, format: 'gif' as 'png' }), /unknown format/);
    await assert.rejects(convertImage({ bytes: src, format: 'webp', maxWidth: 0 }), /maxWidth/);
    await assert.rejects(convertImage({ bytes: src, format: 'webp', maxWidth: 10.5 }), /maxWidth/);
    await assert.rejects(convertImage({ bytes: src, format: 'jpeg', quality: 101 }), /quality/);
    await assert.rejects(convertImage({ bytes: new Uint8Array([1, 2, 3, 4]), format: 'webp' }), /not a PNG, JPEG or WebP/);
    const huge = Buffer.from(encodePng(16, 16));
    huge.writeUInt32BE(20000, 16); // IHDR width
    assert.throws(() => checkConvertible(huge), /larger than any request produces/);
    await assert.rejects(convertImage({ bytes: huge, format: 'webp' }), /larger than any request produces/);
  });

  it('rejects with the decoder\'s words when the bytes are corrupt past the header', async () => {
    const broken = Buffer.from(encodePng(64, 64));
    broken.fill(7, 40); // the image data is garbage
    await assert.rejects(convertImage({ bytes: broken, format: 'webp' }), (e: Error) => e.message.length > 0 && !/worker stopped/.test(e.message));
  });
});
