// A read-only RegistryClient over a distribution storage directory (the `docker/registry/v2`
// directory of the filesystem driver). It answers as the registry would: the same 404s with the
// same error codes for what a repository does not link, so the engine classifies tags exactly as
// for an HTTP source. It never writes a byte below the root, so a read-only mount works.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ManifestHead, ManifestResponse, PingResult, RegistryClient, UploadStart } from '../client.js';
import { parseManifest } from '../media-types.js';
import { readBlobFile } from './blob-stream.js';
import { corrupt, invalid, isMissing, notFound, readOnly } from './errors.js';
import { readDigestLink, readLink } from './link.js';
import { isLayoutRoot } from './locate.js';
import * as layout from './layout.js';
import { listRepositoryNames } from './walk.js';

/** What a storage source offers beyond RegistryClient. */
export interface StorageSource extends RegistryClient {
  /** The `docker/registry/v2` directory read from. */
  readonly root: string;
  /** Every repository (a directory holding `_manifests`), sorted; for catalog mode. */
  listRepositories(): Promise<string[]>;
  /** Every manifest digest the repository links under `_manifests/revisions`, tagged or not, sorted. */
  listRevisions(repository: string): Promise<string[]>;
}

/** Same cap as the HTTP client: a manifest is small, a huge file there is damage. */
const MANIFEST_LIMIT = 16 * 1024 * 1024;

export interface StorageClientOptions {
  root: string;
  /** For messages: the directory or archive the user named. */
  host: string;
  /** Run on close(), e.g. removing an extracted archive. */
  cleanup?: () => Promise<void>;
}

export class StorageClient implements StorageSource {
  readonly root: string;
  readonly host: string;
  private readonly cleanup: (() => Promise<void>) | undefined;
  private closed: Promise<void> | undefined;

  constructor(options: StorageClientOptions) {
    this.root = options.root;
    this.host = options.host;
    this.cleanup = options.cleanup;
  }

  async ping(): Promise<PingResult> {
    // Thrown, not returned: preflight shows a thrown message as is ("not reachable: …").
    if (!(await isLayoutRoot(this.root))) {
      throw new Error(`no distribution storage at ${this.root}: expected its repositories/ and blobs/ directories`);
    }
    return { status: 200, ok: true };
  }

  async listRepositories(): Promise<string[]> {
    return await listRepositoryNames(layout.repositoriesDir(this.root));
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
    // As distribution's tagStore.All: the tag directories, whether or not each has a current link.
    const entries = await readdir(layout.tagsDir(this.root, repository), { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) throw notFound('NAME_UNKNOWN', `repository name not known to registry (${repository})`, request);
      throw corrupt(`cannot list ${layout.tagsDir(this.root, repository)}: ${(error as Error).message}`, request, error);
    });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }

  async listRevisions(repository: string): Promise<string[]> {
    const request = `GET /v2/${repository}/manifests`;
    this.checkName(repository, request);
    const dir = layout.revisionsDir(this.root, repository);
    const algorithms = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      if (!isMissing(error)) throw corrupt(`cannot list ${dir}: ${(error as Error).message}`, request, error);
      return [];
    });
    const digests: string[] = [];
    for (const algorithm of algorithms.filter((a) => a.isDirectory())) {
      for (const hex of await readdir(join(dir, algorithm.name)).catch(() => [])) {
        const digest = `${algorithm.name}:${hex}`;
        if (layout.isDigest(digest)) digests.push(digest);
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
    if (!found) throw notFound('MANIFEST_UNKNOWN', `manifest unknown (${repository}${reference.includes(':') ? '@' : ':'}${reference})`, `GET /v2/${repository}/manifests/${reference}`);
    return found;
  }

  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    // The data file's size: the descriptor's is not known here. A truncated file is caught when
    // its content is read (getBlob hashes it).
    return (await this.locateBlob(repository, digest, 'HEAD'))?.size;
  }

  async getBlob(repository: string, digest: string): Promise<{ body: Readable; size: number | undefined }> {
    const request = `GET /v2/${repository}/blobs/${digest}`;
    const found = await this.locateBlob(repository, digest, 'GET');
    if (!found) throw notFound('BLOB_UNKNOWN', `blob unknown to registry (${digest})`, request);
    return { body: readBlobFile(found.path, digest, found.size, request), size: found.size };
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
    this.closed ??= this.cleanup ? this.cleanup() : Promise.resolve();
    return this.closed;
  }

  /** The manifest as the registry resolves it: tag link → revision link → blob data. */
  private async readManifest(repository: string, reference: string, method: 'GET' | 'HEAD'): Promise<ManifestResponse | undefined> {
    const request = `${method} /v2/${repository}/manifests/${reference}`;
    this.checkName(repository, request);
    let digest: string | undefined;
    if (layout.isDigest(reference)) digest = reference;
    else if (layout.isTag(reference)) digest = await readLink(layout.tagLinkPath(this.root, repository, reference), request);
    else if (reference.includes(':')) throw invalid('DIGEST_INVALID', `invalid digest ${JSON.stringify(reference)}`, request);
    else throw invalid('TAG_INVALID', `invalid tag ${JSON.stringify(reference)}`, request);
    if (!digest) return undefined;
    // A manifest is in a repository only when it links the revision (even when the tag points at it).
    if (!(await readDigestLink(layout.revisionLinkPath(this.root, repository, digest), digest, request))) return undefined;
    const path = layout.blobDataPath(this.root, digest);
    const bytes = await readSmallFile(path, request);
    if (!bytes) return undefined;
    const actual = `${digest.split(':')[0]}:${createHash(digest.split(':')[0]!).update(bytes).digest('hex')}`;
    if (actual !== digest) throw corrupt(`manifest data file ${path} is damaged: its ${bytes.length} bytes hash to ${actual}, expected ${digest}`, request);
    const mediaType = parseManifest(bytes, undefined).mediaType;
    return { bytes, digest, mediaType: mediaType === 'unknown' ? undefined : mediaType };
  }

  /** A blob is in a repository only when the repository links it under `_layers`. */
  private async locateBlob(repository: string, digest: string, method: 'GET' | 'HEAD'): Promise<{ path: string; size: number } | undefined> {
    const request = `${method} /v2/${repository}/blobs/${digest}`;
    this.checkName(repository, request);
    if (!layout.isDigest(digest)) throw invalid('DIGEST_INVALID', `invalid digest ${JSON.stringify(digest)}`, request);
    if (!(await readDigestLink(layout.layerLinkPath(this.root, repository, digest), digest, request))) return undefined;
    const path = layout.blobDataPath(this.root, digest);
    const info = await stat(path).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw corrupt(`cannot read blob data file ${path}: ${(error as Error).message}`, request, error);
    });
    if (!info) return undefined;
    if (!info.isFile()) throw corrupt(`blob data file ${path} is not a regular file`, request);
    return { path, size: info.size };
  }

  private checkName(repository: string, request: string): void {
    if (!layout.isRepositoryName(repository)) throw invalid('NAME_INVALID', `invalid repository name ${JSON.stringify(repository)}`, request);
  }
}

async function readSmallFile(path: string, request: string): Promise<Buffer | undefined> {
  const info = await stat(path).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw corrupt(`cannot read manifest data file ${path}: ${(error as Error).message}`, request, error);
  });
  if (!info) return undefined;
  if (!info.isFile()) throw corrupt(`manifest data file ${path} is not a regular file`, request);
  if (info.size > MANIFEST_LIMIT) throw corrupt(`manifest data file ${path} is ${info.size} bytes, more than a manifest can be (${MANIFEST_LIMIT})`, request);
  return await readFile(path);
}
