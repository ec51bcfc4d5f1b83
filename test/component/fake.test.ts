// The fake provider is what every component, integration and e2e test trusts to behave like
// EvoLink; these tests pin that behaviour over real HTTP.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { inflateSync } from 'node:zlib';
import { startFakeEvolink, fakePixelSize, type FakeEvolink } from '../fake-evolink/server';
import { encodePng, readPngSize } from '../fake-evolink/png';
import { sleep } from './support';

type Json = Record<string, any>;

/** Decodes the image data far enough to prove it is a complete, well-formed PNG. */
function assertRealPng(buf: Buffer, width: number, height: number): void {
  assert.deepEqual(readPngSize(buf), { width, height });
  const idat: Buffer[] = [];
  let pos = 8;
  let sawEnd = false;
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (type === 'IDAT') idat.push(buf.subarray(pos + 8, pos + 8 + len));
    if (type === 'IEND') sawEnd = true;
    pos += 12 + len;
  }
  assert.ok(sawEnd, 'PNG has an IEND chunk');
  assert.equal(inflateSync(Buffer.concat(idat)).length, (1 + width * 3) * height);
}

/** Raw GET that reports how many bytes arrived even when the server drops the connection. */
function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let bytes = 0;
      let complete = false;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (complete = true));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, complete }));
    }).on('error', reject);
  });
}

