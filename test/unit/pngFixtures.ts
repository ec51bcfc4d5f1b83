// Shared by the unit suites that make or decode PNGs: pictures made by pngjs (an independent encoder,
// not the one under test), and a count of the PNG decodes pngjs does while something runs.
import { PNG } from 'pngjs';

type Rgba = readonly [number, number, number, number] | readonly number[];

/** A PNG made by pngjs: `pixel` gives each pixel's RGBA. */
export function pngOf(width: number, height: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  return PNG.sync.write(png);
}

/** A solid-colour PNG with an alpha channel. */
export const solidPng = (width: number, height: number, rgba: Rgba): Buffer => pngOf(width, height, () => rgba);

/** A PNG whose left half is `left` and right half `right` (RGBA). */
export const halvesPng = (width: number, height: number, left: Rgba, right: Rgba): Buffer => pngOf(width, height, (x) => (x < width / 2 ? left : right));

/**
 * Counts the PNG decodes pngjs does on this thread from now until `restore()`: `count` is the number
 * so far, `reset()` starts it again.
 */
export function pngDecodes(): { readonly count: number; reset(): void; restore(): void } {
  const original = PNG.sync.read;
  let count = 0;
  PNG.sync.read = (...args: Parameters<typeof original>) => {
    count++;
    return original(...args);
  };
  return { get count() { return count; }, reset() { count = 0; }, restore() { PNG.sync.read = original; } };
}

/** Runs `fn` counting the PNG decodes pngjs does on this thread (until its promise settles, when it returns one). */
export function countingDecodes<T>(fn: () => Promise<T>): Promise<{ value: T; decodes: number }>;
export function countingDecodes<T>(fn: () => T): { value: T; decodes: number };
export function countingDecodes<T>(fn: () => T | Promise<T>): { value: T; decodes: number } | Promise<{ value: T; decodes: number }> {
  const counter = pngDecodes();
  let value: T | Promise<T>;
  try {
    value = fn();
  } catch (e) {
    counter.restore();
    throw e;
  }
  if (!(value instanceof Promise)) {
    counter.restore();
    return { value, decodes: counter.count };
  }
  return value.then((v) => ({ value: v, decodes: counter.count })).finally(() => counter.restore());
}
