#!/usr/bin/env node
// `npm run bench`: speed and memory figures, measured against the fake provider on 127.0.0.1.
// Tests never assert timings; this prints them. Flags: --quick skips the 30 s pacing run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');

execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
const { startFakeEvolink } = require(path.join(root, 'out/test/fake-evolink/server.js'));
const { EvoLinkClient } = require(path.join(root, 'out/src/core/api/client.js'));
const { JobQueue } = require(path.join(root, 'out/src/core/jobs.js'));
const { MemoryTaskStore } = require(path.join(root, 'out/src/core/store.js'));
const { validateRequest } = require(path.join(root, 'out/src/core/request.js'));
const { scanMarkdown, ScanCache } = require(path.join(root, 'out/src/core/placeholders.js'));

const rows = [];
const row = (name, value, note = '') => {
  rows.push({ name, value, note });
  console.log(`  ${name}: ${value}${note ? `  (${note})` : ''}`);
};

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

async function concurrency() {
  console.log('50 tasks at concurrency 4, fixed fake latency');
  const latencyMs = 1000;
  const fake = await startFakeEvolink({ behavior: { stepMs: latencyMs / 4, progressSteps: 3, estimatedTime: 1 } });
  try {
    await withQueue(fake, { maxConcurrent: 4, minPollMs: 100, maxPollMs: 400 }, async (queue, dir) => {
      const t0 = performance.now();
      const done = await runBatch(queue, dir, 50, { model: 'gpt-image-2', prompt: 'bench', size: '1:1', resolution: '1K', quality: 'low', n: 1 });
      const wall = performance.now() - t0;
      const ideal = Math.ceil(50 / 4) * latencyMs;
      row('wall time', `${(wall / 1000).toFixed(2)} s`, `${done.filter((j) => j.state === 'completed').length}/50 completed`);
      row('wall ÷ (⌈50/4⌉ × latency)', (wall / ideal).toFixed(3), `latency ${latencyMs} ms, minPollMs 100`);
      row('creates received', String(fake.creates()), 'one per task');
    });
  } finally {
    await fake.close();
  }
}

async function pacing() {
  console.log('HTTP requests per image for a 30 s task (default pacing: poll ≥ 2 s, paced by estimated_time)');
  const fake = await startFakeEvolink({ behavior: { stepMs: 7500, progressSteps: 3, estimatedTime: 30 } });
  try {
    await withQueue(fake, {}, async (queue, dir) => {
      await runBatch(queue, dir, 1, { model: 'gpt-image-2', prompt: 'pacing', size: '1:1', resolution: '1K', quality: 'medium', n: 1 });
      const reqs = fake.requests.length;
      row('requests per image', String(reqs), `${fake.creates()} create, ${fake.polls()} polls, ${reqs - fake.creates() - fake.polls()} download(s)`);
    });
  } finally {
    await fake.close();
  }
}

async function memory() {
  console.log('Peak RSS growth while saving 10 images of 3840×2160 at once');
  // One cached picture for every task: encoding ten labelled 4K PNGs in this process would be counted too.
  const fake = await startFakeEvolink({ behavior: { stepMs: 50, progressSteps: 1, estimatedTime: 1, drawPrompt: false } });
  try {
    await withQueue(fake, { maxConcurrent: 10, minPollMs: 50 }, async (queue, dir) => {
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

function scanning() {
  console.log('Placeholder scan of a 5,000-line document with 500 placeholders');
  const lines = [];
  for (let i = 0; i < 5000; i++) {
    if (i % 10 === 0) lines.push(`- ![a lighthouse at dawn number ${i}, watercolor]()`);
    else if (i % 97 === 0) lines.push('```', 'code ![not this]()', '```');
    else lines.push(`Line ${i} of prose with *emphasis*, a [link](https://example.com/${i}) and \`code\`.`);
  }
  const text = lines.join('\n');
  const t0 = performance.now();
  const scan = scanMarkdown(text);
  const cold = performance.now() - t0;
  const cache = new ScanCache();
  cache.get('doc', 1, () => text);
  const t1 = performance.now();
  for (let i = 0; i < 1000; i++) cache.get('doc', 1, () => text);
  const cached = (performance.now() - t1) / 1000;
  row('cold scan', `${cold.toFixed(1)} ms`, `${scan.placeholders.length} placeholders found`);
  row('cached scan', `${(cached * 1000).toFixed(2)} µs`, 'same document version');
}

console.log(`Pictor benchmarks — Node ${process.version}, ${process.platform}/${process.arch}\n`);
validation();
scanning();
await concurrency();
await memory();
if (!quick) await pacing();
console.log('\n| benchmark | value | note |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.note} |`);
