// The tests module the extension host loads (extensionTestsPath): the same `run()` contract that
// @vscode/test-electron uses. The host's console is not ours to read (in the server build it goes to
// the server's log), so the results travel back to the launcher as a JSON file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import Mocha from 'mocha';

export interface TestResult { title: string; state: 'passed' | 'failed' | 'pending'; error?: string; durationMs?: number }
export interface ResultsFile {
  passed: number; failed: number; pending: number;
  tests: TestResult[];
  /** Things a suite noticed that are worth a look but are not failures; the launcher prints them. */
  notes: string[];
  /** Text the workbench's stored state must hold before the launcher stops this host (see expectStored). */
  mustBeStored: string[];
  vscodeVersion: string;
  phase: string;
  uiKind: string;
}

/** Which spec files this host run takes: PICTOR_PHASE=N takes the plain suites plus `*.phaseN.test.js`,
 *  except phase 2+, which only takes its own phase (it runs after a host restart). PICTOR_PHASE=untrusted
 *  (a host whose workspace is not trusted) takes only `*.untrusted.test.js`; PICTOR_PHASE=home (a workspace
 *  folder that holds VS Code's user data, as a workspace opened at the home folder does) only `*.home.test.js`.
 *  Phase files run after the plain suites (see the sort). */
export function selectSpecs(files: string[], phase: string | undefined): string[] {
  const phaseOf = (f: string) => /\.phase(\d+)\.test\.js$/.exec(f)?.[1];
  const untrusted = (f: string) => f.endsWith('.untrusted.test.js');
  const home = (f: string) => f.endsWith('.home.test.js');
  return files.filter((f) => {
    if (phase === 'untrusted') return untrusted(f);
    if (phase === 'home') return home(f);
    if (untrusted(f) || home(f)) return false;
    const p = phaseOf(f);
    if (!phase || phase === '1') return p === undefined || p === '1';
    return p === phase;
  // The plain suites first, then the phase files in name order: a phase-1 file leaves work in flight for
  // the host after the restart (a tool's task, a held upload), so nothing may run long after it.
  }).sort((a, b) => Number(phaseOf(a) !== undefined) - Number(phaseOf(b) !== undefined) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Compiled specs whose TypeScript source still exists: tsc never deletes the output of a removed test. */
function listSpecs(dir: string): string[] {
  const sourceDir = path.resolve(dir, '..', '..', '..', 'test', 'integration');
  const checkSource = fs.existsSync(sourceDir);
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => !checkSource || fs.existsSync(path.join(sourceDir, f.replace(/\.js$/, '.ts'))))
    .map((f) => path.join(dir, f));
}

const notes: string[] = [];
const mustBeStored: string[] = [];

/** Records a remark for the launcher's output (e.g. a workaround that had to kick in). */
export function note(message: string): void {
  notes.push(message);
}

/**
 * A phase-1 half leaves work for the next host: the launcher stops this host only once the workbench
 * has written `text` (a task id, an uploaded file's URL) into its stored state. The web workbench
 * writes its storage every few seconds, not at each change, and the launcher ends the host without a
 * shutdown (which would write it): a person's reload writes it on the way out.
 */
export function expectStored(text: string): void {
  mustBeStored.push(text);
}

function writeResults(file: string | undefined, results: ResultsFile): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written then renamed: the launcher polls for the file and must never read half of it.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 2));
  fs.renameSync(tmp, file);
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack || `${err.name}: ${err.message}`;
  return String(err);
}

export async function run(): Promise<void> {
  const resultsFile = process.env.PICTOR_TEST_RESULTS;
  const phase = process.env.PICTOR_PHASE;
  const results: ResultsFile = {
    passed: 0, failed: 0, pending: 0, tests: [], notes, mustBeStored,
    vscodeVersion: vscode.version, phase: phase ?? '', uiKind: vscode.UIKind[vscode.env.uiKind],
  };
  try {
    // PICTOR_INTEGRATION_GREP (a developer's shortcut, never set in CI): only tests whose full title matches.
    const grep = process.env.PICTOR_INTEGRATION_GREP || undefined;
    // forbidOnly: a stray `.only` fails the run (reported as a failure to load the suites), never a silent fraction of it.
    const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', grep, forbidOnly: true });
    const specs = selectSpecs(listSpecs(__dirname), phase);
    // setup.js asserts a trusted workspace and points it at the fake; the untrusted run has neither.
    if (phase !== 'untrusted') mocha.addFile(path.join(__dirname, 'setup.js'));
    for (const f of specs) mocha.addFile(f);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => {
        results.passed++;
        results.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
      });
      // Hook failures arrive here too: a failed `before` is a failure, not a silently missing test.
      runner.on('fail', (t, err) => {
        results.failed++;
        results.tests.push({ title: t.fullTitle(), state: 'failed', error: describeError(err), durationMs: t.duration });
      });
      runner.on('pending', (t) => {
        results.pending++;
        results.tests.push({ title: t.fullTitle(), state: 'pending' });
      });
    });
  } catch (err) {
    results.failed++;
    results.tests.push({ title: 'loading the integration suites', state: 'failed', error: describeError(err) });
  }
  writeResults(resultsFile, results);
  if (results.failed > 0) throw new Error(`${results.failed} integration test(s) failed`);
}
