// One page is written by one face of Pictor at a time. A VS Code window links a page nobody is
// editing by an edit of its copy of the page and a save; an agent server or the terminal command
// writes the same file by a read, a compare and an atomic rename (filesWorkspace.ts). Each is safe on
// its own, but a save that lands between the other's read and rename, or a rename between the
// window's look at the file and its save, loses a link: VS Code refuses the save (the file is newer)
// and keeps the link in a hidden buffer. So every face takes the page's lock for the few milliseconds
// of its write: a lock file created with O_EXCL in the state folder every face shares (stateDir.ts
// pageLocksDir), by the same rules as the placeholder claims (claims.ts), named by the page's real path.
//
// A lock never blocks for long: one left by a face that died mid-write goes stale after
// PAGE_LOCK_STALE_MS, and a writer that waited WAIT_MS goes ahead without it (told so), on its own
// safety alone. Programs other than Pictor do not know these locks; the compare before the rename
// is what keeps their writes.
import { randomBytes } from 'node:crypto';
import { ClaimRegistry, realPagePath } from './claims';

/** A page lock older than this was left by a face that died while writing (a write takes milliseconds; a window's edit and save under load, a second or two). */
export const PAGE_LOCK_STALE_MS = 10_000;
/** How long a writer waits for another face's lock before it writes without one. */
const WAIT_MS = 12_000;
/** How often a waiting writer tries again. */
const RETRY_MS = 10;

export interface PageLockOptions {
  now?: () => number;
  waitMs?: number;
  /** Told when a lock could not be taken for an error (the write then goes ahead without it). */
  onError?: (e: Error) => void;
}

export class PageLocks {
  private readonly registry: ClaimRegistry;
  private readonly now: () => number;

  /** `dir`: a folder every face shares (stateDir.ts pageLocksDir). */
  constructor(dir: string, private readonly opts: PageLockOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.registry = new ClaimRegistry(dir, PAGE_LOCK_STALE_MS, this.now, { onError: opts.onError });
  }

  /**
   * Runs `op` holding the lock of the page at `file` (any path to it). `held` is false when another
   * face held it for longer than a write takes, or it could not be taken: `op` should then write only
   * in a way that is safe without it.
   */
  async hold<T>(file: string, op: (held: boolean) => Promise<T>): Promise<T> {
    const key = `page|${await realPagePath(file)}`;
    const owner = `${process.pid}.${randomBytes(6).toString('hex')}`;
    const deadline = this.now() + (this.opts.waitMs ?? WAIT_MS);
    let held = false;
    for (;;) {
      const r = await this.registry.claim(key, owner);
      if (r.result === 'acquired') {
        held = true;
        break;
      }
      if (r.result === 'failed' || this.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    try {
      return await op(held);
    } finally {
      if (held) await this.registry.release(key, owner).catch((e: Error) => this.opts.onError?.(e));
    }
  }
}
