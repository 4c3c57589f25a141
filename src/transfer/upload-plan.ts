// A dry run walks the real plan and writes nothing. What it adds: which blobs the real run would
// upload, each once for the whole run (blobs Harbor already holds in the target repository are
// left out; a blob another repository of this run brings would be mounted, not uploaded).
import type { Descriptor } from '../registry/media-types.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { OncePerRepository } from './once.js';

export class UploadPlan {
  private readonly harbor: RegistryClient;
  private readonly present = new OncePerRepository<boolean>();
  private readonly uploads = new Map<string, number>();

  constructor(harbor: RegistryClient) {
    this.harbor = harbor;
  }

  /** Notes the blobs a tag would send; returns the bytes of those Harbor's repository lacks
   * (the same whichever tag comes first: a blob shared with another tag counts for both here,
   * and once in `bytes`). A HEAD per blob, once per repository, and none in a missing project. */
  async plan(repository: string, blobs: Descriptor[], projectExists: boolean): Promise<number> {
    let lacking = 0;
    for (const blob of blobs) {
      const inHarbor =
        projectExists &&
        (await this.present.run(
          repository,
          blob.digest,
          async () => (await this.harbor.headBlob(repository, blob.digest)) !== undefined,
        ).promise);
      if (inHarbor) continue;
      this.uploads.set(blob.digest, Math.max(blob.size, 0));
      lacking += Math.max(blob.size, 0);
    }
    return lacking;
  }

  /** Notes blobs known to be missing (an audit asked Harbor): returns their bytes. */
  add(blobs: Descriptor[]): number {
    let bytes = 0;
    for (const blob of blobs) {
      this.uploads.set(blob.digest, Math.max(blob.size, 0));
      bytes += Math.max(blob.size, 0);
    }
    return bytes;
  }

  /** Bytes the run would upload, each blob once. */
  get bytes(): number {
    let total = 0;
    for (const size of this.uploads.values()) total += size;
    return total;
  }

  forget(repository: string): void {
    this.present.forget(repository);
  }
}
