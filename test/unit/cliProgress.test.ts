// The `pictor` command's progress line (src/cli/progress.ts): what a terminal shows, and that without
// a terminal nothing but the lines themselves is written.
import * as assert from 'node:assert/strict';
import { clock, ERASE_LINE, progressLine, Screen } from '../../src/cli/progress';

describe('the pictor progress line', () => {
  it('shows images done of total, running, failed (when any) and the elapsed time', () => {
    assert.equal(progressLine({ total: 10, done: 4, running: 2, failed: 0, elapsedMs: 12_400 }), '[########------------]  4/10 images · 2 running · 0:12');
    assert.equal(progressLine({ total: 3, done: 3, running: 0, failed: 1, elapsedMs: 3_725_000 }), '[####################] 3/3 images · 0 running · 1 failed · 1:02:05');
    assert.equal(progressLine({ total: 0, done: 0, running: 0, failed: 0, elapsedMs: 0 }), '[--------------------] 0/0 images · 0 running · 0:00');
    assert.equal(clock(61_000), '1:01');
  });

  it('on a terminal, lines are printed above the progress line, which is erased first and drawn again; without one, only the lines', () => {
    const written: string[] = [];
    const term = { write: (s: string) => written.push(s), columns: 200 };
    const tty = new Screen(term, true);
    tty.start(() => ({ total: 2, done: 1, running: 1, failed: 0, elapsedMs: 0 }));
    tty.print(term, 'saved a.png');
    tty.stop();
    assert.deepEqual(written, [
      `${ERASE_LINE}[##########----------] 1/2 images · 1 running · 0:00`,
      ERASE_LINE, 'saved a.png\n', '[##########----------] 1/2 images · 1 running · 0:00',
      ERASE_LINE,
    ]);
    const plainOut: string[] = [];
    const pipe = { write: (s: string) => plainOut.push(s) };
    const plain = new Screen(pipe, false);
    plain.start(() => ({ total: 2, done: 1, running: 1, failed: 0, elapsedMs: 0 }));
    plain.redraw();
    plain.print(pipe, 'saved a.png');
    plain.stop();
    assert.deepEqual(plainOut, ['saved a.png\n']);
  });

  it('is cut to the terminal width', () => {
    const written: string[] = [];
    const s = new Screen({ write: (x: string) => written.push(x), columns: 21 }, true);
    s.start(() => ({ total: 2, done: 1, running: 1, failed: 0, elapsedMs: 0 }));
    s.stop();
    assert.equal(written[0], `${ERASE_LINE}[##########---------`);
  });
});
