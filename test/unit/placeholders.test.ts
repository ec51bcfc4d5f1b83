import assert from 'node:assert/strict';
import {
  imageAt,
  placeholderAt,
  Placeholder,
  ScanCache,
  scanMarkdown,
} from '../../src/core/placeholders';

/** What a placeholder should look like: its source as written, and the part the path replaces. */
interface Expected {
  source: string;
  alt: string;
  prompt: string;
  dest: string;
}

/**
 * Asserts the exact placeholders of `text`, in order. Each expected `source` is located with
 * indexOf after the previous one, so the offsets asserted are exact, not merely plausible.
 */
function expectPlaceholders(text: string, expected: Expected[]): void {
  const found = scanMarkdown(text).placeholders;
  assert.equal(found.length, expected.length, `placeholders in ${JSON.stringify(text)}: ${JSON.stringify(found)}`);
  let from = 0;
  expected.forEach((e, i) => {
    const p = found[i];
    const start = text.indexOf(e.source, from);
    assert.notEqual(start, -1, `test bug: ${e.source} not in text`);
    assert.equal(p!.start, start, `start of ${e.source}`);
    assert.equal(p!.end, start + e.source.length, `end of ${e.source}`);
    assert.equal(text.slice(p!.start, p!.end), e.source);
    assert.equal(p!.alt, e.alt);
    assert.equal(p!.prompt, e.prompt);
    assert.equal(p!.empty, e.prompt === '');
    assert.equal(text.slice(p!.destStart, p!.destEnd), e.dest);
    // The path always goes between the parentheses of this very placeholder.
    assert.ok(p!.destStart > start && p!.destEnd < p!.end, 'dest inside the placeholder');
    assert.equal(text[p!.end - 1], ')');
    from = p!.end;
  });
}

const ph = (source: string, prompt: string, dest = ''): Expected => ({
  source,
  alt: source.slice(2, source.lastIndexOf(']')),
  prompt,
  dest,
});

