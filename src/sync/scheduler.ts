// Work that produces more work: expanding a repository schedules its tags, a migrated tag
// schedules its signatures. Work added with a key runs once per key; drain() waits until nothing
// is left running, including work scheduled while waiting.
export class Scheduler<T> {
  private readonly seen = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly results: T[] = [];

  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Runs `work` unless `key` ran before; false when it was a repeat. */
  add(key: string, work: () => Promise<T | undefined>): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.run(work);
    return true;
  }

  /** Runs `work`; the caller knows it is not a repeat. */
  run(work: () => Promise<T | undefined>): void {
    const task = work().then((value) => {
      if (value !== undefined) this.results.push(value);
    });
    this.running.add(task);
    void task.finally(() => this.running.delete(task)).catch(() => undefined);
  }

  /** Waits for everything running, and returns the results gathered since the last drain. */
  async drain(): Promise<T[]> {
    while (this.running.size > 0) await Promise.all(this.running);
    return this.results.splice(0);
  }
}
