// A read-only RegistryClient over a distribution storage directory (the `docker/registry/v2`
// directory of the filesystem driver), wherever its bytes come from: a directory on disk or a
// tarball read in place (tree.ts). It answers as the registry would: the same 404s with the same
// error codes for what a repository does not link, so the engine classifies tags exactly as for
// an HTTP source. It never writes a byte, so a read-only mount works. It reads the tree as data:
// no symlink followed, only regular files opened, reads bounded.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ManifestHead, ManifestResponse, PingResult, RegistryClient, UploadStart } from '../registry-client.js';
import { parseManifest } from '../media-types.js';
import { readBlobFile } from './blob-stream.js';
import { MANIFEST_READ_LIMIT } from '../limits.js';
import { corrupt, invalid, notFound, readOnly, unsafe, unusable } from './errors.js';
import { readDigestLink, readLink } from './link.js';
import * as layout from './layout.js';
import type { StorageTree } from './tree.js';
import { listRepositoryNames } from './walk.js';

/** What a storage source offers beyond RegistryClient. */
export interface StorageSource extends RegistryClient {
  /** The `docker/registry/v2` directory read from, as messages show it. */
  readonly root: string;
  /** Every repository (a directory holding `_manifests`), sorted; for catalog mode. */
  listRepositories(): Promise<string[]>;
  /** Every manifest digest the repository links under `_manifests/revisions`, tagged or not, sorted. */
  listRevisions(repository: string): Promise<string[]>;
}

/** A storage directory lists untagged manifests and answers presence checks from local files;
 * distribution 2.8 storage keeps no referrers index (the referrers tag schema covers it). */
export const STORAGE_CAPABILITIES = { untaggedManifests: true, localReads: true, referrersApi: false } as const;

export interface StorageClientOptions {
  tree: StorageTree;
  /** The v2 directory, a path of the tree. */
  root: string;
  /** For messages: the directory or archive the user named. */
  host: string;
  /** Run on close(), after the tree is closed, e.g. removing a download. */
  cleanup?: () => Promise<void>;
}

export class StorageClient implements StorageSource {
  readonly capabilities = STORAGE_CAPABILITIES;
  readonly host: string;
  private readonly tree: StorageTree;
  /** The v2 directory as a path of the tree: what layout.ts joins below. */
  private readonly base: string;
  private readonly cleanup: (() => Promise<void>) | undefined;
  private closed: Promise<void> | undefined;

  constructor(options: StorageClientOptions) {
    this.tree = options.tree;
    this.base = options.root;
    this.host = options.host;
    this.cleanup = options.cleanup;
  }

  get root(): string {
    return this.tree.show(this.base);
  }

  async ping(): Promise<PingResult> {
    // Thrown, not returned: preflight shows a thrown message as is ("not reachable: …").
    if (!(await this.tree.isLayoutRoot(this.base))) {
      throw unusable(
        'STORAGE_MISSING',
        `no distribution storage at ${this.root}: expected its repositories/ and blobs/ directories`,
      );
    }
    return { status: 200, ok: true };
  }

  async listRepositories(): Promise<string[]> {
    return await listRepositoryNames(this.tree, this.base);
  }

  async *catalog(): AsyncIterable<string[]> {
    yield await this.listRepositories();
  }
  /** distribution 2.8 storage has no referrers index; the referrers tag schema covers it. */
  async referrers(): Promise<undefined> {
    return undefined;
  }

  async listTags(repository: string): Promise<string[]> {
    const request = `GET /v2/${repository}/tags/list`;
    this.checkName(repository, request);
    const dir = layout.tagsDir(this.base, repository);
    const unknown = () => notFound('NAME_UNKNOWN', `repository name not known to registry (${repository})`, request);
    // A symlink on the way fails naming it; a missing directory (or a file there) is an unknown name.
    if ((await this.tree.stat(dir, 'tags directory', request)) !== 'directory') throw unknown();
    // As distribution's tagStore.All: the tag directories, whether or not each has a current link.
    // A symlink is listed too (not entered): reading that tag then fails naming it.
    const entries = await this.tree.list(dir, request);
    if (!entries) throw unknown();
    return entries
      .filter((e) => e.kind === 'directory' || e.kind === 'symlink')
      .map((e) => e.name)
      .sort();
  }

