// A stand-in for EvoLink's task API and file service (docs/provider-api.md), on 127.0.0.1 only.
// Everything a user could meet from the real provider is reproducible here on demand: slow tasks,
// failed tasks, 4xx/5xx answers, dropped connections, broken bodies, expiring result URLs.
// Task state is derived from the clock on every poll, so tests see the same thing however often
// (or rarely) a client polls. A test that needs a task running while it acts holds it (`[hold]` in
// the prompt, or behavior.hold) and releases it when it is done: no guess at how long "long enough" is.
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { keyedPng, PngCache, requestedKey, zeroPng } from './png';

export interface FailSpec {
  status: number;
  code: string | number;
  message?: string;
  times?: number;
  retryAfter?: number;
}

export interface FakeBehavior {
  stepMs: number;
  progressSteps: number;
  /**
   * task_info.estimated_time (seconds) on every task. Unset (the default): each task says its own
   * time, stepMs × (progressSteps + 1) (`[slow:N]` included), as a provider that paces its clients does.
   */
  estimatedTime?: number;
  failCreate?: FailSpec;
  failPoll?: FailSpec;
  resetCreate?: number;
  resetPoll?: number;
  invalidJsonPoll?: number;
  /** Next N valid creates: the task is created (and billed), the answer is 200 with a broken JSON body. */
  invalidJsonCreate?: number;
  /** Next N valid creates / polls: headers and half the body are sent, then the connection drops. */
  cutCreate?: number;
  cutPoll?: number;
  slowHeadersMs?: number;
  /** Only the next N API answers wait slowHeadersMs (default: every answer). */
  slowHeadersTimes?: number;
  /**
   * Uploads of a file whose name contains `name` are answered after `ms` (or never, if the client
   * goes away first); only the next `times` such uploads when set. The upload is counted as it arrives.
   */
  slowUpload?: { name: string; ms: number; times?: number };
  /** The next uploads (all, or `times` of them) are answered with this error once their body is read. */
  failUpload?: FailSpec;
  /** 'oversized': a valid PNG whose header says 16000×16000 (about 1 MB of compressed zeros: a decompression bomb). */
  resultMode?: 'ok' | '404' | 'truncated' | 'html' | 'wrong-content-type' | 'expired' | 'trickle' | 'oversized';
  resultFailTimes?: number;
  /** resultMode 'trickle': after the first 64 bytes, one byte every trickleMs (default 1000). */
  trickleMs?: number;
  /** Result URLs of tasks created from now on start with this instead of the fake's own address
   *  (e.g. http://images.evolink.test, reached through the test proxy). */
  resultBaseUrl?: string;
  /** Result URLs answer 302 with this Location (relative or absolute), `times` times (default: always). */
  redirectResults?: { to: string; status?: number; times?: number };
  returnFewer?: number;
  imageFormat?: 'png';
  /** The account's starting balance for GET /v1/credits (default 1000); each create spends its credits_reserved. */
  credits?: number;
  /** Write each prompt's first words on its images (default); off, every task of a size gets one cached picture. */
  drawPrompt?: boolean;
  /** Tasks created while this is on are held, as `[hold]` in a prompt holds its task: see FakeEvolink.release. */
  hold?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  at: number;
}

export type FakeTaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface FakeTask {
  readonly id: string;
  readonly created: number;
  readonly prompt: string;
  readonly n: number;
  /** The `size` the request asked for ('auto' when absent). */
  readonly size: string;
  readonly resolution: string;
  readonly quality: string;
  /** Pixel size the result images have. */
  readonly width: number;
  readonly height: number;
  readonly imageUrls?: string[];
  readonly status: FakeTaskStatus;
  readonly progress: number;
  readonly results?: string[];
  readonly error?: { code: string; message: string; type: 'task_error' };
  /** Held: it stays `processing` until released (FakeEvolink.release). */
  readonly held: boolean;
}

export interface FakeEvolink {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** The file part of every upload that reached the file service, in order: answered, refused or failed. */
  uploaded: Buffer[];
  creates(): number;
  polls(taskId?: string): number;
  set(b: Partial<FakeBehavior>): void;
  reset(): void;
  tasks: Map<string, FakeTask>;
  completeNow(taskId: string): void;
  failNow(taskId: string, code: string): void;
  /**
   * Lets held tasks (`[hold]` in the prompt, or created while behavior.hold was on) go on: each then
   * answers what its clock says, which for a task held longer than its time is its final state at the
   * next poll. Only `id`, or only those whose prompt contains `prompt`; all held tasks without either.
   * Returns the ids released.
   */
  release(which?: { id?: string; prompt?: string }): string[];
  forget(taskId: string): void;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  behavior?: Partial<FakeBehavior>;
  /** One line per request (`METHOD path -> status`), never headers or bodies. */
  log?: (line: string) => void;
}

export const DEFAULT_TEST_KEY = 'sk-evo-test-0123456789';

export function defaultBehavior(): FakeBehavior {
  return { stepMs: 100, progressSteps: 3, resultMode: 'ok', imageFormat: 'png' };
}

// ---------------------------------------------------------------------------------------------
// Sizes (docs/provider-api.md, "Sizes"), implemented here on purpose rather than imported from src/core, so that a
// bug in the extension's size code cannot hide behind the same bug in the fake.

