#!/usr/bin/env node
// `npm run bench`: speed and memory figures, measured against the fake provider on 127.0.0.1.
// Tests never assert timings; this prints them. Queue rows print the new policy and the old one side
// by side, with the production settings (2 s minimum between polls of a task, 15 s slowest pace).
// Flags: --quick skips the real 30 s task and the old policy's batch; --convert runs only the light-file
// rows (bench-convert.mjs); --cli runs only the `pictor fill` batch (the bundled dist/cli/pictor.js).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanBench } from './bench-scan.mjs';
import { matteBench } from './bench-matte.mjs';
import { convertBench, printConvertTable } from './bench-convert.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const onlyConvert = process.argv.includes('--convert');
const onlyCli = process.argv.includes('--cli');

execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const { startFakeEvolink } = require(path.join(root, 'out/test/fake-evolink/server.js'));
const { EvoLinkClient } = require(path.join(root, 'out/src/core/api/client.js'));
const { JobQueue, etaPacing, legacyPacing, DEFAULT_PRUNE } = require(path.join(root, 'out/src/core/jobs/index.js'));
const { MementoTaskStore } = require(path.join(root, 'out/src/vscode/state/mementoStore.js'));
const { PACING_SCENARIOS, simulatePacing } = require(path.join(root, 'out/test/sim/pacingSim.js'));
const { MemoryTaskStore } = require(path.join(root, 'out/src/core/store.js'));
const { validateRequest } = require(path.join(root, 'out/src/core/request.js'));

const rows = [];
const row = (name, value, note = '') => {
  rows.push({ name, value, note });
  console.log(`  ${name}: ${value}${note ? `  (${note})` : ''}`);
};
/** A queue row: the old policy's figure → the new one's, and the goal. */
const pair = [];
const compare = (name, before, after, goal, how) => {
  pair.push({ name, before, after, goal, how });
  console.log(`  ${name}: old ${before} → new ${after}  (goal ${goal}; ${how})`);
};
const POLICIES = [['old', legacyPacing], ['new', etaPacing]];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

