// A TaskStore in one JSON file, for tests and the demo (the extension may use
// it too, under its storage folder). Every write goes to a temp file that is
// then renamed over the old one, so a crash mid-write leaves the previous
// version intact rather than half a JSON file and lost task ids.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeyedQueue } from './keyedQueue';
import { checkedMeta, type JobRecord, type TaskStore } from './store';

interface FileShape {
  version: 1;
  jobs: JobRecord[];
}

export interface FileTaskStoreOptions<M = unknown> {
  /**
   * Told when the file could not be parsed and was moved aside (the store then starts empty). Without
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

// Several store objects in one process may point at the same file (a queue
// disposed and a new one started on it): chaining by path keeps their
// read-modify-write cycles from interleaving and undoing each other.
const byFile = new KeyedQueue();

function serialize<T>(file: string, op: () => Promise<T>): Promise<T> {
  return byFile.run(file, op);
}

export class FileTaskStore<M = unknown> implements TaskStore<M> {
  readonly filePath: string;

  constructor(filePath: string, private readonly opts: FileTaskStoreOptions<M> = {}) {
    this.filePath = path.resolve(filePath);
  }

  load(): Promise<JobRecord<M>[]> {
    return serialize(this.filePath, async () => {
      await this.cleanUp();
      const { jobs } = await this.read();
      const isMeta = this.opts.meta;
      // Without a check the store makes no claim about meta: M is `unknown` then.
      return isMeta ? jobs.map((j) => checkedMeta(j, isMeta)) : (jobs as JobRecord<M>[]);
    });
  }

  private cleaned = false;

  /**
   * Once, on the first load: removes the temporary files of writes that a killed process never
   * finished (`<file>.<pid>.<random>.tmp`). A live process's file is left alone: it may be mid-write.
   * Runs inside serialize, so no write of this process is in flight.
   */
  private async cleanUp(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    const dir = path.dirname(this.filePath);
    const prefix = `${path.basename(this.filePath)}.`;
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null;
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid !== process.pid && pidAlive(pid)) continue;
      await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
    }
  }

  save(rec: JobRecord<M>): Promise<void> {
    // Copied now: the caller keeps mutating the record while the write waits its turn.
    const copy = JSON.parse(JSON.stringify(rec)) as JobRecord;
    return serialize(this.filePath, async () => {
      const data = await this.read();
      const i = data.jobs.findIndex((j) => j.id === copy.id);
      if (i >= 0) data.jobs[i] = copy;
      else data.jobs.push(copy);
      await this.write(data);
    });
  }

  remove(id: string): Promise<void> {
    return serialize(this.filePath, async () => {
      const data = await this.read();
      const kept = data.jobs.filter((j) => j.id !== id);
      if (kept.length !== data.jobs.length) await this.write({ version: 1, jobs: kept });
    });
  }

  private async read(): Promise<FileShape> {
    let text: string;
    try {
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, jobs: [] };
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as Partial<FileShape>;
      if (!parsed || !Array.isArray(parsed.jobs)) throw new Error('no "jobs" array');
      return { version: 1, jobs: parsed.jobs.filter((j) => j && typeof j.id === 'string') };
    } catch (e) {
      // Keep the broken file for a human to look at, but do not let it stop new tasks.
      const backup = `${this.filePath}.corrupt-${Date.now()}`;
      await fs.rename(this.filePath, backup);
      const error = e as Error;
      if (this.opts.onCorrupt) this.opts.onCorrupt(backup, error);
      else process.emitWarning(`The task store ${this.filePath} could not be read (${error.message}); it was moved to ${backup} and Pictor starts with no stored tasks.`, 'PictorStoreWarning');
      return { version: 1, jobs: [] };
    }
  }

  private async write(data: FileShape): Promise<void> {
    await fs.mkdir(path.dirname(this.filePath), { recursive: true });
    const tmp = `${this.filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(data, null, 1), 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await renameWithRetry(tmp, this.filePath);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }
}

// On Windows a rename over a file another process has open (an indexer, an
// antivirus) fails for a moment with EPERM/EBUSY/EACCES.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 5 || !(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES')) throw e;
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
