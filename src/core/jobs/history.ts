// Finished jobs are history: kept within their limits (age and count) in memory and in the store,
// so a save or a list() does not cost more as the months go by. (The panel's 200-entry generation
// history is another thing, kept by the VS Code side.)

import type { JobRecord } from '../store';
import type { QueueCore } from './queueState';
import { isHistory, pruneList } from './resume';

export class History<M> {
  constructor(private readonly core: QueueCore<M>, private readonly dropPending: (id: string) => void, private readonly onForget: (id: string) => void) {}

  /** Forgets a job in memory: timers stop, requests abort, waiters settle. */
  forget(job: JobRecord<M>): void {
    const core = this.core;
    const rt = core.rts.get(job.id);
    if (rt) {
      clearTimeout(rt.timer);
      rt.ctrl.abort();
    }
    core.rts.delete(job.id);
    core.jobs.delete(job.id);
    this.onForget(job.id);
    this.dropPending(job.id);
    core.settle(job);
    this.discard([job]);
  }

  /**
   * Jobs forgotten for good: the files they left unplaced (in the glue's staging folder) go, unless
   * a job still known names them too.
   */
  discard(gone: readonly JobRecord<M>[]): void {
    const hook = this.core.discardFn;
    if (!hook) return;
    const named = new Set([...this.core.jobs.values()].flatMap((j) => (j.files ?? []).map((f) => f.path)));
    const files = [...new Set(gone.flatMap((j) => (j.files ?? []).filter((f) => !f.placed).map((f) => f.path)))].filter((f) => !named.has(f));
    if (!files.length) return;
    void hook(files).catch((e: unknown) => {
      this.core.log('warn', `could not remove ${files.length} staged file(s) of forgotten task(s): ${(e as Error)?.message ?? String(e)}`);
    });
  }

  /** Forgets records in the store, in one write where the store can. */
  async forgetStored(ids: string[]): Promise<void> {
    const store = this.core.store;
    try {
      if (store.removeMany) await store.removeMany(ids);
      else for (const id of ids) await store.remove(id);
    } catch (e) {
      this.core.log('warn', `could not forget ${ids.length} old task(s): ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** Removes finished jobs (not ones still watched in the background) that ended before now - olderThanMs. */
  async prune(olderThanMs: number): Promise<number> {
    const limit = this.core.now() - olderThanMs;
    const old = [...this.core.jobs.values()].filter((j) => isHistory(j) && (j.finishedAt ?? j.createdAt) < limit);
    for (const j of old) this.forget(j);
    if (old.length) await this.forgetStored(old.map((j) => j.id));
    return old.length;
  }

  /** After a job ended: beyond the limits, the oldest history goes. Cheap while within them. */
  trim(): void {
    const core = this.core;
    const { maxCount, maxAgeMs } = core.pruneLimits;
    const history = [...core.jobs.values()].filter(isHistory);
    const now = core.now();
    if (history.length <= maxCount && !history.some((j) => now - (j.finishedAt ?? j.createdAt) > maxAgeMs)) return;
    const ids = pruneList(history, now, core.pruneLimits);
    for (const id of ids) this.forget(core.jobs.get(id)!);
    if (ids.length) void this.forgetStored(ids);
  }
}