const RATIOS = ['1:1', '1:2', '2:1', '1:3', '3:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '9:21', '21:9'];
const MAX_PIXELS = 8_294_400;
const MIN_PIXELS = 655_360;

/** Pixel size the fake renders for a validated size/resolution pair. */
export function fakePixelSize(size: string, resolution = '1K'): { width: number; height: number } {
  if (size === 'auto') return { width: 1024, height: 1024 };
  const explicit = /^(\d+)[x×](\d+)$/.exec(size);
  if (explicit) return { width: Number(explicit[1]), height: Number(explicit[2]) };
  const [a, b] = size.split(':').map(Number);
  const longR = Math.max(a!, b!);
  const shortR = Math.min(a!, b!);
  const round16 = (v: number) => Math.round(v / 16) * 16;
  const floor16 = (v: number) => Math.floor(v / 16) * 16;
  let long: number;
  let short: number;
  const res = resolution.toUpperCase();
  if (res === '1K') {
    short = 1024;
    long = round16((1024 * longR) / shortR);
  } else {
    long = res === '2K' ? 2048 : 3840;
    short = round16((long * shortR) / longR);
  }
  if (long * short > MAX_PIXELS) {
    const f = Math.sqrt(MAX_PIXELS / (long * short));
    long = floor16(long * f);
    short = floor16(short * f);
  }
  return a! >= b! ? { width: long, height: short } : { width: short, height: long };
}

// ---------------------------------------------------------------------------------------------
// Validation of create bodies (docs/provider-api.md, "Create a task", "Sizes").

interface CreateSpec {
  prompt: string;
  n: number;
  size: string;
  resolution: string;
  quality: string;
  width: number;
  height: number;
  imageUrls?: string[];
}

type Invalid = { param?: string; message: string };

function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h === '0.0.0.0') return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return /^f[cd][0-9a-f]{2}:/.test(h) || /^fe[89ab][0-9a-f]:/.test(h) || h.startsWith('::ffff:');
}

function validateCreate(body: unknown, ownFile: (url: URL) => boolean | undefined): CreateSpec | Invalid {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { message: 'Request body must be a JSON object' };
  }
  const b = body as Record<string, unknown>;
  if (b.model === undefined) return { param: 'model', message: 'model is required' };
  if (b.model !== 'gpt-image-2') return { param: 'model', message: `Unsupported model: ${String(b.model)}` };
  if (typeof b.prompt !== 'string' || b.prompt.trim() === '') return { param: 'prompt', message: 'prompt is required' };
  if ([...b.prompt].length > 32000) return { param: 'prompt', message: 'prompt must be at most 32000 characters' };

  let n = 1;
  if (b.n !== undefined) {
    if (typeof b.n !== 'number' || !Number.isInteger(b.n) || b.n < 1 || b.n > 10) {
      return { param: 'n', message: 'n must be an integer between 1 and 10' };
    }
    n = b.n;
  }

  let quality = 'medium';
  if (b.quality !== undefined) {
    if (b.quality !== 'low' && b.quality !== 'medium' && b.quality !== 'high') {
      return { param: 'quality', message: 'quality must be one of low, medium, high' };
    }
    quality = b.quality;
  }

  let resolution = '1K';
  if (b.resolution !== undefined) {
    if (typeof b.resolution !== 'string' || !['1K', '2K', '4K'].includes(b.resolution.toUpperCase())) {
      return { param: 'resolution', message: 'resolution must be one of 1K, 2K, 4K' };
    }
    resolution = b.resolution.toUpperCase();
  }

  let size = 'auto';
  if (b.size !== undefined) {
    if (typeof b.size !== 'string') return { param: 'size', message: 'size must be a string' };
    size = b.size;
    const explicit = /^(\d+)[x×](\d+)$/.exec(size);
    if (explicit) {
      const w = Number(explicit[1]);
      const h = Number(explicit[2]);
      if (w % 16 !== 0 || h % 16 !== 0) return { param: 'size', message: 'width and height must be multiples of 16' };
      if (w < 16 || h < 16 || w > 3840 || h > 3840) return { param: 'size', message: 'each edge must be between 16 and 3840' };
      if (w * h < MIN_PIXELS || w * h > MAX_PIXELS) {
        return { param: 'size', message: 'width × height must be between 655,360 and 8,294,400 pixels' };
      }
      if (Math.max(w, h) / Math.min(w, h) > 3) return { param: 'size', message: 'aspect ratio must be at most 3:1' };
    } else if (size !== 'auto' && !RATIOS.includes(size)) {
      return { param: 'size', message: `Unsupported size: ${size}` };
    }
  }

  let imageUrls: string[] | undefined;
  if (b.image_urls !== undefined) {
    if (!Array.isArray(b.image_urls) || b.image_urls.length < 1 || b.image_urls.length > 16) {
      return { param: 'image_urls', message: 'image_urls must hold 1 to 16 URLs' };
    }
    for (const u of b.image_urls) {
      let parsed: URL;
      try {
        if (typeof u !== 'string') throw new Error('not a string');
        parsed = new URL(u);
      } catch {
        return { param: 'image_urls', message: `Invalid image URL: ${String(u)}` };
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        return { param: 'image_urls', message: `Invalid image URL: ${u}` };
      }
      // The real service downloads every reference; for URLs on this server we can check that.
      if (ownFile(parsed) === false) return { param: 'image_urls', message: `Image could not be downloaded: ${u}` };
    }
    imageUrls = b.image_urls as string[];
  }

  if (b.callback_url !== undefined) {
    const cb = b.callback_url;
    if (typeof cb !== 'string' || cb.length > 2048) return { param: 'callback_url', message: 'callback_url must be at most 2048 characters' };
    let parsed: URL;
    try {
      parsed = new URL(cb);
    } catch {
      return { param: 'callback_url', message: 'callback_url is not a valid URL' };
    }
    if (parsed.protocol !== 'https:') return { param: 'callback_url', message: 'callback_url must use https' };
    if (isPrivateHost(parsed.hostname)) return { param: 'callback_url', message: 'callback_url must not point to a private or loopback host' };
  }

  const { width, height } = fakePixelSize(size, resolution);
  return { prompt: b.prompt, n, size, resolution, quality, width, height, imageUrls };
}

