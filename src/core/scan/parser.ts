// markdown-it, set up to find inline images with exact offsets. markdown-it is CommonMark-compliant
// and many times faster than micromark/mdast (VS Code's own Markdown features use it), but it keeps
// only line numbers for blocks. So a few of its rules are wrapped: the block rules that make inline
// content record where each piece of that content came from (while the block state still has the
// container markers stripped), and the image rule records where the label, the `( … )` and the
// destination are. Only content that holds a `![` is ever parsed inline: nothing else can hold an image.
// The text and source map of each kind of block content are rebuilt in blockSources.ts.

import MarkdownIt from 'markdown-it';
import { atxHeading, isSpace, tableCell, trimmedLines } from './blockSources';
import { toSource, type SourceMap } from './sourceMap';

type MD = MarkdownIt.MarkdownIt;
type StateBlock = MarkdownIt.StateBlock;
type StateInline = MarkdownIt.StateInline;
type Token = MarkdownIt.Token;
/** Link reference definitions by normalized label, as markdown-it keeps them. */
export type References = NonNullable<MarkdownIt.Env['references']>;
type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean;
type InlineRule = (state: StateInline, silent: boolean) => boolean;

/** An inline image `![…](…)`, offsets in the text given to the block parser. */
export interface FoundImage {
  start: number;
  end: number;
  labelStart: number;
  labelEnd: number;
  /** Inside of the parentheses. */
  insideStart: number;
  insideEnd: number;
  /** The destination as written, when there is one (`<>` counts). */
  destStart?: number;
  destEnd?: number;
  url: string;
  title?: string;
  /**
   * The label as Markdown reads it: escapes and entities resolved, inline markup flattened, each
   * line break written as `eol` (the parser only saw `\n`; the document may use `\r\n`).
   */
  prompt: (eol: string) => string;
}

/** What a scan run shares with the rules through markdown-it's `env`. */
export interface ScanContext {
  /** Line of every top-level block, in order. */
  blockLines: number[];
  /**
   * Asked at each top-level block: may the rest of the text be taken from the previous scan? If so
   * the parse stops there and `syncedLine` says where.
   */
  sync?: (state: StateBlock, line: number) => boolean;
  syncedLine?: number;
}

interface ScanEnv extends MarkdownIt.Env {
  pictor?: ScanContext;
}

/** Offsets recorded by the image rule, in the inline content's own coordinates. */
interface ImageOffsets {
  start: number;
  end: number;
  labelEnd: number;
  destStart?: number;
  destEnd?: number;
}

/**
 * The rules of markdown-it's block and inline rulers, in order, each with the chains (`alt`) it is in:
 * the rules that may end a paragraph, a definition, a quote or a list without a blank line. The
 * wrapped rules are replaced with `ruler.at`, which takes their chains as given, so they must be
 * known. `rulesOf` checks this table against the installed markdown-it when the module loads: an
 * upgrade that renames, adds, removes or reorders a rule, or moves one between chains, stops the
 * scanner with an error naming the difference instead of scanning with rules out of place.
 */
export const BLOCK_RULES: Record<string, readonly string[]> = {
  table: ['paragraph', 'reference'],
  code: [],
  fence: ['paragraph', 'reference', 'blockquote', 'list'],
  blockquote: ['paragraph', 'reference', 'blockquote', 'list'],
  hr: ['paragraph', 'reference', 'blockquote', 'list'],
  list: ['paragraph', 'reference', 'blockquote'],
  reference: [],
  html_block: ['paragraph', 'reference', 'blockquote'],
  heading: ['paragraph', 'reference', 'blockquote'],
  lheading: [],
  paragraph: [],
};
const INLINE_RULES: Record<string, readonly string[]> = {
  text: [], linkify: [], newline: [], escape: [], backticks: [], strikethrough: [], emphasis: [],
  link: [], image: [], autolink: [], html_inline: [], entity: [],
};

interface Rule<F> {
  fn: F;
  alt: string[];
}

/**
 * Each rule of a ruler as the table says, read through the public Ruler API on a throwaway instance:
 * `getRules('')` is all of them in order; with only one enabled, it is that rule's function, and
 * `getRules(chain)` is not empty for each chain the rule is in. markdown-it's rule functions are
 * shared by all instances; `replaceRule` checks that the scanner's instance runs the same one.
 * Exported for its test.
 */
