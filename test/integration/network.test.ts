// The network settings through the real commands (issue 10 items 10 and 11): VS Code's http.proxy,
// http.noProxy, http.proxyStrictSSL and http.proxyAuthorization, and NODE_EXTRA_CA_CERTS, against a
// real CONNECT proxy started in this extension host (test/fake-evolink/proxy.ts). The provider is
// https://api.evolink.test: the proxy tunnels that name to a TLS front (test CA) before the shared fake,
// and result URLs are http://images.evolink.test/…, plain http through the proxy too.
// Also: a key HTTP cannot carry, from a command argument. The matrix (proxy errors, keys from the
// environment) is in test/component/net.test.ts; here one wiring test per setting.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startTestProxy, type TestProxy } from '../fake-evolink/proxy';
import { TEST_CA_PEM } from '../fake-evolink/tlsFixture';
import { closeAllEditors, closedPort, fake, fakeCreates, waitFor } from './helpers';
import { createsFor, setFake } from './fakeControl';
import { assertWholePng, filesUnder, freshDir, onDisk, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

const API = 'https://api.evolink.test';
const AUTH = `Basic ${Buffer.from('pictor:proxy-pass').toString('base64')}`;
const HTTP_KEYS = ['proxy', 'noProxy', 'proxyStrictSSL', 'proxyAuthorization'] as const;
// The test's own calls to the fake's control endpoints go through VS Code's proxy support: keep them direct.
const LOCAL = ['127.0.0.1', 'localhost'];

async function setHttp(key: (typeof HTTP_KEYS)[number], value: unknown): Promise<void> {
  const c = () => vscode.workspace.getConfiguration('http');
  await c().update(key, value, vscode.ConfigurationTarget.Global);
  await waitFor(`http.${key} to be ${JSON.stringify(value)}`, () => JSON.stringify(c().get(key) ?? null) === JSON.stringify(value ?? null)
    || (value === undefined && c().inspect(key)?.globalValue === undefined));
}

async function pointAt(url: string): Promise<void> {
  const c = () => vscode.workspace.getConfiguration('pictor');
  await c().update('baseUrl', url, vscode.ConfigurationTarget.Workspace);
  await c().update('filesBaseUrl', url, vscode.ConfigurationTarget.Workspace);
  await waitFor(`pictor.baseUrl to be ${url}`, () => c().get('baseUrl') === url && c().get('filesBaseUrl') === url);
}

async function generateOne(doc: vscode.Uri, prompt: string): Promise<JobSummary> {
  const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, prompt.slice(0, 20)));
  assert.equal(jobs.length, 1, `one job, got ${JSON.stringify(jobs)}`);
  return jobs[0]!;
}