  async listRevisions(repository: string): Promise<string[]> {
    const request = `GET /v2/${repository}/manifests`;
    this.checkName(repository, request);
    const dir = layout.revisionsDir(this.base, repository);
    if ((await this.tree.stat(dir, 'revisions directory', request)) !== 'directory') return [];
    const list = async (path: string) => (await this.tree.list(path, request)) ?? [];
    const digests: string[] = [];
    for (const algorithm of await list(dir)) {
      const path = join(dir, algorithm.name);
      // Not entered: the revisions behind it would vanish silently, so the listing fails instead.
      if (algorithm.kind === 'symlink')
        throw unsafe(
          `revisions directory ${this.tree.show(path)} is a symbolic link: a registry's storage holds none, and harbor-sync follows none`,
          request,
        );
      if (algorithm.kind !== 'directory') continue;
      // A revision that is a symlink is listed: reading it fails naming the link.
      for (const hex of await list(path)) {
        const digest = `${algorithm.name}:${hex.name}`;
        if ((hex.kind === 'directory' || hex.kind === 'symlink') && layout.isDigest(digest)) digests.push(digest);
      }
    }
    return digests.sort();
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    const found = await this.readManifest(repository, reference, 'HEAD');
    return found && { digest: found.digest, mediaType: found.mediaType, size: found.bytes.length };
  }

  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    const found = await this.readManifest(repository, reference, 'GET');
    if (!found)
      throw notFound(
        'MANIFEST_UNKNOWN',
        `manifest unknown (${repository}${reference.includes(':') ? '@' : ':'}${reference})`,
        `GET /v2/${repository}/manifests/${reference}`,
      );
    return found;
  }

  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    // The data file's size: the descriptor's is not known here. A truncated file is caught when
    // its content is read (getBlob hashes it), or before, by the engine comparing sizes.
    const path = await this.linkedBlobPath(repository, digest, 'HEAD');
    if (!path) return undefined;
    return await this.tree.fileSize(path, 'blob data file', `HEAD /v2/${repository}/blobs/${digest}`);
  }

  async getBlob(repository: string, digest: string): Promise<{ body: Readable; size: number | undefined }> {
    const request = `GET /v2/${repository}/blobs/${digest}`;
    const path = await this.linkedBlobPath(repository, digest, 'GET');
    const file = path === undefined ? undefined : await this.tree.open(path, 'blob data file', request);
    if (path === undefined || !file) throw notFound('BLOB_UNKNOWN', `blob unknown to registry (${digest})`, request);
    return { body: readBlobFile(file, this.tree.show(path), digest, request), size: file.size };
  }

  putManifest(repository: string, reference: string): Promise<string> {
    return Promise.reject(readOnly(`PUT /v2/${repository}/manifests/${reference}`));
  }

  startUpload(repository: string): Promise<UploadStart> {
    return Promise.reject(readOnly(`POST /v2/${repository}/blobs/uploads/`));
  }

  finishUpload(location: URL, _digest: string, _size: number, body: Readable): Promise<void> {
    body.destroy();
    return Promise.reject(readOnly(`PUT ${location.pathname}`));
  }

  invalidateTokens(_project: string): void {
    // No tokens: nothing to forget.
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        await this.tree.close();
      } finally {
        await this.cleanup?.();
      }
    })();
    return this.closed;
  }

  /** The manifest as the registry resolves it: tag link → revision link → blob data. */
  private async readManifest(
    repository: string,
    reference: string,
    method: 'GET' | 'HEAD',
  ): Promise<ManifestResponse | undefined> {
    const request = `${method} /v2/${repository}/manifests/${reference}`;
    this.checkName(repository, request);
    let digest: string | undefined;
    if (layout.isDigest(reference)) digest = reference;
    else if (layout.isTag(reference))
      digest = await readLink(this.tree, layout.tagLinkPath(this.base, repository, reference), request);
    else if (reference.includes(':'))
      throw invalid('DIGEST_INVALID', `invalid digest ${JSON.stringify(reference)}`, request);
    else throw invalid('TAG_INVALID', `invalid tag ${JSON.stringify(reference)}`, request);
    if (!digest) return undefined;
    // A manifest is in a repository only when it links the revision (even when the tag points at it).
    if (!(await readDigestLink(this.tree, layout.revisionLinkPath(this.base, repository, digest), digest, request)))
      return undefined;
    const path = layout.blobDataPath(this.base, digest);
    const bytes = await readManifestFile(this.tree, path, request);
    if (!bytes) return undefined;
    const actual = `${digest.split(':')[0]}:${createHash(digest.split(':')[0]!).update(bytes).digest('hex')}`;
    if (actual !== digest)
      throw corrupt(
        `manifest data file ${this.tree.show(path)} is damaged: its ${bytes.length} bytes hash to ${actual}, expected ${digest}`,
        request,
      );
    const mediaType = parseManifest(bytes, undefined).mediaType;
    return { bytes, digest, mediaType: mediaType === 'unknown' ? undefined : mediaType };
  }

  /** A blob is in a repository only when the repository links it under `_layers`: its data
   * file's path then, else undefined. */
  private async linkedBlobPath(
    repository: string,
    digest: string,
    method: 'GET' | 'HEAD',
  ): Promise<string | undefined> {
    const request = `${method} /v2/${repository}/blobs/${digest}`;
    this.checkName(repository, request);
    if (!layout.isDigest(digest)) throw invalid('DIGEST_INVALID', `invalid digest ${JSON.stringify(digest)}`, request);
    if (!(await readDigestLink(this.tree, layout.layerLinkPath(this.base, repository, digest), digest, request)))
      return undefined;
    return layout.blobDataPath(this.base, digest);
  }

  private checkName(repository: string, request: string): void {
    if (!layout.isRepositoryName(repository))
      throw invalid('NAME_INVALID', `invalid repository name ${JSON.stringify(repository)}`, request);
  }
}

/** Bounded by the opened file's size and the cap: a file that grows meanwhile is cut and then
 * fails its digest check. */
async function readManifestFile(tree: StorageTree, path: string, request: string): Promise<Buffer | undefined> {
  const file = await tree.open(path, 'manifest data file', request);
  if (!file) return undefined;
  try {
    if (file.size > MANIFEST_READ_LIMIT)
      throw unsafe(
        `manifest data file ${tree.show(path)} is ${file.size} bytes, more than a manifest can be (${MANIFEST_READ_LIMIT})`,
        request,
      );
    return await file.read(file.size, 'manifest data file', request);
  } finally {
    await file.close();
  }
}
