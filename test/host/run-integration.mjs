/* global indexedDB */
// Runs the integration suites (out/test/integration) inside a real VS Code extension host: VS Code's
// server build as code-server serves it, opened by headless Chromium with extensionDevelopmentPath and
// extensionTestsPath in the URL payload. The host's `run()` (test/integration/index.ts) writes its results to a JSON file,
// which is how they come back here.
//
// Host restarts: spec files named `*.phaseN.test.js` run in a later host on the SAME workspace, user
// data, browser profile and port (web storage is per origin). Phase 1 takes the plain suites plus
// `*.phase1.test.js`; then, for N = 2, 3, … while such files exist, the server and the browser are
// restarted and only `*.phaseN.test.js` run. Before it stops a host, the launcher waits until the
// workbench has stored what that host's tests named with expectStored (the host is not shut down:
// its storage is not written on the way out).
//
// Also a run whose workspace folder holds the user data (`*.home.test.js`, a workspace at the home
// folder) and one whose workspace is not trusted (`*.untrusted.test.js`): these two run one after the
// other beside the host-restart phases, each with a fake provider of its own (runSideHosts).
//
// Env: PICTOR_SUMMARY_FILE (counts for run-all), PICTOR_INTEGRATION_TIMEOUT_MS (per phase, default 10 min),
// PICTOR_KEEP_TEMP=1 (keep the temp folder for a look afterwards), PICTOR_INTEGRATION_GREP (only tests whose
// full title matches; phases with no match report zero tests), PICTOR_INTEGRATION_RESULTS_DIR (logs and
// results; default test-results/integration). run-latest.mjs sets more (PICTOR_CODE_SERVER_VERSION, …).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServer } from './ensure-server.mjs';
import { phasesPresent, readResults, formatResults, formatFailures } from './results.mjs';
import {
  root, freePort, tempRoot, childEnv, startVSCodeServer, startCodeServer, launchChromium, startFake, cleanupAll, sleep, installTestingCopy,
} from './server.mjs';

const testsDir = join(root, 'out', 'test', 'integration');
const fixture = join(root, 'test', 'integration', 'fixtures', 'workspace');
const resultsDir = process.env.PICTOR_INTEGRATION_RESULTS_DIR || join(root, 'test-results', 'integration');
// code-server's wrapper by default: only it answers the workbench's POST /mint-key, without which
// SecretStorage cannot seal secrets into the browser's storage, so they would not survive a restart.
// PICTOR_INTEGRATION_HOST=server-main runs the bare VS Code server instead (no secret persistence).
const bareServer = process.env.PICTOR_INTEGRATION_HOST === 'server-main';
const phaseTimeoutMs = Number(process.env.PICTOR_INTEGRATION_TIMEOUT_MS || 10 * 60_000);

const say = (line = '') => process.stdout.write(`${line}\n`);

