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
import { LIST_READ_LIMIT, MANIFEST_READ_LIMIT } from './limits.js';
import { LIST_LIMITS, ListGuard, nextLink, type ListLimits } from './pagination.js';
import { isDigest, repositoryScope } from './reference.js';
import { discardBody, readBody, readErrorText, readJson, type ReadLimit } from './body.js';
import { array, object, optional, string } from '../errors/json-shape.js';
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
  /** Caps on a paged list (tests lower them); LIST_LIMITS otherwise. */
  listLimits?: ListLimits;
}

const CATALOG_PAGE = 1000;
const MANIFEST: ReadLimit = { bytes: MANIFEST_READ_LIMIT, code: 'MANIFEST_TOO_LARGE', what: 'manifest' };
const TAG_LIST = object({ tags: optional(array(string)) });
const CATALOG_PAGE_SHAPE = object({ repositories: optional(array(string)) });
/** A blob body streams into an upload: a larger buffer means fewer pauses of the source socket. */
const BLOB_HIGH_WATER_MARK = 1024 * 1024;

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new DistributionClient(options);
}

class DistributionClient implements RegistryClient {
  readonly host: string;
  private readonly base: URL;
  private readonly transport: Transport;
  private readonly listLimits: ListLimits;
  /** Learned at the first referrers call: distribution 2.8 has no such route. */
  private noReferrersApi = false;

  get capabilities(): SourceCapabilities {
    return { untaggedManifests: false, localReads: false, referrersApi: this.noReferrersApi ? false : 'unknown' };
  }

  constructor(options: RegistryClientOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.host = this.base.host;
    const { url: _url, listLimits, ...transportOptions } = options;
    this.listLimits = listLimits ?? LIST_LIMITS;
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
      await discardBody(res);
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
    const bytes = await readBody(res, MANIFEST);
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
    await discardBody(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.failure(res, 'HEAD', path);
    const digest = digestHeader(res.headers);
    if (!digest) {
      // Registries may omit the digest on HEAD (or send something else); the body then tells.
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
    await discardBody(res);
    return digestHeader(res.headers);
  }

  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    const path = `v2/${repository}/blobs/${digest}`;
    const res = await this.send({
      method: 'HEAD',
      url: this.url(path),
      scopes: [pull(repository)],
      followRedirects: true,
    });
    await discardBody(res);
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
    await discardBody(res);
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
    // A 401 here is a token that expired while the body streamed (a stream cannot be sent again
    // with a fresh one): the whole copy is worth another try.
    if (res.status !== 201) throw await this.failure(res, 'PUT', url.pathname.slice(1), res.status === 401);
    await discardBody(res);
  }

  async listTags(repository: string): Promise<string[]> {
    const guard = new ListGuard(`the tags of ${repository}`, this.listLimits);
    let tags: string[] = [];
    let url: URL | undefined = this.url(`v2/${repository}/tags/list`);
    while (url) {
      guard.page(url);
      const res: HttpResponse = await this.send({ method: 'GET', url, scopes: [pull(repository)] });
      if (res.status !== 200) throw await this.failure(res, 'GET', url.pathname.slice(1));
      const page = (await readJson(res, listPage('tag list'), TAG_LIST)).tags ?? [];
      guard.count(page.length, url);
      // distribution sends every tag at once: a spread of 200,000 arguments overflows the stack.
      if (tags.length === 0) tags = page;
      else for (const tag of page) tags.push(tag);
      url = nextLink(headerValue(res.headers, 'link'), url);
    }
    return tags;
  }

  async *catalog(): AsyncIterable<string[]> {
    // Distribution refuses n above its catalog.maxentries (default 1000) with 400
    // PAGINATION_NUMBER_INVALID (docs/harbor.md §9); without n it pages by its own default.
    const guard = new ListGuard(`the catalog of ${this.host}`, this.listLimits);
    let url: URL | undefined = this.url(`v2/_catalog?n=${CATALOG_PAGE}`);
    let first = true;
    while (url) {
      guard.page(url);
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
      const page = (await readJson(res, listPage('catalog page'), CATALOG_PAGE_SHAPE)).repositories ?? [];
      guard.count(page.length, url);
      // Checked before the page is handed out: a list known to be incomplete stops here.
      const next = nextLink(headerValue(res.headers, 'link'), url);
      if (page.length > 0) yield page;
      url = next;
    }
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    if (this.noReferrersApi) return undefined;
    const guard = new ListGuard(`the referrers of ${repository}@${digest}`, this.listLimits);
    const found: Descriptor[] = [];
    const first = this.url(`v2/${repository}/referrers/${digest}`);
    let url: URL | undefined = first;
    while (url) {
      guard.page(url);
      const path = url.pathname.slice(1);
      const res: HttpResponse = await this.send({
        method: 'GET',
        url,
        headers: { accept: MediaType.ociIndex },
        scopes: [pull(repository)],
      });
      if (url === first && (res.status === 404 || res.status === 405 || res.status === 400)) {
        // A registry with the API answers 200 with an empty index for a manifest without referrers;
        // a 404 that is not a registry error body means the route does not exist: stop asking.
        const body = await readErrorText(res);
        if (res.status !== 404 || !body.includes('"errors"')) this.noReferrersApi = true;
        return undefined;
      }
      if (res.status !== 200) throw await this.failure(res, 'GET', path);
      const parsed = parseManifest(await readBody(res, MANIFEST), MediaType.ociIndex);
      if (parsed.kind !== 'index') {
        throw new RegistryError({
          message: `GET /${path} on ${this.host}: the referrers answer ${parsed.problem ?? 'is not an OCI index'}`,
          status: res.status,
          request: res.request,
          code: 'LIST_INCOMPLETE',
        });
      }
      guard.count(parsed.children.length, url);
      for (const child of parsed.children) found.push(child);
      // The OCI distribution spec lets a registry page the referrers with Link, as tag lists.
      url = nextLink(headerValue(res.headers, 'link'), url);
    }
    return found;
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

  private async failure(res: HttpResponse, method: Method, path: string, retryable = false): Promise<RegistryError> {
    const body = method === 'HEAD' ? '' : await readErrorText(res);
    if (method === 'HEAD') await discardBody(res);
    return httpError({ method, path, host: this.host, status: res.status, body, retryable });
  }
}

function pull(repository: string): string {
  return repositoryScope(repository, 'pull');
}

function push(repository: string): string {
  return repositoryScope(repository, 'pull,push');
}

/** A page of a list: a body larger than LIST_READ_LIMIT, or not a JSON object with a list of
 * strings (null for an empty list, as distribution sends it), is LIST_INCOMPLETE, not an empty list. */
function listPage(what: string): ReadLimit {
  return { bytes: LIST_READ_LIMIT, code: 'LIST_INCOMPLETE', what };
}

/** Docker-Content-Digest when it is a digest: it is only a claim, and one that is not a digest is
 * no claim at all (the caller then reads the manifest and hashes it). */
function digestHeader(headers: HttpResponse['headers']): string | undefined {
  const value = headerValue(headers, 'docker-content-digest');
  return value !== undefined && isDigest(value) ? value : undefined;
}
