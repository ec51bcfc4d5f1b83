// The file task store shared by several processes (issue 21: two `pictor fill` runs, or a run and
// `pictor mcp`, on one workspace): real processes saving at the same moment into one store lose
// nothing, and a store written by an older version in one JSON file is still read.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileTaskStore } from '../../src/core/fileStore';
import type { JobRecord } from '../../src/core/store';

const storeModule = path.join(__dirname, '..', '..', 'src', 'core', 'fileStore.js');

const rec = (id: string, state: JobRecord['state'] = 'queued'): JobRecord =>
  ({ id, body: { model: 'gpt-image-2', prompt: `p ${id} 🦊` }, target: { dir: '/tmp', baseName: id }, state, progress: 0, createdAt: 1 } as JobRecord);

// A child that waits for "go" on stdin, then saves its jobs (each twice: queued, then running) all at once.
const childScript = `
const { FileTaskStore } = require(${JSON.stringify(storeModule)});
const [file, who, count] = process.argv.slice(1);
const store = new FileTaskStore(file);
process.stdin.once('data', async () => {
  const ids = Array.from({ length: Number(count) }, (_, i) => who + '-' + i);
  const rec = (id, state) => ({ id, body: { model: 'gpt-image-2', prompt: 'p ' + id }, target: { dir: '/tmp', baseName: id }, state, progress: 0, createdAt: 1 });
  await Promise.all(ids.map((id) => store.save(rec(id, 'queued')).then(() => store.save(rec(id, 'running')))));
  process.stdout.write('done\\n');
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

function line(child: ChildProcess, want: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.split('\n').includes(want)) resolve();
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`the child ended (${code}) before "${want}": ${seen}`)));
  });
}

describe('FileTaskStore shared by processes (issue 21)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-store-procs-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('eight processes saving different jobs into one store at the same moment: none is lost', async () => {
    const file = path.join(dir, 'tasks', 'ws.json');
    const procs = 8;
    const each = 12;
    const children = Array.from({ length: procs }, (_, i) => spawn(process.execPath, ['-e', childScript, file, `w${i}`, String(each)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    try {
      await Promise.all(children.map((c) => line(c, 'ready')));
      const done = children.map((c) => line(c, 'done'));
      for (const c of children) c.stdin!.write('go\n');
      await Promise.all(done);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }
    const loaded = await new FileTaskStore(file).load();
    const ids = loaded.map((j) => j.id).sort();
    const want = children.flatMap((_, i) => Array.from({ length: each }, (__, k) => `w${i}-${k}`)).sort();
    assert.deepEqual(ids, want, `${want.length - ids.length} record(s) lost`);
    assert.ok(loaded.every((j) => j.state === 'running'), 'a record went back to an older state');
  });

  it('a store written by an older version (one JSON file) is loaded, then kept in the new form', async () => {
    const file = path.join(dir, 'tasks.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, jobs: [rec('a'), { ...rec('b', 'running'), taskId: 'task-unified-1-abc' }] }, null, 1));
    const s = new FileTaskStore(file);
    assert.deepEqual((await s.load()).map((j) => [j.id, j.state, j.taskId]), [['a', 'queued', undefined], ['b', 'running', 'task-unified-1-abc']]);
    assert.ok(!fs.existsSync(file), 'the old file is still there: an older process would keep writing beside the new store');
    await s.remove('a');
    await s.save(rec('c'));
    assert.deepEqual((await new FileTaskStore(file).load()).map((j) => j.id), ['b', 'c']);
  });
});
