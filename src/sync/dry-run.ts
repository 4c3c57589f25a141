// A dry run walks the real plan and writes nothing. What it adds: which blobs the real run would
// upload, each once for the whole run (blobs Harbor already holds in the target repository are
// left out; a blob another repository of this run brings would be mounted, not uploaded).
import type { RegistryClient } from '../registry/registry-client.js';
import type { Descriptor } from '../registry/media-types.js';
import type { TagJob } from './jobs.js';
import { OncePerKey } from './once.js';

export class DryRunPlanner {
  private readonly harbor: RegistryClient;
  private readonly present = new OncePerKey<boolean>();
  private readonly uploads = new Map<string, number>();

  constructor(harbor: RegistryClient) {
    this.harbor = harbor;
  }

  /** Notes the blobs this tag would send; returns the bytes of those Harbor's repository lacks
   * (the same whichever tag comes first: a blob shared with another tag counts for both here,
   * and once in `bytes`). */
  async plan(job: TagJob, blobs: Descriptor[], projectExists: boolean): Promise<number> {
    let lacking = 0;
    for (const blob of blobs) {
      const key = `${job.target.repository}@${blob.digest}`;
      const inHarbor =
        projectExists &&
        (await this.present.run(
          key,
          async () => (await this.harbor.headBlob(job.target.repository, blob.digest)) !== undefined,
        ).promise);
      if (inHarbor) continue;
      this.uploads.set(blob.digest, Math.max(blob.size, 0));
      lacking += Math.max(blob.size, 0);
    }
    return lacking;
  }

  get bytes(): number {
    let total = 0;
    for (const size of this.uploads.values()) total += size;
    return total;
  }
}
