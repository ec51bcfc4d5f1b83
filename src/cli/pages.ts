// Which pages a `pictor` command works on: the workspace folder, and the Markdown pages named (files,
// folders' **/*.md, globs) with node_modules, dot-folders and what the repository's .gitignore files
// ignore left out.

import { existsSync, promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { atOrInside } from '../core/paths';
import { Exit, USAGE } from './context';

/** The nearest folder upwards that holds `.vscode/` or `.git`, else `cwd`. */
export function findWorkspace(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.vscode')) || existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

const skipDir = (name: string) => name === 'node_modules' || name.startsWith('.');

/** One folder's `.gitignore`: its patterns apply to paths below that folder. */
interface IgnoreRule {
  base: string;
  ig: Ignore;
}

async function ignoreRuleOf(dir: string): Promise<IgnoreRule | undefined> {
  const text = await fs.readFile(path.join(dir, '.gitignore'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : { base: dir, ig: ignore().add(text) };
}

/** The `.gitignore` files from the workspace folder down to `dir` (a folder outside it: its own only). */
async function ignoreRulesFor(dir: string, root: string): Promise<IgnoreRule[]> {
  const chain: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === root || !atOrInside(d, root) || path.dirname(d) === d) break;
  }
  return (await Promise.all(chain.map(ignoreRuleOf))).filter((r): r is IgnoreRule => !!r);
}

function isIgnored(rules: readonly IgnoreRule[], file: string, isDir: boolean): boolean {
  return rules.some((r) => {
    const rel = path.relative(r.base, file).split(path.sep).join('/');
    return rel !== '' && !rel.startsWith('..') && r.ig.ignores(isDir ? `${rel}/` : rel);
  });
}

/** The Markdown pages under a folder: node_modules, dot-folders and what the repository ignores left out. */
async function markdownUnder(dir: string, rules: readonly IgnoreRule[]): Promise<string[]> {
  const own = await ignoreRuleOf(dir);
  const here = own && !rules.some((r) => r.base === dir) ? [...rules, own] : rules;
  const out: string[] = [];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipDir(e.name) && !isIgnored(here, p, true)) out.push(...(await markdownUnder(p, here)));
    } else if (e.isFile() && /\.md$/i.test(e.name) && !isIgnored(here, p, false)) out.push(p);
  }
  return out;
}

/** The pages named: files as given, folders' **\/*.md, globs matched under the current folder. */
export async function collectPages(paths: readonly string[], cwd: string, root: string): Promise<string[]> {
  const under = async (dir: string) => markdownUnder(dir, await ignoreRulesFor(dir, root));
  const found = new Set<string>();
  for (const given of paths.length ? paths : ['.']) {
    const abs = path.resolve(cwd, given);
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) for (const f of await under(abs)) found.add(f);
      else found.add(abs);
      continue;
    }
    if (!picomatch.scan(given).isGlob) throw new Exit(USAGE, `No such file or folder: ${given}`);
    const match = picomatch(given.split(path.sep).join('/'));
    const matched = (await under(path.resolve(cwd))).filter((f) => match(path.relative(cwd, f).split(path.sep).join('/')));
    if (!matched.length) throw new Exit(USAGE, `No Markdown page matches ${given}`);
    for (const f of matched) found.add(f);
  }
  return [...found];
}
