// Issue 18: a page is untrusted input. Property tests over what Pictor reads from it — the front
// matter's `pictor:` block, a placeholder's override comment, the Markdown scan — with generated pages
// that mix good options with YAML's every trick (anchors, aliases and alias bombs, tags, block scalars,
// deep nesting, comments), stray words, unclosed comments, long lines, CR/CRLF and odd characters.
// Every case must end quickly, never throw out of a reader, and give values that can be sent or a few
// short problems that say why not. Fixed seeds: a failure prints its seed and path and replays the same.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkOptionValue, MAX_UNKNOWN_WARNINGS, OPTION_KEYS, readOverride, readPageOptions, type OptionKey, type OptionProblem, type ReadOptions,
} from '../../src/core/pageOptions';
import { findFrontMatter } from '../../src/core/scan/frontMatter';
import { MarkdownDocument } from '../../src/core/scan/document';

const RUNS = 2000;
/** Per case: a reader that is linear in the page does any of these in milliseconds; 20× the slowest seen, and more. */
const CASE_MS = 2000;
/** Problems one reading may make: one per option that is blocked (and one that blocks them all), and the capped rest. */
const MAX_PROBLEMS = OPTION_KEYS.length + 1 + MAX_UNKNOWN_WARNINGS;
/** Characters of a page's own text one problem may carry into its words. */
const MAX_WORDS = 300;

const timed = <T>(what: string, f: () => T): T => {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  assert.ok(ms < CASE_MS, `${what} took ${ms.toFixed(0)} ms`);
  return out;
};

/** What every reading must give: values that can be sent, and a few short problems inside the text for the rest. */
function checkRead(text: string, r: ReadOptions): void {
  assert.ok(r.problems.length <= MAX_PROBLEMS, `${r.problems.length} problems`);
  for (const p of r.problems) {
    assert.ok(p.start >= 0 && p.start <= p.end && p.end <= text.length, `range ${p.start}-${p.end} of ${text.length}`);
    const words = (p.key ?? '').length + (p.value ?? '').length + (p.detail ?? '').length;
    assert.ok(words <= MAX_WORDS, `${p.kind}: ${words} characters of words`);
    assert.equal(p.severity, p.kind === 'unknown' || p.kind === 'toml' ? 'warning' : 'error', p.kind);
  }
  for (const [key, value] of Object.entries(r.layer.values)) {
    const c = checkOptionValue(key as OptionKey, value);
    assert.ok(c.ok && (Array.isArray(value) ? JSON.stringify(c.value) === JSON.stringify(value) : c.value === value), `${key}: ${String(value).slice(0, 40)} is sent`);
  }
  // A blocked option is always shown why: the problem that blocks it is among those worded.
  for (const p of Object.values(r.layer.invalid ?? {})) assert.ok(r.problems.includes(p as OptionProblem), `blocked by a problem not shown: ${p?.kind}`);
}

// ---- generators -----------------------------------------------------------------------------------

/**
 * Characters that mean something to YAML, Markdown or the readers, and a few that mean trouble. Not
 * `&` and `*`: where those start a YAML node they are an anchor or an alias, and the generators below
 * write those only as such (named with capitals, which nothing else writes), so a test knows which
 * pages have one. `&` and `*` inside values come from AMPERSANDS; the noisy front matter has them all.
 */
const TRICKY = [...'abcxyz019 \t-:[]{},!|>#\'"?%@`\\<>=/()', '\n', '\r\n', '\r', '-->', '<!--', '\u00A0', '\u2028', '\uFEFF', '\uD83E\uDD8A', '\uD800', '\0'];
const tricky = (maxLength: number) => fc.string({ unit: fc.constantFrom(...TRICKY), maxLength });
const noisy = (maxLength: number) => fc.string({ unit: fc.constantFrom(...TRICKY, '&', '*', '&a ', '*a', '&l', '*l'), maxLength });
const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const anchorName = fc.constantFrom('AQ', 'AZ');
/** `&` and `*` where YAML reads them as text. */
const AMPERSANDS = ['"&a *b"', "'*a'", 'rock & roll', 'a*b*', 'x &y *z', '"16:9" # & *', '|\n    * a list\n    & more'];

