// Claims keep one placeholder from being billed twice: by a double click, by "Generate all" while
// one runs, or by a second VS Code window on the same file. A claim is a file created with O_EXCL
// in a folder every window of the profile shares, so the file system decides who got there first.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';

const UNREADABLE_GRACE_MS = 5_000;

export interface ClaimInfo {
  /** Who holds it: the job id. */
  owner: string;
  pid: number;
  at: number;
}

export class ClaimRegistry {
  /**
   * @param dir  a folder shared by every window (e.g. the extension's global storage).
   * @param staleMs  a claim older than this is considered abandoned (its window died without
   *   releasing it); keep it above the longest time a task may legitimately run.
   */
  constructor(private readonly dir: string, private readonly staleMs: number, private readonly now: () => number = Date.now) {}

  /** The claim file's name for a key (document path + placeholder text): a hash, safe on every file system. */
  private file(key: string): string {
    return path.join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 32) + '.claim');
  }

  /** Takes the claim for `key`; false when someone else holds a live claim. */
  async acquire(key: string, owner: string): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(key);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(file, 'wx');
        try {
          await fh.writeFile(JSON.stringify({ owner, pid: process.pid, at: this.now() } satisfies ClaimInfo));
        } finally {
          await fh.close();
        }
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const held = await this.read(file);
        if (held?.owner === owner) return true;
        if (held && this.now() - held.at < this.staleMs) return false;
        // An unreadable claim may be one another window is writing this very moment: only one
        // that has stayed unreadable for a while was left half-written by a process that died.
        if (!held && (await this.ageMs(file)) < UNREADABLE_GRACE_MS) return false;
        // Abandoned: take it over once.
        await rm(file, { force: true });
      }
    }
    return false;
  }

  /** Releases the claim if `owner` holds it. */
  async release(key: string, owner: string): Promise<void> {
    const file = this.file(key);
    const held = await this.read(file);
    if (held?.owner === owner) await rm(file, { force: true });
  }

  /** Who holds `key`, if the claim is live. */
  async holder(key: string): Promise<ClaimInfo | undefined> {
    const held = await this.read(this.file(key));
    return held && this.now() - held.at < this.staleMs ? held : undefined;
  }

  private async ageMs(file: string): Promise<number> {
    try {
      return Date.now() - (await stat(file)).mtimeMs;
    } catch {
      return Infinity;
    }
  }

  private async read(file: string): Promise<ClaimInfo | undefined> {
    try {
      const v = JSON.parse(await readFile(file, 'utf8')) as ClaimInfo;
      return typeof v.owner === 'string' && typeof v.at === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }
}
