// The light-file rows of `npm run bench` (issue 24 §3): time and size of converting a 1536×1024 and a
// 3840×2160 picture to PNG, WebP and JPEG, at full size and at maxWidth 1200, and the longest time the
// calling thread (the extension host's, in the extension) is blocked while it converts: the goal is no
// block over 50 ms. Runs the worker as the .vsix ships it (dist/convertWorker.js and dist/wasm/).
// Self-contained: bench.mjs calls convertBench() after building out/; `npm run bench -- --convert`
// runs only this.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * A photo-like picture, not a flat gradient (which every encoder squeezes to nothing): a sky-to-ground
 * gradient, soft light blobs, hard-edged shapes, thin strokes and sensor-like noise, deterministic.
 */
function picture(width, height) {
  const data = new Uint8Array(width * height * 4);
  let seed = 0x2468ace;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const blobs = Array.from({ length: 14 }, () => ({
    x: rnd() * width, y: rnd() * height, r: (0.05 + rnd() * 0.25) * width, c: [rnd() * 255, rnd() * 255, rnd() * 255],
  }));
  const boxes = Array.from({ length: 10 }, () => ({
    x0: rnd() * width, y0: rnd() * height, w: rnd() * width * 0.2, h: rnd() * height * 0.2, c: [rnd() * 255, rnd() * 255, rnd() * 255],
  }));
  for (let y = 0; y < height; y++) {
    const t = y / height;
    for (let x = 0; x < width; x++) {
      let r = 70 + 120 * (1 - t), g = 110 + 90 * (1 - t), b = 160 + 80 * (1 - t) - 60 * t;
      for (const o of blobs) {
        const d = ((x - o.x) ** 2 + (y - o.y) ** 2) / (o.r * o.r);
        if (d < 4) {
          const k = Math.exp(-d * 1.5) * 0.8;
          r += (o.c[0] - r) * k; g += (o.c[1] - g) * k; b += (o.c[2] - b) * k;
        }
      }
      for (const o of boxes) if (x >= o.x0 && x < o.x0 + o.w && y >= o.y0 && y < o.y0 + o.h) [r, g, b] = o.c;
      if ((x + 2 * y) % 97 < 2 || (3 * x - y + 10_000) % 151 < 1) r = g = b = 30; // thin strokes
      const n = (rnd() - 0.5) * 10;
      const i = (y * width + x) * 4;
      data[i] = Math.max(0, Math.min(255, r + n));
      data[i + 1] = Math.max(0, Math.min(255, g + n));
      data[i + 2] = Math.max(0, Math.min(255, b + n));
      data[i + 3] = 255;
    }
  }
  const { PNG } = require('pngjs');
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer);
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true });
}

const kb = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${Math.round(n / 1e3)} KB`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `fn` while watching this thread: the longest event-loop delay (perf_hooks, 1 ms resolution) and
 * the longest gap between 1 ms timer ticks — which, on cores shared with other processes, include the
 * times the OS ran something else — and the thread's own busy time (event-loop utilisation: the time
 * it ran code rather than waited), which no block of ours can exceed.
 */
async function watched(fn) {
  const elu = performance.eventLoopUtilization();
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let gap = 0;
  const tick = setInterval(() => { const now = performance.now(); gap = Math.max(gap, now - last); last = now; }, 1);
  h.enable();
  try {
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    const now = performance.now();
    gap = Math.max(gap, now - last);
    return { value, ms, blockMs: Math.max(h.max / 1e6, gap), busyMs: performance.eventLoopUtilization(elu).active };
  } finally {
    h.disable();
    clearInterval(tick);
  }
}

export async function convertBench({ runs = 3 } = {}) {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  const { checkConvertible, convertedSize, runInWorker, DEFAULT_QUALITY } = require(path.join(root, 'out/src/core/convert.js'));
  const worker = path.join(root, 'dist', 'convertWorker.js');
  /** convertImage as the extension runs it, with the bundled worker of the .vsix. */
  const convert = (bytes, format, maxWidth) => {
    const src = checkConvertible(bytes);
    const size = convertedSize(src.width, src.height, maxWidth);
    if (src.type === format && size.width === src.width) return Promise.resolve({ bytes, ...size, format, unchanged: true });
    return runInWorker(worker, { bytes, source: src.type, format, ...size, quality: DEFAULT_QUALITY }, 120_000);
  };
  const rows = [];
  console.log(`Light files: conversion in a worker thread (bundled worker, quality ${DEFAULT_QUALITY}), median of ${runs} runs`);
  // What the same watch sees with nothing to do: on shared cores the thread is also held up by other processes.
  const idle = await watched(() => new Promise((r) => setTimeout(r, 1000)));
  console.log(`  idle for 1 s, nothing converting: longest block ${idle.blockMs.toFixed(1)} ms, busy ${idle.busyMs.toFixed(1)} ms (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
  rows.push({ image: '—', format: 'idle 1 s (baseline)', maxWidth: '—', size: '—', bytes: '—', ms: 1000, blockMs: idle.blockMs, busyMs: idle.busyMs });
  for (const [w, h] of [[1536, 1024], [3840, 2160]]) {
    const png = picture(w, h);
    const { PNG } = require('pngjs');
    // What the issue warns of: the same PNG decoded on the calling thread blocks it for the whole decode.
    const inline = await watched(async () => PNG.sync.read(png));
    console.log(`  ${w}×${h} source PNG ${kb(png.length)}; decoding it on the calling thread instead would block it ${inline.blockMs.toFixed(0)} ms`);
    rows.push({ image: `${w}×${h}`, format: 'decode only, on the calling thread (what the worker avoids)', maxWidth: '—', size: '—', bytes: '—', ms: inline.ms, blockMs: inline.blockMs, busyMs: inline.busyMs });
    for (const maxWidth of [undefined, 1200]) {
      for (const format of ['png', 'webp', 'jpeg']) {
        const results = [];
        for (let i = 0; i < runs; i++) results.push(await watched(() => convert(png, format, maxWidth)));
        const out = results[0].value;
        const r = {
          image: `${w}×${h}`, format, maxWidth: maxWidth ?? '—', size: `${out.width}×${out.height}`,
          bytes: out.unchanged ? `${kb(out.bytes.length)} (unchanged)` : `${kb(out.bytes.length)} (${((out.bytes.length / png.length) * 100).toFixed(1)} %)`,
          ms: median(results.map((x) => x.ms)), blockMs: Math.max(...results.map((x) => x.blockMs)),
          busyMs: Math.max(...results.map((x) => x.busyMs)),
        };
        rows.push(r);
        console.log(`  ${r.image} → ${format}${maxWidth ? ` ≤ ${maxWidth}` : ''}: ${r.size}, ${r.bytes}, ${r.ms.toFixed(0)} ms, longest block ${r.blockMs.toFixed(1)} ms, busy ${r.busyMs.toFixed(1)} ms`);
      }
    }
  }
  return rows;
}

/** The table for the closing note. */
export function printConvertTable(rows) {
  console.log('\n| source | format | maxWidth | result | size (share of the PNG) | time | calling thread: longest block, incl. other processes (goal ≤ 50 ms) | calling thread: busy in all |\n|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.image} | ${r.format} | ${r.maxWidth} | ${r.size} | ${r.bytes} | ${r.ms.toFixed(0)} ms | ${r.blockMs.toFixed(1)} ms | ${r.busyMs.toFixed(1)} ms |`);
}
