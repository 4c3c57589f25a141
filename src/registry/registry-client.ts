// The seam between the engine and a registry: one method per distribution-protocol operation.
// Two implementations: the HTTP client (distribution-client.ts) and a registry's storage directory read
// directly (storage/storage-client.ts); tests hand in fakes. The engine asks `capabilities` what a source
// can do, never its URL.
import type { Readable } from 'node:stream';
import type { RegistryError } from '../errors/registry.js';
import type { Descriptor } from './media-types.js';

export interface SourceCapabilities {
  /** Lists manifests no tag points at (listRevisions): a storage directory can, an API cannot. */
  untaggedManifests: boolean;
  /** Answers presence checks from local files, at no cost worth saving (a storage directory):
   * the engine then does not hold blob GETs open as presence checks. */
  localReads: boolean;
  /** Has the OCI 1.1 referrers API: `unknown` until asked (an HTTP registry learns at the first
   * call), `false` where only the referrers tag schema (`sha256-<hex>`) can find referrers. */
  referrersApi: boolean | 'unknown';
}

export interface BlobResponse {
  body: Readable;
  size: number | undefined;
}

export interface ManifestResponse {
  bytes: Buffer;
  mediaType: string | undefined;
  digest: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string | undefined;
  size: number;
}

export type UploadStart = { mounted: true } | { mounted: false; location: URL };

export interface PingResult {
  status: number;
  /** Whether the registry accepted us (200), as opposed to answering 401 even after auth. */
  ok: boolean;
  error?: RegistryError;
}

export interface RegistryClient {
  /** host[:port] of the registry, for messages and reports. */
  readonly host: string;
  /** What this source can do beyond the protocol every registry speaks: the engine asks this,
   * never the URL. */
  readonly capabilities: SourceCapabilities;
  ping(): Promise<PingResult>;
  getManifest(repository: string, reference: string): Promise<ManifestResponse>;
  /** undefined when the registry answers 404. */
  headManifest(repository: string, reference: string): Promise<ManifestHead | undefined>;
  /** The digest the registry says it stored (Docker-Content-Digest), when it says. */
  putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string | undefined>;
  /** The blob's size, or undefined when the repository does not have it (404). */
  headBlob(repository: string, digest: string): Promise<number | undefined>;
  getBlob(repository: string, digest: string): Promise<BlobResponse>;
  /** Opens an upload session; with `mountFrom`, asks for a cross-repository mount first. */
  startUpload(repository: string, mountFrom?: { digest: string; repository: string }): Promise<UploadStart>;
  /** Completes an upload with one streamed PUT of the whole blob. */
  finishUpload(location: URL, digest: string, size: number, body: Readable): Promise<void>;
  listTags(repository: string): Promise<string[]>;
  /** The repositories, page by page as the registry sends them, so work can start on the first page. */
  catalog(): AsyncIterable<string[]>;
  /** What reading the catalog takes, for the hint when it is refused (401/403), where the source
   * is not a registry's `_catalog` (which needs catalog permission). */
  readonly catalogNeeds?: string;
  /** OCI 1.1 referrers of a manifest (signatures, SBOMs); undefined when the registry has no
   * referrers API (then the referrers tag schema `sha256-<hex>` is the way to find them). */
  referrers(repository: string, digest: string): Promise<Descriptor[] | undefined>;
  /** Every manifest digest a repository holds, tagged or not, sorted; only where
   * capabilities.untaggedManifests (a registry's API cannot list them). */
  listRevisions?(repository: string): Promise<string[]>;
  /** Forgets the cached tokens naming a repository under `project/`. */
  invalidateTokens(project: string): void;
  close(): Promise<void>;
}
