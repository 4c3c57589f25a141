// Repositories in flight. A repository opens when its tags are listed and closes when its last
// tag (signatures included) is done; then what the run kept for it is dropped. At most `max` are
// open at once, and the catalog walk waits for room: the run's memory follows the repositories
// in flight, not the size of the catalog.

interface Open {
  holds: number;
}

export class OpenRepositories {
  private readonly max: number;
  private readonly onClose: (repository: string) => void;
  private readonly open = new Map<string, Open>();
  private readonly waiting: (() => void)[] = [];

  constructor(max: number, onClose: (repository: string) => void) {
    this.max = max;
    this.onClose = onClose;
  }

  /** Holds the repository open: at once when it already is, else when there is room. */
  async acquire(repository: string): Promise<void> {
    for (;;) {
      const current = this.open.get(repository);
      if (current) {
        current.holds += 1;
        return;
      }
      if (this.open.size < this.max) {
        this.open.set(repository, { holds: 1 });
        return;
      }
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  release(repository: string): void {
    const current = this.open.get(repository);
    if (!current) return;
    current.holds -= 1;
    if (current.holds > 0) return;
    this.open.delete(repository);
    this.onClose(repository);
    this.waiting.shift()?.();
  }
}
