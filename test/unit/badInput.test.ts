// Issue 6's bad-input table: every input a user can get wrong is refused before any request,
// with a message that names the field and the limit (so the user can fix it without the docs);
// and the inputs that only shape a file name (destination, prompt slug) end somewhere safe.
// Some rows overlap test/unit/request.test.ts on purpose: this is the one table for the issue.

import assert from 'node:assert/strict';
import { validateRequest, type ValidationError } from '../../src/core/request';
import { resolveDestination } from '../../src/core/destination';
import { fileBaseName, slugify } from '../../src/core/fileNames';
import type { GenerationInput, ReferenceInput } from '../../src/core/types';

const MB = 1024 * 1024;
const GOOD: GenerationInput = { prompt: 'a red fox asleep in fresh snow, watercolor', size: '1:1', quality: 'low', n: 1 };
const urls = (n: number): ReferenceInput[] => Array.from({ length: n }, (_, i) => ({ kind: 'url', url: `https://example.com/ref-${i}.png` }));

/** How each field is named in its message, so the user knows what to change. */
const FIELD_WORDS: Record<ValidationError['field'], RegExp> = {
  prompt: /\bprompt\b/i,
  n: /number of images \(n\)/,
  size: /^Size /,
  resolution: /\bresolution\b/,
  quality: /\bquality\b/,
  model: /\bmodel\b/,
  references: /^Reference image|reference images/,
  callbackUrl: /callback URL/,
};

type Row =
  /** Through validateRequest: refused, one error, on `field`, its message matching `says`. */
  | { what: string; input: Partial<GenerationInput>; field: ValidationError['field']; says: RegExp[] }
  /** Through resolveDestination: refused with a message matching `says`. */
  | { what: string; pattern: string; says: RegExp[] }
  /** Through slugify: the file name falls back to `slug`, and is safe on every OS. */
  | { what: string; prompt: string; slug: string };

