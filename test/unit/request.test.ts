import assert from 'node:assert/strict';
import { codePointCount as countCodePoints } from '../../src/shared/text';
import { validateRequest, ValidationError, withUploadedReferences } from '../../src/core/request';
import fc from 'fast-check';
import { addressClass, checkResultHop, hostKind, isLoopbackHost } from '../../src/core/api/addresses';
import { GenerationInput, ReferenceInput } from '../../src/core/types';

const MB = 1024 * 1024;
const base: GenerationInput = { prompt: 'a red fox asleep in fresh snow, watercolor' };

function errorsOf(input: Partial<GenerationInput>): ValidationError[] {
  const r = validateRequest({ ...base, ...input });
  assert.equal(r.ok, false, 'expected the request to be refused');
  return r.ok ? [] : r.errors;
}

function okOf(input: Partial<GenerationInput>, opts?: { allowLoopbackCallback?: boolean }) {
  const r = validateRequest({ ...base, ...input }, opts);
  if (!r.ok) assert.fail(`expected a valid request, got: ${r.errors.map((e) => e.message).join(' | ')}`);
  return r;
}

const refs = (n: number): ReferenceInput[] => Array.from({ length: n }, (_, i) => ({ kind: 'url', url: `https://example.com/${i}.png` }));

describe('countCodePoints', () => {
  it('counts astral characters once, like [...s].length', () => {
    for (const s of ['', 'abc', '😀', 'a😀b', '狐狸', '👩‍👩‍👧', '\ud800x', 'x\udc00', '\ud83d']) {
      assert.equal(countCodePoints(s), [...s].length, JSON.stringify(s));
    }
  });
});

