// Where a result download may go (issue 10 item 7), the key's characters (item 10) and the
// environment's proxy per scheme (item 11): the pure parts, as tables.
import * as assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import fc from 'fast-check';
import { PictorError } from '../../src/core/api/errors';
import { PRIVATE_TARGET, addressClass, checkNameBeforeProxy, checkResultHop, guardedLookup, type Lookup } from '../../src/core/api/addresses';
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

  // Issue 18 item 10: each range's first and last address, and the public neighbours just outside.
  const ends: Array<[string, ReturnType<typeof addressClass>]> = [
    ['0.0.0.0', 'unspecified'], ['0.255.255.255', 'unspecified'], ['1.0.0.0', undefined],
    ['9.255.255.255', undefined], ['10.0.0.0', 'private'], ['10.255.255.255', 'private'], ['11.0.0.0', undefined],
    ['100.63.255.255', undefined], ['100.64.0.0', 'private'], ['100.127.255.255', 'private'], ['100.128.0.0', undefined],
    ['126.255.255.255', undefined], ['127.0.0.0', 'loopback'], ['127.255.255.255', 'loopback'], ['128.0.0.0', undefined],
    ['169.253.255.255', undefined], ['169.254.0.0', 'link-local'], ['169.254.255.255', 'link-local'], ['169.255.0.0', undefined],
    ['172.15.255.255', undefined], ['172.16.0.0', 'private'], ['172.31.255.255', 'private'], ['172.32.0.0', undefined],
    ['192.167.255.255', undefined], ['192.168.0.0', 'private'], ['192.168.255.255', 'private'], ['192.169.0.0', undefined],
    ['198.17.255.255', undefined], ['198.18.0.0', 'reserved'], ['198.19.255.255', 'reserved'], ['198.20.0.0', undefined],
    ['223.255.255.255', undefined], ['224.0.0.0', 'multicast'], ['239.255.255.255', 'multicast'],
    ['240.0.0.0', 'reserved'], ['255.255.255.255', 'reserved'],
    ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', undefined], ['fc00::', 'private'], ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', undefined], ['fe80::', 'link-local'], ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
    ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', undefined], ['ff00::', 'multicast'], ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast'],
    ['64:ff9b:0:ffff:ffff:ffff:ffff:ffff', undefined], ['64:ff9b:1::', 'private'], ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'private'], ['64:ff9b:2::', undefined],
  ];
  for (const [ip, cls] of ends) it(`range end ${ip} -> ${cls ?? 'public'}`, () => assert.equal(addressClass(ip), cls));

  // IPv6 forms that carry an IPv4 address: a connection to them reaches that IPv4 host.
  const embedded: Array<[string, ReturnType<typeof addressClass>]> = [
    ['[64:ff9b::a9fe:a9fe]', 'link-local'], // NAT64 well-known prefix
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::c612:1', 'reserved'], // 198.18.0.1
    ['64:ff9b::808:808', undefined],
    ['[2002:a9fe:a9fe::]', 'link-local'], // 6to4
    ['2002:c0a8:101:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:808:808::1', undefined],
    ['[::7f00:1]', 'loopback'], // IPv4-compatible
    ['::127.0.0.1', 'loopback'],
    ['::a9fe:a9fe', 'link-local'],
    ['::808:808', undefined],
    ['::ffff:0:a00:1', 'private'], // IPv4-translated
    ['::ffff:0:808:808', undefined],
    ['::1', 'loopback'], // IPv6's own loopback and unspecified, not 0.0.0.1 / 0.0.0.0
    ['::', 'unspecified'],
  ];
  for (const [ip, cls] of embedded) it(`embedded IPv4: ${ip} -> ${cls ?? 'public'}`, () => assert.equal(addressClass(ip), cls));

  it('every IPv4 address is judged the same in each IPv6 form that carries it', () => {
    const hex = (ip: string) => {
      const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    };
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const [hi, lo] = hex(ip);
        const expected = addressClass(ip);
        for (const form of [`::ffff:${ip}`, `::ffff:${hi}:${lo}`, `::ffff:0:${hi}:${lo}`, `64:ff9b::${ip}`, `64:ff9b::${hi}:${lo}`, `2002:${hi}:${lo}::1`]) {
          assert.equal(addressClass(form), expected, `${form} (${ip})`);
        }
        // ::0.0.0.0 and ::0.0.0.1 are IPv6's own :: and ::1.
        if (!/^0\.0\.0\.[01]$/.test(ip)) assert.equal(addressClass(`::${ip}`), expected, `::${ip}`);
      }),
      { numRuns: 2000 },
    );
  });
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
  it('refuses private IPv4 addresses inside IPv6 ones, and 198.18.0.0/15', () => {
    for (const bad of ['http://[64:ff9b::a9fe:a9fe]/latest/meta-data', 'http://[2002:a9fe:a9fe::]/a', 'http://[::7f00:1]:4000/a', 'http://[::127.0.0.1]/a',
      'http://[::ffff:0:a00:1]/a', 'http://198.18.0.1/a', 'https://198.19.255.254/a', 'http://[64:ff9b::198.18.0.1]/a']) {
      refused(bad, true);
    }
    assert.doesNotThrow(() => checkResultHop(new URL('http://[64:ff9b::808:808]/a.png'), trusted, true));
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
  it('judges what the lookup it is given answers, embedded forms included', async () => {
    const answering = (address: string, family: number): Lookup => (_h, _o, cb) => cb(null, [{ address, family }]);
    for (const [address, family, what] of [['10.9.8.7', 4, /private network address \(10\.9\.8\.7\)/], ['64:ff9b::a9fe:a9fe', 6, /link-local/], ['240.1.2.3', 4, /reserved/]] as const) {
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
        guardedLookup(new Set(), answering(address, family))('files.example.com', { all: true }, (e) => resolve(e)));
      assert.equal(err?.code, PRIVATE_TARGET, address);
      assert.match(err!.message, what);
    }
  });
  it('a name a fake-IP proxy answered from 198.18.0.0/15 passes (that is the proxy\'s network); the range written in a URL does not', async () => {
    const answering = (address: string, family: number): Lookup => (_h, _o, cb) => cb(null, [{ address, family }]);
    for (const [address, family] of [['198.18.0.7', 4], ['198.19.255.1', 4], ['::ffff:198.18.0.7', 6]] as const) {
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
        guardedLookup(new Set(), answering(address, family))('files.example.com', { all: true }, (e) => resolve(e)));
      assert.equal(err, null, address);
    }
    assert.throws(() => checkResultHop(new URL('http://198.18.0.7/x.png'), new Set(), true), /reserved/);
  });
  it('a public address passes (an IP literal resolves to itself, no network needed)', async () => {
    const { err, addresses } = await lookup([], '8.8.8.8');
    assert.equal(err, null);
    assert.equal(addresses[0]!.address, '8.8.8.8');
  });
});

