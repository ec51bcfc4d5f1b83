// Looks for an API key in files and strings: the whole key, its secret part, long pieces of it
// (a "masked" key that still shows most of it is a leak), and its base64 form.
import * as fs from 'node:fs';
import { walk } from './hostFiles';

export interface Leak { where: string; needle: string; context: string }

/** What counts as the key showing up. `secretPart` is the random part that identifies this key. */
export function needlesFor(key: string, secretPart: string): string[] {
  const half = Math.floor(secretPart.length / 2);
  return [...new Set([
    key,
    secretPart,
    secretPart.slice(0, half),
    secretPart.slice(half),
    Buffer.from(key).toString('base64').replace(/=+$/, ''),
  ])].filter((n) => n.length >= 12);
}

function contextAround(text: string, at: number, len: number): string {
  return JSON.stringify(text.slice(Math.max(0, at - 60), at + len + 60));
}

export function scanText(where: string, text: string, needles: string[]): Leak[] {
  const out: Leak[] = [];
  for (const n of needles) {
    const at = text.indexOf(n);
    if (at >= 0) out.push({ where, needle: n, context: contextAround(text, at, n.length) });
  }
  return out;
}

/** Reads each file as bytes (binary stores, logs, images alike) and looks for every needle, also as UTF-16. */
export function scanFiles(files: string[], needles: string[]): Leak[] {
  const out: Leak[] = [];
  const wide = needles.map((n) => ({ n, b: Buffer.from(n, 'utf16le') }));
  const narrow = needles.map((n) => ({ n, b: Buffer.from(n, 'utf8') }));
  for (const f of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(f);
    } catch {
      continue; // removed meanwhile (a lock file, a temp file)
    }
    for (const { n, b } of [...narrow, ...wide]) {
      const at = bytes.indexOf(b);
      if (at >= 0) out.push({ where: f, needle: n, context: contextAround(bytes.toString('latin1'), at, b.length) });
    }
  }
  return out;
}

export function scanDirs(dirs: string[], needles: string[]): { files: string[]; leaks: Leak[] } {
  const files = dirs.flatMap((d) => walk(d));
  return { files, leaks: scanFiles(files, needles) };
}

export function describeLeaks(leaks: Leak[]): string {
  return leaks.map((l) => `  ${l.where}: ${l.needle.slice(0, 6)}… in ${l.context}`).join('\n');
}
