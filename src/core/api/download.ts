// Saving a result image: stream to a hidden temp file next to the destination, check that it is
// a whole PNG/JPEG/WebP, then give it its final name without ever replacing an existing file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { DownloadedImage } from '../types';
import { firstFreeName } from '../fileNames';
import { PictorError } from './errors';
import { checkResultHop } from './addresses';
import {
  classifyError,
  describeUrl,
  headerRecord,
  readText,
  send,
  throwIfAborted,
  withRetry,
  type Dispatchers,
  type Logger,
  type RetryPolicy,
} from './http';
import { HEAD_BYTES, imageInfo, isCompleteImage, looksLikeHtml } from './imageInfo';
import { words, type Words } from '../../shared/words';
import { extensionOf, IMAGE_FORMATS, IMAGE_TYPES } from '../../shared/imageFormats';

/** A body that trickles in is a failure to retry, not a wait without end. */
export interface DownloadLimits {
  /** The whole download (every redirect, headers and body) ends within this. */
  deadlineMs: number;
  /** Fewer bytes than this per second, averaged over `windowMs`, ends the attempt. */
  minBytesPerSecond: number;
  windowMs: number;
}

// The largest result (a 4K PNG, tens of MB) arrives in well under a minute on an ordinary line;
// 10 minutes and 4 KB/s over 20 s stop only a transfer that is not going to finish.
export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { deadlineMs: 10 * 60_000, minBytesPerSecond: 4096, windowMs: 20_000 };