describe('checkNameBeforeProxy (issue 18 item 10: a name the proxy would resolve)', () => {
  const asked: string[] = [];
  const answering = (answer: { address: string; family: number }[] | NodeJS.ErrnoException): Lookup => (h, _o, cb) => {
    asked.push(h);
    if (answer instanceof Error) cb(answer, []);
    else cb(null, answer);
  };
  const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  beforeEach(() => (asked.length = 0));

  it('refuses a name that resolves here to a private, link-local or embedded address; not retryable', async () => {
    for (const [address, family, what] of [['10.20.30.40', 4, /private network/], ['169.254.169.254', 4, /link-local/], ['64:ff9b::7f00:1', 6, /loopback/]] as const) {
      await assert.rejects(
        checkNameBeforeProxy(new URL('http://internal-admin.corp.example/x.png'), new Set(), answering([{ address, family }]), 1000),
        (e: unknown) =>
          e instanceof PictorError && e.kind === 'download' && !e.retryable && what.test(e.message) &&
          e.message.includes(`internal-admin.corp.example resolves to`) && e.message.includes(address) && /Nothing was fetched/.test(e.message),
      );
    }
    assert.deepEqual(asked, ['internal-admin.corp.example', 'internal-admin.corp.example', 'internal-admin.corp.example']);
  });
  it('one private address among public ones is enough to refuse', async () => {
    const lookup = answering([{ address: '93.184.216.34', family: 4 }, { address: '192.168.1.1', family: 4 }]);
    await assert.rejects(checkNameBeforeProxy(new URL('https://cdn.example.com/x.png'), new Set(), lookup, 1000), /192\.168\.1\.1/);
  });
  const logged: string[] = [];
  const log = (_level: 'debug', msg: string) => void logged.push(msg);
  beforeEach(() => (logged.length = 0));
  it('a name this computer cannot resolve is left to the proxy', async () => {
    await checkNameBeforeProxy(new URL('https://images.corp.example/x.png'), new Set(), answering(notFound), 1000, undefined, log);
    assert.deepEqual(logged, ['images.corp.example: not found by the lookup here (ENOTFOUND), left to the proxy']);
  });
  it('a lookup that does not answer in time is left to the proxy', async () => {
    const silent: Lookup = (h) => void asked.push(h);
    await checkNameBeforeProxy(new URL('https://images.corp.example/x.png'), new Set(), silent, 30, undefined, log);
    assert.deepEqual(logged, ['images.corp.example: no answer from the lookup here within 30 ms, left to the proxy']);
  });
  it('a public answer passes', async () => {
    await checkNameBeforeProxy(new URL('https://cdn.example.com/x.png'), new Set(), answering([{ address: '93.184.216.34', family: 4 }]), 1000, undefined, log);
    assert.deepEqual(logged, ['cdn.example.com resolves here to 93.184.216.34; on through the proxy']);
  });
  it('the configured provider\'s name and IP literals are not looked up', async () => {
    const lookup = answering([{ address: '10.0.0.7', family: 4 }]);
    await checkNameBeforeProxy(new URL('https://pictor.corp.example:8443/results/x.png'), new Set(['pictor.corp.example']), lookup, 1000, undefined, log);
    await checkNameBeforeProxy(new URL('http://[2001:db8::1]/x.png'), new Set(), lookup, 1000, undefined, log);
    await checkNameBeforeProxy(new URL('http://93.184.216.34/x.png'), new Set(), lookup, 1000, undefined, log);
    assert.deepEqual(asked, []);
    assert.deepEqual(logged, []);
  });
  it('a cancel ends the wait', async () => {
    const ac = new AbortController();
    const p = checkNameBeforeProxy(new URL('https://images.corp.example/x.png'), new Set(), () => undefined, 60_000, ac.signal);
    ac.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
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
