import * as assert from 'node:assert/strict';
import { imageSize } from 'image-size';
import * as jpeg from 'jpeg-js';
import { deflateSync } from 'node:zlib';
import { makePreview, PREVIEW_MAX_EDGE } from '../../src/core/preview';
import { makePreviewOffThread } from '../../src/core/previewThread';
import { convertImage } from '../../src/core/convert';
import { makeChunk, pngChunks } from '../../src/core/pngText';
import { encodePng, zeroPng } from '../fake-evolink/png';
import { countingDecodes, halvesPng, solidPng } from './pngFixtures';

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

  it('leaves WebP to the worker (its decoder is WebAssembly, asynchronous), and throws on bytes that are not the image they claim', () => {
    assert.equal(makePreview(new Uint8Array([0x52, 0x49, 0x46, 0x46]), 'webp'), undefined);
    assert.throws(() => makePreview(new Uint8Array([1, 2, 3, 4]), 'png'));
  });
});

/** The RGB of one pixel of a preview, read back by jpeg-js. */
function pixel(p: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const img = jpeg.decode(Buffer.from(p.data), { useTArray: true });
  const i = (y * img.width + x) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

const near = (got: number[], want: number[], what: string) =>
  assert.ok(got.every((v, i) => Math.abs(v - want[i]!) < 12), `${what}: got ${got.join(',')}, want about ${want.join(',')}`);

// Issue 24 §3: a result saved as WebP or JPEG (format: webp | jpeg) is previewed like a PNG. Before,
// a WebP had none at all (no decoder), in the editor's tools and the agent server alike.
describe('preview of a light file (issue 24): the WebP and JPEG files the conversion writes', function () {
  this.timeout(30_000);
  const red = [200, 30, 40, 255];
  const blue = [20, 60, 210, 255];

  for (const format of ['webp', 'jpeg'] as const) {
    it(`a 1200×800 ${format === 'webp' ? 'WebP (libwebp, lossy)' : 'JPEG (MozJPEG, progressive)'} as saved: a 256×171 JPEG preview, decoded in the worker, with its colours where they were`, async () => {
      const saved = await convertImage({ bytes: halvesPng(1536, 1024, red, blue), format, maxWidth: 1200 });
      assert.deepEqual([saved.width, saved.height], [1200, 800]);
      // Counted until the preview has come back: this thread decodes nothing meanwhile.
      const { value: p, decodes } = await countingDecodes(() => makePreviewOffThread(saved.bytes, format));
      assert.equal(decodes, 0);
      assert.equal(p.mimeType, 'image/jpeg');
      assert.deepEqual(imageSize(p.data), { width: 256, height: 171, type: 'jpg' });
      near(pixel(p, 20, 85), red.slice(0, 3), 'left half');
      near(pixel(p, 236, 85), blue.slice(0, 3), 'right half');
    });
  }

  it('a transparent WebP (background: transparent) is previewed on white, its subject kept', async () => {
    const saved = await convertImage({ bytes: halvesPng(512, 512, [0, 0, 0, 0], blue), format: 'webp' });
    const p = await makePreviewOffThread(saved.bytes, 'webp');
    assert.deepEqual([p.width, p.height], [256, 256]);
    near(pixel(p, 20, 128), [255, 255, 255], 'the transparent half');
    near(pixel(p, 236, 128), blue.slice(0, 3), 'the subject');
  });

  it('a WebP header beyond what a request produces, one without a size, and a broken bitstream are refused with what is wrong', async () => {
    // VP8X: canvas width-1 and height-1 as 24-bit little-endian numbers.
    const vp8x = Buffer.alloc(30);
    vp8x.write('RIFF', 0, 'latin1');
    vp8x.writeUInt32LE(22, 4);
    vp8x.write('WEBPVP8X', 8, 'latin1');
    vp8x.writeUInt32LE(10, 16);
    vp8x.writeUIntLE(4999, 24, 3);
    vp8x.writeUIntLE(4999, 27, 3);
    await assert.rejects(makePreviewOffThread(vp8x, 'webp'), /5000×5000 pixels, larger than any request produces/);
    await assert.rejects(makePreviewOffThread(new Uint8Array([0x52, 0x49, 0x46, 0x46]), 'webp'), /no pixel size in the WEBP header/);
    const saved = Buffer.from((await convertImage({ bytes: encodePng(320, 200), format: 'webp' })).bytes);
    saved.fill(0, 40, saved.length - 8); // the header stays; the picture is gone
    await assert.rejects(makePreviewOffThread(saved, 'webp'), /libwebp could not decode the WebP image/);
  });
});

/** `png` with its IHDR replaced (same chunks otherwise, CRCs right). */
function withIhdr(png: Buffer, edit: (ihdr: Buffer) => void): Buffer {
  const chunks = pngChunks(png);
  const ihdr = Buffer.from(chunks[0]!.data);
  edit(ihdr);
  return Buffer.concat([png.subarray(0, 8), makeChunk('IHDR', ihdr), ...chunks.slice(1).map((c) => png.subarray(c.start, c.end))]);
}

/** An interlaced (Adam7) RGBA PNG of zeros: the exact byte count of its seven passes, deflated. */
function interlacedZeroPng(width: number, height: number): Buffer {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let bytes = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const cols = Math.ceil((width - x0!) / dx!);
    const rows = Math.ceil((height - y0!) / dy!);
    if (cols > 0 && rows > 0) bytes += rows * (1 + cols * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  ihdr[12] = 1; // Adam7
  return Buffer.concat([zeroPng(1, 1).subarray(0, 8), makeChunk('IHDR', ihdr), makeChunk('IDAT', deflateSync(Buffer.alloc(bytes))), makeChunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG that is only a header: SOI and a baseline frame of the given size. */
function jpegHeader(width: number, height: number): Uint8Array {
  const sof = Buffer.from([0xff, 0xc0, 0, 17, 8, 0, 0, 0, 0, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

// Issue 18, defect 2: a PNG whose header claimed 16000×16000 was decoded whole for the agent tools'
// preview, on the extension host's thread: 14.9 s and 1.55 GB. What is counted: decodes started.
describe('preview of an image from outside: the header first, the decode off the host thread', () => {
  it('refuses a header beyond what a request produces before decoding anything (16000×16000 was 14.9 s, 1.55 GB)', () => {
    for (const [w, h] of [[4096, 4096], [16000, 16000], [2896, 2896], [3856, 1024]] as const) {
      const { decodes } = countingDecodes(() => assert.throws(() => makePreview(zeroPng(w, h), 'png'),
        new RegExp(`${w}×${h} pixels, larger than any request produces`)));
      assert.equal(decodes, 0, `${w}×${h} was decoded`);
    }
    // The largest sizes a request can produce are previewed: a 3,840-pixel edge, and 8,294,400 pixels.
    for (const [w, h] of [[3840, 2160], [2880, 2880]] as const) {
      const { value, decodes } = countingDecodes(() => makePreview(zeroPng(w, h), 'png'));
      assert.equal(decodes, 1);
      assert.equal(Math.max(value!.width, value!.height), PREVIEW_MAX_EDGE);
    }
  });

  it('previews the largest JPEGs a request produces (3840×2160, 2880×2880: jpeg-js\'s 128 MB limit refused them)', function () {
    this.timeout(30_000); // two 4K encodes and decodes: about 2 s
    for (const [w, h] of [[3840, 2160], [2880, 2880]] as const) {
      const big = jpeg.encode({ width: w, height: h, data: Buffer.alloc(w * h * 4, 160) }, 50).data;
      const p = makePreview(big, 'jpeg')!;
      assert.equal(Math.max(p.width, p.height), PREVIEW_MAX_EDGE, `${w}×${h}`);
    }
  });

  it('refuses a JPEG header beyond the limits, and a PNG without a readable header, with what is wrong', () => {
    assert.throws(() => makePreview(jpegHeader(5000, 5000), 'jpeg'), /5000×5000 pixels, larger than any request produces/);
    assert.throws(() => makePreview(zeroPng(16, 16).subarray(0, 20), 'png'), /no pixel size in the PNG header/);
  });

  it('refuses interlaced image data that inflates to more than its header allows (a zip bomb under a small header)', () => {
    const bomb = withIhdr(zeroPng(16000, 1000), (ihdr) => {
      ihdr.writeUInt32BE(1000, 0); // 1000×1000, while the data inflates to 64 MB
      ihdr[12] = 1;
    });
    const { decodes } = countingDecodes(() => assert.throws(() => makePreview(bomb, 'png'), /inflates to more than the \d+ bytes its header allows/));
    assert.equal(decodes, 0);
    // A real interlaced image is still previewed (transparent black: white).
    const p = makePreview(interlacedZeroPng(301, 97), 'png')!;
    assert.deepEqual([p.width, p.height], [256, 82]);
  });

  it('decodes in a worker thread: the preview comes back and this thread decodes nothing', async () => {
    const { value: p, decodes } = await countingDecodes(() => makePreviewOffThread(encodePng(1536, 1024), 'png'));
    assert.equal(decodes, 0);
    assert.deepEqual([p!.width, p!.height], [PREVIEW_MAX_EDGE, 171]);
    assert.deepEqual(imageSize(p!.data), { width: 256, height: 171, type: 'jpg' });
  });

  it('off the thread too: a refused header starts no decode, corrupt bytes and a decode past its time are errors', async () => {
    await assert.rejects(makePreviewOffThread(zeroPng(16000, 16000), 'png'), /16000×16000 pixels, larger than any request produces/);
    const broken = Buffer.from(encodePng(64, 64));
    broken[broken.length - 20]! ^= 0xff;
    // The decoder's own words, passed on from the worker.
    await assert.rejects(makePreviewOffThread(broken, 'png'), (e: Error) => e.message.length > 0 && !/took longer|worker stopped/.test(e.message));
    await assert.rejects(makePreviewOffThread(encodePng(3840, 2160), 'png', { timeoutMs: 1 }), /took longer than 1 ms: stopped/);
  });
});