describe('scanMarkdown: placeholders that are found', () => {
  const cases: Array<[string, string, Expected[]]> = [
    ['paragraph', 'Intro ![a red fox asleep in fresh snow, watercolor]() outro.', [
      ph('![a red fox asleep in fresh snow, watercolor]()', 'a red fox asleep in fresh snow, watercolor'),
    ]],
    ['angle brackets (<>)', 'See ![fox](<>) here', [ph('![fox](<>)', 'fox', '<>')]],
    ['space inside ( )', '![fox]( )', [ph('![fox]( )', 'fox', ' ')]],
    ['spaces around <>', '![fox](  <>  )', [ph('![fox](  <>  )', 'fox', '<>')]],
    ['<> with a title keeps the title out of the range', '![fox](<> "Title")', [ph('![fox](<> "Title")', 'fox', '<>')]],
    ['bullet list', '- one\n- ![fox in a list]()\n- three\n', [ph('![fox in a list]()', 'fox in a list')]],
    ['ordered, nested list', '1. a\n   1. ![nested]()\n', [ph('![nested]()', 'nested')]],
    ['block quote', '> quoted\n> ![in a quote]()\n', [ph('![in a quote]()', 'in a quote')]],
    ['quote > list', '> - ![deep]()\n', [ph('![deep]()', 'deep')]],
    ['GFM table', '| a | ![head]() |\n|---|---|\n| ![cell one]() | x ![cell two](<>) |\n', [
      ph('![head]()', 'head'),
      ph('![cell one]()', 'cell one'),
      ph('![cell two](<>)', 'cell two', '<>'),
    ]],
    ['ATX heading', '## Title ![heading image]()\n', [ph('![heading image]()', 'heading image')]],
    ['setext heading', '![setext]()\n===\n', [ph('![setext]()', 'setext')]],
    ['emphasis and strong', '*![em]()* and **![strong]()**', [ph('![em]()', 'em'), ph('![strong]()', 'strong')]],
    ['inside a link', '[![linked]()](https://example.com)', [ph('![linked]()', 'linked')]],
    ['inline HTML around it', '<span>![between tags]()</span>', [ph('![between tags]()', 'between tags')]],
    ['CJK alt', '東京：![東京の夜景、水彩画]()。', [ph('![東京の夜景、水彩画]()', '東京の夜景、水彩画')]],
    ['emoji before it (UTF-16 offsets)', '🦊🦊 ![🦊 fox]()', [ph('![🦊 fox]()', '🦊 fox')]],
    ['escaped bracket in alt', '![a \\] b]()', [ph('![a \\] b]()', 'a ] b')]],
    ['inline markup in alt', '![a *bold* `code` fox]()', [ph('![a *bold* `code` fox]()', 'a bold code fox')]],
    ['alt is trimmed for the prompt', '![  spaced out  ]()', [ph('![  spaced out  ]()', 'spaced out')]],
    ['empty prompt', '![]() and ![   ](<>)', [ph('![]()', ''), ph('![   ](<>)', '', '<>')]],
    ['several in one line', '![a]() text ![b](<>) ![c]( )', [ph('![a]()', 'a'), ph('![b](<>)', 'b', '<>'), ph('![c]( )', 'c', ' ')]],
    ['adjacent', '![a]()![b]()', [ph('![a]()', 'a'), ph('![b]()', 'b')]],
    ['alt across lines', 'x ![line one\nline two]()', [ph('![line one\nline two]()', 'line one\nline two')]],
    ['tab after quote marker', '>\t![tabbed quote]()', [ph('![tabbed quote]()', 'tabbed quote')]],
    ['tab after list marker', '-\t![tabbed item]()', [ph('![tabbed item]()', 'tabbed item')]],
    ['list continuation indented by tab', '- a\n\n\t![continued]()\n', [ph('![continued]()', 'continued')]],
    ['after YAML front matter', '---\ntitle: x\n---\n\n![after front matter]()\n', [ph('![after front matter]()', 'after front matter')]],
    ['after a fenced block', '```\n![no]()\n```\n![yes]()\n', [ph('![yes]()', 'yes')]],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expectPlaceholders(text, expected));
  }

  it('reports exact numbers for a simple case', () => {
    const expected: Placeholder = { start: 3, end: 12, alt: 'fox', prompt: 'fox', empty: false, destStart: 10, destEnd: 11 };
    assert.deepEqual(scanMarkdown('Hi ![fox]( )').placeholders, [expected]);
    assert.deepEqual(scanMarkdown('![fox](<>)').placeholders, [
      { start: 0, end: 10, alt: 'fox', prompt: 'fox', empty: false, destStart: 7, destEnd: 9 },
    ]);
  });

  it('a block-quoted alt across lines keeps its raw source but the prompt loses the markers', () => {
    const text = '> ![first\n> second]()\n';
    const [p] = scanMarkdown(text).placeholders;
    assert.equal(p!.alt, 'first\n> second');
    assert.equal(p!.prompt, 'first\nsecond');
  });
});

describe('scanMarkdown: traps that are not placeholders', () => {
  const traps: Array<[string, string]> = [
    ['code span', 'Use `![x]()` to make one.'],
    ['double-backtick code span', 'Use ``![x]() ` `` please'],
    ['fenced code (backticks)', '```md\n![x]()\n```\n'],
    ['fenced code (tildes)', '~~~\n![x]()\n~~~\n'],
    ['unclosed fence runs to the end', '```\n![x]()\n'],
    ['indented code', 'para\n\n    ![x]()\n'],
    ['HTML block', '<div>\n![x]()\n</div>\n'],
    ['HTML comment block', '<!--\n![x]()\n-->\n'],
    ['inline HTML comment', 'text <!-- ![x]() --> text'],
    ['YAML front matter', '---\ncover: ![x]()\n---\n# Doc\n'],
    ['TOML front matter', '+++\ncover = "![x]()"\n+++\n# Doc\n'],
    ['escaped bang', '\\![x]()'],
    ['plain link', '[x]()'],
    ['reference image', '![x][ref]\n\n[ref]: ./a.png\n'],
    ['collapsed reference image', '![x][]\n\n[x]: ./a.png\n'],
    ['shortcut reference image', '![x]\n\n[x]: ./a.png\n'],
    ['image with a destination', '![x](a.png)'],
    ['unclosed parenthesis', '![x]('],
    ['link reference definition', '[d]: ![x]()\n'],
  ];
  for (const [name, text] of traps) {
    it(name, () => assert.deepEqual(scanMarkdown(text).placeholders, []));
  }

  it('a placeholder after the traps in the same document is still found', () => {
    const text = [
      '---', 'cover: ![y]()', '---', '', '`![y]()`', '', '```', '![y]()', '```', '', '<!-- ![y]() -->', '', '\\![y]()', '', '![real]()', '',
    ].join('\n');
    expectPlaceholders(text, [ph('![real]()', 'real')]);
  });
});

