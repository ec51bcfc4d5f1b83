// The house's import graph, read from the sources with TypeScript's own pre-processor: no file imports
// itself back through others (no cycle, type-only imports included: a cycle of types still ties two
// rooms into one), and no room imports one above it. The floors, lowest first:
//   src/shared  words, sizes, the webview protocol: plain data every side reads
//   src/core    the engine: no vscode, no face
//   src/vscode, src/cli, src/mcp   the faces (each may use the ones below, never another face)
//   src/panel   the editor's panel, on top of the editor's glue
//   src/extension.ts  the editor's wiring; src/bin  the `pictor` command's (terminal and agent server)
//   media       the webview's script: shared only
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The files of this tree a source imports (relative imports, type-only ones included). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out: string[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), ref.fileName);
    const hit = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => existsSync(c) && statSync(c).isFile());
    if (hit) out.push(hit);
  }
  return out;
}

/** Each file's floor; a face's name for the faces that must not import one another. */
function floorOf(file: string): { floor: number; face?: string } {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel.startsWith('src/shared/')) return { floor: 0 };
  if (rel.startsWith('src/core/')) return { floor: 1 };
  for (const face of ['vscode', 'cli', 'mcp']) if (rel.startsWith(`src/${face}/`)) return { floor: 2, face };
  // The panel and the wiring sit on the editor's face: they may use it, never the other faces.
  if (rel.startsWith('src/panel/')) return { floor: 3, face: 'vscode' };
  if (rel === 'src/extension.ts') return { floor: 4, face: 'vscode' };
  // The `pictor` command's entry starts either outside face: it belongs to neither.
  if (rel.startsWith('src/bin/')) return { floor: 3 };
  if (rel.startsWith('media/')) return { floor: 1, face: 'media' };
  if (rel.endsWith('package.json')) return { floor: 0 };
  throw new Error(`${rel} is on no floor: add its folder to this test's floors`);
}

const files = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'media'))];
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

describe('the import graph (no cycles, no import from a lower floor to a higher one)', () => {
  it('reads the tree: every source is on a floor and the graph has its arrows', () => {
    assert.ok(files.length > 100, `only ${files.length} sources found under ${ROOT}`);
    for (const f of files) floorOf(f);
    assert.ok([...graph.values()].reduce((n, e) => n + e.length, 0) > 300, 'too few imports were read');
  });

  it('has no cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(' → '));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('imports only from its own floor or below, and no face from another face', () => {
    const wrong: string[] = [];
    for (const [f, deps] of graph) {
      const a = floorOf(f);
      for (const g of deps) {
        const b = floorOf(g);
        if (b.floor > a.floor) wrong.push(`${rel(f)} → ${rel(g)} (up)`);
        else if (a.face && b.face && b.face !== a.face) wrong.push(`${rel(f)} → ${rel(g)} (another face)`);
        else if (a.face === 'media' && b.floor > 0 && b.face !== 'media') wrong.push(`${rel(f)} → ${rel(g)} (the webview reads only src/shared)`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('the engine and the shared words never import vscode', () => {
    const bad = files.filter((f) => floorOf(f).floor <= 1 && ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles.some((r) => r.fileName === 'vscode'));
    assert.deepEqual(bad.map(rel), []);
  });
});
