// Starts and stops what the integration and e2e layers drive: VS Code's server build (for extension
// host tests), code-server's UI (for e2e), headless Debian Chromium, and the fake provider.
// Everything started here is registered for cleanup, so a failing run or Ctrl-C leaves no process behind.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverMain, codeServerBin, chromiumPath } from './ensure-server.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

// Flags that keep Chromium in a container quiet and offline (docs/testing.md, "The hosts").
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  // Tests talk to 127.0.0.1 only: any other host name fails at once instead of timing out (the
  // workbench asks the extension gallery for recommendations, and so on).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];

// Newer web workbenches (checked in 1.139) read extensionDevelopmentPath / extensionTestsPath from the URL
// payload only when the server runs with the smoke-test driver enabled (BrowserWorkbenchEnvironmentService
// .resolveExtensionHostDebugEnvironment: `!isBuilt || enableSmokeTestDriver`). run-latest.mjs turns it on;
// the 1.100 build honours the payload without it, so the main run stays as it was.
const smokeTestDriver = process.env.PICTOR_SMOKE_TEST_DRIVER === '1';

// ---- cleanup of everything we started --------------------------------------------------------------

const children = new Set();      // process groups (detached children) to kill on exit
const asyncCleanups = new Set(); // browser contexts, fake servers

// The whole group, even after its leader exited: the extension host (forked by the server) may outlive it.
function killGroup(child, signal) {
  try { process.kill(-child.pid, signal); } catch { /* group already gone */ }
}

let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort on any exit: process groups die synchronously (the extension host is in the server's group).
  process.on('exit', () => { for (const c of children) killGroup(c, 'SIGKILL'); });
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      // Ctrl-C under run-all brings SIGINT from the terminal and SIGTERM from run-all: stop once.
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n[host] ${sig}: stopping servers and browsers\n`);
      void cleanupAll().finally(() => {
        if (process.env.PICTOR_KEEP_TEMP !== '1') for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
}

/** Stops everything still running (browsers, servers, fakes). Safe to call more than once. */
export async function cleanupAll() {
  const tasks = [...asyncCleanups].map((fn) => withTimeout(fn(), 10_000, 'cleanup').catch(() => {}));
  asyncCleanups.clear();
  await Promise.all(tasks);
  await Promise.all([...children].map((c) => stopChild(c)));
}

function track(fn) {
  installHandlers();
  asyncCleanups.add(fn);
  return async () => { if (asyncCleanups.delete(fn)) await fn(); };
}

async function stopChild(child, graceMs = 5000) {
  children.delete(child);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  killGroup(child, 'SIGKILL');
}

// ---- small utilities -------------------------------------------------------------------------------

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

const tempDirs = new Set(); // removed on a signal; normal runs remove their own in `finally`

export function tempRoot(prefix) {
  installHandlers();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

let stateDir; // one per launcher run: a host restart (phase 2) finds the claims the first host left

/** Pictor's per-user state folder (the claims every face shares) for what we start: a temp folder, never the real home's. */
export function testStateDir() {
  if (!stateDir) {
    stateDir = tempRoot('pictor-state-');
    process.on('exit', () => { if (process.env.PICTOR_KEEP_TEMP !== '1') rmSync(stateDir, { recursive: true, force: true }); });
  }
  return stateDir;
}

/**
 * The environment of every VS Code process we start: never a real key, never a proxy for 127.0.0.1,
 * never the user's own Pictor state folder (src/core/stateDir.ts).
 */
export function childEnv(extra) {
  const env = { ...process.env, ...extra };
  env.PICTOR_STATE_DIR = extra?.PICTOR_STATE_DIR ?? testStateDir();
  delete env.EVOLINK_API_KEY;
  delete env.VSCODE_IPC_HOOK_CLI;
  env.NO_PROXY = ['127.0.0.1', 'localhost', env.NO_PROXY].filter(Boolean).join(',');
  env.no_proxy = env.NO_PROXY;
  // An empty gallery URL turns the Marketplace / Open VSX client off (no calls to the internet).
  env.EXTENSIONS_GALLERY = JSON.stringify({ serviceUrl: '' });
  return env;
}

async function waitForHttp(url, child, timeoutMs, what) {
  const until = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited before it answered (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      await res.arrayBuffer();
      return;
    } catch (e) { lastErr = e; }
    await sleep(200);
  }
  throw new Error(`${what} did not answer on ${url} within ${timeoutMs} ms (${lastErr?.message ?? 'no error'})`);
}

function spawnLogged(args, { env, logFile, cwd }) {
  installHandlers();
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  // detached: own process group, so stopping it also stops the extension host and its helpers.
  const child = spawn(process.execPath, args, { env, cwd: cwd ?? root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.once('exit', () => log.end());
  children.add(child);
  return child;
}

// ---- VS Code server build (integration) ------------------------------------------------------------

/**
 * `server-main.js` of the code-server package: the plain VS Code server (REH + web workbench).
 * Returns { url, port, stop() }.
 */
export async function startVSCodeServer({ port, userDataDir, serverDataDir, extensionsDir, env, logFile, timeoutMs = 60_000 }) {
  for (const d of [userDataDir, serverDataDir, extensionsDir]) mkdirSync(d, { recursive: true });
  const child = spawnLogged([serverMain,
    '--host', '127.0.0.1', '--port', String(port),
    '--without-connection-token', '--accept-server-license-terms',
    // Untrusted workspaces ignore pictor.baseUrl from the workspace; the tests need it honoured.
    '--disable-workspace-trust',
    '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--server-data-dir', serverDataDir,
    ...(smokeTestDriver ? ['--enable-smoke-test-driver'] : []),
  ], { env, logFile });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/version`, child, timeoutMs, 'the VS Code server');
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { url, port, child, stop: () => stopChild(child) };
}

