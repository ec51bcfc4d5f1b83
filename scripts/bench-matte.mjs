// The transparent-image rows of `npm run bench` (issue 24, section 2): per synthetic image of
// test/shared/matteSet.ts at 1536×1024, the share of background pixels left opaque and of subject
// pixels made transparent (a pixel is wrong when its alpha is off by more than 0.5; goal ≤ 1 % each),
// and the time to key it (estimate + matte + despill), median of 3 runs, wall and CPU.
// Self-contained: bench.mjs calls matteBench() after building out/, which prints its own table;
// `node scripts/bench-matte.mjs` runs it alone (on an out/ already built).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const pct = (x) => `${(x * 100).toFixed(2)} %`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function matteBench(width = 1536, height = 1024) {
  const { matteSet, scoreMatte } = require(path.join(root, 'out/test/shared/matteSet.js'));
  const { keyOut } = require(path.join(root, 'out/src/core/matte.js'));
  const { english } = require(path.join(root, 'out/src/shared/words.js'));
  console.log(`Transparent images: keying ${width}×${height} synthetic images with known alpha (goal ≤ 1 % wrong each way)`);
  const t0 = performance.now();
  const set = matteSet(width, height);
  console.log(`  (test set rendered in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const table = [];
  for (const c of set) {
    const runs = [];
    let out;
    for (let k = 0; k < 3; k++) {
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      out = keyOut(c.rgba, c.width, c.height);
      const wall = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      runs.push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
    }
    const wall = median(runs.map((r) => r.wall)), cpu = median(runs.map((r) => r.cpu));
    const time = `${wall.toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms)`;
    const key = out.estimate.key.map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase();
    const flat = `${Math.round(out.estimate.flatness * 100)} %`;
    if (!out.ok) {
      const expected = !c.keyable;
      table.push([c.name, '—', '—', time, `#${key}`, flat, `${expected ? 'refused, as it should be' : 'REFUSED (should key)'}: ${english(out.reason)}`]);
    } else {
      const s = scoreMatte(c, out.rgba);
      const miss = s.backgroundKept > 0.01 || s.subjectLost > 0.01 ? 'OVER GOAL' : '';
      table.push([c.name, pct(s.backgroundKept), pct(s.subjectLost), time, `#${key}`, flat, [c.keyable ? '' : 'KEYED (should refuse)', miss].filter(Boolean).join('; ')]);
    }
    const r = table[table.length - 1];
    console.log(`  ${r[0]}: background left opaque ${r[1]}, subject made transparent ${r[2]}, ${r[3]}`);
  }
  console.log(`\n| ${width}×${height} image | background left opaque | subject made transparent | time to key | key found | flatness | note |\n|---|---|---|---|---|---|---|`);
  for (const r of table) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) matteBench();
