#!/usr/bin/env node
// `npm run demo`: Pictor's main job on the bundled fake provider.
//   (default)     builds, starts the fake on 127.0.0.1 and opens a copy of examples/ in VS Code with
//                 Pictor loaded and pointed at the fake: the `code` CLI when installed, otherwise the
//                 VS Code server build in your browser (the URL is printed).
//                 The first screen is the sample page, README.md, with its CodeLens; one URL is printed.
//   --headless    fills the sample pages' placeholders without a browser, through the engine's headless
//                 run (src/core/headless.ts: the planner, the queue and its money gate, destinations,
//                 recipes, links by placeholder identity), prints the files, and fails (exit 1) unless
//                 every placeholder of every sample page was filled (CI's smoke test).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const headless = process.argv.includes('--headless');
const outDir = path.join(root, 'demo-output');

function build() {
  console.log('Building Pictor…');
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });
}

/** A fresh copy of examples/, so the demo can run again and again. */
function freshWorkspace(fakeUrl) {
  rmSync(outDir, { recursive: true, force: true });
  const ws = path.join(outDir, 'examples');
  cpSync(path.join(root, 'examples'), ws, { recursive: true });
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({
    'pictor.baseUrl': fakeUrl,
    'pictor.filesBaseUrl': fakeUrl,
    'pictor.confirmAboveImages': 10,
    // What the headless run uses too; the CodeLens shows it: "Generate · 1536×1024 · low".
    'pictor.size': '3:2',
    'pictor.quality': 'low',
  }, null, 2));
  return ws;
}

function markdownFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...markdownFiles(p));
    else if (e.name.endsWith('.md')) out.push(p);
  }
  return out;
}

async function fillHeadless(ws, fake) {
  // The engine's headless run: the same planner (page options, override comments, style), queue and
  // money gate, destinations, never-overwrite names, recipes and identity placement as every face.
  const { scanMarkdown } = require(path.join(root, 'out/src/core/placeholders.js'));
  const { EvoLinkClient } = require(path.join(root, 'out/src/core/api/client.js'));
  const { JobQueue } = require(path.join(root, 'out/src/core/jobs/index.js'));
  const { FileTaskStore } = require(path.join(root, 'out/src/core/fileStore.js'));
  const { moneyGate, stricterGuards } = require(path.join(root, 'out/src/core/money.js'));
  const { readWorkspaceSettings } = require(path.join(root, 'out/src/core/workspaceSettings.js'));
  const { HeadlessPlacer, fillPages } = require(path.join(root, 'out/src/core/headless.js'));

  const { english } = require(path.join(root, 'out/src/shared/words.js'));
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const settings = await readWorkspaceSettings(ws, manifest.contributes.configuration.properties);
  for (const p of settings.problems) console.log(`  setting: ${english(p)}`);
  const client = new EvoLinkClient({ baseUrl: fake.url, filesBaseUrl: fake.url, apiKey: async () => fake.apiKey });
  const staging = path.join(outDir, '.staging');
  const placer = new HeadlessPlacer(ws, settings.destination, (msg) => console.log(`  ${msg}`));
  const gate = moneyGate({
    trusted: () => true,
    hasKey: async () => true,
    guards: () => stricterGuards({}, settings.guards),
    sessionCredits: () => 0,
  });
  const queue = new JobQueue({
    client, store: new FileTaskStore(path.join(outDir, 'tasks.json')), maxConcurrent: 4, gate,
    finalize: (job, files) => placer.finalize(job, files),
  });
  queue.onEvent((e) => {
    if (e.type === 'created') console.log(`  task ${e.job.taskId} created for “${e.job.body.prompt}”`);
    if (e.type === 'failed') console.log(`  failed: ${e.job.error?.message}`);
  });
  const pages = markdownFiles(ws).filter((f) => scanMarkdown(readFileSync(f, 'utf8')).placeholders.length);
  for (const p of pages) console.log(`${path.relative(ws, p)}: ${scanMarkdown(readFileSync(p, 'utf8')).placeholders.length} placeholder(s)`);
  const reports = await fillPages(pages, { root: ws, settings: settings.plan, destination: settings.destination, queue, stagingDir: staging }, placer);
  queue.dispose();
  await client.close();
  rmSync(staging, { recursive: true, force: true });
  const written = [];
  for (const r of reports) {
    for (const s of r.skipped) console.log(`  ${path.relative(ws, r.page)}:${s.line}: not sent (${s.reason}): ${english(s.words)}`);
    for (const j of r.sent) {
      if (!j.linked) console.log(`  ${path.relative(ws, r.page)}: "${j.prompt}" ${j.state}${j.why ? `, not linked (${j.why})` : ''}`);
      for (const f of j.files) written.push({ file: f, bytes: statSync(f).size });
    }
  }
  console.log(`\nWrote ${written.length} image(s):`);
  for (const w of written) console.log(`  ${path.relative(root, w.file)}  ${w.bytes} bytes`);
  console.log(`\nThe filled page: ${path.relative(root, path.join(ws, 'README.md'))}`);
  console.log(`Creates received by the fake provider: ${fake.creates()}`);
  return { written, left: unfilled(ws, scanMarkdown) };
}

