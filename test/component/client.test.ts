// The provider client over real HTTP against the fake EvoLink on 127.0.0.1.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { imageSize } from 'image-size';
import { EvoLinkClient, type ClientOptions } from '../../src/core/api/client';
import { PictorError } from '../../src/core/api/errors';
import type { TaskObject } from '../../src/core/types';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { encodePng } from '../fake-evolink/png';
import { closeClients, closedPort, rejects, testClient } from './support';

const KEY = 'sk-evo-LEAKCHECK-7f3a9c51d2e8';

describe('EvoLinkClient against the fake provider', function () {
  this.timeout(15000);

  let fake: FakeEvolink;
  let dirs: string[] = [];

  before(async () => {
    fake = await startFakeEvolink({ apiKey: KEY, behavior: { stepMs: 20, progressSteps: 2 } });
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());
  afterEach(async () => {
    await closeClients();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    dirs = [];
  });

  // The suite's retry ceiling (50 ms); the rest is the shared test client.
  const client = (over: Partial<ClientOptions> = {}) => testClient(fake, { retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 50 }, ...over });

  function tmpDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-client-'));
    dirs.push(d);
    return d;
  }

  const body = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-image-2', prompt: 'a red fox in snow', ...extra });

  async function untilDone(c: EvoLinkClient, id: string): Promise<TaskObject> {
    for (;;) {
      const t = await c.getTask(id);
      if (t.status === 'completed' || t.status === 'failed') return t;
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async function completedTask(c: EvoLinkClient, extra: Record<string, unknown> = {}): Promise<TaskObject> {
    const created = await c.createTask(body(extra));
    return untilDone(c, created.id);
  }

  const resultRequests = () => fake.requests.filter((r) => r.path.startsWith('/results/'));

  describe('the happy path', () => {
    it('creates, polls to completion and saves a PNG of the requested size', async () => {
      const { c } = client();
      const created = await c.createTask(body({ size: '1536x1024' }));
      assert.match(created.id, /^task-unified-\d+-[a-z0-9]{8}$/);
      assert.equal(created.status, 'pending');
      const done = await untilDone(c, created.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.results?.length, 1);

      const dir = tmpDir();
      const img = await c.download(done.results![0]!, dir, 'red-fox');
      assert.equal(img.path, path.join(dir, 'red-fox.png'));
      assert.deepEqual([img.type, img.width, img.height], ['png', 1536, 1024]);
      const onDisk = fs.readFileSync(img.path);
      assert.equal(onDisk.length, img.bytes);
      const real = imageSize(onDisk);
      assert.deepEqual([real.width, real.height], [1536, 1024]);
      assert.deepEqual(fs.readdirSync(dir), ['red-fox.png']); // no temp file left

      const create = fake.requests.find((r) => r.path === '/v1/images/generations')!;
      assert.equal(create.headers.authorization, `Bearer ${KEY}`);
      assert.deepEqual(create.body, body({ size: '1536x1024' }));
      assert.equal(fake.creates(), 1);
      // Result URLs are pre-signed and may be elsewhere: the key is never sent to them.
      assert.equal(resultRequests()[0]!.headers.authorization, undefined);
    });

    it('never overwrites: a second image with the same name becomes name-2', async () => {
      const { c } = client();
      const done = await completedTask(c, { n: 2 });
      const dir = tmpDir();
      fs.writeFileSync(path.join(dir, 'fox.png'), 'the user\'s own file');
      const a = await c.download(done.results![0]!, dir, 'fox');
      const b = await c.download(done.results![1]!, dir, 'fox');
      assert.equal(path.basename(a.path), 'fox-2.png');
      assert.equal(path.basename(b.path), 'fox-3.png');
      assert.equal(fs.readFileSync(path.join(dir, 'fox.png'), 'utf8'), 'the user\'s own file');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['fox-2.png', 'fox-3.png', 'fox.png']);
    });

    it('n=3 may come back with fewer results, and each one downloads', async () => {
      fake.set({ returnFewer: 2 });
      const { c } = client();
      const done = await completedTask(c, { n: 3, size: '1:1' });
      assert.equal(done.results?.length, 2);
      const dir = tmpDir();
      for (const [i, url] of done.results!.entries()) {
        const img = await c.download(url, dir, `img-${i}`);
        assert.deepEqual([img.width, img.height], [1024, 1024]);
      }
      assert.deepEqual(fs.readdirSync(dir).sort(), ['img-0.png', 'img-1.png']);
    });

    it('accepts a real PNG served with a wrong content type (bytes decide, not headers)', async () => {
      const { c } = client();
      const done = await completedTask(c);
      fake.set({ resultMode: 'wrong-content-type' });
      const dir = tmpDir();
      const img = await c.download(done.results![0]!, dir, 'x');
      assert.equal(img.type, 'png');
      assert.deepEqual(fs.readdirSync(dir), ['x.png']);
    });
  });

  describe('provider errors on create are never retried, and say what is wrong', () => {
    it('401 with a wrong key: kind auth, one create, tells the user to set the key', async () => {
      const { c } = client({ apiKey: async () => 'sk-evo-wrong-key' });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.equal(e.code, 'unauthorized');
      assert.equal(e.retryable, false);
      assert.match(e.message, /Pictor: Set API Key/);
      assert.equal(fake.creates(), 1);
    });

    const cases: Array<[number, string | number, string]> = [
      [402, 'insufficient_quota', 'quota'],
      [403, 'model_access_denied', 'forbidden'],
      [400, 4001, 'invalid'],
    ];
    for (const [status, code, kind] of cases) {
      it(`${status} ${code}: kind ${kind}, exactly one create`, async () => {
        fake.set({ failCreate: { status, code, message: `fake ${status}` } });
        const { c } = client();
        const e = await rejects(c.createTask(body()));
        assert.equal(e.kind, kind);
        assert.equal(e.status, status);
        assert.equal(e.code, String(code));
        assert.equal(e.providerMessage, `fake ${status}`);
        assert.equal(fake.creates(), 1);
        assert.equal(fake.tasks.size, 0);
      });
    }

    it('400 from real validation carries the parameter', async () => {
      const { c } = client();
      const e = await rejects(c.createTask(body({ n: 11 })));
      assert.equal(e.kind, 'invalid');
      assert.equal(e.code, 'invalid_request');
      assert.equal(e.param, 'n');
      assert.equal(fake.creates(), 1);
    });
  });

  describe('rate limits and server errors', () => {
    it('429 then success: two creates received, one task exists (the refused one was not billed)', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 1 } });
      const { c, lines } = client();
      const t = await c.createTask(body());
      assert.equal(fake.creates(), 2);
      assert.deepEqual([...fake.tasks.keys()], [t.id]);
      assert.ok(lines.some((l) => l.startsWith('warn') && /429 rate_limit_exceeded.*Retry 1\/4/.test(l)), lines.join('\n'));
    });

    it('429 with Retry-After: waits at least that long before trying again', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 1, retryAfter: 1 } });
      const { c } = client({ retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 5000 } });
      await c.createTask(body());
      const creates = fake.requests.filter((r) => r.path === '/v1/images/generations');
      assert.equal(creates.length, 2);
      assert.ok(creates[1]!.at - creates[0]!.at >= 950, `second create after ${creates[1]!.at - creates[0]!.at} ms`);
    });

    it('a huge Retry-After is capped by maxDelayMs (the call still finishes)', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 1, retryAfter: 3600 } });
      const { c } = client({ retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 30 } });
      const t = await c.createTask(body());
      assert.ok(t.id);
      assert.equal(fake.creates(), 2);
    });

    it('429 that never ends: gives up after the retry budget with kind rate_limit', async () => {
      fake.set({ failCreate: { status: 429, code: 'rate_limit_exceeded' } });
      const { c } = client({ retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'rate_limit');
      assert.equal(fake.creates(), 3);
      assert.equal(fake.tasks.size, 0);
    });

    it('503 then success on create: retried, one task', async () => {
      fake.set({ failCreate: { status: 503, code: 'service_unavailable', times: 2 } });
      const { c } = client();
      await c.createTask(body());
      assert.equal(fake.creates(), 3);
      assert.equal(fake.tasks.size, 1);
    });

    it('504 on create (a gateway gave up; the task may exist upstream) is not resent', async () => {
      fake.set({ failCreate: { status: 504, code: 'gateway_timeout' } });
      const { c } = client();
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'server');
      assert.equal(e.retryable, false);
      assert.match(e.message, /double billing/);
      assert.equal(fake.creates(), 1);
    });

    it('a burst of 500/503 on poll: retried until the answer comes', async () => {
      const { c } = client();
      const t = await c.createTask(body());
      fake.set({ failPoll: { status: 500, code: 'internal_error', times: 2 } });
      const p1 = await c.getTask(t.id);
      assert.equal(p1.id, t.id);
      assert.equal(fake.polls(t.id), 3);
      fake.set({ failPoll: { status: 503, code: 'service_unavailable', times: 3 } });
      await c.getTask(t.id);
      assert.equal(fake.polls(t.id), 7);
    });

    it('404 task_not_found on poll: kind not_found, not retried', async () => {
      const { c } = client();
      const t = await c.createTask(body());
      fake.forget(t.id);
      const e = await rejects(c.getTask(t.id));
      assert.equal(e.kind, 'not_found');
      assert.equal(e.code, 'task_not_found');
      assert.equal(fake.polls(t.id), 1);
    });
  });

  describe('broken connections', () => {
    it('reset on create is NOT retried: one create, kind network, and the user learns why', async () => {
      fake.set({ resetCreate: 1 });
      const { c } = client();
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'network');
      assert.equal(e.retryable, false);
      assert.match(e.message, /may have been created/);
      assert.match(e.message, /double billing/);
      assert.equal(fake.creates(), 1);
    });

    it('reset on poll is retried', async () => {
      const { c } = client();
      const t = await c.createTask(body());
      fake.set({ resetPoll: 2 });
      const got = await c.getTask(t.id);
      assert.equal(got.id, t.id);
      assert.equal(fake.polls(t.id), 3);
    });

    it('connection refused on create is retried (nothing was sent), then fails with kind network', async () => {
      const port = await closedPort();
      const { c, lines } = client({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 } });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'network');
      assert.match(e.message, /ECONNREFUSED/);
      assert.equal(lines.filter((l) => l.startsWith('warn') && /ECONNREFUSED.*Retry \d\/3/.test(l)).length, 3, lines.join('\n'));
    });

    it('connection refused on a download leaves no file', async () => {
      const port = await closedPort();
      const { c } = client({ retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } });
      const dir = tmpDir();
      const e = await rejects(c.download(`http://127.0.0.1:${port}/results/x/0.png`, dir, 'img'));
      assert.equal(e.kind, 'download');
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('headers slower than the timeout: kind timeout; a create is not resent', async () => {
      fake.set({ slowHeadersMs: 3000 });
      const { c } = client({ timeoutMs: 150 });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'timeout');
      assert.equal(e.retryable, false);
      assert.equal(fake.creates(), 1);
    });

    it('headers slower than the timeout on poll: retried, then kind timeout', async () => {
      const { c } = client({ timeoutMs: 150, retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 20 } });
      const t = await c.createTask(body());
      fake.set({ slowHeadersMs: 3000 });
      const e = await rejects(c.getTask(t.id));
      assert.equal(e.kind, 'timeout');
      assert.equal(fake.polls(t.id), 2);
    });

    it('invalid JSON on poll is retried', async () => {
      const { c } = client();
      const t = await c.createTask(body());
      fake.set({ invalidJsonPoll: 2 });
      const got = await c.getTask(t.id);
      assert.equal(got.id, t.id);
      assert.equal(fake.polls(t.id), 3);
    });

    it('invalid JSON on every poll ends as kind bad_response', async () => {
      const { c } = client({ retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 20 } });
      const t = await c.createTask(body());
      fake.set({ invalidJsonPoll: 5 });
      const e = await rejects(c.getTask(t.id));
      assert.equal(e.kind, 'bad_response');
      assert.equal(fake.polls(t.id), 2);
    });
  });

  describe('bad downloads leave nothing behind', () => {
    async function failing(mode: 'truncated' | 'html' | '404' | 'expired') {
      const { c } = client();
      const done = await completedTask(c);
      fake.set({ resultMode: mode });
      const dir = tmpDir();
      const e = await rejects(c.download(done.results![0]!, dir, 'img'));
      assert.equal(e.kind, 'download');
      assert.deepEqual(fs.readdirSync(dir), [], 'no file and no temp file in the folder');
      return e;
    }

    it('a truncated body is retried, then kind download', async () => {
      const e = await failing('truncated');
      assert.match(e.message, /broke off|cut short/);
      assert.equal(resultRequests().length, 5); // 1 + 4 retries: downloads cost nothing
    });

    it('an HTML page instead of an image says so', async () => {
      const e = await failing('html');
      assert.match(e.message, /The result URL answered with an HTML page instead of an image/);
    });

    it('an expired result URL (404) is tried at most twice', async () => {
      const e = await failing('404');
      assert.equal(e.status, 404);
      assert.match(e.message, /expired/);
      assert.equal(resultRequests().length, 2);
    });

    it('an expired pre-signed URL (403) is tried at most twice', async () => {
      const e = await failing('expired');
      assert.equal(e.status, 403);
      assert.equal(resultRequests().length, 2);
    });

    it('a truncated body followed by a good one: saved, only the image in the folder', async () => {
      const { c } = client();
      const done = await completedTask(c);
      fake.set({ resultMode: 'truncated', resultFailTimes: 1 });
      const dir = tmpDir();
      const img = await c.download(done.results![0]!, dir, 'img');
      assert.equal(img.width, 1024);
      assert.deepEqual(fs.readdirSync(dir), ['img.png']);
      assert.equal(resultRequests().length, 2);
    });
  });

  describe('uploads', () => {
    it('streams a local image; its file_url serves the same bytes and works as a reference', async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'ref image.png');
      const bytes = encodePng(64, 48);
      fs.writeFileSync(file, bytes);
      const { c } = client();
      const up = await c.uploadFile(file);
      assert.equal(up.file_size, bytes.length);
      const rec = fake.requests.find((r) => r.path === '/api/v1/files/upload/stream')!;
      assert.deepEqual(rec.body, { fileName: 'ref image.png', size: bytes.length });
      assert.equal(rec.headers.authorization, `Bearer ${KEY}`);
      const res = await request(up.file_url);
      const served = Buffer.from(await res.body.arrayBuffer());
      assert.ok(served.equals(bytes));
      const t = await c.createTask(body({ image_urls: [up.file_url] }));
      assert.deepEqual(fake.tasks.get(t.id)?.imageUrls, [up.file_url]);
    });

    it('refuses a file that is not an image without sending anything', async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'notes.png');
      fs.writeFileSync(file, 'just text');
      const { c } = client();
      const e = await rejects(c.uploadFile(file));
      assert.equal(e.kind, 'invalid');
      assert.equal(fake.requests.length, 0);
    });

    it('an upload with a wrong key fails with kind auth', async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'a.png');
      fs.writeFileSync(file, encodePng(16, 16));
      const { c } = client({ apiKey: async () => 'sk-evo-nope' });
      const e = await rejects(c.uploadFile(file));
      assert.equal(e.kind, 'auth');
    });
  });

  describe('guards before any request', () => {
    it('no key: kind auth, points to "Pictor: Set API Key", nothing sent', async () => {
      const { c } = client({ apiKey: async () => undefined });
      for (const p of [c.createTask(body()), c.getTask('task-unified-1-abcdefgh'), c.uploadFile(__filename)]) {
        const e = await rejects(p);
        assert.equal(e.kind, 'auth');
        assert.match(e.message, /Pictor: Set API Key/);
      }
      assert.equal(fake.requests.length, 0);
    });

    it('plain http to a non-loopback host is refused with a clear error', async () => {
      const { c } = client({ baseUrl: 'http://api.evolink.invalid' });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'invalid');
      assert.match(e.message, /https:\/\//);
      // A result URL is different (issue 10 item 8): it carries no key, so plain http is tried
      // (here the name does not resolve) instead of losing a paid image; see net.test.ts.
      const { c: c2 } = client();
      const dir = tmpDir();
      const d = await rejects(c2.download('http://images.evolink.invalid/x.png', dir, 'x'));
      assert.equal(d.kind, 'download');
      assert.match(d.message, /look up images\.evolink\.invalid/);
      assert.equal(fake.requests.length, 0);
    });

    it('an already aborted signal: kind cancelled, nothing sent', async () => {
      const { c } = client();
      const ac = new AbortController();
      ac.abort();
      const e = await rejects(c.createTask(body(), ac.signal));
      assert.equal(e.kind, 'cancelled');
      assert.equal(fake.requests.length, 0);
    });

    it('cancelling while waiting between retries ends the call at once', async () => {
      const { c } = client({ retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 60000 } });
      const t = await c.createTask(body());
      fake.set({ failPoll: { status: 503, code: 'service_unavailable', retryAfter: 60 } });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const e = await rejects(c.getTask(t.id, ac.signal));
      assert.equal(e.kind, 'cancelled');
      assert.equal(fake.polls(t.id), 1);
    });

    it('cancelling a download once its headers arrived leaves no file', async () => {
      const ac = new AbortController();
      // The client logs the status line before it streams the body: cancel right there.
      const { c } = client({ log: (_level, msg) => (/results.* -> 200/.test(msg) ? ac.abort() : undefined) });
      const done = await completedTask(c, { size: '3840x2160' });
      const dir = tmpDir();
      const e = await rejects(c.download(done.results![0]!, dir, 'img', ac.signal));
      assert.equal(e.kind, 'cancelled');
      assert.deepEqual(fs.readdirSync(dir), []);
      assert.equal(resultRequests().length, 1);
    });
  });

  describe('proxy', () => {
    it('sends https traffic through HTTPS_PROXY and tells the proxy nothing about the key', async () => {
      const seen: string[] = [];
      const proxy = net.createServer((sock) => {
        sock.once('data', (d) => {
          seen.push(d.toString('latin1'));
          sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        });
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      try {
        const port = (proxy.address() as net.AddressInfo).port;
        const { c } = client({ baseUrl: 'https://api.evolink.invalid', env: { HTTPS_PROXY: `http://127.0.0.1:${port}` } });
        const e = await rejects(c.createTask(body()));
        assert.equal(e.kind, 'network');
        assert.match(seen[0]!, /^CONNECT api\.evolink\.invalid:443 /);
        assert.ok(!seen.join('').includes(KEY));
        // Loopback never goes through the proxy.
        const { c: local } = client({ env: { HTTPS_PROXY: `http://127.0.0.1:${port}`, HTTP_PROXY: `http://127.0.0.1:${port}` } });
        await local.createTask(body());
        assert.equal(seen.length, 1);
      } finally {
        await new Promise<void>((r) => proxy.close(() => r()));
      }
    });
  });

  describe('the key never leaks', () => {
    it('appears in no error message, String(error), JSON of the error, or log line on any error path', async () => {
      const errors: unknown[] = [];
      const allLines: string[] = [];
      const capture = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (e) {
          errors.push(e);
        }
      };
      const mk = (over: Partial<ClientOptions> = {}) => {
        const { c, lines } = client({ retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 }, ...over });
        return { c, lines };
      };
      const runs: Array<{ lines: string[] }> = [];
      const dir = tmpDir();

      const base = mk();
      runs.push(base);
      const t = await base.c.createTask(body());
      const done = await untilDone(base.c, t.id);

      const faults: Array<Parameters<FakeEvolink['set']>[0]> = [
        { failCreate: { status: 401, code: 'unauthorized' } },
        { failCreate: { status: 402, code: 'insufficient_quota' } },
        { failCreate: { status: 403, code: 'model_access_denied' } },
        { failCreate: { status: 400, code: 'invalid_request' } },
        { failCreate: { status: 429, code: 'rate_limit_exceeded' } },
        { failCreate: { status: 500, code: 'internal_error', message: `upstream rejected key ${KEY}` } },
        { resetCreate: 1 },
      ];
      for (const f of faults) {
        fake.set({ failCreate: undefined, ...f });
        await capture(base.c.createTask(body()));
      }
      fake.set({ failCreate: undefined });
      const pollFaults: Array<Parameters<FakeEvolink['set']>[0]> = [
        { failPoll: { status: 503, code: 'service_unavailable' } },
        { failPoll: { status: 404, code: 'task_not_found', message: `no task for ${KEY}` } },
        { resetPoll: 5 },
        { invalidJsonPoll: 5 },
      ];
      for (const f of pollFaults) {
        fake.set({ failPoll: undefined, resetPoll: undefined, invalidJsonPoll: undefined, ...f });
        await capture(base.c.getTask(t.id));
      }
      fake.set({ failPoll: undefined, resetPoll: undefined, invalidJsonPoll: undefined });
      for (const mode of ['truncated', 'html', '404', 'expired'] as const) {
        fake.set({ resultMode: mode });
        await capture(base.c.download(done.results![0]!, dir, 'leak'));
      }
      fake.set({ resultMode: 'ok' });

      const slow = mk({ timeoutMs: 100 });
      runs.push(slow);
      fake.set({ slowHeadersMs: 3000 });
      await capture(slow.c.createTask(body()));
      await capture(slow.c.getTask(t.id));
      fake.set({ slowHeadersMs: undefined });

      const refused = mk({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
      runs.push(refused);
      await capture(refused.c.createTask(body()));
      await capture(refused.c.getTask(t.id));

      const file = path.join(dir, 'x.png');
      fs.writeFileSync(file, 'not an image');
      await capture(base.c.uploadFile(file));
      await capture(base.c.uploadFile(path.join(dir, 'missing.png')));
      const wrongFiles = mk({ filesBaseUrl: 'http://files.evolink.invalid' });
      runs.push(wrongFiles);
      await capture(wrongFiles.c.uploadFile(file));

      const ac = new AbortController();
      ac.abort();
      await capture(base.c.getTask(t.id, ac.signal));

      for (const r of runs) allLines.push(...r.lines);
      assert.ok(errors.length >= 20, `only ${errors.length} errors collected`);
      assert.ok(allLines.length > 20);
      for (const e of errors) {
        assert.ok(e instanceof PictorError);
        for (const text of [e.message, String(e), JSON.stringify(e), e.stack ?? '']) {
          assert.ok(!text.includes(KEY), `key leaked in ${e.kind}: ${text}`);
        }
      }
      for (const line of allLines) assert.ok(!line.includes(KEY), `key leaked in log: ${line}`);
      // The fake really did echo it, so the check above means something.
      assert.ok(errors.some((e) => (e as PictorError).message.includes('[redacted]')));
    });
  });
});
