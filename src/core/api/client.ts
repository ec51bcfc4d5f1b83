// The EvoLink task API client: create, poll, upload, download (docs/provider-api.md).

import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { CreateTaskBody, DownloadedImage, TaskObject, UploadedFile } from '../types';
import { PictorError, errorFromResponse, redact, redactError } from './errors';
import {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  Dispatchers,
  checkUrl,
  classifyError,
  headerRecord,
  readText,
  send,
  throwIfAborted,
  withRetry,
  type LogLevel,
  type Logger,
  type Operation,
  type RetryPolicy,
} from './http';
import type { Lookup } from './addresses';
import { DEFAULT_DOWNLOAD_LIMITS, downloadImage, type DownloadLimits } from './download';
import { keyProblem, keyProblemWords } from './key';
import { parseCredits, type AccountCredits } from './credits';
import { readTask } from './task';
import { inspectUpload, multipart, openForUpload, type MultipartBody, type UploadSource } from './upload';
import { words, type WordArg, type Words } from '../../shared/words';

export interface ClientOptions {
  baseUrl: string;
  filesBaseUrl: string;
  /** Asked on every call, so a key set or cleared meanwhile takes effect at once. */
  apiKey: () => Promise<string | undefined>;
  /** Else HTTPS_PROXY / HTTP_PROXY (and lower-case) from the environment. */
  proxy?: string;
  /** Where `proxy` came from, named in errors (e.g. "the http.proxy setting"). */
  proxySource?: WordArg;
  /** Hosts that never go through the proxy (on top of NO_PROXY). */
  noProxy?: readonly string[];
  /** false: certificates of connections through the proxy are not checked. Default true. */
  proxyStrictSSL?: boolean;
  /** Proxy-Authorization header value for the proxy. */
  proxyAuthorization?: string;
  /** A download must finish within deadlineMs and keep up minBytesPerSecond over every windowMs. */
  download?: Partial<DownloadLimits>;
  /** Per call: time allowed for the answer's headers and between body chunks. Default 30000. */
  timeoutMs?: number;
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Never given the key. */
  log?: (level: LogLevel, msg: string) => void;
  userAgent?: string;
  /** Environment to read proxy variables and NODE_EXTRA_CA_CERTS from (tests); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Name resolution for the downloads' private-address checks (tests); default the system's. */
  lookup?: Lookup;
}

const MAX_JSON_BYTES = 4 * 1024 * 1024;

export class EvoLinkClient {
  private readonly opts: ClientOptions;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly dispatchers: Dispatchers;
  private readonly userAgent: string;
  private readonly trustedHosts: string[];
  private readonly downloadLimits: DownloadLimits;
  private lastKey: string | undefined;

  constructor(opts: ClientOptions) {
    this.opts = opts;
    this.policy = {
      retries: opts.retry?.retries ?? DEFAULT_RETRY.retries,
      baseDelayMs: opts.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: opts.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    };
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.userAgent = opts.userAgent ?? 'Pictor';
    this.trustedHosts = [opts.baseUrl, opts.filesBaseUrl].flatMap((u) => {
      try {
        return [new URL(u).host.toLowerCase()];
      } catch {
        return [];
      }
    });
    this.downloadLimits = { ...DEFAULT_DOWNLOAD_LIMITS, ...opts.download };
    this.dispatchers = new Dispatchers({
      proxy: opts.proxy,
      proxySource: opts.proxySource,
      noProxy: opts.noProxy,
      proxyStrictSSL: opts.proxyStrictSSL,
      proxyAuthorization: opts.proxyAuthorization,
      connectTimeoutMs: Math.min(this.timeoutMs, 10000),
      env: opts.env,
      trustedHosts: this.trustedHosts,
      lookup: opts.lookup,
      log: (level, msg) => this.log(level, msg),
    });
  }

