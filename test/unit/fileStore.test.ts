// Issue 10 item 12: the file task store (the headless demo's) says when its file is corrupt, keeps the
// bad file aside, and cleans up the temporary files a killed process left.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileTaskStore } from '../../src/core/fileStore';

describe('FileTaskStore: corruption and leftovers (issue 10 item 12)', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-filestore-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('a corrupt file is reported even without an onCorrupt handler, and kept aside byte for byte', async () => {
    const file = path.join(dir, 'tasks.json');
    const broken = '{"version":1,"jobs":[{"id":"job-1","taskId":"task-unified-1-abc';
    await fs.writeFile(file, broken);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      assert.deepEqual(await new FileTaskStore(file).load(), []);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    const w = warnings.find((x) => x.name === 'PictorStoreWarning');
    assert.ok(w, 'the corruption was passed over in silence');
    const backup = /moved to (\S+) and/.exec(w.message)?.[1];
    assert.ok(backup, w.message);
    assert.equal(await fs.readFile(backup, 'utf8'), broken);
    assert.ok(!(await fs.readdir(dir)).includes('tasks.json'), 'the corrupt file is still in place');
  });

  it('temporary files of a killed writer are removed on start; a live writer\'s are kept', async () => {
    const file = path.join(dir, 'tasks.json');
    const dead = path.join(dir, 'tasks.json.999999999.0a1b2c3d.tmp');
    const live = path.join(dir, `tasks.json.${process.ppid}.deadbeef.tmp`);
    const unrelated = path.join(dir, 'other.json.999999999.0a1b2c3d.tmp');
    for (const f of [dead, live, unrelated]) await fs.writeFile(f, '{"version":1,"jobs":[');
    await fs.writeFile(file, JSON.stringify({ version: 1, jobs: [] }));
    await new FileTaskStore(file).load();
    const left = (await fs.readdir(dir)).sort();
    assert.deepEqual(left, [path.basename(unrelated), 'tasks.json', path.basename(live)].sort());
  });

  it('with a meta check, a job whose meta fails it is loaded without its meta; without one, meta is as written', async () => {
    const file = path.join(dir, 'tasks.json');
    const rec = (id: string, meta: unknown) => ({ id, state: 'running', progress: 0, createdAt: 1, body: { model: 'gpt-image-2', prompt: id }, target: { dir: '/tmp', baseName: id, meta } });
    await fs.writeFile(file, JSON.stringify({ version: 1, jobs: [rec('ours', { page: '/w/a.md' }), rec('theirs', { origin: 'panel' })] }));
    const isOurs = (v: unknown): v is { page: string } => typeof (v as { page?: unknown } | null)?.page === 'string';
    const checked = await new FileTaskStore(file, { meta: isOurs }).load();
    assert.deepEqual(checked.map((j) => [j.id, j.target.meta]), [['ours', { page: '/w/a.md' }], ['theirs', undefined]]);
    assert.ok(!('meta' in checked[1]!.target));
    const raw = await new FileTaskStore(file).load();
    assert.deepEqual(raw.map((j) => j.target.meta), [{ page: '/w/a.md' }, { origin: 'panel' }]);
  });
});
