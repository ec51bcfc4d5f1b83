import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { counted } from './support';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { imageSize } from 'image-size';
import { encodePng } from '../fake-evolink/png';
import { decodeText, makeChunk, MAX_PNG_CHUNKS, pngChunks, readPngTextFromFile } from '../../src/core/pngText';
import {
  embedRecipeInPng,
  inputFromRecipe,
  makeRecipe,
  parseRecipe,
  promptWithStyle,
  readRecipeFile,
  recipeFromPng,
  sidecarPath,
  stampStagedImage,
  type Recipe,
} from '../../src/core/recipe';

/** Decodes the pixel stream the way a viewer does: all IDAT data inflated, one filter byte + RGB per row. */
function decodedPixels(png: Buffer): { width: number; height: number; raw: Buffer } {
  const chunks = pngChunks(png); // throws on any bad CRC or length
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  assert.equal(raw.length, height * (1 + width * 3), 'the pixel stream has the size the header promises');
  return { width, height, raw };
}

function sample(overrides: Partial<Recipe> = {}): Recipe {
  return {
    ...makeRecipe({
      body: { model: 'gpt-image-2', prompt: 'a red fox asleep in fresh snow\n\nStyle: watercolor', size: '16:9', resolution: '2K', quality: 'high', n: 2 },
      taskId: 'task-unified-1757156493-imcg5zqt',
      createdAt: Date.UTC(2026, 11, 2, 1, 2, 3),
      prompt: 'a red fox asleep in fresh snow',
      style: 'watercolor',
      references: [{ kind: 'url', url: 'https://example.com/ref.png' }, { kind: 'file', path: '/ws/docs/refs/sketch.png' }],
    }, '/ws/docs/images/red-fox.png', { index: 1, count: 2 }),
    ...overrides,
  };
}

