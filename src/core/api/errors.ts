// Typed errors for everything the provider client can run into, and the mapping from the
// provider's HTTP answers (docs/provider-api.md, "Errors") to them.

import { shortLine } from '../../shared/text';
import { english, words, type WordArg, type WordCode, type Words } from '../../shared/words';

/** How a transport piece writes to the log (the face decides where it goes). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string) => void;

export type ErrorKind =
  | 'auth'
  | 'quota'
  | 'forbidden'
  | 'invalid'
  | 'not_found'
  | 'rate_limit'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad_response'
  | 'cancelled'
  | 'task_failed'
  | 'download';

export interface PictorErrorInit {
  status?: number;
  code?: string | number;
  providerMessage?: string;
  retryable?: boolean;
  fallbackSuggestion?: string;
  param?: string;
  /** Seconds or an HTTP date, as the provider sent it in `Retry-After`. */
  retryAfterMs?: number;
}

export class PictorError extends Error {
  kind: ErrorKind;
  status?: number;
  /** The provider's code; numbers (older docs) are stringified so callers compare one type. */
  code?: string;
  providerMessage?: string;
  retryable: boolean;
  fallbackSuggestion?: string;
  param?: string;
  retryAfterMs?: number;
  /** What happened, as a code the UI words in the user's language; `message` is its English (logs, tests). */
  words: Words;

  /**
   * Always a code (src/shared/words.ts), never a sentence: what the core tells the user is worded at
   * the edge, in the user's language. Raw details (a path, what the provider said) go in as parameters.
   */
  constructor(kind: ErrorKind, message: Words, init: PictorErrorInit = {}) {
    super(english(message));
    this.words = message;
    this.name = 'PictorError';
    this.kind = kind;
    this.retryable = init.retryable ?? false;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined && init.code !== null) this.code = String(init.code);
    if (init.providerMessage !== undefined) this.providerMessage = init.providerMessage;
    if (init.fallbackSuggestion !== undefined) this.fallbackSuggestion = init.fallbackSuggestion;
    if (init.param !== undefined) this.param = init.param;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** The same error with another retry decision (e.g. a create must not retry a reset). */
  withRetryable(retryable: boolean, message?: Words): PictorError {
    const e = new PictorError(this.kind, message ?? this.words, {
      status: this.status,
      code: this.code,
      providerMessage: this.providerMessage,
      retryable,
      fallbackSuggestion: this.fallbackSuggestion,
      param: this.param,
      retryAfterMs: this.retryAfterMs,
    });
    return e;
  }

  // JSON.stringify(error) otherwise gives `{}` for the message; logs that serialise errors
  // should see what the user sees.
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      providerMessage: this.providerMessage,
      retryable: this.retryable,
      fallbackSuggestion: this.fallbackSuggestion,
      param: this.param,
    };
  }
}

/** The parts of a provider error body we use: `{"error":{code,message,type,param}}`, or the
 * files service's `{"success":false,"code","msg"}`, with an optional `fallback_suggestion`. */