export interface DownloadContext {
  dispatchers: Dispatchers;
  timeoutMs: number;
  policy: RetryPolicy;
  log: Logger;
  userAgent: string;
  /** The configured provider's hosts (URL `host`): results there may be on a private address. */
  trustedHosts?: ReadonlySet<string>;
  limits?: DownloadLimits;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** No generated image comes near this; a body that does is not one of ours. */
export const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;
const TAIL_BYTES = 32;

const checkFolder = (w: Words) => words('download.checkFolder', w);

/** Every format the table knows, then anything: the file's bytes decide what it is. */
const ACCEPT = `${IMAGE_TYPES.map((t) => IMAGE_FORMATS[t].mime).join(', ')}, */*;q=0.5`;

function downloadError(message: Words, retryable: boolean, status?: number): PictorError {
  return new PictorError('download', message, { retryable, status });
}

async function removeQuietly(p: string): Promise<void> {
  await fs.promises.rm(p, { force: true }).catch(() => undefined);
}

function checkBaseName(baseName: string): void {
  if (!baseName || baseName === '.' || baseName === '..' || /[/\\\0]/.test(baseName)) {
    throw new PictorError('invalid', words('download.badFileName', baseName));
  }
}

// link() fails with EEXIST instead of replacing, which makes "take the first free name" safe
// even when another download picks names in the same folder at the same time.
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

export async function placeWithoutOverwrite(temp: string, destDir: string, baseName: string, ext: string): Promise<string> {
  const placed = await firstFreeName(path.join(destDir, `${baseName}.${ext}`), async (target) => {
    try {
      try {
        await fs.promises.link(temp, target);
      } catch (e) {
        if (!NO_HARD_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
        // File systems without hard links (FAT, some network shares): an exclusive copy.
        await fs.promises.copyFile(temp, target, fs.constants.COPYFILE_EXCL);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'taken';
      throw e;
    }
    await removeQuietly(temp);
    return 'done';
  }, 99999);
  if (placed === undefined) throw new PictorError('download', words('download.noFreeName', `${baseName}.${ext}`, destDir));
  return placed;
}

function describeBody(head: Buffer, contentType: string | undefined, bytes: number): Words {
  if (bytes === 0) return words('download.emptyBody');
  if (looksLikeHtml(head)) return words('download.html');
  return words('download.notImage', contentType ?? words('download.noContentType'), bytes);
}

function describeStatus(status: number): { text: Words; retryable: boolean } {
  if (status === 403 || status === 404 || status === 410) {
    return { text: words('download.expired', status), retryable: true };
  }
  if (status === 429 || status === 408 || status >= 500) return { text: words('download.status', status), retryable: true };
  return { text: words('download.statusNotImage', status), retryable: false };
}

export async function downloadImage(
  ctx: DownloadContext,
  url: string,
  destDir: string,
  baseName: string,
  signal?: AbortSignal,
): Promise<DownloadedImage> {
  throwIfAborted(signal);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PictorError('download', words('download.badUrl'), { retryable: false });
  }
  checkResultHop(u, ctx.trustedHosts ?? new Set(), true);
  checkBaseName(baseName);
  const what = `GET ${describeUrl(u)}`;
  try {
    await fs.promises.mkdir(destDir, { recursive: true });
  } catch (e) {
    throw downloadError(checkFolder(words('download.cannotCreateFolder', destDir, (e as NodeJS.ErrnoException).code ?? 'error')), false);
  }
  try {
    return await withRetry(
      {
        op: 'download',
        what,
        policy: ctx.policy,
        log: ctx.log,
        signal,
        // An expired link stays expired: one more try covers a CDN hiccup, not more.
        limitFor: (e) => (e.status === 403 || e.status === 404 || e.status === 410 ? 1 : undefined),
      },
      () => attempt(ctx, u, destDir, baseName, signal),
    );
  } catch (err) {
    const e = err instanceof PictorError ? err : classifyError(err, 'download', u.host, signal);
    if (e.kind === 'download' || e.kind === 'cancelled' || e.kind === 'invalid') throw e;
    return Promise.reject(
      new PictorError('download', words('download.failed', e.words ?? e.message), { retryable: e.retryable, status: e.status }),
    );
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Follows redirects one hop at a time, checking each target, and never with the key. */
async function fetchFollowing(
  ctx: DownloadContext,
  first: URL,
  signal: AbortSignal,
  userSignal: AbortSignal | undefined,
): Promise<{ res: Awaited<ReturnType<typeof send>>; url: URL }> {
  let u = first;
  for (let hop = 0; ; hop++) {
    if (u.protocol === 'http:') ctx.log('info', `Downloading ${describeUrl(u)} over plain http (no key is sent with it; the bytes are checked as an image).`);
    // Behind a proxy the name is looked up here first: the proxy would not refuse a private one.
    await ctx.dispatchers.checkDownload(u, signal);
    const started = Date.now();
    const res = await send(ctx.dispatchers, u, {
      method: 'GET',
      // Pre-signed URLs, possibly on another host: no Authorization header, ever.
      headers: { accept: ACCEPT, 'accept-encoding': 'identity', 'user-agent': ctx.userAgent },
      timeoutMs: ctx.timeoutMs,
      signal,
      userSignal,
      op: 'download',
    });
    ctx.log('debug', `GET ${describeUrl(u)} -> ${res.statusCode} (${Date.now() - started} ms)`);
    const location = headerRecord(res.headers).location;
    if (!REDIRECTS.has(res.statusCode) || typeof location !== 'string') return { res, url: u };
    res.body.resume(); // nothing in a redirect's body is wanted
    res.body.on('error', () => undefined);
    if (hop >= MAX_REDIRECTS) {
      throw downloadError(words('download.tooManyRedirects', MAX_REDIRECTS), false);
    }
    let next: URL;
    try {
      next = new URL(location, u);
    } catch {
      throw downloadError(words('download.badRedirect'), false);
    }
    checkResultHop(next, ctx.trustedHosts ?? new Set(), false);
    ctx.log('debug', `${describeUrl(u)} redirects to ${describeUrl(next)}`);
    u = next;
  }
}

async function attempt(ctx: DownloadContext, u: URL, destDir: string, baseName: string, signal?: AbortSignal): Promise<DownloadedImage> {
  const limits = ctx.limits ?? DEFAULT_DOWNLOAD_LIMITS;
  // Pictor's own limits abort through a signal of their own; the user's cancel stays a cancel.
  const guard = new AbortController();
  let tooSlow: Words | undefined;
  const stop = (why: Words) => {
    tooSlow ??= why;
    guard.abort();
  };
  const deadline = setTimeout(
    () => stop(words('download.deadline', seconds(limits.deadlineMs))),
    limits.deadlineMs,
  );
  let windowBytes = 0;
  let rate: NodeJS.Timeout | undefined;
  const combined = signal ? AbortSignal.any([signal, guard.signal]) : guard.signal;
  try {
    let res;
    try {
      ({ res } = await fetchFollowing(ctx, u, combined, signal));
    } catch (e) {
      if (tooSlow && !signal?.aborted) throw downloadError(tooSlow, true);
      throw e;
    }
    rate = setInterval(() => {
      const min = (limits.minBytesPerSecond * limits.windowMs) / 1000;
      if (windowBytes < min) {
        stop(words('download.tooSlow', windowBytes, seconds(limits.windowMs), limits.minBytesPerSecond));
      }
      windowBytes = 0;
    }, limits.windowMs);
    return await receive(ctx, res, destDir, baseName, signal, (n) => (windowBytes += n), () => tooSlow);
  } finally {
    clearTimeout(deadline);
    clearInterval(rate);
  }
}

async function receive(
  ctx: DownloadContext,
  res: Awaited<ReturnType<typeof send>>,
  destDir: string,
  baseName: string,
  signal: AbortSignal | undefined,
  progress: (bytes: number) => void,
  tooSlow: () => Words | undefined,
): Promise<DownloadedImage> {
  const headers = headerRecord(res.headers);
  const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await readText(res.body, 64 * 1024).catch(() => undefined);
    const d = describeStatus(res.statusCode);
    throw downloadError(d.text, d.retryable, res.statusCode);
  }

  const temp = path.join(destDir, `.${baseName}.${randomBytes(6).toString('hex')}.part`);
  let head: Buffer = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0);
  let bytes = 0;
  let diskError: NodeJS.ErrnoException | undefined;
  let tooBig = false;
  // pipeline() destroys every stream with the first error, so the file stream reports the
  // network's failure too; only a failure that did not come from the body is the disk's.
  let bodyFailed = false;
  // Open the file before reading the body: a stream that opens lazily could create the file
  // after a failed body was already cleaned up, leaving a stray .part file in the user's folder.
  let handle: fs.promises.FileHandle;
  // The body may fail while the file opens; pipeline() below still sees that stored error.
  res.body.on('error', () => undefined);
  try {
    handle = await fs.promises.open(temp, 'wx');
  } catch (e) {
    res.body.destroy();
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw downloadError(checkFolder(words('download.cannotWrite', destDir, code)), false);
  }
  try {
    const out = handle.createWriteStream();
    out.on('error', (e) => (diskError = e));
    await pipeline(
      res.body,
      async function* (source: AsyncIterable<Buffer>) {
        try {
          for await (const chunk of source) {
            bytes += chunk.length;
            progress(chunk.length);
            if (bytes > MAX_DOWNLOAD_BYTES) {
              tooBig = true;
              throw new Error('too big');
            }
            if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
            tail = chunk.length >= TAIL_BYTES ? chunk.subarray(-TAIL_BYTES) : Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
            yield chunk;
          }
        } catch (e) {
          bodyFailed = true;
          throw e;
        }
      },
      out,
    );
  } catch (err) {
    await handle.close().catch(() => undefined);
    await removeQuietly(temp);
    if (signal?.aborted) throw classifyError(err, 'download', '', signal);
    const slow = tooSlow();
    if (slow) throw downloadError(words('download.nothingSaved', slow), true);
    if (diskError && !bodyFailed) {
      throw downloadError(checkFolder(words('download.cannotWrite', destDir, diskError.code ?? diskError.message)), false);
    }
    if (tooBig) throw downloadError(words('download.tooBig', MAX_DOWNLOAD_BYTES), false);
    const code = (err as { code?: unknown })?.code;
    throw downloadError(typeof code === 'string' ? words('download.brokeOffCode', bytes, code) : words('download.brokeOff', bytes), true);
  }

  try {
    const expected = Number(headers['content-length']);
    if (headers['content-length'] !== undefined && Number.isFinite(expected) && expected !== bytes) {
      throw downloadError(words('download.cutShort', bytes, expected), true);
    }
    const info = imageInfo(head);
    if (!info) throw downloadError(describeBody(head, contentType, bytes), true);
    if (!isCompleteImage(info.type, head, tail, bytes)) {
      throw downloadError(words('download.incomplete', info.type.toUpperCase(), bytes), true);
    }
    let finalPath: string;
    try {
      finalPath = await placeWithoutOverwrite(temp, destDir, baseName, extensionOf(info.type));
    } catch (e) {
      if (e instanceof PictorError) throw e;
      throw downloadError(checkFolder(words('download.cannotSave', destDir, (e as NodeJS.ErrnoException).code ?? 'error')), false);
    }
    ctx.log('info', `Saved ${path.basename(finalPath)} (${info.type} ${info.width}×${info.height}, ${bytes} bytes)`);
    return { path: finalPath, type: info.type, width: info.width, height: info.height, bytes };
  } finally {
    await removeQuietly(temp);
  }
}