function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${absPath.split('/').map(encodeURIComponent).join('/')}`;
}

/** Waits for the results file; fails early if the server or the extension host dies, or the page crashes. */
async function waitForResults(file, server, pageState, logFile) {
  const until = Date.now() + phaseTimeoutMs;
  let hostExitedAt;
  while (Date.now() < until) {
    const results = readResults(file);
    if (results) return results;
    // A tests module that cannot even load ends the host without results: no need to wait 10 minutes.
    const exited = existsSync(logFile) && /Extension Host Process exited with code: ([^,\s]+)/.exec(readFileSync(logFile, 'utf8'));
    if (exited) {
      hostExitedAt ??= Date.now();
      if (Date.now() - hostExitedAt > 3000) {
        throw new Error(`the extension host exited (code ${exited[1]}) without writing results: see ${logFile} and the browser log next to it`);
      }
    }
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`the VS Code server exited (code ${server.child.exitCode}) before the tests reported results`);
    }
    if (pageState.crashed) throw new Error('the workbench page crashed before the tests reported results');
    await sleep(250);
  }
  throw new Error(`no results after ${Math.round(phaseTimeoutMs / 1000)} s (is the extension host stuck? see ${resultsDir}/*.log)`);
}

/**
 * Waits until the workbench's stored state (IndexedDB, which the web workbench writes every few
 * seconds, not at each change) holds every text in `texts`: what a phase-1 half leaves for the next
 * host (test/integration/index.ts expectStored). The host is stopped without a shutdown after this.
 */
async function waitForStored(page, texts, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const missing = await page.evaluate(async (want) => {
      const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      let all = '';
      for (const { name } of await indexedDB.databases()) {
        if (!name?.startsWith('vscode-web-state-db-')) continue;
        const db = await request(indexedDB.open(name));
        try {
          if (!db.objectStoreNames.contains('ItemTable')) continue;
          const values = await request(db.transaction('ItemTable').objectStore('ItemTable').getAll());
          all += values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
        } finally {
          db.close();
        }
      }
      return want.filter((t) => !all.includes(t));
    }, texts);
    if (missing.length === 0) return;
    if (Date.now() > until) throw new Error(`the workbench did not store ${JSON.stringify(missing)} within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

/**
 * A host whose workspace is NOT trusted (for *.untrusted.test.js): code-server without
 * --disable-workspace-trust, trust on in the user settings, and the fake there (user settings apply in
 * Restricted Mode, so a request that slipped through is counted at the fake, never sent elsewhere).
 */
async function runUntrusted({ port, tmp, fake }) {
  const dirs = {
    workspace: join(tmp, 'untrusted-workspace'), user: join(tmp, 'untrusted-user-data'),
    extensions: join(tmp, 'untrusted-extensions'), browser: join(tmp, 'untrusted-browser'),
  };
  cpSync(fixture, dirs.workspace, { recursive: true });
  mkdirSync(join(dirs.user, 'User'), { recursive: true });
  writeFileSync(join(dirs.user, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never',
    'workbench.startupEditor': 'none', 'pictor.baseUrl': fake.url, 'pictor.filesBaseUrl': fake.url,
  }, null, 2));
  return runPhase({ phase: 'untrusted', port, dirs, fake, trust: true });
}

/**
 * A workspace opened at the home folder (for *.home.test.js): VS Code's user data, and so Pictor's
 * global storage, lie inside the workspace folder, as ~/.config/Code does inside ~.
 */
async function runHome({ port, tmp, fake }) {
  const home = join(tmp, 'home');
  const dirs = {
    workspace: home, user: join(home, '.config', 'pictor-test-user-data'), server: join(home, '.config', 'server-data'),
    extensions: join(tmp, 'home-extensions'), browser: join(tmp, 'home-browser'),
  };
  cpSync(fixture, home, { recursive: true });
  mkdirSync(join(dirs.user, 'User'), { recursive: true });
  writeFileSync(join(dirs.user, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none' }, null, 2));
  return runPhase({ phase: 'home', port, dirs, fake });
}

async function runPhase({ phase, port, dirs, fake, trust = false }) {
  const resultsFile = join(resultsDir, `results-phase${phase}.json`);
  rmSync(resultsFile, { force: true });
  const env = childEnv({
    PICTOR_TEST_RESULTS: resultsFile,
    PICTOR_PHASE: String(phase),
    PICTOR_FAKE_URL: fake.url,
    PICTOR_FAKE_KEY: fake.apiKey,
  });
  const logFile = join(resultsDir, `server-phase${phase}.log`);
  const server = bareServer
    ? await startVSCodeServer({ port, env, userDataDir: dirs.user, serverDataDir: dirs.server, extensionsDir: dirs.extensions, logFile })
    : await startCodeServer({ port, env, userDataDir: dirs.user, extensionsDir: dirs.extensions, workspace: dirs.workspace, logFile, workspaceTrust: trust });
  let browser;
  try {
    browser = await launchChromium({ userDataDir: dirs.browser, logFile: join(resultsDir, `browser-phase${phase}.log`) });
    const pageState = { crashed: false };
    browser.page.on('crash', () => { pageState.crashed = true; });
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remoteUri(port, extensionDir)],
      ['extensionTestsPath', remoteUri(port, join(testsDir, 'index.js'))],
    ]);
    const url = `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(payload)}`;
    await browser.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const results = await waitForResults(resultsFile, server, pageState, logFile);
    if (results.mustBeStored?.length) {
      const started = Date.now();
      await waitForStored(browser.page, results.mustBeStored);
      (results.notes ??= []).push(`the workbench stored what the next host needs ${((Date.now() - started) / 1000).toFixed(1)} s after the tests ended`);
    }
    return results;
  } finally {
    // The extension host is meant to exit when run() settles; we do not rely on it.
    await browser?.stop();
    await server.stop();
  }
}

/**
 * The hosts that prove something only a workspace of their own can: the home folder (*.home.test.js)
 * and an untrusted workspace (*.untrusted.test.js), one after the other. Each talks to a fake provider
 * of its own, so what it sends (or must not send) is never counted by the tests of a host beside it.
 * Returns what each ran, for the caller to print.
 */
async function runSideHosts(tmp) {
  const done = [];
  const specs = readdirSync(testsDir);
  if (specs.some((f) => f.endsWith('.home.test.js'))) {
    const { fake } = await startFake({ behavior: { stepMs: 50 } });
    const results = await runHome({ port: await freePort(), tmp, fake });
    done.push({ title: 'integration, workspace at the home folder:', results, what: 'the home-folder run' });
  }
  if (!bareServer && specs.some((f) => f.endsWith('.untrusted.test.js'))) {
    const { fake } = await startFake({ behavior: { stepMs: 50 } });
    const results = await runUntrusted({ port: await freePort(), tmp, fake });
    done.push({ title: 'integration, untrusted workspace (Restricted Mode):', results, what: 'the untrusted run' });
  }
  return done;
}

// The extension as the tests load it (installTestingCopy): set once per run, before the first phase.
let extensionDir;

// Module level so that a later phase's crash still reports the earlier phases' counts.
const totals = { passed: 0, failed: 0, pending: 0, vscodeVersion: undefined };
const failures = [];

async function runIntegration() {
  mkdirSync(resultsDir, { recursive: true });
  for (const f of readdirSync(resultsDir)) rmSync(join(resultsDir, f), { force: true, recursive: true });
  if (!existsSync(join(testsDir, 'index.js'))) throw new Error(`${testsDir}/index.js is missing: build first (npx tsc -p .)`);
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: build first (node esbuild.mjs)');
  ensureServer();
  const tmp = tempRoot('pictor-integration-');
  const dirs = {
    workspace: join(tmp, 'workspace'), user: join(tmp, 'user-data'), server: join(tmp, 'server-data'),
    extensions: join(tmp, 'extensions'), browser: join(tmp, 'browser'),
  };
  cpSync(fixture, dirs.workspace, { recursive: true });
  extensionDir = installTestingCopy(join(tmp, 'extension'));
  const { fake } = await startFake({ behavior: { stepMs: 50 } });
  const count = (results, what) => {
    totals.passed += results.passed;
    totals.failed += results.failed;
    totals.pending += results.pending;
    failures.push(...results.tests.filter((t) => t.state === 'failed'));
    if (results.tests.length === 0 && !process.env.PICTOR_INTEGRATION_GREP) throw new Error(`${what} ran zero tests`);
  };
  let side;
  try {
    const port = await freePort();
    for (const phase of phasesPresent(testsDir, join(root, 'test', 'integration'))) {
      say(`integration phase ${phase}${phase > 1 ? ' (after a host restart)' : ''}:`);
      const results = await runPhase({ phase, port, dirs, fake });
      if (phase === 1) say(`VS Code ${results.vscodeVersion} (extension host, ${results.uiKind} UI)`);
      totals.vscodeVersion ??= results.vscodeVersion;
      say(formatResults(results));
      count(results, `phase ${phase}`);
      // The hosts of a workspace of their own run beside the restarted ones (the machine has 2 cores:
      // two hosts at a time, never more); their output follows.
      if (phase === 1) side = runSideHosts(tmp).then((done) => ({ done }), (error) => ({ error }));
    }
    const { done, error } = await side;
    for (const { title, results, what } of done ?? []) {
      say(title);
      say(formatResults(results));
      count(results, what);
    }
    if (error) throw error;
  } finally {
    await cleanupAll();
    if (process.env.PICTOR_KEEP_TEMP === '1') say(`(kept ${tmp})`);
    else rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

function writeSummary(summary) {
  const file = process.env.PICTOR_SUMMARY_FILE;
  if (file) writeFileSync(file, JSON.stringify(summary));
}

try {
  await runIntegration();
  if (failures.length) say(formatFailures(failures));
  say(`integration: ${totals.passed} passed, ${totals.failed} failed${totals.pending ? `, ${totals.pending} skipped` : ''}`);
  writeSummary(totals);
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
} catch (e) {
  process.stderr.write(`integration layer could not run: ${e?.message || e}\n`);
  // The extension host's own errors reach us only through the browser's console: show the last ones.
  for (const f of existsSync(resultsDir) ? readdirSync(resultsDir).filter((n) => n.startsWith('browser-')) : []) {
    const errors = readFileSync(join(resultsDir, f), 'utf8').split('\n').filter((l) => /\[console\.error\].*(Error|ERR)/.test(l));
    if (errors.length) process.stderr.write(`last errors in ${f}:\n${errors.slice(-8).map((l) => `  ${l.slice(0, 300)}`).join('\n')}\n`);
  }
  writeSummary({ ...totals, error: String(e?.message || e) });
  await cleanupAll();
  process.exit(1);
}
