// The job store in the workspace Memento: saves asked for while a write is on its way go together in
// the next write, and a save settles only once a write holding it has landed.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { MementoTaskStore } from '../../src/vscode/state/mementoStore';
import type { JobRecord } from '../../src/core/store';
import type { JobMeta } from '../../src/vscode/state/jobMeta';

/** A Memento whose writes land when the test says (as a round trip to the window would). */
class SlowMemento {
  private value: Record<string, unknown> = {};
  readonly writes: Record<string, JobRecord>[] = [];
  readonly landing: (() => void)[] = [];
  failNext?: Error;
  get<T>(key: string, fallback?: T): T {
    return (key in this.value ? this.value[key] : fallback) as T;
  }
  update(key: string, v: unknown): Thenable<void> {
    const fail = this.failNext;
    this.failNext = undefined;
    this.value[key] = JSON.parse(JSON.stringify(v));
    this.writes.push(JSON.parse(JSON.stringify(v)) as Record<string, JobRecord>);
    return new Promise((resolve, reject) => this.landing.push(() => (fail ? reject(fail) : resolve())));
  }
  keys(): readonly string[] { return Object.keys(this.value); }
}

const job = (id: string, state: JobRecord['state'] = 'queued'): JobRecord<JobMeta> =>
  ({ id, state, progress: 0, createdAt: 1, body: { model: 'gpt-image-2', prompt: id }, target: { dir: '/tmp', baseName: id } } as JobRecord<JobMeta>);

const tick = () => new Promise((r) => setImmediate(r));

describe('MementoTaskStore (workspace state)', () => {
  it('one write at a time; saves made meanwhile go in one write; each save settles after its write lands', async () => {
    const m = new SlowMemento();
    const store = new MementoTaskStore(m as unknown as vscode.Memento);
    const settled: string[] = [];
    const first = store.save(job('a')).then(() => settled.push('a'));
    const rest = ['b', 'c', 'd'].map((id) => store.save(job(id)).then(() => settled.push(id)));
    const gone = store.remove('a').then(() => settled.push('-a'));
    await tick();
    assert.equal(m.writes.length, 1, 'the others wait for the write on its way');
    assert.deepEqual(Object.keys(m.writes[0]!), ['a']);
    m.landing.shift()!();
    await first;
    await tick();
    assert.deepEqual(settled, ['a'], 'the later saves are not settled before their write lands');
    assert.equal(m.writes.length, 2, 'everything asked for meanwhile goes in one write');
    assert.deepEqual(Object.keys(m.writes[1]!).sort(), ['b', 'c', 'd'], 'in order: a saved, then removed');
    m.landing.shift()!();
    await Promise.all([...rest, gone]);
    assert.deepEqual(settled.sort(), ['-a', 'a', 'b', 'c', 'd']);
    assert.deepEqual((await store.load()).map((j) => j.id).sort(), ['b', 'c', 'd']);
  });

  it('a failed write rejects the saves it held, and the next save still writes', async () => {
    const m = new SlowMemento();
    const store = new MementoTaskStore(m as unknown as vscode.Memento);
    m.failNext = new Error('disk full');
    const a = store.save(job('a'));
    await tick();
    m.landing.shift()!();
    await assert.rejects(a, /disk full/);
    const b = store.save(job('b', 'running'));
    await tick();
    m.landing.shift()!();
    await b;
    assert.equal(m.writes.length, 2);
    assert.equal((await store.load()).find((j) => j.id === 'b')?.state, 'running');
  });

  it('reads back what the workspace state holds, checking each job\'s meta: a meta that is no JobMeta is left out, the job kept', async () => {
    const m = new SlowMemento();
    const meta: JobMeta = { origin: 'placeholder', documentUri: 'file:///a.md', alt: 'a fox', source: '![a fox]()' };
    const stored = (id: string, v: unknown) => ({ ...job(id), target: { dir: '/tmp', baseName: id, meta: v } });
    m.get = <T>() => ({ good: stored('good', meta), other: stored('other', { origin: 'elsewhere', alt: 'x' }), text: stored('text', 'a string'), none: job('none') } as T);
    const loaded = await new MementoTaskStore(m as unknown as vscode.Memento).load();
    const byId = new Map(loaded.map((j) => [j.id, j]));
    assert.deepEqual([...byId.keys()].sort(), ['good', 'none', 'other', 'text'], 'every job is kept: its task id and files are paid for');
    assert.deepEqual(byId.get('good')!.target.meta, meta);
    for (const id of ['other', 'text', 'none']) {
      assert.ok(!('meta' in byId.get(id)!.target), `${id}: a meta that is no JobMeta reached the queue`);
      assert.equal(byId.get(id)!.target.baseName, id, 'the rest of the target is kept');
    }
  });
});
