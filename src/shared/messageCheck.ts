// The host's check of every message from the webview: it is untrusted input, so a bad shape, type or
// size is refused as a whole and has no effect. The message types are in protocol.ts.
//
// Imports only src/shared (see ARCHITECTURE.md).
import { BACKGROUNDS, FORMATS, MAX_PROMPT_CODE_POINTS as MAX_PROMPT, MAX_REFERENCE_IMAGES as MAX_REFERENCES } from './limits';
import type { PanelOptions, ReferenceSpec, WebviewMessage } from './protocol';
import { codePointCount } from './text';
import type { Result } from './result';

// ---- the message's own bounds (the provider's limits are in limits.ts) ----------------------------

const MAX_PATH = 4096;
const MAX_URL = 2048;
const MAX_DROP = 64;
const MAX_OPTION = 64;


// ---- validation of what the webview sends -------------------------------------------------------

export type ParseResult = Result<{ message: WebviewMessage }, { reason: string }>;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

class Refused extends Error {}
const refuse = (why: string): never => {
  throw new Refused(why);
};

/** The object has exactly these keys (no more, no fewer). */
function exactKeys(o: Obj, keys: readonly string[], what: string): void {
  const have = Object.keys(o);
  const extra = have.filter((k) => !keys.includes(k));
  if (extra.length) refuse(`${what}: unexpected field(s) ${extra.slice(0, 5).join(', ')}`);
  const missing = keys.filter((k) => !(k in o));
  if (missing.length) refuse(`${what}: missing field(s) ${missing.join(', ')}`);
}

function str(v: unknown, what: string, max: number, min = 0): string {
  if (typeof v !== 'string') refuse(`${what} must be a string`);
  const s = v as string;
  if (s.length < min) refuse(`${what} must not be empty`);
  if (s.length > max) refuse(`${what} is longer than ${max} characters`);
  if (s.includes('\0')) refuse(`${what} contains a NUL character`);
  return s;
}

function id(v: unknown, what = 'id'): string {
  const s = str(v, what, 100, 1);
  if (!/^[A-Za-z0-9_.:-]+$/.test(s)) refuse(`${what} has characters no id has`);
  return s;
}

function path(v: unknown, what = 'path'): string {
  return str(v, what, MAX_PATH, 1);
}

function prompt(v: unknown): string {
  // Cheap bound first: more than twice the limit in UTF-16 units cannot be within it.
  const s = str(v, 'prompt', MAX_PROMPT * 2);
  if (codePointCount(s) > MAX_PROMPT) refuse(`prompt is longer than ${MAX_PROMPT} code points`);
  return s;
}

/** The look's keys are optional (an older webview, a history entry); when present, each is checked. */
const LOOK_KEYS = ['background', 'format', 'maxWidth'] as const;

function options(v: unknown): PanelOptions {
  if (!isObject(v)) return refuse('options must be an object');
  exactKeys(v, ['size', 'resolution', 'quality', 'n', ...LOOK_KEYS.filter((k) => k in v)], 'options');
  const n = v.n;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) refuse('options.n must be an integer');
  const o: PanelOptions = {
    size: str(v.size, 'options.size', MAX_OPTION),
    resolution: str(v.resolution, 'options.resolution', MAX_OPTION),
    quality: str(v.quality, 'options.quality', MAX_OPTION),
    n: n as number,
  };
  // The panel offers these from a list: anything else did not come from its controls.
  if ('background' in v) {
    if (!(BACKGROUNDS as readonly unknown[]).includes(v.background)) refuse(`options.background must be ${BACKGROUNDS.join(' or ')}`);
    o.background = v.background as string;
  }
  if ('format' in v) {
    if (!(FORMATS as readonly unknown[]).includes(v.format)) refuse(`options.format must be ${FORMATS.join(', ')}`);
    o.format = v.format as string;
  }
  // A number typed by the user: its range is the options check's (an error on its field), its type is ours, as n's.
  if ('maxWidth' in v) {
    if (typeof v.maxWidth !== 'number' || !Number.isSafeInteger(v.maxWidth)) refuse('options.maxWidth must be an integer');
    o.maxWidth = v.maxWidth as number;
  }
  return o;
}

function references(v: unknown): ReferenceSpec[] {
  if (!Array.isArray(v)) return refuse('references must be an array');
  if (v.length > MAX_REFERENCES) refuse(`at most ${MAX_REFERENCES} reference images`);
  return v.map((r, i): ReferenceSpec => {
    if (!isObject(r)) return refuse(`references[${i}] must be an object`);
    if (r.kind === 'file') {
      exactKeys(r, ['kind', 'path'], `references[${i}]`);
      return { kind: 'file', path: path(r.path, `references[${i}].path`) };
    }
    if (r.kind === 'url') {
      exactKeys(r, ['kind', 'url'], `references[${i}]`);
      return { kind: 'url', url: str(r.url, `references[${i}].url`, MAX_URL, 1) };
    }
    return refuse(`references[${i}].kind must be "file" or "url"`);
  });
}

function parse(raw: unknown): WebviewMessage {
  if (!isObject(raw)) return refuse('not an object');
  const type = raw.type;
  if (typeof type !== 'string') return refuse('no type');
  const only = (...keys: string[]) => exactKeys(raw, ['type', ...keys], type);
  switch (type) {
    case 'ready':
    case 'useSelection':
    case 'pickReferences':
    case 'refreshBalance':
      only();
      return { type };
    case 'generate':
      only('requestId', 'prompt', 'options', 'references');
      return { type, requestId: id(raw.requestId, 'requestId'), prompt: prompt(raw.prompt), options: options(raw.options), references: references(raw.references) };
    case 'dropReferences': {
      only('uris');
      const uris = raw.uris;
      if (!Array.isArray(uris)) return refuse('uris must be an array');
      if (uris.length > MAX_DROP) refuse(`at most ${MAX_DROP} dropped files at once`);
      return { type, uris: uris.map((u, i) => str(u, `uris[${i}]`, MAX_PATH, 1)) };
    }
    case 'addReferenceUrl':
      only('url');
      return { type, url: str(raw.url, 'url', MAX_URL, 1) };
    case 'retry': {
      if ('confirmBilled' in raw) {
        only('id', 'confirmBilled');
        if (raw.confirmBilled !== true) return refuse('confirmBilled must be true when present');
        return { type, id: id(raw.id), confirmBilled: true };
      }
      only('id');
      return { type, id: id(raw.id) };
    }
    case 'pickVariant':
      only('id', 'path');
      return { type, id: id(raw.id), path: path(raw.path) };
    case 'generateAgain':
      only('id', 'requestId');
      return { type, id: id(raw.id), requestId: id(raw.requestId, 'requestId') };
    case 'cancel':
    case 'removeHistory':
    case 'dismissPick':
      only('id');
      return { type, id: id(raw.id) };
    case 'insertLink':
    case 'open':
    case 'reveal':
    case 'copyPath':
      only('path');
      return { type, path: path(raw.path) };
    case 'saveDefaults': {
      only('options', 'target');
      if (raw.target !== 'workspace' && raw.target !== 'user') return refuse('target must be "workspace" or "user"');
      return { type, options: options(raw.options), target: raw.target };
    }
    default:
      return refuse(`unknown type ${JSON.stringify(type.slice(0, 40))}`);
  }
}

/** The message when it has a known shape within the limits; otherwise why it was refused. */
export function parseWebviewMessage(raw: unknown): ParseResult {
  try {
    return { ok: true, message: parse(raw) };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    return { ok: false, reason: 'unreadable message' };
  }
}
