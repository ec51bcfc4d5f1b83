// Runs operations one after another per key (a file, a document): two writers of one thing never
// interleave their read-modify-write cycles. A failed operation does not stop the ones after it;
// its caller gets its error. Keys with nothing queued are forgotten.

export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `op` once every operation queued before it under `key` has settled; settles as `op` does. */
  run<T>(key: string, op: () => T | Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(op);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Settles (never rejects) once everything queued under `key` so far has settled. */
  idle(key: string): Promise<void> {
    return this.tails.get(key) ?? Promise.resolve();
  }

  /** How many keys have operations queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }
}

/** One queue: operations run one after another, in the order they were queued. */
export class SerialQueue {
  private readonly queue = new KeyedQueue();

  run<T>(op: () => T | Promise<T>): Promise<T> {
    return this.queue.run('', op);
  }

  /** Settles (never rejects) once everything queued so far has settled. */
  idle(): Promise<void> {
    return this.queue.idle('');
  }
}
