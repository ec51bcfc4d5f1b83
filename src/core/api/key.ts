// What an API key may contain. It travels in an HTTP header, which carries plain ASCII only: a key
// with a line break or a character such as "…" or a Cyrillic "с" cannot be sent, and trying fails
// inside the HTTP client before anything leaves the machine. Caught where the key is typed instead.

import { words, type Words } from '../../shared/words';
export type KeyProblem =
  | { kind: 'empty' }
  | { kind: 'short' }
  | { kind: 'whitespace'; index: number }
  | { kind: 'character'; index: number; codePoint: string };

/** Why a key (already trimmed of outer whitespace) cannot be used; undefined when it can. */
export function keyProblem(key: string): KeyProblem | undefined {
  if (!key) return { kind: 'empty' };
  let index = 0;
  for (const char of key) {
    const c = char.codePointAt(0)!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c) return { kind: 'whitespace', index };
    if (c < 0x21 || c > 0x7e) {
      return { kind: 'character', index, codePoint: `U+${c.toString(16).toUpperCase().padStart(4, '0')}` };
    }
    index++;
  }
  if (index < 8) return { kind: 'short' };
  return undefined;
}

export function keyProblemWords(p: KeyProblem): Words {
  switch (p.kind) {
    case 'empty':
      return words('error.keyEmpty');
    case 'short':
      return words('error.keyShort');
    case 'whitespace':
      return words('error.keySpace', p.index + 1);
    case 'character':
      // The code point, not the character: nothing of a key is ever shown, even a wrong part of it.
      return words('error.keyChar', p.codePoint, p.index + 1);
  }
}