export function rulesOf<F>(which: 'block' | 'inline', expected: Record<string, readonly string[]>): Map<string, Rule<F>> {
  // The default preset enables every rule there is.
  const md = MarkdownIt();
  const probe = (which === 'block' ? md.block.ruler : md.inline.ruler) as unknown as MarkdownIt.Ruler<unknown[], unknown>;
  const names = Object.keys(expected);
  const chains = [...new Set(Object.values(expected).flat())];
  const differs = (what: string) =>
    new Error(`markdown-it's ${which} rules are not the ones the scanner was written for (src/core/scan/parser.ts): ${what}`);
  const all = probe.getRules('');
  if (all.length !== names.length) throw differs(`${all.length} rules, expected ${names.length}: ${names.join(', ')}`);
  const rules = new Map<string, Rule<F>>();
  names.forEach((name, i) => {
    try {
      probe.enableOnly([name]);
    } catch (e) {
      throw differs(e instanceof Error ? e.message : String(e));
    }
    const fn = probe.getRules('')[0];
    if (fn !== all[i]) throw differs(`${name} is not rule ${i + 1} of ${names.join(', ')}`);
    const alt = chains.filter((chain) => probe.getRules(chain).length > 0);
    const want = expected[name]!;
    if (alt.length !== want.length || !want.every((c) => alt.includes(c))) {
      throw differs(`${name} is in the chains [${alt.join(', ')}], expected [${want.join(', ')}]`);
    }
    rules.set(name, { fn: fn as F, alt });
  });
  return rules;
}

const blockRules = rulesOf<BlockRule>('block', BLOCK_RULES);
const inlineRules = rulesOf<InlineRule>('inline', INLINE_RULES);

/**
 * Replaces rule `name` by `wrap` of it, in the same chains (`at` without them would take the rule
 * out of every chain: a heading would no longer end a paragraph). Returns the new rule.
 */
function replaceRule<A extends unknown[], R>(
  ruler: MarkdownIt.Ruler<A, R>,
  rules: Map<string, Rule<(...args: A) => R>>,
  name: string,
  wrap: (fn: (...args: A) => R) => (...args: A) => R,
): (...args: A) => R {
  const rule = rules.get(name);
  if (!rule || !ruler.getRules('').includes(rule.fn)) throw new Error(`The scanner's markdown-it does not run its own ${name} rule`);
  const wrapped = wrap(rule.fn);
  ruler.at(name, wrapped, { alt: rule.alt });
  return wrapped;
}

/** Replaces a block rule by one that runs it, then maps each inline token it made that holds `![`. */
function wrapBlockRule(
  md: MD,
  name: string,
  mapInline: (state: StateBlock, token: Token, startLine: number, cell: { row: number; index: number }) => SourceMap | undefined,
): BlockRule {
  return replaceRule(md.block.ruler, blockRules, name, (fn): BlockRule => (state, startLine, endLine, silent) => {
    const before = state.tokens.length;
    if (!fn(state, startLine, endLine, silent)) return false;
    if (silent) return true;
    // Table cells: which row (line) and which cell of it each inline token is.
    const cell = { row: startLine, index: -1 };
    for (let i = before; i < state.tokens.length; i++) {
      const token = state.tokens[i]!;
      if (token.type === 'tr_open' && token.map) {
        cell.row = token.map[0];
        cell.index = -1;
      }
      if (token.type !== 'inline') continue;
      cell.index++;
      if (!token.content.includes('![')) continue;
      const map = mapInline(state, token, startLine, cell);
      // A map that does not reproduce the content would give wrong offsets: such content is skipped.
      if (map) token.meta = { pictorMap: map };
    }
    return true;
  });
}

/** The image rule, plus the offsets the scan needs; reference images (`![x][y]`) get none. */
function wrapImageRule(md: MD): void {
  replaceRule(md.inline.ruler, inlineRules, 'image', (fn): InlineRule => (state, silent) => {
    const start = state.pos;
    if (!fn(state, silent)) return false;
    if (silent) return true;
    const token = state.tokens[state.tokens.length - 1];
    const end = state.pos;
    // An inline image ends with its `)`; every reference form ends with `]`.
    if (!token || token.type !== 'image' || state.src.charCodeAt(end - 1) !== 0x29) return true;
    const labelEnd = start + 2 + token.content.length;
    let pos = labelEnd + 2;
    while (pos < end && (isSpace(state.src.charCodeAt(pos)) || state.src.charCodeAt(pos) === 0x0a)) pos++;
    const dest = md.helpers.parseLinkDestination(state.src, pos, end - 1);
    const offsets: ImageOffsets = { start, end, labelEnd };
    if (dest.ok) {
      offsets.destStart = pos;
      offsets.destEnd = dest.pos;
    }
    token.meta = { ...(token.meta as object | null), pictor: offsets };
    return true;
  });
}

/**
 * In CommonMark a link reference definition is the start of a paragraph, so the lines after it are
 * more of that paragraph (an indented one is not code). markdown-it starts a new block after the
 * definition instead; this makes it go on as CommonMark does, with `paragraph` (the scanner's own).
 */
function keepDefinitionParagraphs(md: MD, paragraph: BlockRule): void {
  replaceRule(md.block.ruler, blockRules, 'reference', (fn) => {
    const definition: BlockRule = (state, startLine, endLine, silent) => {
      if (!fn(state, startLine, endLine, silent)) return false;
      const next = state.line;
      if (silent || next >= endLine || state.isEmpty(next) || state.sCount[next]! < state.blkIndent) return true;
      for (const ends of md.block.ruler.getRules('paragraph')) {
        if (ends(state, next, endLine, true)) return true;
      }
      if (!definition(state, next, endLine, false)) paragraph(state, next, endLine, false);
      return true;
    };
    return definition;
  });
}