  // Every log line passes through here so that even a provider message echoing the key is cleaned.
  private log: Logger = (level, msg) => {
    this.opts.log?.(level, redact(msg, this.lastKey));
  };

  async createTask(body: CreateTaskBody, signal?: AbortSignal): Promise<TaskObject> {
    const url = this.apiUrl(this.opts.baseUrl, words('url.apiSetting'), '/v1/images/generations');
    const task = await this.callJson('create', 'POST', url, JSON.stringify(body), 'application/json', signal);
    return this.checkTask(task, 'create');
  }

  async getTask(id: string, signal?: AbortSignal): Promise<TaskObject> {
    if (!id || typeof id !== 'string') throw new PictorError('invalid', words('error.taskIdRequired'));
    const url = this.apiUrl(this.opts.baseUrl, words('url.apiSetting'), `/v1/tasks/${encodeURIComponent(id)}`);
    const task = await this.callJson('poll', 'GET', url, undefined, undefined, signal);
    return this.checkTask(task, 'poll');
  }

  /**
   * The account balance (docs/provider-api.md, "Account balance"). Free, so it also checks a key
   * before any paid request: pass `apiKey` to check one that is not stored yet (a wrong one fails
   * with kind 'auth').
   */
  async getCredits(signal?: AbortSignal, apiKey?: string): Promise<AccountCredits> {
    const url = this.apiUrl(this.opts.baseUrl, words('url.apiSetting'), '/v1/credits');
    const res = await this.callJson('poll', 'GET', url, undefined, undefined, signal, apiKey);
    return parseCredits(res);
  }

  /**
   * Streams a local image to the files service as multipart part `file`; returns its public URL.
   * Every attempt reads the same open file: `file` as the caller opened (and checked) it, or a path
   * this opens once (and closes again).
   */
  /** Where uploads go: an uploaded URL is kept per file service (uploadCache.ts). */
  filesService(): string {
    return this.opts.filesBaseUrl;
  }

  async uploadFile(file: string | UploadSource, signal?: AbortSignal): Promise<UploadedFile> {
    const url = this.apiUrl(this.opts.filesBaseUrl, words('url.filesSetting'), '/api/v1/files/upload/stream');
    throwIfAborted(signal);
    await this.key(); // a missing key is the first thing to tell, before any file problem
    const own = typeof file === 'string' ? await openForUpload(file) : undefined;
    try {
      return await this.uploadOpen(url, own ?? (file as UploadSource), signal);
    } finally {
      await own?.handle.close().catch(() => undefined);
    }
  }

  private async uploadOpen(url: URL, src: UploadSource, signal?: AbortSignal): Promise<UploadedFile> {
    const { size, mime } = await inspectUpload(src);
    const fileName = path.basename(src.path);
    const body = () => multipart(src, fileName, mime, size);
    const res = await this.callJson('upload', 'POST', url, body, undefined, signal);
    const r = res as { success?: unknown; code?: unknown; msg?: unknown; data?: Partial<UploadedFile> };
    if (r.success === false) {
      const status = typeof r.code === 'number' && r.code >= 400 && r.code < 600 ? r.code : 400;
      throw redactError(errorFromResponse(status, { code: r.code, message: r.msg }), this.lastKey);
    }
    if (!r.data || typeof r.data.file_url !== 'string' || typeof r.data.file_id !== 'string') {
      throw new PictorError('bad_response', words('error.noFileUrl'), { status: 200 });
    }
    return r.data as UploadedFile;
  }

  /** Result URLs are pre-signed and may live on another host: they never get the key. */
  download(url: string, destDir: string, baseName: string, signal?: AbortSignal): Promise<DownloadedImage> {
    return downloadImage(
      {
        dispatchers: this.dispatchers,
        timeoutMs: this.timeoutMs,
        policy: this.policy,
        log: this.log,
        userAgent: this.userAgent,
        trustedHosts: new Set(this.trustedHosts),
        limits: this.downloadLimits,
      },
      url,
      destDir,
      baseName,
      signal,
    );
  }

