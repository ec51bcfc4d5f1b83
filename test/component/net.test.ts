// The network's edges (issue 10 items 7, 8, 10, 11; issue 9 item 5's download deadline), over real
// HTTP: the fake provider on 127.0.0.1, a real CONNECT proxy on 127.0.0.1 (test/fake-evolink/proxy.ts)
// and a TLS front with a test CA for https://*.evolink.test names.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Lookup } from '../../src/core/api/addresses';
import { EvoLinkClient, type ClientOptions } from '../../src/core/api/client';
import type { TaskObject } from '../../src/core/types';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { startTestProxy, type TestProxy } from '../fake-evolink/proxy';
import { TEST_CA_PEM } from '../fake-evolink/tlsFixture';
import { closeClients, closedPort, rejects, testClient } from './support';

const KEY = 'sk-evo-NETCHECK-5b1e9d2a7c4f';
const API = 'https://api.evolink.test';

describe('the network edges (issue 10: redirects, plain http, malformed keys, proxies; issue 9: slow downloads)', function () {
  this.timeout(20000);

  let fake: FakeEvolink;
  let proxy: TestProxy;
  let dirs: string[] = [];
  let caFile: string;

  before(async () => {
    fake = await startFakeEvolink({ apiKey: KEY, behavior: { stepMs: 20, progressSteps: 2 } });
    proxy = await startTestProxy(Number(new URL(fake.url).port));
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-ca-')), 'test-ca.pem');
    fs.writeFileSync(caFile, TEST_CA_PEM);
  });
  after(async () => {
    await proxy.close();
    await fake.close();
    fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.reset();
    proxy.connects.length = 0;
    proxy.requireAuthorization = undefined;
  });
  afterEach(async () => {
    await closeClients();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    dirs = [];
  });

  // Two retries, 20 ms apart at most; the rest is the shared test client.
  const client = (over: Partial<ClientOptions> = {}) => testClient(fake, { retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 }, ...over });

  /** A client that reaches the provider as https://api.evolink.test through the test proxy. */
  function proxied(over: Partial<ClientOptions> = {}) {
    return client({
      baseUrl: API,
      filesBaseUrl: API,
      proxy: proxy.url,
      proxySource: 'the http.proxy setting',
      env: { NODE_EXTRA_CA_CERTS: caFile },
      ...over,
    });
  }

  function tmpDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-net-'));
    dirs.push(d);
    return d;
  }

  const body = (prompt = 'a red fox in snow') => ({ model: 'gpt-image-2', prompt });

  async function completed(c: EvoLinkClient): Promise<TaskObject> {
    const created = await c.createTask(body());
    for (;;) {
      const t = await c.getTask(created.id);
      if (t.status === 'completed') return t;
      assert.notEqual(t.status, 'failed');
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  const results = () => fake.requests.filter((r) => r.path.startsWith('/results/'));

  /** A server on another loopback address (127.0.0.2): loopback, but not the configured provider. */
  async function bystander(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
    const hits: string[] = [];
    const srv = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('internal admin page');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.2', r));
    const port = (srv.address() as net.AddressInfo).port;
    return { url: `http://127.0.0.2:${port}`, hits, close: () => new Promise((r) => srv.close(() => r())) };
  }

  describe('item 7: redirects of a result URL are followed one checked hop at a time', () => {
    it('a redirect to another result on the provider is followed and saved; no hop carries the key', async () => {
      const { c } = client();
      const done = await completed(c);
      fake.set({ redirectResults: { to: done.results![0]!, times: 1 } });
      const dir = tmpDir();
      const img = await c.download(done.results![0]!, dir, 'fox');
      assert.equal(path.basename(img.path), 'fox.png');
      assert.equal(results().length, 2, 'the redirect and its target');
      for (const r of results()) assert.equal(r.headers.authorization, undefined);
    });

    it('a redirect to another service on this computer (127.0.0.2) is refused: nothing fetched from it, nothing saved', async () => {
      const other = await bystander();
      try {
        const { c } = client();
        const done = await completed(c);
        fake.set({ redirectResults: { to: `${other.url}/admin` } });
        const dir = tmpDir();
        const e = await rejects(c.download(done.results![0]!, dir, 'fox'));
        assert.equal(e.kind, 'download');
        assert.equal(e.retryable, false);
        assert.match(e.message, /redirected to http:\/\/127\.0\.0\.2:\d+\/admin/);
        assert.match(e.message, /loopback/);
        assert.deepEqual(other.hits, [], 'the private target was fetched');
        assert.deepEqual(fs.readdirSync(dir), []);
        assert.equal(results().length, 1, 'not tried again: the answer will not change');
      } finally {
        await other.close();
      }
    });

    for (const [to, words] of [
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://10.1.2.3/x.png', /private network/],
      ['http://[::ffff:192.168.0.1]/x.png', /private network/],
      ['https://[fe80::1]/x.png', /link-local/],
      ['http://localhost:9/x.png', /loopback/],
      ['file:///etc/passwd', /not an http\(s\) address/],
    ] as const) {
      it(`a redirect to ${to} is refused before any connection: ${words.source}`, async () => {
        const { c, lines } = client();
        const done = await completed(c);
        fake.set({ redirectResults: { to } });
        const dir = tmpDir();
        const e = await rejects(c.download(done.results![0]!, dir, 'fox'));
        assert.equal(e.kind, 'download');
        assert.match(e.message, words);
        assert.match(e.message, /Nothing was fetched|does not follow/);
        assert.deepEqual(fs.readdirSync(dir), []);
        assert.ok(!lines.some((l) => l.includes(`GET ${to}`)), 'a request went to the refused target');
      });
    }

    it('a redirect loop ends after 5 hops with a clear error', async () => {
      const { c } = client();
      const done = await completed(c);
      fake.set({ redirectResults: { to: done.results![0]! } });
      const e = await rejects(c.download(done.results![0]!, tmpDir(), 'fox'));
      assert.equal(e.kind, 'download');
      assert.match(e.message, /redirected more than 5 times/);
      assert.equal(results().length, 6);
    });

    it('a result URL that itself points at a private address is refused without a request', async () => {
      const { c } = client();
      const e = await rejects(c.download('https://192.168.1.20/results/x.png', tmpDir(), 'fox'));
      assert.equal(e.kind, 'download');
      assert.match(e.message, /192\.168\.1\.20, a private network address/);
    });
  });

  describe('item 8: plain-http result URLs', () => {
    it('an http:// result URL on an internet host is downloaded without the key and logged', async () => {
      // images.evolink.test:80 is the fake, reached through the proxy (this machine has no internet).
      const { c, lines } = client({ env: { HTTP_PROXY: proxy.url } });
      const done = await completed(c);
      const plain = done.results![0]!.replace(fake.url, 'http://images.evolink.test');
      const dir = tmpDir();
      const img = await c.download(plain, dir, 'fox');
      assert.equal(img.type, 'png');
      assert.deepEqual(fs.readdirSync(dir), ['fox.png']);
      assert.deepEqual(proxy.connects.map((r) => r.target), ['images.evolink.test:80']);
      assert.equal(results().length, 1);
      assert.equal(results()[0]!.headers.authorization, undefined);
      assert.ok(lines.some((l) => /^info Downloading http:\/\/images\.evolink\.test\/results\/.* over plain http/.test(l)), lines.join('\n'));
    });

    it('its bytes are still checked: an HTML page over plain http is not saved', async () => {
      const { c } = client({ env: { HTTP_PROXY: proxy.url } });
      const done = await completed(c);
      fake.set({ resultMode: 'html' });
      const dir = tmpDir();
      const e = await rejects(c.download(done.results![0]!.replace(fake.url, 'http://images.evolink.test'), dir, 'fox'));
      assert.equal(e.kind, 'download');
      assert.match(e.message, /HTML page instead of an image/);
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('the key never goes over plain http to a host that is not loopback: nothing reaches the proxy either', async () => {
      const { c } = client({ baseUrl: 'http://api.evolink.test', filesBaseUrl: 'http://api.evolink.test', env: { HTTP_PROXY: proxy.url } });
      for (const p of [c.createTask(body()), c.getTask('task-unified-1-abcdefgh')]) {
        const e = await rejects(p);
        assert.equal(e.kind, 'invalid');
        assert.match(e.message, /must use https:\/\//);
      }
      assert.deepEqual(proxy.connects, []);
      assert.equal(fake.requests.length, 0);
    });
  });

  describe('item 10: a key HTTP cannot carry', () => {
    for (const [name, key] of [
      ['an inner newline', 'sk-evo-abc\ndef123456'],
      ['a non-Latin-1 character (…)', 'sk-evo-abc…def123456'],
      ['a Cyrillic letter', 'sk-evo-аbcdef123456'],
    ] as const) {
      it(`${name}: kind auth, "nothing was sent", never "may have been billed"; no request`, async () => {
        const { c, lines } = client({ apiKey: async () => key });
        for (const p of [c.createTask(body()), c.getTask('task-unified-1-abcdefgh')]) {
          const e = await rejects(p);
          assert.equal(e.kind, 'auth');
          assert.match(e.message, /Nothing was sent/);
          assert.match(e.message, /Pictor: Set API Key/);
          assert.doesNotMatch(e.message, /billed|may have been created/);
          assert.ok(!e.message.includes(key.trim()), 'the key is in the message');
        }
        assert.equal(fake.requests.length, 0);
        assert.ok(!lines.join('\n').includes(key));
      });
    }

    it('another local header error (a user agent with a line break) is "nothing was sent", not "may have been billed"', async () => {
      const { c } = client({ userAgent: 'pictor\r\nx-injected: 1' });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'invalid');
      assert.match(e.message, /nothing was sent/);
      assert.doesNotMatch(e.message, /billed|may have been created/);
      assert.equal(fake.creates(), 0);
    });
  });

  describe('item 11: proxies', () => {
    it('requests go through the proxy (https, verified with NODE_EXTRA_CA_CERTS); the proxy never sees the key', async () => {
      const { c } = proxied();
      const done = await completed(c);
      assert.equal(done.status, 'completed');
      assert.ok(proxy.connects.length >= 1);
      for (const r of proxy.connects) assert.equal(r.target, 'api.evolink.test:443');
      assert.ok(!proxy.connects.some((r) => r.head.includes(KEY)), 'the key was in what the proxy can read');
      const create = fake.requests.find((r) => r.path === '/v1/images/generations')!;
      assert.equal(create.headers.authorization, `Bearer ${KEY}`, 'the key reached the provider through the tunnel');
      assert.equal(create.headers.host, 'api.evolink.test');
    });

    it('http.proxyAuthorization reaches the proxy; a proxy that wants credentials and gets none says so, nothing created', async () => {
      proxy.requireAuthorization = 'Basic dXNlcjpwYXNz';
      const { c: without } = proxied();
      const e = await rejects(without.createTask(body()));
      assert.equal(e.kind, 'network');
      assert.match(e.message, /proxy http:\/\/127\.0\.0\.1:\d+ \(from the http\.proxy setting\) asked for credentials \(HTTP 407\)/);
      assert.match(e.message, /http\.proxyAuthorization/);
      assert.match(e.message, /Nothing was sent to api\.evolink\.test/);
      assert.equal(fake.creates(), 0);

      const { c } = proxied({ proxyAuthorization: 'Basic dXNlcjpwYXNz' });
      await c.createTask(body());
      assert.equal(fake.creates(), 1);
      assert.equal(proxy.connects.at(-1)?.proxyAuthorization, 'Basic dXNlcjpwYXNz');
    });

    it('credentials in the proxy URL reach the proxy as Basic authorization', async () => {
      proxy.requireAuthorization = `Basic ${Buffer.from('me:s3cret').toString('base64')}`;
      const { c } = proxied({ proxy: proxy.url.replace('http://', 'http://me:s3cret@') });
      await c.createTask(body());
      assert.equal(fake.creates(), 1);
    });

    it('http.noProxy and NO_PROXY hosts do not go through the proxy (here: a direct lookup that fails)', async () => {
      for (const over of [{ noProxy: ['api.evolink.test'] }, { env: { NO_PROXY: '.evolink.test', NODE_EXTRA_CA_CERTS: caFile } }]) {
        const { c } = proxied(over);
        const e = await rejects(c.getTask('task-unified-1-abcdefgh'));
        assert.match(e.message, /Could not look up api\.evolink\.test/);
        assert.deepEqual(proxy.connects, [], `went through the proxy with ${JSON.stringify(over)}`);
      }
    });

    it('HTTPS_PROXY is used for https and HTTP_PROXY for http', async () => {
      const { c } = client({ baseUrl: API, filesBaseUrl: API, env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9', NODE_EXTRA_CA_CERTS: caFile } });
      const t = await c.createTask(body());
      assert.equal(proxy.connects.at(-1)?.target, 'api.evolink.test:443');
      const { c: plain } = client({ env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: 'http://127.0.0.1:9' } });
      const done = await completed(plain);
      await plain.download(done.results![0]!.replace(fake.url, 'http://images.evolink.test'), tmpDir(), 'fox');
      assert.equal(proxy.connects.at(-1)?.target, 'images.evolink.test:80');
      assert.ok(t.id);
    });

    it('a certificate the proxy path cannot verify: a clear error naming NODE_EXTRA_CA_CERTS and http.proxyStrictSSL; strictSSL off gets through', async () => {
      const { c: strict } = proxied({ env: {} });
      const e = await rejects(strict.createTask(body()));
      assert.equal(e.kind, 'network');
      assert.match(e.message, /secure connection to api\.evolink\.test through the proxy/);
      assert.match(e.message, /NODE_EXTRA_CA_CERTS/);
      assert.match(e.message, /http\.proxyStrictSSL/);
      assert.match(e.message, /Nothing was sent/);
      assert.equal(fake.creates(), 0);

      const { c: lax, lines } = proxied({ env: {}, proxyStrictSSL: false });
      await lax.createTask(body());
      assert.equal(fake.creates(), 1);
      assert.ok(lines.some((l) => l.startsWith('warn') && /proxyStrictSSL/.test(l)));
    });

    it('a wrong proxy (nothing listening) gives a clear error naming the setting; nothing created', async () => {
      const port = await closedPort();
      const { c } = proxied({ proxy: `http://127.0.0.1:${port}` });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'network');
      assert.match(e.message, new RegExp(`Could not reach the proxy http://127\\.0\\.0\\.1:${port} \\(from the http\\.proxy setting\\) \\(ECONNREFUSED\\)`));
      assert.match(e.message, /Check the http\.proxy setting/);
      assert.match(e.message, /Nothing was sent to api\.evolink\.test/);
      assert.doesNotMatch(e.message, /billed|may have been created/);
    });

    it('a proxy setting that is not a URL names the setting and sends nothing', async () => {
      const { c } = proxied({ proxy: 'ftp://user:pw@proxy.corp' });
      const e = await rejects(c.createTask(body()));
      assert.equal(e.kind, 'invalid');
      assert.match(e.message, /The proxy "ftp:\/\/proxy\.corp" \(from the http\.proxy setting\) is not a valid http:\/\/ or https:\/\/ URL/);
      assert.ok(!e.message.includes('pw'));
      assert.deepEqual(proxy.connects, []);
    });

    it('a host the proxy cannot reach: the proxy\'s answer is told, nothing created', async () => {
      const { c } = proxied({ baseUrl: 'https://api.elsewhere.example', filesBaseUrl: 'https://api.elsewhere.example' });
      const e = await rejects(c.getTask('task-unified-1-abcdefgh'));
      assert.match(e.message, /would not connect to api\.elsewhere\.example \(HTTP 502\)/);
      assert.deepEqual(proxy.connects.map((r) => r.target).slice(0, 1), ['api.elsewhere.example:443']);
    });
  });

  describe('issue 18 item 10: behind a proxy, a result name that resolves here to a private address', () => {
    /** Name resolution on "this computer": listed names get their address, others are not found (as on a network where only the proxy resolves names). */
    function hosts(table: Record<string, { address: string; family: number }>): { lookup: Lookup; asked: string[] } {
      const asked: string[] = [];
      const lookup: Lookup = (name, _options, callback) => {
        asked.push(name);
        const hit = table[name];
        setImmediate(() =>
          hit ? callback(null, [hit]) : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), []));
      };
      return { lookup, asked };
    }
    const at = (url: string, host: string) => url.replace(fake.url, `http://${host}`);

    for (const [address, family, said] of [
      ['10.20.30.40', 4, /internal-admin\.evolink\.test resolves to a private network address \(10\.20\.30\.40\)/],
      ['169.254.169.254', 4, /resolves to a link-local address \(169\.254\.169\.254\)/],
      ['64:ff9b::a9fe:a9fe', 6, /resolves to a link-local address \(64:ff9b::a9fe:a9fe\)/],
    ] as const) {
      it(`resolving to ${address}: refused before the proxy is asked (no CONNECT), nothing saved, not retried`, async () => {
        const { lookup, asked } = hosts({ 'internal-admin.evolink.test': { address, family } });
        const { c } = client({ env: { HTTP_PROXY: proxy.url }, lookup });
        const done = await completed(c);
        const dir = tmpDir();
        const e = await rejects(c.download(at(done.results![0]!, 'internal-admin.evolink.test'), dir, 'fox'));
        assert.equal(e.kind, 'download');
        assert.equal(e.retryable, false);
        assert.match(e.message, said);
        assert.match(e.message, /Nothing was fetched from it/);
        assert.deepEqual(proxy.connects, [], 'the proxy was asked for the private name');
        assert.deepEqual(results(), []);
        assert.deepEqual(fs.readdirSync(dir), []);
        assert.deepEqual(asked, ['internal-admin.evolink.test']);
      });
    }

    it('a redirect to such a name is refused the same way: the proxy sees only the first host', async () => {
      const { lookup } = hosts({ 'internal-admin.evolink.test': { address: '10.20.30.40', family: 4 } });
      const { c } = client({ env: { HTTP_PROXY: proxy.url }, lookup });
      const done = await completed(c);
      fake.set({ redirectResults: { to: at(done.results![0]!, 'internal-admin.evolink.test'), times: 1 } });
      const dir = tmpDir();
      const e = await rejects(c.download(at(done.results![0]!, 'images.evolink.test'), dir, 'fox'));
      assert.equal(e.kind, 'download');
      assert.match(e.message, /internal-admin\.evolink\.test resolves to a private network address/);
      assert.deepEqual(proxy.connects.map((r) => r.target), ['images.evolink.test:80']);
      assert.equal(results().length, 1, 'only the redirect itself');
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('a name only the proxy can resolve (not found here) is fetched through the proxy and saved', async () => {
      const { lookup, asked } = hosts({});
      const { c, lines } = client({ env: { HTTP_PROXY: proxy.url }, lookup });
      const done = await completed(c);
      const dir = tmpDir();
      const img = await c.download(at(done.results![0]!, 'images.evolink.test'), dir, 'fox');
      assert.equal(img.type, 'png');
      assert.deepEqual(fs.readdirSync(dir), ['fox.png']);
      assert.deepEqual(proxy.connects.map((r) => r.target), ['images.evolink.test:80']);
      assert.deepEqual(asked, ['images.evolink.test'], 'the name was not looked up here first');
      assert.ok(lines.some((l) => /^debug images\.evolink\.test: not found by the lookup here \(ENOTFOUND\), left to the proxy$/.test(l)), lines.join('\n'));
    });

    it('the configured provider in the user\'s own network stays allowed behind the proxy; other private names do not', async () => {
      const { lookup } = hosts({
        'api.evolink.test': { address: '10.0.0.7', family: 4 },
        'images.evolink.test': { address: '10.0.0.8', family: 4 },
      });
      const { c } = proxied({ lookup });
      const done = await completed(c);
      const dir = tmpDir();
      const img = await c.download(done.results![0]!.replace(fake.url, API), dir, 'fox');
      assert.equal(img.type, 'png');
      assert.equal(proxy.connects.at(-1)?.target, 'api.evolink.test:443');
      const before = proxy.connects.length;
      const e = await rejects(c.download(done.results![0]!.replace(fake.url, 'https://images.evolink.test'), dir, 'fox'));
      assert.match(e.message, /images\.evolink\.test resolves to a private network address \(10\.0\.0\.8\)/);
      assert.equal(proxy.connects.length, before);
      assert.deepEqual(fs.readdirSync(dir), ['fox.png']);
    });
  });

  describe('issue 9 item 5: a download has a deadline and a minimum throughput', () => {
    it('a body trickling a byte at a time ends as a retryable download failure; no file left', async () => {
      const { c } = client({ download: { deadlineMs: 5000, minBytesPerSecond: 1000, windowMs: 300 } });
      const done = await completed(c);
      fake.set({ resultMode: 'trickle', trickleMs: 50 });
      const dir = tmpDir();
      const e = await rejects(c.download(done.results![0]!, dir, 'fox'));
      assert.equal(e.kind, 'download');
      assert.equal(e.retryable, true, 'the job must offer Retry');
      assert.match(e.message, /too slow: \d+ bytes in 0\.3 s \(less than 1000 bytes a second\)/);
      assert.match(e.message, /Gave up after 3 attempts/);
      assert.equal(results().length, 3, 'each attempt gave up, then the next one started');
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('the overall deadline ends a download that keeps just above the minimum rate', async () => {
      const { c } = client({ retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 }, download: { deadlineMs: 600, minBytesPerSecond: 1, windowMs: 10_000 } });
      const done = await completed(c);
      fake.set({ resultMode: 'trickle', trickleMs: 20 });
      const dir = tmpDir();
      const e = await rejects(c.download(done.results![0]!, dir, 'fox'));
      assert.equal(e.kind, 'download');
      assert.equal(e.retryable, true);
      assert.match(e.message, /did not finish within 0\.6 s/);
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('after a trickle, a good answer is saved whole', async () => {
      const { c } = client({ download: { deadlineMs: 5000, minBytesPerSecond: 1000, windowMs: 300 } });
      const done = await completed(c);
      fake.set({ resultMode: 'trickle', trickleMs: 50, resultFailTimes: 1 });
      const dir = tmpDir();
      const img = await c.download(done.results![0]!, dir, 'fox');
      assert.equal(img.type, 'png');
      assert.deepEqual(fs.readdirSync(dir), ['fox.png']);
    });
  });
});
