import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { candidateTarget, parsePendingPicks, parseVariantCount, waitsForPick, type PendingPick } from '../../src/core/variants';

describe('variants: several images for one placeholder, one picked', () => {
  it('waits for a pick only with more than one image, and a command may force the mode', () => {
    assert.equal(waitsForPick('pick', 3), true);
    assert.equal(waitsForPick('pick', 1), false, 'one image has nothing to pick from');
    assert.equal(waitsForPick('all', 3), false);
    assert.equal(waitsForPick('all', 4, 'pick'), true, 'Generate Variants picks whatever the setting says');
    assert.equal(waitsForPick('pick', 4, 'all'), false, 'a caller that cannot pick (an agent) gets every link');
  });

  it('reads the number of variants: 2 to 10, whole numbers only, with a message saying what to type', () => {
    assert.deepEqual(parseVariantCount(' 4 '), { ok: true, count: 4 });
    assert.deepEqual(parseVariantCount('2'), { ok: true, count: 2 });
    assert.deepEqual(parseVariantCount('10'), { ok: true, count: 10 });
    for (const bad of ['1', '11', '0', '', 'four', '3.5', '-2', '1e1']) {
      const r = parseVariantCount(bad);
      assert.equal(r.ok, false, bad);
      if (!r.ok) assert.match(r.message, /2 to 10/);
    }
  });

  it('moves the others into candidates/ beside the picked image, numbering a name that is taken', () => {
    const p = path.posix;
    assert.equal(candidateTarget('/w/docs/images/fox-1a2b-2.png', '/w/docs/images/fox-1a2b-1.png', 1, p), '/w/docs/images/candidates/fox-1a2b-1.png');
    assert.equal(candidateTarget('/w/docs/images/fox-1a2b-2.png', '/w/docs/images/fox-1a2b-3.png', 2, p), '/w/docs/images/candidates/fox-1a2b-3-2.png');
    assert.equal(candidateTarget('/w/a/pic.jpeg', '/w/a/other.jpeg', 3, p), '/w/a/candidates/other-3.jpeg');
    assert.equal(candidateTarget('/w/a/pic', '/w/a/noext', 2, p), '/w/a/candidates/noext-2');
    const w = path.win32;
    assert.equal(candidateTarget('C:\\w\\images\\a-1.png', 'C:\\w\\images\\a-2.png', 1, w), 'C:\\w\\images\\candidates\\a-2.png');
  });

  describe('pending picks read back from the workspace state', () => {
    const good: PendingPick = {
      id: 'job-1', taskId: 'task-unified-1', documentUri: 'file:///w/page.md', alt: 'a fox', source: '![a fox]()',
      files: [{ path: path.resolve('/w/images/a-1.png'), width: 1024, height: 1024 }, { path: path.resolve('/w/images/a-2.png') }],
      createdAt: 1_700_000_000_000,
    };

    it('keeps a well-formed entry as it was written', () => {
      assert.deepEqual(parsePendingPicks(JSON.parse(JSON.stringify([good]))), [good]);
    });

    it('drops what is malformed instead of trusting it, and keeps the good ones', () => {
      const bad: unknown[] = [
        null, 'x', [], { ...good, id: '' }, { ...good, documentUri: 3 }, { ...good, source: undefined }, { ...good, alt: 1 },
        { ...good, files: 'a.png' }, { ...good, files: [{ path: 'relative.png' }, { path: '/abs.png' }] },
        { ...good, files: [good.files[0]] }, { ...good, createdAt: 'yesterday' }, { ...good, createdAt: Number.NaN },
        { ...good, files: Array.from({ length: 11 }, (_, i) => ({ path: path.resolve(`/w/${i}.png`) })) },
      ];
      const second = { ...good, id: 'job-2' };
      assert.deepEqual(parsePendingPicks([...bad, good, second]), [good, second]);
      assert.deepEqual(parsePendingPicks(undefined), []);
      assert.deepEqual(parsePendingPicks({ id: 'x' }), []);
    });

    it('keeps one entry per job', () => {
      assert.deepEqual(parsePendingPicks([good, { ...good, alt: 'again' }]), [good]);
    });
  });
});