  async close(): Promise<void> {
    await this.dispatchers.close();
  }

  private apiUrl(base: string, what: Words, pathname: string): URL {
    const b = checkUrl(base, what);
    return new URL(b.pathname.replace(/\/+$/, '') + pathname, b);
  }

  private async key(override?: string): Promise<string> {
    const k = (override ?? (await this.opts.apiKey()))?.trim();
    if (!k) {
      throw new PictorError('auth', words('error.noKey'));
    }
    this.lastKey = k;
    // A key HTTP cannot carry would fail inside the HTTP client; say so before anything is sent.
    const problem = keyProblem(k);
    if (problem && problem.kind !== 'short') {
      throw new PictorError('auth', words('error.badKey', keyProblemWords(problem)));
    }
    return k;
  }

  private async callJson(
    op: Operation,
    method: 'GET' | 'POST',
    url: URL,
    body: string | (() => MultipartBody) | undefined,
    contentType: string | undefined,
    signal?: AbortSignal,
    keyOverride?: string,
  ): Promise<unknown> {
    throwIfAborted(signal);
    const key = await this.key(keyOverride);
    const what = `${method} ${url.pathname}`;
    try {
      return await withRetry({ op, what, policy: this.policy, log: this.log, signal }, async (attempt) => {
        const started = Date.now();
        this.log('debug', `${what}${attempt ? ` (attempt ${attempt + 1})` : ''}`);
        const headers: Record<string, string> = {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          'user-agent': this.userAgent,
        };
        let payload: string | Readable | undefined;
        if (typeof body === 'function') {
          const mp = body();
          headers['content-type'] = mp.contentType;
          headers['content-length'] = String(mp.length);
          payload = mp.stream;
        } else if (body !== undefined) {
          headers['content-type'] = contentType ?? 'application/json';
          payload = body;
        }
        let status: number;
        let text: string;
        let resHeaders: Record<string, string | string[] | undefined>;
        try {
          const res = await send(this.dispatchers, url, { method, headers, body: payload, timeoutMs: this.timeoutMs, signal, op });
          status = res.statusCode;
          resHeaders = headerRecord(res.headers);
          text = await readText(res.body, MAX_JSON_BYTES);
        } catch (err) {
          if (payload instanceof Readable) payload.destroy();
          throw classifyError(err, op, url.host, signal);
        }
        this.log('debug', `${what} -> ${status} (${Date.now() - started} ms)`);
        if (status < 200 || status >= 300) {
          const e = errorFromResponse(status, text, resHeaders);
          // The provider answered, so the request reached it; with 429 and its own 5xx codes it
          // also says it did not take the task on, so resending a create cannot bill twice.
          // A 504 (a gateway gave up waiting) does not say that: the task may exist upstream.
          if (op === 'create' && e.retryable && !(status === 429 || status === 500 || status === 502 || status === 503)) {
            throw e.withRetryable(false, words('error.mayExist', e.words ?? e.message));
          }
          throw e;
        }
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw this.badResponse(op, words('error.notJson', status));
        }
      });
    } catch (err) {
      const e = err instanceof PictorError ? err : classifyError(err, op, url.host, signal);
      throw redactError(e, key);
    }
  }

  // After a 200 to a create the task exists (and is billed) even if we cannot read the answer,
  // so only polls and uploads retry a bad answer.
  private badResponse(op: Operation, detail: Words): PictorError {
    if (op === 'create') {
      return new PictorError(
        'bad_response',
        words('error.createUnreadable', detail),
        { retryable: false, status: 200 },
      );
    }
    return new PictorError('bad_response', words('error.unreadable', detail), { retryable: true, status: 200 });
  }

  private checkTask(v: unknown, op: Operation): TaskObject {
    const t = readTask(v);
    if (!t) throw this.badResponse(op, words('error.noTask'));
    return t;
  }
}
