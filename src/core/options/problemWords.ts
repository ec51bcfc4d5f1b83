// A problem with a page's options in words, as the core's codes: every face words a problem the same.

import { MAX_REFERENCE_IMAGES, MAX_N, MIN_N, RATIOS } from '../../shared/limits';
import { EDGE_STEP, MAX_EDGE, MIN_EDGE } from '../../shared/sizes';
import { words, type WordArg, type Words } from '../../shared/words';
import { OPTION_KEYS, type OptionKey } from './values';
import type { OptionProblem } from './problems';

/** What is allowed for an option, for a message that says how to fix it. */
export function allowedWords(key: string): WordArg {
  switch (key as OptionKey) {
    case 'size': return words('option.allowedSize', RATIOS.join(', '), EDGE_STEP, MIN_EDGE, MAX_EDGE);
    case 'resolution': return words('option.allowedResolution');
    case 'quality': return words('option.allowedQuality');
    case 'n': return words('option.allowedN', MIN_N, MAX_N);
    case 'style': return words('option.allowedStyle');
    case 'background': return words('option.allowedBackground');
    case 'format': return words('option.allowedFormat');
    case 'maxWidth': return words('option.allowedMaxWidth', MAX_EDGE);
    case 'references': return words('option.allowedReferences', MAX_REFERENCE_IMAGES);
    case 'styleFrom': return words('option.allowedStyleFrom');
    default: return OPTION_KEYS.join(', ');
  }
}

/** A problem in words: where it is written, what is wrong, what is allowed, and what it stops. */
export function problemWords(p: OptionProblem): Words {
  const where = words(p.origin === 'page' ? 'option.wherePage' : 'option.wherePlaceholder');
  const stop = words(p.origin === 'page' ? 'option.stopPage' : 'option.stopPlaceholder');
  const key = p.key ?? '';
  switch (p.kind) {
    case 'yaml': return words('option.yaml', where, p.detail ?? '', stop);
    case 'notMapping': return words('option.notMapping', where, OPTION_KEYS.join(', '), p.value ?? '', stop);
    case 'alias': return words('option.alias', where, stop);
    case 'type':
    case 'value': {
      const detail = p.detail ? words('option.detail', p.detailWords ?? p.detail) : '';
      return words(key === 'n' || key === 'style' || key === 'maxWidth' || key === 'references' ? 'option.valueBare' : 'option.value', where, key, p.value ?? '', detail, allowedWords(key), stop);
    }
    case 'unknown': return words('option.unknown', where, key, OPTION_KEYS.join(', '));
    case 'duplicate': return words('option.duplicate', where, key, stop);
    case 'syntax': return words('option.syntax', where, p.value ?? '', stop);
    case 'unclosed': return words('option.unclosed', where, stop);
    case 'toml': return words('option.toml', where);
  }
}
