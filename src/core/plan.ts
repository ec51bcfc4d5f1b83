// The one planner. What a face knows (the page's text and scan, the placeholders or prompts it wants
// sent, the settings as plain data, the call's own options) goes in; a plan comes out: the requests as
// the provider would take them, and every placeholder left out with a reason code and its words, and
// the action's bill for the cost question. Options resolved (call > placeholder > page > settings >
// defaults) → the first problem → the prompt with its style → validated: written here once, for the
// commands, the CodeLens, the diagnostics, the panel and the agent tools alike. It talks to nobody:
// no settings are read and nothing is shown; each face renders the plan its own way.

import {
  effectiveOptions, OPTION_KEYS, problemWords, readOverride, readPageOptions,
  type Effective, type OptionKey, type OptionLayer, type OptionProblem, type OptionValues, type ReadOptions,
} from './pageOptions';
import type { FrontMatter, MarkdownScan, Placeholder } from './placeholders';
import { promptWithStyle } from './recipe';
import { validateRequest, type ValidationError, type ValidRequest } from './request';
import type { GenerationInput, ReferenceInput } from './types';
import { actionCost, type Bill } from './money';
import type { PixelSize } from '../shared/limits';
import { lookOf, lookRefused, promptForLook, type Look } from './look';
import { joinWords, words, type Words } from '../shared/words';
import { fileSize, firstImage, joinReferences, resolveReference, resolveReferences, type FileSize, type ReferenceBase } from './pageReferences';
import { MAX_REFERENCE_IMAGES } from '../shared/limits';
import { shorten } from '../shared/text';
import { IMAGE_MODEL, type ImageOptions } from '../shared/model';
import type { Result } from '../shared/result';

/** The settings a request is made with, as plain data (the face reads them; the planner never does). */
export interface PlanSettings {
  /** The settings by scope, highest first (folder, workspace, user), each with only the keys it sets. */
  layers: OptionLayer[];
  /** Every option's value from the settings, the defaults where none is set. */
  values: OptionValues;
  /** The rest of a request the settings give. */
  model?: string;
  callbackUrl?: string;
  /** The workspace folder: `pictor.references` is relative to it, and every reference file must lie inside it. */
  root?: string;
}

/** A call's own options (an agent's input, the panel's choices, Generate Variants): above everything else. */
export type CallOptions = Partial<ImageOptions> & { style?: string }
  & Partial<Pick<OptionValues, 'background' | 'format' | 'maxWidth' | 'references'>>;

/** A Markdown page as the face holds it now. */
export interface PlanPage {
  text: string;
  scan: MarkdownScan;
  /** The page's file (absolute): its `references:` and first image are relative to its folder. */
  path?: string;
}

/** One prompt to plan: a placeholder of the page, or a prompt of its own (a selection, the panel, an edit). */
export interface PlanItem {
  prompt: string;
  /** The placeholder it fills: its override comment applies (read from the page unless `override` is given). */
  placeholder?: Placeholder;
  /** The placeholder's override comment as read when the placeholder was read (it then wins over the page's text). */
  override?: OptionLayer;
  references?: ReferenceInput[];
}

export interface PlanInput {
  /** The Markdown page the requests are for (its front matter applies); none for another kind of document. */
  page?: PlanPage;
  settings: PlanSettings;
  call?: CallOptions;
  items: readonly PlanItem[];
  /** Placeholders something is filling already (the face knows: a job, a read, a pick). */
  running?: (p: Placeholder) => boolean;
  /** A reference file's size, undefined when missing (tests pass their own; the file system's otherwise). */
  fileSize?: FileSize;
}

/**
 * Why an item is left out, first reason first:
 * - `empty`: no prompt;
 * - `running`: already being generated;
 * - `options`: an option it would use cannot be sent (the front matter, its override comment);
 * - `prompt`: the provider would refuse the prompt (with its style: over the length limit);
 * - `request`: the provider would refuse something else (a setting, a call option, a reference);
 * - `look`: the look asked for cannot be made (a transparent background as JPEG);
 * - `reference`: a reference image of the page (`references:`, `styleFrom: first`'s linked image) is missing or outside the workspace;
 * - `styleFrom`: `styleFrom: first` waits for the page's first image, which this plan does not send.
 */
export type SkipReason = 'empty' | 'running' | 'options' | 'prompt' | 'request' | 'look' | 'reference' | 'styleFrom';

