#!/usr/bin/env node
// `npm run bench:vscode`: the 50-placeholder batch through the extension as a user runs it. The
// production build is installed like a VSIX into code-server (test/host), the page is opened in
// headless Chromium, the key is typed into the password box and "Pictor: Generate All Placeholders"
// runs from the palette, against the fake provider (3 s per task, concurrency 4). Prints the batch
// ratio — wall ÷ (13 × 3 s), until the 50th link is in the document — and the time from "completed"
// at the provider to the link. Heavy: run it under the shared lock
// (`flock /tmp/pictor-heavy.lock npm run bench:vscode`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServer } from '../test/host/ensure-server.mjs';
import {
  root, freePort, tempRoot, childEnv, startCodeServer, launchChromium, startFake, cleanupAll, installExtensionCopy, sleep,
} from '../test/host/server.mjs';
import { session, waitForWorkbench, waitForPaletteCommand, runFromPalette, setApiKeyByHand, openFileQuickly } from '../test/e2e/session.mjs';

const COUNT = 50;
const LATENCY_MS = 3000;
const CONCURRENCY = 4;
const say = (line = '') => process.stdout.write(`${line}\n`);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** "completed job …" lines of Pictor's log (written by the extension host) with their timestamps. */
function completions(userData) {
  const log = walk(join(userData, 'logs')).find((f) => f.includes('pictor.pictor') && f.endsWith('.log'));
  if (!log) return [];
  return readFileSync(log, 'utf8').split('\n')
    .map((l) => /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[info\] completed job \S+ \(task (\S+)\)/.exec(l))
    .filter(Boolean).map((m) => ({ at: new Date(`${m[1]}T${m[2]}`).getTime(), taskId: m[3] }));
}

async function main() {
  execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
  ensureServer();
  const tmp = tempRoot('pictor-bench-vscode-');
  try {
    const workspace = join(tmp, 'workspace');
    const userData = join(tmp, 'user-data');
    const extensions = join(tmp, 'extensions');
    mkdirSync(workspace, { recursive: true });
    const lines = ['# Batch', ''];
    for (let i = 0; i < COUNT; i++) lines.push(`![a lighthouse at dawn number ${i}, watercolor]()`, '');
    writeFileSync(join(workspace, 'batch.md'), lines.join('\n'));
    const { fake } = await startFake({ behavior: { stepMs: LATENCY_MS / 4, progressSteps: 3, estimatedTime: LATENCY_MS / 1000 } });
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
      'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
      'pictor.baseUrl': fake.url, 'pictor.filesBaseUrl': fake.url,
      'pictor.maxConcurrentTasks': CONCURRENCY, 'pictor.confirmAboveImages': 1000, 'pictor.quality': 'low', 'pictor.size': '1:1',
    }, null, 2));
    const ext = installExtensionCopy(extensions);
    const server = await startCodeServer({
      port: await freePort(), userDataDir: userData, extensionsDir: extensions, workspace,
      env: childEnv({}), logFile: join(tmp, 'code-server.log'),
    });
    const { page } = await launchChromium({ userDataDir: join(tmp, 'browser') });
    Object.assign(session, { page, url: server.url, workspace, fake, screenshotsDir: join(tmp, 'shots'), extension: ext });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench();
    await waitForPaletteCommand('Pictor: Open Panel');
    await setApiKeyByHand();
    await openFileQuickly('batch.md');
    fake.reset();
    const t0 = Date.now();
    await runFromPalette('Pictor: Generate Images for All Placeholders');
    let done = [];
    const until = t0 + 10 * 60_000;
    while ((done = completions(userData)).length < COUNT) {
      if (Date.now() > until) throw new Error(`only ${done.length}/${COUNT} placeholders linked after 10 minutes`);
      await sleep(100);
    }
    const wall = Math.max(...done.map((d) => d.at)) - t0;
    const createAt = new Map();
    for (const r of fake.requests) {
      if (r.method !== 'POST' || !r.path.startsWith('/v1/images/generations')) continue;
      const task = [...fake.tasks.values()].find((t) => t.prompt === r.body?.prompt);
      if (task) createAt.set(task.id, r.at);
    }
    const lags = done.map((d) => d.at - (createAt.get(d.taskId) + LATENCY_MS)).filter(Number.isFinite).sort((a, b) => a - b);
    const ideal = Math.ceil(COUNT / CONCURRENCY) * LATENCY_MS;
    say('');
    say(`50 placeholders through the packaged extension in VS Code ${'(code-server, headless Chromium)'}, 3 s tasks, concurrency ${CONCURRENCY}`);
    say(`| wall (command → 50th link) | ${(wall / 1000).toFixed(2)} s |`);
    say(`| wall ÷ (13 × 3 s) | ${(wall / ideal).toFixed(3)} |`);
    say(`| requests per image | ${(fake.requests.length / COUNT).toFixed(2)} (${fake.creates()} creates, ${fake.polls()} polls) |`);
    say(`| provider "completed" → link in the document | median ${lags[Math.floor(lags.length / 2)]} ms, worst ${lags[lags.length - 1]} ms |`);
  } finally {
    await cleanupAll();
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

try {
  await main();
  process.exit(0);
} catch (e) {
  process.stderr.write(`bench:vscode failed: ${e?.stack || e}\n`);
  await cleanupAll();
  process.exit(1);
}
