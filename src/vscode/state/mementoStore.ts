// The queue's persistence in the workspace Memento: every task id survives a reload or a crash.
import type * as vscode from 'vscode';
import { checkedMeta, type JobRecord, type TaskStore } from '../../core/store';
import { isJobMeta, type JobMeta } from './jobMeta';

const KEY = 'pictor.jobs.v1';

interface Pending {
  change: (all: Record<string, JobRecord>) => void;
  resolve(): void;
  reject(e: unknown): void;
}

export class MementoTaskStore implements TaskStore<JobMeta> {
  // One write at a time, so two quick saves cannot interleave and lose one. The changes asked for
  // while a write is on its way go together in the next one: each update sends the whole state to
  // the window (a round trip), and a batch of 50 tasks saving one after another waited on every one.
  private pending: Pending[] = [];
  private writing = false;

  constructor(private readonly memento: vscode.Memento) {}

  /** What the workspace state holds could be anything (another version wrote it): each job's meta is checked. */
  async load(): Promise<JobRecord<JobMeta>[]> {
    return Object.values(this.memento.get<Record<string, JobRecord>>(KEY, {})).map((r) => checkedMeta(r, isJobMeta));
  }

  save(rec: JobRecord<JobMeta>): Promise<void> {
    return this.enqueue((all) => { all[rec.id] = rec; });
  }

  remove(id: string): Promise<void> {
    return this.enqueue((all) => { delete all[id]; });
  }

  /** Pruned history goes in one write, not one write per record. */
  removeMany(ids: readonly string[]): Promise<void> {
    return this.enqueue((all) => { for (const id of ids) delete all[id]; });
  }

  /** Settles once a write that holds this change has reached the Memento. */
  private enqueue(change: Pending['change']): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ change, resolve, reject });
      this.write();
    });
  }

  private write(): void {
    if (this.writing || !this.pending.length) return;
    this.writing = true;
    const batch = this.pending;
    this.pending = [];
    let done: Thenable<void>;
    try {
      const all = { ...this.memento.get<Record<string, JobRecord>>(KEY, {}) };
      for (const p of batch) p.change(all);
      done = this.memento.update(KEY, all);
    } catch (e) {
      done = Promise.reject(e);
    }
    void Promise.resolve(done).then(
      () => { for (const p of batch) p.resolve(); },
      (e: unknown) => { for (const p of batch) p.reject(e); },
    ).finally(() => {
      this.writing = false;
      this.write();
    });
  }
}
