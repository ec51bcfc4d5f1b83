import * as assert from 'node:assert/strict';
import { anchorLineEnd, applyEdits, insertionEdit, placeholderEdit } from '../../src/core/markdownEdits';
import { scanMarkdown } from '../../src/core/placeholders';

describe('fill: the edits that link images into Markdown', () => {
  const fill = (text: string, links: string[], eol = '\n') => {
    const p = scanMarkdown(text).placeholders[0]!;
    return applyEdits(text, [placeholderEdit(text, p, p.prompt, links, eol)]);
  };

  it('one image fills the empty destination and keeps the alt text as written', () => {
    assert.equal(fill('Intro\n\n![a *red* fox]()\n\nEnd\n', ['images/fox-1a2b.png']), 'Intro\n\n![a *red* fox](images/fox-1a2b.png)\n\nEnd\n');
    assert.equal(fill('![fox](<>)', ['images/fox.png']), '![fox](images/fox.png)');
  });

  it('several images replace the placeholder, one per line, inside its list item or quote', () => {
    assert.equal(fill('- ![fox]()\n- next\n', ['a.png', 'b.png']), '- ![fox](a.png)\n  ![fox](b.png)\n- next\n');
    assert.equal(fill('> ![fox]()\r\n', ['a.png', 'b.png'], '\r\n'), '> ![fox](a.png)\r\n> ![fox](b.png)\r\n');
  });

  it('several images in a table cell share the cell', () => {
    assert.equal(fill('| a | b |\n|---|---|\n| x | ![fox]() |\n', ['a.png', 'b.png']), '| a | b |\n|---|---|\n| x | ![fox](a.png) ![fox](b.png) |\n');
  });

  it('inserts images on new lines after a line end, with the document line ending', () => {
    const text = 'first\r\nsecond\r\n';
    const e = insertionEdit(text, 5, 'a fox', ['a.png', 'b.png'], '\r\n');
    assert.equal(applyEdits(text, [e]), 'first\r\n![a fox](a.png)\r\n![a fox](b.png)\r\nsecond\r\n');
    assert.equal(e.start, 7, 'at the start of the next line, so a cursor at the end of "first" does not move');
    const last = 'only line';
    assert.equal(applyEdits(last, [insertionEdit(last, 9, 'a fox', ['a.png'], '\n')]), 'only line\n![a fox](a.png)');
  });

  it('re-finds an insertion line by its text only when it is unique', () => {
    assert.equal(anchorLineEnd('a\r\nthe fox line\r\nb', 'the fox line'), 15);
    assert.equal(anchorLineEnd('x\nsame\nsame\n', 'same'), undefined);
    assert.equal(anchorLineEnd('x\ny\n', 'gone'), undefined);
    assert.equal(anchorLineEnd('x\n\n', ''), undefined);
    assert.equal(anchorLineEnd('x\n', undefined), undefined);
  });
});