// ---------------------------------------------------------------------------------------------
// Tasks.

const TASK_FAILURE_MESSAGES: Record<string, string> = {
  content_policy_violation: 'The request was rejected because it may violate the content policy.',
  invalid_parameters: 'The request parameters are invalid.',
  image_processing_error: 'A reference image could not be processed.',
  image_dimension_mismatch: 'The reference images have incompatible dimensions.',
  generation_failed_no_content: 'The model returned no image.',
  service_error: 'The generation service reported an error.',
  generation_timeout: 'Image generation timed out.',
  resource_exhausted: 'Resources are exhausted, please try again later.',
  quota_exceeded: 'Quota exceeded.',
  service_unavailable: 'The service is temporarily unavailable.',
  request_cancelled: 'The request was cancelled.',
  resource_not_found: 'A referenced resource was not found.',
  unknown_error: 'An unknown error occurred.',
};

class TaskState implements FakeTask {
  forced?: { status: 'completed' } | { status: 'failed'; code: string };

  constructor(
    readonly id: string,
    readonly created: number,
    private readonly startedMs: number,
    readonly spec: CreateSpec,
    private readonly stepMs: number,
    private readonly progressSteps: number,
    private readonly failCode: string | undefined,
    private readonly never: boolean,
    public held: boolean,
    private readonly resultCount: number,
    private readonly resultBase: string,
  ) {}

  get prompt() { return this.spec.prompt; }
  get n() { return this.spec.n; }
  get size() { return this.spec.size; }
  get resolution() { return this.spec.resolution; }
  get quality() { return this.spec.quality; }
  get width() { return this.spec.width; }
  get height() { return this.spec.height; }
  get imageUrls() { return this.spec.imageUrls; }

  private get step(): number {
    return this.stepMs <= 0 ? Number.MAX_SAFE_INTEGER : Math.floor((Date.now() - this.startedMs) / this.stepMs);
  }

  /** An undocumented status answered instead of the final one (`[status:S]`). */
  oddStatus?: string;

  get status(): FakeTaskStatus {
    if (this.forced) return this.forced.status;
    const step = this.step;
    if (step < 1) return 'pending';
    if (this.never || this.held || step <= this.progressSteps) return 'processing';
    if (this.oddStatus) return this.oddStatus as FakeTaskStatus;
    return this.failCode ? 'failed' : 'completed';
  }

  get progress(): number {
    const status = this.status;
    if (status === 'completed') return 100;
    if (status === 'pending') return 0;
    const step = Math.min(this.step, this.progressSteps);
    return Math.min(95, Math.max(1, Math.round((100 * step) / (this.progressSteps + 1))));
  }

  get results(): string[] | undefined {
    if (this.status !== 'completed') return undefined;
    return Array.from({ length: this.resultCount }, (_, i) => `${this.resultBase}/results/${this.id}/${i}.png`);
  }

  get error(): FakeTask['error'] {
    if (this.status !== 'failed') return undefined;
    const code = this.forced?.status === 'failed' ? this.forced.code : (this.failCode ?? 'unknown_error');
    return { code, message: TASK_FAILURE_MESSAGES[code] ?? `Task failed: ${code}`, type: 'task_error' };
  }

  /** Number of result images a download may ask for (only once completed). */
  get downloadable(): number {
    return this.status === 'completed' ? this.resultCount : 0;
  }

  /** The task's own time until it completes, in seconds (what estimated_time says unless set). */
  get ownEstimate(): number {
    return Math.max(1, this.stepMs * (this.progressSteps + 1)) / 1000;
  }

