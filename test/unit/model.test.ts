// The model is described once (src/shared/model.ts): its name and its figures are written nowhere
// else in the sources, the manifest (which VS Code reads on its own) agrees with it, and the request
// built for it sends only the parameters it takes. A second model is a second description and its tests.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { IMAGE_MODEL } from '../../src/shared/model';
import { IMAGE_TYPES } from '../../src/shared/imageFormats';
import { FORMATS, MAX_N, MAX_PROMPT_CODE_POINTS, MAX_REFERENCE_BYTES, MAX_REFERENCE_IMAGES, MIN_N, QUALITIES, RATIOS, REFERENCE_EXTENSIONS, RESOLUTIONS } from '../../src/shared/limits';
import { MAX_EDGE, MAX_PIXELS, MIN_PIXELS, pixelSize, QUALITY_COST, relativeCost } from '../../src/shared/sizes';
import { validateRequest } from '../../src/core/request';
import { DEFAULT_OPTIONS } from '../../src/core/pageOptions';

const ROOT = path.resolve(__dirname, '../../..');
const MODEL_FILE = 'src/shared/model.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

interface Literal { text?: string; value?: number; line: number; translated?: boolean }

/** Every string, template piece and number written in a source file (comments are not code); `translated`: a `vscode.l10n.t` key. */
function literals(file: string): Literal[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: Literal[] = [];
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const translated = (n: ts.Node) => ts.isCallExpression(n.parent) && n.parent.arguments[0] === n && n.parent.expression.getText(sf).endsWith('l10n.t');
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.push({ text: n.text, line: line(n), translated: translated(n) });
    else if (ts.isNumericLiteral(n)) out.push({ value: Number(n.text), line: line(n) });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const files = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'media'))];
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

describe('the model description (issue 23 item 2): one place', () => {
  it(`names ${IMAGE_MODEL.id} and writes its limits in ${MODEL_FILE} only: no other source file of src/ or media/ has them as literals`, () => {
    // The figures that are the model's alone (16, 1024, 10 or a cost factor of 4 are too common to tell apart).
    const figures = new Set<number>([MAX_PROMPT_CODE_POINTS, MIN_PIXELS, MAX_PIXELS, MAX_EDGE, ...Object.values(IMAGE_MODEL.cost.perQuality).filter((c) => !Number.isInteger(c))]);
    // A quality's name is shown translated (panel/strings.ts): that key is its word, not the model's rule.
    const names = new Set<string>([...RESOLUTIONS, IMAGE_MODEL.defaults.quality]);
    const found: string[] = [];
    for (const f of files) {
      if (rel(f) === MODEL_FILE) continue;
      for (const l of literals(f)) {
        if (l.text !== undefined && (l.text.includes(IMAGE_MODEL.id) || (names.has(l.text) && !(l.translated && (QUALITIES as readonly string[]).includes(l.text))))) found.push(`${rel(f)}:${l.line} '${l.text.slice(0, 60)}'`);
        if (l.value !== undefined && figures.has(l.value)) found.push(`${rel(f)}:${l.line} ${l.value}`);
      }
    }
    assert.deepEqual(found, [], 'read these from src/shared/model.ts (IMAGE_MODEL) or the names limits.ts and sizes.ts give its figures');
  });

  it('the scan sees what it looks for: the model file itself holds the name and every figure', () => {
    const all = literals(path.join(ROOT, MODEL_FILE));
    assert.ok(all.some((l) => l.text === IMAGE_MODEL.id));
    for (const v of [MAX_PROMPT_CODE_POINTS, MIN_PIXELS, MAX_PIXELS, MAX_EDGE]) assert.ok(all.some((l) => l.value === v), String(v));
  });

  it('limits.ts and sizes.ts name the description\'s figures (no copies)', () => {
    assert.equal(MAX_PROMPT_CODE_POINTS, IMAGE_MODEL.maxPromptCodePoints);
    assert.deepEqual([MIN_N, MAX_N], [IMAGE_MODEL.n.min, IMAGE_MODEL.n.max]);
    assert.deepEqual([MAX_REFERENCE_IMAGES, MAX_REFERENCE_BYTES], [IMAGE_MODEL.references.max, IMAGE_MODEL.references.maxBytes]);
    assert.deepEqual([...RATIOS], [...IMAGE_MODEL.ratios]);
    assert.deepEqual([...RESOLUTIONS], Object.keys(IMAGE_MODEL.resolutions));
    assert.deepEqual([...QUALITIES], [...IMAGE_MODEL.qualities]);
    assert.deepEqual(QUALITY_COST, IMAGE_MODEL.cost.perQuality);
    assert.deepEqual([...REFERENCE_EXTENSIONS], ['.jpeg', '.jpg', '.png', '.webp']);
    assert.deepEqual([...FORMATS], [...IMAGE_TYPES]);
  });

  it('the resolution tiers give the provider\'s sizes: 1K fixes the short edge, 2K and 4K the long one, all within the pixel budget', () => {
    assert.deepEqual(pixelSize('1:1', '1K'), { width: 1024, height: 1024 });
    assert.deepEqual(pixelSize('16:9', '2K'), { width: 2048, height: 1152 });
    assert.deepEqual(pixelSize('9:16', '4K'), { width: 2160, height: 3840 });
    for (const r of RATIOS) for (const t of RESOLUTIONS) {
      const s = pixelSize(r, t);
      assert.ok(s.width * s.height <= MAX_PIXELS && s.width % IMAGE_MODEL.explicitSize.step === 0 && s.height % IMAGE_MODEL.explicitSize.step === 0, `${r} ${t}`);
    }
    assert.equal(relativeCost('high', 2, { width: 1024, height: 1024 }), 2 * IMAGE_MODEL.cost.perQuality.high);
  });

  it('a request sends the model\'s id and only the parameters it takes; the defaults are the description\'s', () => {
    const full = validateRequest({
      prompt: 'a fox', size: '16:9', resolution: '2K', quality: 'high', n: 2,
      references: [{ kind: 'url', url: 'https://example.com/a.png' }], callbackUrl: 'https://example.com/done',
    });
    assert.ok(full.ok);
    assert.equal(full.body.model, IMAGE_MODEL.id);
    const taken: readonly string[] = IMAGE_MODEL.parameters;
    assert.deepEqual(Object.keys(full.body).filter((k) => !taken.includes(k)), []);
    const bare = validateRequest({ prompt: 'a fox' });
    assert.ok(bare.ok);
    const d = IMAGE_MODEL.defaults;
    assert.deepEqual(bare.body, { model: IMAGE_MODEL.id, prompt: 'a fox', size: d.size, quality: d.quality, n: d.n });
    assert.deepEqual([DEFAULT_OPTIONS.size, DEFAULT_OPTIONS.resolution, DEFAULT_OPTIONS.quality, DEFAULT_OPTIONS.n], [d.size, d.resolution, d.quality, d.n]);
    const other = validateRequest({ prompt: 'a fox', model: 'dall-e-3' });
    assert.ok(!other.ok && other.errors.some((e) => e.field === 'model' && e.limit === IMAGE_MODEL.id));
  });
});

