// Where this run put each blob, so that other repositories mount it rather than upload it again:
// an upload in flight is shared, a finished one is remembered. Bounded, least recently used
// forgotten first, so the run's memory does not grow with the number of blobs it has seen
// (docs/performance.md). A forgotten blob that a later repository needs is checked and uploaded
// again; the blobs shared most, base layers, are used all the time and so never forgotten.

const MAX_HOMES = 20_000;

export class BlobHomes {
  private readonly pending = new Map<string, Promise<string>>();
  private readonly homes = new Map<string, string>();
  private readonly max: number;

  constructor(max = MAX_HOMES) {
    this.max = max;
  }

  /** Uploaded, or being uploaded, by this run. */
  has(digest: string): boolean {
    return this.pending.has(digest) || this.homes.has(digest);
  }

  /** A repository found holding the blob without this run's upload (an audit's HEAD answered):
   * a repository that lacks it mounts from there. An upload's own home is never replaced. */
  note(digest: string, repository: string): void {
    if (this.pending.has(digest) || this.homes.has(digest)) return;
    this.homes.set(digest, repository);
    if (this.homes.size > this.max) this.homes.delete(this.homes.keys().next().value!);
  }

  /** The repository the blob is (or is being) uploaded to; `work` uploads it when nobody has. */
  run(digest: string, work: () => Promise<string>): { promise: Promise<string>; first: boolean } {
    const home = this.homes.get(digest);
    if (home !== undefined) {
      this.homes.delete(digest); // most recently used last
      this.homes.set(digest, home);
      return { promise: Promise.resolve(home), first: false };
    }
    const inFlight = this.pending.get(digest);
    if (inFlight) return { promise: inFlight, first: false };
    const promise = work();
    this.pending.set(digest, promise);
    // A failure is not remembered: a later tag may try again.
    promise.then(
      (repository) => {
        this.pending.delete(digest);
        this.homes.set(digest, repository);
        if (this.homes.size > this.max) this.homes.delete(this.homes.keys().next().value!);
      },
      () => this.pending.delete(digest),
    );
    return { promise, first: true };
  }
}