interface Planned {
  /** The item's place in `items`. */
  index: number;
  placeholder?: Placeholder;
  /** The prompt as written. */
  prompt: string;
}

/** What a request bills and looks like, for the cost question and a face's figures. */
export interface Figures extends Bill {
  /** Undefined when the model picks the size. */
  size?: PixelSize;
  quality: string;
}

export interface PlannedRequest extends Planned {
  /** The style added to the prompt ('' for none), kept apart: the alt text and the file name never see it. */
  style: string;
  options: Effective;
  /** What Pictor makes of the image after the download: background, format, width (the key colour asked for). */
  look: Look;
  /** As the provider takes it: the body (its prompt with the style and a transparent look's key-colour instruction), image count, relative cost, pixel size. */
  request: ValidRequest;
  figures: Figures;
  /**
   * `styleFrom: first` with a new first image: the index (in `items`) of the request that makes it. This
   * one is sent after it, with its image as one more reference (followRequest); `request` does not hold it yet.
   */
  follows?: number;
}

export interface SkippedItem extends Planned {
  reason: SkipReason;
  /** The reason in words (the first problem's, or every refusal of the provider's). */
  words: Words;
  /** `options`: every option error that stops it (the first says which option, and where: offsets into the page). */
  problems: OptionProblem[];
  /** What the provider would refuse: for `prompt` and `request` all of it; for `options`, the prompt's own. */
  errors: ValidationError[];
  /** The options it resolved to (all but `empty` and `running`). */
  options?: Effective;
  /** `prompt`: what it would bill and look like were the prompt taken. */
  figures?: Figures;
}

export interface Plan {
  requests: PlannedRequest[];
  skipped: SkippedItem[];
  /** What the requests bill together: the cost question's figures. */
  bill: Bill;
  /** Every problem of the page's options (front matter, each placeholder's override), warnings too. */
  problems: OptionProblem[];
}

/** The plan of prompts (placeholders or not): one pass, in the order given. */
export function plan(input: PlanInput): Plan {
  const page = input.page && pageOptionsOf(input.page);
  const refBase: ReferenceBase = { ...(input.page?.path ? { page: input.page.path } : {}), ...(input.settings.root ? { root: input.settings.root } : {}) };
  const size = input.fileSize ?? fileSize;
  let first: FirstImage | undefined;
  const call = callLayer(input.call);
  const requests: PlannedRequest[] = [];
  const skipped: SkippedItem[] = [];
  for (const [index, item] of input.items.entries()) {
    const base: Planned = { index, prompt: item.prompt, ...(item.placeholder ? { placeholder: item.placeholder } : {}) };
    const skip = (reason: SkipReason, w: Words, more: Partial<SkippedItem> = {}) =>
      skipped.push({ ...base, reason, words: w, problems: [], errors: [], ...more });
    if (item.placeholder ? item.placeholder.empty : item.prompt.trim() === '') {
      skip('empty', words('request.promptEmpty'));
      continue;
    }
    if (item.placeholder && input.running?.(item.placeholder)) {
      skip('running', words('plan.running'));
      continue;
    }
    const override = item.override ?? (item.placeholder && input.page ? readOverride(input.page.text, item.placeholder.end)?.layer : undefined);
    const options = optionsOf(input.settings, page?.layer, override, call);
    const style = options.values.style;
    const sent = promptWithStyle(item.prompt, style);
    const problems = options.problems.filter((p) => p.severity === 'error');
    if (problems.length) {
      skip('options', problemWords(problems[0]!), { problems, errors: promptErrors(sent), options });
      continue;
    }
    if (lookRefused(options.values)) {
      skip('look', words('plan.transparentJpeg'), { options });
      continue;
    }
    const look = lookOf(options.values, sent);
    const own = pageRefs(options, item, firstOf, refBase, size);
    if (!own.ok) {
      skip('reference', own.words, { options });
      continue;
    }
    const references = own.refs;
    const v = validateRequest({ ...inputOf(input.settings, options), prompt: promptForLook(sent, look), references: references.length ? references : undefined });
    if (!v.ok) {
      const promptOnly = v.errors.every((e) => e.field === 'prompt');
      const figures = promptOnly ? figuresOf(input.settings, options) : undefined;
      skip(promptOnly ? 'prompt' : 'request', wordsOf(v.errors), { errors: v.errors, options, ...(figures ? { figures } : {}) });
      continue;
    }
    if (own.follows && references.length + 1 > MAX_REFERENCE_IMAGES) {
      const n = references.length + 1;
      skip('request', words('plan.refsTooMany', n, MAX_REFERENCE_IMAGES, n - MAX_REFERENCE_IMAGES), { options });
      continue;
    }
    requests.push({ ...base, style, options, look, request: v, figures: figuresOfRequest(v), ...(own.follows ? { follows: own.follows.index } : {}) });
  }
  // `styleFrom: first`: the one that follows a first image this plan does not send is left out, and says why.
  const sentLeaders = new Set(requests.filter((r) => r.follows === undefined).map((r) => r.index));
  const kept: PlannedRequest[] = [];
  for (const r of requests) {
    if (r.follows === undefined || sentLeaders.has(r.follows)) {
      kept.push(r);
      continue;
    }
    const first = firstOf()?.placeholder;
    const out = skipped.find((s) => s.index === r.follows);
    const w = out ? words('plan.firstNotSent', shorten(first?.prompt ?? '', 60), out.words) : words('plan.firstNotHere', shorten(first?.prompt ?? '', 60));
    skipped.push({ index: r.index, prompt: r.prompt, ...(r.placeholder ? { placeholder: r.placeholder } : {}), reason: 'styleFrom', words: w, problems: [], errors: [], options: r.options });
  }
  skipped.sort((a, b) => a.index - b.index);
  return { requests: kept, skipped, bill: actionCost(kept.map((r) => r.figures)), problems: pageProblems(input.page, page) };

  // The page's first image, found once (only asked for with `styleFrom: first`).
  function firstOf(): FirstImage {
    if (first === undefined) {
      const f = input.page && firstImage(input.page.scan);
      if (!f) first = null;
      else if (f.image) first = { image: f.image.url };
      else {
        const at = input.items.findIndex((i) => i.placeholder?.start === f.placeholder.start);
        first = { placeholder: f.placeholder, index: at };
      }
    }
    return first;
  }
}

