// How a placeholder's range (or an insertion point) follows the user's typing while its task runs.
import * as assert from 'node:assert/strict';
import { shift } from '../../src/vscode/place/tracker';

type R = { start: number; end: number; touched: boolean };
const range = (start: number, end: number): R => ({ start, end, touched: false });

/** Applies one replacement of [from, to) by `text` to a string and to a range in it. */
function edit(doc: string, r: R, from: number, to: number, text: string): string {
  shift(r, from, to, text.length);
  return doc.slice(0, from) + text + doc.slice(to);
}

describe('tracker shift', () => {
  const doc = 'intro ![a fox]() outro';
  const at = () => range(6, 16); // ![a fox]()

  it('typing before the range moves it by what was typed', () => {
    const r = at();
    const after = edit(doc, r, 0, 0, 'new ');
    assert.equal(after.slice(r.start, r.end), '![a fox]()');
    assert.equal(r.touched, false);
  });

  it('deleting before the range moves it back', () => {
    const r = at();
    const after = edit(doc, r, 0, 6, '');
    assert.equal(after.slice(r.start, r.end), '![a fox]()');
  });

  it('typing right at its start goes before it; right at its end, after it', () => {
    const r = at();
    let after = edit(doc, r, 6, 6, 'See: ');
    after = edit(after, r, r.end, r.end, ' (caption)');
    assert.equal(after, 'intro See: ![a fox]() (caption) outro');
    assert.equal(after.slice(r.start, r.end), '![a fox]()');
    assert.equal(r.touched, false);
  });

  it('anything after the range leaves it as it is', () => {
    const r = at();
    edit(doc, r, 17, 22, 'the end, rewritten');
    assert.deepEqual(r, at());
  });

  it('an edit inside the range marks it touched (its text can no longer be trusted)', () => {
    const r = at();
    edit(doc, r, 9, 12, 'wolf');
    assert.equal(r.touched, true);
  });

  it('a deletion that swallows the range marks it touched', () => {
    const r = at();
    const after = edit(doc, r, 3, 20, '');
    assert.equal(r.touched, true);
    assert.ok(r.start <= r.end && r.end <= after.length);
  });

  it('a replacement that overlaps its start marks it touched', () => {
    const r = at();
    edit(doc, r, 4, 8, 'XX');
    assert.equal(r.touched, true);
  });

  it('an insertion point moves with text typed before it and stays put for text after it', () => {
    const p = range(5, 5);
    let s = edit('line1\nline2', p, 0, 0, '>> ');
    assert.equal(s.slice(0, p.start), '>> line1');
    s = edit(s, p, p.start + 1, p.start + 1, 'new line\n');
    assert.equal(s.slice(0, p.start), '>> line1');
    assert.equal(p.touched, false);
  });

  it('an insertion point inside replaced text moves to the end of the replacement', () => {
    const p = range(5, 5);
    edit('line1\nline2', p, 2, 8, 'XYZ');
    assert.deepEqual(p, { start: 5, end: 5, touched: false });
  });
});
