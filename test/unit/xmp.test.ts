import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { imageSize } from 'image-size';
import { convertImage } from '../../src/core/convert';
import { HEAD_BYTES, imageInfo, isCompleteImage, sniffImageType } from '../../src/core/api/imageInfo';
import { embedRecipe, makeRecipe, readRecipeFile, recipeFromImage, sidecarPath, stampStagedImage, type Recipe } from '../../src/core/recipe';
import {
  jpegSegments, MAX_JPEG_SEGMENT_PAYLOAD, MAX_METADATA_PARTS, readXmpFromFile, recipeJsonFromXmp, webpChunks, withJpegXmp, withWebpXmp, xmpFromImage, xmpPacket,
} from '../../src/core/xmp';
import { decodeJpeg, decodeWebp } from './codecs';
import { counted } from './support';
import { pngOf } from './pngFixtures';

function recipe(prompt: string): Recipe {
  return makeRecipe({
    body: { model: 'gpt-image-2', prompt, size: '3:2', resolution: '1K', quality: 'medium', n: 1 },
    taskId: 'task-unified-1757156493-light24', createdAt: Date.UTC(2026, 0, 2), prompt,
  }, '/ws/docs/images/fox.webp');
}

/** 32,000 code points of CJK: 96,000 bytes of UTF-8, more than one JPEG segment holds. */
const CJK = Array.from({ length: 32_000 }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20_000))).join('');
const ASCII = 'a red fox asleep in fresh snow, watercolor <soft> & "quiet"';

/** A lossless WebP (one VP8L chunk, alpha used) made by libwebp: 6×4, left half red, right half transparent. */
const VP8L = Buffer.from('UklGRiAAAABXRUJQVlA4TBMAAAAvBcAAEA8wCqM/CvMf8OhBRP8DAA==', 'base64');

let opaqueWebp: Buffer; // simple lossy: one VP8 chunk
let alphaWebp: Buffer; // VP8X + ALPH + VP8
let jpeg: Buffer; // MozJPEG: JFIF APP0, …

before(async function () {
  this.timeout(20_000);
  const gradient = pngOf(96, 64, (x, y) => [x * 2, y * 3, 128, 255]);
  const cut = pngOf(96, 64, (x, y) => (x < 48 ? [x * 2, y * 3, 128, 255] : [0, 0, 0, 0]));
  opaqueWebp = Buffer.from((await convertImage({ bytes: gradient, format: 'webp' })).bytes);
  alphaWebp = Buffer.from((await convertImage({ bytes: cut, format: 'webp' })).bytes);
  jpeg = Buffer.from((await convertImage({ bytes: gradient, format: 'jpeg' })).bytes);
});

const chunkTypes = (b: Buffer) => webpChunks(b).map((c) => c.type);

/** The RIFF container checked the way a strict reader does: sizes, even padding, chunk order. */
function checkRiff(b: Buffer): void {
  assert.equal(b.readUInt32LE(4), b.length - 8, 'the RIFF size is the file size less 8');
  const types = chunkTypes(b);
  assert.equal(types[0], 'VP8X');
  const order = ['VP8X', 'ICCP', 'ANIM', 'IMAGE', 'EXIF', 'XMP '];
  const rank = types.map((t) => order.indexOf(['ALPH', 'VP8 ', 'VP8L', 'ANMF'].includes(t) ? 'IMAGE' : t));
  assert.ok(rank.every((r, i) => r >= 0 && (i === 0 || r >= rank[i - 1]!)), `chunk order ${types.join(', ')}`);
  for (const c of webpChunks(b)) assert.equal((c.end - c.start) % 2, 0, `${c.type} is padded to an even size`);
}