async function withQueue(fake, opts, fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pictor-bench-'));
  const client = new EvoLinkClient({ baseUrl: fake.url, filesBaseUrl: fake.url, apiKey: async () => fake.apiKey });
  const queue = new JobQueue({ client, store: new MemoryTaskStore(), ...opts });
  try {
    return await fn(queue, dir);
  } finally {
    queue.dispose();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBatch(queue, dir, count, body) {
  const jobs = [];
  for (let i = 0; i < count; i++) jobs.push(await queue.submit({ ...body, prompt: `${body.prompt} ${i}` }, { dir, baseName: `img-${i}` }));
  return Promise.all(jobs.map((j) => queue.wait(j.id)));
}

const CREATE_PATH = '/v1/images/generations';

/** One batch for real: HTTP against the fake, real time, the queue as the extension configures it. */
async function batch(policy, { count, latencyMs, concurrency }) {
  const fake = await startFakeEvolink({ behavior: { stepMs: latencyMs / 4, progressSteps: 3, estimatedTime: latencyMs / 1000 } });
  try {
    return await withQueue(fake, { maxConcurrent: concurrency, pacing: policy }, async (queue, dir) => {
      const completedAt = new Map();
      queue.onEvent((e) => { if (e.type === 'completed') completedAt.set(e.job.body.prompt, Date.now()); });
      const t0 = performance.now();
      const done = await runBatch(queue, dir, count, { model: 'gpt-image-2', prompt: 'bench', size: '1:1', resolution: '1K', quality: 'low', n: 1 });
      const wall = performance.now() - t0;
      // The fake's clock for a task starts when its create arrives; it completes latencyMs later.
      const lags = fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith(CREATE_PATH))
        .map((r) => completedAt.get(r.body?.prompt) - (r.at + latencyMs)).filter((x) => Number.isFinite(x));
      return {
        wall, ok: done.filter((j) => j.state === 'completed').length,
        ratio: wall / (Math.ceil(count / concurrency) * latencyMs),
        perImage: fake.requests.length / count, creates: fake.creates(), polls: fake.polls(),
        lagMedian: median(lags), lagMax: Math.max(...lags),
      };
    });
  } finally {
    await fake.close();
  }
}

async function queueBatch() {
  console.log('50 tasks, 3 s provider latency, concurrency 4 — real HTTP against the fake, real time, production pacing (2 s min)');
  const cfg = { count: 50, latencyMs: 3000, concurrency: 4 };
  const res = {};
  for (const [name, policy] of POLICIES) {
    if (quick && name === 'old') continue;
    res[name] = await batch(policy, cfg);
    console.log(`  ${name}: ${(res[name].wall / 1000).toFixed(1)} s, ${res[name].ok}/50 completed, ${res[name].creates} creates, ${res[name].polls} polls`);
  }
  const f = (k, d) => (r) => (r ? r[k].toFixed(d) : 'skipped');
  compare('batch: wall ÷ (13 × 3 s)', f('ratio', 3)(res.old), f('ratio', 3)(res.new), '≤ 1.10', 'real HTTP, real time');
  compare('batch: requests per image (create + polls + download)', f('perImage', 2)(res.old), f('perImage', 2)(res.new), '≤ 5', 'real HTTP');
  compare('batch: provider "completed" → job completed, median', res.old ? `${res.old.lagMedian} ms` : 'skipped', `${res.new.lagMedian} ms`, 'small', 'real HTTP; includes the download, no linker (see bench:vscode for the link)');
  compare('batch: provider "completed" → job completed, worst', res.old ? `${res.old.lagMax} ms` : 'skipped', `${res.new.lagMax} ms`, 'small', 'real HTTP');
}

/**
 * The same batch through the `pictor` command as a person runs it: 50 placeholders on one page, the
 * bundled dist/cli/pictor.js as a child process (`fill --yes --concurrency 4`), real HTTP, real time.
 * Its ratio is first create → the process's exit (every image saved and linked), ÷ (13 × 3 s), as
 * bench:vscode measures first create → 50th link.
 */
async function cliBatch() {
  const count = 50;
  const latencyMs = 3000;
  const concurrency = 4;
  console.log(`${count} placeholders through pictor fill (dist/cli/pictor.js, --concurrency ${concurrency}), ${latencyMs / 1000} s provider latency — real HTTP against the fake, real time`);
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  const fake = await startFakeEvolink({ behavior: { stepMs: latencyMs / 4, progressSteps: 3, estimatedTime: latencyMs / 1000 } });
  const ws = mkdtempSync(path.join(tmpdir(), 'pictor-bench-cli-'));
  const state = mkdtempSync(path.join(tmpdir(), 'pictor-bench-cli-state-'));
  try {
    mkdirSync(path.join(ws, '.git'));
    const page = path.join(ws, 'batch.md');
    writeFileSync(page, Array.from({ length: count }, (_, i) => `![a lighthouse number ${i + 1}]()\n`).join('\n'));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, PICTOR_STATE_DIR: state, PICTOR_BASE_URL: fake.url, PICTOR_FILES_BASE_URL: fake.url, EVOLINK_API_KEY: fake.apiKey, CI: '1' };
    const t0 = Date.now();
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'pictor.js'), 'fill', '--yes', '--quiet', '--concurrency', String(concurrency)], { cwd: ws, env, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('close', resolve);
    });
    const end = Date.now();
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith(CREATE_PATH));
    const firstCreate = Math.min(...creates.map((r) => r.at));
    const ideal = Math.ceil(count / concurrency) * latencyMs;
    const linked = (readFileSync(page, 'utf8').match(/\]\(images\//g) ?? []).length;
    console.log(`  exit ${code}: ${linked}/${count} linked, ${fake.creates()} creates, ${fake.polls()} polls; start → first create ${firstCreate - t0} ms`);
    compare('pictor fill: (first create → exit) ÷ (13 × 3 s)', '—', ((end - firstCreate) / ideal).toFixed(3), '≤ 1.05', `${((end - firstCreate) / 1000).toFixed(1)} s; real HTTP, child process`);
    compare('pictor fill: (start → exit) ÷ (13 × 3 s), start-up included', '—', ((end - t0) / ideal).toFixed(3), '—', `${((end - t0) / 1000).toFixed(1)} s wall`);
    compare('pictor fill: requests per image (create + polls + download)', '—', (fake.requests.length / count).toFixed(2), '≤ 5', 'real HTTP');
  } finally {
    await fake.close();
    rmSync(ws, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
}

function pacingSimulated() {
  console.log('Pacing scenarios — simulated clock running the real policy code (src/core/jobs/pacing.ts), production settings');
  const goals = {
    '3 s task, accurate estimate': 'noticed soon',
    '30 s task, accurate estimate': '≤ 2 s late, ≤ 6 requests',
    '30 s task, accurate estimate, stepped progress (like the fake)': '≤ 2 s late, ≤ 6 requests',
    '60 s task, estimate 3× too optimistic (20 s)': '≤ 5 s late, ≤ 10 requests',
    '60 s task, estimate 3× too pessimistic (180 s)': '≤ 5 s late, ≤ 10 requests',
    '60 s task, no estimate': '—',
    'progress stalls at 40 % (12–40 s), jumps to 90 %, done at 45 s': 'no burst (≤ 2 polls / 10 s)',
  };
  for (const s of PACING_SCENARIOS) {
    const r = Object.fromEntries(POLICIES.map(([n, p]) => [n, simulatePacing(p, s.task, { minPollMs: 2000, maxPollMs: 15000 })]));
    const burst = (x) => Math.max(...x.pollTimes.map((t) => x.pollTimes.filter((u) => u >= t && u < t + 10_000).length));
    const fmt = (x) => `${x.requests} req, ${(x.lateMs / 1000).toFixed(2)} s late, ≤ ${burst(x)} polls/10 s`;
    compare(s.name, fmt(r.old), fmt(r.new), goals[s.name] ?? '—', 'simulated clock');
  }
}

async function pacingReal() {
  console.log('One 30 s task with an accurate estimate — real HTTP against the fake, real time, both policies at once');
  const run = async (policy) => {
    const fake = await startFakeEvolink({ behavior: { stepMs: 7500, progressSteps: 3, estimatedTime: 30 } });
    try {
      return await withQueue(fake, { pacing: policy }, async (queue, dir) => {
        let doneAt = 0;
        queue.onEvent((e) => { if (e.type === 'completed') doneAt = Date.now(); });
        await runBatch(queue, dir, 1, { model: 'gpt-image-2', prompt: 'pacing', size: '1:1', resolution: '1K', quality: 'medium', n: 1 });
        const create = fake.requests.find((r) => r.method === 'POST' && r.path.startsWith(CREATE_PATH));
        return { reqs: fake.requests.length, polls: fake.polls(), late: doneAt - (create.at + 30_000) };
      });
    } finally {
      await fake.close();
    }
  };
  const [old, now] = await Promise.all(POLICIES.map(([, p]) => run(p)));
  const fmt = (x) => `${x.reqs} req (${x.polls} polls), ${(x.late / 1000).toFixed(2)} s late`;
  compare('30 s task, accurate estimate (real)', fmt(old), fmt(now), '≤ 2 s late, ≤ 6 requests', 'real HTTP, real time');
}

/** A Memento like VS Code's workspace state: the value is serialised on every update. */
class JsonMemento {
  data = new Map();
  bytes = 0;
  get(key, fallback) { return this.data.has(key) ? this.data.get(key) : fallback; }
  async update(key, value) {
    const text = JSON.stringify(value);
    this.bytes = text.length;
    this.data.set(key, JSON.parse(text));
  }
}

async function store() {
  console.log('5,000 past jobs in the workspace state (MementoTaskStore over a Memento that serialises each update, as VS Code does)');
  const past = (n) => Array.from({ length: n }, (_, i) => ({
    id: `past-${i}`, taskId: `task-unified-1757156493-${String(i).padStart(8, '0')}`,
    body: { model: 'gpt-image-2', prompt: `a lighthouse at dawn number ${i}, watercolor, soft light`, size: '16:9', resolution: '2K', quality: 'medium', n: 1 },
    target: { dir: '/home/u/.config/Code/User/globalStorage/pictor.pictor/staging', baseName: `lighthouse-${i}`, meta: { origin: 'placeholder', documentUri: `file:///ws/docs/page-${i % 40}.md`, alt: `a lighthouse at dawn number ${i}` } },
    state: i % 10 === 0 ? 'failed' : 'completed', progress: 100, createdAt: Date.now() - (5000 - i) * 60_000, finishedAt: Date.now() - (5000 - i) * 60_000 + 30_000,
    results: [`https://files.evolink.ai/results/${i}/0.png`], resultsAt: Date.now() - (5000 - i) * 60_000,
    files: [{ path: `/ws/docs/images/lighthouse-${i}.png`, type: 'png', width: 2048, height: 1152, bytes: 3_000_000 }],
  }));
  const measure = async (prune, savesPerProgressTick) => {
    const memento = new JsonMemento();
    await memento.update('pictor.jobs.v1', Object.fromEntries(past(5000).map((r) => [r.id, r])));
    const st = new MementoTaskStore(memento);
    const client = { createTask: async () => { throw new Error('unused'); }, getTask: async () => { throw new Error('unused'); }, download: async () => { throw new Error('unused'); } };
    const queue = new JobQueue({ client, store: st, prune });
    await queue.resume();
    const running = { id: 'live', taskId: 'task-unified-1757156493-live0001', body: { model: 'gpt-image-2', prompt: 'live', n: 1 }, target: { dir: '/tmp', baseName: 'live' }, state: 'running', progress: 10, createdAt: Date.now() };
    const N = 20;
    let t = performance.now();
    for (let i = 0; i < N; i++) await st.save({ ...running, progress: 10 + i });
    const save = (performance.now() - t) / N;
    t = performance.now();
    for (let i = 0; i < N; i++) queue.list();
    const list = (performance.now() - t) / N;
    const kept = queue.list().length;
    queue.dispose();
    return { save, progressSave: save * savesPerProgressTick, list, bytes: memento.bytes, kept };
  };
  // The old queue kept every job and saved on every progress change.
  const old = await measure({ maxAgeMs: Infinity, maxCount: Infinity }, 1);
  const now = await measure(DEFAULT_PRUNE, 0);
  compare('5,000 past jobs: cost of a progress tick (store write)', `${old.progressSave.toFixed(2)} ms`, `${now.progressSave.toFixed(2)} ms (no write)`, '≤ 5 ms', 'in process');
  compare('5,000 past jobs: one state save (create, completion…)', `${old.save.toFixed(2)} ms`, `${now.save.toFixed(2)} ms`, '≤ 5 ms', 'in process');
  compare('5,000 past jobs: list()', `${old.list.toFixed(2)} ms`, `${now.list.toFixed(3)} ms`, '≤ 1 ms', 'in process');
  compare('5,000 past jobs: jobs kept / workspace state size', `${old.kept} / ${(old.bytes / 1e6).toFixed(1)} MB`, `${now.kept} / ${(now.bytes / 1e6).toFixed(2)} MB`, 'bounded', 'after resume');
}

async function memory() {
  console.log('Peak RSS growth while saving 10 images of 3840×2160 at once');
  // One cached picture for every task: encoding ten labelled 4K PNGs in this process would be counted too.
  const fake = await startFakeEvolink({ behavior: { stepMs: 50, progressSteps: 1, estimatedTime: 1, drawPrompt: false } });
  try {
    await withQueue(fake, { maxConcurrent: 10 }, async (queue, dir) => {
      // Warm up: the fake encodes (and caches) the 4K PNG in this process too; keep that out of the figure.
      await runBatch(queue, dir, 1, { model: 'gpt-image-2', prompt: 'warm', size: '3840x2160', quality: 'low', n: 1 });
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
      const done = await runBatch(queue, dir, 10, { model: 'gpt-image-2', prompt: '4k', size: '3840x2160', quality: 'low', n: 1 });
      clearInterval(timer);
      const bytes = done.flatMap((j) => j.files ?? []).reduce((s, f) => s + f.bytes, 0);
      row('peak RSS growth', `${((peak - base) / 1048576).toFixed(1)} MiB`, `${done.length} images, ${(bytes / 1048576).toFixed(1)} MiB on disk in all`);
    });
  } finally {
    await fake.close();
  }
}

function validation() {
  console.log('Validating 10,000 requests');
  const inputs = Array.from({ length: 10000 }, (_, i) => ({
    prompt: `a red fox asleep in fresh snow, watercolor, variation ${i}`,
    size: ['16:9', '1536x1024', 'auto', '2:3'][i % 4], resolution: '2K', quality: 'high', n: 1 + (i % 10),
    callbackUrl: 'https://example.com/hook', references: [{ kind: 'url', url: 'https://example.com/a.png' }],
  }));
  const t0 = performance.now();
  let ok = 0;
  for (const input of inputs) if (validateRequest(input).ok) ok++;
  const ms = performance.now() - t0;
  row('10,000 validations', `${ms.toFixed(1)} ms`, `${ok} valid`);
}

console.log(`Pictor benchmarks — Node ${process.version}, ${process.platform}/${process.arch}\n`);
if (onlyConvert) {
  printConvertTable(await convertBench());
  process.exit(0);
}
if (onlyCli) {
  await cliBatch();
  console.log('\n| pictor fill | | value | goal | how |\n|---|---|---|---|---|');
  for (const r of pair) console.log(`| ${r.name} | ${r.before} | ${r.after} | ${r.goal} | ${r.how} |`);
  process.exit(0);
}
validation();
scanBench(row);
matteBench();
pacingSimulated();
await store();
await queueBatch();
await cliBatch();
await memory();
if (!quick) await pacingReal();
const convertRows = await convertBench();
console.log('\n| benchmark | value | note |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.note} |`);
console.log('\n| queue (production settings) | old policy | new policy | goal | how |\n|---|---|---|---|---|');
for (const r of pair) console.log(`| ${r.name} | ${r.before} | ${r.after} | ${r.goal} | ${r.how} |`);
printConvertTable(convertRows);
