// Builds the extension (Node, CommonJS, `vscode` external) and the webview script (browser).
// Flags: --production (minified, no source maps), --watch.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Reports each build's result the way VS Code's `$esbuild-watch` problem matcher expects. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

// The webview loads the codicon font and CSS from dist/ (localResourceRoots), never from node_modules.
function copyCodicons() {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
  }
}

// The encoders of the conversion worker and the preview worker's WebP decoder (src/core/wasm.ts
// WASM_FILES) load their .wasm files from dist/wasm/, beside dist/convertWorker.js and
// dist/previewWorker.js; .vscodeignore lets them into the .vsix. The terminal command's bundle
// (dist/cli/) starts the workers from beside itself: its own copies, and the .wasm.
const WASM = ['@jsquash/webp/codec/enc/webp_enc_simd.wasm', '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm', '@jsquash/webp/codec/dec/webp_dec.wasm'];
function copyWasm() {
  for (const dir of ['dist/wasm', 'dist/cli/wasm']) {
    mkdirSync(dir, { recursive: true });
    for (const f of WASM) {
      cpSync(`node_modules/${f}`, `${dir}/${f.slice(f.lastIndexOf('/') + 1)}`);
    }
  }
}

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  plugins: [problemMatcherPlugin],
};

// A production build starts from an empty dist/ so no stale source map is left beside it.
if (production) rmSync('dist', { recursive: true, force: true });

// jsonc-parser's UMD main requires its parts at run time (not bundled): its ES module build bundles whole.
const extension = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' } };

const contexts = await Promise.all([
  esbuild.context({ ...extension, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }),
  // The worker thread that decodes an image for a tool's preview (src/core/previewThread.ts starts it
  // from beside the bundle that loads it: dist/previewWorker.js; .vscodeignore lets it into the .vsix).
  esbuild.context({ ...extension, entryPoints: ['src/core/previewWorker.ts'], outfile: 'dist/previewWorker.js' }),
  esbuild.context({ ...extension, entryPoints: ['src/core/previewWorker.ts'], outfile: 'dist/cli/previewWorker.js' }),
  // The worker thread that converts an image to a light file (src/core/convert.ts starts it from beside
  // the bundle: dist/convertWorker.js), with the encoders' ES modules bundled in and their .wasm in dist/wasm/.
  esbuild.context({ ...extension, entryPoints: ['src/core/convertWorker.ts'], outfile: 'dist/convertWorker.js' }),
  esbuild.context({ ...extension, entryPoints: ['src/core/convertWorker.ts'], outfile: 'dist/cli/convertWorker.js' }),
  // The extension as the integration tests run it (test/integration/extension/testing.ts): never in a
  // production build, never in the .vsix (.vscodeignore lists what goes in).
  ...(production ? [] : [esbuild.context({ ...extension, entryPoints: ['test/integration/extension/testing.ts'], outfile: 'dist/extension.testing.js' })]),
  // The `pictor` terminal command (npm run package:cli): everything bundled, nothing to fetch at install,
  // never in the .vsix (.vscodeignore lists what goes in).
  esbuild.context({ ...common, platform: 'node', format: 'cjs', target: 'node20', // jsonc-parser's UMD main requires its parts at run time: its ES module build bundles whole.
    mainFields: ['module', 'main'], entryPoints: ['src/bin/pictor.ts'], outfile: 'dist/cli/pictor.js', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.context({
    ...common,
    entryPoints: ['media/panel.ts'],
    outfile: 'dist/panel.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);

copyCodicons();
copyWasm();
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  const results = await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (results.some((r) => r.errors.length > 0)) process.exit(1);
}