describe('fake EvoLink provider', function () {
  let fake: FakeEvolink;

  before(async () => {
    fake = await startFakeEvolink({ behavior: { stepMs: 20, progressSteps: 3, estimatedTime: 1 } });
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const auth = () => ({ Authorization: `Bearer ${fake.apiKey}` });

  async function create(body: Json, headers: Record<string, string> = auth()): Promise<{ status: number; body: Json; headers: Headers }> {
    const r = await fetch(`${fake.url}/v1/images/generations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Json, headers: r.headers };
  }

  async function poll(id: string): Promise<{ status: number; body: Json }> {
    const r = await fetch(`${fake.url}/v1/tasks/${id}`, { headers: auth() });
    return { status: r.status, body: (await r.json()) as Json };
  }

  async function untilFinal(id: string): Promise<{ task: Json; progress: number[]; statuses: string[] }> {
    const progress: number[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 500; i++) {
      const { status, body } = await poll(id);
      assert.equal(status, 200);
      progress.push(body.progress);
      statuses.push(body.status);
      if (body.status === 'completed' || body.status === 'failed') return { task: body, progress, statuses };
      await sleep(5);
    }
    throw new Error(`task ${id} never finished`);
  }

  /** Polls until the task answers `status`; every answer on the way. */
  async function untilStatus(id: string, want: string): Promise<Json[]> {
    const seen: Json[] = [];
    for (let i = 0; i < 500; i++) {
      const { status, body } = await poll(id);
      assert.equal(status, 200);
      seen.push(body);
      if (body.status === want) return seen;
      assert.ok(body.status === 'pending' || body.status === 'processing', `${id} is ${body.status}, not ${want}`);
      await sleep(5);
    }
    throw new Error(`task ${id} never became ${want}`);
  }

  async function download(url: string): Promise<{ status: number; type: string | null; length: string | null; bytes: Buffer }> {
    const r = await fetch(url);
    return { status: r.status, type: r.headers.get('content-type'), length: r.headers.get('content-length'), bytes: Buffer.from(await r.arrayBuffer()) };
  }

  describe('auth', () => {
    it('refuses API calls without the right bearer key, with the documented error body', async () => {
      const none = await create({ model: 'gpt-image-2', prompt: 'a cat' }, {});
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'unauthorized');
      assert.equal(typeof none.body.error.message, 'string');

      const wrong = await create({ model: 'gpt-image-2', prompt: 'a cat' }, { Authorization: 'Bearer sk-evo-wrong' });
      assert.equal(wrong.status, 401);

      const pollRes = await fetch(`${fake.url}/v1/tasks/task-unified-1-abcdefgh`);
      assert.equal(pollRes.status, 401);
      assert.equal(((await pollRes.json()) as Json).error.code, 'unauthorized');

      const up = await fetch(`${fake.url}/api/v1/files/upload/base64`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ base64_data: encodePng(16, 16).toString('base64') }),
      });
      assert.equal(up.status, 401);
      assert.equal(((await up.json()) as Json).success, false);

      assert.equal(fake.tasks.size, 0, 'no task was created');
      assert.equal(fake.creates(), 2, 'refused creates still count as received');
    });

    it('records the Authorization header it was sent', async () => {
      await create({ model: 'gpt-image-2', prompt: 'a cat' });
      const rec = fake.requests.find((r) => r.path === '/v1/images/generations');
      assert.ok(rec);
      assert.equal(rec.method, 'POST');
      assert.equal(rec.headers.authorization, `Bearer ${fake.apiKey}`);
      assert.deepEqual(rec.body, { model: 'gpt-image-2', prompt: 'a cat' });
    });
  });

  describe('tasks', () => {
    it('creates a documented task object and moves pending -> processing -> completed', async () => {
      // Held, so it is seen processing however slowly this machine answers (20 ms steps are over fast).
      const created = await create({ model: 'gpt-image-2', prompt: 'a lighthouse [hold]', size: '16:9', resolution: '2K' });
      assert.equal(created.status, 200);
      const t = created.body;
      assert.match(t.id, /^task-unified-\d+-[a-z0-9]{8}$/);
      assert.equal(t.status, 'pending');
      assert.equal(t.progress, 0);
      assert.equal(t.object, 'image.generation.task');
      assert.equal(t.model, 'gpt-image-2');
      assert.equal(t.type, 'image');
      assert.equal(typeof t.created, 'number');
      assert.deepEqual(t.task_info, { can_cancel: true, estimated_time: 1 });
      assert.equal(t.usage.billing_rule, 'per_call');
      assert.equal(typeof t.usage.credits_reserved, 'number');
      assert.equal(t.results, undefined);

      const running = await untilStatus(t.id, 'processing');
      assert.ok(running.at(-1)!.progress > 0 && running.at(-1)!.progress < 100, 'progress between 0 and 100 was reported');
      assert.deepEqual(fake.release({ id: t.id }), [t.id]);
      const final = await untilFinal(t.id);
      const { task } = final;
      const statuses = [...running.map((r) => r.status), ...final.statuses];
      const progress = [...running.map((r) => r.progress), ...final.progress];
      assert.equal(task.status, 'completed');
      assert.equal(task.progress, 100);
      assert.deepEqual([...new Set(statuses)].filter((x) => x !== 'pending'), ['processing', 'completed'], `saw ${statuses.join(',')}`);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], 'progress never goes back');
      assert.equal(task.results.length, 1);
      assert.ok(task.results[0].startsWith(`${fake.url}/results/`));

      const img = await download(task.results[0]);
      assert.equal(img.status, 200);
      assert.equal(img.type, 'image/png');
      assert.equal(Number(img.length), img.bytes.length);
      assertRealPng(img.bytes, 2048, 1152);
    });

    it('without a set estimate, each task says its own time (as a provider that paces its clients does), and is done by then', async () => {
      fake.set({ estimatedTime: undefined });
      try {
        const plain = await create({ model: 'gpt-image-2', prompt: 'own time' });
        const slow = await create({ model: 'gpt-image-2', prompt: 'own time [slow:50]' });
        assert.equal(plain.body.task_info.estimated_time, 0.08, '20 ms steps × (3 progress steps + 1)');
        assert.equal(slow.body.task_info.estimated_time, 0.2);
        await sleep(250);
        assert.equal((await poll(plain.body.id)).body.status, 'completed');
        const late = await poll(slow.body.id);
        assert.equal(late.body.status, 'completed');
        assert.equal(late.body.task_info.estimated_time, 0.2);
      } finally {
        fake.reset();
      }
    });

    it('advances by time, not by the number of polls', async () => {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'x' });
      await sleep(200);
      const first = await poll(body.id);
      assert.equal(first.body.status, 'completed');
      assert.equal(fake.polls(body.id), 1);
    });

    it('renders 2:3 at 1K as 1024x1536 and auto as 1024x1024', async () => {
      const portrait = await create({ model: 'gpt-image-2', prompt: 'p', size: '2:3', resolution: '1k' });
      const auto = await create({ model: 'gpt-image-2', prompt: 'a' });
      const explicit = await create({ model: 'gpt-image-2', prompt: 'e', size: '1536×1024', resolution: '4K' });
      const p = (await untilFinal(portrait.body.id)).task;
      const a = (await untilFinal(auto.body.id)).task;
      const e = (await untilFinal(explicit.body.id)).task;
      assertRealPng((await download(p.results[0])).bytes, 1024, 1536);
      assertRealPng((await download(a.results[0])).bytes, 1024, 1024);
      assertRealPng((await download(e.results[0])).bytes, 1536, 1024);
    });

    it('returns fewer images than n when told to', async () => {
      fake.set({ returnFewer: 2 });
      const { body } = await create({ model: 'gpt-image-2', prompt: 'three please', n: 3 });
      const { task } = await untilFinal(body.id);
      assert.equal(task.results.length, 2);
      for (const url of task.results) assert.equal((await download(url)).status, 200);
      const third = await download(`${fake.url}/results/${body.id}/2.png`);
      assert.equal(third.status, 404);

      fake.set({ returnFewer: undefined });
      const marker = await create({ model: 'gpt-image-2', prompt: 'four [fewer:1]', n: 4 });
      assert.equal((await untilFinal(marker.body.id)).task.results.length, 1);
    });

    it('fails a task whose prompt carries [fail:CODE]', async () => {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'forbidden [fail:content_policy_violation]' });
      const { task } = await untilFinal(body.id);
      assert.equal(task.status, 'failed');
      assert.equal(task.error.code, 'content_policy_violation');
      assert.equal(task.error.type, 'task_error');
      assert.equal(typeof task.error.message, 'string');
      assert.equal(task.results, undefined);
      assert.equal(task.task_info.can_cancel, false);
    });

    it('keeps [never] tasks processing, and obeys completeNow / failNow / forget', async () => {
      const never = await create({ model: 'gpt-image-2', prompt: 'wait [never]' });
      await sleep(150);
      assert.equal((await poll(never.body.id)).body.status, 'processing');
      fake.completeNow(never.body.id);
      const done = await poll(never.body.id);
      assert.equal(done.body.status, 'completed');
      assert.equal(done.body.results.length, 1);

      const other = await create({ model: 'gpt-image-2', prompt: 'wait [never]' });
      fake.failNow(other.body.id, 'request_cancelled');
      const failed = await poll(other.body.id);
      assert.equal(failed.body.status, 'failed');
      assert.equal(failed.body.error.code, 'request_cancelled');
      assert.equal(fake.tasks.get(other.body.id)?.status, 'failed');

      fake.forget(other.body.id);
      const gone = await poll(other.body.id);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error.code, 'task_not_found');
    });

    it('holds a [hold] task (or every task while behavior.hold is on) processing until released; then it ends as its clock says', async () => {
      const held = await create({ model: 'gpt-image-2', prompt: 'a kite [hold]' });
      const failing = await create({ model: 'gpt-image-2', prompt: 'a storm [hold] [fail:service_error]' });
      fake.set({ hold: true });
      const plain = await create({ model: 'gpt-image-2', prompt: 'a heron' });
      fake.set({ hold: undefined });
      const free = await create({ model: 'gpt-image-2', prompt: 'a gull' });
      // Four steps of 20 ms would have ended each of them long before.
      await sleep(150);
      for (const t of [held, failing, plain]) {
        const now = await poll(t.body.id);
        assert.equal(now.body.status, 'processing', t.body.id);
        assert.ok(now.body.progress > 0 && now.body.progress < 100);
      }
      assert.equal((await poll(free.body.id)).body.status, 'completed', 'a task created after hold was turned off is not held');
      const listed = (await (await fetch(`${fake.url}/__fake/tasks`)).json()) as Json[];
      assert.deepEqual(listed.filter((t) => t.held).map((t) => t.id).sort(), [held.body.id, failing.body.id, plain.body.id].sort());

      // By prompt, over HTTP: only the matching one goes on.
      const byPrompt = await fetch(`${fake.url}/__fake/release`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'a storm' }) });
      assert.deepEqual(((await byPrompt.json()) as Json).released, [failing.body.id]);
      const ended = await poll(failing.body.id);
      assert.equal(ended.body.status, 'failed', 'a released task answers its final state at once');
      assert.equal(ended.body.error.code, 'service_error');
      assert.equal((await poll(held.body.id)).body.status, 'processing');

      // By id, over HTTP; an unknown id is a 404.
      const one = await fetch(`${fake.url}/__fake/tasks/${held.body.id}/release`, { method: 'POST' });
      assert.deepEqual(((await one.json()) as Json).released, [held.body.id]);
      assert.equal((await poll(held.body.id)).body.status, 'completed');
      assert.equal((await fetch(`${fake.url}/__fake/tasks/task-unified-1-zzzzzzzz/release`, { method: 'POST' })).status, 404);

      // All that are left.
      assert.deepEqual(fake.release(), [plain.body.id]);
      assert.equal((await poll(plain.body.id)).body.status, 'completed');
      assert.deepEqual(fake.release(), []);
    });

    it('answers unknown and malformed task ids with the documented codes', async () => {
      const unknown = await poll('task-unified-1757156493-zzzzzzzz');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'task_not_found');
      const bad = await poll('not%20a%20task');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'invalid_task_id');
    });
  });

  describe('validation', () => {
    const base = { model: 'gpt-image-2', prompt: 'a cat' };
    const cases: Array<[string, Json, string]> = [
      ['n above 10', { ...base, n: 11 }, 'n'],
      ['n of 0', { ...base, n: 0 }, 'n'],
      ['fractional n', { ...base, n: 1.5 }, 'n'],
      ['edges not multiples of 16', { ...base, size: '1000x1000' }, 'size'],
      ['too few pixels', { ...base, size: '512x512' }, 'size'],
      ['too many pixels', { ...base, size: '3840x3840' }, 'size'],
      ['ratio beyond 3:1', { ...base, size: '3840x1264' }, 'size'],
      ['an unknown ratio', { ...base, size: '5:3' }, 'size'],
      ['an unknown resolution', { ...base, resolution: '8K' }, 'resolution'],
      ['an unknown quality', { ...base, quality: 'ultra' }, 'quality'],
      ['another model', { ...base, model: 'dall-e-3' }, 'model'],
      ['no prompt', { model: 'gpt-image-2' }, 'prompt'],
      ['a prompt over 32000 code points', { ...base, prompt: '猫'.repeat(32001) }, 'prompt'],
      ['empty image_urls', { ...base, image_urls: [] }, 'image_urls'],
      ['17 image_urls', { ...base, image_urls: Array.from({ length: 17 }, (_, i) => `https://example.com/${i}.png`) }, 'image_urls'],
      ['an http callback', { ...base, callback_url: 'http://example.com/hook' }, 'callback_url'],
      ['a loopback callback', { ...base, callback_url: 'https://127.0.0.1/hook' }, 'callback_url'],
      ['a private callback', { ...base, callback_url: 'https://192.168.1.4/hook' }, 'callback_url'],
    ];
    for (const [what, body, param] of cases) {
      it(`refuses ${what} with 400 invalid_request, param ${param}`, async () => {
        const r = await create(body);
        assert.equal(r.status, 400);
        assert.equal(r.body.error.code, 'invalid_request');
        assert.equal(r.body.error.param, param);
        assert.equal(fake.tasks.size, 0);
      });
    }

    it('counts the prompt limit in code points, not UTF-16 units', async () => {
      // 32000 emoji are 64000 UTF-16 units but exactly the limit in code points.
      const r = await create({ ...base, prompt: '🐱'.repeat(32000) });
      assert.equal(r.status, 200);
    });

    it('accepts every documented option at its limits', async () => {
      const r = await create({
        ...base, n: 10, size: '3840x2160', resolution: '4K', quality: 'high',
        image_urls: Array.from({ length: 16 }, (_, i) => `https://example.com/${i}.webp`),
        callback_url: 'https://hooks.example.com/done',
      });
      assert.equal(r.status, 200);
    });

    it('refuses a body that is not JSON', async () => {
      const r = await fetch(`${fake.url}/v1/images/generations`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', ...auth() }, body: '{"model":',
      });
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as Json).error.code, 'invalid_request');
    });

    it('derives every cell of the seed size table', () => {
      const table: Record<string, [string, string, string]> = {
        '1:1': ['1024x1024', '2048x2048', '2880x2880'],
        '2:1': ['2048x1024', '2048x1024', '3840x1920'],
        '3:1': ['3072x1024', '2048x688', '3840x1280'],
        '3:2': ['1536x1024', '2048x1360', '3520x2336'],
        '4:3': ['1360x1024', '2048x1536', '3312x2480'],
        '5:4': ['1280x1024', '2048x1632', '3216x2560'],
        '16:9': ['1824x1024', '2048x1152', '3840x2160'],
        '21:9': ['2384x1024', '2048x880', '3840x1648'],
      };
      for (const [ratio, cells] of Object.entries(table)) {
        ['1K', '2K', '4K'].forEach((res, i) => {
          const [w, h] = cells[i]!.split('x').map(Number);
          assert.deepEqual(fakePixelSize(ratio, res), { width: w, height: h }, `${ratio} ${res}`);
          const [a, b] = ratio.split(':');
          if (a !== b) assert.deepEqual(fakePixelSize(`${b}:${a}`, res), { width: h, height: w }, `${b}:${a} ${res}`);
        });
      }
    });
  });

  describe('faults', () => {
    it('fails the next `times` creates, then succeeds', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 2, retryAfter: 3 } });
      const first = await create({ model: 'gpt-image-2', prompt: 'x' });
      assert.equal(first.status, 429);
      assert.equal(first.body.error.code, 'rate_limit_exceeded');
      assert.equal(first.headers.get('retry-after'), '3');
      assert.equal((await create({ model: 'gpt-image-2', prompt: 'x' })).status, 429);
      const third = await create({ model: 'gpt-image-2', prompt: 'x' });
      assert.equal(third.status, 200);
      assert.equal(fake.creates(), 3);
      assert.equal(fake.tasks.size, 1);
    });

    it('fails polls with a chosen status and code', async () => {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'x' });
      fake.set({ failPoll: { status: 503, code: 'service_unavailable', times: 1 } });
      const bad = await poll(body.id);
      assert.equal(bad.status, 503);
      assert.equal(bad.body.error.code, 'service_unavailable');
      assert.equal((await poll(body.id)).status, 200);
    });

    it('drops the connection on reset creates but still counts them (and bills the task)', async () => {
      fake.set({ resetCreate: 1 });
      await assert.rejects(create({ model: 'gpt-image-2', prompt: 'x' }));
      assert.equal(fake.creates(), 1);
      assert.equal(fake.tasks.size, 1, 'the provider did create the task');
      assert.equal((await create({ model: 'gpt-image-2', prompt: 'x' })).status, 200);
    });

    it('drops polls and answers broken JSON when told to', async () => {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'x' });
      fake.set({ resetPoll: 1, invalidJsonPoll: 1 });
      await assert.rejects(poll(body.id));
      const r = await fetch(`${fake.url}/v1/tasks/${body.id}`, { headers: auth() });
      assert.equal(r.status, 200);
      const text = await r.text();
      assert.throws(() => JSON.parse(text));
      assert.equal((await poll(body.id)).status, 200);
      assert.equal(fake.polls(body.id), 3);
    });

    async function completedResult(): Promise<string> {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'x' });
      fake.completeNow(body.id);
      return (await poll(body.id)).body.results[0];
    }

    it('truncates result downloads below their Content-Length, only resultFailTimes times', async () => {
      const url = await completedResult();
      fake.set({ resultMode: 'truncated', resultFailTimes: 1 });
      const cut = await rawGet(url);
      assert.equal(cut.status, 200);
      assert.ok(cut.bytes < Number(cut.headers['content-length']), `${cut.bytes} < ${cut.headers['content-length']}`);
      assert.equal(cut.complete, false);
      const whole = await rawGet(url);
      assert.equal(whole.bytes, Number(whole.headers['content-length']));
      assert.equal(whole.complete, true);
    });

    it('serves 404, HTML, mislabelled and expired result URLs', async () => {
      const url = await completedResult();
      fake.set({ resultMode: '404' });
      const missing = await download(url);
      assert.equal(missing.status, 404);

      fake.set({ resultMode: 'html' });
      const html = await download(url);
      assert.equal(html.status, 200);
      assert.match(html.type ?? '', /^text\/html/);
      assert.equal(readPngSize(html.bytes), undefined);

      fake.set({ resultMode: 'wrong-content-type' });
      const plain = await download(url);
      assert.match(plain.type ?? '', /^text\/plain/);
      assertRealPng(plain.bytes, 1024, 1024);

      fake.set({ resultMode: 'expired' });
      const expired = await download(url);
      assert.equal(expired.status, 403);
      assert.match(expired.bytes.toString(), /Request has expired/);

      fake.set({ resultMode: 'ok' });
      assert.equal((await download(url)).status, 200);
    });
  });

  describe('uploads', () => {
    it('stores a multipart upload and serves it back at file_url', async () => {
      const png = encodePng(64, 48, 2);
      const form = new FormData();
      form.append('file', new Blob([png], { type: 'image/png' }), 'ref.png');
      const r = await fetch(`${fake.url}/api/v1/files/upload/stream`, { method: 'POST', headers: auth(), body: form });
      assert.equal(r.status, 200);
      const body = (await r.json()) as Json;
      assert.equal(body.success, true);
      assert.equal(body.code, 200);
      assert.equal(body.data.file_name, 'ref.png');
      assert.equal(body.data.file_size, png.length);
      assert.equal(body.data.mime_type, 'image/png');
      assert.ok(body.data.file_url.startsWith(`${fake.url}/files/`));
      assert.ok(Date.parse(body.data.expires_at) > Date.parse(body.data.upload_time));

      const back = await download(body.data.file_url);
      assert.equal(back.type, 'image/png');
      assert.ok(back.bytes.equals(png), 'the same bytes come back');

      const rec = fake.requests.find((q) => q.path === '/api/v1/files/upload/stream');
      assert.deepEqual(rec?.body, { fileName: 'ref.png', size: png.length });

      // The uploaded URL is usable as a reference image; an unknown one on this server is not.
      assert.equal((await create({ model: 'gpt-image-2', prompt: 'edit', image_urls: [body.data.file_url] })).status, 200);
      const unknown = await create({ model: 'gpt-image-2', prompt: 'edit', image_urls: [`${fake.url}/files/file_nope`] });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.param, 'image_urls');
    });

    it('refuses files that are not images', async () => {
      const form = new FormData();
      form.append('file', new Blob(['hello, not an image'], { type: 'text/plain' }), 'notes.txt');
      const r = await fetch(`${fake.url}/api/v1/files/upload/stream`, { method: 'POST', headers: auth(), body: form });
      const body = (await r.json()) as Json;
      assert.equal(body.success, false);
      assert.equal(body.code, 400);
      assert.equal(typeof body.msg, 'string');
    });

    it('accepts base64 data URLs', async () => {
      const png = encodePng(32, 32);
      const r = await fetch(`${fake.url}/api/v1/files/upload/base64`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...auth() },
        body: JSON.stringify({ base64_data: `data:image/png;base64,${png.toString('base64')}`, file_name: 'b.png' }),
      });
      const body = (await r.json()) as Json;
      assert.equal(body.success, true);
      assert.ok((await download(body.data.file_url)).bytes.equals(png));
    });
  });

  describe('control endpoints', () => {
    it('reports stats and requests, changes behaviour and resets, without auth and unrecorded', async () => {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'x' });
      await poll(body.id);

      const stats = (await (await fetch(`${fake.url}/__fake/stats`)).json()) as Json;
      assert.deepEqual(stats, { creates: 1, polls: 1, downloads: 0, uploads: 0 });
      const recorded = (await (await fetch(`${fake.url}/__fake/requests`)).json()) as Json[];
      assert.deepEqual(recorded.map((r) => `${r.method} ${r.path}`), ['POST /v1/images/generations', `GET /v1/tasks/${body.id}`]);

      const set = await fetch(`${fake.url}/__fake/behavior`, {
        method: 'POST', body: JSON.stringify({ failCreate: { status: 402, code: 'insufficient_quota', times: 1 } }),
      });
      assert.equal(set.status, 200);
      const refused = await create({ model: 'gpt-image-2', prompt: 'x' });
      assert.equal(refused.status, 402);
      assert.equal(refused.body.error.code, 'insufficient_quota');

      assert.equal((await fetch(`${fake.url}/__fake/reset`, { method: 'POST' })).status, 200);
      assert.equal(fake.requests.length, 0);
      assert.equal(fake.tasks.size, 0);
      assert.equal(fake.creates(), 0);
      assert.ok(!fake.requests.some((r) => r.path.startsWith('/__fake')));
    });

    it('finishes a running task on request (POST /__fake/tasks/<id>/complete); an unknown id is a 404', async () => {
      const { body } = await create({ model: 'gpt-image-2', prompt: 'a task that would never end [never]' });
      assert.notEqual((await poll(body.id)).body.status, 'completed');
      assert.equal((await fetch(`${fake.url}/__fake/tasks/${body.id}/complete`, { method: 'POST' })).status, 200);
      const done = (await poll(body.id)).body;
      assert.equal(done.status, 'completed');
      assert.equal(done.results.length, 1);
      assert.equal((await fetch(`${fake.url}/__fake/tasks/task-unified-0-nosuchid/complete`, { method: 'POST' })).status, 404);
    });
  });
});