describe('validateRequest: refusals', () => {
  // [case, input, field, patterns the message must contain (value and limit)]
  const cases: Array<[string, Partial<GenerationInput>, ValidationError['field'], RegExp[]]> = [
    ['empty prompt', { prompt: '' }, 'prompt', [/prompt is empty/i]],
    ['whitespace prompt', { prompt: ' \n\t ' }, 'prompt', [/prompt is empty/i]],
    ['32,001 code points with astral characters', { prompt: '😀'.repeat(32_000) + 'a' }, 'prompt', [/32,001/, /32,000/, /Shorten it by 1\b/]],
    ['32,001 plain code points', { prompt: 'a'.repeat(32_001) }, 'prompt', [/32,001/, /32,000/]],
    ['n = 0', { n: 0 }, 'n', [/\(n\)/, /1 to 10/, /got 0/]],
    ['n = 11', { n: 11 }, 'n', [/1 to 10/, /got 11/]],
    ['n = 2.5', { n: 2.5 }, 'n', [/whole number/, /got 2\.5/]],
    ['n = NaN', { n: Number.NaN }, 'n', [/got NaN/]],
    ['size 1000x1000', { size: '1000x1000' }, 'size', [/1000×1000/, /multiples of 16/, /992×992/]],
    ['size 16x16', { size: '16x16' }, 'size', [/16×16/, /655,360/]],
    ['size 3840x3840', { size: '3840x3840' }, 'size', [/3840×3840/, /8,294,400/]],
    ['size 4000x1000', { size: '4000x1000' }, 'size', [/4000×1000/, /3,840/, /3 times/]],
    ['size 1:4', { size: '1:4' }, 'size', [/1:4/, /not one of the 15 ratios/, /21:9/]],
    ['resolution 8K', { size: '16:9', resolution: '8K' }, 'resolution', [/resolution/, /1K, 2K, 4K/, /"8K"/]],
    ['quality ultra', { quality: 'ultra' }, 'quality', [/quality/, /low, medium, high/, /"ultra"/]],
    ['model dall-e-3', { model: 'dall-e-3' }, 'model', [/gpt-image-2/, /"dall-e-3"/]],
    ['17 references', { references: refs(17) }, 'references', [/17 reference images/, /at most 16/, /Remove 1\b/]],
    ['a 51 MB file', { references: [{ kind: 'file', path: '/w/big.png', bytes: 51 * MB }] }, 'references', [/big\.png/, /51\.0 MB/, /50 MB/]],
    ['a .gif file', { references: [{ kind: 'file', path: '/w/anim.gif' }] }, 'references', [/anim\.gif/, /\.gif/, /\.jpeg \.jpg \.png \.webp/]],
    ['a .HEIC file', { references: [{ kind: 'file', path: 'C:\\photos\\IMG_1.HEIC', bytes: 10 }] }, 'references', [/IMG_1\.HEIC/, /\.heic/, /\.jpeg \.jpg \.png \.webp/]],
    ['a file without extension', { references: [{ kind: 'file', path: '/w/picture' }] }, 'references', [/no file extension/, /\.webp/]],
    ['a .gif URL', { references: [{ kind: 'url', url: 'https://example.com/a.gif?x=1' }] }, 'references', [/a\.gif/, /\.jpeg \.jpg \.png \.webp/]],
    ['an http reference URL', { references: [{ kind: 'url', url: 'http://example.com/a.png' }] }, 'references', [/http:\/\/example\.com\/a\.png/, /https:\/\//]],
    ['a file: reference URL', { references: [{ kind: 'url', url: 'file:///w/a.png' }] }, 'references', [/not an https:\/\/ URL/]],
    ['callback http://', { callbackUrl: 'http://hooks.example.com/x' }, 'callbackUrl', [/callback URL/, /https:\/\//, /http:/]],
    ['callback https://127.0.0.1/x', { callbackUrl: 'https://127.0.0.1/x' }, 'callbackUrl', [/127\.0\.0\.1/, /loopback/]],
    ['callback https://10.0.0.1/x', { callbackUrl: 'https://10.0.0.1/x' }, 'callbackUrl', [/10\.0\.0\.1/, /private/]],
    ['callback 2049 characters', { callbackUrl: 'https://hooks.example.com/' + 'a'.repeat(2049 - 26) }, 'callbackUrl', [/2,049 characters/, /2,048/]],
    ['callback not a URL', { callbackUrl: 'hooks dot example' }, 'callbackUrl', [/not a valid URL/]],
  ];
  for (const [name, input, field, patterns] of cases) {
    it(`refuses ${name}`, () => {
      const errors = errorsOf(input);
      assert.equal(errors.length, 1, errors.map((e) => e.message).join(' | '));
      assert.equal(errors[0]!.field, field);
      for (const p of patterns) assert.match(errors[0]!.message, p);
      assert.ok(errors[0]!.limit, 'limit is given');
    });
  }

  it('reports every problem at once', () => {
    const errors = errorsOf({ prompt: '', n: 0, size: '1:4', quality: 'best', callbackUrl: 'http://x.example' });
    assert.deepEqual(errors.map((e) => e.field).sort(), ['callbackUrl', 'n', 'prompt', 'quality', 'size']);
  });

  it('reports each bad reference with its position', () => {
    const errors = errorsOf({
      references: [
        { kind: 'url', url: 'https://example.com/ok.png' },
        { kind: 'file', path: '/w/a.gif' },
        { kind: 'file', path: '/w/b.heic' },
      ],
    });
    assert.equal(errors.length, 2);
    assert.match(errors[0]!.message, /Reference image 2 .*a\.gif/);
    assert.match(errors[1]!.message, /Reference image 3 .*b\.heic/);
  });

  const blockedHosts = [
    'https://127.1.2.3/x', 'https://localhost/x', 'https://LOCALHOST./x', 'https://api.localhost/x', 'https://[::1]/x',
    'https://0.0.0.0/x', 'https://172.16.0.1/x', 'https://172.31.255.255/x', 'https://192.168.1.1/x',
    'https://169.254.169.254/latest', 'https://[fc00::1]/x', 'https://[fd12:3456::1]/x', 'https://[fe80::1]/x',
    'https://[febf::1]/x', 'https://[::ffff:127.0.0.1]/x', 'https://[::ffff:10.1.2.3]/x', 'https://2130706433/x',
    'https://0x7f.0.0.1/x', 'https://[::]/x',
    // Where the callback check once said "public" and the download guard "private" (issue 23): one rule now.
    'https://100.64.0.1/x', 'https://100.127.255.255/x', 'https://224.0.0.1/x', 'https://239.1.2.3/x',
    'https://240.0.0.1/x', 'https://198.18.0.1/x', 'https://[ff02::1]/x', 'https://[64:ff9b:1::1]/x',
    'https://[::ffff:100.64.0.1]/x', 'https://[64:ff9b::a00:1]/x', 'https://[2002:c0a8:101::1]/x',
  ];
  for (const url of blockedHosts) {
    it(`refuses callback host in ${url}`, () => {
      const errors = errorsOf({ callbackUrl: url });
      assert.equal(errors[0]!.field, 'callbackUrl');
      assert.match(errors[0]!.message, /loopback|private/);
    });
  }
});

describe('validateRequest: accepted requests and the body', () => {
  it('fills defaults explicitly and leaves resolution out for auto', () => {
    const r = okOf({});
    assert.deepEqual(r.body, { model: 'gpt-image-2', prompt: base.prompt, size: 'auto', quality: 'medium', n: 1 });
    assert.equal(r.expectedSize, undefined);
    assert.equal(r.relativeCost, 1);
    assert.equal(r.imageCount, 1);
    assert.deepEqual(r.localReferences, []);
  });

  it('sends the trimmed prompt', () => {
    assert.equal(okOf({ prompt: '  a fox \n' }).body.prompt, 'a fox');
  });

  it('accepts exactly 32,000 astral code points (64,000 UTF-16 units)', () => {
    const prompt = '𝄞'.repeat(32_000);
    assert.equal(prompt.length, 64_000);
    assert.equal(okOf({ prompt }).body.prompt, prompt);
  });

  it('includes resolution, normalised to upper case, only with a ratio', () => {
    const r = okOf({ size: '2:3', resolution: '2k', quality: 'HIGH', n: 3 });
    assert.deepEqual(r.body, { model: 'gpt-image-2', prompt: base.prompt, size: '2:3', resolution: '2K', quality: 'high', n: 3 });
    assert.deepEqual(r.expectedSize, { width: 1360, height: 2048 });
    assert.equal(r.imageCount, 3);
    assert.ok(Math.abs(r.relativeCost - 4 * 3 * (1360 * 2048) / (1024 * 1024)) < 1e-9);
  });

  const goodSizes: Array<[string, string, { width: number; height: number }]> = [
    ['3840×2160', '3840x2160', { width: 3840, height: 2160 }],
    ['3840x2160', '3840x2160', { width: 3840, height: 2160 }],
    ['3840x1280', '3840x1280', { width: 3840, height: 1280 }],
    [' 1024X1536 ', '1024x1536', { width: 1024, height: 1536 }],
  ];
  for (const [input, sent, size] of goodSizes) {
    it(`accepts size ${JSON.stringify(input)}, sends ${sent} without resolution`, () => {
      const r = okOf({ size: input, resolution: '4K' });
      assert.equal(r.body.size, sent);
      assert.equal('resolution' in r.body, false);
      assert.deepEqual(r.expectedSize, size);
    });
  }

  it('accepts auto in any case, and an empty size as auto', () => {
    assert.equal(okOf({ size: 'Auto' }).body.size, 'auto');
    assert.equal(okOf({ size: '' }).body.size, 'auto');
  });

  it('accepts n from 1 to 10', () => {
    assert.equal(okOf({ n: 1 }).body.n, 1);
    assert.equal(okOf({ n: 10 }).body.n, 10);
  });

  it('accepts 16 references and 50 MB exactly', () => {
    assert.equal(okOf({ references: refs(16) }).body.image_urls?.length, 16);
    assert.deepEqual(okOf({ references: [{ kind: 'file', path: '/w/x.JPG', bytes: 50 * MB }] }).localReferences, ['/w/x.JPG']);
  });

  it('treats an empty callback URL as not set, and passes a public https one through', () => {
    assert.equal('callback_url' in okOf({ callbackUrl: '' }).body, false);
    assert.equal('callback_url' in okOf({ callbackUrl: '   ' }).body, false);
    assert.equal(okOf({ callbackUrl: 'https://hooks.example.com/done' }).body.callback_url, 'https://hooks.example.com/done');
    const max = 'https://hooks.example.com/' + 'a'.repeat(2048 - 26);
    assert.equal(okOf({ callbackUrl: max }).body.callback_url, max);
  });

  it('allows a loopback callback only when the caller asks (tests against the fake)', () => {
    assert.equal(okOf({ callbackUrl: 'http://127.0.0.1:8123/cb' }, { allowLoopbackCallback: true }).body.callback_url, 'http://127.0.0.1:8123/cb');
    assert.equal(validateRequest({ ...base, callbackUrl: 'https://10.0.0.1/x' }, { allowLoopbackCallback: true }).ok, false);
  });

  it('accepts http reference URLs on loopback hosts (the fake provider) but not elsewhere', () => {
    for (const url of ['http://127.0.0.1:9000/files/a.png', 'http://localhost:9000/a', 'http://[::1]:9000/a.webp']) {
      assert.deepEqual(okOf({ references: [{ kind: 'url', url }] }).body.image_urls, [url]);
    }
  });

  it('accepts URL references without an extension', () => {
    const url = 'https://cdn.example.com/image/abc123?sig=1';
    assert.deepEqual(okOf({ references: [{ kind: 'url', url }] }).body.image_urls, [url]);
  });
});

describe('withUploadedReferences', () => {
  const mixed: ReferenceInput[] = [
    { kind: 'file', path: '/w/a.png' },
    { kind: 'url', url: 'https://example.com/b.png' },
    { kind: 'file', path: '/w/c.webp' },
    { kind: 'file', path: '/w/a.png' },
  ];

  it('puts URLs and uploaded files in the original order', () => {
    const r = okOf({ references: mixed });
    assert.deepEqual(r.body.image_urls, ['https://example.com/b.png']);
    assert.deepEqual(r.localReferences, ['/w/a.png', '/w/c.webp']);
    const uploaded = new Map([
      ['/w/c.webp', 'https://files.example/c'],
      ['/w/a.png', 'https://files.example/a'],
    ]);
    const body = withUploadedReferences(r.body, r.references, uploaded);
    assert.deepEqual(body.image_urls, ['https://files.example/a', 'https://example.com/b.png', 'https://files.example/c', 'https://files.example/a']);
    assert.deepEqual(r.body.image_urls, ['https://example.com/b.png'], 'the original body is not changed');
  });

  it('takes URLs listed in localReferences order', () => {
    const r = okOf({ references: mixed });
    const body = withUploadedReferences(r.body, r.references, ['https://files.example/a', 'https://files.example/c']);
    assert.deepEqual(body.image_urls, ['https://files.example/a', 'https://example.com/b.png', 'https://files.example/c', 'https://files.example/a']);
  });

  it('refuses to drop a file that has no uploaded URL', () => {
    const r = okOf({ references: mixed });
    assert.throws(() => withUploadedReferences(r.body, r.references, new Map([['/w/a.png', 'https://f/a']])), /c\.webp/);
    assert.throws(() => withUploadedReferences(r.body, r.references, ['https://f/a']), /Expected 2/);
  });
});

describe('hostKind', () => {
  it('tells public hosts from loopback and private ones', () => {
    assert.equal(hostKind('example.com'), 'public');
    assert.equal(hostKind('8.8.8.8'), 'public');
    assert.equal(hostKind('172.32.0.1'), 'public');
    assert.equal(hostKind('[2001:db8::1]'), 'public');
    assert.equal(hostKind('127.0.0.1'), 'loopback');
    assert.equal(hostKind('[::1]'), 'loopback');
    assert.equal(hostKind('192.168.0.10'), 'private');
    assert.equal(hostKind('[fe80::1%25eth0]'), 'private');
  });
});

describe('hostKind and the download guard: one rule', () => {
  // Issue 23: hostKind (callback and reference URLs) called these public while addressClass (result
  // downloads) refused them. Both now read the same BlockList ranges of addresses.ts.
  const table: Array<[string, ReturnType<typeof hostKind>]> = [
    ['100.64.0.1', 'private'], // carrier-grade NAT
    ['100.127.255.255', 'private'],
    ['224.0.0.1', 'private'], // multicast
    ['240.0.0.1', 'private'], // reserved
    ['198.18.0.1', 'private'], // benchmarking
    ['[ff02::1]', 'private'],
    ['[64:ff9b:1::1]', 'private'], // local-use NAT64
    ['[64:ff9b::a00:1]', 'private'], // NAT64 of 10.0.0.1
    ['[2002:c0a8:101::1]', 'private'], // 6to4 of 192.168.1.1
    ['[::ffff:6440:1]', 'private'], // IPv4-mapped 100.64.0.1, as URL normalises it
    ['localhost.', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['100.128.0.0', 'public'],
    ['223.255.255.255', 'public'],
    ['[2001:4860:4860::8888]', 'public'],
  ];
  for (const [host, kind] of table) it(`${host} -> ${kind}`, () => assert.equal(hostKind(host), kind));

  it('calls an address public exactly when the download guard would fetch from it', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => `[${g.map((x) => x.toString(16)).join(':')}]`);
    fc.assert(
      fc.property(fc.oneof(v4, v6, fc.constantFrom('[::ffff:6440:1]', '[::ffff:e000:1]', '[2002:6440:1::]')), (host) => {
        const hostname = new URL(`https://${host}/`).hostname;
        const guarded = isLoopbackHost(hostname) || addressClass(hostname) !== undefined;
        assert.equal(hostKind(hostname) !== 'public', guarded, hostname);
        let refused = false;
        try {
          checkResultHop(new URL(`https://${host}/`), new Set(), true);
        } catch {
          refused = true;
        }
        assert.equal(refused, guarded, hostname);
      }),
      { numRuns: 2000 },
    );
  });
});