// ---- code-server (e2e; integration too: only its wrapper answers POST /mint-key, see run-integration) --

export async function startCodeServer({ port, userDataDir, extensionsDir, workspace, env, logFile, timeoutMs = 60_000, workspaceTrust = false, extraArgs = [] }) {
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // code-server otherwise reads (and on first run writes) ~/.config/code-server/config.yaml and logs
  // under ~/.local/share: keep it inside the run's temp folder.
  const home = join(dirname(userDataDir), 'code-server-home');
  mkdirSync(join(home, 'config'), { recursive: true });
  mkdirSync(join(home, 'data'), { recursive: true });
  const config = join(home, 'config', 'config.yaml');
  writeFileSync(config, 'cert: false\n');
  const child = spawnLogged([codeServerBin,
    '--config', config,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
    '--disable-telemetry', '--disable-update-check', ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    // code-server refuses VS Code options it does not model; --vscode-option passes one through.
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
    workspace,
  ], { env: { ...env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') }, logFile });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, child, timeoutMs, 'code-server');
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { url, port, child, stop: () => stopChild(child) };
}

/**
 * Makes the project available to code-server like an installed extension: the files a VSIX would
 * hold, copied into <extensionsDir>/pictor.pictor-<version>/. Code-server scans the folder on start.
 */
export function installExtensionCopy(extensionsDir) {
  const pkg = require(join(root, 'package.json'));
  const target = join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  mkdirSync(target, { recursive: true });
  const nls = readdirSync(root).filter((f) => /^package\.nls\.[a-z-]+\.json$/i.test(f)); // translated manifests
  for (const f of ['package.json', 'package.nls.json', ...nls, 'dist', 'media', 'l10n', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(target, f), { recursive: true });
  }
  // What the .vsix leaves out of dist/ stays out here too.
  rmSync(join(target, 'dist', 'extension.testing.js'), { force: true });
  rmSync(join(target, 'dist', 'extension.testing.js.map'), { force: true });
  // Production installs carry no node_modules for bundled code; the webview needs only dist/ and media/.
  return { id: `${pkg.publisher}.${pkg.name}`, version: pkg.version, path: target };
}

/**
 * The extension as the integration tests load it (extensionDevelopmentPath): the same files, with
 * `main` on dist/extension.testing.js (test/integration/extension/testing.ts), the real extension with
 * the tests' answers for the UI it waits on. Returns the folder.
 */
export function installTestingCopy(dir) {
  const pkg = require(join(root, 'package.json'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const nls = readdirSync(root).filter((f) => /^package\.nls(\.[a-z-]+)?\.json$/i.test(f));
  for (const f of [...nls, 'dist', 'media', 'l10n', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(dir, f), { recursive: true });
  }
  if (!existsSync(join(dir, 'dist', 'extension.testing.js'))) throw new Error('dist/extension.testing.js is missing: build first (node esbuild.mjs)');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, main: './dist/extension.testing.js' }, null, 2));
  return dir;
}

// ---- Chromium --------------------------------------------------------------------------------------

/** Headless Debian Chromium with a persistent profile (phase 2 of a restart test reuses it). */
export async function launchChromium({ userDataDir, logFile, viewport = { width: 1400, height: 900 } }) {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (Debian package "chromium", or set PICTOR_CHROMIUM)`);
  const { chromium } = require('playwright-core');
  const context = await withTimeout(chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 60_000,
    // Our own handlers close the browser AND the servers, then remove the temp folders.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    // Chromium's crash handler keeps its database under $XDG_CONFIG_HOME/chromium: not in ~/.config.
    env: { ...process.env, XDG_CONFIG_HOME: join(dirname(userDataDir), 'browser-config'), XDG_CACHE_HOME: join(dirname(userDataDir), 'browser-cache') },
  }), 90_000, 'launching Chromium');
  const stop = track(async () => { await context.close().catch(() => {}); });
  const page = context.pages()[0] ?? await context.newPage();
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    const write = (line) => { if (!log.writableEnded) log.write(`${new Date().toISOString()} ${line}\n`); };
    context.on('page', (p) => p.on('console', (m) => write(`[console.${m.type()}] ${m.text()}`)));
    page.on('console', (m) => write(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => write(`[pageerror] ${e.message}`));
    page.on('crash', () => write('[crash] the page crashed'));
    track(async () => log.end());
  }
  return { context, page, stop };
}

// ---- the fake provider -----------------------------------------------------------------------------

export const fakeServerModule = join(root, 'out', 'test', 'fake-evolink', 'server.js');

/** Starts the fake EvoLink in this process (docs/testing.md, "The fake provider"). Fails with a clear message when it is not built. */
export async function startFake(opts = {}) {
  if (!existsSync(fakeServerModule)) {
    throw new Error(`The fake provider is not built: ${fakeServerModule} is missing (source: test/fake-evolink/server.ts; build: npx tsc -p .)`);
  }
  const mod = require(fakeServerModule);
  if (typeof mod.startFakeEvolink !== 'function') throw new Error(`${fakeServerModule} does not export startFakeEvolink()`);
  const fake = await withTimeout(mod.startFakeEvolink({ host: '127.0.0.1', ...opts }), 15_000, 'starting the fake provider');
  const stop = track(() => fake.close());
  return { fake, stop };
}
