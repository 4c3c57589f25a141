// dir:///var/lib/registry: a registry's storage directory (the filesystem driver's rootdirectory,
// or docker/registry[/v2] below it), read in place (src/registry/storage).
import { schemeOf, type SourceKind } from './kind.js';
import { openStorage, storageLocation } from './storage.js';

export const storageDirectory: SourceKind = {
  name: 'storage directory',
  schemes: ['dir'],
  written: 'dir:// for its storage directory',
  forms: 'dir://',
  traits: {
    untaggedManifests: true,
    localReads: true,
    dockerCredentials: false,
    sourceCredentials: 'unused',
    workDir: false,
  },
  claims: (url) => schemeOf(url) === 'dir',
  check(url) {
    storageLocation(url);
    return url;
  },
  suggest: (path, isDirectory) => (isDirectory() ? `a storage directory is written dir://${path}` : undefined),
  open: (context) => openStorage(storageLocation(context.source.url), storageDirectory.traits, context),
};