function create(): { scan: MD; prompts: MD } {
  // CommonMark, plus GFM tables as the old parser had; raw HTML is on in this preset, as it must
  // be: an image inside an HTML block is not one.
  const scan = MarkdownIt('commonmark').enable('table');
  // The preset's 20 levels would drop what is nested deeper; micromark had no such limit.
  scan.set({ maxNesting: 100 });
  // Keep every destination as written (escapes resolved): no percent-encoding, no URL filter.
  scan.normalizeLink = (url) => url;
  scan.validateLink = () => true;
  // Only what can hide or hold an image matters for finding one: emphasis and line breaks do not.
  scan.inline.ruler.disable(['emphasis', 'newline', 'strikethrough']);
  scan.inline.ruler2.disable(['balance_pairs', 'strikethrough', 'emphasis', 'fragments_join']);
  wrapImageRule(scan);
  const paragraph = wrapBlockRule(scan, 'paragraph', (state, token, startLine) => trimmedLines(state, token, startLine, token.map![1]));
  // A setext heading's inline token (unlike the heading) stops before its underline.
  wrapBlockRule(scan, 'lheading', (state, token, startLine) => trimmedLines(state, token, startLine, token.map![1]));
  wrapBlockRule(scan, 'heading', (state, token, startLine) => atxHeading(state, token, startLine));
  wrapBlockRule(scan, 'table', (state, token, _startLine, cell) => tableCell(state, token, cell));
  keepDefinitionParagraphs(scan, paragraph);
  // Before the first block rule (the table checks which one that is), so it sees every block start.
  scan.block.ruler.before(Object.keys(BLOCK_RULES)[0]!, 'pictor_sync', (state, startLine, endLine, silent) => {
    const ctx = (state.env as ScanEnv).pictor;
    if (silent || !ctx || state.level !== 0 || state.parentType !== 'root') return false;
    if (ctx.sync?.(state, startLine)) {
      ctx.syncedLine = startLine;
      state.line = endLine;
      return true;
    }
    ctx.blockLines.push(startLine);
    return false;
  });

  const prompts = MarkdownIt('commonmark');
  prompts.normalizeLink = (url) => url;
  prompts.validateLink = () => true;
  return { scan, prompts };
}

const { scan: md, prompts: promptMd } = create();

/** The plain text of an image description, as CommonMark's `alt` attribute has it. */
function plainText(tokens: Token[], eol: string): string {
  let text = '';
  for (const t of tokens) {
    if (t.type === 'text' || t.type === 'code_inline' || t.type === 'html_inline' || t.type === 'text_special') text += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') text += eol;
    else if (t.type === 'image') text += plainText(t.children ?? [], eol);
  }
  return text;
}

export interface BlockParse {
  /** The tokens of the parse (blocks, with `inline` tokens not yet parsed). */
  tokens: Token[];
  state: StateBlock;
  env: ScanEnv & { pictor: ScanContext };
}

/** Splits `src` into blocks from line 0, stopping where `sync` says the rest is known. */
export function parseBlocks(src: string, references: References | undefined, sync?: ScanContext['sync']): BlockParse {
  const env = { references: references ?? {}, pictor: { blockLines: [], sync } as ScanContext };
  const tokens: Token[] = [];
  const state = new md.block.State(src, md, env, tokens);
  md.block.tokenize(state, 0, state.lineMax);
  return { tokens, state, env };
}

/** The inline images of a parse, in order, offsets in `src`. */
export function findImages(parse: BlockParse): FoundImage[] {
  const found: FoundImage[] = [];
  for (const token of parse.tokens) {
    const map = (token.meta as { pictorMap?: SourceMap } | null)?.pictorMap;
    if (token.type !== 'inline' || !map) continue;
    const children: Token[] = [];
    md.inline.parse(token.content, md, parse.env, children);
    for (const child of children) {
      const at = (child.meta as { pictor?: ImageOffsets } | null)?.pictor;
      if (child.type !== 'image' || !at) continue;
      const labelStart = at.start + 2;
      const label: Token[] = [];
      promptMd.inline.parse(token.content.slice(labelStart, at.labelEnd), promptMd, parse.env, label);
      const image: FoundImage = {
        start: toSource(map, at.start),
        end: toSource(map, at.end - 1) + 1,
        labelStart: toSource(map, labelStart),
        labelEnd: toSource(map, at.labelEnd),
        insideStart: toSource(map, at.labelEnd + 2),
        insideEnd: toSource(map, at.end - 1),
        url: String(child.attrGet('src') ?? ''),
        prompt: (eol) => plainText(label, eol),
      };
      if (at.destStart !== undefined && at.destEnd !== undefined) {
        image.destStart = toSource(map, at.destStart);
        image.destEnd = at.destEnd > at.destStart ? toSource(map, at.destEnd - 1) + 1 : image.destStart;
      }
      const title = child.attrGet('title');
      if (title) image.title = String(title);
      found.push(image);
    }
  }
  return found;
}