/** The page's first image: a linked one (its destination as written), or a placeholder (its index among the items, -1 when not one of them). */
type FirstImage = { image: string; placeholder?: undefined } | { placeholder: Placeholder; index: number; image?: undefined } | null;

/** The references an item sends: its own, then the page's (`references:`), then `styleFrom: first`'s linked image; and the new first image it follows. */
function pageRefs(options: Effective, item: PlanItem, first: () => FirstImage, base: ReferenceBase, size: FileSize):
  Result<{ refs: ReferenceInput[]; follows?: { index: number } }> {
  const page = resolveReferences(options.values.references, options.from.references, base, size);
  if (!page.ok) return page;
  const refs = joinReferences(item.references, page.refs);
  if (options.values.styleFrom !== 'first') return { ok: true, refs };
  const f = first();
  if (!f) return { ok: true, refs };
  if (f.image !== undefined) {
    const r = resolveReference(f.image, 'page', base, size);
    return r.ok ? { ok: true, refs: joinReferences(refs, [r.ref]) } : r;
  }
  // The first image is this placeholder itself: it goes first, alone.
  if (item.placeholder && item.placeholder.start === f.placeholder.start) return { ok: true, refs };
  return { ok: true, refs, follows: { index: f.index } };
}

/** The plan of a page's placeholders: all of them, or those chosen. */
export function planPage(input: Omit<PlanInput, 'items' | 'page'> & { page: PlanPage; placeholders?: readonly Placeholder[] }): Plan {
  const chosen = input.placeholders ?? input.page.scan.placeholders;
  return plan({ ...input, items: chosen.map((p) => ({ prompt: p.prompt, placeholder: p })) });
}

/** The plan's entries by item: at each item's index, its request or why it is left out. */
export function entriesOf(p: Plan): ({ request: PlannedRequest; skipped?: undefined } | { request?: undefined; skipped: SkippedItem })[] {
  const out: ReturnType<typeof entriesOf> = [];
  for (const request of p.requests) out[request.index] = { request };
  for (const skipped of p.skipped) out[skipped.index] = { skipped };
  return out;
}

