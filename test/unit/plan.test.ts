// Issue 20 item 1: the one planner. A page's placeholders with page options, an override, a call's
// options and the style → the requests as the provider takes them; and every placeholder left out with
// its reason code and its words: an empty prompt, one being generated, an invalid option (which option,
// where), an over-long prompt, a request the provider would refuse. It reads no settings and tells
// nobody: the settings come in as data.
import assert from 'node:assert/strict';
import { english } from '../../src/shared/words';
import { entriesOf, plan, planPage, withRunning, type Plan, type PlanSettings } from '../../src/core/plan';
import { DEFAULT_OPTIONS, problemWords, type OptionProblem } from '../../src/core/pageOptions';
import { scanMarkdown } from '../../src/core/placeholders';
import { relativeCost } from '../../src/shared/sizes';

const SETTINGS: PlanSettings = {
  // The workspace sets size and quality; the rest are the defaults.
  layers: [{ from: 'workspace', values: { size: '3:2', quality: 'high' } }],
  values: { ...DEFAULT_OPTIONS, size: '3:2', resolution: '1K', quality: 'high', n: 1, style: '' },
  model: 'gpt-image-2',
  callbackUrl: '',
};

const page = (text: string) => ({ text, scan: scanMarkdown(text) });
const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
const reasons = (p: Plan) => p.skipped.map((s) => [s.prompt.slice(0, 30), s.reason]);

