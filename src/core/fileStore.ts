// A TaskStore in a folder of small JSON files, one per job (the `pictor` command's and the agent
// server's, under the per-user state folder; tests and the demo too). Several processes share one
// store (two `pictor fill` runs, a run and `pictor mcp`): a save writes only its own job's file, to a
// temp file renamed over the old one, so no process ever rewrites another's records — nothing to lock,
// and a crash mid-write leaves the previous version intact. Load reads the folder; remove unlinks.
//
// The store is named by the path of the one JSON file older versions wrote (`tasks.json`); its folder
// is that path without `.json` (`tasks/`). An old file found there is moved into the folder once.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { KeyedQueue } from './keyedQueue';
import { checkedMeta, type JobRecord, type TaskStore } from './store';

/** One job's file. `order` keeps load in the order jobs were first saved (ids are random). */
interface RecordShape {
  version: 2;
  order: number;
  job: JobRecord;
}

/** The one file of older versions. */
interface LegacyShape {
  version: 1;
  jobs: JobRecord[];
}

export interface FileTaskStoreOptions<M = unknown> {
  /**
   * Told when a file could not be parsed and was moved aside (its jobs are then not loaded). Without
   * it the process gets a warning (process.emitWarning): a corrupt store is never passed over in silence.
   */
  onCorrupt?: (backupPath: string, error: Error) => void;
  /**
   * The check of each job's meta as it is read from the file, which could hold anything (another
   * tool, another version): a record whose meta fails it is loaded without its meta. Given, the store
   * is a `TaskStore<M>` for a `JobQueue<M>`; without it, meta stays `unknown`.
   */
  meta?: (v: unknown) => v is M;
}

// Writes of one job's file from this process go one after another (the last save wins, as called);
// writes of different jobs, and of other processes, never touch the same file.
const byFile = new KeyedQueue();

