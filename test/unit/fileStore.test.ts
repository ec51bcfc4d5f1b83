// Issue 10 item 12: the file task store (the headless demo's) says when its file is corrupt, keeps the
// bad file aside, and cleans up the temporary files a killed process left (beside the old single file
// and in the folder of job files).
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
    const inFolder = path.join(dir, 'tasks');
    await fs.mkdir(inFolder);
    const deadJob = path.join(inFolder, 'job-1.json.999999999.0a1b2c3d.tmp');
    const liveJob = path.join(inFolder, `job-2.json.${process.ppid}.deadbeef.tmp`);
    // This process's own: another store object on the same folder may be writing it right now.
    const ownJob = path.join(inFolder, `job-3.json.${process.pid}.deadbeef.tmp`);
    for (const f of [deadJob, liveJob, ownJob]) await fs.writeFile(f, '{"version":2,');
    await new FileTaskStore(file).load();
    // The old single file is moved into the store's folder (core/fileStore.ts); the leftovers beside it and in it are judged alike.
    assert.deepEqual((await fs.readdir(dir)).sort(), [path.basename(unrelated), 'tasks', path.basename(live)].sort());
    assert.deepEqual((await fs.readdir(inFolder)).sort(), [path.basename(liveJob), path.basename(ownJob)].sort());
  });

  it('a corrupt job file is set aside and reported; the other jobs still load', async () => {
    const file = path.join(dir, 'tasks.json');
    const s = new FileTaskStore(file);
    const job = (id: string) => ({ id, body: { model: 'gpt-image-2', prompt: id }, target: { dir, baseName: id }, state: 'running', progress: 0, createdAt: 1 } as never);
    await s.save(job('good'));
    await fs.writeFile(path.join(dir, 'tasks', 'bad.json'), '{"version":2,"order":1,"job":{"id":"ba');
    let backup = '';
    const loaded = await new FileTaskStore(file, { onCorrupt: (b) => { backup = b; } }).load();
    assert.deepEqual(loaded.map((j) => j.id), ['good']);
    assert.ok(backup.startsWith(path.join(dir, 'tasks', 'bad.json.corrupt-')), backup);
    assert.deepEqual((await fs.readdir(path.join(dir, 'tasks'))).sort(), [path.basename(backup), 'good.json']);
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
