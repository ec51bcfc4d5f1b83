// One shape for what may fail: `ok: true` with what it gives, or `ok: false` with why. The failure's
// fields say why in the terms its callers need: the core's words (the default, and `Said` with their
// English), or a reason code where a caller decides by it.

import type { Words } from './words';

export type Result<T extends object = object, E extends object = { words: Words }> = ({ ok: true } & T) | ({ ok: false } & E);

/** A failure in the core's words and their English (words.ts said()): what a refusal carries. */
export interface Said {
  message: string;
  words: Words;
}