describe('scanMarkdown: CRLF and BOM', () => {
  it('offsets count both characters of every CRLF', () => {
    const text = [
      '---', 'title: CRLF', '---', '', '# Heading ![h]()', '', '- item', '- ![in list](<>)', '', '> ![in quote]()',
      '', '| a | b |', '|---|---|', '| ![cell]() | x |', '', '```', '![code]()', '```', '', 'end ![last]( ) and ![last two]()', '',
    ].join('\r\n');
    expectPlaceholders(text, [
      ph('![h]()', 'h'),
      ph('![in list](<>)', 'in list', '<>'),
      ph('![in quote]()', 'in quote'),
      ph('![cell]()', 'cell'),
      ph('![last]( )', 'last', ' '),
      ph('![last two]()', 'last two'),
    ]);
  });

  it('an alt across a CRLF keeps it in its raw source', () => {
    const text = 'a\r\n![one\r\ntwo]()\r\n';
    expectPlaceholders(text, [ph('![one\r\ntwo]()', 'one\r\ntwo')]);
  });

  it('a leading byte order mark does not shift offsets', () => {
    const text = '\uFEFF# T\n\n![after bom]() ![img](a.png)';
    expectPlaceholders(text, [ph('![after bom]()', 'after bom')]);
    const [img] = scanMarkdown(text).images;
    assert.equal(text.slice(img!.destStart, img!.destEnd), 'a.png');
  });
});

describe('scanMarkdown: image links', () => {
  it('reports url, title and the destination as written', () => {
    const text = 'A ![fox](images/fox.png "A fox") and ![b](<my images/b (1).png>) and ![c](c\\(1\\).webp)\n';
    const images = scanMarkdown(text).images;
    assert.deepEqual(
      images.map((i) => ({ src: text.slice(i.start, i.end), alt: i.alt, url: i.url, dest: text.slice(i.destStart, i.destEnd), title: i.title })),
      [
        { src: '![fox](images/fox.png "A fox")', alt: 'fox', url: 'images/fox.png', dest: 'images/fox.png', title: 'A fox' },
        { src: '![b](<my images/b (1).png>)', alt: 'b', url: 'my images/b (1).png', dest: '<my images/b (1).png>', title: undefined },
        { src: '![c](c\\(1\\).webp)', alt: 'c', url: 'c(1).webp', dest: 'c\\(1\\).webp', title: undefined },
      ],
    );
    assert.equal('title' in images[1]!, false);
  });

  it('a title containing ] and ) does not confuse the destination', () => {
    const text = '![a ] b](x.png "t ] ) (")';
    assert.equal(scanMarkdown(text).images.length, 0, 'unescaped ] ends the label: not an image');
    const text2 = '![a \\] b](x.png "t ] ) (")';
    const [img] = scanMarkdown(text2).images;
    assert.equal(img!.alt, 'a \\] b');
    assert.equal(text2.slice(img!.destStart, img!.destEnd), 'x.png');
    assert.equal(img!.title, 't ] ) (');
    assert.equal(img!.end, text2.length);
  });

  it('placeholders are not image links and image links are not placeholders', () => {
    const scan = scanMarkdown('![p]() ![i](i.png)');
    assert.deepEqual(scan.placeholders.map((p) => p.alt), ['p']);
    assert.deepEqual(scan.images.map((i) => i.alt), ['i']);
  });

  it('images in code, front matter and references are not reported', () => {
    const text = '---\nx: ![a](a.png)\n---\n`![b](b.png)`\n\n    ![c](c.png)\n\n![d][d]\n\n[d]: d.png\n';
    assert.deepEqual(scanMarkdown(text).images, []);
  });

  it('CRLF offsets for images', () => {
    const text = 'x\r\n\r\n> ![q](q.png)\r\n';
    const [img] = scanMarkdown(text).images;
    assert.equal(text.slice(img!.start, img!.end), '![q](q.png)');
    assert.equal(text.slice(img!.destStart, img!.destEnd), 'q.png');
  });
});