// Sub-millisecond and increasing within a process; across processes, the time of the first save.
let lastOrder = 0;
function nextOrder(): number {
  lastOrder = Math.max(lastOrder + 0.001, performance.timeOrigin + performance.now());
  return lastOrder;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class FileTaskStore<M = unknown> implements TaskStore<M> {
  /** The older versions' single file (read once and moved into the folder). */
  readonly filePath: string;
  /** The folder of job files. */
  readonly dir: string;
  private readonly orders = new Map<string, number>();
  private ready: Promise<void> | undefined;

  constructor(filePath: string, private readonly opts: FileTaskStoreOptions<M> = {}) {
    this.filePath = path.resolve(filePath);
    this.dir = /\.json$/i.test(this.filePath) ? this.filePath.slice(0, -'.json'.length) : `${this.filePath}.d`;
  }

  async load(): Promise<JobRecord<M>[]> {
    await this.prepare();
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const found: RecordShape[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      // Each file is read under its own turn: a save of this process is never read half-renamed.
      const r = await byFile.run(file, () => this.readRecord(file));
      if (r) found.push(r);
    }
    found.sort((a, b) => a.order - b.order);
    for (const r of found) this.orders.set(r.job.id, r.order);
    const jobs = found.map((r) => r.job);
    const isMeta = this.opts.meta;
    // Without a check the store makes no claim about meta: M is `unknown` then.
    return isMeta ? jobs.map((j) => checkedMeta(j, isMeta)) : (jobs as JobRecord<M>[]);
  }

  save(rec: JobRecord<M>): Promise<void> {
    // Copied now: the caller keeps mutating the record while the write waits its turn.
    const copy = JSON.parse(JSON.stringify(rec)) as JobRecord;
    const file = this.fileOf(copy.id);
    // Its place in the order is taken as save is called: jobs saved at once load in the order they were saved.
    const reserved = this.orders.get(copy.id) ?? nextOrder();
    return this.prepare().then(() => byFile.run(file, async () => {
      let order = this.orders.get(copy.id);
      if (order === undefined) {
        // Saved before by another store object or process: keep its place in the order.
        order = (await this.readRecord(file, true))?.order ?? reserved;
        this.orders.set(copy.id, order);
      }
      await this.write(file, { version: 2, order, job: copy });
    }));
  }

  remove(id: string): Promise<void> {
    const file = this.fileOf(id);
    return this.prepare().then(() => byFile.run(file, async () => {
      this.orders.delete(id);
      await fs.rm(file, { force: true });
    }));
  }

  /** A job's file: its id when that is a plain name, else a digest of it. */
  private fileOf(id: string): string {
    const name = /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : `h-${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
    return path.join(this.dir, `${name}.json`);
  }

  /** Once per store object, before its first operation: leftovers removed, an old single file moved in. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await this.cleanUp(path.dirname(this.filePath), new RegExp(`^${escape(path.basename(this.filePath))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`));
      await this.cleanUp(this.dir, /^[^.]+\.json\.(\d+)\.[0-9a-f]+\.tmp$/);
      await this.migrate();
    })();
    return this.ready;
  }

  /**
   * Removes the temporary files of writes that a killed process never finished (`<name>.<pid>.<random>.tmp`
   * whose name `tmp` matches). A live process's file is left alone, this one's too: another store object
   * of this process may be mid-write (a failed write removes its own).
   */
  private async cleanUp(dir: string, tmp: RegExp): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = tmp.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || pidAlive(pid)) continue;
      await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
    }
  }

  /**
   * The single file of an older version, moved into the folder: each of its jobs written unless the
   * folder already holds that job (a newer save), then the file removed. Two processes doing this at
   * once write the same records; neither overwrites a newer one.
   */
  private async migrate(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let jobs: JobRecord[];
    try {
      const parsed = JSON.parse(text) as Partial<LegacyShape>;
      if (!parsed || !Array.isArray(parsed.jobs)) throw new Error('no "jobs" array');
      jobs = parsed.jobs.filter((j) => j && typeof j.id === 'string');
    } catch (e) {
      await this.setAside(this.filePath, e as Error);
      return;
    }
    for (const job of jobs) await this.write(this.fileOf(job.id), { version: 2, order: nextOrder(), job }, true);
    await fs.rm(this.filePath, { force: true });
  }

  /** A job's file, or undefined when it is not there (or was corrupt: then set aside, unless `quiet`). */
  private async readRecord(file: string, quiet = false): Promise<RecordShape | undefined> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as Partial<RecordShape>;
      if (!parsed?.job || typeof parsed.job.id !== 'string') throw new Error('no job in the file');
      return { version: 2, order: typeof parsed.order === 'number' ? parsed.order : 0, job: parsed.job };
    } catch (e) {
      if (!quiet) await this.setAside(file, e as Error);
      return undefined;
    }
  }

  /** Keeps a broken file for a human to look at, but does not let it stop new tasks. */
  private async setAside(file: string, error: Error): Promise<void> {
    const backup = `${file}.corrupt-${Date.now()}`;
    try {
      await fs.rename(file, backup);
    } catch (e) {
      // Another process set it aside (or replaced it) first.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (this.opts.onCorrupt) this.opts.onCorrupt(backup, error);
    else process.emitWarning(`The task store ${file} could not be read (${error.message}); it was moved to ${backup} and Pictor starts without the tasks it held.`, 'PictorStoreWarning');
  }

  /** Writes a job's file whole: a temp file, synced, renamed over it (or, `ifAbsent`, linked only where none is). */
  private async write(file: string, data: RecordShape, ifAbsent = false): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(data, null, 1), 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      if (ifAbsent) {
        await fs.link(tmp, file).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        await fs.rm(tmp, { force: true });
      } else await renameWithRetry(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }
}

// On Windows a rename over a file another process has open (an indexer, an
// antivirus, a reader) fails for a moment with EPERM/EBUSY/EACCES.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 8 || !(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES')) throw e;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
