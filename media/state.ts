// The webview's link to the host and its own small memory: the strings table from the host, and the
// user's unsent input (kept with setState so a reload or a hidden panel does not lose it).
import type { PanelOptions, PanelStrings, ReferenceView, StringKey, WebviewMessage } from '../src/shared/protocol';
import { render, type Words } from '../src/shared/words';

interface VsCodeApi {
  postMessage(msg: WebviewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();

export function send(msg: WebviewMessage): void {
  api.postMessage(msg);
}

let requests = 0;
let latest: string | undefined;

/**
 * A new id for a Generate (or Generate Again) this webview sends: the host's `submission` replies
 * carry it, so the prompt's status follows the request it made last and no other.
 */
export function newRequestId(): string {
  latest = `r${Date.now().toString(36)}-${(++requests).toString(36)}`;
  return latest;
}

export function isLatestRequest(id: string): boolean {
  return id === latest;
}

/** What the user typed and chose but did not send yet. */
export interface Draft {
  options: PanelOptions;
  prompt: string;
  references: ReferenceView[];
}

export function loadDraft(): Draft | undefined {
  const s = api.getState() as Partial<Draft> | undefined;
  if (!s || typeof s !== 'object' || !s.options || typeof s.prompt !== 'string' || !Array.isArray(s.references)) return undefined;
  return s as Draft;
}

export function saveDraft(d: Draft): void {
  api.setState(d);
}

let strings: Partial<PanelStrings> = {};

let templates: Record<string, string> = {};

export function setStrings(s: PanelStrings, words: Record<string, string> = {}): void {
  strings = s;
  templates = words;
}

/** A message of the core (the size check) in the user's language, from the templates the host sent. */
export function sayWords(w: Words): string {
  return render(w, templates);
}

/** A string from the host's table, `{0}`, `{1}`… filled in. */
export function t(key: StringKey, ...args: (string | number)[]): string {
  const s = strings[key] ?? key;
  return s.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
