import assert from 'node:assert/strict';
import { expectedSize, parseSize, pixelSize, relativeCost, MAX_PIXELS } from '../../src/shared/sizes';
import { RATIOS, Ratio, Resolution } from '../../src/shared/limits';

// The seed's table, copied literally (landscape and square; `*` cells are budget-scaled).
const LANDSCAPE: Array<[Ratio, string, string, string]> = [
  ['1:1', '1024×1024', '2048×2048', '2880×2880'],
  ['2:1', '2048×1024', '2048×1024', '3840×1920'],
  ['3:1', '3072×1024', '2048×688', '3840×1280'],
  ['3:2', '1536×1024', '2048×1360', '3520×2336'],
  ['4:3', '1360×1024', '2048×1536', '3312×2480'],
  ['5:4', '1280×1024', '2048×1632', '3216×2560'],
  ['16:9', '1824×1024', '2048×1152', '3840×2160'],
  ['21:9', '2384×1024', '2048×880', '3840×1648'],
];

// Portrait ratios: the seed says they are the landscape cells with W and H swapped; written out
// by hand so a wrong swap in the code cannot hide behind the same swap in the test.
const PORTRAIT: Array<[Ratio, string, string, string]> = [
  ['1:2', '1024×2048', '1024×2048', '1920×3840'],
  ['1:3', '1024×3072', '688×2048', '1280×3840'],
  ['2:3', '1024×1536', '1360×2048', '2336×3520'],
  ['3:4', '1024×1360', '1536×2048', '2480×3312'],
  ['4:5', '1024×1280', '1632×2048', '2560×3216'],
  ['9:16', '1024×1824', '1152×2048', '2160×3840'],
  ['9:21', '1024×2384', '880×2048', '1648×3840'],
];

const TIERS: Resolution[] = ['1K', '2K', '4K'];
const fmt = (s: { width: number; height: number }) => `${s.width}×${s.height}`;

describe('pixelSize', () => {
  for (const [ratio, ...cells] of [...LANDSCAPE, ...PORTRAIT]) {
    TIERS.forEach((tier, i) => {
      it(`${ratio} at ${tier} is ${cells[i]}`, () => {
        assert.equal(fmt(pixelSize(ratio, tier)), cells[i]);
      });
    });
  }

  it('covers all 15 ratios between the two tables', () => {
    const covered = new Set([...LANDSCAPE, ...PORTRAIT].map((r) => r[0]));
    assert.deepEqual([...covered].sort(), [...RATIOS].sort());
  });

  it('every portrait size is its landscape mirror swapped', () => {
    for (const ratio of RATIOS) {
      const [a, b] = ratio.split(':');
      const mirror = `${b}:${a}` as Ratio;
      for (const tier of TIERS) {
        const p = pixelSize(ratio, tier);
        const l = pixelSize(mirror, tier);
        assert.deepEqual({ width: p.height, height: p.width }, l, `${ratio} ${tier}`);
      }
    }
  });

  it('never exceeds the pixel budget and keeps edges on multiples of 16', () => {
    for (const ratio of RATIOS) {
      for (const tier of TIERS) {
        const { width, height } = pixelSize(ratio, tier);
        assert.ok(width * height <= MAX_PIXELS, `${ratio} ${tier}`);
        assert.equal(width % 16, 0);
        assert.equal(height % 16, 0);
      }
    }
  });
});

