// Issue 18: property tests over PNG chunk streams (fast-check, fixed seed). A linked image may come
// from anywhere (a cloned repository, the provider, a proxy): whatever its bytes, the readers give a
// value or one clear problem, never another exception, and the work they do is bounded by the file.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { counted } from './support';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeText, itxtChunk, type PngText, makeChunk, MAX_PNG_CHUNKS, pngChunks, readPngTextFromFile, SCAN_BLOCK_BYTES, textChunk } from '../../src/core/pngText';
import { makeRecipe, parseRecipe, readRecipeFile, recipeFromPng, serializeRecipe, RECIPE_KEYWORD, DESCRIPTION_KEYWORD } from '../../src/core/recipe';
import { imageInfo, isCompleteImage, looksLikeHtml, readPixelSize, sniffImageType } from '../../src/core/api/imageInfo';
import { makePreview } from '../../src/core/preview';
import { MAX_EDGE, MAX_PIXELS } from '../../src/shared/sizes';
import { zeroPng } from '../fake-evolink/png';
import { pngDecodes } from './pngFixtures';

const SEED = 1818;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The one clear problem each in-memory reader may throw, and nothing else. */
const CLEAR = /^(not a PNG file|truncated chunk at byte \d+|chunk at byte \d+ runs past the end of the file|bad CRC in .{4} chunk at byte \d+|missing IHDR or IEND chunk|more than \d+ chunks: not an image this reads)$/;

const RECIPE = makeRecipe({ body: { model: 'gpt-image-2', prompt: 'a fox', n: 1 }, taskId: 'task-1', createdAt: 0 }, '/ws/fox.png');

function ihdr(width: number, height: number, depth: number, colour: number, interlace: number): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = depth;
  d[9] = colour;
  d[12] = interlace;
  return d;
}

/** One chunk as bytes: usually well-formed, sometimes with a wrong CRC or a length that lies. */
const chunk = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('IDAT', 'tEXt', 'iTXt', 'zTXt', 'PLTE', 'tRNS', 'zzZz', 'IEND', 'IHDR'), data: fc.uint8Array({ maxLength: 48 }) }).map(({ type, data }) => makeChunk(type, Buffer.from(data))) },
  { weight: 2, arbitrary: fc.constantFrom(itxtChunk(RECIPE_KEYWORD, serializeRecipe(RECIPE)), textChunk(DESCRIPTION_KEYWORD, 'a fox'), itxtChunk(RECIPE_KEYWORD, '{"prompt": 3'), textChunk(RECIPE_KEYWORD, '{"prompt":"latin"}')) },
  { weight: 1, arbitrary: fc.record({ keyword: fc.string({ maxLength: 90 }), rest: fc.uint8Array({ maxLength: 40 }), type: fc.constantFrom('tEXt', 'iTXt') })
    .map(({ keyword, rest, type }) => makeChunk(type, Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(rest)]))) },
  { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 0xffffffff })).map(([data, flip, lie]) => {
    const c = makeChunk('tEXt', Buffer.from(data));
    if (flip % 2) c[c.length - 1 - (flip % 4)]! ^= 0xff; // a CRC byte wrong
    else c.writeUInt32BE(lie, 0); // a length that lies
    return c;
  }) },
);

/** A PNG-ish stream: signature (rarely broken), an IHDR of any size, chunks, IEND, garbage, maybe cut short. */
const stream = fc.record({
  signature: fc.oneof({ weight: 9, arbitrary: fc.constant(SIGNATURE) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b)) }),
  header: fc.option(fc.record({
    width: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
    height: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
    depth: fc.constantFrom(1, 2, 4, 8, 16, 3),
    colour: fc.constantFrom(0, 2, 3, 4, 6, 5),
    interlace: fc.constantFrom(0, 1, 2),
  }), { freq: 8 }),
  chunks: fc.array(chunk, { maxLength: 12 }),
  iend: fc.boolean(),
  tail: fc.uint8Array({ maxLength: 16 }),
  cut: fc.option(fc.nat(), { freq: 4 }),
}).map((s) => {
  const parts: Buffer[] = [s.signature];
  if (s.header) parts.push(makeChunk('IHDR', ihdr(s.header.width, s.header.height, s.header.depth, s.header.colour, s.header.interlace)));
  parts.push(...s.chunks);
  if (s.iend) parts.push(makeChunk('IEND', Buffer.alloc(0)));
  parts.push(Buffer.from(s.tail));
  const all = Buffer.concat(parts);
  return s.cut === null ? all : all.subarray(0, s.cut % (all.length + 1));
});

/** A sound image (all-black, up to 64×64, interlaced or not) with chunks of any kind before its IEND. */
const image = fc.record({ width: fc.integer({ min: 1, max: 64 }), height: fc.integer({ min: 1, max: 64 }), chunks: fc.array(chunk, { maxLength: 6 }) })
  .map(({ width, height, chunks }) => {
    const png = zeroPng(width, height);
    return Buffer.concat([png.subarray(0, png.length - 12), ...chunks, png.subarray(png.length - 12)]);
  });
const anyPng = fc.oneof({ weight: 3, arbitrary: stream }, { weight: 1, arbitrary: image });


/** The value of `fn`, or the message of the Error it threw; any other throw fails the property. */
function valueOrProblem<T>(fn: () => T): { value: T } | { problem: string } {
  try {
    return { value: fn() };
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
    return { problem: e.message };
  }
}

