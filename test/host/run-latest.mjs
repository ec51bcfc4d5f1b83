// `npm run test:latest`: the integration suites (out/test/integration) in the newest VS Code server
// build that installs here — code-server 4.139.1, VS Code 1.139.1, on Node 24 — with the same runner
// and the same results contract as the main run (run-integration.mjs): fail on a missing results file,
// on zero tests, on a timeout, on any failed test. It also fails when the host that ran the tests is
// not the VS Code this script installed.
//
// What differs from the 1.100 run: the runner and the server run under Node 24 (the server forks the
// extension host with its own Node), and the server starts with the smoke-test driver enabled, without
// which the newer web workbench ignores the URL payload's extensionDevelopmentPath/extensionTestsPath
// (see server.mjs). Logs and results go to test-results/integration-latest/.
//
// Flags: --no-build (CI: `npm test` has just built out/ and dist/). Env: PICTOR_LATEST_TIMEOUT_MS (whole
// run, default 20 min); PICTOR_INTEGRATION_GREP and the other run-integration.mjs variables pass through.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLatest, latestVSCodeVersion, LATEST_CODE_SERVER_VERSION } from './ensure-latest.mjs';
import { root } from './server.mjs';

const say = (line = '') => process.stdout.write(`${line}\n`);
const timeoutMs = Number(process.env.PICTOR_LATEST_TIMEOUT_MS || 20 * 60_000);
const summaryFile = join(root, 'test-results', 'integration-latest.summary.json');
const resultsDir = join(root, 'test-results', 'integration-latest');

function build() {
  for (const args of [[join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], ['esbuild.mjs']]) {
    say(`build: node ${args.map((a) => a.replace(`${root}/`, '')).join(' ')}`);
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`the build failed (${args.join(' ')})`);
  }
}

/** Runs run-integration.mjs under Node 24 against the latest build; resolves with its exit and summary. */
function runIntegration(node, env) {
  rmSync(summaryFile, { force: true });
  return new Promise((done) => {
    const child = spawn(node, [join(root, 'test', 'host', 'run-integration.mjs')], {
      cwd: root, stdio: 'inherit',
      env: {
        ...env,
        PICTOR_CODE_SERVER_VERSION: LATEST_CODE_SERVER_VERSION,
        PICTOR_SMOKE_TEST_DRIVER: '1',
        // The 1.139 host on Node 24 runs phase 1 slower than 1.100: 600 s ran out mid-suite (stop 16's CI).
        PICTOR_INTEGRATION_TIMEOUT_MS: process.env.PICTOR_INTEGRATION_TIMEOUT_MS || String(15 * 60_000),
        PICTOR_INTEGRATION_RESULTS_DIR: resultsDir,
        PICTOR_SUMMARY_FILE: summaryFile,
      },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM'); // run-integration stops its servers and browsers on SIGTERM
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, timeoutMs);
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill('SIGTERM'));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      let summary;
      try { summary = JSON.parse(readFileSync(summaryFile, 'utf8')); } catch { /* none: reported below */ }
      done({ code, signal, timedOut, summary });
    });
  });
}

function problemsOf({ code, signal, timedOut, summary }, expectedVersion) {
  const problems = [];
  if (timedOut) problems.push(`timed out after ${Math.round(timeoutMs / 60_000)} min`);
  if (!summary) problems.push(`the runner exited (code ${code}${signal ? `, signal ${signal}` : ''}) without reporting results`);
  else {
    if (summary.error) problems.push(summary.error);
    if ((summary.passed ?? 0) + (summary.failed ?? 0) === 0 && !process.env.PICTOR_INTEGRATION_GREP) problems.push('it ran zero tests');
    if (summary.vscodeVersion && summary.vscodeVersion !== expectedVersion) {
      problems.push(`the tests ran in VS Code ${summary.vscodeVersion}, not in the ${expectedVersion} this script installed`);
    }
    if (code !== 0 && !summary.failed && !summary.error) problems.push(`the runner exited with code ${code} although no test failed`);
  }
  return problems;
}

try {
  const started = Date.now();
  const { node, env } = ensureLatest();
  const expected = latestVSCodeVersion();
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  say(`test:latest: the integration suites in VS Code ${expected} (code-server ${LATEST_CODE_SERVER_VERSION}), Node ${nodeVersion}`);
  if (!process.argv.includes('--no-build')) build();
  mkdirSync(resultsDir, { recursive: true });
  const run = await runIntegration(node, env);
  const problems = problemsOf(run, expected);
  const s = run.summary ?? {};
  say();
  say(`==== test:latest (VS Code ${s.vscodeVersion ?? expected}) ====`);
  for (const p of problems) say(`problem: ${p}`);
  say(`${s.passed ?? 0} passed, ${s.failed ?? 0} failed${s.pending ? `, ${s.pending} skipped` : ''} (${Math.round((Date.now() - started) / 1000)} s)`);
  process.exit(problems.length || s.failed ? 1 : 0);
} catch (e) {
  process.stderr.write(`test:latest could not run: ${e?.message || e}\n`);
  process.exit(1);
}