/** Values as written after `key: ` in YAML: good ones, wrong ones, and YAML's tricks. */
const yamlValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...AMPERSANDS),
    fc.constantFrom('"16:9"', '16:9', '1536x1024', 'auto', '2K', '4k', 'high', 'Low', '2', '10', '11', '0', '2.5', '"2"', 'ink sketch', '""', '~', 'null', 'true', '.nan', '0x1F', '7:7', '99999999999999999999:1'),
    tricky(40),
    tricky(40).map((s) => JSON.stringify(s)),
    tricky(40).map((s) => `'${s.replace(/'/g, "''")}'`),
    fc.tuple(anchorName, tie('value')).map(([a, v]) => `&${a} ${v}`),
    anchorName.map((a) => `*${a}`),
    fc.tuple(fc.constantFrom('!!str', '!!int', '!!binary', '!foo', '!!map', '!<tag:x>'), tie('value')).map(([t, v]) => `${t} ${v}`),
    fc.array(tie('value'), { maxLength: 4 }).map((vs) => `[${vs.join(', ')}]`),
    fc.array(fc.tuple(word, tie('value')), { maxLength: 3 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    fc.tuple(fc.constantFrom('|', '>', '|-', '>+', '|2'), fc.array(tricky(20), { maxLength: 3 })).map(([i, ls]) => `${i}\n${ls.map((l) => `    ${l}`).join('\n')}`),
    fc.integer({ min: 1, max: 300 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 1, max: 5000 }).map((n) => 'x'.repeat(n)),
    fc.constant('a # comment'),
  ),
})).value;

/** `levels` levels of ten aliases each: 10^levels leaves if anything expands it. */
const bombLines = (levels: number, name: string) => {
  const lines = [`${name}0: &${name}0 [lol, lol, lol, lol]`];
  for (let i = 1; i <= levels; i++) lines.push(`${name}${i}: &${name}${i} [${Array(10).fill(`*${name}${i - 1}`).join(', ')}]`);
  return { lines, top: `*${name}${levels}` };
};

interface GeneratedPage { text: string; aliasInPictor: boolean }

/** A front matter with a `pictor:` block (block or flow style), lines around it, and Markdown after. */
const frontMatterPage: fc.Arbitrary<GeneratedPage> = fc.record({
  before: fc.array(fc.oneof(
    fc.tuple(word, yamlValue).map(([k, v]) => `${k}: ${v}`),
    fc.constant('defaults: &a {x: 1}'),
    fc.integer({ min: 1, max: 9 }).map((n) => bombLines(n, 'l').lines.join('\n')),
    tricky(30),
  ), { maxLength: 3 }),
  style: fc.constantFrom('block', 'flow', 'scalar', 'bomb'),
  entries: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...OPTION_KEYS), word, tricky(10), fc.integer({ min: 1, max: 30_000 }).map((n) => `k${n}`)), yamlValue), { maxLength: 8 }),
  many: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
  after: fc.array(tricky(30), { maxLength: 2 }),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
}).map((g): GeneratedPage => {
  const pictor: string[] = [];
  let aliasInPictor = false;
  const bomb = bombLines(8, 'b');
  if (g.style === 'bomb') {
    pictor.push(...bomb.lines, `pictor: ${bomb.top}`);
    aliasInPictor = true;
  } else if (g.style === 'scalar') {
    pictor.push(`pictor: ${g.entries[0]?.[1] ?? ''}`);
  } else if (g.style === 'flow') {
    pictor.push(`pictor: {${g.entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`);
  } else {
    pictor.push('pictor:', ...g.entries.map(([k, v]) => `  ${k}: ${v.replace(/\n/g, '\n  ')}`));
    if (g.many) for (let i = 0; i < g.many; i++) pictor.push(`  u${i}: v`);
  }
  // The generators write an anchor or an alias only as one, and only these are named with capitals.
  if (g.style !== 'bomb') aliasInPictor = /[&*]A/.test(pictor.join('\n'));
  const lines = ['---', ...g.before, ...pictor, ...g.after, '---', '', '![a fox]()', ''];
  return { text: (g.bom ? '\uFEFF' : '') + lines.join('\n').replace(/\r?\n/g, g.eol), aliasInPictor };
});

