// The distribution protocol over HTTP: one method per operation (regclient's scheme.API,
// go-containerregistry's remote), behind the RegistryClient interface (registry-client.ts).
import type { Readable } from 'node:stream';
import type {
  BlobResponse,
  ManifestHead,
  ManifestResponse,
  PingResult,
  RegistryClient,
  SourceCapabilities,
  UploadStart,
} from './registry-client.js';
import { RegistryError, httpError, isRegistryError } from '../errors/registry.js';
import { MANIFEST_ACCEPT, MediaType, parseManifest, type Descriptor } from './media-types.js';
import { sha256Digest } from './digest.js';
import { MANIFEST_READ_LIMIT } from './limits.js';
import { nextLink } from './pagination.js';
import { repositoryScope } from './reference.js';
import {
  Transport,
  headerValue,
  type ConnectionOptions,
  type HttpRequest,
  type HttpResponse,
  type Method,
} from './transport.js';
import type { Credentials } from './credentials.js';

export interface RegistryClientOptions extends ConnectionOptions {
  url: string;
  credentials?: Credentials;
  userAgent: string;
}

const CATALOG_PAGE = 1000;
/** A blob body streams into an upload: a larger buffer means fewer pauses of the source socket. */
const BLOB_HIGH_WATER_MARK = 1024 * 1024;

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new DistributionClient(options);
}

class DistributionClient implements RegistryClient {
  readonly host: string;
  private readonly base: URL;
  private readonly transport: Transport;
  /** Learned at the first referrers call: distribution 2.8 has no such route. */
  private noReferrersApi = false;

  get capabilities(): SourceCapabilities {
    return { untaggedManifests: false, localReads: false, referrersApi: this.noReferrersApi ? false : 'unknown' };
  }

  constructor(options: RegistryClientOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.host = this.base.host;
    const { url: _url, ...transportOptions } = options;
    this.transport = new Transport({ ...transportOptions, origin: this.base });
  }

