// Shared by the suites that run the `pictor` command: the bundled dist/cli/pictor.js as a child
// process, against the fake provider over real HTTP, on a temporary workspace (a git root, so the
// command finds it) and a temporary state folder (claims, stored tasks), both made afresh per test.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';

export const root = path.join(__dirname, '..', '..', '..');
export const bundle = path.join(root, 'dist', 'cli', 'pictor.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as a child process, without blocking this process (the fake provider lives here). */
export function exec(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface CliSuite {
  readonly fake: FakeEvolink;
  /** The workspace folder of the current test. */
  readonly ws: string;
  /** The state folder of the current test. */
  readonly state: string;
  /** The command's environment: the fake provider, its key and the state folder, with `more` (undefined removes a variable). */
  env(more?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** `pictor ARGS` in `cwd` (the workspace by default). */
  pictor(args: string[], more?: NodeJS.ProcessEnv, cwd?: string): Promise<Run>;
  /** Writes a file of the workspace (its folders made); returns its path. */
  write(rel: string, text: string): string;
}

/** Registers the suite's hooks (call it inside `describe`): one fake provider, a fresh workspace and state folder per test. */
export function cliSuite(prefix: string): CliSuite {
  let fake: FakeEvolink | undefined;
  let ws = '';
  let state = '';
  before(async () => {
    // `npm test` bundles before the layers; a lone mocha run may not have.
    if (!fs.existsSync(bundle)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root });
    fake = await startFakeEvolink({ behavior: { stepMs: 20, progressSteps: 2 } });
  });
  after(() => fake?.close());
  beforeEach(() => {
    fake!.reset();
    ws = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-ws-`));
    fs.mkdirSync(path.join(ws, '.git'));
    state = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-state-`));
  });
  afterEach(() => {
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });
  const suite: CliSuite = {
    get fake() { return fake!; },
    get ws() { return ws; },
    get state() { return state; },
    env(more = {}) {
      const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.homedir(), PICTOR_BASE_URL: fake!.url, PICTOR_FILES_BASE_URL: fake!.url, EVOLINK_API_KEY: fake!.apiKey, PICTOR_STATE_DIR: state, ...more };
      for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
      return e;
    },
    pictor: (args, more = {}, cwd = ws) => exec(process.execPath, [bundle, ...args], { cwd, env: suite.env(more) }),
    write(rel, text) {
      const file = path.join(ws, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
  };
  return suite;
}
