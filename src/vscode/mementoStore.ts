// The queue's persistence in the workspace Memento: every task id survives a reload or a crash.
import type * as vscode from 'vscode';
import type { JobRecord, TaskStore } from '../core/store';

const KEY = 'pictor.jobs.v1';

export class MementoTaskStore implements TaskStore {
  // Writes are chained so two quick saves cannot interleave and lose one.
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly memento: vscode.Memento) {}

  async load(): Promise<JobRecord[]> {
    return Object.values(this.memento.get<Record<string, JobRecord>>(KEY, {}));
  }

  save(rec: JobRecord): Promise<void> {
    return this.enqueue((all) => { all[rec.id] = rec; });
  }

  remove(id: string): Promise<void> {
    return this.enqueue((all) => { delete all[id]; });
  }

  /** Pruned history goes in one write, not one write per record. */
  removeMany(ids: readonly string[]): Promise<void> {
    return this.enqueue((all) => { for (const id of ids) delete all[id]; });
  }

  private enqueue(change: (all: Record<string, JobRecord>) => void): Promise<void> {
    const next = this.chain.then(async () => {
      const all = { ...this.memento.get<Record<string, JobRecord>>(KEY, {}) };
      change(all);
      await this.memento.update(KEY, all);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
