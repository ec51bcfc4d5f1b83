// The test command (`npm test`): builds, then runs the layers — unit, component, integration, e2e —
// or only the ones named: `node test/run-all.mjs integration e2e`. Two lines of layers run side by
// side: unit then component, beside integration then e2e (the two VS Code host layers never at once:
// the machine has 2 cores). Output stays in layer order: the first unfinished layer prints as it
// runs, the others are held and printed whole when their turn comes.
// Each layer prints its own results; the very last line is the sum: `N passed, N failed[, N skipped]`.
// Exit 1 when a test failed, when a layer could not run or ran no tests, or when the build failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'test-results');
const LAYERS = ['unit', 'component', 'integration', 'e2e'];
// Layers in one line run one after another; the lines run side by side.
const LINES = [['unit', 'component'], ['integration', 'e2e']];
const MINUTE = 60_000;
// Generous ceilings: a stuck layer must not hold CI for long, a slow machine must not fail a good one.
const LAYER_TIMEOUT_MS = { unit: 5 * MINUTE, component: 8 * MINUTE, integration: 15 * MINUTE, e2e: 15 * MINUTE };
// Mocha stays alive while a test leaves a server, socket or timer open; that is a bug to report, not wait out.
const EXIT_GRACE_MS = 10_000;

const say = (line = '') => process.stdout.write(`${line}\n`);

function parseArgs(argv) {
  const unknown = argv.filter((a) => !LAYERS.includes(a));
  if (unknown.length) {
    process.stderr.write(`Unknown layer(s): ${unknown.join(', ')}. Layers: ${LAYERS.join(', ')}\n`);
    process.exit(2);
  }
  return argv.length ? LAYERS.filter((l) => argv.includes(l)) : LAYERS;
}

function build() {
  const problems = [];
  say('build: tsc -p . (out/)');
  // tsc never deletes output: a module that became a folder (jobs.ts -> jobs/index.ts) would still be
  // found as out/…/jobs.js first. A clean out/ costs a few seconds and rules that out.
  rmSync(join(root, 'out'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0) {
    process.stdout.write(tsc.stdout + tsc.stderr);
    problems.push('TypeScript reported errors (listed above); out/ was emitted anyway');
  }
  say('build: node esbuild.mjs (dist/)');
  const esb = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  if (esb.status !== 0) {
    process.stdout.write(esb.stdout + esb.stderr);
    problems.push('esbuild failed: dist/ is missing or stale');
  }
  return { problems, bundled: esb.status === 0 };
}

/** Compiled specs of a layer whose TypeScript source still exists (tsc never deletes stale output). */
function specFiles(layer) {
  const dir = join(root, 'out', 'test', layer);
  if (!existsSync(dir)) return { specs: [], stale: [] };
  const specs = [];
  const stale = [];
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!f.endsWith('.test.js')) continue;
    const source = join(root, 'test', layer, f.replace(/\.js$/, '.ts'));
    (existsSync(source) ? specs : stale).push(join(dir, f));
  }
  return { specs, stale };
}

/**
 * A layer's output: held while an earlier layer is still printing, then printed whole and from then
 * on as it comes. So layers running side by side never interleave their lines.
 */
class LayerOutput {
  constructor(layer) {
    this.layer = layer;
    this.held = [];
    this.live = false;
  }
  write(chunk, stream = process.stdout) {
    if (this.live) stream.write(chunk);
    else this.held.push([chunk, stream]);
  }
  say(line = '') { this.write(`${line}\n`); }
  goLive() {
    process.stdout.write(`\n==== ${this.layer} ====\n`);
    for (const [chunk, stream] of this.held) stream.write(chunk);
    this.held = [];
    this.live = true;
  }
}

function layerCommand(layer, out) {
  if (layer === 'integration') return { args: [join(root, 'test', 'host', 'run-integration.mjs')] };
  if (layer === 'e2e') return { args: [join(root, 'test', 'e2e', 'run-e2e.mjs')] };
  const { specs, stale } = specFiles(layer);
  for (const f of stale) out.say(`  (ignoring ${relative(root, f)}: its source test/${layer}/… no longer exists)`);
  if (specs.length === 0) return { error: `no test files: out/test/${layer}/**/*.test.js (from test/${layer}/*.test.ts)` };
  return {
    mocha: true,
    args: [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', join(root, 'test', 'host', 'mocha-reporter.cjs'),
      // Its output goes through a pipe (LayerOutput): colours only when ours is a terminal.
      ...(process.stdout.isTTY ? ['--color'] : []),
      // A stray `.only` would pass CI on a fraction of the suite: it fails the layer instead.
      '--timeout', '10000', '--forbid-only', ...specs],
  };
}