/** Text between the fences made of YAML's characters only: whatever it parses as, or not. */
const noisyFrontMatter = fc.tuple(noisy(300), fc.boolean()).map(([body, head]) => `---\n${head ? 'pictor:' : ''}${body}\n---\n`);

/** A placeholder, then maybe an override comment: good pairs, wrong ones, stray words, quotes, no `-->`. */
const token = fc.oneof(
  fc.tuple(fc.constantFrom(...OPTION_KEYS), yamlValue).map(([k, v]) => `${k}=${v.replace(/\s/g, '')}`),
  fc.tuple(fc.constantFrom(...OPTION_KEYS, 'sise', 'Size'), tricky(20)).map(([k, v]) => `${k}="${v}"`),
  fc.tuple(fc.constantFrom(...OPTION_KEYS), tricky(20)).map(([k, v]) => `${k}='${v}'`),
  fc.constantFrom('size=16:9', 'n=2', 'n=1 n=2', 'quality=ultra', 'style="ink, loose"', 'resolution=2k', '= =', '"', "'", 'k="', '--', '->'),
  tricky(20),
  fc.integer({ min: 1, max: 2000 }).map((n) => 'w '.repeat(n)),
);
const overrideLine = fc.record({
  alt: tricky(12),
  dest: fc.constantFrom('()', '(<>)', '( )', '(x.png)'),
  gap: fc.constantFrom('', ' ', '\t', '  ', ' text '),
  head: fc.constantFrom('<!-- pictor:', '<!--pictor:', '<!-- Pictor :', '<!-- pictor', '<!-- note', ''),
  body: fc.array(token, { maxLength: 6 }).map((t) => t.join(' ')),
  close: fc.constantFrom(' -->', '-->', '', ' --', ' -- >'),
  tail: tricky(20),
}).map((l) => `![${l.alt}]${l.dest}${l.gap}${l.head} ${l.body}${l.close}${l.tail}`);

/** A Markdown page: override lines among the blocks that change how a line is read. */
const markdownPage = fc.record({
  blocks: fc.array(fc.oneof(
    { weight: 4, arbitrary: overrideLine },
    { weight: 1, arbitrary: fc.constantFrom('```', '~~~', '    code', '> ![q]() <!-- pictor: n=2', '- ![li]() <!-- pictor: quality=low -->', '| a | ![t]() |', '|---|---|', '[r]: /x', '<!--', '-->', '# ![h]()', '***', '', '<div>', '</div>') },
    { weight: 1, arbitrary: tricky(60) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 150 }).map((n) => '![a]() <!-- pictor: n=2 '.repeat(n)) },
  ), { maxLength: 8 }),
  frontMatter: fc.option(frontMatterPage.map((p) => p.text.slice(0, p.text.lastIndexOf('---') + 3)), { nil: undefined }),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
}).map((g) => [...(g.frontMatter ? [g.frontMatter] : []), ...g.blocks].join('\n').replace(/\r?\n/g, g.eol));

const page = (text: string) => readPageOptions(text, findFrontMatter(text, text.startsWith('\uFEFF') ? 1 : 0));

