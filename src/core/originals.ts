// The opaque originals of the images Pictor made transparent (issue 24 §1: "where that image was made
// transparent, its opaque original is the reference"). A keyed image's download is kept here, named by
// the SHA-256 of the image as placed (recipe and all); a reference whose bytes have a kept original is
// sent as that original, by every face (the queue's upload step), so the model sees the picture it
// drew, backdrop included, never a cut-out. One rule whoever asks: `styleFrom: first` in this batch, a
// first image linked by an earlier run, a page's `references:` naming it, Regenerate. The recipe keeps
// naming the image in the workspace. A file edited since (cropped, painted on) has other bytes and is
// sent as it is; so is one made on another machine, or whose original was dropped to stay in bounds.
// Kept in the per-user state folder (stateDir.ts), shared by every face; bounded by total size, the
// least recently used dropped first.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { UploadSource } from './api/upload';
import { openForReading } from './paths';
import { contentHash } from './uploadCache';

/** Enough for a hundred 1536×1024 downloads; beyond it the least recently used go. */
export const MAX_ORIGINAL_BYTES = 256 * 1024 * 1024;

export class OpaqueOriginals {
  constructor(
    /** The folder, e.g. `<state folder>/originals`. */
    readonly dir: string,
    private readonly maxBytes = MAX_ORIGINAL_BYTES,
  ) {}

  /**
   * Keeps `original` (the download before the look) as the opaque original of the image `made` (the
   * file exactly as it is placed). A failure only costs the reference its backdrop: it is swallowed.
   */
  async keep(made: string, original: string): Promise<boolean> {
    try {
      const hash = createHash('sha256').update(await fs.readFile(made)).digest('hex');
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const target = path.join(this.dir, `${hash}${path.extname(original).toLowerCase() || '.png'}`);
      const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.copyFile(original, tmp);
      await fs.rename(tmp, target);
      await this.trim(target);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The kept original of the open file's bytes, opened for its upload (the caller closes it), or
   * undefined when none is kept. Using it makes it the most recently used.
   */
  async open(src: UploadSource): Promise<UploadSource | undefined> {
    const file = await this.find(await contentHash(src));
    if (!file) return undefined;
    try {
      const handle = await openForReading(file);
      const now = new Date();
      await fs.utimes(file, now, now).catch(() => undefined);
      return { path: file, handle };
    } catch {
      return undefined;
    }
  }

  private async find(hash: string): Promise<string | undefined> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const name = names.find((n) => n.startsWith(`${hash}.`) && !n.endsWith('.tmp'));
    return name ? path.join(this.dir, name) : undefined;
  }

  /** Beyond maxBytes, the least recently used go (never `keep`, the one just kept). */
  private async trim(keep: string): Promise<void> {
    const names = await fs.readdir(this.dir);
    const files: { file: string; size: number; at: number }[] = [];
    for (const n of names) {
      const file = path.join(this.dir, n);
      const st = await fs.stat(file).catch(() => undefined);
      if (st?.isFile()) files.push({ file, size: st.size, at: file === keep ? Infinity : st.mtimeMs });
    }
    files.sort((a, b) => b.at - a.at);
    let total = 0;
    for (const f of files) {
      total += f.size;
      if (total > this.maxBytes && f.file !== keep) await fs.rm(f.file, { force: true }).catch(() => undefined);
    }
  }
}
