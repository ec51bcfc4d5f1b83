// The base of the glue classes that own listeners, emitters and collections: each is registered once
// where it is made, and dispose() drains them all, in the order they were registered. No `vscode`
// import (anything with a dispose() will do), so it is unit tested in plain Node.

export interface DisposableLike {
  dispose(): unknown;
}

export class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposed = false;

  /** Owns `items` from now on; after dispose() they are disposed at once. Returns the first. */
  protected register<T extends DisposableLike>(first: T, ...more: DisposableLike[]): T {
    for (const d of [first, ...more]) {
      if (this.disposed) d.dispose();
      else this.owned.push(d);
    }
    return first;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Disposes everything registered, once; a subclass with more to undo overrides this and calls super. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.owned.splice(0)) d.dispose();
  }
}
