// A tag's manifests into one Harbor repository: children by digest before the indexes that list
// them, each once however many list it, the top one last under the tag (or digest) asked for.
// Each (repository, digest, reference) is pushed once per run: the registry races on concurrent
// pushes of one manifest (docs/harbor.md §9).
import { manifestsOf, type ManifestNode } from './manifest-graph.js';
import type { TransferState } from './state.js';

/** The digest Harbor says it stored for the top manifest, when it says. `only`: push just these
 * (a repair), in the same order. */
export async function pushManifests(
  state: TransferState,
  repository: string,
  top: ManifestNode,
  reference: string,
  only?: ReadonlySet<ManifestNode>,
): Promise<string | undefined> {
  let stored: string | undefined;
  for (const node of manifestsOf(top)) {
    if (only && !only.has(node)) continue;
    const ref = node === top ? reference : node.digest;
    stored = await state.manifests.run(repository, `${node.digest}:${ref}`, () =>
      state.clients.harbor.putManifest(repository, ref, node.bytes, node.mediaType),
    ).promise;
  }
  return stored;
}
