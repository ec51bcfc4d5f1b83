// Text measures the webview, the host and the core must agree on.

/**
 * Unicode code points, as the provider counts the prompt: a surrogate pair is one, a lone surrogate
 * counts as one (as the string iterator does). Counts without building an array (prompts run to 32,000).
 */
export function codePointCount(s: string): number {
  const len = s.length;
  let pairs = 0;
  for (let i = 0; i < len - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      pairs++;
      i++;
    }
  }
  return len - pairs;
}

/**
 * `s` cut to at most `max` code points, with an ellipsis when cut (a value quoted in a message): the
 * one way Pictor shortens text, never in the middle of a character.
 */
export function shorten(s: string, max = 80): string {
  if (s.length <= max) return s;
  const cps = [...s];
  return cps.length > max ? cps.slice(0, max - 1).join('') + '…' : s;
}

/** Whitespace runs (line breaks too) as one space, trimmed: a prompt as an alt text or a log line. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** `s` on one line, shortened (a prompt or a provider's message quoted in a message). */
export function shortLine(s: string, max = 80): string {
  return shorten(oneLine(s), max);
}
