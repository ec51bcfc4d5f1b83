// Issue 24: the look options (background, format, maxWidth, references, styleFrom) read from the front
// matter, an override comment, the settings and a call with the same precedence as size and style; the
// planner carries the look on each request, asks a transparent one for its flat key colour in the prompt,
// and refuses transparent + JPEG before anything is paid.
import assert from 'node:assert/strict';
import { english } from '../../src/shared/words';
import { plan, planPage, type PlanSettings } from '../../src/core/plan';
import { DEFAULT_OPTIONS, problemWords, readOverride, readPageOptions } from '../../src/core/pageOptions';
import { scanMarkdown } from '../../src/core/placeholders';
import { keyInstruction } from '../../src/core/keyColour';
import { lookOfRecipe, makeRecipe, parseRecipe, serializeRecipe } from '../../src/core/recipe';

const SETTINGS: PlanSettings = {
  layers: [{ from: 'workspace', values: { format: 'webp', maxWidth: 1600 } }],
  values: { ...DEFAULT_OPTIONS, format: 'webp', maxWidth: 1600 },
  model: 'gpt-image-2',
};
const page = (text: string) => ({ text, scan: scanMarkdown(text) });

describe('look options in the engine (issue 24)', () => {
  it('reads background, format, maxWidth, references and styleFrom from the front matter', () => {
    const text = ['---', 'pictor:', '  background: transparent', '  format: WebP', '  maxWidth: 1200', '  references: [images/style.png, "https://x.test/a.png"]', '  styleFrom: first', '---', ''].join('\n');
    const s = scanMarkdown(text);
    const r = readPageOptions(text, s.frontMatter);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.layer.values, { background: 'transparent', format: 'webp', maxWidth: 1200, references: ['images/style.png', 'https://x.test/a.png'], styleFrom: 'first' });
  });

  it('takes jpg for jpeg, a single reference as a list, and refuses what cannot be used, naming what is allowed', () => {
    const ok = '---\npictor:\n  format: jpg\n  references: style.png\n---\n';
    assert.deepEqual(readPageOptions(ok, scanMarkdown(ok).frontMatter).layer.values, { format: 'jpeg', references: ['style.png'] });
    const bad = '---\npictor:\n  background: clear\n  format: gif\n  maxWidth: -5\n  styleFrom: last\n---\n';
    const r = readPageOptions(bad, scanMarkdown(bad).frontMatter);
    assert.deepEqual(r.problems.map((p) => [p.key, p.kind]), [['background', 'value'], ['format', 'value'], ['maxWidth', 'value'], ['styleFrom', 'value']]);
    assert.match(english(problemWords(r.problems[0]!)), /opaque or transparent/);
    assert.match(english(problemWords(r.problems[1]!)), /png, webp or jpeg/);
    assert.match(english(problemWords(r.problems[2]!)), /from 0 \(no limit\) to 3840/);
  });

  it('reads them from an override comment: numbers as numbers, references split at commas', () => {
    const text = '![a fox]() <!-- pictor: background=transparent format=png maxWidth=800 references=a.png,b.png -->';
    const o = readOverride(text, text.indexOf(')') + 1)!;
    assert.deepEqual(o.problems, []);
    assert.deepEqual(o.layer.values, { background: 'transparent', format: 'png', maxWidth: 800, references: ['a.png', 'b.png'] });
  });

  it('resolves them call > placeholder > page > settings, and carries the look on each request', () => {
    const text = ['---', 'pictor:', '  maxWidth: 1200', '---', '', '![a red fox]()', '', '![a blue whale]() <!-- pictor: format=png maxWidth=640 -->', ''].join('\n');
    const p = planPage({ page: page(text), settings: SETTINGS });
    assert.equal(p.requests.length, 2);
    assert.deepEqual(p.requests[0]!.look, { background: 'opaque', format: 'webp', maxWidth: 1200 });
    assert.equal(p.requests[0]!.options.from.format, 'workspace');
    assert.equal(p.requests[0]!.options.from.maxWidth, 'page');
    assert.deepEqual(p.requests[1]!.look, { background: 'opaque', format: 'png', maxWidth: 640 });
    const called = planPage({ page: page(text), settings: SETTINGS, call: { maxWidth: 0, format: 'jpeg' } });
    assert.deepEqual(called.requests[1]!.look, { background: 'opaque', format: 'jpeg' });
    // The provider never hears of the look of an opaque request: the prompt is the prompt.
    assert.equal(p.requests[0]!.request.body.prompt, 'a red fox');
  });

  it('asks a transparent request for its subject on a key colour away from the prompt\'s own colours', () => {
    const text = '---\npictor:\n  background: transparent\n---\n\n![a green frog on a leaf]()\n\n![a pink flamingo]()\n';
    const p = planPage({ page: page(text), settings: SETTINGS });
    const [frog, flamingo] = p.requests;
    assert.equal(frog!.look.key, 'magenta');
    assert.equal(flamingo!.look.key, 'green');
    assert.equal(frog!.request.body.prompt, `a green frog on a leaf\n\n${keyInstruction('magenta')}`);
    assert.equal(flamingo!.request.body.prompt, `a pink flamingo\n\n${keyInstruction('green')}`);
    // The alt text and the prompt as written never see it.
    assert.equal(frog!.prompt, 'a green frog on a leaf');
  });

  it('refuses transparent + JPEG at planning, with a reason code and words, before anything is billed', () => {
    const text = '---\npictor:\n  background: transparent\n  format: jpeg\n---\n\n![a fox]()\n';
    const p = planPage({ page: page(text), settings: SETTINGS });
    assert.equal(p.requests.length, 0);
    assert.equal(p.skipped[0]!.reason, 'look');
    assert.match(english(p.skipped[0]!.words), /cannot be saved as JPEG/);
    assert.equal(p.bill.images, 0);
    // From a call too (a flag, a tool's parameter), and for a prompt of its own.
    const q = plan({ settings: SETTINGS, call: { background: 'transparent', format: 'jpeg' }, items: [{ prompt: 'a fox' }] });
    assert.equal(q.skipped[0]!.reason, 'look');
  });

  it('records the look in the recipe without the key instruction in its prompt, and reads it back for Regenerate', () => {
    const text = '---\npictor:\n  background: transparent\n  maxWidth: 900\n---\n\n![a red kite]()\n';
    const r = planPage({ page: page(text), settings: SETTINGS }).requests[0]!;
    const recipe = makeRecipe({ body: r.request.body, taskId: 't1', createdAt: 0, look: r.look, keyed: true }, '/w/images/a.webp');
    assert.equal(recipe.prompt, 'a red kite');
    assert.equal(recipe.background, 'transparent');
    assert.equal(recipe.key, '#00FF00');
    assert.equal(recipe.keyed, true);
    assert.equal(recipe.format, 'webp');
    assert.equal(recipe.maxWidth, 900);
    const back = parseRecipe(serializeRecipe(recipe))!;
    assert.deepEqual(lookOfRecipe(back), r.look);
    // A plain image's recipe stays as it was.
    const plain = makeRecipe({ body: { model: 'gpt-image-2', prompt: 'x' }, createdAt: 0, look: { background: 'opaque', format: 'png' } }, '/w/a.png');
    assert.equal('background' in plain || 'format' in plain, false);
  });
});
