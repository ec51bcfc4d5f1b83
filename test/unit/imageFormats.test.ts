// The table of image formats (src/shared/imageFormats.ts, src/core/imageFormats.ts), row by row on real
// files: each format's file is made by the same conversion the look uses (libwebp, MozJPEG, pngjs),
// and each row must recognise it, read its pixel size, tell it whole from cut short, and carry the
// recipe where it says. A new row is tested here by being in the table (and decodable below).
import * as assert from 'node:assert/strict';
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { PNG } from 'pngjs';
import { imageSize } from 'image-size';
import { extensionOf, IMAGE_FORMATS, IMAGE_TYPES, imageTypeNamed, typeOfExtension, type ImageType } from '../../src/shared/imageFormats';
import { FORMAT_BYTES } from '../../src/core/imageFormats';
import { HEAD_BYTES, isCompleteImage, readPixelSize, sniffImageType } from '../../src/core/api/imageInfo';
import { convertImage, formatAllowsAlpha, FORMAT_EXTENSION } from '../../src/core/convert';
import { makeRecipe, readRecipeFile, serializeRecipe } from '../../src/core/recipe';
import { IMAGE_MODEL } from '../../src/shared/model';
import { decodeJpeg, decodeWebp, type Pixels } from './codecs';
import { pngOf } from './pngFixtures';

const ROOT = path.resolve(__dirname, '../../..');

/** An independent decoder per format (the reference implementations, not the code under test). */
const DECODE: Record<ImageType, (b: Uint8Array) => Promise<Pixels>> = {
  png: async (b) => {
    const p = PNG.sync.read(Buffer.from(b));
    return { width: p.width, height: p.height, data: new Uint8ClampedArray(p.data) };
  },
  webp: decodeWebp,
  jpeg: decodeJpeg,
};

/** The bytes a row's `recipeIn` names: a chunk type, or a JPEG marker segment. */
function partMarker(recipeIn: string): Buffer {
  const app = /^APP(\d+)$/.exec(recipeIn);
  return app ? Buffer.from([0xff, 0xe0 + Number(app[1])]) : Buffer.from(recipeIn, 'latin1');
}

const W = 96;
const H = 64;
const files = new Map<ImageType, Buffer>();
const cutouts = new Map<ImageType, Buffer>();
let dir: string;