const ROWS: Row[] = [
  { what: 'an empty prompt', input: { prompt: '' }, field: 'prompt', says: [/prompt is empty/, /write what the image should show/] },
  { what: 'a whitespace-only prompt', input: { prompt: ' \n\t\u00a0 ' }, field: 'prompt', says: [/prompt is empty/] },
  {
    what: 'a prompt of 32,001 code points, half of them astral (48,001 UTF-16 units)',
    input: { prompt: '🦊'.repeat(16_000) + 'a'.repeat(16_001) },
    field: 'prompt',
    says: [/32,001 characters \(Unicode code points\)/, /limit is 32,000/, /Shorten it by 1\./],
  },
  { what: 'n = 0', input: { n: 0 }, field: 'n', says: [/from 1 to 10/, /got 0/] },
  { what: 'n = 11', input: { n: 11 }, field: 'n', says: [/from 1 to 10/, /got 11/] },
  { what: 'size 1000x1000', input: { size: '1000x1000' }, field: 'size', says: [/1000×1000/, /multiples of 16/, /try 992×992/] },
  { what: 'size 16x16', input: { size: '16x16' }, field: 'size', says: [/16×16/, /at least 655,360 pixels/, /got 256/] },
  { what: 'size 3840x3840', input: { size: '3840x3840' }, field: 'size', says: [/3840×3840/, /at most 8,294,400 pixels/, /try 2880×2880/] },
  { what: 'size 4000x1000', input: { size: '4000x1000' }, field: 'size', says: [/4000×1000/, /between 16 and 3,840 pixels/, /at most 3 times/] },
  { what: 'size 1:4', input: { size: '1:4' }, field: 'size', says: [/1:4/, /not one of the 15 ratios/, /9:21/] },
  { what: 'resolution 8K', input: { size: '16:9', resolution: '8K' }, field: 'resolution', says: [/one of 1K, 2K, 4K/, /got "8K"/] },
  { what: '17 reference images', input: { references: urls(17) }, field: 'references', says: [/17 reference images/, /at most 16/, /Remove 1\./] },
  {
    what: 'a 51 MB reference image',
    input: { references: [{ kind: 'file', path: '/ws/photos/huge.png', bytes: 51 * MB }] },
    field: 'references',
    says: [/huge\.png/, /51\.0 MB/, /at most 50 MB/],
  },
  {
    what: 'a .gif reference file',
    input: { references: [{ kind: 'file', path: '/ws/photos/dancing.gif', bytes: 1000 }] },
    field: 'references',
    says: [/dancing\.gif/, /is a \.gif file/, /accepted types are \.jpeg \.jpg \.png \.webp/],
  },
  {
    what: 'a .heic reference file',
    input: { references: [{ kind: 'file', path: '/ws/photos/IMG_0042.HEIC', bytes: 1000 }] },
    field: 'references',
    says: [/IMG_0042\.HEIC/, /is a \.heic file/, /accepted types are \.jpeg \.jpg \.png \.webp/],
  },
  {
    what: 'a .gif reference URL',
    input: { references: [{ kind: 'url', url: 'https://cdn.example.com/dancing.gif' }] },
    field: 'references',
    says: [/dancing\.gif/, /is a \.gif image/, /\.jpeg \.jpg \.png \.webp/],
  },
  {
    what: 'a .heic reference URL',
    input: { references: [{ kind: 'url', url: 'https://cdn.example.com/IMG_0042.heic?sig=1' }] },
    field: 'references',
    says: [/IMG_0042\.heic/, /is a \.heic image/, /\.jpeg \.jpg \.png \.webp/],
  },
  { what: 'a callback URL on http://', input: { callbackUrl: 'http://hooks.example.com/pictor' }, field: 'callbackUrl', says: [/must start with https:\/\//, /got http:\/\//] },
  { what: 'a callback URL on 127.0.0.1', input: { callbackUrl: 'https://127.0.0.1/hook' }, field: 'callbackUrl', says: [/127\.0\.0\.1/, /loopback/, /public https:\/\//] },
  { what: 'a callback URL on http://127.0.0.1', input: { callbackUrl: 'http://127.0.0.1:8080/hook' }, field: 'callbackUrl', says: [/https:\/\//] },
  { what: 'a callback URL on 10.0.0.1', input: { callbackUrl: 'https://10.0.0.1/hook' }, field: 'callbackUrl', says: [/10\.0\.0\.1/, /private/, /public https:\/\//] },
  {
    what: 'a callback URL of 2,049 characters',
    input: { callbackUrl: 'https://hooks.example.com/' + 'x'.repeat(2049 - 'https://hooks.example.com/'.length) },
    field: 'callbackUrl',
    says: [/2,049 characters/, /limit is 2,048/],
  },
  { what: 'a destination pattern ../../etc', pattern: '../../etc', says: [/"\.\.\/\.\.\/etc"/, /leads outside the workspace folder "\/ws"/] },
  { what: 'a destination pattern ../../etc/', pattern: '../../etc/', says: [/leads outside the workspace folder/] },
  { what: 'a destination pattern /../etc/ (anchored at the workspace)', pattern: '/../etc/', says: [/leads outside the workspace folder/] },
  { what: 'a destination pattern ${documentWorkspaceFolder}/../x/', pattern: '${documentWorkspaceFolder}/../x/', says: [/leads outside the workspace folder/] },
  { what: 'a Windows-style destination ..\\..\\etc\\', pattern: '..\\..\\etc\\', says: [/leads outside the workspace folder/] },
  { what: 'a prompt of emoji only', prompt: '🦊🌲✨', slug: 'image' },
  { what: 'a prompt of punctuation only', prompt: '!!! ... ??? — ***', slug: 'image' },
  { what: 'a prompt of invisible characters only', prompt: '\u200b\u200d\ufeff', slug: 'image' },
  { what: 'the prompt CON', prompt: 'CON', slug: 'image-con' },
  { what: 'the prompt ..', prompt: '..', slug: 'image' },
  { what: 'the prompt nul.txt', prompt: 'nul.txt', slug: 'nul-txt' },
  { what: 'the prompt "aux"', prompt: 'aux', slug: 'image-aux' },
  { what: 'the prompt COM¹ (a reserved name after NFKC)', prompt: 'COM¹', slug: 'image-com1' },
  { what: 'a prompt with control characters', prompt: 'fox\u0007in\tthe\nsnow\u0000', slug: 'fox-in-the-snow' },
  { what: 'a prompt full of path characters', prompt: '../a/b\\c:d*e?f"g<h>i|j', slug: 'a-b-c-d-e-f-g-h-i-j' },
];

/** A name no OS refuses or treats specially: no separators or wildcards, no device name, no dot or space at the ends. */
function assertSafeFileName(name: string): void {
  assert.ok(name.length > 0, 'not empty');
  assert.doesNotMatch(name, /[<>:"/\\|?*]/, `${name}: no reserved characters`);
  assert.ok(![...name].some((c) => c.charCodeAt(0) < 0x20), `${name}: no control characters`);
  assert.doesNotMatch(name, /^[.\s-]|[.\s]$/, `${name}: no dot, space or dash at the ends`);
  assert.doesNotMatch(name, /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i, `${name}: not a device name`);
}

describe('bad input (issue 6 table): refused before any request, with a message naming the field and the limit', () => {
  let refused = 0;
  after(() => {
    console.log(`      bad inputs tried: ${ROWS.length}; refused with a message: ${refused}; ` +
      `made safe: ${ROWS.filter((r) => 'prompt' in r).length}`);
  });

  it('the good request the rows start from is accepted', () => {
    const r = validateRequest(GOOD);
    assert.equal(r.ok, true, r.ok ? '' : r.errors.map((e) => e.message).join(' | '));
  });

  for (const row of ROWS) {
    if ('input' in row) {
      it(`${row.what}: refused, on ${row.field}`, () => {
        const r = validateRequest({ ...GOOD, ...row.input });
        assert.equal(r.ok, false, 'refused');
        if (r.ok) return;
        assert.equal('body' in r, false, 'nothing to send');
        assert.equal(r.errors.length, 1, r.errors.map((e) => e.message).join(' | '));
        const [e] = r.errors;
        assert.equal(e!.field, row.field);
        assert.match(e!.message, FIELD_WORDS[row.field], 'names the field');
        for (const s of row.says) assert.match(e!.message, s);
        assert.ok(e!.limit, 'carries the limit');
        assert.match(e!.message, /[.]$/, 'a whole sentence');
        assert.ok(e!.message.length < 400, 'short enough for a notification');
        refused++;
      });
    } else if ('pattern' in row) {
      it(`${row.what}: refused`, () => {
        const r = resolveDestination({
          documentPath: '/ws/docs/notes.md',
          workspaceFolder: '/ws',
          patterns: { '**/*.md': row.pattern },
          fileName: 'red-fox-3f9c',
          ext: 'png',
        });
        assert.equal(r.ok, false, `refused, not ${JSON.stringify(r)}`);
        if (r.ok) return;
        assert.match(r.error, /destination pattern/, 'names the setting');
        for (const s of row.says) assert.match(r.error, s);
        refused++;
      });
    } else {
      it(`${row.what}: the file name falls back to "${row.slug}"`, () => {
        const slug = slugify(row.prompt);
        assert.equal(slug, row.slug);
        assertSafeFileName(slug);
        const base = fileBaseName(row.prompt, '3f9c');
        assert.equal(base, `${row.slug}-3f9c`);
        assertSafeFileName(base);
        // The name also resolves to a file inside the workspace.
        const d = resolveDestination({ documentPath: '/ws/notes.md', workspaceFolder: '/ws', patterns: {}, fileName: base, ext: 'png' });
        assert.deepEqual(d, { ok: true, dir: '/ws/images', file: `/ws/images/${base}.png` });
      });
    }
  }

  it('several problems at once are all reported, each naming its field', () => {
    const r = validateRequest({ prompt: ' ', n: 11, size: '1:4', resolution: '8K', callbackUrl: 'http://10.0.0.1/x', references: urls(17) });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.errors.map((e) => e.field).sort(), ['callbackUrl', 'n', 'prompt', 'references', 'resolution', 'size']);
    for (const e of r.errors) assert.match(e.message, FIELD_WORDS[e.field]);
  });
});
