// The placeholder-scan rows of `npm run bench` (issue 9, item 7): how long reading a page takes,
// cold and after a one-character edit, as CodeLens pays it after every keystroke. Self-contained:
// bench.mjs only calls scanBench(row) after building out/.
//
// Both wall time and CPU time are printed: on a loaded machine the wall time mostly measures the
// other processes. "First in process" includes loading markdown-it and the JIT warming up, which
// the extension pays once per session; the medians are what each later scan costs.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * Today's parser (mdast-util-from-markdown + micromark, GFM table, front matter) on the same page,
 * measured before the switch on this machine, to compare with: it is no longer a dependency.
 * `node` on 2 shared cores, load average 17: CPU 1,242 ms (cold) and 1,329-1,437 ms (the full
 * re-scan each edit cost); wall 3.5-9.7 s. The issue measured 1,238 ms wall on a quieter machine.
 */
const OLD = { coldCpuMs: 1242, editCpuMs: 1329, issueWallMs: 1238 };

/** The page of the issue: 5,000 lines, 500 placeholders in list items, prose, code fences. */
export function benchPage() {
  const lines = [];
  for (let i = 0; i < 5000; i++) {
    if (i % 10 === 0) lines.push(`- ![a lighthouse at dawn number ${i}, watercolor]()`);
    else if (i % 97 === 0) lines.push('```', 'code ![not this]()', '```');
    else lines.push(`Line ${i} of prose with *emphasis*, a [link](https://example.com/${i}) and \`code\`.`);
  }
  return lines.join('\n');
}

function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { result, wall, cpu: (cpu.user + cpu.system) / 1000 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

export function scanBench(row) {
  const t0 = performance.now();
  const { scanMarkdown, ScanCache } = require(path.join(root, 'out/src/core/placeholders.js'));
  const load = performance.now() - t0;
  const text = benchPage();

  console.log('Placeholder scan of a 5,000-line page with 500 placeholders (markdown-it; re-scans re-parse only touched blocks)');
  const first = timed(() => scanMarkdown(text));
  const found = first.result.placeholders.length;
  row('scan: module load', ms(load), 'markdown-it and the scanner, once per session');
  row('scan: cold, first in process', ms(first.wall), `CPU ${ms(first.cpu)}, ${found} placeholders found, JIT not warm yet`);
  const cold = Array.from({ length: 15 }, () => timed(() => scanMarkdown(text)));
  row('scan: cold, median of 15', ms(median(cold.map((c) => c.wall))), `CPU ${ms(median(cold.map((c) => c.cpu)))}; goal ≤ 100 ms; before: CPU ${OLD.coldCpuMs} ms here, ${OLD.issueWallMs} ms in the issue`);

  // Typing: one character at a time in the middle of the page, each a new document version.
  const cache = new ScanCache();
  let version = 1;
  let current = text;
  cache.get('page', version, () => current);
  const at = text.indexOf('Line 2503 ');
  const edits = [];
  for (let i = 0; i < 60; i++) {
    current = current.slice(0, at + i) + 'x' + current.slice(at + i);
    const t = current;
    edits.push(timed(() => cache.get('page', ++version, () => t)));
  }
  const wrong = edits.filter((e) => e.result.placeholders.length !== found).length;
  row('scan: re-scan after a one-character edit, median of 60', ms(median(edits.map((e) => e.wall))), `CPU ${ms(median(edits.map((e) => e.cpu)))}; goal ≤ 10 ms; before: a full scan, CPU ${OLD.editCpuMs} ms`);
  row('scan: re-scan after a one-character edit, slowest of 60', ms(max(edits.map((e) => e.wall))), `CPU ${ms(max(edits.map((e) => e.cpu)))}${wrong ? `; ${wrong} scans lost placeholders!` : ''}`);

  // The worst kind of edit: one that changes the meaning of everything after it. A fence opened
  // mid-page turns the rest into code, so the rest is parsed again (and closing it, back).
  const line = current.indexOf('\nLine 2507 ') + 1;
  const fence = [];
  for (let i = 0; i < 10; i++) {
    const opened = current.slice(0, line) + '```\n' + current.slice(line);
    fence.push(timed(() => cache.get('page', ++version, () => opened)));
    fence.push(timed(() => cache.get('page', ++version, () => current)));
  }
  row('scan: re-scan after opening or closing a fence mid-page, median of 20', ms(median(fence.map((e) => e.wall))), `CPU ${ms(median(fence.map((e) => e.cpu)))}; the half of the page after it is parsed again`);

  const same = timed(() => {
    for (let i = 0; i < 1000; i++) cache.get('page', version, () => current);
  });
  row('scan: same document version (cached)', `${((same.wall / 1000) * 1000).toFixed(2)} µs`, 'CodeLens, commands and the linker asking again');
}
