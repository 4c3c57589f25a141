// A project of the Harbor at harbor-url as the source (harbor://PROJECT), read the one way that
// cannot lose what a proxy-cache project holds (docs/harbor.md §7.1): repositories and tags from
// Harbor's API, which answers from its database and never asks the upstream; every manifest and
// blob by digest through /v2, which Harbor serves from its cache when it holds the digest. A read
// by tag would make Harbor ask the upstream, answer 404 for a tag the upstream dropped, and in
// v2.14.0–v2.15.0 delete the cached copy. So this client never sends a tag to /v2: a tag is looked
// up in the project's artifact listing, and one the listing lacks is a 404 without any request.
import type { Readable } from 'node:stream';
import { HarborSyncError, isHarborSyncError } from '../errors/base.js';
import { RegistryError, isRegistryError } from '../errors/registry.js';
import type { Descriptor } from '../registry/media-types.js';
import { isDigest, isTag } from '../registry/reference.js';
import type {
  BlobResponse,
  ManifestHead,
  ManifestResponse,
  PingResult,
  RegistryClient,
  SourceCapabilities,
  UploadStart,
} from '../registry/registry-client.js';
import type { HarborApi } from './api.js';

export interface HarborProjectSourceOptions {
  /** The project read, e.g. `hub-proxy`. */
  project: string;
  /** Harbor's /v2, with the credentials that read the project. */
  registry: RegistryClient;
  /** Harbor's API, with the same credentials. */
  api: HarborApi;
  /** Who reads (for messages); and whether it is harbor-username's account, already checked. */
  username?: string;
  harborsAccount: boolean;
  /** How messages name the options: the credentials to check when refused (`source-username and
   * source-password`), source-registry and harbor-url. */
  credentialInputs: string;
  sourceInput: string;
  harborInput: string;
  log?: (message: string) => void;
}

/** Repositories whose listing is kept: those a run has open, and some to spare (each is one map of
 * tag → digest; one evicted early is listed again). */
const LISTINGS_KEPT = 256;

export function createHarborProjectSource(options: HarborProjectSourceOptions): RegistryClient {
  return new HarborProjectSource(options);
}

class HarborProjectSource implements RegistryClient {
  readonly host: string;
  private readonly options: HarborProjectSourceOptions;
  private readonly registry: RegistryClient;
  private readonly api: HarborApi;
  private readonly listings = new Map<string, Promise<Map<string, string>>>();

  constructor(options: HarborProjectSourceOptions) {
    this.options = options;
    this.registry = options.registry;
    this.api = options.api;
    this.host = options.registry.host;
  }

  /** Its repositories come from Harbor's API, which any member of the project may read. */
  get catalogNeeds(): string {
    return `an account that may read Harbor project ${this.options.project} (a member of it, e.g. as Limited Guest: source-username, or harbor-username)`;
  }

  get capabilities(): SourceCapabilities {
    return { untaggedManifests: false, localReads: false, referrersApi: this.registry.capabilities.referrersApi };
  }