function runLayer(layer, out) {
  const summaryFile = join(resultsDir, `${layer}.summary.json`);
  rmSync(summaryFile, { force: true });
  const cmd = layerCommand(layer, out);
  if (cmd.error) return Promise.resolve({ error: cmd.error });
  return new Promise((done) => {
    const child = spawn(process.execPath, cmd.args, {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PICTOR_SUMMARY_FILE: summaryFile },
    });
    child.stdout.on('data', (chunk) => out.write(chunk, process.stdout));
    child.stderr.on('data', (chunk) => out.write(chunk, process.stderr));
    running.add(child);
    let why;
    const kill = (reason) => { why ??= reason; child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 10_000).unref(); };
    const timer = setTimeout(() => kill(`timed out after ${LAYER_TIMEOUT_MS[layer] / MINUTE} min`), LAYER_TIMEOUT_MS[layer]);
    let hangTimer;
    const watch = cmd.mocha && setInterval(() => {
      if (!hangTimer && existsSync(summaryFile)) {
        hangTimer = setTimeout(() => kill(`mocha did not exit ${EXIT_GRACE_MS / 1000} s after its last test: a test left a server, socket or timer open`), EXIT_GRACE_MS);
      }
    }, 250);
    // 'close', not 'exit': every line of its output has arrived.
    child.on('close', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      clearTimeout(hangTimer);
      if (watch) clearInterval(watch);
      let summary;
      try { summary = JSON.parse(readFileSync(summaryFile, 'utf8')); } catch { /* none */ }
      if (why) return done({ ...summary, error: why });
      if (!summary) return done({ error: `it exited (code ${code}${signal ? `, signal ${signal}` : ''}) without reporting results` });
      if (summary.error) return done(summary);
      if ((summary.passed ?? 0) + (summary.failed ?? 0) === 0) return done({ ...summary, error: 'it ran zero tests' });
      if (code !== 0 && !summary.failed) return done({ ...summary, error: `it exited with code ${code} although no test failed` });
      done(summary);
    });
  });
}

const running = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // The layer runners stop their servers and browsers on SIGTERM.
    for (const child of running) child.kill('SIGTERM');
    setTimeout(() => process.exit(130), 12_000).unref();
  });
}

const layers = parseArgs(process.argv.slice(2));
mkdirSync(resultsDir, { recursive: true });
const { problems, bundled } = build();
const outputs = new Map(layers.map((l) => [l, new LayerOutput(l)]));
const results = new Map();
// The first layer (in LAYERS order) not yet printed to the end prints live; the next one goes live when it ends.
let printing = 0;
const advance = () => {
  while (printing < layers.length) {
    const out = outputs.get(layers[printing]);
    if (!out.live) out.goLive();
    if (!results.has(layers[printing])) return;
    printing++;
  }
};
advance();

async function runLine(line) {
  for (const layer of line.filter((l) => layers.includes(l))) {
    const out = outputs.get(layer);
    const started = Date.now();
    let r;
    if (!bundled && (layer === 'integration' || layer === 'e2e')) r = { error: 'the extension bundle (dist/) did not build' };
    else r = await runLayer(layer, out);
    out.say(`(${layer} took ${Math.round((Date.now() - started) / 1000)} s)`);
    results.set(layer, r);
    advance();
  }
}
await Promise.all(LINES.map(runLine));

const totals = { passed: 0, failed: 0, pending: 0 };
const lines = [];
for (const layer of layers) {
  const r = results.get(layer);
  totals.passed += r.passed ?? 0;
  totals.failed += r.failed ?? 0;
  totals.pending += r.pending ?? 0;
  const counts = `${r.passed ?? 0} passed, ${r.failed ?? 0} failed${r.pending ? `, ${r.pending} skipped` : ''}`;
  if (r.error) {
    problems.push(`${layer}: could not run to the end: ${r.error}`);
    lines.push(`${layer.padEnd(12)} ${counts} — NOT OK: ${r.error}`);
  } else {
    lines.push(`${layer.padEnd(12)} ${counts}`);
  }
}

say();
say('==== summary ====');
for (const l of lines) say(l);
for (const p of problems) say(`problem: ${p}`);
say(`${totals.passed} passed, ${totals.failed} failed${totals.pending ? `, ${totals.pending} skipped` : ''}`);
process.exit(totals.failed > 0 || problems.length > 0 ? 1 : 0);