describe('the model description: the manifest agrees with it (VS Code reads package.json on its own)', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: {
      configuration: { properties: Record<string, Record<string, unknown>> };
      languageModelTools: { name: string; inputSchema: { properties: Record<string, Record<string, unknown>> } }[];
    };
  };
  const setting = (k: string) => pkg.contributes.configuration.properties[`pictor.${k}`]!;
  const d = IMAGE_MODEL.defaults;

  it('the settings: the model, its defaults, its names and its limits', () => {
    assert.equal(setting('model').default, IMAGE_MODEL.id);
    assert.deepEqual(setting('model').enum, [IMAGE_MODEL.id]);
    assert.equal(setting('size').default, d.size);
    const pattern = String(setting('size').pattern);
    assert.deepEqual(/\(auto\|\(([^)]*)\)/.exec(pattern)?.[1]?.split('|'), [...RATIOS], 'the size pattern lists the model\'s ratios');
    assert.equal(setting('resolution').default, d.resolution);
    assert.deepEqual(setting('resolution').enum, [...RESOLUTIONS]);
    assert.equal(setting('quality').default, d.quality);
    assert.deepEqual(setting('quality').enum, [...QUALITIES]);
    assert.deepEqual([setting('n').default, setting('n').minimum, setting('n').maximum], [d.n, MIN_N, MAX_N]);
    assert.equal(setting('maxWidth').maximum, MAX_EDGE);
    assert.equal(setting('references').maxItems, MAX_REFERENCE_IMAGES);
    assert.deepEqual(setting('format').enum, [...IMAGE_TYPES]);
  });

  it('the generate tool\'s input schema', () => {
    const tool = pkg.contributes.languageModelTools.find((t) => t.name === 'pictor_generateImage')!;
    const p = tool.inputSchema.properties;
    assert.deepEqual(p.resolution!.enum, [...RESOLUTIONS]);
    assert.deepEqual(p.quality!.enum, [...QUALITIES]);
    assert.deepEqual([p.n!.minimum, p.n!.maximum], [MIN_N, MAX_N]);
    assert.equal(p.referenceImages!.maxItems, MAX_REFERENCE_IMAGES);
    assert.equal(p.references!.maxItems, MAX_REFERENCE_IMAGES);
    assert.equal(p.maxWidth!.maximum, MAX_EDGE);
    assert.deepEqual(p.format!.enum, [...IMAGE_TYPES]);
  });
});
