// Issue 18: staged files of pruned jobs were never deleted, so the extension's global storage grew
// without bound. A job forgotten for good (pruned at startup or later, removed) now takes the files
// it left unplaced in the staging folder with it; files placed in the workspace, files another job
// still names and files outside the staging folder are never touched; a startup sweep removes old
// files no job names.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobQueue, MemoryTaskStore, type JobRecord, type TaskClient } from '../../src/core/jobs';
import { discardStaged, sweepStaging } from '../../src/core/staging';
import type { DownloadedImage } from '../../src/core/types';
import { waitFor } from './support';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2025, 5, 1);

const idle: TaskClient = {
  createTask: () => Promise.reject(new Error('nothing is sent in these tests')),
  getTask: () => Promise.reject(new Error('nothing is sent in these tests')),
  download: () => Promise.reject(new Error('nothing is sent in these tests')),
};

describe('staged files go with their job (issue 18)', () => {
  let root: string;
  let staging: string;
  let ws: string;
  const queues: JobQueue[] = [];

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-staging-')));
    staging = path.join(root, 'globalStorage', 'staging');
    ws = path.join(root, 'ws');
    fs.mkdirSync(staging, { recursive: true });
    fs.mkdirSync(path.join(ws, 'images'), { recursive: true });
  });
  afterEach(() => {
    while (queues.length) queues.pop()!.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function file(p: string, text = 'image bytes'): string {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  }
  const image = (p: string, placed?: boolean): DownloadedImage => ({ path: p, type: 'png', width: 1, height: 1, bytes: 11, ...(placed ? { placed } : {}) });
  /** A job that ended (failed to place its images, or completed) `ageMs` before NOW. */
  function ended(id: string, ageMs: number, files: DownloadedImage[], state: JobRecord['state'] = 'failed'): JobRecord {
    return {
      id, body: { model: 'gpt-image-2', prompt: id }, target: { dir: staging, baseName: id }, state, progress: 100,
      createdAt: NOW - ageMs - 1000, finishedAt: NOW - ageMs, files,
      ...(state === 'failed' ? { error: { kind: 'finalize', message: 'the folder could not be written', retryable: true } } : {}),
    };
  }
  function queue(store: MemoryTaskStore, discarded: string[][] = []): JobQueue {
    const q = new JobQueue({
      client: idle, store, now: () => NOW, prune: { maxAgeMs: 7 * DAY, maxCount: 100 },
      discard: async (files) => {
        discarded.push([...files]);
        await discardStaged(files, staging);
      },
    });
    queues.push(q);
    return q;
  }
  const exists = (p: string) => fs.existsSync(p);

  it('pruned at startup: its staged image and sidecar go; a placed image, a newer job\'s files and a file outside the staging folder stay', async () => {
    const oldStaged = file(path.join(staging, 'old-fox.jpeg'));
    const oldSidecar = file(`${oldStaged}.pictor.json`, '{}');
    const placed = file(path.join(ws, 'images', 'done.png'));
    const recent = file(path.join(staging, 'recent-fox.png'));
    // A record that names a file outside the staging folder (an older version's, or tampered with).
    const elsewhere = file(path.join(ws, 'images', 'not-staged.png'));
    const store = new MemoryTaskStore([
      ended('old', 30 * DAY, [image(oldStaged)]),
      ended('old-done', 30 * DAY, [image(placed, true)], 'completed'),
      ended('old-odd', 30 * DAY, [image(elsewhere)]),
      ended('recent', 1 * DAY, [image(recent)]),
    ]);
    const discarded: string[][] = [];
    await queue(store, discarded).resume();
    assert.deepEqual(store.all().map((j) => j.id), ['recent'], 'the old jobs were not pruned');
    await waitFor(() => !exists(oldStaged), 'the pruned job\'s staged image to go');
    await waitFor(() => !exists(oldSidecar), 'its sidecar to go');
    assert.deepEqual(discarded, [[oldStaged, elsewhere]], 'placed images are never handed over');
    assert.ok(exists(placed), 'a placed image was deleted');
    assert.ok(exists(elsewhere), 'a file outside the staging folder was deleted');
    assert.ok(exists(recent), 'a job still in the history lost its staged image');
  });

  it('pruned later or removed: its staged image goes; one another job still names stays', async () => {
    const a = file(path.join(staging, 'a.png'));
    const b = file(path.join(staging, 'b.png'));
    const shared = file(path.join(staging, 'shared.png'));
    const store = new MemoryTaskStore([
      ended('a', 2 * DAY, [image(a), image(shared)]),
      ended('b', 1 * DAY, [image(b)]),
      ended('keeps-shared', 1 * DAY, [image(shared)]),
    ]);
    const q = queue(store);
    await q.resume();
    assert.equal(await q.prune(1.5 * DAY), 1);
    await waitFor(() => !exists(a), 'the pruned job\'s image to go');
    assert.ok(exists(shared), 'a file another job still names was deleted');
    await q.remove('b');
    await waitFor(() => !exists(b), 'the removed job\'s image to go');
    assert.ok(exists(shared));
  });

  it('a staged path that is a link out of the staging folder: the file it leads to is not deleted', async function () {
    if (process.platform === 'win32') this.skip();
    const outside = file(path.join(ws, 'images', 'precious.png'));
    const link = path.join(staging, 'link.png');
    fs.symlinkSync(outside, link);
    assert.deepEqual(await discardStaged([link], staging), []);
    assert.ok(exists(outside));
  });

  it('the startup sweep: old files no job names go; named ones, their sidecars, fresh ones and folders stay', async () => {
    const named = file(path.join(staging, 'named.jpeg'));
    const namedSidecar = file(`${named}.pictor.json`, '{}');
    const orphan = file(path.join(staging, 'orphan.png'));
    const part = file(path.join(staging, '.orphan.1a2b3c.part'));
    const fresh = file(path.join(staging, '.downloading.4d5e6f.part'));
    fs.mkdirSync(path.join(staging, 'other-workspace'));
    const old = new Date(NOW - 2 * DAY);
    for (const f of [named, namedSidecar, orphan, part]) fs.utimesSync(f, old, old);
    fs.utimesSync(fresh, new Date(NOW - 60_000), new Date(NOW - 60_000));
    const gone = await sweepStaging(staging, [ended('n', DAY, [image(named)])], NOW, DAY);
    assert.deepEqual(gone.sort(), [orphan, part].sort());
    assert.deepEqual(fs.readdirSync(staging).sort(), ['.downloading.4d5e6f.part', 'named.jpeg', 'named.jpeg.pictor.json', 'other-workspace'].sort());
  });
});
