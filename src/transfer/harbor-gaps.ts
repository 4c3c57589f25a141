// What Harbor lacks of a tag it says it holds (verify: blobs): every blob of the tag's manifests and
// every manifest of its graph is asked for in Harbor's repository with a HEAD, never a GET (a GET
// of a manifest counts as a pull in Harbor and moves its "last pulled" time, which tag-retention
// rules read: docs/harbor.md §6, Manifests, and §11.2). Each (repository, digest) is asked once per run, however many
// tags share it. A garbage collection that removed blobs of tagged images (goharbor/harbor#19308),
// or a restore from an old backup, leaves a tag listed whose pull fails: this is how it is found.
import type { Descriptor } from '../registry/media-types.js';
import { type ManifestNode, manifestsOf } from './manifest-graph.js';
import type { TransferState } from './state.js';

/** What a Harbor repository lacks of a tag. */
export interface HarborGaps {
  blobs: Descriptor[];
  /** Manifests of the graph (the tag's own included) Harbor cannot serve by digest. */
  manifests: ManifestNode[];
  /** Index children the source lacks too, which Harbor lacks as well: nothing can bring them. */
  lost: string[];
  /** How many blobs and manifests were asked for. */
  checked: { blobs: number; manifests: number };
}

export async function harborGaps(
  state: TransferState,
  repository: string,
  top: ManifestNode,
  blobs: Descriptor[],
  missingOnSource: string[],
): Promise<HarborGaps> {
  const { harbor } = state.clients;
  // Keyed by kind too: a blob's HEAD says nothing of a manifest of the same digest.
  const present = (key: string, ask: () => Promise<unknown>): Promise<boolean> =>
    state.present.run(repository, key, () => state.looks(async () => (await ask()) !== undefined)).promise;
  const manifests = manifestsOf(top);
  const [blobThere, manifestThere, lostThere] = await Promise.all([
    Promise.all(
      blobs.map(async (b) => {
        const there = await present(`blob ${b.digest}`, () => harbor.headBlob(repository, b.digest));
        // Where a repository that lacks it can mount it from, rather than upload it again.
        if (there) state.uploads.note(b.digest, repository);
        return there;
      }),
    ),
    Promise.all(manifests.map((m) => present(`manifest ${m.digest}`, () => harbor.headManifest(repository, m.digest)))),
    Promise.all(missingOnSource.map((d) => present(`manifest ${d}`, () => harbor.headManifest(repository, d)))),
  ]);
  return {
    blobs: blobs.filter((_, i) => !blobThere[i]),
    manifests: manifests.filter((_, i) => !manifestThere[i]),
    lost: missingOnSource.filter((_, i) => !lostThere[i]),
    checked: { blobs: blobs.length, manifests: manifests.length + missingOnSource.length },
  };
}
