import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseWebviewMessage } from '../../src/shared/messageCheck';
import { codePointCount } from '../../src/shared/text';
import { MAX_PROMPT_CODE_POINTS as MAX_PROMPT } from '../../src/shared/limits';
import { checkOptions, formatCost, normalizeOptions } from '../../src/shared/optionsCheck';
import { validateRequest } from '../../src/core/request';
import { plan } from '../../src/core/plan';
import { DEFAULT_OPTIONS } from '../../src/core/pageOptions';
import { english, words } from '../../src/shared/words';
import { extensionOf, insideFolders } from '../../src/core/paths';
import { newNonce, panelHtml } from '../../src/panel/html';

const opts = { size: '16:9', resolution: '2K', quality: 'low', n: 2 };
const gen = (over: Record<string, unknown> = {}) => ({ type: 'generate', requestId: 'r1a2b3c-4', prompt: 'a red fox', options: opts, references: [], ...over });

// Every message type the webview may send, in a shape the host accepts.
const VALID: Array<[string, unknown]> = [
  ['ready', { type: 'ready' }],
  ['generate without references', gen()],
  ['generate with a file and a URL', gen({ references: [{ kind: 'file', path: '/ws/a.png' }, { kind: 'url', url: 'https://example.com/b.webp' }] })],
  ['generate with an empty prompt (the host answers with a field error)', gen({ prompt: '' })],
  ['generate with exactly 32,000 code points of emoji', gen({ prompt: '🦊'.repeat(MAX_PROMPT) })],
  ['generate with 16 references', gen({ references: Array.from({ length: 16 }, (_, i) => ({ kind: 'file', path: `/ws/${i}.png` })) })],
  ['generate with n out of range (an integer: the options check reports it)', gen({ options: { ...opts, n: 11 } })],
  ['generate with the look (issue 24)', gen({ options: { ...opts, background: 'transparent', format: 'webp', maxWidth: 600 } })],
  ['generate with a maxWidth out of range (an integer: the options check reports it)', gen({ options: { ...opts, maxWidth: 99_999 } })],
  ['generate with transparent JPEG (the options check reports it, with the planner\'s words)', gen({ options: { ...opts, background: 'transparent', format: 'jpeg' } })],
  ['saveDefaults with the look', { type: 'saveDefaults', options: { ...opts, format: 'jpeg', maxWidth: 1200 }, target: 'workspace' }],
  ['useSelection', { type: 'useSelection' }],
  ['pickReferences', { type: 'pickReferences' }],
  ['dropReferences', { type: 'dropReferences', uris: ['file:///ws/a.png', 'vscode-remote://h/ws/b.jpg'] }],
  ['addReferenceUrl', { type: 'addReferenceUrl', url: 'https://example.com/a.png' }],
  ['cancel', { type: 'cancel', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a' }],
  ['retry', { type: 'retry', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a' }],
  ['retry the user confirmed (the first create may have been billed)', { type: 'retry', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a', confirmBilled: true }],
  ['insertLink', { type: 'insertLink', path: '/ws/images/fox.png' }],
  ['open', { type: 'open', path: '/ws/images/fox.png' }],
  ['reveal', { type: 'reveal', path: '/ws/images/fox.png' }],
  ['copyPath', { type: 'copyPath', path: '/ws/images/fox.png' }],
  ['saveDefaults to the workspace', { type: 'saveDefaults', options: opts, target: 'workspace' }],
  ['saveDefaults to the user', { type: 'saveDefaults', options: opts, target: 'user' }],
  ['generateAgain', { type: 'generateAgain', id: 'abc-123', requestId: 'r1a2b3c-5' }],
  ['removeHistory', { type: 'removeHistory', id: 'abc-123' }],
  ['pickVariant', { type: 'pickVariant', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a', path: '/ws/images/fox-2.png' }],
  ['dismissPick', { type: 'dismissPick', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a' }],
];

// Shapes, types and sizes the host must refuse as a whole.
const BAD: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'ready'],
  ['a number', 42],
  ['an array', [{ type: 'ready' }]],
  ['no type', { prompt: 'x' }],
  ['a type that is not a string', { type: 7 }],
  ['an unknown type', { type: 'deleteEverything' }],
  ['an unknown type that looks like a known one', { type: 'Ready' }],
  ['ready with an extra field', { type: 'ready', apiKey: 'x' }],
  ['generate without options', { type: 'generate', requestId: 'r1', prompt: 'x', references: [] }],
  ['generate without references', { type: 'generate', requestId: 'r1', prompt: 'x', options: opts }],
  ['generate without a request id (its replies could not be told apart)', { type: 'generate', prompt: 'x', options: opts, references: [] }],
  ['generate with an empty request id', gen({ requestId: '' })],
  ['generate with a request id that is a number', gen({ requestId: 7 })],
  ['generate with a request id holding markup', gen({ requestId: '<img src=x onerror=alert(1)>' })],
  ['generate with a request id longer than 100', gen({ requestId: 'r'.repeat(101) })],
  ['generateAgain without a request id', { type: 'generateAgain', id: 'abc-123' }],
  ['generateAgain with a request id holding a path', { type: 'generateAgain', id: 'abc-123', requestId: '../x' }],
  ['generate with an extra field', gen({ model: 'dall-e' })],
  ['generate with a prompt that is not a string', gen({ prompt: ['a', 'fox'] })],
  ['generate with 32,001 code points', gen({ prompt: 'a'.repeat(MAX_PROMPT + 1) })],
  ['generate with 32,001 emoji', gen({ prompt: '🦊'.repeat(MAX_PROMPT + 1) })],
  ['generate with a huge prompt', gen({ prompt: 'x'.repeat(1_000_000) })],
  ['n as a string', gen({ options: { ...opts, n: '2' } })],
  ['n as a fraction', gen({ options: { ...opts, n: 1.5 } })],
  ['n as NaN', gen({ options: { ...opts, n: NaN } })],
  ['n as Infinity', gen({ options: { ...opts, n: Infinity } })],
  ['n missing', gen({ options: { size: '1:1', resolution: '1K', quality: 'low' } })],
  ['options with an extra field', gen({ options: { ...opts, callbackUrl: 'https://evil.example' } })],
  ['the look with an extra field', gen({ options: { ...opts, format: 'webp', quality2: 'x' } })],
  ['a background not in the list', gen({ options: { ...opts, background: 'translucent' } })],
  ['a background that is not a string', gen({ options: { ...opts, background: true } })],
  ['a format not in the list', gen({ options: { ...opts, format: 'gif' } })],
  ['a format with markup', gen({ options: { ...opts, format: '<svg onload=alert(1)>' } })],
  ['maxWidth as a string', gen({ options: { ...opts, maxWidth: '600' } })],
  ['maxWidth as a fraction', gen({ options: { ...opts, maxWidth: 600.5 } })],
  ['maxWidth as null', gen({ options: { ...opts, maxWidth: null } })],
  ['options as an array', gen({ options: ['1:1', '1K', 'low', 1] })],
  ['size as a number', gen({ options: { ...opts, size: 169 } })],
  ['a very long size', gen({ options: { ...opts, size: '1'.repeat(100) } })],
  ['quality as null', gen({ options: { ...opts, quality: null } })],
  ['references not an array', gen({ references: { kind: 'url', url: 'https://x/a.png' } })],
  ['17 references', gen({ references: Array.from({ length: 17 }, (_, i) => ({ kind: 'file', path: `/ws/${i}.png` })) })],
  ['a reference of an unknown kind', gen({ references: [{ kind: 'data', data: 'iVBOR' }] })],
  ['a file reference with a URL field', gen({ references: [{ kind: 'file', url: 'https://x/a.png' }] })],
  ['a file reference with an extra field', gen({ references: [{ kind: 'file', path: '/ws/a.png', bytes: 1 }] })],
  ['a file reference with an empty path', gen({ references: [{ kind: 'file', path: '' }] })],
  ['a path with a NUL character', { type: 'open', path: '/ws/a.png\0.txt' }],
  ['a path that is not a string', { type: 'reveal', path: { fsPath: '/etc/passwd' } }],
  ['an empty path', { type: 'copyPath', path: '' }],
  ['a path longer than 4096', { type: 'open', path: '/' + 'a'.repeat(5000) }],
  ['a URL longer than 2048', { type: 'addReferenceUrl', url: 'https://x/' + 'a'.repeat(3000) }],
  ['dropReferences with 65 items', { type: 'dropReferences', uris: Array.from({ length: 65 }, (_, i) => `file:///ws/${i}.png`) }],
  ['dropReferences with a non-string', { type: 'dropReferences', uris: [1] }],
  ['cancel without an id', { type: 'cancel' }],
  ['cancel with an id that is a number', { type: 'cancel', id: 7 }],
  ['retry with an id holding a path', { type: 'retry', id: '../../etc' }],
  ['retry with an empty id', { type: 'retry', id: '' }],
  ['retry with confirmBilled other than true', { type: 'retry', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a', confirmBilled: 'yes' }],
  ['retry with an extra field', { type: 'retry', id: '0b0e5b5e-8a4c-4b4e-9d0a-2f6f1f0e9c1a', force: true }],
  ['saveDefaults to an unknown target', { type: 'saveDefaults', options: opts, target: 'folder' }],
  ['saveDefaults without a target', { type: 'saveDefaults', options: opts }],
  ['pickVariant without a path', { type: 'pickVariant', id: 'abc-123' }],
  ['pickVariant with an id holding a path', { type: 'pickVariant', id: '../x', path: '/ws/a.png' }],
  ['pickVariant with an extra field', { type: 'pickVariant', id: 'abc-123', path: '/ws/a.png', all: true }],
  ['dismissPick with a path instead of an id', { type: 'dismissPick', path: '/ws/a.png' }],
  ['an object with a prototype other than Object', Object.assign(Object.create({ inherited: 1 }), { type: 'ready' })],
];

describe('panel protocol: messages from the webview', () => {
  for (const [name, raw] of VALID) {
    it(`accepts ${name}`, () => {
      const r = parseWebviewMessage(raw);
      assert.equal(r.ok, true, r.ok ? '' : r.reason);
      if (r.ok) assert.deepEqual(r.message, raw);
    });
  }

  for (const [name, raw] of BAD) {
    it(`refuses ${name}`, () => {
      const r = parseWebviewMessage(raw);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.reason.length > 0, 'a refusal says why');
    });
  }

  it('never lets fields it does not know through to the host (the result is built, not passed on)', () => {
    const r = parseWebviewMessage(gen());
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.message).sort(), ['options', 'prompt', 'references', 'requestId', 'type']);
  });

  it('counts code points, not UTF-16 units: one emoji is one', () => {
    assert.equal(codePointCount('🦊'), 1);
    assert.equal(codePointCount('a🦊b'), 3);
    assert.equal(codePointCount(''), 0);
    assert.equal(codePointCount('\ud83e'), 1, 'a lone surrogate counts once');
  });
});

describe('panel options check', () => {
  const t = undefined; // English: the core's own words

  it('16:9 at 2K is 2048×1152; low quality, 2 images costs 0.11 × 2 × 2.25', () => {
    const r = checkOptions({ size: '16:9', resolution: '2K', quality: 'low', n: 2 }, t);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.pixels, { width: 2048, height: 1152 });
    assert.equal(r.resolutionApplies, true);
    assert.ok(r.cost);
    assert.equal(r.cost.qualityFactor, 0.11);
    assert.equal(r.cost.n, 2);
    assert.equal(r.cost.sizeFactor, 2.25);
    assert.equal(r.cost.total.toFixed(3), '0.495');
    assert.equal(formatCost(r.cost.total), '0.50', 'shown as a person rounds it');
  });

  it('shows costs with two decimals, and large ones whole', () => {
    assert.equal(formatCost(1), '1.00');
    assert.equal(formatCost(0.11), '0.11');
    assert.equal(formatCost(12 * 4 * 7.91), '380');
  });

  it('an explicit size ignores the resolution and shows its own pixels', () => {
    const r = checkOptions({ size: '1536x1024', resolution: '4K', quality: 'medium', n: 1 }, t);
    assert.equal(r.resolutionApplies, false);
    assert.deepEqual(r.pixels, { width: 1536, height: 1024 });
    assert.deepEqual(r.errors, []);
  });

  it('auto has no pixel size, a resolution that does not apply, and a cost as at 1024²', () => {
    const r = checkOptions({ size: 'auto', resolution: '1K', quality: 'high', n: 3 }, t);
    assert.equal(r.pixels, undefined);
    assert.equal(r.resolutionApplies, false);
    assert.equal(r.cost?.total, 12);
  });

  const wrong: Array<[string, Record<string, unknown>, string]> = [
    ['a ratio that is not one of the 15', { size: '7:3' }, 'size'],
    ['WxH not a multiple of 16', { size: '1000x1000' }, 'size'],
    ['WxH too flat', { size: '3840x1008' }, 'size'],
    ['nonsense size', { size: 'big' }, 'size'],
    ['resolution 8K', { resolution: '8K' }, 'resolution'],
    ['quality ultra', { quality: 'ultra' }, 'quality'],
    ['n = 0', { n: 0 }, 'n'],
    ['n = 11', { n: 11 }, 'n'],
    ['n = 1.5', { n: 1.5 }, 'n'],
    ['n empty (NaN)', { n: NaN }, 'n'],
  ];
  for (const [name, over, field] of wrong) {
    it(`reports ${name} on the ${field} field, and no cost`, () => {
      const r = checkOptions({ ...opts, ...over } as typeof opts, t);
      assert.deepEqual(r.errors.map((e) => e.field), [field]);
      assert.equal(r.cost, undefined);
    });
  }

  it('says exactly what the core would say: one set of rules for the panel, the commands, the tools and the core', () => {
    const cases = [...wrong.map(([, over]) => ({ ...opts, ...over })), opts, { size: '3840x2160', resolution: '4k', quality: 'HIGH', n: 10 }];
    for (const o of cases as (typeof opts)[]) {
      const panel = checkOptions(o, t).errors.map((e) => `${e.field}: ${e.message}`);
      const v = validateRequest({ prompt: 'a fox', size: o.size, resolution: o.resolution, quality: o.quality, n: o.n });
      const core = v.ok ? [] : v.errors.map((e) => `${e.field}: ${e.message}`);
      assert.deepEqual(panel, core, JSON.stringify(o));
    }
  });

  it('names the rule in a size error (the core reason is filled into the template)', () => {
    const r = checkOptions({ ...opts, size: '1000x1000' }, t);
    assert.match(r.errors[0]!.message, /^Size 1000×1000: .*multiples of 16/);
  });

  it('the look (issue 24): checked by the planner\'s rules, transparent JPEG refused on the format field with the planner\'s words', () => {
    assert.deepEqual(checkOptions({ ...opts, background: 'transparent', format: 'webp', maxWidth: 600 }, t).errors, []);
    assert.deepEqual(checkOptions({ ...opts, background: 'opaque', format: 'jpeg', maxWidth: 0 }, t).errors, []);
    const jpeg = checkOptions({ ...opts, background: 'transparent', format: 'jpeg' }, t);
    assert.deepEqual(jpeg.errors, [{ field: 'format', message: english(words('plan.transparentJpeg')) }]);
    // The same words as the planner's refusal (what the editor, the tools and the CLI say).
    const planned = plan({ settings: { layers: [], values: { ...DEFAULT_OPTIONS } }, call: { background: 'transparent', format: 'jpeg' }, items: [{ prompt: 'a glass marble' }] });
    assert.equal(english(planned.skipped[0]!.words), jpeg.errors[0]!.message);
    for (const maxWidth of [-1, 3841, 1.5, NaN]) {
      assert.deepEqual(checkOptions({ ...opts, maxWidth }, t).errors.map((e) => [e.field, e.message]),
        [['maxWidth', 'The largest width must be a whole number of pixels from 0 (no limit) to 3840.']], String(maxWidth));
    }
    assert.deepEqual(checkOptions({ ...opts, maxWidth: 3840 }, t).errors, []);
    assert.deepEqual(checkOptions({ ...opts, format: 'gif' }, t).errors.map((e) => e.field), ['format']);
    assert.deepEqual(normalizeOptions({ ...opts, background: 'transparent', format: 'webp', maxWidth: 600 }),
      { ...normalizeOptions(opts), background: 'transparent', format: 'webp', maxWidth: 600 });
    assert.deepEqual(Object.keys(normalizeOptions(opts)).sort(), ['n', 'quality', 'resolution', 'size'], 'a look left out stays out');
  });

  it('normalizes what Save as Default writes to the forms the settings accept', () => {
    assert.deepEqual(normalizeOptions({ size: ' 1536 × 1024 ', resolution: '2k', quality: 'HIGH', n: 3 }),
      { size: '1536x1024', resolution: '2K', quality: 'high', n: 3 });
    assert.equal(normalizeOptions({ ...opts, size: '' }).size, 'auto');
    assert.equal(normalizeOptions({ ...opts, size: 'AUTO' }).size, 'auto');
  });
});

describe('panel paths: inside the workspace', () => {
  const posix = path.posix;
  const folders = ['/home/u/ws'];
  const cases: Array<[string, boolean]> = [
    ['/home/u/ws/images/a.png', true],
    ['/home/u/ws/a.png', true],
    ['/home/u/ws', false],
    ['/home/u/ws/../secrets/a.png', false],
    ['/home/u/ws/images/../../other/a.png', false],
    ['/home/u/ws-other/a.png', false],
    ['/etc/passwd', false],
    ['images/a.png', false],
    ['../ws/a.png', false],
  ];
  for (const [p, inside] of cases) {
    it(`${p} is ${inside ? 'inside' : 'outside'}`, () => assert.equal(insideFolders(p, folders, posix), inside));
  }

  it('on Windows, another drive is outside', () => {
    assert.equal(insideFolders('D:\\ws\\a.png', ['C:\\ws'], path.win32), false);
    assert.equal(insideFolders('C:\\ws\\images\\a.png', ['C:\\ws'], path.win32), true);
  });

  it('reads extensions in lower case', () => {
    assert.equal(extensionOf('/a/B.PNG'), '.png');
    assert.equal(extensionOf('/a/.hidden'), '');
    assert.equal(extensionOf('/a.d/file'), '');
  });
});

describe('panel HTML shell', () => {
  const uris = { cspSource: 'https://res.example', script: 'https://res.example/dist/panel.js', style: 'https://res.example/media/panel.css', codicons: 'https://res.example/dist/codicons/codicon.css' };

  it('has a strict CSP: nothing by default, scripts only with this load\'s nonce, no inline styles or eval', () => {
    const nonce = newNonce();
    const html = panelHtml(uris, nonce, 'Pictor <script>');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="${uris.script}">`));
    assert.ok(!html.includes('<script>'), 'the title was not escaped');
    assert.ok(!/style="/.test(html), 'an inline style');
  });

  it('makes a fresh nonce for every load', () => {
    const nonces = new Set(Array.from({ length: 20 }, () => newNonce()));
    assert.equal(nonces.size, 20);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9]{16,}$/);
  });
});