describe('placeholderAt / imageAt', () => {
  const text = 'ab ![one]() cd ![two]()![three]() ![pic](p.png)';
  const scan = scanMarkdown(text);
  const one = text.indexOf('![one]');
  const two = text.indexOf('![two]');
  const three = text.indexOf('![three]');
  const pic = text.indexOf('![pic]');

  it('finds the placeholder under the cursor, both ends included', () => {
    assert.equal(placeholderAt(scan, one)?.alt, 'one');
    assert.equal(placeholderAt(scan, one + 5)?.alt, 'one');
    assert.equal(placeholderAt(scan, one + '![one]()'.length)?.alt, 'one');
  });

  it('returns nothing outside any placeholder', () => {
    assert.equal(placeholderAt(scan, 0), undefined);
    assert.equal(placeholderAt(scan, one + '![one]()'.length + 1), undefined);
    assert.equal(placeholderAt(scan, pic + 2), undefined);
  });

  it('between two touching placeholders the one that starts at the cursor wins', () => {
    assert.equal(placeholderAt(scan, three)?.alt, 'three');
    assert.equal(placeholderAt(scan, three - 1)?.alt, 'two');
    assert.equal(placeholderAt(scan, two)?.alt, 'two');
  });

  it('finds the image link under the cursor', () => {
    assert.equal(imageAt(scan, pic)?.url, 'p.png');
    assert.equal(imageAt(scan, text.length)?.url, 'p.png');
    assert.equal(imageAt(scan, pic - 1), undefined);
    assert.equal(imageAt(scan, one), undefined);
  });
});

describe('ScanCache', () => {
  it('parses a document version once', () => {
    const cache = new ScanCache();
    let reads = 0;
    const text = () => {
      reads++;
      return '![a]()';
    };
    const first = cache.get('file:///a.md', 1, text);
    const second = cache.get('file:///a.md', 1, text);
    assert.equal(reads, 1);
    assert.equal(second, first);
    assert.equal(first.placeholders.length, 1);
  });

  it('rescans when the version changes', () => {
    const cache = new ScanCache();
    cache.get('doc', 1, () => '![a]()');
    const next = cache.get('doc', 2, () => '![a]() ![b]()');
    assert.deepEqual(next.placeholders.map((p) => p.alt), ['a', 'b']);
  });

  it('forgets the least recently used document beyond its capacity', () => {
    const cache = new ScanCache(2);
    const reads: string[] = [];
    const doc = (key: string) => cache.get(key, 1, () => (reads.push(key), '![x]()'));
    doc('a');
    doc('b');
    doc('a'); // a is now the most recent
    doc('c'); // evicts b
    doc('a');
    doc('b');
    assert.deepEqual(reads, ['a', 'b', 'c', 'b']);
  });
});

