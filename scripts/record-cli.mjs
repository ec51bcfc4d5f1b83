#!/usr/bin/env node
// `node scripts/record-cli.mjs`: records a real `pictor fill` on a pseudo-terminal (util-linux script)
// against the fake provider, as docs/pictor-fill.cast (asciicast v2: `asciinema play` replays it) and
// docs/pictor-fill.txt (each redraw of the progress line kept as its own line, for the README).
// Needs the build (`npx tsc -p . && node esbuild.mjs`): out/test/fake-evolink/server.js, dist/cli/pictor.js.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startFakeEvolink } = createRequire(import.meta.url)(path.join(root, 'out/test/fake-evolink/server.js'));
const fake = await startFakeEvolink({ behavior: { stepMs: 400, progressSteps: 4 } });
const ws = mkdtempSync(path.join(os.tmpdir(), 'pictor-record-'));
const state = mkdtempSync(path.join(os.tmpdir(), 'pictor-record-state-'));
try {
  mkdirSync(path.join(ws, '.git'));
  mkdirSync(path.join(ws, 'docs'));
  writeFileSync(path.join(ws, 'docs/tour.md'), '# Tour\n\n![a lighthouse at dawn]()\n\n![a harbour crane, ink sketch]()\n\n![gulls over the pier]() <!-- pictor: size=16:9 -->\n');
  writeFileSync(path.join(ws, 'docs/boats.md'), '![a red sailing boat]()\n\n![three fishing boats at rest]() <!-- pictor: n=2 -->\n');
  const env = { PATH: process.env.PATH, HOME: os.homedir(), TERM: 'xterm-256color', COLUMNS: '80', PICTOR_BASE_URL: fake.url, PICTOR_FILES_BASE_URL: fake.url, EVOLINK_API_KEY: fake.apiKey, PICTOR_STATE_DIR: state };
  const command = `${process.execPath} ${path.join(root, 'dist/cli/pictor.js')} fill docs --concurrency 2 --yes`;
  const started = Date.now();
  const events = [];
  const code = await new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ws, env, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => events.push([(Date.now() - started) / 1000, d.toString()]));
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end();
  });
  if (code !== 0) throw new Error(`pictor fill ended with ${code}`);
  const shown = `$ pictor fill docs --concurrency 2 --yes\r\n`;
  const cast = [JSON.stringify({ version: 2, width: 80, height: 16, title: 'pictor fill docs (against the fake provider)' }), JSON.stringify([0, shown]), ...events.map((e) => JSON.stringify(e))];
  writeFileSync(path.join(root, 'docs/pictor-fill.cast'), `${cast.join('\n')}\n`);
  // The text: every frame of the progress line on its own line, control characters gone.
  const text = (shown + events.map((e) => e[1]).join(''))
    .replaceAll('\r\u001b[2K', '\n').replaceAll('\r\n', '\n')
    .split('\n').filter((l, i, a) => l.trim() !== '' && l !== a[i - 1]).join('\n');
  writeFileSync(path.join(root, 'docs/pictor-fill.txt'), `${text}\n`);
  process.stdout.write(`${text}\n`);
} finally {
  await fake.close();
  rmSync(ws, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
}
