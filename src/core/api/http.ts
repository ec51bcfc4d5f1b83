// Transport pieces shared by the API calls and the downloads: URL policy, proxy choice,
// network-error classification, backoff with full jitter, and the retry loop.

import { request, type Dispatcher } from 'undici';
import { PictorError, asSentence, type Logger } from './errors';
import { describeUrl, isLoopbackHost, stripCredentials, PRIVATE_TARGET } from './addresses';
import type { Dispatchers, ProxyUse } from './proxy';
import { isWords, words, type WordArg, type Words } from '../../shared/words';

/** What a request is for; it decides which failures may be retried. */
export type Operation = 'create' | 'poll' | 'upload' | 'download';

export type { LogLevel, Logger } from './errors';

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 20000 };
export const DEFAULT_TIMEOUT_MS = 30000;

export { isLoopbackHost, describeUrl } from './addresses';
export { bypassesProxy, proxyFromEnv, Dispatchers, type ProxyOptions, type ProxyUse, type Route } from './proxy';

/**
 * https only; plain http is allowed for loopback hosts (tests, the demo's fake provider),
 * because a key sent in clear over a real network could be read by anyone on the path.
 */
export function checkUrl(raw: string, what: WordArg): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PictorError('invalid', words('error.badUrl', what));
  }
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u;
  if (u.protocol === 'http:') {
    throw new PictorError('invalid', words('error.plainHttp', what, describeUrl(u)));
  }
  throw new PictorError('invalid', words('error.notHttps', what, u.protocol));
}

export function cancelledError(): PictorError {
  return new PictorError('cancelled', words('error.cancelled'));
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** A delay that ends early, with a 'cancelled' error, when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full jitter (uniform in [0, min(max, base·2^attempt)]); a Retry-After wins, capped by max. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

// Failures that happen while connecting: no byte of the request left this machine, so the
// provider cannot have seen it and even a create (which costs money) may be sent again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ENETUNREACH', 'EHOSTUNREACH']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const o = e as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof o.code === 'string' && o.code !== 'UND_ERR') return o.code;
    // Happy-eyeballs connects fail with an AggregateError whose parts carry the codes.
    if (Array.isArray(o.errors) && o.errors.length) e = o.errors[0];
    else e = o.cause;
  }
  return undefined;
}

// Failures while building the request (a header value Node or undici refuses, such as a key with
// a line break in it): nothing left this machine, and sending it again would fail the same way.
const LOCAL = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);

/** The first Words along the cause chain (an error the core made and a library wrapped). */
function wordsIn(err: unknown): Words | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const w = (e as { words?: unknown }).words;
    if (isWords(w)) return w;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorMessages(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string') parts.push(m);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(' ');
}

/** A failure on the way to or at the proxy: the request never reached `host`. */
function proxyError(err: unknown, code: string, host: string, p: ProxyUse): PictorError | undefined {
  const refused = /Proxy response \((\d{3})\)/.exec(errorMessages(err));
  if (refused) {
    const status = Number(refused[1]);
    if (status === 407) {
      return new PictorError('network', words('proxy.auth', p.shown, p.source, host), { retryable: false, status });
    }
    return new PictorError('network', words('proxy.refused', p.shown, p.source, host, status), { retryable: status === 502 || status === 503 || status === 504, status });
  }
  if (NOT_SENT.has(code)) {
    return new PictorError(
      code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : 'network',
      words('proxy.unreachable', p.shown, p.source, code, host),
      { retryable: true },
    );
  }
  if (code === 'UND_ERR_PRX_TLS' || TLS.test(code)) {
    return new PictorError(
      'network',
      words('proxy.tls', host, p.shown, p.source, code),
      { retryable: false },
    );
  }
  return undefined;
}

/**
 * Turns a thrown transport error into a PictorError. Never copies request headers or the raw
 * error object, so the key cannot travel with it. `proxy`: the proxy the request went through.
 */