/** Placeholders with a prompt that are still empty after the run, as `file: prompt`. */
function unfilled(ws, scanMarkdown) {
  return markdownFiles(ws).flatMap((doc) => scanMarkdown(readFileSync(doc, 'utf8')).placeholders
    .filter((p) => !p.empty).map((p) => `${path.relative(ws, doc)}: ${p.prompt}`));
}

function hasCodeCli() {
  const r = spawnSync('code', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

async function openInVsCode(ws, fake) {
  const env = { ...process.env, EVOLINK_API_KEY: fake.apiKey };
  if (hasCodeCli()) {
    console.log('Opening the sample workspace in VS Code with Pictor loaded (development mode)…');
    spawn('code', ['--new-window', `--extensionDevelopmentPath=${root}`, ws, path.join(ws, 'README.md')], { stdio: 'inherit', env });
  } else {
    // No desktop VS Code here: the VS Code server build (code-server) in your browser.
    const { ensureServer } = await import(path.join(root, 'test/host/ensure-server.mjs'));
    const { startCodeServer, installExtensionCopy, childEnv, freePort } = await import(path.join(root, 'test/host/server.mjs'));
    ensureServer();
    const state = path.join(outDir, '.vscode-server');
    const userDataDir = path.join(state, 'user-data');
    const extensionsDir = path.join(state, 'extensions');
    mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
      'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'git.openRepositoryInParentFolders': 'never',
      // The first screen is the sample page, not the walkthrough (Pictor: Open Walkthrough shows it).
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
    }, null, 2));
    installExtensionCopy(extensionsDir);
    const port = Number(process.env.PICTOR_DEMO_PORT) || await freePort();
    // The fake's test key, through the environment (Pictor's fallback when no key is stored).
    const ui = await startCodeServer({
      port, userDataDir, extensionsDir, workspace: ws,
      env: { ...childEnv(), EVOLINK_API_KEY: fake.apiKey }, logFile: path.join(state, 'code-server.log'),
    });
    // The payload opens the sample page in the editor, where its CodeLens is the first thing to see.
    const readme = `vscode-remote://${new URL(ui.url).host}${path.join(ws, 'README.md').split('/').map(encodeURIComponent).join('/')}`;
    const payload = encodeURIComponent(JSON.stringify([['openFile', readme]]));
    console.log(`\nVS Code (server build) with Pictor is running. Open this in your browser:\n\n  ${ui.url}/?folder=${encodeURIComponent(ws)}&payload=${payload}\n`);
    console.log('Open README.md and click "Generate" above a placeholder, or run "Pictor: Open Panel" (F1).');
    const stop = async () => { await ui.stop(); await fake.close(); process.exit(0); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  console.log('The fake provider runs in this process: each image shows its prompt\'s first words. Prompts with [fail:content_policy_violation] or [slow:5000] show failures and slow tasks.');
  console.log('Press Ctrl+C to stop.');
}

async function main() {
  build();
  const { startFakeEvolink } = require(path.join(root, 'out/test/fake-evolink/server.js'));
  const fake = await startFakeEvolink({ behavior: { stepMs: headless ? 150 : 1500, estimatedTime: 3 } });
  const ws = freshWorkspace(fake.url);
  console.log(`Fake EvoLink provider started; sample workspace copied to ${path.relative(root, ws)}`);
  if (headless) {
    let result;
    try {
      result = await fillHeadless(ws, fake);
    } finally {
      await fake.close();
    }
    if (result.left.length || result.written.length === 0) {
      console.error(`\nSmoke test failed: ${result.written.length} image(s) written, ${result.left.length} placeholder(s) left empty:`);
      for (const l of result.left) console.error(`  ${l}`);
      process.exit(1);
    }
    console.log(`\nSmoke test passed: every sample placeholder was filled (${result.written.length} images).`);
    return;
  }
  await openInVsCode(ws, fake);
}

if (!existsSync(path.join(root, 'node_modules'))) {
  console.error('Run `npm ci` first.');
  process.exit(1);
}
main().catch((e) => {
  console.error(e?.stack || String(e));
  process.exit(1);
});