export interface ProviderErrorBody {
  code?: string;
  message?: string;
  type?: string;
  param?: string;
  fallbackSuggestion?: string;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function parseErrorBody(body: unknown): ProviderErrorBody {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (!body || typeof body !== 'object') return {};
  const top = body as Record<string, unknown>;
  const inner = top.error && typeof top.error === 'object' ? (top.error as Record<string, unknown>) : undefined;
  const src = inner ?? top;
  const out: ProviderErrorBody = {};
  const code = str(src.code);
  if (code !== undefined) out.code = code;
  const message = str(src.message) ?? str(src.msg) ?? (typeof top.error === 'string' ? top.error : undefined);
  if (message !== undefined) out.message = message;
  const type = str(src.type);
  if (type !== undefined) out.type = type;
  const param = str(src.param);
  if (param !== undefined) out.param = param;
  const fallback = str(src.fallback_suggestion) ?? str(top.fallback_suggestion);
  if (fallback !== undefined) out.fallbackSuggestion = fallback;
  return out;
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const date = Date.parse(t);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

// Provider messages are shown to the user; capped so a whole HTML error page never lands
// in a notification.
const clip = (s: string) => shortLine(s, 300);

/**
 * Maps a non-2xx answer of the task or files API to an error. `retryable` here says whether
 * the provider's answer allows trying again; the caller may still refuse (e.g. retry budget).
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined> = {},
): PictorError {
  const p = parseErrorBody(body);
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  const said: WordArg = p.message ? words('error.said', clip(p.message).replace(/[.!?…]+$/, '')) : '';
  const codeText = p.code ? ` ${p.code}` : '';
  const at = `${status}${codeText}`;
  const init: PictorErrorInit = {
    status,
    code: p.code,
    providerMessage: p.message,
    fallbackSuggestion: p.fallbackSuggestion,
    param: p.param,
    retryAfterMs,
  };
  let kind: ErrorKind;
  let retryable = false;
  let code: WordCode;
  if (status === 400) {
    kind = 'invalid';
    code = 'error.http400';
  } else if (status === 401) {
    kind = 'auth';
    code = 'error.http401';
  } else if (status === 402) {
    kind = 'quota';
    code = 'error.http402';
  } else if (status === 403) {
    kind = 'forbidden';
    code = 'error.http403';
  } else if (status === 404) {
    kind = 'not_found';
    code = 'error.http404';
  } else if (status === 408) {
    kind = 'timeout';
    retryable = true;
    code = 'error.http408';
  } else if (status === 429) {
    kind = 'rate_limit';
    retryable = true;
    code = 'error.http429';
  } else if (status >= 500) {
    kind = 'server';
    retryable = true;
    code = 'error.http5xx';
  } else {
    kind = 'invalid';
    code = 'error.httpOther';
  }
  init.retryable = retryable;
  // Every template ends its sentence; what the provider said lost its own final stop above.
  const text = words(code, at, said);
  return new PictorError(kind, p.fallbackSuggestion ? words('error.suggestion', text, clip(p.fallbackSuggestion)) : text, init);
}

/** What one task failure code means, in words, and whether sending the same request again can help. */
export interface TaskFailureMeaning { reason: string; retryable: boolean; advice: string; reasonWords: Words; adviceWords: Words }

function meaning(reason: Words, retryable: boolean, advice: Words): TaskFailureMeaning {
  return { reason: english(reason), retryable, advice: english(advice), reasonWords: reason, adviceWords: advice };
}

const CHANGE_INPUT = words('advice.changeInput');
const LATER = words('advice.later');

/**
 * The one table of task failure codes (`error.code` of a `failed` task), as the provider's
 * error-code page gives them (docs/provider-api.md, "Errors"). The queue words its messages and takes
 * its retry decision from it (src/core/jobs/failures.ts).
 */
export const TASK_FAILURES: Readonly<Record<string, TaskFailureMeaning>> = {
  content_policy_violation: meaning(words('task.content_policy_violation'), false, CHANGE_INPUT),
  invalid_parameters: meaning(words('task.invalid_parameters'), false, words('advice.checkOptions')),
  image_processing_error: meaning(words('task.image_processing_error'), false, CHANGE_INPUT),
  image_dimension_mismatch: meaning(words('task.image_dimension_mismatch'), false, CHANGE_INPUT),
  generation_failed_no_content: meaning(words('task.generation_failed_no_content'), false, words('advice.reword')),
  service_error: meaning(words('task.service_error'), true, LATER),
  generation_timeout: meaning(words('task.generation_timeout'), true, LATER),
  resource_exhausted: meaning(words('task.resource_exhausted'), true, LATER),
  quota_exceeded: meaning(words('task.quota_exceeded'), true, words('advice.wait')),
  service_unavailable: meaning(words('task.service_unavailable'), true, LATER),
  unknown_error: meaning(words('task.unknown_error'), true, LATER),
  request_cancelled: meaning(words('task.request_cancelled'), false, words('advice.generateAgain')),
  resource_not_found: meaning(words('task.resource_not_found'), false, words('advice.newTask')),
};

/** A code the table does not know: the provider said it failed, and trying later is the honest advice. */
export function taskFailureMeaning(code: string): TaskFailureMeaning {
  // Own entries only: a code such as "constructor" comes from the provider and names no method of ours.
  if (Object.prototype.hasOwnProperty.call(TASK_FAILURES, code)) return TASK_FAILURES[code]!;
  return meaning(words('task.unknownCode', code), true, LATER);
}

/** The error's words as a sentence (a final stop added where its English has none), or its English as one. */
export function asSentence(e: PictorError): WordArg {
  return /[.!?…]$/.test(e.message.trimEnd()) ? e.words : words('job.sentence', e.words);
}

/** Removes the key from text that came from elsewhere (a provider message might echo it). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

export function redactError(e: PictorError, secret: string | undefined): PictorError {
  if (!secret) return e;
  const fields = ['message', 'providerMessage', 'fallbackSuggestion', 'param', 'code'] as const;
  for (const f of fields) {
    const v = e[f];
    if (typeof v === 'string' && v.includes(secret)) (e as unknown as Record<string, string>)[f] = redact(v, secret);
  }
  if (e.stack?.includes(secret)) e.stack = redact(e.stack, secret);
  if (e.words) e.words = redactWords(e.words, secret);
  return e;
}

function redactWords(w: Words, secret: string): Words {
  if (!w.args) return w;
  return { code: w.code, args: w.args.map((a) => (typeof a === 'string' ? redact(a, secret) : typeof a === 'object' ? redactWords(a, secret) : a)) };
}
