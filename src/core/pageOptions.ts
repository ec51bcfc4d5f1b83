// Page options: what a page's front matter (`pictor:` in YAML) and a placeholder's override comment
// (`![a fox]() <!-- pictor: size=16:9 quality=high -->`) set, checked value by value, and the one
// function that puts those layers and the settings together: placeholder > page > settings > defaults.
// Problems carry a kind and offsets, and their words as the core's codes (problemWords): every face
// words a problem the same.
//
// The rooms are in ./options: values.ts (keys, defaults, checks, layering), problems.ts (a problem and
// how it quotes the page), frontMatterOptions.ts, overrideComment.ts and problemWords.ts. Importers use
// this module.

export * from './options/values';
export { MAX_UNKNOWN_WARNINGS, type OptionProblem, type OptionProblemKind } from './options/problems';
export { readPageOptions } from './options/frontMatterOptions';
export { readOverride, type OverrideComment } from './options/overrideComment';
export { allowedWords, problemWords } from './options/problemWords';
