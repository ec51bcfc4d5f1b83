// Runs the e2e specs (test/e2e/*.test.mjs): a person's clicks and keys in the real VS Code UI that
// code-server serves, in headless Debian Chromium driven by playwright-core. The extension is
// installed the way a VSIX would be (a copy in the extensions folder), not loaded as a development
// extension, so what is tested is what a user gets. The fake provider runs in this process.
//
// Screenshots of each step (and of every failure) land in test-results/e2e/.
// Env: PICTOR_SUMMARY_FILE (counts for run-all), PICTOR_KEEP_TEMP=1 (keep the temp folder),
//      PICTOR_E2E_GREP (only specs whose full title matches).
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServer } from '../host/ensure-server.mjs';
import {
  root, freePort, tempRoot, childEnv, startCodeServer, launchChromium, startFake, cleanupAll, installExtensionCopy,
} from '../host/server.mjs';
import { session, userSettings, waitForWorkbench, waitForPaletteCommand, screenshot } from './session.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(root, 'test-results', 'e2e');
const fixture = join(root, 'test', 'integration', 'fixtures', 'workspace');
const say = (line = '') => process.stdout.write(`${line}\n`);

async function runSpecs() {
  const Mocha = require('mocha');
  const Reporter = require('../host/mocha-reporter.cjs');
  const specs = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(here, f));
  if (specs.length === 0) throw new Error(`no e2e specs (test/e2e/*.test.mjs)`);
  const mocha = new Mocha({
    // A stray `.only` fails the layer (as it loads the specs) instead of running a fraction of it.
    ui: 'bdd', timeout: 60_000, reporter: Reporter, color: false, forbidOnly: true,
    grep: process.env.PICTOR_E2E_GREP || undefined,
    rootHooks: {
      async afterEach() {
        if (this.currentTest?.state === 'failed') {
          const file = await screenshot(`FAILED-${this.currentTest.title}`).catch(() => undefined);
          if (file) say(`      screenshot of the failure: ${file}`);
        }
      },
    },
  });
  for (const f of specs) mocha.addFile(f);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
}

async function main() {
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: build first (node esbuild.mjs)');
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  ensureServer();
  const tmp = tempRoot('pictor-e2e-');
  try {
    const workspace = join(tmp, 'workspace');
    const userData = join(tmp, 'user-data');
    const extensions = join(tmp, 'extensions');
    cpSync(fixture, workspace, { recursive: true });
    const { fake } = await startFake({ behavior: { stepMs: 50 } });
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(fake.url), null, 2));
    const ext = installExtensionCopy(extensions);
    const port = await freePort();
    const server = await startCodeServer({
      port, userDataDir: userData, extensionsDir: extensions, workspace,
      env: childEnv({}), logFile: join(resultsDir, 'code-server.log'),
    });
    const { page } = await launchChromium({ userDataDir: join(tmp, 'browser'), logFile: join(resultsDir, 'browser.log') });
    Object.assign(session, { page, url: server.url, workspace, userData, fake, screenshotsDir: resultsDir, extension: ext });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    try {
      await waitForWorkbench();
      await waitForPaletteCommand('Pictor: Open Panel');
    } catch (e) {
      await screenshot('workbench-did-not-load').catch(() => {});
      throw new Error(`the workbench did not load with Pictor in it: ${e.message}`);
    }
    say(`code-server ${server.url} (${ext.id} ${ext.version} installed in ${extensions})`);
    return await runSpecs();
  } finally {
    await cleanupAll();
    if (process.env.PICTOR_KEEP_TEMP === '1') say(`(kept ${tmp})`);
    else rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

try {
  const stats = await main();
  say(`e2e: ${stats.passes} passed, ${stats.failures} failed${stats.pending ? `, ${stats.pending} skipped` : ''} (screenshots in ${resultsDir})`);
  process.exit(stats.failures > 0 || stats.passes === 0 ? 1 : 0);
} catch (e) {
  process.stderr.write(`e2e layer could not run: ${e?.message || e}\n`);
  const file = process.env.PICTOR_SUMMARY_FILE;
  if (file) writeFileSync(file, JSON.stringify({ passed: 0, failed: 0, error: String(e?.message || e) }));
  await cleanupAll();
  process.exit(1);
}
