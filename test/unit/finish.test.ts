// Issue 24 step 2: finishImage, the one step after the download and before placing that every face
// runs: keyed out (transparent) in the convert worker, converted (format, maxWidth), written beside the
// original with the format's extension; a backdrop that cannot be keyed keeps the image opaque, with why.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { finishImage, finishedPath, savedWords } from '../../src/core/finish';
import { imageInfo } from '../../src/core/api/imageInfo';
import { keyedPng } from '../fake-evolink/png';
import { english } from '../../src/shared/words';
import { decodeWebp } from './codecs';

describe('finishImage: the look after the download (issue 24)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'pictor-finish-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const stage = (name: string, png: Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, png);
    const info = imageInfo(png)!;
    return { path: file, type: info.type, width: info.width, height: info.height, bytes: png.length };
  };

  it('leaves a plain look alone (no worker, no new file)', async () => {
    const s = stage('plain.png', keyedPng(64, 48, [255, 0, 255]));
    const f = await finishImage(s, { background: 'opaque', format: 'png' });
    assert.equal(f.file, s);
    assert.equal(f.original, undefined);
  });

  it('keys a flat backdrop out into a PNG\'s alpha: corners transparent, the subject opaque', async () => {
    const s = stage('fox.png', keyedPng(320, 240, [255, 0, 255], 'a fox'));
    const f = await finishImage(s, { background: 'transparent', format: 'png', key: 'magenta' });
    assert.equal(f.keyed?.ok, true);
    assert.equal(f.note, undefined);
    assert.equal(f.original, s.path);
    assert.equal(f.file.path, finishedPath(s.path, { background: 'transparent', format: 'png' }));
    const png = PNG.sync.read(readFileSync(f.file.path));
    assert.equal(png.data[3], 0, 'the corner is transparent');
    const mid = ((120 * 320) + 160) * 4;
    assert.equal(png.data[mid + 3], 255, 'the subject is opaque');
  });

  it('keys, scales to maxWidth and encodes WebP with alpha, the extension following the format', async () => {
    const s = stage('kite.png', keyedPng(640, 480, [0, 255, 0], 'a red kite'));
    const f = await finishImage(s, { background: 'transparent', format: 'webp', maxWidth: 200, key: 'green' });
    assert.equal(path.extname(f.file.path), '.webp');
    assert.equal(f.file.type, 'webp');
    assert.deepEqual([f.file.width, f.file.height], [200, 150]);
    const bytes = readFileSync(f.file.path);
    assert.equal(imageInfo(bytes)?.type, 'webp');
    const px = await decodeWebp(bytes);
    assert.deepEqual([px.width, px.height], [200, 150]);
    assert.equal(px.data[3], 0, 'alpha survives in the WebP');
    assert.match(english(savedWords(f)!), /PNG → .* WebP/);
  });

  it('keeps a busy backdrop opaque and says why (never a half-eaten subject)', async () => {
    const s = stage('busy.png', keyedPng(320, 240, [255, 0, 255], 'a fox', true));
    const f = await finishImage(s, { background: 'transparent', format: 'png', key: 'magenta' });
    assert.equal(f.keyed?.ok, false);
    assert.match(english(f.note!), /not flat enough/);
    const png = PNG.sync.read(readFileSync(f.file.path));
    for (let i = 3; i < png.data.length; i += 4 * 97) assert.equal(png.data[i], 255);
  });
});
