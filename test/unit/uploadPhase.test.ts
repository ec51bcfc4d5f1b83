// The reference upload as the first phase of a job (issue 11 item 4): submit returns at once with the
// job 'uploading' and stored with its files; each file is checked again and uploaded, its URL saved;
// then the job is queued and created once. A cancel during the upload creates nothing, a failed upload
// ends the job with no create, and a job resumed after a reload uploads only what is missing.

import { strict as assert } from 'node:assert';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { UploadSource } from '../../src/core/api/upload';
import { JobQueue, MemoryTaskStore, type JobEvent, type JobRecord, type QueueOptions, type TaskClient } from '../../src/core/jobs';
import type { CreateTaskBody, DownloadedImage, ReferenceInput, TaskObject } from '../../src/core/types';
import { disposeQueues, makeQueue as makeTestQueue, waitFor } from './support';

class UploadDouble implements TaskClient {
  /** Every call in order: `check:<file>`, `upload:<file>`, `create:<prompt>`. */
  readonly calls: string[] = [];
  readonly creates: CreateTaskBody[] = [];
  readonly signals: AbortSignal[] = [];
  /** Uploads of these files wait until released (or aborted). */
  readonly held = new Set<string>();
  private readonly waiting = new Map<string, () => void>();
  /** Uploads of this file fail. */
  failOn?: string;
  /** The files opened for upload whose handle was closed again, in order. */
  readonly closed: string[] = [];

  async uploadFile(src: UploadSource, signal?: AbortSignal): Promise<{ file_url: string }> {
    const file = src.path;
    this.calls.push(`upload:${path.basename(file)}`);
    if (signal) this.signals.push(signal);
    if (this.held.has(file)) {
      await new Promise<void>((resolve) => {
        this.waiting.set(file, resolve);
        signal?.addEventListener('abort', () => resolve());
      });
    }
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { kind: 'cancelled' });
    if (file === this.failOn) throw Object.assign(new Error('The files service answered 503.'), { kind: 'server', retryable: true });
    return { file_url: `https://files.test/${path.basename(file)}` };
  }

  uploading(file: string): boolean {
    return this.waiting.has(file);
  }

  release(file: string): void {
    this.held.delete(file);
    this.waiting.get(file)?.();
    this.waiting.delete(file);
  }

  async createTask(body: CreateTaskBody): Promise<TaskObject> {
    this.calls.push(`create:${body.prompt}`);
    this.creates.push(body);
    return { id: `task-unified-1757156493-${String(this.creates.length).padStart(8, '0')}`, status: 'pending', progress: 0 };
  }

  async getTask(id: string): Promise<TaskObject> {
    return { id, status: 'completed', progress: 100, results: [`https://files.test/${id}.png`] };
  }

  async download(_url: string, dir: string, baseName: string): Promise<DownloadedImage> {
    return { path: path.join(dir, `${baseName}.png`), type: 'png', width: 1, height: 1, bytes: 1 };
  }
}

const body = (prompt: string, urls?: string[]): CreateTaskBody =>
  ({ model: 'gpt-image-2', prompt, n: 1, size: '1:1', quality: 'low', ...(urls ? { image_urls: urls } : {}) });
const target = { dir: '/tmp/pictor-unit', baseName: 'img' };
/** A web image between two local files, in the user's order; `b.png` named twice is uploaded once. */
const refs: ReferenceInput[] = [
  { kind: 'file', path: '/ws/a.png' },
  { kind: 'url', url: 'https://example.com/web.png' },
  { kind: 'file', path: '/ws/b.png' },
  { kind: 'file', path: '/ws/b.png' },
];
const EXPECTED_URLS = ['https://files.test/a.png', 'https://example.com/web.png', 'https://files.test/b.png', 'https://files.test/b.png'];

/** The shared queue with the glue's check of a reference: records the call and answers with the "real"
 *  path, opened (a stand-in handle that only notes its close). */
function makeQueue(client: UploadDouble, store: MemoryTaskStore, opts: Partial<QueueOptions> = {}): { q: JobQueue; events: JobEvent[]; logs: string[] } {
  return makeTestQueue(client, store, {
    minPollMs: 5, maxPollMs: 20,
    openReference: async (file) => {
      client.calls.push(`check:${path.basename(file)}`);
      if (file.includes('outside')) throw Object.assign(new Error(`The image ${file} is outside this window's workspace folders. Nothing was uploaded.`), { kind: 'invalid' });
      const handle = { close: async () => { client.closed.push(path.basename(file)); } } as unknown as FileHandle;
      return { path: file, handle };
    },
    ...opts,
  });
}

