// Shared by the launchers of the integration suites (server build and desktop VS Code): which host
// phases exist, and how a phase's results file is printed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Phase numbers to run: always 1, plus every N of a `*.phaseN.test.js` spec (needs a host restart before it). */
export function phasesPresent(testsDir, sourceDir) {
  const phases = new Set([1]);
  for (const f of readdirSync(testsDir, { recursive: true, encoding: 'utf8' })) {
    const m = /\.phase(\d+)\.test\.js$/.exec(f);
    // Compiled output of a deleted source is stale (tsc never removes it): ignore it, as index.ts does.
    if (m && existsSync(join(sourceDir, f.replace(/\.js$/, '.ts')))) phases.add(Number(m[1]));
  }
  return [...phases].sort((a, b) => a - b);
}

/** The JSON that test/integration/index.ts writes, or undefined when there is none. */
export function readResults(file) {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function formatResults(results) {
  const lines = [];
  for (const t of results.tests) {
    const mark = t.state === 'passed' ? '✔' : t.state === 'failed' ? '✘' : '-';
    const ms = t.durationMs && t.durationMs > 75 ? ` (${t.durationMs} ms)` : '';
    lines.push(`  ${mark} ${t.title}${ms}`);
    if (t.error) lines.push(t.error.split('\n').map((l) => `      ${l}`).join('\n'));
  }
  for (const n of results.notes ?? []) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

/** The failed tests again, title and first lines of the error, for the end of a run (CI shows its tail). */
export function formatFailures(failures) {
  if (failures.length === 0) return '';
  const lines = ['failed:'];
  for (const t of failures) {
    lines.push(`  ✘ ${t.title}`);
    if (t.error) lines.push(t.error.split('\n').slice(0, 12).map((l) => `      ${l}`).join('\n'));
  }
  return lines.join('\n');
}