  toTaskObject(estimatedTime = this.ownEstimate): Record<string, unknown> {
    const status = this.status;
    const qualityFactor = this.spec.quality === 'low' ? 0.11 : this.spec.quality === 'high' ? 4 : 1;
    const megapixels = Math.max(1, (this.spec.width * this.spec.height) / (1024 * 1024));
    const obj: Record<string, unknown> = {
      created: this.created,
      id: this.id,
      model: 'gpt-image-2',
      object: 'image.generation.task',
      progress: this.progress,
      status,
      task_info: { can_cancel: status === 'pending' || status === 'processing', estimated_time: estimatedTime },
      type: 'image',
      usage: {
        billing_rule: 'per_call',
        credits_reserved: Math.round(this.spec.n * qualityFactor * megapixels * 2.5 * 100) / 100,
        user_group: 'default',
      },
    };
    const results = this.results;
    if (results) obj.results = results;
    const error = this.error;
    if (error) obj.error = error;
    return obj;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing.

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_quota_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

const DEFAULT_MESSAGES: Record<string, string> = {
  unauthorized: 'Invalid or missing API key',
  insufficient_quota: 'Insufficient credits, please top up',
  quota_exceeded: 'Quota exceeded',
  model_access_denied: 'This API key cannot use this model',
  permission_denied: 'This API key cannot access this task',
  task_not_found: 'Task not found',
  invalid_task_id: 'Invalid task id',
  rate_limit_exceeded: 'Rate limit exceeded, please slow down',
  internal_error: 'Internal server error',
  upstream_error: 'Upstream service error',
  service_unavailable: 'Service temporarily unavailable',
};

function errorBody(status: number, code: string | number, message?: string, param?: string): Record<string, unknown> {
  const error: Record<string, unknown> = {
    code,
    message: message ?? DEFAULT_MESSAGES[String(code)] ?? `Error ${String(code)}`,
    type: ERROR_TYPES[status] ?? 'api_error',
  };
  if (param !== undefined) error.param = param;
  return { error };
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else if (!tooLarge) chunks.push(c);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

function parseJson(buf: Buffer): { ok: true; value: unknown } | { ok: false; raw: string } {
  const text = buf.toString('utf8');
  if (text.trim() === '') return { ok: false, raw: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, raw: text };
  }
}

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Minimal multipart/form-data parser: enough for one file part plus a few text fields. */
function parseMultipart(body: Buffer, contentType: string | undefined): Part[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!m || !/^multipart\/form-data/i.test(contentType ?? '')) return undefined;
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return undefined;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') return undefined;
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const headers = body.toString('utf8', pos, headerEnd).split('\r\n');
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    if (next < 0) return undefined;
    const part: Part = { name: '', data: body.subarray(dataStart, next) };
    for (const h of headers) {
      const [key, ...rest] = h.split(':');
      const value = rest.join(':').trim();
      if (key!.trim().toLowerCase() === 'content-disposition') {
        part.name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? '';
        const fn = /\bfilename="([^"]*)"/i.exec(value)?.[1];
        if (fn !== undefined) part.filename = fn;
      } else if (key!.trim().toLowerCase() === 'content-type') {
        part.contentType = value;
      }
    }
    parts.push(part);
    pos = next + 2;
  }
}

function sniffImage(buf: Buffer): { mime: string; ext: string } | undefined {
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { mime: 'image/png', ext: 'png' };
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return { mime: 'image/jpeg', ext: 'jpg' };
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return { mime: 'image/webp', ext: 'webp' };
  if (buf.length >= 6 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) return { mime: 'image/gif', ext: 'gif' };
  return undefined;
}

function randomAlnum(len: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(len);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[bytes[i]! % alphabet.length];
  return s;
}

interface StoredFile {
  id: string;
  name: string;
  mime: string;
  data: Buffer;
}

const JSON_LIMIT = 1024 * 1024;
const UPLOAD_LIMIT = 50 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------