describe('the planner (issue 20 item 1)', () => {
  const style = 'flat vector illustration, pastel palette';
  const text = [
    '---', 'pictor:', '  size: "1:1"', '  quality: low', `  style: "${style}"`, '---', '',
    '![a lighthouse at dawn]()', '',
    '![a wide harbour](<>) <!-- pictor: size=16:9 resolution=2K quality=medium -->', '',
    '![]()', '',
  ].join('\n');

  it('plans each placeholder with its own options: the override over the page over the settings; the style apart from the prompt', () => {
    const p = planPage({ page: page(text), settings: SETTINGS });
    assert.deepEqual(reasons(p), [['', 'empty']]);
    assert.equal(p.requests.length, 2);
    const [a, b] = p.requests;
    // Which placeholder each is for: its offsets and alt text.
    assert.equal(a!.placeholder?.alt, 'a lighthouse at dawn');
    assert.equal(text.slice(a!.placeholder!.start, a!.placeholder!.end), '![a lighthouse at dawn]()');
    assert.equal(text.slice(b!.placeholder!.start, b!.placeholder!.end), '![a wide harbour](<>)');
    // The prompt as written, the style apart; the body has both.
    assert.equal(a!.prompt, 'a lighthouse at dawn');
    assert.equal(a!.style, style);
    assert.equal(a!.request.body.prompt, `a lighthouse at dawn\n\nStyle: ${style}`);
    assert.deepEqual({ size: a!.request.body.size, quality: a!.request.body.quality, n: a!.request.body.n, resolution: a!.request.body.resolution },
      { size: '1:1', quality: 'low', n: 1, resolution: '1K' });
    assert.deepEqual({ size: b!.request.body.size, quality: b!.request.body.quality, resolution: b!.request.body.resolution },
      { size: '16:9', quality: 'medium', resolution: '2K' });
    assert.equal(b!.options.from.size, 'placeholder');
    assert.equal(b!.options.from.style, 'page');
    // Pixel size, image count and relative cost, and the action's bill for the cost question.
    assert.deepEqual(a!.figures, { images: 1, cost: relativeCost('low', 1, { width: 1024, height: 1024 }), size: { width: 1024, height: 1024 }, quality: 'low' });
    assert.deepEqual(b!.request.expectedSize, { width: 2048, height: 1152 });
    assert.deepEqual(p.bill, { images: 2, cost: a!.request.relativeCost + b!.request.relativeCost });
    const entries = entriesOf(p);
    assert.equal(entries.length, 3);
    assert.equal(entries[0]!.request, a);
    assert.equal(entries[2]!.skipped?.reason, 'empty');
    assert.equal(english(entries[2]!.skipped!.words), 'The prompt is empty: write what the image should show.');
  });

  it('a call\'s options win over everything, and the settings fill what nobody sets', () => {
    const p = planPage({ page: page(text), settings: SETTINGS, call: { quality: 'high', n: 2, style: '' } });
    assert.deepEqual(p.requests.map((r) => [r.request.body.quality, r.request.body.n, r.request.body.prompt]), [
      ['high', 2, 'a lighthouse at dawn'],
      ['high', 2, 'a wide harbour'],
    ]);
    assert.equal(p.requests[0]!.style, '', 'an empty style in the call turns the page\'s off');
    assert.deepEqual(p.bill.images, 4);
    // Without a page: the settings alone.
    const bare = plan({ settings: SETTINGS, items: [{ prompt: 'a fox' }] });
    assert.deepEqual([bare.requests[0]!.request.body.size, bare.requests[0]!.request.body.quality], ['3:2', 'high']);
  });

  it('an invalid front-matter value leaves out every placeholder that uses it, naming the option and its line', () => {
    const bad = text.replace('quality: low', 'quality: ultra');
    const p = planPage({ page: page(bad), settings: SETTINGS });
    // The override sets its own quality: that placeholder does not use the page's.
    assert.deepEqual(reasons(p), [['a lighthouse at dawn', 'options'], ['', 'empty']]);
    const s = p.skipped[0]!;
    assert.equal(s.problems[0]!.key, 'quality');
    assert.equal(s.problems[0]!.origin, 'page');
    assert.equal(lineOf(bad, s.problems[0]!.start), 4);
    assert.equal(s.words.code, 'option.value');
    assert.equal(english(s.words), 'Page options (front matter): quality cannot be "ultra". Allowed: low, medium or high. '
      + 'Nothing is sent for the placeholders of this page that use it until it is fixed.');
    assert.deepEqual(p.requests.map((r) => r.prompt), ['a wide harbour']);
    // The page's problems, for marking where they are written: the error, and a warning too.
    const warned = planPage({ page: page(bad.replace('  quality: ultra', '  quality: ultra\n  colour: red')), settings: SETTINGS });
    assert.deepEqual(warned.problems.map((x) => [x.key, x.severity]), [['quality', 'error'], ['colour', 'warning']]);
  });

  it('an invalid override leaves out only its placeholder', () => {
    const bad = text.replace('quality=medium', 'quality=medium n=12');
    const p = planPage({ page: page(bad), settings: SETTINGS });
    assert.deepEqual(reasons(p), [['a wide harbour', 'options'], ['', 'empty']]);
    const s = p.skipped[0]!;
    assert.equal(bad.slice(s.problems[0]!.start, s.problems[0]!.end), 'n=12');
    assert.equal(english(s.words), 'Placeholder options: n cannot be 12. Allowed: a whole number from 1 to 10. Nothing is sent for this placeholder until it is fixed.');
    assert.deepEqual(p.problems.map((x) => x.key), ['n']);
  });

  it('an over-long prompt is left out for its prompt, counted with the style, with what it would bill', () => {
    // Under the limit as written, over it once the style is added.
    const long = 'y'.repeat(32_000 - 10);
    const p = planPage({ page: page(text.replace('a lighthouse at dawn', long)), settings: SETTINGS });
    const s = p.skipped.find((x) => x.reason === 'prompt')!;
    assert.equal(s.placeholder?.prompt, long);
    assert.equal(s.words.code, 'request.promptTooLong');
    assert.match(english(s.words), /^The prompt has 32,0\d\d characters \(Unicode code points\); the limit is 32,000\. Shorten it by \d+\.$/);
    assert.deepEqual(s.errors.map((e) => e.field), ['prompt']);
    assert.deepEqual(s.figures, { images: 1, cost: relativeCost('low', 1, { width: 1024, height: 1024 }), size: { width: 1024, height: 1024 }, quality: 'low' });
    assert.deepEqual(p.bill.images, 1, 'only what is sent is billed');
    // Without the style it fits.
    assert.equal(planPage({ page: page(text.replace('a lighthouse at dawn', long)), settings: SETTINGS, call: { style: '' } }).requests.length, 2);
  });

  it('a placeholder left out for its options still carries what the provider would say of its prompt (the diagnostics mark both)', () => {
    const long = 'z'.repeat(32_001);
    const p = planPage({ page: page(text.replace('a wide harbour', long).replace('quality=medium', 'quality=ultra')), settings: SETTINGS });
    const s = p.skipped.find((x) => x.reason === 'options')!;
    assert.equal(s.placeholder?.prompt, long);
    assert.deepEqual(s.errors.map((e) => e.words.code), ['request.promptTooLong']);
  });

  it('a request the provider would refuse for another reason (a setting, a call option, a reference) is a `request`, every problem in words', () => {
    const settings: PlanSettings = { ...SETTINGS, layers: [{ from: 'workspace', values: { size: '5000x100' } }], values: { ...SETTINGS.values, size: '5000x100' } };
    const p = plan({ settings, items: [{ prompt: 'a kettle' }] });
    assert.deepEqual(reasons(p), [['a kettle', 'request']]);
    assert.match(english(p.skipped[0]!.words), /^Size 5000×100: /);
    const two = plan({ settings: SETTINGS, call: { n: 11, quality: 'ultra' }, items: [{ prompt: 'eleven foxes' }] });
    assert.equal(two.skipped[0]!.reason, 'request');
    assert.equal(english(two.skipped[0]!.words), two.skipped[0]!.errors.map((e) => e.message).join(' '));
    const refs = plan({ settings: SETTINGS, items: [{ prompt: 'a fox', references: Array.from({ length: 17 }, (_, i) => ({ kind: 'url' as const, url: `https://example.com/${i}.png` })) }] });
    assert.equal(refs.skipped[0]!.reason, 'request');
    assert.match(english(refs.skipped[0]!.words), /17 reference images were given; at most 16/);
  });

  it('a placeholder being generated is left out as `running`, before anything else; withRunning says the same afterwards', () => {
    const scan = scanMarkdown(text);
    const running = (p: { prompt: string }) => p.prompt === 'a wide harbour';
    const direct = planPage({ page: { text, scan }, settings: SETTINGS, running });
    assert.deepEqual(reasons(direct), [['a wide harbour', 'running'], ['', 'empty']]);
    assert.equal(direct.skipped[0]!.words.code, 'plan.running');
    assert.deepEqual(direct.bill.images, 1);
    const after = withRunning(planPage({ page: { text, scan }, settings: SETTINGS }), running);
    assert.deepEqual(after, direct);
  });

  it('an override read with the placeholder wins over the page\'s text now; a prompt of its own has none', () => {
    const p = plan({ page: page(text), settings: SETTINGS, items: [
      { prompt: 'a wide harbour', override: { from: 'placeholder', values: { size: '9:16' } } },
      { prompt: 'a lighthouse at dawn' },
    ] });
    assert.deepEqual(p.requests.map((r) => r.request.body.size), ['9:16', '1:1']);
    assert.equal(p.requests[0]!.request.body.quality, 'low', 'the page still applies beneath it');
  });

  it('words every kind of option problem as before the planner (the templates the translations are keyed by)', () => {
    const at = { start: 0, end: 1, severity: 'error' as const };
    const cases: [OptionProblem, string][] = [
      [{ kind: 'yaml', origin: 'page', detail: 'bad indentation', ...at },
        'Page options (front matter): the front matter is not valid YAML (bad indentation). Nothing is sent for the placeholders of this page that use it until it is fixed.'],
      [{ kind: 'notMapping', origin: 'page', value: '42', ...at },
        'Page options (front matter): pictor: must hold options, one per line, such as size: "16:9" (allowed: size, resolution, quality, n, style, background, format, maxWidth, references, styleFrom); got 42. Nothing is sent for the placeholders of this page that use it until it is fixed.'],
      [{ kind: 'alias', origin: 'page', ...at },
        'Page options (front matter): pictor: cannot use YAML anchors (&) or aliases (*). Write each value out, such as size: "16:9". Nothing is sent for the placeholders of this page that use it until it is fixed.'],
      [{ kind: 'value', origin: 'placeholder', key: 'size', value: '7:7', detail: 'x', detailWords: { code: 'size.notRatio', args: ['7:7', '1:1, 2:3'] }, ...at },
        'Placeholder options: size cannot be "7:7" (7:7: not one of the 15 ratios: 1:1, 2:3). Allowed: auto, a ratio (1:1, 1:2, 2:1, 1:3, 3:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 9:21, 21:9) or WxH such as 1536x1024 (edges multiples of 16, 16–3840). Nothing is sent for this placeholder until it is fixed.'],
      [{ kind: 'type', origin: 'page', key: 'style', value: '42', ...at },
        'Page options (front matter): style cannot be 42. Allowed: text, e.g. "flat vector illustration, pastel palette". Nothing is sent for the placeholders of this page that use it until it is fixed.'],
      [{ kind: 'unknown', origin: 'placeholder', key: 'colour', ...at, severity: 'warning' },
        'Placeholder options: Pictor does not know the option "colour", so it is ignored. Known options: size, resolution, quality, n, style, background, format, maxWidth, references, styleFrom.'],
      [{ kind: 'duplicate', origin: 'placeholder', key: 'n', ...at },
        'Placeholder options: n is given twice. Keep one. Nothing is sent for this placeholder until it is fixed.'],
      [{ kind: 'syntax', origin: 'placeholder', value: 'big', ...at },
        'Placeholder options: "big" is not an option. Write key=value pairs, e.g. <!-- pictor: size=16:9 quality=high style="ink sketch" -->. Nothing is sent for this placeholder until it is fixed.'],
      [{ kind: 'unclosed', origin: 'placeholder', ...at },
        'Placeholder options: the comment has no closing --> on its line. Write it on one line: <!-- pictor: size=16:9 quality=high -->. Nothing is sent for this placeholder until it is fixed.'],
      [{ kind: 'toml', origin: 'page', ...at, severity: 'warning' },
        'Page options (front matter): Pictor reads page options from YAML front matter (---) only; this [pictor] table is ignored.'],
    ];
    for (const [p, want] of cases) assert.equal(english(problemWords(p)), want, p.kind);
  });
});