/** The plan without the placeholders `running` says are being generated (as if planned with it). */
export function withRunning(p: Plan, running: (placeholder: Placeholder) => boolean): Plan {
  const isRunning = (x: Planned) => x.placeholder !== undefined && !x.placeholder.empty && running(x.placeholder);
  if (![...p.requests, ...p.skipped].some(isRunning)) return p;
  const requests = p.requests.filter((r) => !isRunning(r));
  const skipped = [...p.skipped.filter((s) => !isRunning(s)), ...[...p.requests, ...p.skipped].filter(isRunning).map((x): SkippedItem =>
    ({ index: x.index, prompt: x.prompt, placeholder: x.placeholder!, reason: 'running', words: words('plan.running'), problems: [], errors: [] }))]
    .sort((a, b) => a.index - b.index);
  return { ...p, requests, skipped, bill: actionCost(requests.map((r) => r.figures)) };
}

/**
 * The effective options of a request: call > placeholder > page > the settings by scope > the settings'
 * values. The panel's view of a page uses it without a placeholder.
 */
export function optionsOf(settings: PlanSettings, page: OptionLayer | undefined, override: OptionLayer | undefined, call: OptionLayer | undefined): Effective {
  const layers: OptionLayer[] = [];
  if (call) layers.push(call);
  if (override) layers.push(override);
  if (page) layers.push(page);
  layers.push(...settings.layers);
  return effectiveOptions(layers, settings.values);
}

/** A call's own options as the top layer (only the keys it sets). */
export function callLayer(options: CallOptions | undefined): OptionLayer | undefined {
  if (!options) return undefined;
  const values: Partial<OptionValues> = {};
  for (const key of OPTION_KEYS) {
    const v = (options as Partial<Record<OptionKey, unknown>>)[key];
    if (v !== undefined) (values as Record<string, unknown>)[key] = key === 'style' ? String(v).trim() : v;
  }
  return Object.keys(values).length ? { from: 'call', values } : undefined;
}

/** The last page read, by its front matter: a page is read once per change of its front matter, not per placeholder or face. */
let lastPage: { fm: FrontMatter; read: ReadOptions } | undefined;

/** What the page's front matter sets (an empty layer for a page without one). */
export function pageOptionsOf(page: PlanPage): ReadOptions {
  const fm = page.scan.frontMatter;
  if (!fm) return { layer: { from: 'page', values: {} }, problems: [] };
  const last = lastPage?.fm;
  // The problems' offsets lie inside the front matter's lines: the same block at the same place reads the same.
  if (!last || last.kind !== fm.kind || last.rawStart !== fm.rawStart || last.start !== fm.start || last.raw !== fm.raw) {
    lastPage = { fm, read: readPageOptions(page.text, fm) };
  }
  return lastPage!.read;
}

/** Every problem of a page: its front matter's, then every placeholder override's. */
function pageProblems(page: PlanPage | undefined, read: ReadOptions | undefined): OptionProblem[] {
  if (!page) return [];
  const out = [...(read?.problems ?? [])];
  for (const p of page.scan.placeholders) {
    const o = readOverride(page.text, p.end);
    if (o) out.push(...o.problems);
  }
  return out;
}

function inputOf(settings: PlanSettings, o: Effective): Omit<GenerationInput, 'prompt'> {
  return {
    model: settings.model,
    size: o.values.size,
    resolution: o.values.resolution,
    quality: o.values.quality,
    n: o.values.n,
    callbackUrl: settings.callbackUrl || undefined,
  };
}

/** The provider's refusals in words, one sentence after another. */
function wordsOf(errors: readonly ValidationError[]): Words {
  return errors.length ? joinWords(errors.map((e) => e.words), 'list.space') as Words : words('request.promptEmpty');
}

function promptErrors(sent: string): ValidationError[] {
  const v = validateRequest({ prompt: sent });
  return v.ok ? [] : v.errors.filter((e) => e.field === 'prompt');
}

function figuresOfRequest(v: ValidRequest): Figures {
  return { images: v.imageCount, cost: v.relativeCost, ...(v.expectedSize ? { size: v.expectedSize } : {}), quality: v.body.quality ?? IMAGE_MODEL.defaults.quality };
}

/** What the options alone would bill (the prompt set aside): for a placeholder refused for its prompt only. */
function figuresOf(settings: PlanSettings, o: Effective): Figures | undefined {
  const v = validateRequest({ ...inputOf(settings, o), prompt: 'x' });
  return v.ok ? figuresOfRequest(v) : undefined;
}
