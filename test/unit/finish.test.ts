// Issue 24 step 2: finishImage, the one step after the download and before placing that every face
// runs: keyed out (transparent) in the convert worker, converted (format, maxWidth), written beside the
// original with the format's extension; a backdrop that cannot be keyed keeps the image opaque, with why.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { finishImage, finishedPath, savedWords } from '../../src/core/finish';
import { sizeNote } from '../../src/core/jobs/fetching';
import type { JobRecord } from '../../src/core/store';
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

  it('a maxWidth never reads as "the provider sent another size": the size note compares the provider\'s size', async () => {
    // 1536×1024 is what 3:2 at 1K asks for; the file saved is 600 wide.
    const job = { body: { prompt: 'p', size: '3:2', resolution: '1K' } } as unknown as JobRecord;
    const s = stage('wide.png', keyedPng(1536, 1024, [255, 0, 255], 'a heron'));
    const f = await finishImage(s, { background: 'opaque', format: 'webp', maxWidth: 600 });
    assert.deepEqual([f.file.width, f.file.height], [600, 400]);
    assert.deepEqual(f.file.original, { type: 'png', width: 1536, height: 1024, bytes: s.bytes });
    assert.equal(sizeNote(job, [f.file]), undefined, 'the scaled file is what was asked for');
    // The provider's own other size is still named, as the provider sent it (not as scaled).
    const other = stage('other.png', keyedPng(1024, 1024, [255, 0, 255], 'a heron'));
    const g = await finishImage(other, { background: 'opaque', format: 'png', maxWidth: 600 });
    assert.match(english(sizeNote(job, [g.file])!), /delivered 1024×1024 instead of the 1536×1024/);
  });
});
