// file:///backup/registry.tar[.gz] and https://host/registry.tar[.gz]: a tarball of a registry's
// storage directory, read in place when plain, through one decompressed copy in work-dir when
// compressed; one named by an http(s) URL is downloaded first, with the source credentials sent to
// that origin only (src/registry/storage). A file:// URL of a directory reads the directory.
import { schemeOf, type SourceKind } from './kind.js';
import { isTarballDownload, namesTarball, openStorage, storageLocation } from './storage.js';

export const storageArchive: SourceKind = {
  name: 'storage archive',
  schemes: ['file', 'http', 'https'],
  written: 'file:// for a tarball of that directory',
  forms: 'file:// or an http(s) URL of a .tar/.tar.gz',
  traits: {
    untaggedManifests: true,
    localReads: true,
    dockerCredentials: false,
    sourceCredentials: 'download',
    workDir: true,
  },
  claims: (url) => schemeOf(url) === 'file' || isTarballDownload(url),
  check(url) {
    storageLocation(url);
    return url;
  },
  suggest: (path) => (namesTarball(path) ? `a tarball is written file://${path}` : undefined),
  open: (context) => openStorage(storageLocation(context.source.url), storageArchive.traits, context),
};