  /** The project exists and these credentials read it; says whether it is a proxy cache. Every
   * refusal is thrown with its step, in words naming the project and the credentials. */
  async ping(): Promise<PingResult> {
    const { project, username } = this.options;
    const who = username === undefined ? 'anonymous' : `user "${username}"`;
    if (!this.options.harborsAccount) {
      await this.api.whoami().catch((error: unknown) => {
        if (isHarborSyncError(error) && error.status === 401)
          throw new HarborSyncError({
            ...error.details(),
            code: 'CREDENTIALS_REJECTED',
            step: 'auth',
            message: `Harbor at ${this.host} rejected the credentials of ${who}, given to read project ${project}`,
            hint: `check ${this.options.credentialInputs}`,
            cause: error,
          });
        throw placed(error);
      });
    }
    const settings = await this.api.projectSettings(project).catch((error: unknown) => {
      throw placed(error);
    });
    if (settings === undefined) {
      // Harbor hides from non-admins whether a project is missing or off limits (docs/harbor.md §3).
      const exists = await this.api.projectExists(project).catch((error: unknown) => {
        throw placed(error);
      });
      if (!exists)
        throw new HarborSyncError({
          code: 'NOT_FOUND',
          step: 'preflight',
          status: 404,
          request: 'HEAD /api/v2.0/projects',
          message: `Harbor at ${this.host} has no project ${project} (${this.options.sourceInput} harbor://${project})`,
          hint: `check the project name in ${this.options.sourceInput}: harbor://PROJECT names a project of the Harbor at ${this.options.harborInput}`,
        });
      this.options.log?.(
        `Source: Harbor project ${project} at ${this.host}; ${who} may not read its settings, so whether it is a proxy cache is not known. Read through Harbor's API and by digest, never by tag`,
      );
    } else {
      const kind =
        settings.registryId !== undefined
          ? `a proxy-cache project (registry #${settings.registryId}): read through Harbor's API and by digest, never by tag, so the upstream is not asked`
          : "a regular project: read through Harbor's API and by digest";
      this.options.log?.(`Source: Harbor project ${project} at ${this.host}, ${kind}`);
    }
    const ping = await this.registry.ping();
    if (ping.ok) return ping;
    const refused = ping.status === 401 || ping.status === 403;
    throw new HarborSyncError({
      ...(ping.error ? ping.error.details() : { code: 'HTTP_ERROR' as const }),
      step: refused ? 'auth' : 'preflight',
      status: ping.status,
      message: `Harbor's registry at ${this.host} answered GET /v2/ with ${ping.status} to ${who}, reading project ${project}`,
      ...(refused && { hint: `check ${this.options.credentialInputs}` }),
      ...(ping.error && { cause: ping.error }),
    });
  }

  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    const digest = await this.digestOf(repository, reference);
    if (digest === undefined) throw this.notListed(repository, reference);
    return await this.registry.getManifest(repository, digest);
  }

  /** By tag, the listing answers (Harbor's database, as /v2 would): the nightly comparison of a tag
   * costs no request of its own. Size and media type are then not known (-1, undefined). */
  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    if (isDigest(reference)) return await this.registry.headManifest(repository, reference);
    const digest = await this.digestOf(repository, reference);
    return digest === undefined ? undefined : { digest, mediaType: undefined, size: -1 };
  }

  headBlob(repository: string, digest: string): Promise<number | undefined> {
    return this.registry.headBlob(repository, digest);
  }

  getBlob(repository: string, digest: string): Promise<BlobResponse> {
    return this.registry.getBlob(repository, digest);
  }

  /** The tags Harbor's artifact listing holds for the repository (with_tag=true, docs/harbor.md §4):
   * what the project holds, never the upstream's tags that /v2 tags/list mixes in (§7.1). */
  async listTags(repository: string): Promise<string[]> {
    return [...(await this.listing(repository)).keys()];
  }

  /** The project's repositories, from Harbor's API (docs/harbor.md §11.4): names as Harbor names
   * them, `project/path`. */
  async *catalog(): AsyncIterable<string[]> {
    const repositories = await this.api.listRepositories(this.options.project);
    if (repositories.length > 0) yield repositories.map((r) => r.name);
  }

  referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    return this.registry.referrers(repository, digest);
  }

  putManifest(): Promise<string | undefined> {
    return Promise.reject(readOnly());
  }

  startUpload(): Promise<UploadStart> {
    return Promise.reject(readOnly());
  }

  finishUpload(_location: URL, _digest: string, _size: number, body: Readable): Promise<void> {
    body.destroy();
    return Promise.reject(readOnly());
  }

  invalidateTokens(project: string): void {
    this.registry.invalidateTokens(project);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.registry.close(), this.api.close()]);
  }

  /** A digest as it is; a tag as the artifact listing names it, or undefined: never a tag to /v2. */
  private async digestOf(repository: string, reference: string): Promise<string | undefined> {
    if (isDigest(reference)) return reference;
    if (!isTag(reference)) return undefined;
    return (await this.listing(repository)).get(reference);
  }

  /** Tag → digest of a repository of the project, listed once (kept for the last LISTINGS_KEPT). */
  private listing(repository: string): Promise<Map<string, string>> {
    const known = this.listings.get(repository);
    if (known) {
      this.listings.delete(repository); // most recently used last
      this.listings.set(repository, known);
      return known;
    }
    const { project } = this.options;
    const path = repository.startsWith(`${project}/`) ? repository.slice(project.length + 1) : undefined;
    // A repository outside the project is not the source's: nothing is listed there.
    const listed =
      path === undefined
        ? Promise.resolve(new Map<string, string>())
        : this.api.tagDigests(project, path).then((l) => l.tags);
    this.listings.set(repository, listed);
    listed.catch(() => this.listings.delete(repository));
    if (this.listings.size > LISTINGS_KEPT) this.listings.delete(this.listings.keys().next().value!);
    return listed;
  }

  private notListed(repository: string, reference: string): RegistryError {
    const { project } = this.options;
    const name = encodeURIComponent(encodeURIComponent(repository.slice(project.length + 1)));
    const path = `/api/v2.0/projects/${project}/repositories/${name}/artifacts`;
    const message = `${repository}:${reference} is not in Harbor's artifact list of project ${project}`;
    return new RegistryError({
      message,
      status: 404,
      errors: [{ code: 'NOT_FOUND', message }],
      request: `GET ${path}`,
    });
  }
}

/** An error of the project checks with its step: preflight, or auth for a refusal. */
function placed(error: unknown): unknown {
  if (!isRegistryError(error)) return error;
  const refused = error.status === 401 || error.status === 403;
  return error.at(refused ? 'auth' : 'preflight');
}

function readOnly(): HarborSyncError {
  return new HarborSyncError({
    code: 'INTERNAL',
    message: 'a Harbor project read as the source is never written to',
  });
}
