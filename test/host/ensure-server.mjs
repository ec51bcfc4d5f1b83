// Installs what the integration and e2e layers need on this machine, once:
// the Debian packages, and the VS Code server build shipped by the npm package
// `code-server` into an ignored cache folder (.vscode-test/). See docs/testing.md, "The hosts".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// PICTOR_CODE_SERVER_VERSION: another cached build (run-latest.mjs sets it after ensure-latest.mjs installed it).
export const CODE_SERVER_VERSION = process.env.PICTOR_CODE_SERVER_VERSION || '4.100.3';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const codeServerDir = join(cacheDir, 'node_modules', 'code-server');
export const serverMain = join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js');
export const codeServerBin = join(codeServerDir, 'out', 'node', 'entry.js');
export const chromiumPath = process.env.PICTOR_CHROMIUM || '/usr/bin/chromium';

const DEBIAN_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config',
  'ripgrep', 'chromium', 'fonts-noto-cjk', 'fonts-noto-color-emoji'];

function log(msg) { process.stderr.write(`[ensure-server] ${msg}\n`); }

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
    stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

// @vscode/ripgrep's post-install downloads from GitHub, which this machine cannot reach.
// It first looks in its cache for this exact tarball: give it Debian's rg.
export function seedRipgrepCache() {
  const dir = join(process.env.TMPDIR || tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(dir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-'));
  copyFileSync('/usr/bin/rg', join(staging, 'rg'));
  execFileSync('tar', ['-czf', tarball, '-C', staging, 'rg']);
  rmSync(staging, { recursive: true, force: true });
}

export function ensureServer() {
  ensureDebianPackages();
  if (existsSync(serverMain) && existsSync(codeServerBin)) return;
  log(`installing code-server@${CODE_SERVER_VERSION} into ${cacheDir} (about a minute, once)`);
  seedRipgrepCache();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'package.json'), JSON.stringify({ name: 'pictor-test-host', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cacheDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      // npm 11 blocks dependency install scripts by default; code-server's post-install must run.
      npm_config_dangerously_allow_all_scripts: 'true',
    },
  });
  if (!existsSync(serverMain)) throw new Error(`code-server installed, but ${serverMain} is missing`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try { ensureServer(); log(`ready: ${serverMain}`); } catch (e) { log(String(e.message || e)); process.exit(1); }
}
