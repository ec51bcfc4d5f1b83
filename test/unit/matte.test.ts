import * as assert from 'node:assert/strict';
import { keyOut, matte } from '../../src/core/matte';
import { estimateKey, keyDistance } from '../../src/core/keyEstimate';
import { chooseKeyColour, KEY_COLOURS, type Rgb } from '../../src/core/keyColour';
import { english } from '../../src/shared/words';
import { matteSet, scoreMatte, type MatteCase } from '../shared/matteSet';

/** The goal of issue 24: at most 1 % of the background left opaque, at most 1 % of the subject made transparent. */
const GOAL = 0.01;

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The key's tint of a pixel: its chroma along the key's chroma direction (0 or less: none). */
function tint(rgba: Uint8Array, i: number, key: Rgb): number {
  const cb = (r: number, g: number, b: number) => -0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = (r: number, g: number, b: number) => 0.5 * r - 0.418688 * g - 0.081312 * b;
  const kb = cb(...key), kr = cr(...key), len = Math.hypot(kb, kr);
  const r = rgba[i * 4]!, g = rgba[i * 4 + 1]!, b = rgba[i * 4 + 2]!;
  return (cb(r, g, b) * kb + cr(r, g, b) * kr) / len;
}

describe('matte (transparent images: keying the backdrop out)', () => {
  const set = matteSet();
  const byName = (name: string): MatteCase => set.find((c) => c.name === name)!;

  for (const c of set.filter((c) => c.keyable)) {
    it(`${c.name}: ≤ 1 % of the background left opaque and ≤ 1 % of the subject made transparent`, () => {
      const out = keyOut(c.rgba, c.width, c.height);
      assert.ok(out.ok, `refused: ${out.ok ? '' : english(out.reason)}`);
      const s = scoreMatte(c, out.rgba);
      assert.ok(s.backgroundKept <= GOAL, `background left opaque: ${pct(s.backgroundKept)}`);
      assert.ok(s.subjectLost <= GOAL, `subject made transparent: ${pct(s.subjectLost)}`);
    });
  }

  it('the score counts what it should: an untouched image keeps all its background, a cleared one loses all its subject', () => {
    const c = byName('shapes');
    assert.equal(scoreMatte(c, c.rgba).backgroundKept, 1);
    const cleared = new Uint8Array(c.rgba);
    for (let i = 3; i < cleared.length; i += 4) cleared[i] = 0;
    assert.equal(scoreMatte(c, cleared).subjectLost, 1);
  });

  it('refuses a backdrop that is not flat enough, and the image stays as it was', () => {
    const c = byName('not flat: a scene');
    const before = new Uint8Array(c.rgba);
    const out = keyOut(c.rgba, c.width, c.height);
    assert.equal(out.ok, false);
    assert.ok(!out.ok && out.reason.code === 'matte.notFlat', JSON.stringify(out));
    assert.ok(out.estimate.flatness < 0.6, `flatness ${out.estimate.flatness}`);
    assert.match(english(out.reason), /not flat enough.*kept opaque/);
    assert.deepEqual(c.rgba, before);
  });

  it('refuses an image that is all backdrop (nothing would be left)', () => {
    const w = 64, h = 48;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([250, 6, 248, 255], i * 4);
    const out = keyOut(rgba, w, h);
    assert.ok(!out.ok && out.reason.code === 'matte.nothingLeft', JSON.stringify(out));
  });

  it('estimates the key as painted, not as asked', () => {
    for (const name of ['green key, painted off', 'text', 'subject touching the border']) {
      const c = byName(name);
      const e = estimateKey(c.rgba, c.width, c.height);
      assert.ok(keyDistance(c.painted, c.asked) > 20, `${name}: the painted key should differ from the asked one`);
      assert.ok(keyDistance(e.key, c.painted) < 4, `${name}: estimated ${e.key}, painted ${c.painted}`);
    }
    // A subject on a third of the border does not pull the estimate.
    const touching = estimateKey(byName('subject touching the border').rgba, 384, 256);
    assert.ok(touching.flatness > 0.6 && touching.flatness < 0.8, `flatness ${touching.flatness}`);
  });

  it('keeps enclosed subject pixels near the key, removes a large enclosed hole of key colour', () => {
    const c = byName('enclosed areas near the key');
    const out = keyOut(c.rgba, c.width, c.height);
    assert.ok(out.ok);
    const at = (u: number, v: number) => out.rgba[(Math.round(v * c.height) * c.width + Math.round(u * c.width)) * 4 + 3]!;
    assert.equal(at(0.2, 0.3), 255, 'the small key-coloured spot inside the plate');
    assert.equal(at(0.42, 0.5), 255, 'the patch near the key inside the plate');
    assert.equal(at(0.75, 0.5), 0, 'the hole');
    // A global threshold at the soft edge's outer distance would have eaten the patch: it is that near.
    const patch: Rgb = [c.rgba[(128 * 384 + 161) * 4]!, c.rgba[(128 * 384 + 161) * 4 + 1]!, c.rgba[(128 * 384 + 161) * 4 + 2]!];
    assert.ok(keyDistance(patch, c.painted) < estimateKey(c.rgba, c.width, c.height).outer);
  });

  it('takes the key tint out of edge pixels (despill)', () => {
    const c = byName('spill on a grey subject');
    const e = estimateKey(c.rgba, c.width, c.height);
    const kept = matte(c.rgba, c.width, c.height, e, { despill: false }).rgba;
    const clean = matte(c.rgba, c.width, c.height, e).rgba;
    let before = 0, after = 0, k = 0;
    for (let i = 0; i < c.width * c.height; i++) {
      // Opaque subject pixels that picked up the key's light (the set spills onto 2 px of edge).
      if (c.alpha[i]! < 0.99 || clean[i * 4 + 3] === 0) continue;
      const t = tint(kept, i, e.key);
      if (t < 20) continue;
      before += t; after += Math.max(0, tint(clean, i, e.key)); k++;
    }
    assert.ok(k > 100, `${k} tinted edge pixels`);
    assert.ok(after / k < 0.2 * (before / k), `mean tint ${before / k} → ${after / k}`);
    // Interior pixels are left alone.
    const mid = (128 * 384 + 192) * 4;
    assert.deepEqual([...clean.subarray(mid, mid + 3)], [...c.rgba.subarray(mid, mid + 3)]);
  });

  it('chooses a key away from the colours the prompt names (English and Chinese)', () => {
    assert.equal(chooseKeyColour('a red fox asleep in fresh snow').name, 'green');
    assert.equal(chooseKeyColour('a green frog on a lily pad').name, 'magenta');
    assert.equal(chooseKeyColour('a lighthouse at dawn').name, 'magenta');
    assert.equal(chooseKeyColour('a pink flamingo').name, 'green');
    assert.equal(chooseKeyColour('a purple flower with green leaves').name, 'blue');
    assert.equal(chooseKeyColour('一朵粉色的樱花').name, 'green');
    assert.equal(chooseKeyColour('一只绿色的青蛙').name, 'magenta');
    const c = chooseKeyColour('a violet umbrella');
    assert.deepEqual(c.key, KEY_COLOURS.green);
    assert.equal(c.hex, '#00FF00');
    assert.match(c.instruction, /flat.*green \(#00FF00\) background/);
  });
});
