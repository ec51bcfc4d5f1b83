// The .vsix file list is an allow-list (.vscodeignore): a file the extension loads at run time but the
// list forgets is missing only for users. This asks vsce for the files it would package (the same
// list `npm run package` zips), installs exactly those in an empty folder, as VS Code unpacks a .vsix,
// and runs the conversion worker from there: no node_modules to fall back on.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertImage, runInWorker } from '../../src/core/convert';
import { oneJobInWorker, type Preview, type PreviewJob } from '../../src/core/previewThread';
import { WASM_FILES } from '../../src/core/wasm';
import { encodePng } from '../fake-evolink/png';
import { decodeJpeg, decodeWebp } from '../unit/codecs';

const root = path.resolve(__dirname, '..', '..', '..');

function packagedFiles(): string[] {
  const out = execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

describe('the packaged extension (.vsix file list)', function () {
  // vsce reads the whole project: seconds when idle, much longer on a busy machine.
  this.timeout(180_000);
  let files: string[];
  let installed: string;

  before(function () {
    if (!existsSync(path.join(root, 'dist', 'convertWorker.js'))) throw new Error('dist/ is not built: run node esbuild.mjs (npm test builds it)');
    files = packagedFiles();
    installed = mkdtempSync(path.join(os.tmpdir(), 'pictor-vsix-'));
    for (const f of files) {
      mkdirSync(path.dirname(path.join(installed, f)), { recursive: true });
      cpSync(path.join(root, f), path.join(installed, f));
    }
  });
  after(() => rmSync(installed, { recursive: true, force: true }));

  it('holds the workers and every .wasm file the conversion and the previews load, and no source map', () => {
    for (const f of ['dist/extension.js', 'dist/previewWorker.js', 'dist/convertWorker.js']) assert.ok(files.includes(f), `${f} is not in the .vsix`);
    for (const { file } of Object.values(WASM_FILES)) {
      const wasm = `dist/wasm/${path.basename(file)}`;
      assert.ok(files.includes(wasm), `${wasm} is not in the .vsix`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('node_modules/')), []);
  });

  it('converts to WebP and JPEG with the worker and .wasm files as installed, without node_modules', async () => {
    const worker = path.join(installed, 'dist', 'convertWorker.js');
    const bytes = encodePng(320, 200, 1, 'packaged');
    const webp = await runInWorker(worker, { bytes, source: 'png', format: 'webp', width: 160, height: 100, quality: 80 }, 20_000);
    assert.deepEqual([(await decodeWebp(webp.bytes)).width, webp.height], [160, 100]);
    const jpeg = await runInWorker(worker, { bytes, source: 'png', format: 'jpeg', width: 160, height: 100, quality: 80 }, 20_000);
    assert.deepEqual([(await decodeJpeg(jpeg.bytes)).width, jpeg.height], [160, 100]);
  });

  it('previews a WebP with the preview worker and its decoder\'s .wasm as installed, without node_modules', async () => {
    const worker = path.join(installed, 'dist', 'previewWorker.js');
    const webp = await convertImage({ bytes: encodePng(320, 200, 1, 'packaged'), format: 'webp' });
    const job: PreviewJob = { bytes: webp.bytes, type: 'webp', maxEdge: 256 };
    const { preview } = await oneJobInWorker<{ preview: Preview } | { error: string }>(worker, job, 20_000, { slow: 'the decode', worker: 'the preview worker' });
    assert.deepEqual([(await decodeJpeg(preview.data)).width, preview.width, preview.height], [256, 256, 160]);
  });
});