/** The comment's range as the rule says: from `<!--` to just after the first `-->` on the line, else to the line's end. */
function expectedComment(text: string, end: number): { start: number; end: number } | undefined {
  const head = /^[ \t]*<!--[ \t]*pictor[ \t]*:/i.exec(text.slice(end, end + 200));
  if (!head) return undefined;
  const bodyStart = end + head[0].length;
  const lineEnd = /[\r\n]|$/.exec(text.slice(bodyStart))!.index + bodyStart;
  const close = text.indexOf('-->', bodyStart);
  return { start: end + head[0].indexOf('<'), end: close !== -1 && close + 3 <= lineEnd ? close + 3 : lineEnd };
}

// ---- properties -----------------------------------------------------------------------------------

describe('untrusted page input: property tests (issue 18)', function () {
  this.timeout(120_000);

  it('front matter: any pictor: block is read in bounded time into values or a few short problems; anchors and aliases are refused', () => {
    fc.assert(fc.property(frontMatterPage, ({ text, aliasInPictor }) => {
      const r = timed('readPageOptions', () => page(text));
      checkRead(text, r);
      if (aliasInPictor) {
        assert.ok(r.problems.some((p) => p.kind === 'alias' || p.kind === 'yaml'), `kinds: ${r.problems.map((p) => p.kind).join(', ')}`);
        assert.deepEqual(r.layer.values, {});
      } else assert.ok(r.problems.every((p) => p.kind !== 'alias'), 'an alias found where none was written');
    }), { seed: 18_001, numRuns: RUNS });
  });

  it('front matter: text made of YAML\'s characters never throws out of the reader', () => {
    fc.assert(fc.property(noisyFrontMatter, (text) => {
      checkRead(text, timed('readPageOptions', () => page(text)));
    }), { seed: 18_002, numRuns: RUNS });
  });

  it('override comments: read in bounded time, on the placeholder\'s line only, into values or a few short problems, in any order', () => {
    fc.assert(fc.property(fc.array(overrideLine, { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 8 }),
      (lines, eol, order) => {
        const text = lines.join(eol);
        const ends = [...new MarkdownDocument(text).scan.placeholders.map((p) => p.end), text.indexOf(']') + 3];
        // In the page's order, then again in a generated order: an answer never depends on the one before.
        for (const end of [...ends, ...order.map((i) => ends[i % ends.length]!)]) {
          const o = timed('readOverride', () => readOverride(text, end));
          const want = expectedComment(text, end);
          assert.deepEqual(o && { start: o.start, end: o.end }, want);
          if (!o) continue;
          assert.ok(!/[\r\n]/.test(text.slice(o.start, o.end)), 'the comment stays on its line');
          checkRead(text, o);
          if (o.problems.some((p) => p.kind === 'unclosed')) assert.equal(Object.keys(o.layer.invalid ?? {}).length, OPTION_KEYS.length);
        }
      }), { seed: 18_003, numRuns: RUNS });
  });

  it('Markdown pages: the scan and every reader over it end in bounded time, and an edited page scans as a fresh one', () => {
    fc.assert(fc.property(markdownPage, fc.nat(), fc.nat(), tricky(10), (text, at, cut, insert) => {
      const scan = timed('scan', () => new MarkdownDocument(text).scan);
      let last = -1;
      for (const p of scan.placeholders) {
        assert.ok(p.start > last && p.start < p.end && p.end <= text.length && text.startsWith('![', p.start), `placeholder at ${p.start}-${p.end}`);
        assert.ok(p.start <= p.destStart && p.destStart <= p.destEnd && p.destEnd <= p.end);
        last = p.start;
      }
      timed('every reader', () => {
        checkRead(text, page(text));
        for (const p of scan.placeholders) {
          const o = readOverride(text, p.end);
          if (o) checkRead(text, o);
        }
      });
      // The scan kept between edits gives what a scan of the edited page gives.
      const from = at % (text.length + 1);
      const edited = text.slice(0, from) + insert + text.slice(Math.min(text.length, from + (cut % 20)));
      const doc = new MarkdownDocument(text);
      assert.deepEqual(timed('update', () => doc.update(edited)), new MarkdownDocument(edited).scan);
    }), { seed: 18_004, numRuns: 1000 });
  });
});
