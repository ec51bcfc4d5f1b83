// A document scanned again after each edit (ScanCache re-parses only the blocks an edit touched)
// must give exactly what a fresh scan of the new text gives. Random edits, from a fixed seed, on
// pages made of the constructs that decide what is an image: fences that open and close, HTML
// blocks, lists, quotes, tables, front matter, definitions, tabs, CRLF, astral characters.
import assert from 'node:assert/strict';
import { ScanCache, scanMarkdown } from '../../src/core/placeholders';

/** A small, fixed pseudo-random sequence (mulberry32): the same edits on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BLOCKS = [
  '![a fox]()',
  'Some prose with ![inline one](<>) and `code ![no]()` here.',
  '- item ![in a list]()\n- second\n\n  ![continued item]( )',
  '> quoted ![in a quote]()\n> ![first\n> second]()',
  '```\n![fenced, not an image]()\n```',
  '~~~md\n![tilde fence]()\n~~~',
  '    ![indented code]()',
  '<div>\n![html block]()\n</div>',
  '<!--\n![comment]()\n-->',
  '| a | ![head]() |\n|---|---|\n| ![cell]() | x \\| ![piped](<>) |',
  '## Heading ![h]()',
  'Setext ![s]()\n===',
  '[ref]: ./a.png\n![by ref][ref] and ![x](img/x.png "title")',
  '-\t![tab after marker]()\n>\t![tab after quote]()',
  '🦊🦊 ![🦊 astral]() 東京 ![東京]()',
  'Line one\nlazy ![lazy]()\n\n\n',
  '1. one\n   1. ![nested]()',
  '<span>![between tags]()</span> <!-- ![x]() -->',
  '***',
  '',
];

const INSERTS = ['x', ' ', '\n', '\n\n', '![', ']', '(', ')', '()', '`', '```', '~~~', '>', '- ', '    ', '\t', '<div>', '-->', '<!--', '|', '---', '===', '\\', '[', ']: ', '🦊', '![new]()', '\r\n'];

function page(rnd: () => number, blocks: number, crlf: boolean): string {
  const parts: string[] = [];
  if (rnd() < 0.2) parts.push('---\ntitle: x\ncover: ![fm]()\n---');
  for (let i = 0; i < blocks; i++) parts.push(BLOCKS[Math.floor(rnd() * BLOCKS.length)]!);
  const text = parts.join('\n\n') + '\n';
  return crlf ? text.replace(/\n/g, '\r\n') : text;
}

function edit(rnd: () => number, text: string): string {
  const at = Math.floor(rnd() * (text.length + 1));
  if (rnd() < 0.35 && text.length > 0) {
    const len = 1 + Math.floor(rnd() * 6);
    return text.slice(0, at) + text.slice(at + len);
  }
  if (rnd() < 0.1) {
    // Move a whole line elsewhere: the kind of edit that shifts many blocks at once.
    const from = Math.floor(rnd() * text.length);
    const line = text.slice(from, text.indexOf('\n', from) + 1 || text.length);
    const rest = text.slice(0, from) + text.slice(from + line.length);
    const to = Math.floor(rnd() * (rest.length + 1));
    return rest.slice(0, to) + line + rest.slice(to);
  }
  return text.slice(0, at) + INSERTS[Math.floor(rnd() * INSERTS.length)]! + text.slice(at);
}

describe('ScanCache: a re-scan after an edit equals a fresh scan', () => {
  for (const [name, seed, blocks, crlf] of [
    ['small pages', 1, 8, false],
    ['small CRLF pages', 2, 8, true],
    ['pages longer than the first parse window', 3, 160, false],
    ['long CRLF pages', 4, 160, true],
  ] as const) {
    it(name, () => {
      const rnd = random(seed);
      let edits = 0;
      for (let doc = 0; doc < 12; doc++) {
        const cache = new ScanCache();
        let text = page(rnd, blocks, crlf);
        let version = 1;
        assert.deepEqual(cache.get('doc', version, () => text), scanMarkdown(text));
        for (let i = 0; i < 40; i++) {
          const before = text;
          text = edit(rnd, text);
          const incremental = cache.get('doc', ++version, () => text);
          const fresh = scanMarkdown(text);
          // scanMarkdown skips parsing a text with no `![`; its result is the same either way.
          assert.deepEqual(incremental, fresh, `after editing ${JSON.stringify(before)}\ninto ${JSON.stringify(text)}`);
          edits++;
        }
      }
      assert.equal(edits, 12 * 40);
    });
  }

  it('a one-character edit in a long page moves the placeholders after it by one', () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(i % 10 === 0 ? `- ![image ${i}]()` : `Line ${i} with \`code\` and a [link](x).`);
    const text = lines.join('\n');
    const cache = new ScanCache();
    const before = cache.get('doc', 1, () => text);
    const at = text.indexOf('Line 1005');
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    const after = cache.get('doc', 2, () => edited);
    assert.equal(after.placeholders.length, 200);
    after.placeholders.forEach((p, i) => {
      const old = before.placeholders[i]!;
      assert.equal(p.start, old.start < at ? old.start : old.start + 1);
      assert.equal(edited.slice(p.start, p.end), text.slice(old.start, old.end));
    });
  });
});