describe('recipe in the file', () => {
  it('makes the recipe from a job: the prompt as written, style, options, task id, ISO time, references relative to the image', () => {
    const r = sample();
    assert.deepEqual(r, {
      pictor: 1,
      prompt: 'a red fox asleep in fresh snow',
      style: 'watercolor',
      model: 'gpt-image-2',
      size: '16:9',
      resolution: '2K',
      quality: 'high',
      n: 2,
      taskId: 'task-unified-1757156493-imcg5zqt',
      created: '2026-12-02T01:02:03.000Z',
      references: [{ url: 'https://example.com/ref.png' }, { file: '../refs/sketch.png' }],
      image: 2,
    });
  });

  it('writes an iTXt "pictor" chunk and a Description chunk; the PNG still decodes to the same pixels and size', () => {
    const original = encodePng(320, 180, 1);
    const recipe = sample({ prompt: 'un renard roux endormi — 雪の中の狐 🦊' });
    const stamped = embedRecipeInPng(original, recipe);

    const before = decodedPixels(original);
    const after = decodedPixels(stamped);
    assert.equal(after.width, 320);
    assert.equal(after.height, 180);
    assert.ok(after.raw.equals(before.raw), 'the pixels are untouched');
    assert.deepEqual(imageSize(stamped), { width: 320, height: 180, type: 'png' });

    const chunks = pngChunks(stamped);
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'iTXt', 'iTXt', 'IDAT', 'IEND'], 'text chunks sit before the image data');
    const texts = chunks.filter((c) => c.type === 'iTXt').map((c) => decodeText(c));
    assert.equal(texts[0]?.keyword, 'pictor');
    assert.deepEqual(JSON.parse(texts[0]!.text), recipe);
    // A prompt outside Latin-1 needs iTXt; the keyword is the standard one viewers show.
    assert.deepEqual(texts[1], { keyword: 'Description', text: 'un renard roux endormi — 雪の中の狐 🦊' });
    assert.deepEqual(recipeFromPng(stamped), recipe);
  });

  it('uses a plain tEXt Description for a Latin-1 prompt, and stamping twice replaces instead of piling up', () => {
    const once = embedRecipeInPng(encodePng(64, 64), sample());
    const twice = embedRecipeInPng(once, sample({ prompt: 'a grey wolf', taskId: 'task-unified-2' }));
    const chunks = pngChunks(twice);
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'iTXt', 'tEXt', 'IDAT', 'IEND']);
    assert.deepEqual(decodeText(chunks[2]!), { keyword: 'Description', text: 'a grey wolf' });
    assert.equal(recipeFromPng(twice)?.taskId, 'task-unified-2');
  });

  it('refuses a broken PNG instead of writing a broken file', () => {
    const png = encodePng(32, 32);
    const bad = Buffer.from(png);
    bad[bad.length - 20]! ^= 0xff; // inside IDAT: its CRC no longer matches
    assert.throws(() => embedRecipeInPng(bad, sample()), /bad CRC/);
    assert.throws(() => embedRecipeInPng(png.subarray(0, png.length - 5), sample()), /truncated|past the end/);
    assert.throws(() => embedRecipeInPng(Buffer.from('GIF89a'), sample()), /not a PNG/);
  });

  it('stamps a staged PNG on disk, and reads it back from the file without loading the pixels', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-recipe-'));
    try {
      const file = path.join(dir, 'fox.png');
      await fs.writeFile(file, encodePng(1024, 576));
      const r = sample();
      const { bytes, sidecar } = await stampStagedImage(file, 'png', r);
      assert.equal(sidecar, undefined);
      const onDisk = await fs.readFile(file);
      assert.equal(bytes, onDisk.length);
      assert.deepEqual(imageSize(onDisk), { width: 1024, height: 576, type: 'png' });
      decodedPixels(onDisk);
      assert.deepEqual(await readRecipeFile(file), r);
      assert.deepEqual((await readPngTextFromFile(file, ['Description'])).map((t) => t.text), [r.prompt]);
      assert.deepEqual(await fs.readdir(dir), ['fox.png'], 'no temp file is left behind');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('gives a JPEG or WebP it cannot parse a sidecar <name>.pictor.json and leaves the image bytes alone (real ones get XMP: xmp.test.ts)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-recipe-'));
    try {
      const file = path.join(dir, 'fox.jpg');
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xd9]);
      await fs.writeFile(file, jpeg);
      const r = sample();
      const { bytes, sidecar } = await stampStagedImage(file, 'jpeg', r);
      assert.equal(sidecar, path.join(dir, 'fox.jpg.pictor.json'));
      assert.equal(sidecarPath(file), sidecar);
      assert.equal(bytes, jpeg.length);
      assert.ok((await fs.readFile(file)).equals(jpeg));
      assert.deepEqual(await readRecipeFile(file), r);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('reads nothing from images without a recipe, missing files, or malformed JSON', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-recipe-'));
    try {
      const plain = path.join(dir, 'plain.png');
      await fs.writeFile(plain, encodePng(16, 16));
      assert.equal(await readRecipeFile(plain), undefined);
      assert.equal(await readRecipeFile(path.join(dir, 'missing.png')), undefined);
      for (const text of ['', 'null', '[]', '{"prompt": 3}', '{"prompt": "  "}', '{not json']) assert.equal(parseRecipe(text), undefined, text);
      // Unknown or missing options fall back to the defaults; validation happens before anything is sent.
      const minimal = parseRecipe('{"prompt":"a cat","references":[{"file":"a.png"},{"bogus":1},{"url":"https://x/y.png"}]}');
      assert.deepEqual(minimal && { ...minimal }, {
        pictor: 1, prompt: 'a cat', style: null, model: 'gpt-image-2', size: 'auto', resolution: '1K', quality: 'medium', n: 1,
        taskId: '', created: '', references: [{ file: 'a.png' }, { url: 'https://x/y.png' }],
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('turns a recipe back into the same request, with the edited prompt and the style added the same way', () => {
    const r = sample();
    const out = inputFromRecipe(r, '/ws/docs/images/red-fox.png', '/ws', 'a red fox, awake');
    assert.ok(out.ok);
    assert.deepEqual(out.input, {
      prompt: promptWithStyle('a red fox, awake', 'watercolor'),
      model: 'gpt-image-2', size: '16:9', resolution: '2K', quality: 'high', n: 2,
      references: [{ kind: 'url', url: 'https://example.com/ref.png' }, { kind: 'file', path: '/ws/docs/refs/sketch.png' }],
    });
    assert.equal(promptWithStyle('a fox', null), 'a fox');
    assert.equal(promptWithStyle('a fox', 'ink'), 'a fox\n\nStyle: ink');
  });

  it('never sends a reference file from outside the workspace folder named by a recipe', () => {
    const r = sample({ references: [{ file: '../../../home/me/.ssh/id_rsa.png' }] });
    const out = inputFromRecipe(r, '/ws/docs/images/red-fox.png', '/ws', 'x');
    assert.equal(out.ok, false);
    assert.match(!out.ok ? out.message : '', /outside the workspace/);
  });
});

// Issue 18, defect 11: the recipe scan of a linked image (the Regenerate CodeLens runs it on every image
// link of a page) read the file one chunk at a time: 33.6 s for a 12 MB PNG of a million empty chunks.
// What is counted here is the work: the reads the scan makes and the bytes they bring in.
describe('recipe scan of a hostile PNG: bounded reads', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-scan-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });



  /** `png` with `extra` inserted before its IEND chunk. */
  function beforeIend(png: Buffer, extra: Buffer): Buffer {
    return Buffer.concat([png.subarray(0, png.length - 12), extra, png.subarray(png.length - 12)]);
  }

  function repeated(chunk: Buffer, times: number): Buffer {
    const out = Buffer.alloc(chunk.length * times);
    for (let i = 0; i < times; i++) chunk.copy(out, i * chunk.length);
    return out;
  }

  const EMPTY = makeChunk('zzZz', Buffer.alloc(0)); // an ancillary chunk no reader knows: 12 bytes

  it('a PNG of a million empty chunks and no recipe: a few block reads, not a million (was 33.6 s)', async () => {
    const file = path.join(dir, 'million.png');
    await fs.writeFile(file, beforeIend(encodePng(16, 16), repeated(EMPTY, 1_000_000)));
    const { value, reads, bytes } = await counted(() => readRecipeFile(file));
    assert.equal(value, undefined);
    // At most MAX_PNG_CHUNKS chunks of 12 bytes are looked at: about 240 KB in 64 KB blocks, and the sidecar try.
    assert.ok(reads <= 10, `${reads} reads`);
    assert.ok(bytes <= 512 * 1024, `${bytes} bytes read`);
  });

  it('finds a recipe next to IHDR with one block read, however many chunks follow', async () => {
    const file = path.join(dir, 'fox.png');
    const r = sample();
    await fs.writeFile(file, beforeIend(embedRecipeInPng(encodePng(64, 64), r), repeated(EMPTY, 200_000)));
    const { value, reads } = await counted(() => readRecipeFile(file));
    assert.deepEqual(value, r);
    assert.ok(reads <= 2, `${reads} reads`);
  });

  it('still finds a recipe a tool moved after 2,000 image data chunks of 8 KB, in blocks of 64 KB', async () => {
    const file = path.join(dir, 'moved.png');
    const r = sample();
    const stamped = embedRecipeInPng(encodePng(64, 64), r);
    const chunks = pngChunks(stamped);
    const text = Buffer.concat(chunks.filter((c) => c.type === 'iTXt').map((c) => stamped.subarray(c.start, c.end)));
    const noText = Buffer.concat([stamped.subarray(0, 8), ...chunks.filter((c) => c.type !== 'iTXt').map((c) => stamped.subarray(c.start, c.end))]);
    const idats = repeated(makeChunk('IDAT', Buffer.alloc(8192)), 2000); // 16 MB
    await fs.writeFile(file, beforeIend(noText, Buffer.concat([idats, text])));
    const { value, reads } = await counted(() => readRecipeFile(file));
    assert.deepEqual(value, r);
    assert.ok(reads <= Math.ceil(idats.length / (64 * 1024)) + 4, `${reads} reads for ${idats.length} bytes`);
  });

  it('reads no sidecar bigger than any recipe (1 MB): a JPEG\'s 2 MB .pictor.json is not loaded', async () => {
    const file = path.join(dir, 'fox.jpg');
    await fs.writeFile(file, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xd9]));
    const r = sample();
    await fs.writeFile(sidecarPath(file), JSON.stringify({ ...r, style: 'x'.repeat(2 * 1024 * 1024) }));
    const { value, bytes } = await counted(() => readRecipeFile(file));
    assert.equal(value, undefined);
    assert.ok(bytes < 64 * 1024, `${bytes} bytes read`);
    await fs.writeFile(sidecarPath(file), JSON.stringify(r)); // the usual size: read
    assert.deepEqual(await readRecipeFile(file), r);
  });

  it('looks no further than MAX_PNG_CHUNKS chunks, and refuses such a file in memory too (the staged image keeps no recipe)', async () => {
    const file = path.join(dir, 'far.png');
    const far = beforeIend(embedRecipeInPng(encodePng(16, 16), sample()), Buffer.alloc(0));
    const ihdrEnd = 8 + 25;
    await fs.writeFile(file, Buffer.concat([far.subarray(0, ihdrEnd), repeated(EMPTY, MAX_PNG_CHUNKS), far.subarray(ihdrEnd)]));
    assert.equal(await readRecipeFile(file), undefined);
    const big = beforeIend(encodePng(16, 16), repeated(EMPTY, MAX_PNG_CHUNKS));
    assert.throws(() => pngChunks(big), /more than 20000 chunks/);
    await fs.writeFile(file, big);
    await assert.rejects(stampStagedImage(file, 'png', sample()), /more than 20000 chunks/);
  });
});
