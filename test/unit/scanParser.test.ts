// The scanner's markdown-it set-up (src/core/scan/parser.ts): its wrapped block rules keep their
// places in markdown-it's chains (the rules that may end a paragraph, a definition or a quote
// without a blank line), and a markdown-it whose rules differ from the ones it was written for
// stops it with a clear error. (eslint keeps markdown-it's private `__rules__` out of src.)
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import MarkdownIt from 'markdown-it';
import { scanMarkdown } from '../../src/core/placeholders';
import { BLOCK_RULES, parseBlocks, rulesOf } from '../../src/core/scan/parser';

const spec = (createRequire(__filename)('commonmark-spec') as { tests: Array<{ markdown: string; number: number }> }).tests;

describe('scan parser: the wrapped rules keep their chains', () => {
  const sources = (text: string) => scanMarkdown(text).placeholders.map((p) => text.slice(p.start, p.end));

  it('a paragraph line goes on a placeholder across lines (the control)', () => {
    assert.deepEqual(sources('![a\nb]()\n'), ['![a\nb]()']);
  });

  it('an ATX heading ends a paragraph: no placeholder across it', () => {
    assert.deepEqual(sources('![a\n# b]()\n'), []);
  });

  it('a table ends a paragraph: no placeholder across it', () => {
    assert.deepEqual(sources('![a\n| b |\n| - |\n]()\n'), []);
  });

  it("an ATX heading ends a block quote's lazy paragraph", () => {
    assert.deepEqual(sources('> ![a\n# b]()\n'), []);
  });

  it("a heading or a table ends a definition's title that would run past it, so its placeholder is found", () => {
    assert.deepEqual(sources('[r]: /u\n"t\n# ![a]()\n"\n'), ['![a]()']);
    assert.deepEqual(sources('[r]: /u\n"t\n| ![a]() |\n| - |\n"\n'), ['![a]()']);
  });

  it('splits every CommonMark spec example (without definitions) and tables into the blocks markdown-it does', () => {
    // Definitions are left out: after one the scanner goes on with the paragraph as CommonMark does.
    const texts = spec.filter((t) => !/^ {0,3}\[[^\]]*\]:/m.test(t.markdown)).map((t) => t.markdown);
    assert.ok(texts.length > 550, `${texts.length} examples`);
    texts.push(
      'a\n| b | c |\n| - | - |\n| d | e |\n',
      '> a\n> | b |\n> | - |\n',
      '- a\n  | b |\n  | - |\n  # c\n',
      '| a |\n| - |\n| b |\n# c\n> d\n',
    );
    const plain = MarkdownIt('commonmark').enable('table');
    plain.set({ maxNesting: 100 });
    const shape = (tokens: MarkdownIt.Token[]) => tokens.map((t) => `${t.type} ${t.map?.join('-') ?? ''} ${JSON.stringify(t.content)}`);
    for (const text of texts) {
      const expected: MarkdownIt.Token[] = [];
      plain.block.parse(text, plain, {}, expected);
      assert.deepEqual(shape(parseBlocks(text, undefined).tokens), shape(expected), JSON.stringify(text));
    }
  });
});

describe("scan parser: markdown-it's rules, read through its public API", () => {
  it('reads them as the table says on the installed markdown-it', () => {
    const rules = rulesOf('block', BLOCK_RULES);
    assert.deepEqual([...rules.keys()], Object.keys(BLOCK_RULES));
    assert.deepEqual(rules.get('heading')!.alt, ['paragraph', 'reference', 'blockquote']);
    assert.deepEqual(rules.get('paragraph')!.alt, []);
  });

  it('a markdown-it whose rules differ stops the scanner with an error naming the difference', () => {
    const { table: _table, ...noTable } = BLOCK_RULES;
    const { code, fence, ...rest } = BLOCK_RULES;
    const cases: Array<[Record<string, readonly string[]>, RegExp]> = [
      [Object.fromEntries(Object.entries(BLOCK_RULES).map(([name, alt]) => [name === 'hr' ? 'thematic_break' : name, alt])), /invalid rule name thematic_break/],
      [noTable, /11 rules, expected 10/],
      [{ fence: fence!, code: code!, ...rest }, /fence is not rule 1 of/],
      [{ ...BLOCK_RULES, heading: ['paragraph', 'blockquote'] }, /heading is in the chains \[paragraph, reference, blockquote\], expected \[paragraph, blockquote\]/],
    ];
    for (const [expected, message] of cases) {
      assert.throws(() => rulesOf('block', expected), (e: Error) => {
        assert.match(e.message, /^markdown-it's block rules are not the ones the scanner was written for \(src\/core\/scan\/parser\.ts\): /);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});