before(async function () {
  this.timeout(30_000);
  const opaque = pngOf(W, H, (x, y) => [x * 2, y * 3, 128, 255]);
  // Half of it transparent: a format with transparency keeps it, one without cannot.
  const cut = pngOf(W, H, (x, y) => (x < W / 2 ? [x * 2, y * 3, 128, 255] : [0, 0, 0, 0]));
  for (const t of IMAGE_TYPES) {
    files.set(t, Buffer.from((await convertImage({ bytes: opaque, format: t, maxWidth: W / 2 })).bytes));
    cutouts.set(t, Buffer.from((await convertImage({ bytes: cut, format: t, maxWidth: W / 2 })).bytes));
  }
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-formats-'));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the image format table (issue 23 item 2): one row per format', () => {
  it('the shared rows (names, extensions, MIME) and the byte rows have the same formats', () => {
    assert.deepEqual(Object.keys(FORMAT_BYTES).sort(), [...IMAGE_TYPES].sort());
    assert.deepEqual(new Set(IMAGE_TYPES.map((t) => IMAGE_FORMATS[t].mime)).size, IMAGE_TYPES.length, 'one MIME type each');
    for (const t of IMAGE_TYPES) {
      for (const e of IMAGE_FORMATS[t].extensions) assert.equal(typeOfExtension(`.${e.toUpperCase()}`), t);
      assert.equal(FORMAT_EXTENSION[t], extensionOf(t));
      assert.equal(imageTypeNamed(t.toUpperCase()), t);
    }
    assert.equal(imageTypeNamed('jpg'), 'jpeg');
    assert.equal(imageTypeNamed('.png'), undefined, 'a flag or option names a format, not a file name');
    assert.equal(typeOfExtension('gif'), undefined);
  });

  for (const t of IMAGE_TYPES) {
    describe(`${IMAGE_FORMATS[t].name} (${extensionOf(t)}, ${IMAGE_FORMATS[t].mime})`, () => {
      it('is recognised by its own row\'s signature only', () => {
        const b = files.get(t)!;
        assert.deepEqual(IMAGE_TYPES.filter((u) => FORMAT_BYTES[u].sniff(b)), [t]);
        assert.equal(sniffImageType(b), t);
        assert.equal(sniffImageType(b.subarray(0, 2)), undefined, 'two bytes are no signature');
      });

      it('its pixel size is read from the first bytes, as an independent reader reads it', async () => {
        const b = files.get(t)!;
        const want = { width: W / 2, height: H / 2 };
        assert.deepEqual(readPixelSize(b.subarray(0, HEAD_BYTES)), want);
        const other = imageSize(b);
        assert.deepEqual({ width: other.width, height: other.height }, want);
        const px = await DECODE[t](b);
        assert.deepEqual({ width: px.width, height: px.height }, want);
      });

      it('a whole file is complete, one cut short is not', () => {
        const b = files.get(t)!;
        const head = b.subarray(0, Math.min(b.length, HEAD_BYTES));
        assert.equal(isCompleteImage(t, head, b.subarray(-64), b.length), true);
        for (const cut of [1, 2, 7, Math.floor(b.length / 2)]) {
          const short = b.subarray(0, b.length - cut);
          assert.equal(isCompleteImage(t, short.subarray(0, HEAD_BYTES), short.subarray(-64), short.length), false, `${cut} bytes short`);
        }
      });

      it(`keeps transparency: ${IMAGE_FORMATS[t].transparency}`, async () => {
        assert.equal(formatAllowsAlpha(t), IMAGE_FORMATS[t].transparency);
        const px = await DECODE[t](cutouts.get(t)!);
        const clear = px.data.filter((_, i) => i % 4 === 3 && px.data[i]! < 255).length;
        assert.equal(clear > 0, IMAGE_FORMATS[t].transparency);
      });

      it(`carries the recipe in its ${JSON.stringify(IMAGE_FORMATS[t].recipeIn)} part, read back from memory and from disk`, async () => {
        const b = files.get(t)!;
        const file = path.join(dir, `fox.${extensionOf(t)}`);
        const recipe = makeRecipe({ body: { model: IMAGE_MODEL.id, prompt: 'a red fox asleep in fresh snow', n: 1 }, taskId: `task-${t}`, createdAt: 0 }, file);
        const json = serializeRecipe(recipe);
        const row = FORMAT_BYTES[t];
        assert.equal(row.recipe.fromImage(b), undefined, 'none before');
        const out = row.recipe.embed(b, json, recipe.prompt)!;
        const part = partMarker(IMAGE_FORMATS[t].recipeIn);
        assert.ok(!b.includes(part) && out.includes(part), `the ${IMAGE_FORMATS[t].recipeIn} part is added`);
        assert.equal(row.recipe.fromImage(out), json);
        assert.deepEqual(readPixelSize(out.subarray(0, HEAD_BYTES)), readPixelSize(b.subarray(0, HEAD_BYTES)));
        assert.equal(isCompleteImage(t, out.subarray(0, HEAD_BYTES), out.subarray(-64), out.length), true);
        const px = await DECODE[t](out);
        assert.equal(px.width, W / 2, 'the image still decodes');
        await fs.writeFile(file, out);
        assert.equal(await row.recipe.fromFile(file), json);
        assert.deepEqual(await readRecipeFile(file), recipe);
      });
    });
  }
});

describe('the image format table: the formats\' bytes are written in it only', () => {
  function sources(d: string): string[] {
    return readdirSync(d).flatMap((name) => {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) return sources(p);
      return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
    });
  }
  const all = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'media'))];
  const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

  it('MIME types are in src/shared/imageFormats.ts, the PNG signature in src/core/pngText.ts (the PNG writer), nowhere else', () => {
    const found: string[] = [];
    for (const f of all) {
      const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (n: ts.Node): void => {
        if (ts.isStringLiteralLike(n) && /^image\/(png|jpeg|webp)$/.test(n.text) && rel(f) !== 'src/shared/imageFormats.ts') found.push(`${rel(f)} '${n.text}'`);
        if (ts.isArrayLiteralExpression(n) && n.elements.slice(0, 4).map((e) => e.getText(sf).toLowerCase()).join() === '0x89,0x50,0x4e,0x47' && rel(f) !== 'src/core/pngText.ts') found.push(`${rel(f)} the PNG signature`);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    assert.deepEqual(found, []);
  });
});
