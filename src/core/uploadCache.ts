// A reference image is uploaded once (issue 24 §1): its URL is kept by the file's content hash (and
// the file service it was sent to) and reused until the provider's expiry (72 hours) minus the task
// timeout, so a page of 30 placeholders with one style image uploads it once (the provider keeps
// about 100 files per account). Kept in the per-user state folder (stateDir.ts), shared by every face,
// each write atomic (a temporary file renamed over). Uploads of the same bytes at once in this
// process share one upload.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { UploadSource } from './api/upload';

/** How long the provider keeps an uploaded file (docs/provider-api.md, "Uploads (the file service)"). */
export const PROVIDER_FILE_HOURS = 72;
const MAX_ENTRIES = 500;

interface Entry {
  url: string;
  /** When it was uploaded (ms since the epoch). */
  at: number;
}

export class UploadCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    /** The cache's file, e.g. `<state folder>/uploads.json`. */
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The URL of the open file's bytes on `service`: a kept one younger than `maxAgeMs`, else `upload()`'s
   * (kept for next time). A cache that cannot be read or written only costs an upload.
   */
  async url(src: UploadSource, service: string, maxAgeMs: number, upload: () => Promise<string>): Promise<string> {
    const key = `${service} ${await contentHash(src)}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const kept = (await this.read())[key];
    if (kept && this.now() - kept.at < maxAgeMs && kept.at <= this.now()) return kept.url;
    const p = (async () => {
      const url = await upload();
      await this.put(key, { url, at: this.now() }, maxAgeMs).catch(() => undefined);
      return url;
    })();
    this.inflight.set(key, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async read(): Promise<Record<string, Entry>> {
    try {
      const raw = JSON.parse(await fs.readFile(this.file, 'utf8')) as unknown;
      const entries = (raw as { entries?: unknown } | null)?.entries;
      if (!entries || typeof entries !== 'object') return {};
      const out: Record<string, Entry> = {};
      for (const [k, v] of Object.entries(entries as Record<string, unknown>)) {
        const e = v as Partial<Entry> | null;
        if (e && typeof e.url === 'string' && typeof e.at === 'number' && /^https?:\/\//.test(e.url)) out[k] = { url: e.url, at: e.at };
      }
      return out;
    } catch {
      return {};
    }
  }

  /** Read, add, drop what expired, write atomically (another face may write meanwhile: last write wins, an upload at worst). */
  private async put(key: string, entry: Entry, maxAgeMs: number): Promise<void> {
    const entries = await this.read();
    entries[key] = entry;
    const now = this.now();
    const live = Object.entries(entries).filter(([, e]) => now - e.at < maxAgeMs).sort((a, b) => b[1].at - a[1].at).slice(0, MAX_ENTRIES);
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify({ version: 1, entries: Object.fromEntries(live) }), { mode: 0o600 });
      await fs.rename(tmp, this.file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }
}

/** How long a kept URL may be reused: the provider's expiry minus the task timeout (a task may read it that much later). */
export function reuseWindowMs(timeoutMs: number): number {
  return Math.max(0, PROVIDER_FILE_HOURS * 3600_000 - timeoutMs);
}

/** The SHA-256 of the open file's bytes, read at explicit positions (the upload reads it again from 0). */
export async function contentHash(src: UploadSource): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let at = 0; ;) {
    const { bytesRead } = await src.handle.read(buf, 0, buf.length, at);
    if (bytesRead === 0) break;
    h.update(buf.subarray(0, bytesRead));
    at += bytesRead;
  }
  return h.digest('hex');
}
