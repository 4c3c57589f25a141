/** Runs work once per key for the whole run; later callers share the first caller's promise.
 * This is how each blob crosses the wire at most once, and how pushes of one digest into one
 * repository are serialised (the registry races on concurrent pushes: docs/harbor.md §9). */
export class OncePerKey<T> {
  private readonly entries = new Map<string, Promise<T>>();

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Started (and not failed) for this key. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Known without the work (a project this run created exists). */
  settle(key: string, value: T): void {
    this.entries.set(key, Promise.resolve(value));
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

/** OncePerKey per repository, so that what a repository needed is dropped once it is done: the
 * run's memory then follows the repositories in flight, not every tag the run has seen. */
export class OncePerRepository<T> {
  private readonly groups = new Map<string, OncePerKey<T>>();

  run(repository: string, key: string, work: () => Promise<T>): { promise: Promise<T>; first: boolean } {
    let group = this.groups.get(repository);
    if (!group) {
      group = new OncePerKey<T>();
      this.groups.set(repository, group);
    }
    return group.run(key, work);
  }

  forget(repository: string): void {
    this.groups.delete(repository);
  }
}
