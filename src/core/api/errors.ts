// Typed errors for everything the provider client can run into, and the mapping from the
// provider's HTTP answers (api.md §3) to them.

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

  constructor(kind: ErrorKind, message: string, init: PictorErrorInit = {}) {
    super(message);
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
  withRetryable(retryable: boolean, message?: string): PictorError {
    const e = new PictorError(this.kind, message ?? this.message, {
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

// Provider messages are shown to the user; cap them so a whole HTML error page never lands
// in a notification.
function clip(s: string, max = 300): string {
  const oneLine = s.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? oneLine.slice(0, max - 1) + '…' : oneLine;
}

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
  const said = p.message ? `: ${clip(p.message).replace(/[.!?…]+$/, '')}` : '';
  const codeText = p.code ? ` ${p.code}` : '';
  const init: PictorErrorInit = {
    status,
    code: p.code,
    providerMessage: p.message,
    fallbackSuggestion: p.fallbackSuggestion,
    param: p.param,
    retryAfterMs,
  };
  const hint = p.fallbackSuggestion ? ` Suggestion: ${clip(p.fallbackSuggestion)}` : '';
  let kind: ErrorKind;
  let retryable = false;
  let text: string;
  if (status === 400) {
    kind = 'invalid';
    text = `EvoLink refused the request (400${codeText})${said}`;
  } else if (status === 401) {
    kind = 'auth';
    text = `EvoLink did not accept the API key (401${codeText})${said}. Run "Pictor: Set API Key" to enter a valid key.`;
  } else if (status === 402) {
    kind = 'quota';
    text = `Your EvoLink account is out of credits (402${codeText})${said}. Top up in the EvoLink dashboard.`;
  } else if (status === 403) {
    kind = 'forbidden';
    text = `This API key may not use this model or task (403${codeText})${said}`;
  } else if (status === 404) {
    kind = 'not_found';
    text = `EvoLink does not know this task; it may have expired (404${codeText})${said}`;
  } else if (status === 408) {
    kind = 'timeout';
    retryable = true;
    text = `EvoLink timed out waiting for the request (408${codeText})${said}`;
  } else if (status === 429) {
    kind = 'rate_limit';
    retryable = true;
    text = `EvoLink is rate limiting requests (429${codeText})${said}`;
  } else if (status >= 500) {
    kind = 'server';
    retryable = true;
    text = `EvoLink had a server problem (${status}${codeText})${said}`;
  } else {
    kind = 'invalid';
    text = `EvoLink answered ${status}${codeText}${said}`;
  }
  init.retryable = retryable;
  return new PictorError(kind, (/[.!?]$/.test(text) ? text : `${text}.`) + hint, init);
}

/** What one task failure code means, in words, and whether sending the same request again can help. */
export interface TaskFailureMeaning { reason: string; retryable: boolean; advice: string }

const CHANGE_INPUT = 'Change the prompt or the reference images before trying again.';
const LATER = 'Retrying later may work.';

/**
 * The one table of task failure codes (`error.code` of a `failed` task), as the provider's
 * error-code page gives them (api.md §3). The queue words its messages and takes its retry
 * decision from it (src/core/jobs/failures.ts).
 */
export const TASK_FAILURES: Readonly<Record<string, TaskFailureMeaning>> = {
  content_policy_violation: { reason: 'The provider refused the prompt or images under its content policy.', retryable: false, advice: CHANGE_INPUT },
  invalid_parameters: { reason: 'The provider rejected the parameters of the request.', retryable: false, advice: 'Check the size, resolution, quality and n before trying again.' },
  image_processing_error: { reason: 'The provider could not process a reference image.', retryable: false, advice: CHANGE_INPUT },
  image_dimension_mismatch: { reason: "The reference images' dimensions do not fit the request.", retryable: false, advice: CHANGE_INPUT },
  generation_failed_no_content: { reason: 'The model finished without producing an image for this prompt.', retryable: false, advice: 'Try another prompt: reword it or describe the image differently.' },
  service_error: { reason: 'The provider had an internal error.', retryable: true, advice: LATER },
  generation_timeout: { reason: "The generation took too long on the provider's side.", retryable: true, advice: LATER },
  resource_exhausted: { reason: 'The provider is out of capacity right now.', retryable: true, advice: LATER },
  quota_exceeded: { reason: 'The provider refused the task because of a rate limit or quota.', retryable: true, advice: 'Wait a few minutes, then retry.' },
  service_unavailable: { reason: 'The provider is unavailable right now.', retryable: true, advice: LATER },
  unknown_error: { reason: 'The provider reported an unknown error.', retryable: true, advice: LATER },
  request_cancelled: { reason: "The task was cancelled on the provider's side.", retryable: false, advice: 'Generate again if you still want the image.' },
  resource_not_found: { reason: 'The provider does not know this task: its id is invalid or has expired.', retryable: false, advice: 'Generate again to send a new task (billed again).' },
};

/** A code the table does not know: the provider said it failed, and trying later is the honest advice. */
export function taskFailureMeaning(code: string): TaskFailureMeaning {
  return TASK_FAILURES[code] ?? { reason: `The provider reported that the task failed (${code}).`, retryable: true, advice: LATER };
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
  return e;
}