describe('PNG chunk streams (property tests, issue 18)', function () {
  // Thousands of cases, a few seconds of CPU; a machine shared by several runs may stretch that.
  this.timeout(60_000);
  let dir: string;
  before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-png-props-')); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('in memory: the chunks and the recipe, or one clear problem; every chunk inside the file, IHDR first, IEND last', () => {
    fc.assert(fc.property(anyPng, (png) => {
      const r = valueOrProblem(() => pngChunks(png));
      if ('problem' in r) {
        assert.match(r.problem, CLEAR);
        assert.throws(() => recipeFromPng(png), (e: unknown) => e instanceof Error && CLEAR.test(e.message));
        return;
      }
      const chunks = r.value;
      assert.ok(chunks.length >= 2 && chunks.length <= MAX_PNG_CHUNKS);
      assert.equal(chunks[0]!.type, 'IHDR');
      assert.equal(chunks[chunks.length - 1]!.type, 'IEND');
      for (const c of chunks) {
        assert.ok(c.start >= 8 && c.end <= png.length && c.end - c.start === 12 + c.data.length);
        decodeText(c); // any chunk: a text or undefined, never a throw
      }
      const recipe = recipeFromPng(png);
      const first: PngText | undefined = chunks.map((c) => (c.type === 'tEXt' || c.type === 'iTXt' ? decodeText(c) : undefined)).find((t) => t?.keyword === RECIPE_KEYWORD);
      assert.deepEqual(recipe, first && parseRecipe(first.text));
      if (first?.text === serializeRecipe(RECIPE)) assert.deepEqual(recipe, RECIPE);
    }), { seed: SEED, numRuns: 3000 });
  });

  it('on disk: the scan never throws, reads a bounded amount, and finds what the whole-file reader finds', async () => {
    const file = path.join(dir, 'image.png');
    await fc.assert(fc.asyncProperty(anyPng, async (png) => {
      await fs.writeFile(file, png);
      const { value: texts, reads, bytes } = await counted(() => readPngTextFromFile(file, [RECIPE_KEYWORD, DESCRIPTION_KEYWORD]));
      // In blocks, not chunk by chunk: a file smaller than a block is read once, whatever its chunks say.
      assert.ok(png.length < SCAN_BLOCK_BYTES);
      assert.equal(reads, 1, `${reads} reads of a ${png.length}-byte file`);
      assert.ok(bytes <= png.length, `${bytes} bytes read of a ${png.length}-byte file`);
      assert.ok(texts.length <= 2 && texts.every((t) => t.keyword === RECIPE_KEYWORD || t.keyword === DESCRIPTION_KEYWORD));
      assert.equal(new Set(texts.map((t) => t.keyword)).size, texts.length, 'one text per keyword');
      const whole = valueOrProblem(() => pngChunks(png));
      if ('value' in whole) {
        // A sound file: the scan finds the first text of each keyword, as the whole-file reader does.
        for (const k of [RECIPE_KEYWORD, DESCRIPTION_KEYWORD]) {
          const texts0: (PngText | undefined)[] = whole.value.filter((c) => c.type === 'tEXt' || c.type === 'iTXt').map((c) => decodeText(c));
          assert.deepEqual(texts.find((t) => t.keyword === k), texts0.find((t) => t?.keyword === k), k);
        }
      }
      const recipe = await readRecipeFile(file); // never throws
      if (recipe) assert.equal(typeof recipe.prompt, 'string');
    }), { seed: SEED, numRuns: 1500 });
  });

  it('image info from any first bytes (PNG, JPEG, WebP or none): a type and a positive size, or nothing; never a throw', () => {
    const jpegish = fc.array(fc.oneof(
      fc.constantFrom(0xff, 0xd8, 0xc0, 0xc4, 0xda, 0xd9, 0x01, 0x00),
      fc.integer({ min: 0, max: 255 }),
    ), { maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(b)]));
    const webpish = fc.tuple(fc.constantFrom('VP8 ', 'VP8L', 'VP8X', 'ABCD'), fc.uint8Array({ maxLength: 40 }))
      .map(([c, b]) => Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP' + c, 'latin1'), Buffer.from(b)]));
    const head = fc.oneof(stream, jpegish, webpish, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)));
    fc.assert(fc.property(head, fc.uint8Array({ maxLength: 16 }), fc.nat(), (h, tail, total) => {
      const type = sniffImageType(h);
      const info = imageInfo(h);
      const size = readPixelSize(h);
      if (info) {
        assert.equal(info.type, type);
        assert.ok(Number.isInteger(info.width) && info.width > 0 && Number.isInteger(info.height) && info.height > 0);
        assert.deepEqual(size, { width: info.width, height: info.height });
      }
      for (const t of ['png', 'jpeg', 'webp'] as const) assert.equal(typeof isCompleteImage(t, h, tail, total), 'boolean');
      assert.equal(typeof looksLikeHtml(h), 'boolean');
    }), { seed: SEED, numRuns: 3000 });
  });

  it('a preview of any stream: a small JPEG or one Error; beyond a request\'s size nothing is decoded', () => {
    const decodes = pngDecodes();
    try {
      let previews = 0;
      fc.assert(fc.property(anyPng, (png) => {
        decodes.reset();
        const r = valueOrProblem(() => makePreview(png, 'png'));
        const size = readPixelSize(png, 'png');
        const tooBig = size !== undefined && (size.width > MAX_EDGE || size.height > MAX_EDGE || size.width * size.height > MAX_PIXELS);
        if (tooBig) {
          assert.ok('problem' in r && /larger than any request produces/.test(r.problem));
          assert.equal(decodes.count, 0, 'decoded an image larger than a request produces');
        }
        if ('value' in r) {
          assert.ok(r.value && r.value.width <= 256 && r.value.height <= 256 && r.value.data.byteLength > 0);
          previews++;
        }
      }), { seed: SEED, numRuns: 1000 });
      assert.ok(previews > 100, `only ${previews} streams gave a preview: the property says little`);
    } finally {
      decodes.restore();
    }
  });
});
