// `npm run l10n`: exports every vscode.l10n.t string of src/ into l10n/bundle.l10n.json with
// @vscode/l10n-dev (the same extractor as `npx @vscode/l10n-dev export`), and every template of the
// core's message table (src/shared/words.ts), then lists the keys that a
// translation (l10n/bundle.l10n.<lang>.json, package.nls.<lang>.json) lacks or no longer needs.
// The output is deterministic: files are read in sorted order and keys are written sorted, so two
// branches that add strings merge cleanly and re-running it on the same sources changes nothing.
// `--check` writes nothing and exits 1 when the bundle on disk is stale.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The .ts files under src/, sorted (l10n-dev's own CLI uses glob order). */
export function sourceFiles(dir = join(root, 'src')) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx|js|jsx)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/**
 * The core's English templates (src/shared/words.ts, ENGLISH): the editor looks each up by its text
 * with vscode.l10n.t (src/vscode/say.ts), so each is a key of the bundle. words.ts imports nothing; it
 * is compiled in memory with TypeScript and its table read.
 */
export function coreTemplates() {
  const ts = require('typescript');
  const source = readFileSync(join(root, 'src', 'shared', 'words.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', outputText)(module, module.exports, () => {
    throw new Error('src/shared/words.ts must import nothing: scripts/l10n.mjs reads it on its own');
  });
  return Object.values(module.exports.ENGLISH);
}

/** The bundle the sources call for: `{ key: English }`, keys sorted: every vscode.l10n.t literal, and the core's templates. */
export async function exportBundle() {
  const { getL10nJson } = require('@vscode/l10n-dev');
  const files = sourceFiles().map((f) => ({ contents: readFileSync(f, 'utf8'), extension: f.slice(f.lastIndexOf('.')) }));
  const found = await getL10nJson(files);
  for (const template of coreTemplates()) found[template] ??= template;
  return Object.fromEntries(Object.keys(found).sort().map((k) => [k, found[k]]));
}

export const bundleFile = join(root, 'l10n', 'bundle.l10n.json');
export const serialize = (obj) => `${JSON.stringify(obj, null, 2)}\n`;

/** Languages with a translation: l10n/bundle.l10n.<lang>.json. */
export function languages() {
  return readdirSync(join(root, 'l10n')).map((f) => /^bundle\.l10n\.(.+)\.json$/.exec(f)?.[1]).filter(Boolean).sort();
}

/** Keys of `source` missing from `translated`, and keys of `translated` that `source` no longer has. */
export function compareKeys(source, translated) {
  return {
    missing: Object.keys(source).filter((k) => !(k in translated)),
    unused: Object.keys(translated).filter((k) => !(k in source)),
  };
}

async function main() {
  const check = process.argv.includes('--check');
  const bundle = await exportBundle();
  const text = serialize(bundle);
  const current = existsSync(bundleFile) ? readFileSync(bundleFile, 'utf8') : '';
  if (check) {
    if (current !== text) {
      process.stderr.write(`${relative(root, bundleFile)} is stale: run npm run l10n\n`);
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(bundleFile, text);
  }
  process.stdout.write(`${relative(root, bundleFile)}: ${Object.keys(bundle).length} strings${current === text ? ' (unchanged)' : ''}\n`);
  const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
  for (const lang of languages()) {
    const pairs = [
      [`l10n/bundle.l10n.${lang}.json`, bundle],
      [`package.nls.${lang}.json`, nls],
    ];
    for (const [file, source] of pairs) {
      const path = join(root, file);
      const translated = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
      const { missing, unused } = compareKeys(source, translated);
      if (!missing.length && !unused.length) continue;
      process.stdout.write(`${file}: ${missing.length} to translate, ${unused.length} no longer used\n`);
      for (const k of missing) process.stdout.write(`  + ${JSON.stringify(k)}\n`);
      for (const k of unused) process.stdout.write(`  - ${JSON.stringify(k)}\n`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
