// The small shared helpers (issue 11 item 9): the keyed serial queue, code-point counting, path
// containment and the Disposable base of the glue classes.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { KeyedQueue, SerialQueue } from '../../src/core/keyedQueue';
import { extensionOf, insideFolders } from '../../src/core/paths';
import { codePointCount } from '../../src/shared/text';
import { Disposable } from '../../src/vscode/disposable';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A promise and the functions that settle it. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('KeyedQueue', () => {
  it('runs the operations of one key one after another, in order', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const first = deferred();
    const a = q.run('doc', async () => { log.push('a start'); await first.promise; log.push('a end'); return 1; });
    const b = q.run('doc', () => { log.push('b'); return 2; });
    await tick();
    assert.deepEqual(log, ['a start'], 'b waits for a');
    first.resolve();
    assert.deepEqual([await a, await b], [1, 2]);
    assert.deepEqual(log, ['a start', 'a end', 'b']);
  });

  it('runs different keys side by side', async () => {
    const q = new KeyedQueue();
    const hold = deferred();
    const log: string[] = [];
    void q.run('one', async () => { await hold.promise; log.push('one'); });
    await q.run('two', () => { log.push('two'); });
    assert.deepEqual(log, ['two'], 'two did not wait for one');
    hold.resolve();
    await q.idle('one');
    assert.deepEqual(log, ['two', 'one']);
  });

  it('gives a failure to its own caller and goes on with the next operation', async () => {
    const q = new KeyedQueue();
    const failed = q.run('f', () => Promise.reject(new Error('disk full')));
    const next = q.run('f', () => 'written');
    await assert.rejects(failed, /disk full/);
    assert.equal(await next, 'written');
  });

  it('idle settles once everything queued so far has settled, even after a failure, and never rejects', async () => {
    const q = new KeyedQueue();
    let done = 0;
    void q.run('k', async () => { await tick(); done++; });
    q.run('k', () => { done++; throw new Error('no'); }).catch(() => undefined);
    await q.idle('k');
    assert.equal(done, 2);
    await q.idle('never used');
  });

  it('forgets a key once its operations are done', async () => {
    const q = new KeyedQueue();
    await q.run('a', () => undefined);
    await q.idle('a');
    await tick();
    assert.equal(q.busyKeys, 0);
  });
});

describe('SerialQueue', () => {
  it('runs operations in the order queued, one at a time', async () => {
    const q = new SerialQueue();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all([3, 1, 2].map((ms, i) => q.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      order.push(i);
      running--;
    })));
    assert.equal(most, 1);
    assert.deepEqual(order, [0, 1, 2]);
    await q.idle();
  });
});

describe('codePointCount', () => {
  for (const s of ['', 'abc', '🦊', 'a🦊b', '東京の夜景', 'e\u0301', '\ud83e', '\udc00a', '🦊'.repeat(100)]) {
    it(`counts ${JSON.stringify(s).slice(0, 30)} as the string iterator does`, () => assert.equal(codePointCount(s), [...s].length));
  }
});

describe('path containment (core/paths)', () => {
  it('is inside only strictly below a folder, after . and ..', () => {
    assert.equal(insideFolders('/ws/a.png', ['/ws'], path.posix), true);
    assert.equal(insideFolders('/ws', ['/ws'], path.posix), false);
    assert.equal(insideFolders('/ws/../etc/passwd', ['/ws'], path.posix), false);
    assert.equal(insideFolders('/wsx/a.png', ['/ws'], path.posix), false);
    assert.equal(insideFolders('/ws/..a.png', ['/ws'], path.posix), true, 'a name that starts with two dots is still inside');
    assert.equal(insideFolders('ws/a.png', ['/ws'], path.posix), false, 'relative paths are refused');
  });

  it('reads extensions the same way for / and \\ separators', () => {
    assert.equal(extensionOf('/a/b/c.PNG'), '.png');
    assert.equal(extensionOf('C:\\a.b\\c'), '');
    assert.equal(extensionOf('.hidden'), '');
    assert.equal(extensionOf('dir\\x.jpeg'), '.jpeg');
  });
});

describe('Disposable', () => {
  class Owner extends Disposable {
    readonly log: string[] = [];
    add(name: string) {
      return this.register({ dispose: () => this.log.push(name) });
    }
  }

  it('disposes what it registered once, in the order registered', () => {
    const o = new Owner();
    o.add('a');
    o.add('b');
    o.dispose();
    o.dispose();
    assert.deepEqual(o.log, ['a', 'b']);
    assert.equal(o.isDisposed, true);
  });

  it('disposes at once what is registered after it was disposed', () => {
    const o = new Owner();
    o.dispose();
    o.add('late');
    assert.deepEqual(o.log, ['late']);
  });

  it('returns the first thing registered, so a field can be made and owned in one line', () => {
    class WithField extends Disposable {
      readonly emitter = this.register({ fired: 0, dispose() { this.fired = -1; } });
    }
    const w = new WithField();
    w.dispose();
    assert.equal(w.emitter.fired, -1);
  });
});
