// Claims keep one placeholder from being billed twice: by a double click, by "Generate all" while
// one runs, by a second VS Code window on the same file, or by another face of Pictor (the terminal
// command, the agent server). A claim is a file created with O_EXCL in the per-user folder every face
// shares (stateDir.ts), so the file system decides who got there first. Its key is the page's real
// path and the placeholder as written (placeholderClaimKey), so every face names it alike.
//
// A claim left by a window that died is taken over, and that must be decided by the file system too:
// the one window that creates the takeover mark named after that very claim (O_EXCL again) replaces
// it, by a rename, so there is never a moment without a claim file in which a third window could
// create one. Any error while claiming means "not acquired": when in doubt, nothing is sent.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';

const UNREADABLE_GRACE_MS = 5_000;

/**
 * A claim older than this was left by a face that died: a day, the life of a task's results. Every
 * face judges claims by this one figure, or one with a shorter figure would take over a live claim.
 */
export const CLAIM_STALE_MS = 24 * 60 * 60 * 1000;

export interface ClaimInfo {
  /** Who holds it: the job id. */
  owner: string;
  pid: number;
  at: number;
  /** The computer it was taken on (a state folder may be shared, e.g. a mounted home): its pid means something only there. Absent in claims of Pictor 0.2. */
  host?: string;
}

export interface ClaimOptions {
  /** Told about errors that made an acquire or release fail (the claim then counts as not acquired). */
  onError?: (e: Error) => void;
  /** Whether a process is alive (the default asks the OS); a claim of a dead process is an orphan. */
  pidAlive?: (pid: number) => boolean;
  /** This computer's name (os.hostname() by default): see ClaimInfo.host. */
  host?: string;
}

/**
 * The real path of a page, as every face names it: symbolic links resolved, and the case as the file
 * system reports it (where it ignores case). A page not on disk (yet) is named by its folder's real
 * path; when even that fails, by its absolute path as given.
 */
export async function realPagePath(file: string): Promise<string> {
  const abs = path.resolve(file);
  try {
    return await realpath(abs);
  } catch {
    try {
      return path.join(await realpath(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/** The claim key of a placeholder: its page's real path (see realPagePath) and its text as written, e.g. `![a fox]()`. */
export function claimKey(realPath: string, source: string): string {
  return `${realPath}|${source}`;
}

/** The claim key of the placeholder `source` in the page at `file` (any path to it: see realPagePath). */
export async function placeholderClaimKey(file: string, source: string): Promise<string> {
  return claimKey(await realPagePath(file), source);
}

export class ClaimRegistry {
  /**
   * @param dir  a folder shared by every window and face (claimsDir() in stateDir.ts).
   * @param staleMs  a claim older than this is considered abandoned (its window died without
   *   releasing it); keep it above the longest time a task may legitimately run.
   */
  constructor(
    private readonly dir: string,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
    private readonly opts: ClaimOptions = {},
  ) {}

  /** The claim file's name for a key (document path + placeholder text): a hash, safe on every file system. */
  private file(key: string): string {
    return path.join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 32) + '.claim');
  }

  /** Takes the claim for `key`; false when someone else holds a live claim, or when claiming failed. */
  async acquire(key: string, owner: string): Promise<boolean> {
    return (await this.claim(key, owner)).result === 'acquired';
  }

  /** Like acquire, telling a claim held elsewhere apart from one that could not be taken (with why). */
  async claim(key: string, owner: string): Promise<{ result: 'acquired' | 'held' } | { result: 'failed'; error: Error }> {
    try {
      return { result: (await this.tryAcquire(this.file(key), owner)) ? 'acquired' : 'held' };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.opts.onError?.(error);
      return { result: 'failed', error };
    }
  }

  private async tryAcquire(file: string, owner: string): Promise<boolean> {
    // Only this user may read what is being generated where (mode 0700, as the XDG spec asks).
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const mine = (): ClaimInfo => ({ owner, pid: process.pid, at: this.now(), host: this.host });
    if (await createExclusive(file, JSON.stringify(mine()))) return true;
    const held = await this.read(file);
    if (held?.owner === owner) {
      // Ours already (a resume after a reload): now held by this process.
      if (held.pid !== process.pid) await this.replaceIf(file, held, mine());
      return true;
    }
    if (held && this.now() - held.at < this.staleMs) return false;
    // An unreadable claim may be one another window is writing this very moment: only one
    // that has stayed unreadable for a while was left half-written by a process that died.
    if (!held && (await this.ageMs(file)) < UNREADABLE_GRACE_MS) return false;
    return this.replaceIf(file, held ?? (await this.fingerprint(file)), mine());
  }

  /**
   * Replaces the claim in `file` with `next` if it is still `seen` (a claim read, or the fingerprint of
   * an unreadable one). Only the window that creates the takeover mark for `seen` may; the mark is
   * removed afterwards, and a late window that then creates it finds another claim and gives up.
   */
  private async replaceIf(file: string, seen: ClaimInfo | string | undefined, next: ClaimInfo | undefined): Promise<boolean> {
    if (seen === undefined) return false;
    const id = typeof seen === 'string' ? seen : `${seen.owner}|${seen.pid}|${seen.at}`;
    const mark = `${file}.${createHash('sha256').update(id).digest('hex').slice(0, 16)}.takeover`;
    if (!(await createExclusive(mark, String(process.pid)))) return false;
    try {
      const now = await this.read(file);
      const same = typeof seen === 'string'
        ? !now && (await this.fingerprint(file)) === seen
        : now !== undefined && now.owner === seen.owner && now.pid === seen.pid && now.at === seen.at;
      if (!same) return false;
      if (!next) {
        await rm(file, { force: true });
        return true;
      }
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify(next), { mode: 0o600 });
      await rename(tmp, file);
      return true;
    } finally {
      await rm(mark, { force: true });
    }
  }

  private get host(): string {
    return this.opts.host ?? hostname();
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

  /**
   * At start: releases every claim whose process is gone and that no live job owns (a reload between
   * claiming and sending would otherwise block its placeholder until the claim goes stale). A claim
   * taken on another computer is left to go stale: whether its process lives cannot be told here. Also
   * removes takeover marks and temporary files a killed process left. Returns how many claims went.
   */
  async releaseOrphans(ownedByLiveJob: (owner: string) => boolean): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    const alive = this.opts.pidAlive ?? pidAlive;
    let released = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        if (name.endsWith('.takeover') || name.endsWith('.tmp')) {
          // A mark lives for the few milliseconds of a takeover: an old one was left by a killed process.
          if ((await this.ageMs(file)) > 60_000) await rm(file, { force: true });
          continue;
        }
        if (!name.endsWith('.claim')) continue;
        const held = await this.read(file);
        if (!held || ownedByLiveJob(held.owner) || (held.host !== undefined && held.host !== this.host)) continue;
        if (held.pid !== process.pid && alive(held.pid)) continue;
        if (await this.replaceIf(file, held, undefined)) released++;
      } catch (e) {
        this.opts.onError?.(e as Error);
      }
    }
    return released;
  }

  private async fingerprint(file: string): Promise<string | undefined> {
    try {
      const s = await stat(file);
      return `unreadable|${s.mtimeMs}|${s.size}|${s.ino}`;
    } catch {
      return undefined;
    }
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

/** Creates `file` with `text` unless it exists (O_EXCL); false when it did. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  return true;
}

/** Whether a process of this computer is alive (a claim's or a stored job's runner). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not yet reaped (a zombie) still answers signal 0, but runs nothing.
  return !zombie(pid);
}

function zombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // /proc/<pid>/stat: "pid (name) STATE …"; the name may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