export async function startFakeEvolink(opts: StartOptions = {}): Promise<FakeEvolink> {
  const host = opts.host ?? '127.0.0.1';
  const apiKey = opts.apiKey ?? DEFAULT_TEST_KEY;
  const log = opts.log;
  const pngs = new PngCache();
  let oversized: Buffer | undefined; // resultMode 'oversized', made on first use

  let behavior: FakeBehavior = { ...defaultBehavior(), ...clone(opts.behavior ?? {}) };
  const requests: RecordedRequest[] = [];
  const uploaded: Buffer[] = [];
  const tasks = new Map<string, TaskState>();
  const files = new Map<string, StoredFile>();
  const pollCounts = new Map<string, number>();
  const stats = { creates: 0, polls: 0, downloads: 0, uploads: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  /** Consumes one use of a counted fault; true when this request should get it. */
  function takeCount(key: 'resetCreate' | 'resetPoll' | 'invalidJsonPoll' | 'invalidJsonCreate' | 'cutCreate' | 'cutPoll' | 'slowHeadersTimes'): boolean {
    const left = behavior[key];
    if (!left || left <= 0) return false;
    behavior[key] = left - 1;
    return true;
  }

  /** Whether this answer is one of the slowed ones. */
  function takeSlow(): boolean {
    if (!behavior.slowHeadersMs) return false;
    if (behavior.slowHeadersTimes === undefined) return true;
    return takeCount('slowHeadersTimes');
  }

  function takeFail(key: 'failCreate' | 'failPoll' | 'failUpload'): FailSpec | undefined {
    const spec = behavior[key];
    if (!spec) return undefined;
    if (spec.times === undefined) return spec;
    if (spec.times <= 0) {
      delete behavior[key];
      return undefined;
    }
    spec.times -= 1;
    if (spec.times === 0) delete behavior[key];
    return spec;
  }

  function takeResultFault(): boolean {
    if (!behavior.resultMode || behavior.resultMode === 'ok') return false;
    if (behavior.resultFailTimes === undefined) return true;
    if (behavior.resultFailTimes <= 0) return false;
    behavior.resultFailTimes -= 1;
    return true;
  }

  function authorized(req: http.IncomingMessage): boolean {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return m !== null && m[1]!.trim() === apiKey;
  }

  /** false when a URL on this server names nothing we could serve; undefined for foreign URLs. */
  function ownFile(url: URL): boolean | undefined {
    if (url.origin !== baseUrl) return undefined;
    return lookupOwn(url.pathname) !== undefined;
  }

  function lookupOwn(pathname: string): { data: Buffer; mime: string; name: string } | undefined {
    const f = /^\/files\/([^/]+)$/.exec(pathname);
    if (f) {
      const file = files.get(decodeURIComponent(f[1]!));
      return file && { data: file.data, mime: file.mime, name: file.name };
    }
    const r = /^\/results\/([^/]+)\/(\d+)\.png$/.exec(pathname);
    if (r) {
      const task = tasks.get(r[1]!);
      const i = Number(r[2]);
      if (!task || i >= task.downloadable) return undefined;
      // Pictor's transparent-background instruction: the picture on the flat key colour asked for
      // (on colour stripes instead with [busy] in the prompt, a backdrop that cannot be keyed).
      const key = requestedKey(task.prompt);
      if (key) {
        const label = (behavior.drawPrompt === false ? undefined : task.prompt.split('\n\n')[0]);
        return { data: keyedPng(task.width, task.height, key, label, task.prompt.includes('[busy]')), mime: 'image/png', name: `${i}.png` };
      }
      return { data: pngs.get(task.width, task.height, i, behavior.drawPrompt === false ? undefined : task.prompt), mime: 'image/png', name: `${i}.png` };
    }
    return undefined;
  }

  async function sendJson(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    extra: http.OutgoingHttpHeaders = {},
    slow = true,
  ): Promise<void> {
    if (slow && takeSlow()) await delay(behavior.slowHeadersMs ?? 0);
    if (res.destroyed || res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      ...extra,
    });
    res.end(text);
  }

  function sendApiError(res: http.ServerResponse, status: number, code: string | number, message?: string, param?: string, retryAfter?: number) {
    const extra: http.OutgoingHttpHeaders = retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {};
    return sendJson(res, status, errorBody(status, code, message, param), extra);
  }

  function filesError(res: http.ServerResponse, status: number, msg: string) {
    return sendJson(res, status, { success: false, code: status, msg });
  }

  function record(req: http.IncomingMessage, at: number, body?: unknown): void {
    const entry: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, at };
    if (body !== undefined) entry.body = body;
    requests.push(entry);
  }

  function destroy(req: http.IncomingMessage): void {
    req.socket.destroy();
  }

  /** 200 with a JSON body that stops in the middle of a string. */
  function sendBroken(res: http.ServerResponse, id: string): void {
    const broken = `{"id":"${id}","object":"image.generation.task","status":"proc`;
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(broken) });
    res.end(broken);
  }

  /** A connection that drops in the middle of a 200 answer: the headers promise more than arrives. */
  function sendCut(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): void {
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': text.length });
    res.write(text.subarray(0, Math.floor(text.length / 2)), () => destroy(req));
  }

  // --- task API ---------------------------------------------------------------------------

  async function handleCreate(req: http.IncomingMessage, res: http.ServerResponse, at: number): Promise<void> {
    stats.creates++;
    let raw: Buffer;
    try {
      raw = await readBody(req, JSON_LIMIT);
    } catch (e) {
      record(req, at);
      if (e instanceof BodyTooLarge) return sendApiError(res, 413, 'invalid_request', 'Request body too large');
      throw e;
    }
    const parsed = parseJson(raw);
    record(req, at, parsed.ok ? parsed.value : parsed.raw);

    const resetting = takeCount('resetCreate');
    const authed = authorized(req);
    if (resetting) {
      // The request reached the provider: a valid one is a real (billed) task nobody hears about.
      if (authed && parsed.ok) {
        const spec = validateCreate(parsed.value, ownFile);
        if (!('message' in spec)) createTask(spec);
      }
      return destroy(req);
    }
    if (!authed) return sendApiError(res, 401, 'unauthorized');
    const fail = takeFail('failCreate');
    if (fail) return sendApiError(res, fail.status, fail.code, fail.message, undefined, fail.retryAfter);
    if (!parsed.ok) return sendApiError(res, 400, 'invalid_request', 'Request body is not valid JSON');
    const spec = validateCreate(parsed.value, ownFile);
    if ('message' in spec) return sendApiError(res, 400, 'invalid_request', spec.message, spec.param);
    const task = createTask(spec);
    if (takeCount('cutCreate')) return sendCut(req, res, task.toTaskObject(behavior.estimatedTime));
    if (takeCount('invalidJsonCreate')) return sendBroken(res, task.id);
    return sendJson(res, 200, task.toTaskObject(behavior.estimatedTime));
  }

  function createTask(spec: CreateSpec): TaskState {
    const now = Date.now();
    const created = Math.floor(now / 1000);
    let id: string;
    do id = `task-unified-${created}-${randomAlnum(8)}`;
    while (tasks.has(id));
    const slow = /\[slow:(\d+)\]/.exec(spec.prompt);
    const fail = /\[fail:([A-Za-z0-9_.-]+)\]/.exec(spec.prompt);
    const fewer = /\[fewer:(\d+)\]/.exec(spec.prompt);
    // Provider misbehaviour on demand: `[more:K]` returns n+K results, `[px:WxH]` renders another
    // pixel size than asked, `[status:S]` answers the undocumented status S once it would complete.
    const more = /\[more:(\d+)\]/.exec(spec.prompt);
    const px = /\[px:(\d+)x(\d+)\]/.exec(spec.prompt);
    const odd = /\[status:([a-z_]+)\]/.exec(spec.prompt);
    let count = spec.n;
    if (behavior.returnFewer !== undefined) count = Math.min(count, Math.max(0, behavior.returnFewer));
    if (fewer) count = Math.min(count, Number(fewer[1]));
    if (more) count += Number(more[1]);
    const task = new TaskState(
      id,
      created,
      now,
      px ? { ...spec, width: Number(px[1]), height: Number(px[2]) } : spec,
      slow ? Number(slow[1]) : behavior.stepMs,
      Math.max(0, behavior.progressSteps),
      fail?.[1],
      spec.prompt.includes('[never]'),
      spec.prompt.includes('[hold]') || behavior.hold === true,
      count,
      behavior.resultBaseUrl ?? baseUrl,
    );
    if (odd) task.oddStatus = odd[1];
    tasks.set(id, task);
    return task;
  }

  async function handlePoll(req: http.IncomingMessage, res: http.ServerResponse, at: number, rawId: string): Promise<void> {
    stats.polls++;
    const id = decodeURIComponent(rawId);
    pollCounts.set(id, (pollCounts.get(id) ?? 0) + 1);
    record(req, at);
    if (takeCount('resetPoll')) return destroy(req);
    if (!authorized(req)) return sendApiError(res, 401, 'unauthorized');
    const fail = takeFail('failPoll');
    if (fail) return sendApiError(res, fail.status, fail.code, fail.message, undefined, fail.retryAfter);
    if (takeCount('invalidJsonPoll')) {
      if (takeSlow()) await delay(behavior.slowHeadersMs ?? 0);
      if (res.destroyed) return;
      return sendBroken(res, id);
    }
    if (!/^task-[A-Za-z0-9-]+$/.test(id)) return sendApiError(res, 400, 'invalid_task_id', `Invalid task id: ${id}`);
    const task = tasks.get(id);
    if (!task) return sendApiError(res, 404, 'task_not_found', `Task not found: ${id}`);
    if (takeCount('cutPoll')) return sendCut(req, res, task.toTaskObject(behavior.estimatedTime));
    return sendJson(res, 200, task.toTaskObject(behavior.estimatedTime));
  }

  /** GET /v1/credits (docs/provider-api.md, "Account balance"): free, so clients use it to check a key. The balance falls by each task's reservation. */
  async function handleCredits(req: http.IncomingMessage, res: http.ServerResponse, at: number): Promise<void> {
    record(req, at);
    if (!authorized(req)) return sendApiError(res, 401, 'unauthorized');
    let used = 0;
    for (const t of tasks.values()) used += Number((t.toTaskObject(0).usage as { credits_reserved?: number }).credits_reserved ?? 0);
    used = Math.round(used * 100) / 100;
    const remaining = Math.round(((behavior.credits ?? 1000) - used) * 100) / 100;
    return sendJson(res, 200, {
      success: true,
      data: {
        token: { remaining_credits: remaining, used_credits: used, unlimited_credits: false },
        user: { remaining_credits: remaining, used_credits: used },
      },
    });
  }

  // --- results and stored files -----------------------------------------------------------

  function handleResult(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
    stats.downloads++;
    const found = lookupOwn(pathname);
    if (!found) {
      void sendJson(res, 404, errorBody(404, 'not_found', 'The requested file does not exist'), {}, false);
      return;
    }
    const png = found.data;
    const redirect = behavior.redirectResults;
    if (redirect && (redirect.times === undefined || redirect.times > 0)) {
      if (redirect.times !== undefined) redirect.times -= 1;
      res.writeHead(redirect.status ?? 302, { Location: redirect.to, 'Content-Length': 0 });
      res.end();
      return;
    }
    const mode = takeResultFault() ? behavior.resultMode : 'ok';
    switch (mode) {
      case '404':
        void sendJson(res, 404, errorBody(404, 'not_found', 'The requested file does not exist'), {}, false);
        return;
      case 'html': {
        const page = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
          '<body><h1>502 Bad Gateway</h1><p>The server encountered a temporary error.</p></body></html>\n';
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
        res.end(page);
        return;
      }
      case 'expired': {
        const now = new Date();
        const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
          '<Message>Request has expired</Message><X-Amz-Expires>86400</X-Amz-Expires>' +
          `<Expires>${new Date(now.getTime() - 3600_000).toISOString()}</Expires>` +
          `<ServerTime>${now.toISOString()}</ServerTime></Error>`;
        res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      case 'truncated':
        res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
        res.write(png.subarray(0, Math.floor(png.length / 2)), () => destroy(req));
        return;
      case 'trickle': {
        res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
        res.write(png.subarray(0, 64));
        let sent = 64;
        const timer = setInterval(() => {
          if (sent >= png.length || res.destroyed) return clearInterval(timer);
          res.write(png.subarray(sent, sent + 1));
          sent += 1;
        }, behavior.trickleMs ?? 1000);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'wrong-content-type':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': png.length });
        res.end(png);
        return;
      case 'oversized': {
        oversized ??= zeroPng(16000, 16000);
        res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': oversized.length });
        res.end(oversized);
        return;
      }
      default:
        res.writeHead(200, { 'Content-Type': found.mime, 'Content-Length': png.length });
        res.end(png);
    }
  }

  function handleFile(res: http.ServerResponse, pathname: string): void {
    const found = lookupOwn(pathname);
    if (!found) {
      void sendJson(res, 404, errorBody(404, 'not_found', 'The requested file does not exist'), {}, false);
      return;
    }
    res.writeHead(200, { 'Content-Type': found.mime, 'Content-Length': found.data.length });
    res.end(found.data);
  }

  // --- uploads (docs/provider-api.md, "Uploads (the file service)") ---------------------

  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, at: number, kind: string): Promise<void> {
    stats.uploads++;
    let raw: Buffer;
    try {
      raw = await readBody(req, UPLOAD_LIMIT + 1024 * 1024);
    } catch (e) {
      record(req, at);
      if (e instanceof BodyTooLarge) return filesError(res, 413, 'File too large (at most 50 MB)');
      throw e;
    }

    let data: Buffer | undefined;
    let name: string | undefined;
    let problem: string | undefined;
    let recorded: Record<string, unknown> | undefined;

    if (kind === 'stream') {
      const parts = parseMultipart(raw, req.headers['content-type']);
      const file = parts?.find((p) => p.name === 'file');
      const field = (n: string) => parts?.find((p) => p.name === n && p.filename === undefined)?.data.toString('utf8');
      if (!parts) problem = 'Request must be multipart/form-data';
      else if (!file) problem = 'Missing form part "file"';
      else {
        data = file.data;
        name = field('file_name') ?? field('fileName') ?? file.filename;
      }
    } else {
      const parsed = parseJson(raw);
      const body = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : undefined;
      if (!body) problem = 'Request body must be a JSON object';
      else {
        name = typeof (body.file_name ?? body.fileName) === 'string' ? String(body.file_name ?? body.fileName) : undefined;
        if (kind === 'base64') {
          const b64 = body.base64_data ?? body.base64Data;
          if (typeof b64 !== 'string' || b64 === '') problem = 'base64_data is required';
          else data = Buffer.from(b64.replace(/^data:[^,]*;base64,/, ''), 'base64');
        } else {
          const fileUrl = body.file_url ?? body.fileUrl;
          recorded = { fileUrl };
          const got = typeof fileUrl === 'string' ? await fetchForUpload(fileUrl) : { problem: 'file_url is required' };
          if ('problem' in got) problem = got.problem;
          else {
            data = got.data;
            name ??= got.name;
          }
        }
      }
    }
    record(req, at, { ...recorded, fileName: name, size: data?.length ?? 0 });
    if (data) uploaded.push(data);

    if (!authorized(req)) return filesError(res, 401, 'Invalid or missing API key');
    const fail = takeFail('failUpload');
    if (fail) return filesError(res, fail.status, fail.message ?? String(fail.code));
    if (problem || !data) return filesError(res, 400, problem ?? 'No file data');
    if (data.length === 0) return filesError(res, 400, 'The file is empty');
    if (data.length > UPLOAD_LIMIT) return filesError(res, 413, 'File too large (at most 50 MB)');
    const type = sniffImage(data);
    if (!type) return filesError(res, 400, 'Unsupported file type: only jpeg, png, gif and webp images are allowed');

    const slow = behavior.slowUpload;
    if (slow && name?.includes(slow.name) && (slow.times === undefined || slow.times > 0)) {
      if (slow.times !== undefined) slow.times--;
      await Promise.race([delay(slow.ms), new Promise((resolve) => res.once('close', resolve))]);
      if (res.destroyed || res.writableEnded) return;
    }
    const id = `file_${randomAlnum(16)}`;
    const fileName = name && name.trim() !== '' ? name : `${id}.${type.ext}`;
    files.set(id, { id, name: fileName, mime: type.mime, data });
    const now = new Date();
    const fileUrl = `${baseUrl}/files/${id}`;
    return sendJson(res, 200, {
      success: true,
      code: 200,
      msg: 'File uploaded successfully',
      data: {
        file_id: id,
        file_name: fileName,
        file_size: data.length,
        mime_type: type.mime,
        file_url: fileUrl,
        download_url: fileUrl,
        upload_time: now.toISOString(),
        expires_at: new Date(now.getTime() + 72 * 3600_000).toISOString(),
      },
    });
  }

  /** The fake may only talk to loopback hosts; files on this very server are read directly. */
  async function fetchForUpload(url: string): Promise<{ data: Buffer; name: string } | { problem: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: 'file_url is not a valid URL' };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { problem: 'file_url must be http(s)' };
    const name = decodeURIComponent(parsed.pathname.split('/').pop() ?? '') || 'download';
    if (parsed.origin === baseUrl) {
      const own = lookupOwn(parsed.pathname);
      return own ? { data: own.data, name: own.name } : { problem: 'Could not download file_url (404)' };
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
      return { problem: 'Could not download file_url (the fake provider only reaches loopback hosts)' };
    }
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!r.ok) return { problem: `Could not download file_url (${r.status})` };
      return { data: Buffer.from(await r.arrayBuffer()), name };
    } catch {
      return { problem: 'Could not download file_url' };
    }
  }

  // --- control endpoints (no auth, not recorded) -------------------------------------------

  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && pathname === '/__fake/requests') return sendJson(res, 200, requests, {}, false);
    if (method === 'GET' && pathname === '/__fake/stats') return sendJson(res, 200, { ...stats }, {}, false);
    if (method === 'GET' && pathname === '/__fake/behavior') return sendJson(res, 200, behavior, {}, false);
    // The files the file service stored, with the URL each upload was answered with.
    if (method === 'GET' && pathname === '/__fake/files') {
      return sendJson(res, 200, [...files.values()].map((f) => ({ id: f.id, name: f.name, size: f.data.length, url: `${baseUrl}/files/${f.id}` })), {}, false);
    }
    if (method === 'GET' && pathname === '/__fake/tasks') {
      return sendJson(res, 200, [...tasks.values()].map((t) => ({
        ...t.toTaskObject(behavior.estimatedTime), prompt: t.prompt, n: t.n, size: t.size, width: t.width, height: t.height, held: t.held,
      })), {}, false);
    }
    // Held tasks go on (fake.release): one by id, or those whose prompt contains body.prompt, or all.
    const releaseOne = /^\/__fake\/tasks\/([^/]+)\/release$/.exec(pathname);
    if (method === 'POST' && (releaseOne || pathname === '/__fake/release')) {
      const parsed = parseJson(await readBody(req, JSON_LIMIT));
      const prompt = parsed.ok && typeof (parsed.value as { prompt?: unknown })?.prompt === 'string' ? (parsed.value as { prompt: string }).prompt : undefined;
      const id = releaseOne ? decodeURIComponent(releaseOne[1]!) : undefined;
      if (id !== undefined && !tasks.has(id)) return sendJson(res, 404, errorBody(404, 'task_not_found', `No task ${id}`), {}, false);
      return sendJson(res, 200, { released: fake.release({ id, prompt }) }, {}, false);
    }
    if (method === 'POST' && pathname === '/__fake/behavior') {
      const parsed = parseJson(await readBody(req, JSON_LIMIT));
      if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
        return sendJson(res, 400, errorBody(400, 'invalid_request', 'Body must be a JSON object'), {}, false);
      }
      fake.set(parsed.value as Partial<FakeBehavior>);
      return sendJson(res, 200, behavior, {}, false);
    }
    // A task finishes now (fake.completeNow), for a test that has seen what it needed of it running.
    const complete = /^\/__fake\/tasks\/([^/]+)\/complete$/.exec(pathname);
    if (method === 'POST' && complete) {
      await readBody(req, JSON_LIMIT);
      const id = decodeURIComponent(complete[1]!);
      if (!tasks.has(id)) return sendJson(res, 404, errorBody(404, 'task_not_found', `No task ${id}`), {}, false);
      fake.completeNow(id);
      return sendJson(res, 200, { ok: true }, {}, false);
    }
    if (method === 'POST' && pathname === '/__fake/reset') {
      await readBody(req, JSON_LIMIT);
      fake.reset();
      return sendJson(res, 200, { ok: true }, {}, false);
    }
    return sendJson(res, 404, errorBody(404, 'not_found', `No control endpoint ${method} ${pathname}`), {}, false);
  }

  // --- routing ----------------------------------------------------------------------------

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;

    if (pathname.startsWith('/__fake/')) return handleControl(req, res, pathname);

    if (pathname === '/v1/images/generations') {
      if (method === 'POST') return handleCreate(req, res, at);
    } else if (pathname.startsWith('/v1/tasks/')) {
      const rawId = pathname.slice('/v1/tasks/'.length);
      if (method === 'GET' && rawId !== '' && !rawId.includes('/')) return handlePoll(req, res, at, rawId);
    } else if (pathname === '/v1/credits') {
      if (method === 'GET') return handleCredits(req, res, at);
    } else if (pathname.startsWith('/api/v1/files/upload/')) {
      const kind = pathname.slice('/api/v1/files/upload/'.length);
      if (method === 'POST' && ['stream', 'base64', 'url'].includes(kind)) return handleUpload(req, res, at, kind);
    } else if (pathname.startsWith('/results/')) {
      if (method === 'GET') {
        record(req, at);
        return handleResult(req, res, pathname);
      }
    } else if (pathname.startsWith('/files/')) {
      if (method === 'GET') {
        record(req, at);
        return handleFile(res, pathname);
      }
    }
    await readBody(req, JSON_LIMIT).catch(() => undefined);
    record(req, at);
    return sendJson(res, 404, errorBody(404, 'not_found', `No route for ${method} ${pathname}`), {}, false);
  }

  const server = http.createServer((req, res) => {
    if (log) res.on('close', () => log(`${req.method} ${req.url} -> ${res.writableFinished ? res.statusCode : 'connection dropped'}`));
    route(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        void sendJson(res, 500, errorBody(500, 'internal_error'), {}, false);
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;

  const fake: FakeEvolink = {
    url: baseUrl,
    apiKey,
    requests,
    uploaded,
    tasks: tasks as Map<string, FakeTask>,
    creates: () => stats.creates,
    polls: (taskId?: string) => (taskId === undefined ? stats.polls : (pollCounts.get(taskId) ?? 0)),
    set(b: Partial<FakeBehavior>) {
      // Copy so counting down `times` never mutates the caller's object; undefined clears a fault.
      const next: Record<string, unknown> = { ...behavior };
      for (const [k, v] of Object.entries(b)) {
        if (v === undefined || v === null) delete next[k];
        else next[k] = clone(v);
      }
      behavior = { ...defaultBehavior(), ...(next as Partial<FakeBehavior>) };
    },
    reset() {
      behavior = { ...defaultBehavior(), ...clone(opts.behavior ?? {}) };
      requests.length = 0;
      uploaded.length = 0;
      tasks.clear();
      files.clear();
      pollCounts.clear();
      stats.creates = stats.polls = stats.downloads = stats.uploads = 0;
    },
    completeNow(taskId: string) {
      const t = tasks.get(taskId);
      if (!t) throw new Error(`fake: no task ${taskId}`);
      t.forced = { status: 'completed' };
    },
    failNow(taskId: string, code: string) {
      const t = tasks.get(taskId);
      if (!t) throw new Error(`fake: no task ${taskId}`);
      t.forced = { status: 'failed', code };
    },
    forget(taskId: string) {
      tasks.delete(taskId);
    },
    release(which = {}) {
      const released: string[] = [];
      for (const t of tasks.values()) {
        if (!t.held) continue;
        if (which.id !== undefined && t.id !== which.id) continue;
        if (which.prompt !== undefined && !t.prompt.includes(which.prompt)) continue;
        t.held = false;
        released.push(t.id);
      }
      return released;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
