// The rules of a request's own fields (prompt, n, size, resolution, quality) and the one result type of a
// failed check. The core's validateRequest (src/core/request.ts) and the panel's option check
// (optionsCheck.ts, run in the webview on every keystroke and on the host on every message) use these
// same functions, so the panel, the commands, the agent tools and the core can never disagree.
//
// Imports only src/shared (the webview bundles it).
import { MAX_N, MAX_PROMPT_CODE_POINTS, MIN_N } from './limits';
import { IMAGE_MODEL } from './model';
import { formatCount, MAX_ASPECT, MAX_EDGE, MAX_PIXELS, MIN_EDGE, MIN_PIXELS, parseSize, EDGE_STEP, type ParsedSize } from './sizes';
import { codePointCount, shorten } from './text';
import { english, words, type Words } from './words';

export type ValidationField = 'prompt' | 'n' | 'size' | 'resolution' | 'quality' | 'model' | 'references' | 'callbackUrl';

export interface ValidationError {
  field: ValidationField;
  /** Names the field, the limit and the value, and says what to do: the English of `words` (logs, tests). */
  message: string;
  /** The same, as a code the UI words in the user's language (src/vscode/say.ts; the webview: the templates from `init`). */
  words: Words;
  limit?: string;
  value?: string;
}

/** A validation error whose message is the English of its words. */
export function problem(field: ValidationField, w: Words, rest: { limit?: string; value?: string } = {}): ValidationError {
  return { field, message: english(w), words: w, ...rest };
}

export function checkPrompt(prompt: unknown, errors: ValidationError[]): string | undefined {
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    errors.push(problem('prompt', words('request.promptEmpty'), {
      limit: `1 to ${formatCount(MAX_PROMPT_CODE_POINTS)} code points`,
      value: typeof prompt === 'string' ? prompt : '',
    }));
    return undefined;
  }
  const text = prompt.trim();
  // A string of at most N UTF-16 units has at most N code points: skip counting the common case.
  if (text.length > MAX_PROMPT_CODE_POINTS) {
    const count = codePointCount(text);
    if (count > MAX_PROMPT_CODE_POINTS) {
      errors.push(problem('prompt', words('request.promptTooLong', formatCount(count), formatCount(MAX_PROMPT_CODE_POINTS), formatCount(count - MAX_PROMPT_CODE_POINTS)), {
        limit: `${formatCount(MAX_PROMPT_CODE_POINTS)} code points`,
        value: `${formatCount(count)} code points`,
      }));
      return undefined;
    }
  }
  return text;
}

export function checkN(n: unknown, errors: ValidationError[]): number | undefined {
  if (n === undefined) return IMAGE_MODEL.defaults.n;
  if (typeof n === 'number' && Number.isInteger(n) && n >= MIN_N && n <= MAX_N) return n;
  errors.push(problem('n', words('request.n', MIN_N, MAX_N, String(n)), {
    limit: `${MIN_N}–${MAX_N}`,
    value: String(n),
  }));
  return undefined;
}

export function checkChoice<T extends string>(
  field: 'resolution' | 'quality',
  raw: unknown,
  choices: readonly T[],
  fallback: T,
  normalise: (s: string) => string,
  errors: ValidationError[],
): T | undefined {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return fallback;
  const v = typeof raw === 'string' ? normalise(raw.trim()) : '';
  if ((choices as readonly string[]).includes(v)) return v as T;
  errors.push(problem(field, words(field === 'resolution' ? 'request.resolution' : 'request.quality', choices.join(', '), JSON.stringify(shorten(String(raw), 40))), {
    limit: choices.join(', '),
    value: String(raw),
  }));
  return undefined;
}

/** The size as given (empty or missing is auto), and a problem when it is not one the model takes. */
export function checkSize(raw: unknown, errors: ValidationError[]): ParsedSize {
  const size = raw === undefined || (typeof raw === 'string' && raw.trim() === '') ? parseSize(IMAGE_MODEL.defaults.size) : parseSize(typeof raw === 'string' ? raw : String(raw));
  if (size.kind === 'invalid') {
    errors.push({
      field: 'size',
      message: `Size ${size.reason}.`,
      words: words('request.size', size.words),
      limit: `auto, a ratio, or WxH with edges ${MIN_EDGE}–${formatCount(MAX_EDGE)} in multiples of ${EDGE_STEP}, ${formatCount(MIN_PIXELS)}–${formatCount(MAX_PIXELS)} pixels, at most ${MAX_ASPECT}:1`,
      value: String(raw),
    });
  }
  return size;
}
