// Issue 24 §1, planning: a page's `references:` (front matter, an override comment, the
// `pictor.references` setting) resolved to files (relative to the page, or to the workspace for the
// setting) and sent with every placeholder's own; a missing or outside file refused with a reason
// code before anything is sent; at most 16 in all; `styleFrom: first` in document order (a linked
// image is a reference at once; a new first image goes first, alone, the others follow it).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { english } from '../../src/shared/words';
import { plan, planPage, type PlanSettings } from '../../src/core/plan';
import { DEFAULT_OPTIONS } from '../../src/core/pageOptions';
import { scanMarkdown } from '../../src/core/placeholders';
import { withReference } from '../../src/core/request';
import type { ReferenceInput } from '../../src/core/types';

const ROOT = path.resolve('/ws');
const PAGE = path.join(ROOT, 'docs', 'tour.md');
const settings = (references: string[] = []): PlanSettings => ({
  layers: references.length ? [{ from: 'workspace', values: { references } }] : [],
  values: { ...DEFAULT_OPTIONS, references },
  root: ROOT,
});
// The files that exist, with their sizes.
const FILES = new Map([
  [path.join(ROOT, 'docs', 'style.png'), 1000],
  [path.join(ROOT, 'docs', 'img', 'palette one.png'), 2000],
  [path.join(ROOT, 'brand', 'hand.webp'), 3000],
  [path.join(ROOT, 'docs', 'old.png'), 4000],
]);
const fileSize = (f: string) => FILES.get(f);
const planOf = (text: string, refs?: string[]) => planPage({ page: { text, scan: scanMarkdown(text), path: PAGE }, settings: settings(refs), fileSize });
const files = (refs: readonly ReferenceInput[]) => refs.map((r) => (r.kind === 'file' ? path.relative(ROOT, r.path).split(path.sep).join('/') : r.url));

