// The key colour a transparent image is asked on (issue 24, section 2): one of three flat colours, the
// one farthest from the colours the prompt names (magenta unless the subject is pink or purple, …), and
// the sentence that asks the model for it. Which colour to ask for; matte.ts takes it out of the pixels.

export type Rgb = readonly [number, number, number];

export type KeyName = 'magenta' | 'green' | 'blue';

export const KEY_COLOURS: Readonly<Record<KeyName, Rgb>> = {
  magenta: [255, 0, 255],
  green: [0, 255, 0],
  blue: [0, 0, 255],
};

/** Prompt words per hue family (English and Chinese), with how strongly each conflicts with a key. */
const HUE_WORDS: readonly { re: RegExp; magenta: number; green: number; blue: number }[] = [
  { re: /\b(pink|magenta|fuchsia|purple|violet|lilac|lavender|mauve|orchid|plum|rose|amethyst|flamingo|cherry blossoms?|sakura)\b|粉|紫|品红|洋红|玫瑰|樱花|薰衣草|丁香/gi, magenta: 2, green: 0, blue: 0.5 },
  { re: /\b(red|crimson|scarlet|ruby|raspberry|berr(y|ies)|strawberr(y|ies))\b|红|莓/gi, magenta: 1, green: 0, blue: 0 },
  { re: /\b(green|lime|leaf|leaves|grass|forest|jungle|emerald|jade|olive|mint|moss|fern|frog|cactus|tree|trees|plant|plants|meadow|vine|lettuce|broccoli)\b|绿|青草|草地|草|叶|森林|树|翠|苔|薄荷|植物|竹/gi, magenta: 0, green: 2, blue: 0 },
  { re: /\b(yellow|chartreuse|teal|turquoise|aqua)\b|黄|松石/gi, magenta: 0, green: 0.7, blue: 0.5 },
  { re: /\b(blue|navy|azure|cobalt|sapphire|sky|ocean|sea|water|cyan|indigo|denim|ice|glacier)\b|蓝|天空|海|水|冰|靛/gi, magenta: 0.3, green: 0, blue: 2 },
];

/** The first key is the one kept when nothing in the prompt argues against it. */
const KEY_ORDER: readonly KeyName[] = ['magenta', 'green', 'blue'];

const KEY_WORDS: Readonly<Record<KeyName, string>> = { magenta: 'magenta', green: 'green', blue: 'blue' };

/** What the model is told (in English, which it reads best; the user never sees this sentence alone). */
export function keyInstruction(name: KeyName): string {
  const hex = toHex(KEY_COLOURS[name]);
  const k = KEY_WORDS[name];
  return `Draw the subject alone on a perfectly flat, uniform, solid ${k} (${hex}) background that fills the whole image edge to edge: no gradient, texture, pattern, floor, cast shadow, frame or border. Do not use ${k} or colours close to it anywhere in the subject, and keep the subject clear of the image edges.`;
}

export interface KeyChoice {
  name: KeyName;
  key: Rgb;
  /** `#RRGGBB`, for the recipe. */
  hex: string;
  /** The sentence to append to the prompt. */
  instruction: string;
}

/** A flat key colour away from the colours the prompt names: magenta unless the subject is pink or purple, and so on. */
export function chooseKeyColour(prompt: string): KeyChoice {
  const score: Record<KeyName, number> = { magenta: 0, green: 0, blue: 0 };
  for (const h of HUE_WORDS) {
    const hits = prompt.match(h.re)?.length ?? 0;
    for (const k of KEY_ORDER) score[k] += hits * h[k];
  }
  let best: KeyName = KEY_ORDER[0]!;
  for (const k of KEY_ORDER) if (score[k] < score[best]) best = k;
  return { name: best, key: KEY_COLOURS[best], hex: toHex(KEY_COLOURS[best]), instruction: keyInstruction(best) };
}

export function toHex(c: Rgb): string {
  return `#${c.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}
