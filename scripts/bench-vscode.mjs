#!/usr/bin/env node
// `npm run bench:vscode`: the 50-placeholder batch through the extension as a user runs it. The
// production build is installed like a VSIX into code-server (test/host), the page is opened in
// headless Chromium, the key is typed into the password box and "Pictor: Generate All Placeholders"
// runs from the palette, against the fake provider (3 s per task, concurrency 4). Prints the phases
// (palette → first create, first create → last provider completion, completion → poll → link, slot
// refill) and the batch ratio: first create → 50th link, ÷ (13 × 3 s). Heavy: run it under the shared lock
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

/** Lines of Pictor's log (written by the extension host) with their timestamps. */
function logLines(userData) {
  const log = walk(join(userData, 'logs')).find((f) => f.includes('pictor.pictor') && f.endsWith('.log'));
  if (!log) return [];
  return readFileSync(log, 'utf8').split('\n')
    .map((l) => /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[\w+\] (.*)$/.exec(l))
    .filter(Boolean).map((m) => ({ at: new Date(`${m[1]}T${m[2]}`).getTime(), text: m[3] }));
}

/** "completed job …" lines: the job is completed after its link is in the document (finalize runs first). */
function completions(lines) {
  return lines.map((l) => ({ at: l.at, m: /^completed job \S+ \(task (\S+)\)/.exec(l.text) }))
    .filter((x) => x.m).map((x) => ({ at: x.at, taskId: x.m[1] }));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const worst = (xs) => Math.max(...xs);
const ms = (x) => `${Math.round(x)} ms`;

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
    // From the moment Enter is pressed on the command (typing its name into the palette is not counted).
    const t0 = await runFromPalette('Pictor: Generate Images for All Placeholders');
    let done = [];
    let logged = [];
    const until = t0 + 10 * 60_000;
    while ((done = completions(logged = logLines(userData))).length < COUNT) {
      if (Date.now() > until) throw new Error(`only ${done.length}/${COUNT} placeholders linked after 10 minutes`);
      await sleep(100);
    }
    const lastLink = Math.max(...done.map((d) => d.at));
    // The extension host's log and this process read the same clock (one machine), in ms.
    const handlerStart = logged.find((l) => l.at >= t0 && /^queued job /.test(l.text))?.at;
    const createAt = new Map();
    const pollsOf = new Map();
    for (const r of fake.requests) {
      if (r.method === 'POST' && r.path.startsWith('/v1/images/generations')) {
        const task = [...fake.tasks.values()].find((t) => t.prompt === r.body?.prompt);
        if (task) createAt.set(task.id, r.at);
      } else if (r.method === 'GET' && r.path.startsWith('/v1/tasks/')) {
        const id = decodeURIComponent(r.path.slice('/v1/tasks/'.length).split('?')[0]);
        (pollsOf.get(id) ?? pollsOf.set(id, []).get(id)).push(r.at);
      }
    }
    const creates = [...createAt.values()].sort((a, b) => a - b);
    const firstCreate = creates[0];
    // The fake completes a task LATENCY_MS after its create arrived (4 steps of LATENCY_MS / 4).
    const providerDone = new Map([...createAt].map(([id, at]) => [id, at + LATENCY_MS]));
    const lastProviderDone = Math.max(...providerDone.values());
    const seen = [...providerDone].map(([id, at]) => (pollsOf.get(id) ?? []).find((p) => p >= at) - at).filter(Number.isFinite);
    const linkAt = new Map(done.map((d) => [d.taskId, d.at]));
    const lags = [...providerDone].map(([id, at]) => linkAt.get(id) - at).filter(Number.isFinite);
    // A slot freed by a completed job should go to the next create at once: create k+4 against completion k.
    const doneSorted = done.map((d) => d.at).sort((a, b) => a - b);
    const refill = creates.slice(CONCURRENCY).map((c, k) => c - doneSorted[k]);
    const ideal = Math.ceil(COUNT / CONCURRENCY) * LATENCY_MS;
    say('');
    say(`50 placeholders through the packaged extension in VS Code (code-server, headless Chromium), 3 s tasks, concurrency ${CONCURRENCY}`);
    say(`| phase | time |`);
    say(`|---|---|`);
    say(`| palette Enter → command handler queues its first job | ${handlerStart ? ms(handlerStart - t0) : '?'} |`);
    say(`| palette Enter → first create at the provider | ${ms(firstCreate - t0)} |`);
    say(`| first create → last task completed at the provider | ${ms(lastProviderDone - firstCreate)} (ideal ${ideal} ms) |`);
    say(`| provider "completed" → seen by a poll | median ${ms(median(seen))}, worst ${ms(worst(seen))} |`);
    say(`| provider "completed" → link in the document | median ${ms(median(lags))}, worst ${ms(worst(lags))} |`);
    say(`| job completed (link written) → its slot's next create | median ${ms(median(refill))}, worst ${ms(worst(refill))} |`);
    say(`| first create → 50th link | ${ms(lastLink - firstCreate)} |`);
    say(`| **ratio: (first create → 50th link) ÷ (13 × 3 s)** | **${((lastLink - firstCreate) / ideal).toFixed(3)}** |`);
    say(`| (palette Enter → 50th link) ÷ (13 × 3 s), UI included | ${((lastLink - t0) / ideal).toFixed(3)} |`);
    say(`| requests per image | ${(fake.requests.length / COUNT).toFixed(2)} (${fake.creates()} creates, ${fake.polls()} polls) |`);
    say('The ratio counts from the first create, as the ideal 13 × 3 s does (the provider cannot start before it);');
    say('the palette and the scan before it are shown on their own rows.');
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
