// The documents the code's comments cite are in the repository (issue 23): a comment that sends a
// newcomer to a document nobody has sends them nowhere. Every Markdown file a comment in
// src/, media/, test/ or scripts/ names must exist in the repository, and a section it names after a
// `docs/…` citation ("Pacing") must be a heading of that document.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..');
const FOLDERS = ['src', 'media', 'test', 'scripts'];
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
// Names comments use for a user's page (an example, or the name an untitled page takes), not for
// documents of this repository.
const EXAMPLES = new Set(['page.md', 'docs/a.md', 'untitled.md']);

function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...codeFiles(p));
    } else if (CODE.test(e.name)) out.push(p);
  }
  return out;
}

/** The text of every comment in a file, each as one line (the `//` and ` * ` of its lines removed). */
function commentsOf(file: string, text: string): string[] {
  const kind = /\.[mc]?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const seen = new Map<number, string>();
  const add = (ranges: ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) if (!seen.has(r.pos)) seen.set(r.pos, text.slice(r.pos, r.end));
  };
  const visit = (node: ts.Node) => {
    add(ts.getLeadingCommentRanges(text, node.pos));
    add(ts.getTrailingCommentRanges(text, node.end));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...seen.values()].map((c) => c.replace(/^\s*(\/\/+|\/\*+|\*+\/|\*)/gm, '').replace(/\*\/$/, '').replace(/\s+/g, ' '));
}

interface Citation {
  file: string;
  /** The name as the comment writes it. */
  doc: string;
  /** Sections quoted right after it: `docs/testing.md, "The hosts"`. */
  sections: string[];
}

/** The `.md` files a comment names (globs, URLs and the example names left out). */
function citationsIn(file: string, comment: string): Citation[] {
  const out: Citation[] = [];
  for (const m of comment.matchAll(/[\w./~-]*\w\.md\b/g)) {
    const before = comment.slice(0, m.index);
    if (/[a-z]+:\/\/\S*$/i.test(before + m[0]) || /\*$/.test(before)) continue;
    if (EXAMPLES.has(m[0])) continue;
    const after = comment.slice(m.index + m[0].length);
    const quoted = /^[\s,(]*((?:"[^"]+"\s*,?\s*)+)/.exec(after);
    const sections = quoted ? [...quoted[1]!.matchAll(/"([^"]+)"/g)].map((q) => q[1]!) : [];
    out.push({ file, doc: m[0], sections });
  }
  return out;
}

/** The repository file a citation names (from the root, or from the citing file's folder), if any. */
function resolveDoc(c: Citation): string | undefined {
  for (const base of [root, path.dirname(c.file)]) {
    const p = path.resolve(base, c.doc);
    const rel = path.relative(root, p);
    if (!rel.startsWith('..') && !path.isAbsolute(rel) && fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  return undefined;
}

function headingsOf(doc: string): Set<string> {
  return new Set([...fs.readFileSync(doc, 'utf8').matchAll(/^#+ (.+?)\s*$/gm)].map((m) => m[1]!));
}

describe('documents the comments cite', () => {
  const citations = FOLDERS.flatMap((f) => codeFiles(path.join(root, f))).flatMap((file) =>
    commentsOf(file, fs.readFileSync(file, 'utf8')).flatMap((c) => citationsIn(file, c)),
  );

  it('finds the citations it checks (the scan reads comments, and only comments)', () => {
    // The scan itself, on a made-up file: a string naming a .md is no citation, a comment is.
    const sample = [
      "const a = 'api.md'; // see api.md §3",
      '/**',
      ' * Pacing (docs/provider-api.md,',
      ' * "Pacing", "Poll a task"); not a glob like docs/*.md or a URL https://example.com/x/README.md',
      ' */',
      'function f() {}',
    ].join('\n');
    const found = commentsOf('sample.ts', sample).flatMap((c) => citationsIn('sample.ts', c));
    assert.deepEqual(found.map((c) => [c.doc, c.sections]), [['api.md', []], ['docs/provider-api.md', ['Pacing', 'Poll a task']]]);
    // And the repository's comments do cite the project's documents.
    assert.ok(citations.some((c) => c.doc === 'docs/provider-api.md'), 'no comment cites docs/provider-api.md');
  });

  it('every .md file a comment names is in the repository', () => {
    const missing = citations.filter((c) => resolveDoc(c) === undefined).map((c) => `${path.relative(root, c.file)}: ${c.doc}`);
    assert.deepEqual(missing, [], 'comments cite documents that are not in the repository');
  });

  it('every section a comment names after a document is a heading of it', () => {
    const wrong: string[] = [];
    for (const c of citations) {
      const doc = resolveDoc(c);
      if (!doc || c.sections.length === 0) continue;
      const headings = headingsOf(doc);
      for (const s of c.sections) if (!headings.has(s)) wrong.push(`${path.relative(root, c.file)}: ${c.doc} "${s}"`);
    }
    assert.deepEqual(wrong, [], 'comments cite sections that are not headings of the document');
  });
});
