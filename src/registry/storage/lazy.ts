// A storage source that opens (locates the layout, indexes an archive) on first use, so it can be
// created where clients are created synchronously (the engine's createClients). An open failure
// surfaces from ping(), which preflight turns into one clear error.
import type { Readable } from 'node:stream';
import type { ManifestHead, ManifestResponse, PingResult, UploadStart } from '../registry-client.js';
import { STORAGE_CAPABILITIES, type StorageSource } from './storage-client.js';

export class LazyStorageSource implements StorageSource {
  readonly capabilities = STORAGE_CAPABILITIES;
  readonly host: string;
  private readonly open: () => Promise<StorageSource>;
  private opened: Promise<StorageSource> | undefined;
  private resolved: StorageSource | undefined;

  constructor(host: string, open: () => Promise<StorageSource>) {
    this.host = host;
    this.open = open;
  }

  /** The v2 directory once opened; the path as given before that. */
  get root(): string {
    return this.resolved?.root ?? this.host;
  }

  private source(): Promise<StorageSource> {
    this.opened ??= this.open().then((s) => (this.resolved = s));
    return this.opened;
  }

  async ping(): Promise<PingResult> {
    return (await this.source()).ping();
  }
  async listRepositories(): Promise<string[]> {
    return (await this.source()).listRepositories();
  }
  async *catalog(): AsyncIterable<string[]> {
    yield await this.listRepositories();
  }
  /** distribution 2.8 storage has no referrers index; the referrers tag schema covers it. */
  async referrers(): Promise<undefined> {
    return undefined;
  }
  async listRevisions(repository: string): Promise<string[]> {
    return (await this.source()).listRevisions(repository);
  }
  async listTags(repository: string): Promise<string[]> {
    return (await this.source()).listTags(repository);
  }
  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    return (await this.source()).getManifest(repository, reference);
  }
  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    return (await this.source()).headManifest(repository, reference);
  }
  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string | undefined> {
    return (await this.source()).putManifest(repository, reference, bytes, mediaType);
  }
  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    return (await this.source()).headBlob(repository, digest);
  }
  async getBlob(repository: string, digest: string): Promise<{ body: Readable; size: number | undefined }> {
    return (await this.source()).getBlob(repository, digest);
  }
  async startUpload(repository: string, mountFrom?: { digest: string; repository: string }): Promise<UploadStart> {
    return (await this.source()).startUpload(repository, mountFrom);
  }
  async finishUpload(location: URL, digest: string, size: number, body: Readable): Promise<void> {
    return (await this.source()).finishUpload(location, digest, size, body);
  }
  invalidateTokens(_project: string): void {
    // Nothing cached that a token could invalidate.
  }
  async close(): Promise<void> {
    // Never opened (or failed to): nothing to clean up, and no reason to open now.
    if (!this.opened) return;
    const source = await this.opened.catch(() => undefined);
    await source?.close();
  }
}
