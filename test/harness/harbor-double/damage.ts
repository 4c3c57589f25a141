// A Harbor whose storage lost content, as after a garbage collection that removed blobs of tagged
// images (goharbor/harbor#19308) or a restore from an old backup: the data files of these digests
// go from the backend registry's storage, while its links and tags, and the double's database
// records, stay. Harbor still lists the tags; a pull of them fails. The test registries run without
// the blob descriptor cache (test/harness/registry.ts), so a removed file answers 404 at once.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface Damage {
  /** Blob digests whose data goes. */
  blobs?: string[];
  /** Manifest digests (index children, or a tag's own) whose data goes: a manifest is a blob in
   * the registry's storage. */
  manifests?: string[];
}

/** Removes the data file of every digest named; one that is not there is an error (a test that
 * names a wrong digest must not pass for damage never done). */
export async function damageStorage(storageDir: string, damage: Damage): Promise<void> {
  for (const digest of [...(damage.blobs ?? []), ...(damage.manifests ?? [])]) {
    const [algorithm, hex] = digest.split(':');
    if (!algorithm || !hex || !/^[a-f0-9]{64}$/.test(hex)) throw new Error(`not a digest: ${digest}`);
    const file = join(storageDir, 'docker/registry/v2/blobs', algorithm, hex.slice(0, 2), hex, 'data');
    await stat(file); // throws when the registry never stored it
    await rm(file);
  }
}
