#!/usr/bin/env node
// `npm run package:cli`: the npm package `pictor-cli` (bin `pictor`) as pictor-cli-<version>.tgz in the
// repository's folder. One bundled file (src/bin/pictor.ts, every dependency inside), a generated
// package.json with no dependencies, and a README: `npm install -g --offline ./pictor-cli-*.tgz` works
// with an empty npm cache. Built here, not by esbuild.mjs, so the extension's dist/ is never touched.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const stage = mkdtempSync(path.join(os.tmpdir(), 'pictor-cli-pack-'));
try {
  await esbuild.build({
    entryPoints: [path.join(root, 'src/bin/pictor.ts')], outfile: path.join(stage, 'pictor.js'),
    bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'],
    banner: { js: '#!/usr/bin/env node' }, logLevel: 'error', absWorkingDir: root,
  });
  // The light files' worker and the previews' worker (src/core/convert.ts and previewThread.ts start
  // them from beside the bundle), and their codecs' .wasm (src/core/wasm.ts).
  for (const worker of ['convertWorker', 'previewWorker']) {
    await esbuild.build({
      entryPoints: [path.join(root, `src/core/${worker}.ts`)], outfile: path.join(stage, `${worker}.js`),
      bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', absWorkingDir: root,
    });
  }
  mkdirSync(path.join(stage, 'wasm'));
  for (const f of ['@jsquash/webp/codec/enc/webp_enc_simd.wasm', '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm', '@jsquash/webp/codec/dec/webp_dec.wasm']) {
    cpSync(path.join(root, 'node_modules', f), path.join(stage, 'wasm', path.basename(f)));
  }
  chmodSync(path.join(stage, 'pictor.js'), 0o755);
  writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify({
    name: 'pictor-cli',
    version: manifest.version,
    description: 'Fill Markdown image placeholders ![prompt]() with generated images, from a terminal or CI (Pictor).',
    license: manifest.license,
    repository: manifest.repository,
    homepage: manifest.homepage,
    bin: { pictor: 'pictor.js' },
    files: ['pictor.js', 'convertWorker.js', 'previewWorker.js', 'wasm', 'README.md'],
    engines: { node: '>=20' },
  }, null, 2)}\n`);
  writeFileSync(path.join(stage, 'README.md'), [
    '# pictor-cli', '',
    'The `pictor` command: fills Markdown image placeholders `![prompt]()` with generated images, as the',
    'Pictor extension for VS Code does. Set `EVOLINK_API_KEY`, then `pictor fill docs --yes`.',
    'Run `pictor --help` for the commands, options, environment variables and exit codes.', '',
  ].join('\n'));
  mkdirSync(root, { recursive: true });
  // npm pack names it pictor-cli-<version>.tgz; its cache is a throwaway (nothing is fetched).
  const cache = mkdtempSync(path.join(os.tmpdir(), 'pictor-cli-cache-'));
  try {
    const out = execFileSync('npm', ['pack', '--pack-destination', root, '--cache', cache, '--silent'], { cwd: stage, encoding: 'utf8', shell: process.platform === 'win32' });
    console.log(path.join(root, out.trim().split('\n').pop()));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