describe('scanMarkdown: front matter', () => {
  it('reports a YAML block: its range, its kind and the text between the fences', () => {
    const text = '---\ntitle: x\npictor:\n  size: 16:9\n---\n\n![after]()\n';
    const { frontMatter, placeholders } = scanMarkdown(text);
    assert.ok(frontMatter);
    assert.equal(frontMatter.kind, 'yaml');
    assert.equal(text.slice(frontMatter.start, frontMatter.end), '---\ntitle: x\npictor:\n  size: 16:9\n---');
    assert.equal(frontMatter.raw, 'title: x\npictor:\n  size: 16:9');
    assert.equal(text.slice(frontMatter.rawStart, frontMatter.rawEnd), frontMatter.raw);
    assert.deepEqual(placeholders.map((p) => p.alt), ['after']);
  });

  it('TOML, CRLF, a byte order mark and trailing spaces on the fences', () => {
    const text = '\uFEFF+++  \r\ncover = "![x]()"\r\n+++\t\r\n# Doc ![y]()\r\n';
    const { frontMatter, placeholders } = scanMarkdown(text);
    assert.ok(frontMatter);
    assert.equal(frontMatter.kind, 'toml');
    assert.equal(frontMatter.start, 1);
    assert.equal(text.slice(frontMatter.start, frontMatter.end), '+++  \r\ncover = "![x]()"\r\n+++\t');
    assert.equal(frontMatter.raw, 'cover = "![x]()"');
    assert.deepEqual(placeholders.map((p) => text.slice(p.start, p.end)), ['![y]()']);
  });

  it('is reported even when the page has no image at all', () => {
    assert.equal(scanMarkdown('---\na: 1\n---\ntext\n').frontMatter?.raw, 'a: 1');
    assert.equal(scanMarkdown('---\n---\n').frontMatter?.raw, '');
  });

  it('is not front matter: unclosed, not on the first line, four dashes, nothing after the fence', () => {
    for (const text of ['---\na: 1\n\n![x]()\n', '\n---\na: 1\n---\n![x]()', '----\na: 1\n----\n![x]()', '---', '--- x\na\n---\n']) {
      assert.equal(scanMarkdown(text).frontMatter, undefined, JSON.stringify(text));
    }
    // Unclosed, `---` is a thematic break and what follows is Markdown.
    assert.deepEqual(scanMarkdown('---\na: 1\n\n![x]()\n').placeholders.map((p) => p.alt), ['x']);
  });

  it('follows edits through ScanCache: changed, removed, added', () => {
    const cache = new ScanCache();
    assert.equal(cache.get('d', 1, () => '---\na: 1\n---\n![x]()\n').frontMatter?.raw, 'a: 1');
    assert.equal(cache.get('d', 2, () => '---\na: 22\n---\n![x]()\n').frontMatter?.raw, 'a: 22');
    assert.equal(cache.get('d', 3, () => '--\na: 22\n---\n![x]()\n').frontMatter, undefined);
    assert.equal(cache.get('d', 4, () => '---\na: 22\n---\n![x]()\n').frontMatter?.end, 13);
  });
});

describe('scanMarkdown: tabs and astral characters inside containers', () => {
  it('a tab partly used as list indentation', () => {
    expectPlaceholders('- a\n\n \t![after a partial tab]()\n', [ph('![after a partial tab]()', 'after a partial tab')]);
    expectPlaceholders('1.\ta\n\n\t![tab-indented item]()\n', [ph('![tab-indented item]()', 'tab-indented item')]);
  });

  it('an alt across lines of a nested quote and list, with astral characters', () => {
    const text = '> - 🦊 ![🦊 one\n>   two 🦊]( <> ) 🦊\n';
    const [p] = scanMarkdown(text).placeholders;
    assert.equal(text.slice(p!.start, p!.end), '![🦊 one\n>   two 🦊]( <> )');
    assert.equal(p!.alt, '🦊 one\n>   two 🦊');
    assert.equal(p!.prompt, '🦊 one\ntwo 🦊');
    assert.equal(text.slice(p!.destStart, p!.destEnd), '<>');
  });

  it('a table cell after an escaped pipe keeps exact offsets', () => {
    const text = '| a | b |\r\n|---|---|\r\n| x \\| 🦊 ![in cell]() | ![two](t.png) |\r\n';
    expectPlaceholders(text, [ph('![in cell]()', 'in cell')]);
    const [img] = scanMarkdown(text).images;
    assert.equal(text.slice(img!.start, img!.end), '![two](t.png)');
  });
});