describe('network settings through the commands (issue 10 items 10, 11)', function () {
  this.timeout(120_000);

  let proxy: TestProxy;
  let caFile: string;
  const savedCa = process.env.NODE_EXTRA_CA_CERTS;

  before(async () => {
    proxy = await startTestProxy(Number(new URL(fake().url).port));
    const dir = freshDir('network/ca');
    caFile = path.join(dir, 'test-ca.pem');
    fs.writeFileSync(caFile, TEST_CA_PEM);
    await setFake({ resultBaseUrl: 'http://images.evolink.test' });
  });

  beforeEach(() => {
    proxy.connects.length = 0;
    proxy.requireAuthorization = undefined;
  });

  after(async () => {
    if (savedCa === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = savedCa;
    for (const k of HTTP_KEYS) await setHttp(k, undefined);
    await pointAt(fake().url);
    await setFake({ resultBaseUrl: null });
    await proxy?.close();
    await closeAllEditors();
  });

  /** A page with one placeholder in a folder of its own. */
  function page(name: string, prompt: string): { dir: string; doc: vscode.Uri; original: string } {
    const dir = freshDir(`network/${name}`);
    const original = `# ${name}\n\n![${prompt}]()\n`;
    return { dir, doc: writePage(dir, original), original };
  }

  async function throughProxy(over: { strict: boolean; auth?: string; noProxy?: string[] }): Promise<void> {
    await setHttp('noProxy', [...LOCAL, ...(over.noProxy ?? [])]);
    await setHttp('proxyStrictSSL', over.strict);
    await setHttp('proxyAuthorization', over.auth);
    await setHttp('proxy', proxy.url);
    await pointAt(API);
  }

  it('http.proxy with http.proxyAuthorization: the task goes through the proxy with the credentials; the image is saved and linked', async () => {
    proxy.requireAuthorization = AUTH;
    await throughProxy({ strict: false, auth: AUTH });
    const prompt = 'a lighthouse behind a corporate proxy';
    const { dir, doc } = page('through', prompt);
    const job = await generateOne(doc, prompt);
    assert.equal(job.state, 'completed', `the job failed: ${job.error}`);
    assert.equal(job.linked, true);
    assert.equal(filesUnder(dir).length, 2, `expected the page and one image: ${filesUnder(dir).join(', ')}`);
    assertWholePng(path.join(dir, filesUnder(dir).find((f) => f.endsWith('.png'))!));
    assert.match(onDisk(doc), /!\[a lighthouse behind a corporate proxy\]\(images\/[^)]+\.png\)/);
    const targets = new Set(proxy.connects.map((r) => r.target));
    assert.ok(targets.has('api.evolink.test:443'), `the API calls did not go through the proxy: ${[...targets].join(', ')}`);
    assert.ok(targets.has('images.evolink.test:80'), `the download did not go through the proxy: ${[...targets].join(', ')}`);
    for (const r of proxy.connects) assert.equal(r.proxyAuthorization, AUTH);
    assert.ok(!proxy.connects.some((r) => r.head.includes(fake().key)), 'the proxy could read the key');
    const creates = await createsFor(prompt);
    assert.equal(creates.length, 1);
    assert.equal(creates[0]!.headers.host, 'api.evolink.test');
  });

  it('http.proxyStrictSSL on and the proxy path\'s certificate unknown: a clear error, nothing created; NODE_EXTRA_CA_CERTS makes it verified', async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    await throughProxy({ strict: true });
    const prompt = 'a lighthouse behind an inspecting proxy';
    const { dir, doc, original } = page('strict', prompt);
    const failed = await generateOne(doc, prompt);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /secure connection to api\.evolink\.test through the proxy/);
    assert.match(failed.error ?? '', /NODE_EXTRA_CA_CERTS/);
    assert.match(failed.error ?? '', /http\.proxyStrictSSL/);
    assert.equal((await createsFor(prompt)).length, 0);
    assert.equal(onDisk(doc), original);

    // The client is built again when an http.* setting changes; it then reads NODE_EXTRA_CA_CERTS.
    process.env.NODE_EXTRA_CA_CERTS = caFile;
    await setHttp('noProxy', [...LOCAL, 'unrelated.example']);
    const job = await generateOne(doc, prompt);
    assert.equal(job.state, 'completed', `with the CA trusted the job failed: ${job.error}`);
    assert.equal(filesUnder(dir).length, 2);
    assert.equal((await createsFor(prompt)).length, 1);
  });

  it('http.noProxy: a listed host is not sent through the proxy (here it cannot be looked up directly)', async () => {
    await throughProxy({ strict: false, noProxy: ['.evolink.test'] });
    const prompt = 'a lighthouse that skips the proxy';
    const { doc, original } = page('no-proxy', prompt);
    const job = await generateOne(doc, prompt);
    assert.equal(job.state, 'failed');
    assert.match(job.error ?? '', /look up api\.evolink\.test/);
    assert.deepEqual(proxy.connects, [], 'the request went through the proxy');
    assert.equal(onDisk(doc), original);
  });

  it('a wrong http.proxy (nothing listening): the message names the proxy and the setting; nothing created', async () => {
    const port = await closedPort();
    await throughProxy({ strict: false });
    await setHttp('proxy', `http://127.0.0.1:${port}`);
    const before = (await fakeCreates()).length;
    const prompt = 'a lighthouse behind a proxy that is gone';
    const { dir, doc, original } = page('wrong-proxy', prompt);
    const job = await generateOne(doc, prompt);
    assert.equal(job.state, 'failed');
    assert.match(job.error ?? '', new RegExp(`proxy http://127\\.0\\.0\\.1:${port} \\(from the http\\.proxy setting\\)`));
    assert.match(job.error ?? '', /Check the http\.proxy setting/);
    assert.doesNotMatch(job.error ?? '', /billed|may have been created/);
    assert.equal((await fakeCreates()).length, before);
    assert.equal(onDisk(doc), original);
    assert.deepEqual(filesUnder(dir), ['page.md']);
  });

  describe('a key HTTP cannot carry (item 10)', () => {
    before(async () => {
      for (const k of HTTP_KEYS) await setHttp(k, undefined);
      await pointAt(fake().url);
      await setFake({ resultBaseUrl: null });
    });
    after(async () => {
      assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', fake().key), true);
    });

    it('Set API Key with a key that has a line break or a non-ASCII character: refused, the stored key stays', async () => {
      for (const bad of [`${fake().key.slice(0, 8)}\n${fake().key.slice(8)}`, `${fake().key}…`]) {
        assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', bad), false, JSON.stringify(bad));
      }
      await vscode.commands.executeCommand('notifications.clearAll');
      const prompt = 'a lighthouse after a refused key';
      const { doc } = page('refused-key', prompt);
      const job = await generateOne(doc, prompt);
      assert.equal(job.state, 'completed', `the stored key was replaced: ${job.error}`);
      assert.equal((await createsFor(prompt))[0]?.headers.authorization, `Bearer ${fake().key}`);
    });
  });
});
