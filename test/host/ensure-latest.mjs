// Installs, once, what `npm run test:latest` needs besides the usual test host: a Node 24 (the npm
// package node-<platform>-<arch> ships a plain binary with its headers) and the newest VS Code server
// build that installs here, code-server 4.139.1 (VS Code 1.139.1), which wants Node 24. Both are cached
// in .vscode-test/ next to the 4.100.3 build. See docs/testing.md, "The hosts".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './ensure-server.mjs';

export const LATEST_CODE_SERVER_VERSION = '4.139.1';
export const LATEST_NODE_MAJOR = 24; // code-server 4.139's engines.node

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, '.vscode-test');
export const latestCacheDir = join(cache, `code-server-${LATEST_CODE_SERVER_VERSION}`);
export const latestCodeServerDir = join(latestCacheDir, 'node_modules', 'code-server');
const nodeCacheDir = join(cache, `node-${LATEST_NODE_MAJOR}`);
const nodePackage = `node-${process.platform}-${process.arch}`;
const nodePackageDir = join(nodeCacheDir, 'node_modules', nodePackage);

function log(msg) { process.stderr.write(`[ensure-latest] ${msg}\n`); }

function majorOf(nodeBin) {
  const r = spawnSync(nodeBin, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim().split('.')[0]) : undefined;
}

function npmInstall(dir, spec, env) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pictor-test-host-cache', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', spec], { cwd: dir, stdio: 'inherit', env });
}

/** A Node 24 binary: this one if it already is 24, else the cached npm package (installed once). */
export function ensureNode24() {
  if (Number(process.versions.node.split('.')[0]) === LATEST_NODE_MAJOR) {
    return { node: process.execPath, nodeRoot: resolve(dirname(process.execPath), '..') };
  }
  if (process.platform === 'win32') throw new Error('test:latest installs its Node 24 from node-<os>-<arch> npm packages, which on Windows have another layout: run it under Node 24 instead');
  const node = join(nodePackageDir, 'bin', 'node');
  if (!existsSync(node) || majorOf(node) !== LATEST_NODE_MAJOR) {
    log(`installing Node ${LATEST_NODE_MAJOR} (npm package ${nodePackage}@${LATEST_NODE_MAJOR}) into ${nodeCacheDir}`);
    npmInstall(nodeCacheDir, `${nodePackage}@${LATEST_NODE_MAJOR}`, process.env);
    if (majorOf(node) !== LATEST_NODE_MAJOR) throw new Error(`${node} is not a working Node ${LATEST_NODE_MAJOR} after installing ${nodePackage}`);
  }
  return { node, nodeRoot: nodePackageDir };
}

/** The environment that runs Node 24 (and npm under it) first on PATH. */
export function node24Env({ node, nodeRoot }, extra = {}) {
  return {
    ...process.env,
    PATH: [dirname(node), process.env.PATH].join(delimiter),
    // Native modules (e.g. @vscode/sqlite3) must build against Node 24's headers, not the system
    // Node's that a user npmrc may name with `nodedir` (this machine's does: /usr).
    npm_config_nodedir: nodeRoot,
    ...extra,
  };
}

export const latestServerMain = join(latestCodeServerDir, 'lib', 'vscode', 'out', 'server-main.js');
export const latestCodeServerBin = join(latestCodeServerDir, 'out', 'node', 'entry.js');
const doneMarker = join(latestCacheDir, '.installed');

/** The VS Code version inside the installed code-server (lib/vscode/package.json). */
export function latestVSCodeVersion() {
  return JSON.parse(readFileSync(join(latestCodeServerDir, 'lib', 'vscode', 'package.json'), 'utf8')).version;
}

/** Node 24 and code-server 4.139.1, installed once; returns { node, env } to run the host with. */
export function ensureLatest() {
  ensureDebianPackages();
  const node24 = ensureNode24();
  const env = node24Env(node24);
  // The marker is written last: an install cut short (Ctrl-C, a full disk) is redone, not trusted.
  if (!(existsSync(doneMarker) && existsSync(latestServerMain) && existsSync(latestCodeServerBin))) {
    log(`installing code-server@${LATEST_CODE_SERVER_VERSION} (VS Code's newest server build that installs here) into ${latestCacheDir} under Node ${LATEST_NODE_MAJOR} (about 2-5 minutes, once)`);
    rmSync(latestCacheDir, { recursive: true, force: true });
    const started = Date.now();
    npmInstall(latestCacheDir, `code-server@${LATEST_CODE_SERVER_VERSION}`, {
      ...env,
      npm_config_yes: 'true',
      // npm 11 blocks dependency install scripts by default; code-server's post-install must run.
      npm_config_dangerously_allow_all_scripts: 'true',
    });
    if (!existsSync(latestServerMain)) throw new Error(`code-server installed, but ${latestServerMain} is missing`);
    writeFileSync(doneMarker, `${new Date().toISOString()}\n`);
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return { node: node24.node, env };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { node } = ensureLatest();
    log(`ready: VS Code ${latestVSCodeVersion()} (code-server ${LATEST_CODE_SERVER_VERSION}) on ${node}`);
  } catch (e) { log(String(e.message || e)); process.exit(1); }
}