describe('the recipe as XMP in WebP', () => {
  it('turns a simple lossy WebP into VP8X (XMP flag, canvas size) + VP8 + XMP, which libwebp still decodes the same', async () => {
    assert.deepEqual(chunkTypes(opaqueWebp), ['VP8 ']);
    const r = recipe(ASCII);
    const out = embedRecipe(opaqueWebp, 'webp', r)!;
    checkRiff(out);
    assert.deepEqual(chunkTypes(out), ['VP8X', 'VP8 ', 'XMP ']);
    const vp8x = webpChunks(out)[0]!.data;
    assert.equal(vp8x[0], 0x04, 'XMP flag only: no alpha, no ICC, no animation');
    assert.deepEqual([vp8x.readUIntLE(4, 3) + 1, vp8x.readUIntLE(7, 3) + 1], [96, 64]);
    assert.deepEqual(imageInfo(out), { type: 'webp', width: 96, height: 64 });
    assert.deepEqual(imageSize(out), { type: 'webp', width: 96, height: 64 });
    assert.ok(isCompleteImage('webp', out.subarray(0, 64), out.subarray(-64), out.length));
    assert.deepEqual((await decodeWebp(out)).data, (await decodeWebp(opaqueWebp)).data);
    assert.deepEqual(recipeFromImage(out), r);
    assert.match(xmpFromImage(out)!, /<dc:description><rdf:Alt><rdf:li xml:lang="x-default">a red fox asleep in fresh snow, watercolor &lt;soft&gt; &amp; "quiet"<\/rdf:li>/);
  });

  it('sets the XMP flag of an existing VP8X (lossy with alpha), keeps ALPH, and replaces an earlier XMP', async () => {
    assert.deepEqual(chunkTypes(alphaWebp), ['VP8X', 'ALPH', 'VP8 ']);
    const once = embedRecipe(alphaWebp, 'webp', recipe('first'))!;
    const twice = embedRecipe(once, 'webp', recipe('second'))!;
    checkRiff(twice);
    assert.deepEqual(chunkTypes(twice), ['VP8X', 'ALPH', 'VP8 ', 'XMP ']);
    assert.equal(webpChunks(twice)[0]!.data[0], 0x14, 'alpha and XMP');
    assert.equal(recipeFromImage(twice)?.prompt, 'second');
    const img = await decodeWebp(twice);
    assert.deepEqual(img.data, (await decodeWebp(alphaWebp)).data);
    assert.equal(img.data[(10 * 96 + 80) * 4 + 3], 0, 'still transparent');
  });

  it('builds VP8X from a lossless VP8L header, with the alpha flag its header gives', async () => {
    const out = withWebpXmp(VP8L, xmpPacket('{"prompt":"x"}'));
    checkRiff(out);
    assert.deepEqual(chunkTypes(out), ['VP8X', 'VP8L', 'XMP ']);
    const vp8x = webpChunks(out)[0]!.data;
    assert.equal(vp8x[0], 0x14);
    assert.deepEqual([vp8x.readUIntLE(4, 3) + 1, vp8x.readUIntLE(7, 3) + 1], [6, 4]);
    assert.deepEqual(imageInfo(out), { type: 'webp', width: 6, height: 4 });
    const img = await decodeWebp(out);
    assert.deepEqual([Array.from(img.data.subarray(0, 4)), img.data[5 * 4 + 3]], [[250, 10, 10, 255], 0]);
  });

  it('holds a 32,000-code-point CJK recipe and reads it back from the file, without the image data', async () => {
    const r = recipe(CJK);
    const out = embedRecipe(opaqueWebp, 'webp', r)!;
    checkRiff(out);
    assert.ok(out.length > 2 * 96_000, 'the recipe and the description are both there');
    assert.deepEqual(recipeFromImage(out), r);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-xmp-'));
    try {
      const file = path.join(dir, 'fox.webp');
      await fs.writeFile(file, opaqueWebp);
      assert.deepEqual(await stampStagedImage(file, 'webp', r), { bytes: out.length });
      assert.deepEqual(await fs.readdir(dir), ['fox.webp'], 'no sidecar, no temp file');
      assert.deepEqual(await readRecipeFile(file), r);
      // The XMP reader reads the chunk headers and the packet: never the image data.
      const packet = webpChunks(out).find((c) => c.type === 'XMP ')!.data.length;
      const { value, bytes } = await counted(() => readXmpFromFile(file));
      assert.equal(recipeJsonFromXmp(value!), JSON.stringify(r));
      assert.equal(bytes, 12 + 8 * 3 + packet, `${bytes} bytes read`);
      await decodeWebp(await fs.readFile(file));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps every character of the recipe, even those XML cannot hold', () => {
    const odd = 'line\r\nnext\ttab <b>&amp;</b> "q" \'a\' \u0001\u0008\ufffe\uffff 🦊 \ud800 end';
    const r = recipe(odd);
    const out = embedRecipe(opaqueWebp, 'webp', r)!;
    assert.deepEqual(recipeFromImage(out), r);
    const packet = xmpFromImage(out)!;
    // eslint-disable-next-line no-control-regex -- the control characters are what it looks for
    assert.doesNotMatch(packet, /[\x00-\x08\ufffe\uffff]/, 'no character XML forbids');
    assert.doesNotMatch(packet.slice(packet.indexOf('<pictor:recipe>') + 15, packet.indexOf('</pictor:recipe>')), /[<>]/);
  });

  it('reads the recipe after a tool rewrote the packet with another prefix, or as an attribute', () => {
    const json = JSON.stringify(recipe('a "fox" & a <hare>'));
    const packet = xmpPacket(json).toString('utf8');
    const renamed = packet.replace(/pictor:recipe/g, 'pc:recipe').replace('xmlns:pictor=', 'xmlns:pc=');
    assert.equal(recipeJsonFromXmp(renamed), json);
    const attr = packet.replace(/<pictor:recipe>([^<]*)<\/pictor:recipe>/, () => '').replace('rdf:about=""', `rdf:about="" pictor:recipe="${packet.match(/<pictor:recipe>([^<]*)</)![1]!.replace(/"/g, '&quot;')}"`);
    assert.equal(recipeJsonFromXmp(attr), json);
    assert.equal(recipeJsonFromXmp('<x:xmpmeta><pictor:recipe>{}</pictor:recipe></x:xmpmeta>'), undefined, 'not our namespace');
  });
});

describe('the recipe as XMP in JPEG', () => {
  it('puts an APP1 segment right after JFIF; MozJPEG decodes the same pixels; the size is read from the head', async () => {
    const r = recipe(ASCII);
    const out = embedRecipe(jpeg, 'jpeg', r)!;
    const before = jpegSegments(jpeg).segments.map((s) => s.type);
    const after = jpegSegments(out).segments.map((s) => s.type);
    assert.equal(before[0], 'E0');
    assert.deepEqual(after, ['E0', 'E1', ...before.slice(1)]);
    assert.equal(out.subarray(-2).toString('hex'), 'ffd9');
    assert.equal(sniffImageType(out), 'jpeg');
    assert.deepEqual(imageInfo(out.subarray(0, HEAD_BYTES)), { type: 'jpeg', width: 96, height: 64 });
    assert.deepEqual(imageSize(out), { type: 'jpg', width: 96, height: 64 });
    assert.deepEqual((await decodeJpeg(out)).data, (await decodeJpeg(jpeg)).data);
    assert.deepEqual(recipeFromImage(out), r);
    assert.equal(recipeFromImage(embedRecipe(out, 'jpeg', recipe('again'))!)?.prompt, 'again');
    assert.equal(jpegSegments(embedRecipe(out, 'jpeg', recipe('again'))!).segments.filter((s) => s.type === 'E1').length, 1, 'the earlier XMP is replaced');
  });

  it('a 32,000-code-point CJK recipe does not fit one segment: the sidecar holds it, the JPEG is untouched', async () => {
    const r = recipe(CJK);
    assert.equal(embedRecipe(jpeg, 'jpeg', r), undefined);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-xmp-'));
    try {
      const file = path.join(dir, 'fox.jpg');
      await fs.writeFile(file, jpeg);
      const { bytes, sidecar } = await stampStagedImage(file, 'jpeg', r);
      assert.equal(sidecar, sidecarPath(file));
      assert.equal(bytes, jpeg.length);
      assert.ok((await fs.readFile(file)).equals(jpeg));
      assert.deepEqual(await readRecipeFile(file), r);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('stamps a staged JPEG in place when the recipe fits; drops the description first when only the recipe fits', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-xmp-'));
    try {
      const file = path.join(dir, 'fox.jpg');
      await fs.writeFile(file, jpeg);
      const r = recipe(ASCII);
      const { bytes, sidecar } = await stampStagedImage(file, 'jpeg', r);
      assert.equal(sidecar, undefined);
      assert.deepEqual(await fs.readdir(dir), ['fox.jpg']);
      assert.equal(bytes, (await fs.stat(file)).size);
      assert.deepEqual(await readRecipeFile(file), r);
      await decodeJpeg(await fs.readFile(file));
      // 15,000 CJK code points: 45 KB as JSON, 90 KB with the description beside it.
      const mid = recipe(CJK.slice(0, 15_000));
      const out = embedRecipe(jpeg, 'jpeg', mid)!;
      assert.deepEqual(recipeFromImage(out), mid);
      assert.doesNotMatch(xmpFromImage(out)!, /dc:description/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('fills one segment to the byte, and not one byte more', async () => {
    const base = xmpPacket('').length + 29;
    const full = Buffer.concat([xmpPacket(''), Buffer.alloc(MAX_JPEG_SEGMENT_PAYLOAD - base, 0x20)]);
    const out = withJpegXmp(jpeg, full)!;
    const app1 = jpegSegments(out).segments[1]!;
    assert.equal(app1.end - app1.start, 2 + 65_535);
    assert.equal(out.readUInt16BE(app1.start + 2), 65_535);
    assert.equal(withJpegXmp(jpeg, Buffer.concat([full, Buffer.from(' ')])), undefined);
    await decodeJpeg(out);
  });
});

describe('XMP readers on hostile files: bounded', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-xmp-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('a WebP whose chunk claims more than the file, or a RIFF size past the end: nothing read, nothing thrown', async () => {
    const out = Buffer.from(embedRecipe(opaqueWebp, 'webp', recipe(ASCII))!);
    const lying = Buffer.from(out);
    const xmpAt = webpChunks(out).find((c) => c.type === 'XMP ')!.start;
    lying.writeUInt32LE(0x7ffffff0, xmpAt + 4);
    assert.equal(xmpFromImage(lying), undefined);
    assert.throws(() => webpChunks(lying), /past the end/);
    const file = path.join(dir, 'lying.webp');
    await fs.writeFile(file, lying);
    assert.equal(await readXmpFromFile(file), undefined);
    assert.equal(await readRecipeFile(file), undefined);
  });

  it('a JPEG of a million empty comment segments: the reader stops after MAX_METADATA_PARTS', async () => {
    const com = Buffer.from([0xff, 0xfe, 0x00, 0x02]);
    const many = Buffer.alloc(4 * 1_000_000);
    for (let i = 0; i < 1_000_000; i++) com.copy(many, i * 4);
    const file = path.join(dir, 'many.jpg');
    const r = recipe(ASCII);
    const stamped = embedRecipe(jpeg, 'jpeg', r)!;
    // The recipe is placed after the comments, beyond where the reader looks.
    await fs.writeFile(file, Buffer.concat([jpeg.subarray(0, 2), many, stamped.subarray(2)]));
    const { value, reads } = await counted(() => readXmpFromFile(file));
    assert.equal(value, undefined);
    assert.ok(reads <= MAX_METADATA_PARTS + 2, `${reads} reads`);
    assert.throws(() => jpegSegments(Buffer.concat([jpeg.subarray(0, 2), many])), /more than 1024 segments/);
    // Where Pictor puts it, it is found at once.
    await fs.writeFile(file, stamped);
    const found = await counted(() => readXmpFromFile(file));
    assert.equal(recipeJsonFromXmp(found.value!), JSON.stringify(r));
    assert.ok(found.reads <= 4, `${found.reads} reads`);
  });

  it('a file that is neither: no XMP; a truncated JPEG segment: no XMP', async () => {
    const file = path.join(dir, 'x.png');
    await fs.writeFile(file, pngOf(4, 4, () => [0, 0, 0, 255]));
    assert.equal(await readXmpFromFile(file), undefined);
    const cut = embedRecipe(jpeg, 'jpeg', recipe(ASCII))!.subarray(0, 200);
    assert.equal(xmpFromImage(cut), undefined);
    await fs.writeFile(file, cut);
    assert.equal(await readXmpFromFile(file), undefined);
  });
});
