/** Runs work once per key for the whole run; later callers share the first caller's promise.
 * This is how each blob crosses the wire at most once, and how pushes of one digest into one
 * repository are serialised (the registry races on concurrent pushes: docs/harbor.md §9). */
export class OncePerKey<T> {
  private readonly entries = new Map<string, Promise<T>>();

  /** Started (and not failed) for this key. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  run(key: string, work: () => Promise<T>): { promise: Promise<T>; first: boolean } {
    const existing = this.entries.get(key);
    if (existing) return { promise: existing, first: false };
    const promise = work();
    this.entries.set(key, promise);
    // A failure is not remembered: a later tag may try again.
    promise.catch(() => {
      if (this.entries.get(key) === promise) this.entries.delete(key);
    });
    return { promise, first: true };
  }
}