  async ping(): Promise<PingResult> {
    const res = await this.send({ method: 'GET', url: this.url('v2/'), scopes: [] }).catch((error: unknown) => {
      // A token service that refuses our credentials is the answer to "do they work?".
      if (isRegistryError(error)) return error;
      throw error;
    });
    if (isRegistryError(res)) return { status: res.status ?? 0, ok: false, error: res };
    if (res.status === 200) {
      await res.body.dump();
      return { status: 200, ok: true };
    }
    return { status: res.status, ok: false, error: await this.failure(res, 'GET', '/v2/') };
  }

  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    const path = `v2/${repository}/manifests/${reference}`;
    const res = await this.send({
      method: 'GET',
      url: this.url(path),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pull(repository)],
    });
    if (res.status !== 200) throw await this.failure(res, 'GET', path);
    const bytes = await readLimited(res, MANIFEST_READ_LIMIT, path);
    // The digest of the bytes we hold is the truth; the header is only a claim.
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new RegistryError({
        message: `manifest ${repository}@${reference} arrived with content digest ${digest}`,
        status: 200,
        errors: [{ code: 'DIGEST_INVALID', message: 'manifest content does not match its digest' }],
        request: `GET /${path}`,
        code: 'DIGEST_MISMATCH',
      });
    }
    return { bytes, mediaType: headerValue(res.headers, 'content-type'), digest };
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    const path = `v2/${repository}/manifests/${reference}`;
    const res = await this.send({
      method: 'HEAD',
      url: this.url(path),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pull(repository)],
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.failure(res, 'HEAD', path);
    const digest = headerValue(res.headers, 'docker-content-digest');
    if (!digest) {
      // Registries may omit the digest on HEAD; the body then tells.
      const full = await this.getManifest(repository, reference);
      return { digest: full.digest, mediaType: full.mediaType, size: full.bytes.length };
    }
    return {
      digest,
      mediaType: headerValue(res.headers, 'content-type'),
      size: Number(headerValue(res.headers, 'content-length') ?? -1),
    };
  }

  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string | undefined> {
    const path = `v2/${repository}/manifests/${reference}`;
    const res = await this.send({
      method: 'PUT',
      url: this.url(path),
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [push(repository)],
    });
    if (res.status !== 201 && res.status !== 200) throw await this.failure(res, 'PUT', path);
    await res.body.dump();
    return headerValue(res.headers, 'docker-content-digest');
  }

  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    const path = `v2/${repository}/blobs/${digest}`;
    const res = await this.send({
      method: 'HEAD',
      url: this.url(path),
      scopes: [pull(repository)],
      followRedirects: true,
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.failure(res, 'HEAD', path);
    return Number(headerValue(res.headers, 'content-length') ?? -1);
  }

  async getBlob(repository: string, digest: string): Promise<BlobResponse> {
    const path = `v2/${repository}/blobs/${digest}`;
    const res = await this.send({
      method: 'GET',
      url: this.url(path),
      scopes: [pull(repository)],
      followRedirects: true,
      highWaterMark: BLOB_HIGH_WATER_MARK,
    });
    if (res.status !== 200) throw await this.failure(res, 'GET', path);
    const length = headerValue(res.headers, 'content-length');
    return { body: res.body, size: length === undefined ? undefined : Number(length) };
  }

  async startUpload(repository: string, mountFrom?: { digest: string; repository: string }): Promise<UploadStart> {
    const url = this.url(`v2/${repository}/blobs/uploads/`);
    const scopes = [push(repository)];
    if (mountFrom) {
      url.searchParams.set('mount', mountFrom.digest);
      url.searchParams.set('from', mountFrom.repository);
      scopes.push(pull(mountFrom.repository)); // Harbor answers 401 without pull on `from` (docs/harbor.md §6)
    }
    const res = await this.send({ method: 'POST', url, scopes, headers: { 'content-length': '0' } });
    if (res.status !== 202 && !(res.status === 201 && mountFrom))
      throw await this.failure(res, 'POST', url.pathname.slice(1)); // its body names the cause
    await res.body.dump();
    if (res.status === 201) return { mounted: true };
    const location = headerValue(res.headers, 'location');
    if (!location)
      throw new RegistryError({
        message: 'upload started without a Location header',
        status: 202,
        request: `POST ${url.pathname}`,
        code: 'HTTP_ERROR',
      });
    return { mounted: false, location: new URL(location, this.base) };
  }

  async finishUpload(location: URL, digest: string, size: number, body: Readable): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const repository = /\/v2\/(.+)\/blobs\/uploads\//.exec(url.pathname)?.[1];
    const res = await this.send({
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      scopes: repository ? [push(repository)] : [],
    });
    // The error body names the cause (400 DIGEST_INVALID: the bytes did not match): read it first.
    if (res.status !== 201) throw await this.failure(res, 'PUT', url.pathname.slice(1));
    await res.body.dump();
  }

  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let url: URL | undefined = this.url(`v2/${repository}/tags/list`);
    while (url) {
      const res: HttpResponse = await this.send({ method: 'GET', url, scopes: [pull(repository)] });
      if (res.status !== 200) throw await this.failure(res, 'GET', url.pathname.slice(1));
      tags.push(...(await readNames(res, url, 'tags')));
      url = nextLink(headerValue(res.headers, 'link'), url);
    }
    return tags;
  }

  async *catalog(): AsyncIterable<string[]> {
    // Distribution refuses n above its catalog.maxentries (default 1000) with 400
    // PAGINATION_NUMBER_INVALID (docs/harbor.md §9); without n it pages by its own default.
    let url: URL | undefined = this.url(`v2/_catalog?n=${CATALOG_PAGE}`);
    let first = true;
    while (url) {
      const res: HttpResponse = await this.send({ method: 'GET', url, scopes: ['registry:catalog:*'] });
      if (first && res.status === 400) {
        const error = await this.failure(res, 'GET', url.pathname.slice(1));
        if (error.registryCode !== 'PAGINATION_NUMBER_INVALID') throw error;
        url = this.url('v2/_catalog');
        first = false;
        continue;
      }
      first = false;
      if (res.status !== 200) throw await this.failure(res, 'GET', url.pathname.slice(1));
      const page = await readNames(res, url, 'repositories');
      // Checked before the page is handed out: a list known to be incomplete stops here.
      const next = nextLink(headerValue(res.headers, 'link'), url);
      if (page.length > 0) yield page;
      url = next;
    }
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    if (this.noReferrersApi) return undefined;
    const path = `v2/${repository}/referrers/${digest}`;
    const res = await this.send({
      method: 'GET',
      url: this.url(path),
      headers: { accept: MediaType.ociIndex },
      scopes: [pull(repository)],
    });
    if (res.status === 404 || res.status === 405 || res.status === 400) {
      // A registry with the API answers 200 with an empty index for a manifest without referrers;
      // a 404 that is not a registry error body means the route does not exist: stop asking.
      const body = await res.body.text().catch(() => '');
      if (res.status !== 404 || !body.includes('"errors"')) this.noReferrersApi = true;
      return undefined;
    }
    if (res.status !== 200) throw await this.failure(res, 'GET', path);
    const bytes = await readLimited(res, MANIFEST_READ_LIMIT, path);
    return parseManifest(bytes, MediaType.ociIndex).children;
  }

  invalidateTokens(project: string): void {
    this.transport.invalidateTokens(project);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }

  private send(req: HttpRequest): Promise<HttpResponse> {
    return this.transport.send(req);
  }

  private async failure(res: HttpResponse, method: Method, path: string): Promise<RegistryError> {
    const body = method === 'HEAD' ? '' : await res.body.text().catch(() => '');
    if (method === 'HEAD') await res.body.dump().catch(() => undefined);
    return httpError({ method, path, host: this.host, status: res.status, body });
  }
}

function pull(repository: string): string {
  return repositoryScope(repository, 'pull');
}

function push(repository: string): string {
  return repositoryScope(repository, 'pull,push');
}

/** The `tags` of a tag list or the `repositories` of a catalog page: strings, or nothing at all
 * (distribution sends null for an empty list). Anything else is an error, not an empty list. */
async function readNames(res: HttpResponse, url: URL, field: 'tags' | 'repositories'): Promise<string[]> {
  const body = parseJson((await readLimited(res, MANIFEST_READ_LIMIT, url.pathname)).toString('utf8'));
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const names = (body as Record<string, unknown>)[field];
    if (names === undefined || names === null) return [];
    if (Array.isArray(names) && names.every((n): n is string => typeof n === 'string')) return names;
  }
  throw new RegistryError({
    message: `GET ${url.pathname}: the answer is not a JSON object with a list of ${field}`,
    status: res.status,
    request: `GET ${url.pathname}`,
    code: 'LIST_INCOMPLETE',
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readLimited(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      res.body.destroy();
      throw new RegistryError({
        message: `${what}: response larger than ${limit} bytes`,
        status: res.status,
        request: `GET ${what}`,
        code: what.includes('/manifests/') ? 'MANIFEST_TOO_LARGE' : 'LIST_INCOMPLETE',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