afterEach(disposeQueues);

describe('the reference upload is a phase of the job (issue 11 item 4)', () => {
  it('submit returns at once, uploading and stored with its files; the URLs go in, in order, and one task is created', async () => {
    const client = new UploadDouble();
    const store = new MemoryTaskStore();
    const { q, events } = makeQueue(client, store);
    client.held.add('/ws/a.png');
    const job = await q.submit(body('fox', ['https://example.com/web.png']), target, refs);
    assert.equal(job.state, 'uploading');
    assert.deepEqual(store.peek(job.id)?.upload, { references: refs, urls: {} }, 'stored with the files to upload before submit returned');
    assert.deepEqual(events.filter((e) => e.job.id === job.id).map((e) => [e.type, e.job.state]), [['queued', 'uploading']]);
    await waitFor(() => client.uploading('/ws/a.png'), 'the first upload');
    assert.equal(client.creates.length, 0, 'created before its references were uploaded');
    client.release('/ws/a.png');
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    // Every file is checked before the first upload; b.png (named twice) goes once; the create comes last.
    assert.deepEqual(client.calls, ['check:a.png', 'check:b.png', 'upload:a.png', 'upload:b.png', 'create:fox']);
    assert.deepEqual(client.closed.sort(), ['a.png', 'b.png'], 'every file opened for upload is closed once the uploads are over');
    assert.deepEqual(client.creates[0]?.image_urls, EXPECTED_URLS);
    assert.equal(done.upload, undefined);
    assert.deepEqual(store.peek(job.id)?.body.image_urls, EXPECTED_URLS);
  });

  it('a cancel during the upload aborts it, and nothing is created', async () => {
    const client = new UploadDouble();
    const store = new MemoryTaskStore();
    const { q, events, logs } = makeQueue(client, store);
    client.held.add('/ws/a.png');
    const job = await q.submit(body('cancelled fox', ['https://example.com/web.png']), target, refs);
    await waitFor(() => client.uploading('/ws/a.png'), 'the first upload');
    await q.cancel(job.id);
    assert.equal(client.signals[0]?.aborted, true, 'the upload in flight was not abandoned');
    assert.equal((await q.wait(job.id)).state, 'cancelled');
    // The queue's word for why nothing more goes out (not a quiet period).
    await waitFor(() => logs.includes(`job ${job.id}: cancelled while uploading its reference images; nothing was created`), 'the cancel to be logged');
    assert.deepEqual(client.calls, ['check:a.png', 'check:b.png', 'upload:a.png'], 'an upload or a create went out after the cancel');
    await waitFor(() => client.closed.length === 2, 'the opened files to be closed after the cancel');
    assert.equal(store.peek(job.id)?.state, 'cancelled');
    assert.equal(store.peek(job.id)?.detached, undefined, 'nothing was sent, so nothing is watched in the background');
    assert.deepEqual(events.filter((e) => e.job.id === job.id).map((e) => e.type), ['queued', 'cancelled']);
  });

  it('a failed upload ends the job with a clear error and no create', async () => {
    const client = new UploadDouble();
    const { q } = makeQueue(client, new MemoryTaskStore());
    client.failOn = '/ws/b.png';
    const job = await q.submit(body('failing fox'), target, refs);
    const done = await q.wait(job.id);
    assert.equal(done.state, 'failed');
    assert.equal(client.creates.length, 0);
    assert.equal(done.error?.kind, 'server');
    assert.equal(done.error?.message, 'The reference image b.png could not be uploaded, so no task was created or billed: The files service answered 503.');
    assert.equal(done.error?.words?.code, 'job.uploadFailed');
  });

  it('a file the last check refuses: nothing is uploaded, nothing created', async () => {
    const client = new UploadDouble();
    const { q } = makeQueue(client, new MemoryTaskStore());
    const job = await q.submit(body('sneaky fox'), target, [{ kind: 'file', path: '/ws/ok.png' }, { kind: 'file', path: '/outside/private.png' }]);
    const done = await q.wait(job.id);
    assert.equal(done.state, 'failed');
    assert.deepEqual(client.calls, ['check:ok.png', 'check:private.png']);
    await waitFor(() => client.closed.length > 0, 'the file opened before the refusal to be closed');
    assert.deepEqual(client.closed, ['ok.png']);
    assert.equal(done.error?.kind, 'invalid');
    assert.match(done.error?.message ?? '', /private\.png could not be uploaded, so no task was created or billed: .*outside this window's workspace folders/);
  });

  it('a reload during the upload: the next queue uploads only what is missing and creates one task', async () => {
    const client = new UploadDouble();
    const store = new MemoryTaskStore();
    const first = makeQueue(client, store).q;
    client.held.add('/ws/b.png');
    const job = await first.submit(body('resumed fox', ['https://example.com/web.png']), target, refs);
    await waitFor(() => client.uploading('/ws/b.png'), 'the second upload');
    // The first URL is stored the moment it came back.
    assert.deepEqual(store.peek(job.id)?.upload?.urls, { '/ws/a.png': 'https://files.test/a.png' });
    first.dispose();
    assert.equal(client.signals[1]?.aborted, true, 'dispose did not stop the upload in flight');
    assert.equal(store.peek(job.id)?.state, 'uploading');
    client.release('/ws/b.png');

    client.calls.length = 0;
    const { q } = makeQueue(client, store);
    const picked = await q.resume();
    assert.deepEqual(picked.map((j) => [j.id, j.state]), [[job.id, 'uploading']]);
    const done = await q.wait(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(client.calls, ['check:b.png', 'upload:b.png', 'create:resumed fox'], 'a.png was uploaded again, or the task created twice');
    assert.equal(client.creates.length, 1);
    assert.deepEqual(client.creates[0]?.image_urls, EXPECTED_URLS);
  });

  it('a reload after the last upload, before the create: nothing is uploaded again, one task is created', async () => {
    const client = new UploadDouble();
    const stored: JobRecord = {
      id: 'j1', body: body('late fox', ['https://example.com/web.png']), target, state: 'uploading', progress: 0, createdAt: 1,
      upload: { references: refs, urls: { '/ws/a.png': 'https://files.test/a.png', '/ws/b.png': 'https://files.test/b.png' } },
    };
    const { q } = makeQueue(client, new MemoryTaskStore([stored]));
    await q.resume();
    assert.equal((await q.wait('j1')).state, 'completed');
    assert.deepEqual(client.calls, ['create:late fox']);
    assert.deepEqual(client.creates[0]?.image_urls, EXPECTED_URLS);
  });

  it('a Retry of a job that failed while uploading uploads its files again, then creates once', async () => {
    const client = new UploadDouble();
    const { q } = makeQueue(client, new MemoryTaskStore());
    client.failOn = '/ws/a.png';
    const job = await q.submit(body('retried fox', ['https://example.com/web.png']), target, refs);
    assert.equal((await q.wait(job.id)).state, 'failed');
    client.failOn = undefined;
    const next = await q.retry(job.id);
    assert.notEqual(next.id, job.id);
    assert.equal(next.state, 'uploading');
    assert.equal((await q.wait(next.id)).state, 'completed');
    assert.equal(client.creates.length, 1);
    assert.deepEqual(client.creates[0]?.image_urls, EXPECTED_URLS);
  });

  it('at most maxConcurrent jobs upload at once, and a job without files is not held behind one that uploads', async () => {
    const client = new UploadDouble();
    const { q } = makeQueue(client, new MemoryTaskStore(), { maxConcurrent: 1 });
    client.held.add('/ws/a.png');
    const slow = await q.submit(body('slow fox'), target, [{ kind: 'file', path: '/ws/a.png' }]);
    const other = await q.submit(body('other fox'), target, [{ kind: 'file', path: '/ws/c.png' }]);
    const plain = await q.submit(body('plain fox'), target);
    assert.equal((await q.wait(plain.id)).state, 'completed');
    assert.ok(!client.calls.includes('upload:c.png'), 'a second upload ran alongside the first');
    client.release('/ws/a.png');
    assert.deepEqual([(await q.wait(slow.id)).state, (await q.wait(other.id)).state], ['completed', 'completed']);
    assert.deepEqual(client.calls.filter((c) => c.startsWith('create:')), ['create:plain fox', 'create:slow fox', 'create:other fox']);
  });
});