describe('a page\'s references and styleFrom: first, planned (issue 24 §1)', () => {
  it('the front matter\'s references (relative to the page, as in Markdown links) go with every placeholder, after its own', () => {
    const text = ['---', 'pictor:', '  references: [style.png, "img/palette%20one.png", "https://example.com/a.png"]', '---', '', '![a fox]()', '', '![a hare]()', ''].join('\n');
    const p = planOf(text);
    assert.deepEqual(p.skipped, []);
    for (const r of p.requests) {
      assert.deepEqual(files(r.request.references), ['docs/style.png', 'docs/img/palette one.png', 'https://example.com/a.png']);
      assert.deepEqual(r.request.localReferences.length, 2);
      assert.equal(r.follows, undefined);
    }
  });

  it('the setting\'s references are relative to the workspace folder; an override comment\'s to the page', () => {
    const text = ['![a fox]()', '', '![a hare]() <!-- pictor: references=old.png -->', ''].join('\n');
    const p = planOf(text, ['brand/hand.webp']);
    assert.deepEqual(files(p.requests[0]!.request.references), ['brand/hand.webp']);
    assert.deepEqual(files(p.requests[1]!.request.references), ['docs/old.png']);
  });

  it('a missing file, or one outside the workspace, is refused at planning with reason "reference": nothing is sent', () => {
    const missing = planOf(['---', 'pictor:', '  references: [nowhere.png]', '---', '', '![a fox]()', ''].join('\n'));
    assert.equal(missing.requests.length, 0);
    assert.equal(missing.skipped[0]!.reason, 'reference');
    assert.match(english(missing.skipped[0]!.words), /nowhere\.png does not exist/);
    const outside = planOf(['---', 'pictor:', '  references: [../../etc/secret.png]', '---', '', '![a fox]()', ''].join('\n'));
    assert.equal(outside.skipped[0]!.reason, 'reference');
    assert.match(english(outside.skipped[0]!.words), /outside the workspace/);
  });

  it('at most 16 references in all: the page\'s and the placeholder\'s own together are refused above it, with words', () => {
    for (let i = 0; i < 16; i++) FILES.set(path.join(ROOT, 'docs', `r${i}.png`), 10);
    const text = ['---', 'pictor:', `  references: [${Array.from({ length: 16 }, (_, i) => `r${i}.png`).join(', ')}]`, '---', '', '![a fox]()', ''].join('\n');
    assert.equal(planOf(text).requests.length, 1, 'sixteen are fine');
    const scan = scanMarkdown(text);
    const withOwn = plan({
      page: { text, scan, path: PAGE }, settings: settings(), fileSize,
      items: [{ prompt: 'a fox', placeholder: scan.placeholders[0]!, references: [{ kind: 'url', url: 'https://example.com/own.png' }] }],
    });
    assert.equal(withOwn.requests.length, 0, 'sixteen of the page\'s and one of its own are too many');
    assert.match(english(withOwn.skipped[0]!.words), /17 reference images were given; at most 16/);
    const styled = text.replace('![a fox]()', '![an old map](old.png)\n\n![a fox]()').replace('pictor:', 'pictor:\n  styleFrom: first');
    const p = planOf(styled);
    assert.equal(p.requests.length, 0);
    assert.equal(p.skipped[0]!.reason, 'request');
    assert.match(english(p.skipped[0]!.words), /17 reference images were given; at most 16/);
  });

  it('styleFrom: first with a linked first image: that image is a reference of every placeholder at once', () => {
    const text = ['---', 'pictor:', '  styleFrom: first', '---', '', '![the old map](old.png)', '', '![a fox]()', '', '![a hare]()', ''].join('\n');
    const p = planOf(text);
    assert.equal(p.requests.length, 2);
    for (const r of p.requests) {
      assert.deepEqual(files(r.request.references), ['docs/old.png']);
      assert.equal(r.follows, undefined);
    }
  });

  it('styleFrom: first with a new first image: it goes alone, the others follow it (its image added as one more reference)', () => {
    const text = ['---', 'pictor:', '  styleFrom: first', '  references: [style.png]', '---', '', '![a fox]()', '', '![the old map](old.png)', '', '![a hare]()', '', '![an owl]()', ''].join('\n');
    const p = planOf(text);
    assert.deepEqual(p.requests.map((r) => [r.prompt, r.follows]), [['a fox', undefined], ['a hare', 0], ['an owl', 0]]);
    assert.deepEqual(files(p.requests[0]!.request.references), ['docs/style.png'], 'the first image has the page\'s references only');
    const made = withReference(p.requests[1]!.request, { kind: 'file', path: path.join(ROOT, 'images', 'a-fox.png') });
    assert.deepEqual(files(made.references), ['docs/style.png', 'images/a-fox.png']);
    assert.deepEqual(made.localReferences.map((f) => path.basename(f)), ['style.png', 'a-fox.png']);
  });

  it('styleFrom: first whose first image is not sent: the others are left out as "styleFrom", with the first one\'s reason', () => {
    const text = ['---', 'pictor:', '  styleFrom: first', '---', '', '![a fox]() <!-- pictor: quality=ultra -->', '', '![a hare]()', ''].join('\n');
    const p = planOf(text);
    assert.equal(p.requests.length, 0);
    assert.deepEqual(p.skipped.map((s) => [s.prompt, s.reason]), [['a fox', 'options'], ['a hare', 'styleFrom']]);
    assert.match(english(p.skipped[1]!.words), /first image of the page \("a fox"\).*not sent/);
    // Only the second chosen (Generate on it alone): the first must be generated first.
    const alone = planPage({ page: { text, scan: scanMarkdown(text), path: PAGE }, settings: settings(), fileSize, placeholders: [scanMarkdown(text).placeholders[1]!] });
    assert.equal(alone.skipped[0]!.reason, 'styleFrom');
    assert.match(english(alone.skipped[0]!.words), /generate it first/);
  });
});
