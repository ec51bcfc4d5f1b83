// Where a result download may go (issue 10 item 7), the key's characters (item 10) and the
// environment's proxy per scheme (item 11): the pure parts, as tables.
import * as assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { PictorError } from '../../src/core/api/errors';
import { PRIVATE_TARGET, addressClass, checkResultHop, guardedLookup } from '../../src/core/api/addresses';
import { keyProblem } from '../../src/core/api/key';
import { proxyFromEnv } from '../../src/core/api/proxy';

describe('addressClass', () => {
  const table: Array<[string, ReturnType<typeof addressClass>]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'], // the same, as URLs normalise it
    ['::ffff:7f00:1', 'loopback'],
    ['172.32.0.1', undefined],
    ['8.8.8.8', undefined],
    ['2001:4860:4860::8888', undefined],
    ['api.evolink.ai', undefined],
  ];
  for (const [ip, cls] of table) it(`${ip} -> ${cls ?? 'public'}`, () => assert.equal(addressClass(ip), cls));
});

describe('checkResultHop', () => {
  const trusted = new Set(['127.0.0.1:4000']);
  const refused = (url: string, first = false) =>
    assert.throws(() => checkResultHop(new URL(url), trusted, first), (e: unknown) => e instanceof PictorError && e.kind === 'download' && !e.retryable, url);
  it('lets through https and http on internet hosts, and the configured provider on loopback', () => {
    for (const ok of ['https://cdn.example.com/a.png', 'http://files.evolink.ai/a.png', 'http://127.0.0.1:4000/results/a.png']) {
      assert.doesNotThrow(() => checkResultHop(new URL(ok), trusted, false), ok);
    }
  });
  it('refuses other schemes, this computer on another port, private and link-local addresses', () => {
    for (const bad of ['file:///etc/passwd', 'ftp://x.example/a.png', 'http://127.0.0.1:4001/a', 'http://localhost:4000/a', 'http://app.localhost/a',
      'http://10.0.0.1/a', 'http://[fe80::1]/a', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:192.168.0.1]/a', 'http://0.0.0.0/a']) {
      refused(bad);
    }
  });
});

describe('guardedLookup (names that resolve into a private network)', () => {
  const lookup = (trusted: string[], name: string) =>
    new Promise<{ err: NodeJS.ErrnoException | null; addresses: LookupAddress[] }>((resolve) =>
      guardedLookup(new Set(trusted))(name, { all: true }, (err, addresses) => resolve({ err, addresses: addresses as LookupAddress[] })));

  it('refuses a name that resolves to loopback, saying to what', async () => {
    const { err } = await lookup([], 'localhost');
    assert.equal(err?.code, PRIVATE_TARGET);
    assert.match(err!.message, /localhost resolves to a loopback address/);
  });
  it('lets the configured provider\'s name through', async () => {
    const { err, addresses } = await lookup(['localhost'], 'localhost');
    assert.equal(err, null);
    assert.ok(addresses.length > 0);
  });
  it('a public address passes (an IP literal resolves to itself, no network needed)', async () => {
    const { err, addresses } = await lookup([], '8.8.8.8');
    assert.equal(err, null);
    assert.equal(addresses[0]!.address, '8.8.8.8');
  });
});

describe('keyProblem', () => {
  it('a plain key is fine', () => assert.equal(keyProblem('sk-evo-0123456789abcdef'), undefined));
  it('inner whitespace and line breaks', () => {
    for (const k of ['sk-evo-01234\n56789', 'sk-evo-01234\r\n56789', 'sk-evo-01234 56789', 'sk-evo-01234\t56789']) {
      assert.equal(keyProblem(k)?.kind, 'whitespace', JSON.stringify(k));
    }
  });
  it('characters outside plain ASCII, with their code point and position', () => {
    assert.deepEqual(keyProblem('sk-evo-abc…def12'), { kind: 'character', index: 10, codePoint: 'U+2026' });
    assert.deepEqual(keyProblem('sk-evo-аbc'), { kind: 'character', index: 7, codePoint: 'U+0430' });
    assert.equal(keyProblem('sk-evo-ébc12345')?.kind, 'character'); // Latin-1, still not a key character
    assert.equal(keyProblem('sk-evo-\u0000bc12345')?.kind, 'character');
  });
  it('empty and short', () => {
    assert.equal(keyProblem('')?.kind, 'empty');
    assert.equal(keyProblem('sk-evo')?.kind, 'short');
  });
});

describe('proxyFromEnv per scheme', () => {
  it('https: HTTPS_PROXY first, then HTTP_PROXY (as VS Code does); http: only HTTP_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' };
    assert.deepEqual(proxyFromEnv(env, 'https:'), { url: 'http://s:1', name: 'HTTPS_PROXY' });
    assert.deepEqual(proxyFromEnv(env, 'http:'), { url: 'http://p:2', name: 'HTTP_PROXY' });
    assert.deepEqual(proxyFromEnv({ http_proxy: 'http://p:2' }, 'https:'), { url: 'http://p:2', name: 'http_proxy' });
    assert.equal(proxyFromEnv({ HTTPS_PROXY: 'http://s:1' }, 'http:'), undefined);
  });
});
