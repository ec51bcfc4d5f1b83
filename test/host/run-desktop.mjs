// `npm run test:desktop`: the SAME integration suites as `npm run test:integration`, in desktop VS Code
// through @vscode/test-electron (2.5.x, runTests). For machines that have VS Code or can download it:
//   VSCODE_EXECUTABLE_PATH=/path/to/code npm run test:desktop     # use this VS Code
//   PICTOR_VSCODE_VERSION=1.100.3 npm run test:desktop           # download this version (default: stable)
// Builds first (tsc + esbuild). The fake provider runs in this process; the extension host gets its
// address through the environment, exactly as in the server-build runner. Host-restart phases
// (`*.phaseN.test.js`) run as separate VS Code launches on the same user data and workspace.
// On Linux without a display, run it under xvfb-run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root, tempRoot, startFake, cleanupAll, installTestingCopy } from './server.mjs';
import { phasesPresent, readResults, formatResults } from './results.mjs';

const require = createRequire(import.meta.url);
const testsDir = join(root, 'out', 'test', 'integration');
const fixture = join(root, 'test', 'integration', 'fixtures', 'workspace');
const resultsDir = join(root, 'test-results', 'desktop');
const say = (line = '') => process.stdout.write(`${line}\n`);

function build() {
  for (const [what, args] of [['tsc -p .', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']], ['esbuild', ['esbuild.mjs']]]) {
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    // Type errors still emit out/; a bundle that did not build cannot be tested.
    if (r.status !== 0 && what === 'esbuild') throw new Error('esbuild failed');
    if (r.status !== 0) say(`(tsc reported errors; running the emitted output anyway)`);
  }
}

async function resolveExecutable() {
  const given = process.env.VSCODE_EXECUTABLE_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`VSCODE_EXECUTABLE_PATH=${given} does not exist`);
    return given;
  }
  const version = process.env.PICTOR_VSCODE_VERSION || 'stable';
  say(`VSCODE_EXECUTABLE_PATH is not set: downloading VS Code ${version} into .vscode-test/ (needs update.code.visualstudio.com).`);
  const { downloadAndUnzipVSCode } = require('@vscode/test-electron');
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: join(root, '.vscode-test'), timeout: 30_000 });
  } catch (e) {
    throw new Error(`could not download VS Code ${version} (${e?.message || e}).\n`
      + 'This machine cannot reach Microsoft\'s update server. Either point VSCODE_EXECUTABLE_PATH at an installed VS Code\n'
      + '(e.g. /usr/share/code/code, "/Applications/Visual Studio Code.app/Contents/MacOS/Electron"), or run the same\n'
      + 'suites in VS Code\'s server build, which needs no download: npm run test:integration');
  }
}

async function main() {
  build();
  const { runTests } = require('@vscode/test-electron');
  const vscodeExecutablePath = await resolveExecutable();
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const tmp = tempRoot('pictor-desktop-');
  const workspace = join(tmp, 'workspace');
  const extensionDir = installTestingCopy(join(tmp, 'extension'));
  cpSync(fixture, workspace, { recursive: true });
  // The suites must never see a real key: they set the fake's key themselves.
  delete process.env.EVOLINK_API_KEY;
  const { fake } = await startFake({ behavior: { stepMs: 50 } });
  const totals = { passed: 0, failed: 0, pending: 0 };
  try {
    for (const phase of phasesPresent(testsDir, join(root, 'test', 'integration'))) {
      say(`desktop phase ${phase}${phase > 1 ? ' (after a restart of VS Code)' : ''}:`);
      const resultsFile = join(resultsDir, `results-phase${phase}.json`);
      try {
        await runTests({
          vscodeExecutablePath,
          extensionDevelopmentPath: extensionDir,
          extensionTestsPath: join(testsDir, 'index.js'),
          extensionTestsEnv: {
            PICTOR_TEST_RESULTS: resultsFile,
            PICTOR_PHASE: String(phase),
            PICTOR_FAKE_URL: fake.url,
            PICTOR_FAKE_KEY: fake.apiKey,
            NO_PROXY: '127.0.0.1,localhost',
            // Pictor's per-user state folder (claims): the run's own, never the real home's.
            PICTOR_STATE_DIR: join(tmp, 'pictor-state'),
          },
          // Same profile for every phase (a restart, not a fresh install); other extensions off.
          launchArgs: [workspace, `--user-data-dir=${join(tmp, 'user-data')}`, `--extensions-dir=${join(tmp, 'extensions')}`,
            '--disable-extensions', '--disable-telemetry',
            // Linux without a keyring: SecretStorage would stay in memory and the key would not survive phase 2.
            '--password-store=basic'],
        });
      } catch (e) {
        // runTests rejects when run() rejected (failed tests) or VS Code died; the results file tells which.
        if (!existsSync(resultsFile)) throw new Error(`VS Code exited without results (${e?.message || e})`);
      }
      const results = readResults(resultsFile);
      if (!results) throw new Error(`no results file ${resultsFile}`);
      if (phase === 1) say(`VS Code ${results.vscodeVersion} (extension host, ${results.uiKind} UI)`);
      say(formatResults(results));
      totals.passed += results.passed;
      totals.failed += results.failed;
      totals.pending += results.pending;
      if (results.tests.length === 0) throw new Error(`phase ${phase} ran zero tests`);
    }
  } finally {
    await cleanupAll();
    rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
  return totals;
}

try {
  const t = await main();
  say(`${t.passed} passed, ${t.failed} failed${t.pending ? `, ${t.pending} skipped` : ''}`);
  if (process.env.PICTOR_SUMMARY_FILE) writeFileSync(process.env.PICTOR_SUMMARY_FILE, JSON.stringify(t));
  process.exit(t.failed > 0 || t.passed === 0 ? 1 : 0);
} catch (e) {
  process.stderr.write(`desktop integration tests could not run: ${e?.message || e}\n`);
  await cleanupAll();
  process.exit(1);
}
