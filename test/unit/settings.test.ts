import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { coerceSetting, type SettingSchema } from '../../src/core/settings';

// The real manifest: the reader is held to the schema the Settings editor shows.
const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const schema = (name: string) => manifest.contributes.configuration.properties[name]!;
const defaultOf = (name: string) => (schema(name) as { default?: unknown }).default;
const read = (name: string, raw: unknown) => coerceSetting(name, raw, schema(name));

// What a user who never opened the Settings editor gets (moved from the integration layer: VS Code
// reading these from the manifest is proven there once, test/integration/settings.test.ts).
describe('settings: the manifest\'s defaults', () => {
  const defaults: Record<string, unknown> = {
    baseUrl: 'https://api.evolink.ai',
    filesBaseUrl: 'https://files-api.evolink.ai',
    model: 'gpt-image-2',
    size: 'auto',
    resolution: '1K',
    quality: 'medium',
    n: 1,
    callbackUrl: '',
    destination: {},
    maxConcurrentTasks: 4,
    timeoutMinutes: 15,
    confirmAboveImages: 4,
    keepReplacedImages: true,
    maxCreditsPerSession: null,
  };

  for (const [key, value] of Object.entries(defaults)) {
    it(`pictor.${key} defaults to ${JSON.stringify(value)}`, () => {
      assert.ok(`pictor.${key}` in manifest.contributes.configuration.properties, `pictor.${key} is not in the manifest`);
      assert.deepEqual(defaultOf(`pictor.${key}`), value);
    });
  }
});

describe('settings: every pictor.* value held to the manifest schema (issue 10 item 4)', () => {
  it('passes allowed values through without a problem', () => {
    assert.deepEqual(read('pictor.maxConcurrentTasks', 8), { value: 8 });
    assert.deepEqual(read('pictor.timeoutMinutes', 30.5), { value: 30.5 });
    assert.deepEqual(read('pictor.confirmAboveImages', 0), { value: 0 });
    assert.deepEqual(read('pictor.size', '16:9'), { value: '16:9' });
    assert.deepEqual(read('pictor.destination', { '**/*.md': 'assets/' }), { value: { '**/*.md': 'assets/' } });
  });

  it('clamps numbers below the minimum or above the maximum, naming the setting and the value used', () => {
    const zero = read('pictor.maxConcurrentTasks', 0);
    assert.equal(zero.value, 1);
    assert.match(zero.problem ?? '', /pictor\.maxConcurrentTasks is 0; allowed: 1 to 16; using 1\./);
    assert.equal(read('pictor.maxConcurrentTasks', 99).value, 16);
    const t = read('pictor.timeoutMinutes', 0);
    assert.equal(t.value, 10);
    assert.match(t.problem ?? '', /pictor\.timeoutMinutes is 0; allowed: 10 to 1440; using 10\./);
    assert.equal(read('pictor.n', 11).value, 10);
    assert.equal(read('pictor.confirmAboveImages', -3).value, 0);
  });

  it('reads a number written as text ("4") as that number, and says so', () => {
    const r = read('pictor.maxConcurrentTasks', '4');
    assert.equal(r.value, 4);
    assert.match(r.problem ?? '', /pictor\.maxConcurrentTasks is "4".*using 4/);
  });

  it('rounds a fraction where the schema wants a whole number', () => {
    assert.equal(read('pictor.maxConcurrentTasks', 2.6).value, 3);
  });

  it('a non-numeric confirmAboveImages means the default (4), not "never ask"', () => {
    for (const raw of ['lots', true, {}, [], Number.NaN]) {
      const r = read('pictor.confirmAboveImages', raw);
      assert.equal(r.value, 4, `for ${JSON.stringify(raw)}`);
      assert.match(r.problem ?? '', /pictor\.confirmAboveImages is .*using the default, 4\./);
    }
  });

  it('a value of the wrong type means the default', () => {
    assert.equal(read('pictor.baseUrl', 42).value, 'https://api.evolink.ai');
    assert.equal(read('pictor.destination', 'images/').value !== 'images/', true);
    assert.deepEqual(read('pictor.destination', ['a']).value, {});
  });

  it('drops destination entries that are not text', () => {
    const r = read('pictor.destination', { '**/*.md': 'assets/', 'docs/**': 3 });
    assert.deepEqual(r.value, { '**/*.md': 'assets/' });
    assert.match(r.problem ?? '', /"docs\/\*\*"/);
  });

  it('an unset value is the default, silently', () => {
    assert.deepEqual(read('pictor.timeoutMinutes', undefined), { value: 15 });
  });
});
