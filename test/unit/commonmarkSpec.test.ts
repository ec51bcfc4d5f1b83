// The CommonMark spec's own examples, run as a table against the scanner. The spec's expected
// HTML is the oracle: every `<img>` in it is an image the scanner must report (with its source
// range, destination and alt), except images by reference (`![x][ref]`), which are not
// placeholders or links the extension edits; and the scanner reports nothing that is not there.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { scanMarkdown, type MarkdownScan } from '../../src/core/placeholders';

interface Example {
  markdown: string;
  html: string;
  section: string;
  number: number;
}

const spec = createRequire(__filename)('commonmark-spec') as { tests: Example[] };

/** Every section whose examples say what is and is not an image, or hides one. */
const SECTIONS = [
  'Images',
  'Code spans',
  'Fenced code blocks',
  'Indented code blocks',
  'HTML blocks',
  'Tabs',
  'Backslash escapes',
  'Entity and numeric character references',
  'Block quotes',
  'List items',
  'Lists',
  'Links',
  'Link reference definitions',
  'Raw HTML',
  'Autolinks',
];

interface Img {
  src: string;
  alt: string;
  title?: string;
}

function unescapeHtml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function imagesInHtml(html: string): Img[] {
  const out: Img[] = [];
  for (const m of html.matchAll(/<img src="([^"]*)" alt="([^"]*)"(?: title="([^"]*)")? \/>/g)) {
    const img: Img = { src: unescapeHtml(m[1]!), alt: unescapeHtml(m[2]!) };
    if (m[3] !== undefined) img.title = unescapeHtml(m[3]);
    out.push(img);
  }
  return out;
}

/** The spec's HTML percent-encodes destinations; the scanner keeps them as Markdown reads them. */
function asHref(url: string): string {
  return encodeURI(url).replace(/%25([0-9a-fA-F]{2})/g, '%$1');
}

/** Is this expected image one by reference? Its destination is then in a definition `[label]: dest`. */
function byReference(markdown: string, img: Img): boolean {
  return markdown.split('\n').some((line) => /^\s{0,3}\[[^\]]+\]:/.test(line) && (line.includes(img.src) || asHref(line).includes(img.src)));
}

function found(text: string, scan: MarkdownScan) {
  return [
    ...scan.placeholders.map((p) => ({ start: p.start, end: p.end, alt: p.alt, url: '', destStart: p.destStart, destEnd: p.destEnd, title: undefined as string | undefined, prompt: p.prompt as string | undefined })),
    ...scan.images.map((i) => ({ start: i.start, end: i.end, alt: i.alt, url: i.url, destStart: i.destStart, destEnd: i.destEnd, title: i.title, prompt: undefined })),
  ].sort((a, b) => a.start - b.start).map((f) => ({ ...f, source: text.slice(f.start, f.end) }));
}

describe('CommonMark spec examples against the scanner', () => {
  const examples = spec.tests.filter((t) => SECTIONS.includes(t.section));
  it('has the examples (the package ships them)', () => {
    assert.ok(examples.length > 300, `${examples.length} examples`);
    assert.ok(examples.filter((t) => t.section === 'Images').length >= 20);
  });

  for (const example of examples) {
    const { markdown, html, number, section } = example;
    it(`example ${number} (${section})`, () => {
      const scan = scanMarkdown(markdown);
      const got = found(markdown, scan);
      const expected = imagesInHtml(html);
      let e = 0;
      for (const g of got) {
        // Skip the expected images by reference that come before this one.
        while (e < expected.length && asHref(g.url) !== expected[e]!.src && byReference(markdown, expected[e]!)) e++;
        const want = expected[e++];
        assert.ok(want, `reported an image the spec does not have: ${JSON.stringify(g)}`);
        assert.equal(asHref(g.url), want.src, `destination of ${g.source}`);
        assert.equal(g.title, want.title || undefined, `title of ${g.source}`);
        // The source range is the whole image, as written.
        assert.ok(g.source.startsWith('![') && g.source.endsWith(')'), `range ${JSON.stringify(g.source)}`);
        assert.equal(g.source.slice(2, 2 + g.alt.length), g.alt);
        assert.ok(g.destStart > g.start + 2 + g.alt.length && g.destEnd < g.end, 'destination inside the parentheses');
        if (g.prompt !== undefined) assert.equal(g.prompt, want.alt.trim(), `prompt of ${g.source}`);
        else {
          // An image link's alt as Markdown reads it: empty its destination and read it as a placeholder.
          if (want.title === undefined) {
            const asPlaceholder = markdown.slice(0, g.destStart) + markdown.slice(g.destEnd);
            const p = scanMarkdown(asPlaceholder).placeholders.find((x) => x.start === g.start);
            assert.ok(p, `${JSON.stringify(asPlaceholder)} has a placeholder at ${g.start}`);
            assert.equal(p.prompt, want.alt.trim());
          }
        }
      }
      for (; e < expected.length; e++) {
        assert.ok(byReference(markdown, expected[e]!), `missed the image ${JSON.stringify(expected[e])}`);
      }
    });
  }
});

/**
 * The spec has few images in the sections that matter most (code, HTML, containers). So every one
 * of its 652 examples is also run with images planted into it (for each word `foo`, at every line
 * start, after every container marker, at every line end), and commonmark.js, the spec's reference
 * implementation, says how many of them are images. The scanner must find exactly those, each with
 * its exact source range.
 */
describe('CommonMark spec examples with images planted, against the reference implementation', () => {
  const commonmark = createRequire(__filename)('commonmark') as {
    Parser: new () => { parse(md: string): unknown };
    HtmlRenderer: new () => { render(doc: unknown): string };
  };
  const reader = new commonmark.Parser();
  const writer = new commonmark.HtmlRenderer();
  const plants: Array<[string, (md: string) => string]> = [
    ['for each foo', (m) => m.replace(/foo/g, '![plant]()')],
    ['for each bar, with a destination', (m) => m.replace(/bar/g, '![plant](plant.png)')],
    ['at each line start', (m) => m.replace(/^/gm, '![plant]()')],
    ['at each line end', (m) => m.replace(/$/gm, ' ![plant](<>)')],
    ['after the container markers', (m) => m.replace(/^([ >\-*+\d.)\t]*)/gm, '$1![plant]( )')],
    ['CRLF, for each foo', (m) => m.replace(/foo/g, '![plant]()').replace(/\n/g, '\r\n')],
  ];
  for (const example of spec.tests) {
    it(`example ${example.number} (${example.section})`, () => {
      for (const [how, plant] of plants) {
        const markdown = plant(example.markdown);
        const html = writer.render(reader.parse(markdown));
        const scan = scanMarkdown(markdown);
        const placeholders = scan.placeholders.filter((p) => p.prompt === 'plant');
        const images = scan.images.filter((i) => i.url === 'plant.png');
        const context = `${how}: ${JSON.stringify(markdown)}`;
        assert.equal(placeholders.length, html.match(/<img src="" alt="plant" \/>/g)?.length ?? 0, `placeholders, ${context}`);
        assert.equal(images.length, html.match(/<img src="plant.png" alt="plant" \/>/g)?.length ?? 0, `images, ${context}`);
        for (const p of placeholders) assert.match(markdown.slice(p.start, p.end), /^!\[plant\]\((|<>| )\)$/, context);
        for (const i of images) {
          assert.equal(markdown.slice(i.start, i.end), '![plant](plant.png)', context);
          assert.equal(markdown.slice(i.destStart, i.destEnd), 'plant.png', context);
        }
      }
    });
  }
});