export function classifyError(err: unknown, op: Operation, host: string, signal?: AbortSignal, proxy?: ProxyUse): PictorError {
  if (err instanceof PictorError) return err;
  if (signal?.aborted) return cancelledError();
  const code = errorCode(err) ?? 'unknown';
  if (LOCAL.has(code)) {
    const detail = /invalid ([\w-]+) header/i.exec(errorMessages(err))?.[1];
    const built = detail ? words('error.buildHeader', host, detail) : words('error.buildCode', host, code);
    return new PictorError('invalid', detail === 'authorization' ? words('error.pasteKeyAgain', built) : built, { retryable: false });
  }
  if (code === PRIVATE_TARGET) {
    // The guarded lookup's error says where the name led (its words); anything else, as it came.
    const where = wordsIn(err) ?? stripCredentials(errorMessages(err)).slice(0, 200);
    return new PictorError('download', words('download.notFetched', where), { retryable: false });
  }
  if (proxy) {
    const viaProxy = proxyError(err, code, host, proxy);
    if (viaProxy) return viaProxy;
  }
  if (NOT_SENT.has(code)) {
    const kind = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : 'network';
    const what =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? words('error.lookup', host, code)
        : code === 'UND_ERR_CONNECT_TIMEOUT'
          ? words('error.connectTimeout', host)
          : words('error.connect', host, code);
    return new PictorError(kind, what, { retryable: true });
  }
  if (TLS.test(code)) {
    return new PictorError('network', words('error.tls', host, code), {
      retryable: false,
    });
  }
  const kind = TIMEOUTS.has(code) ? 'timeout' : 'network';
  const base =
    kind === 'timeout'
      ? words('error.noAnswer', host, code)
      : code === 'unknown'
        ? words('error.brokeSaid', host, stripCredentials(String((err as Error)?.message ?? err)).slice(0, 200))
        : words('error.broke', host, code);
  if (op === 'create') {
    // The request may have reached the provider and created a (billed) task before the
    // connection broke; sending it again could pay for the same images twice.
    return new PictorError(kind, words('error.maybeCreated', base), { retryable: false });
  }
  return new PictorError(kind, base, { retryable: true });
}

/** Ends a message with a full stop unless it already has one. */
export function sentence(s: string): string {
  return /[.!?…]$/.test(s.trimEnd()) ? s.trimEnd() : `${s.trimEnd()}.`;
}

// After the retries ran out on a busy or failing provider, the one thing left to do is wait.
function gaveUp(e: PictorError): 'error.gaveUp' | 'error.gaveUpWait' | 'error.gaveUpServer' {
  if (e.kind === 'rate_limit') return 'error.gaveUpWait';
  if (e.kind === 'server') return 'error.gaveUpServer';
  return 'error.gaveUp';
}

export interface RetryOptions {
  op: Operation;
  what: string;
  policy: RetryPolicy;
  log: Logger;
  signal?: AbortSignal;
  /** A lower retry budget for some errors (e.g. expired result URLs). */
  limitFor?: (e: PictorError) => number | undefined;
}

export async function withRetry<T>(o: RetryOptions, attemptFn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(o.signal);
    try {
      return await attemptFn(attempt);
    } catch (raw) {
      const e = raw instanceof PictorError ? raw : classifyError(raw, o.op, '', o.signal);
      if (o.signal?.aborted && e.kind !== 'cancelled') throw cancelledError();
      if (e.kind === 'cancelled') throw e;
      const lowered = o.limitFor?.(e);
      const limit = Math.min(o.policy.retries, lowered ?? Number.POSITIVE_INFINITY);
      if (!e.retryable || attempt >= limit) {
        o.log('debug', `${o.what}: failed (${e.kind}${e.status ? ` ${e.status}` : ''}): ${e.message}`);
        if (attempt === 0) throw e;
        // A lowered budget means more tries would not help (e.g. an expired link).
        const stillRetryable = e.retryable && !(lowered !== undefined && lowered < o.policy.retries);
        throw e.withRetryable(stillRetryable, words(gaveUp(e), asSentence(e), attempt + 1));
      }
      const delay = backoffDelay(attempt, o.policy, e.retryAfterMs);
      o.log(
        'warn',
        `${o.what}: ${e.message} Retry ${attempt + 1}/${limit} in ${delay} ms` + (e.retryAfterMs !== undefined ? ' (as Retry-After asked).' : '.'),
      );
      await sleep(delay, o.signal);
    }
  }
}

export interface SendOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer | NodeJS.ReadableStream;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Decides which failures may be retried and how they are told. */
  op: Operation;
  /** The signal the user controls (when `signal` also carries Pictor's own deadlines). */
  userSignal?: AbortSignal;
}

/**
 * One HTTP exchange, never following redirects (downloads follow them one checked hop at a time);
 * the caller reads or dumps the body. Transport failures come back as PictorErrors that name the
 * proxy when the request went through one.
 */
export async function send(d: Dispatchers, url: URL, o: SendOptions): Promise<Dispatcher.ResponseData> {
  const route = d.route(url, o.op === 'download' ? 'download' : 'api');
  try {
    return await request(url, {
      dispatcher: route.dispatcher,
      method: o.method,
      headers: o.headers,
      body: o.body as Dispatcher.DispatchOptions['body'],
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      signal: o.signal,
      maxRedirections: 0,
    });
  } catch (err) {
    throw classifyError(err, o.op, url.host, o.userSignal ?? o.signal, route.proxy);
  }
}

/** Reads a (small) response body as text; bigger than `cap` bytes is a bad answer, not a reason to fill memory. */
export async function readText(body: Dispatcher.ResponseData['body'], cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > cap) {
      body.destroy();
      throw new PictorError('bad_response', words('error.tooLarge', cap), { retryable: true });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Lower-cased response headers as a plain record (undici already lower-cases them). */
export function headerRecord(h: Dispatcher.ResponseData['headers']): Record<string, string | string[] | undefined> {
  return h as Record<string, string | string[] | undefined>;
}
