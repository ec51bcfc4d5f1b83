// The one way Pictor shortens text it quotes (shared/text.ts): in code points, never in the middle of a
// character, with an ellipsis when cut; shortLine puts the text on one line first.
import * as assert from 'node:assert/strict';
import { codePointCount, oneLine, shortLine, shorten } from '../../src/shared/text';

describe('shorten and shortLine: one way to quote text', () => {
  it('leaves text within the limit as it is, and cuts longer text to the limit with an ellipsis', () => {
    assert.equal(shorten('a red fox', 9), 'a red fox');
    assert.equal(shorten('a red fox asleep', 9), 'a red fo…');
    assert.equal(codePointCount(shorten('x'.repeat(500))), 80, 'the default limit');
  });

  it('counts characters, not UTF-16 units: an emoji or a rare CJK character is one, and is never split', () => {
    const foxes = '🦊'.repeat(10);
    assert.equal(shorten(foxes, 10), foxes, 'ten characters fit in ten (20 UTF-16 units)');
    const cut = shorten(foxes, 5);
    assert.equal(cut, '🦊🦊🦊🦊…');
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut), 'no lone high surrogate');
    assert.equal(shorten('𠀀𠀁𠀂𠀃', 3), '𠀀𠀁…');
  });

  it('shortLine: line breaks and runs of spaces become one space before the cut', () => {
    assert.equal(shortLine('  a red\n\n fox\tasleep  ', 80), 'a red fox asleep');
    assert.equal(shortLine('a\nb\nc\nd\ne', 5), 'a b …');
    assert.equal(oneLine(' a \r\n b '), 'a b');
  });
});