describe('parseSize', () => {
  const good: Array<[string, ReturnType<typeof parseSize>]> = [
    ['auto', { kind: 'auto' }],
    ['  AUTO ', { kind: 'auto' }],
    ['16:9', { kind: 'ratio', ratio: '16:9' }],
    [' 9:21 ', { kind: 'ratio', ratio: '9:21' }],
    ['1024x1024', { kind: 'explicit', width: 1024, height: 1024 }],
    ['3840×2160', { kind: 'explicit', width: 3840, height: 2160 }],
    ['3840x2160', { kind: 'explicit', width: 3840, height: 2160 }],
    ['1536X1024', { kind: 'explicit', width: 1536, height: 1024 }],
    [' 1024 × 1536 ', { kind: 'explicit', width: 1024, height: 1536 }],
    ['3840x1280', { kind: 'explicit', width: 3840, height: 1280 }], // long/short exactly 3
    ['1280x3840', { kind: 'explicit', width: 1280, height: 3840 }],
    ['2880x2880', { kind: 'explicit', width: 2880, height: 2880 }], // exactly the budget
    ['1024x640', { kind: 'explicit', width: 1024, height: 640 }], // exactly the minimum 655,360
  ];
  for (const [input, want] of good) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.deepEqual(parseSize(input), want));
  }

  // Each bad size: the reason must name the value and the rule it broke.
  const bad: Array<[string, RegExp[]]> = [
    ['1000x1000', [/^1000×1000: both edges must be multiples of 16 \(try 992×992 or 1008×1008\)$/]],
    ['16x16', [/^16×16:/, /at least 655,360 pixels/, /got 256/, /try \d+×\d+/]],
    ['3840x3840', [/^3840×3840:/, /at most 8,294,400 pixels/, /14,745,600/, /try 2880×2880/]],
    ['4000x1000', [/^4000×1000:/, /between 16 and 3,840/, /got 4000/, /multiples of 16/, /3 times the short edge/, /got 4:1/]],
    ['3856x1280', [/between 16 and 3,840/, /3856/]],
    ['8x2048', [/got 8\b/]],
    ['1:4', [/^1:4: not one of the 15 ratios: 1:1, 1:2, 2:1, 1:3, 3:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 9:21, 21:9$/]],
    ['4:1', [/not one of the 15 ratios/]],
    ['big', [/"big": not a size/, /auto/, /1024x1024/]],
    ['', [/not a size/]],
    ['1024*1024', [/not a size/]],
  ];
  for (const [input, patterns] of bad) {
    it(`rejects ${JSON.stringify(input)} and says why`, () => {
      const r = parseSize(input);
      assert.equal(r.kind, 'invalid');
      if (r.kind !== 'invalid') return;
      for (const p of patterns) assert.match(r.reason, p);
    });
  }

  it('only suggests sizes that are themselves valid', () => {
    for (const input of ['1000x1000', '16x16', '3840x3840', '1000x3000', '100x100', '3850x2000']) {
      const r = parseSize(input);
      assert.equal(r.kind, 'invalid');
      if (r.kind !== 'invalid') continue;
      for (const m of r.reason.matchAll(/(\d+)×(\d+)/g)) {
        if (`${m[1]}x${m[2]}` === input) continue;
        assert.equal(parseSize(`${m[1]}x${m[2]}`).kind, 'explicit', `${input} suggested ${m[0]}`);
      }
    }
  });
});

describe('expectedSize', () => {
  it('is undefined for auto and for invalid sizes', () => {
    assert.equal(expectedSize('auto', '4K'), undefined);
    assert.equal(expectedSize(parseSize('1:4'), '1K'), undefined);
  });
  it('follows the resolution for ratios', () => {
    assert.deepEqual(expectedSize('2:3', '1K'), { width: 1024, height: 1536 });
    assert.deepEqual(expectedSize(parseSize('1:1'), '4K'), { width: 2880, height: 2880 });
  });
  it('ignores the resolution for explicit sizes', () => {
    assert.deepEqual(expectedSize('1536x1024', '4K'), { width: 1536, height: 1024 });
  });
});

describe('relativeCost', () => {
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≈ ${b}`);
  it('uses the seed factors at 1024² (and for auto)', () => {
    close(relativeCost('low', 1), 0.11);
    close(relativeCost('medium', 1), 1);
    close(relativeCost('high', 1), 4);
    close(relativeCost('medium', 1, { width: 1024, height: 1024 }), 1);
  });
  it('multiplies by n', () => {
    close(relativeCost('high', 10), 40);
    close(relativeCost('low', 3), 0.33);
  });
  it('scales with the pixel count', () => {
    close(relativeCost('medium', 1, { width: 2048, height: 2048 }), 4);
    close(relativeCost('high', 2, pixelSize('1:1', '4K')), 4 * 2 * (2880 * 2880) / (1024 * 1024));
    close(relativeCost('medium', 1, 1536 * 1024), 1.5);
  });
});
