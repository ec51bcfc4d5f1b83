// Shared by the unit suites: a queue made for a test (and disposed after it), and a wait on a condition.
import { promises as fs } from 'node:fs';
import { JobQueue, type JobEvent, type QueueOptions, type TaskClient, type TaskStore } from '../../src/core/jobs';

const queues: JobQueue[] = [];

/** A queue with test-sized poll intervals whose events and log lines are collected; disposeQueues() ends it. */
export function makeQueue(client: TaskClient, store: TaskStore, opts: Partial<QueueOptions> = {}): { q: JobQueue; events: JobEvent[]; logs: string[] } {
  const logs: string[] = [];
  const q = new JobQueue({ client, store, minPollMs: 10, maxPollMs: 30, timeoutMinutes: 1, log: (_level, msg) => logs.push(msg), ...opts });
  const events: JobEvent[] = [];
  q.onEvent((e) => events.push(e));
  queues.push(q);
  return { q, events, logs };
}

/** Disposes every queue makeQueue made (an afterEach of the suites that use it). */
export function disposeQueues(): void {
  while (queues.length) queues.pop()!.dispose();
}

/** Resolves once `cond` holds; fails naming `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

/** Runs `fn` counting every FileHandle.read in this process (a disk scan's only way to the file). */
export async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; reads: number; bytes: number }> {
  const probe = await fs.open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const original = proto.read;
  let reads = 0;
  let bytes = 0;
  proto.read = async function (this: unknown, ...args: unknown[]) {
    reads++;
    const r = await original.apply(this, args);
    bytes += r.bytesRead;
    return r;
  };
  try {
    return { value: await fn(), reads, bytes };
  } finally {
    proto.read = original;
  }
}
