// An in-memory Docker Distribution registry behind the RegistryClient seam, for engine unit tests.
// It keeps distribution's rules: a blob or manifest is visible in a repository only once that
// repository holds it; a mount works only from a repository that has the blob; an upload is
// committed only when its bytes hash to the digest; a manifest PUT is refused while a blob or
// child it references is missing there. Errors are built with httpError, as the HTTP client
// builds them from a registry's answer. Every call is recorded in order, and tests script
// failures per call (what a real registry or network does on a bad day).
import { Readable } from 'node:stream';
import { httpError, type RegistryError } from '../../src/errors/registry.ts';
import type {
  BlobResponse,
  ManifestHead,
  ManifestResponse,
  PingResult,
  RegistryClient,
  SourceCapabilities,
  UploadStart,
} from '../../src/registry/registry-client.ts';
import type { Descriptor } from '../../src/registry/media-types.ts';
import { referencesOf } from './fake-manifests.ts';
import { sha256, type BuiltImage, type BuiltIndex } from './images.ts';

export type Method =
  | 'ping'
  | 'getManifest'
  | 'headManifest'
  | 'putManifest'
  | 'headBlob'
  | 'getBlob'
  | 'startUpload'
  | 'finishUpload'
  | 'listTags'
  | 'catalog'
  | 'referrers'
  | 'invalidateTokens';

/** One call as a test asserts on it: the method and the arguments that matter. */
export interface Call {
  method: Method;
  repository?: string;
  /** Tag or digest of a manifest call. */
  reference?: string;
  /** Blob digest (getBlob, headBlob, finishUpload, a mount). */
  digest?: string;
  /** startUpload: the repository a mount was asked from. */
  mountFrom?: string;
  /** invalidateTokens: the project. */
  project?: string;
}

/** What a scripted call does instead of its normal answer. */
export type Fault =
  /** The registry answers this error status with a distribution error body. */
  | { status: number; code: string; message?: string }
  /** No answer: the connection fails with this Node error code (ECONNRESET, ECONNREFUSED). */
  | { network: string };

type Match = Pick<Call, 'repository' | 'reference' | 'digest'>;
type Effect = { kind: 'fault'; fault: Fault } | { kind: 'corrupt' } | { kind: 'reset'; code: string };

interface Rule {
  method: Method;
  match: Match;
  effect: Effect;
  remaining: number;
}

interface Repository {
  tags: Map<string, string>;
  /** Manifest digests linked into this repository. */
  manifests: Set<string>;
  blobs: Set<string>;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

export interface FakeRegistryOptions {
  host?: string;
  /** Repositories per catalog page. */
  catalogPage?: number;
  /** Refuses every call on a repository (Harbor: a project that does not exist). */
  access?: (repository: string) => Fault | undefined;
}

const MESSAGES: Record<string, string> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  SIZE_INVALID: 'provided length did not match content length',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown',
  NAME_UNKNOWN: 'repository name not known to registry',
  TAG_INVALID: 'manifest tag did not match URI',
  UNAVAILABLE: 'service unavailable',
};

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export class FakeRegistry implements RegistryClient {
  readonly host: string;
  readonly capabilities: SourceCapabilities = { untaggedManifests: false, localReads: false, referrersApi: false };
  /** Every call, in the order it was made. */
  readonly calls: Call[] = [];
  closed = false;
  /** Answer mounts with an upload session (202), as a registry may (Harbor, when the account may
   * not pull the repository mounted from). */
  declineMounts = false;
  private readonly repositories = new Map<string, Repository>();
  private readonly manifestStore = new Map<string, StoredManifest>();
  private readonly blobStore = new Map<string, Buffer>();
  /** Open upload sessions: location → repository. */
  private readonly sessions = new Map<string, string>();
  private readonly rules: Rule[] = [];
  private readonly observers: ((call: Call) => void)[] = [];
  private readonly catalogPage: number;
  private readonly access: ((repository: string) => Fault | undefined) | undefined;
  private uploadCount = 0;

  constructor(options: FakeRegistryOptions = {}) {
    this.host = options.host ?? 'registry.test';
    this.catalogPage = options.catalogPage ?? 100;
    this.access = options.access;
  }

  // ---- seeding and inspection (the test's own hands, not recorded) ---------------------------

  addBlob(repository: string, data: Buffer): string {
    const digest = sha256(data);
    this.blobStore.set(digest, data);
    this.repo(repository).blobs.add(digest);
    return digest;
  }

  /** Stores manifest bytes as given (anything a registry's storage may hold, valid or not) and
   * links them into the repository; a tag reference also points the tag at them. */
  addManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): string {
    const digest = sha256(bytes);
    this.manifestStore.set(digest, { bytes, mediaType });
    const repo = this.repo(repository);
    repo.manifests.add(digest);
    if (!DIGEST.test(reference)) repo.tags.set(reference, digest);
    return digest;
  }

  /** An image under a tag; `without` leaves blobs out, as a pull-through cache that never
   * fetched them (or a garbage collection that deleted them) does. */
  addImage(repository: string, tag: string, image: BuiltImage, options: { without?: string[] } = {}): string {
    for (const blob of image.blobs) if (!options.without?.includes(blob.digest)) this.addBlob(repository, blob.data);
    return this.addManifest(repository, tag, image.manifest, image.mediaType);
  }

  /** An index, its children by digest and their blobs (`without` as for addImage). */
  addIndex(repository: string, tag: string, index: BuiltIndex, options: { without?: string[] } = {}): string {
    for (const { image } of index.children) {
      for (const blob of image.blobs) if (!options.without?.includes(blob.digest)) this.addBlob(repository, blob.data);
      if (!options.without?.includes(image.digest))
        this.addManifest(repository, image.digest, image.manifest, image.mediaType);
    }
    return this.addManifest(repository, tag, index.manifest, index.mediaType);
  }

  /** Loses the content of these digests everywhere, as a garbage collection that removed blobs of
   * tagged images does: tags and links stay, so the registry still lists what it cannot serve. */
  damage(lost: { blobs?: string[]; manifests?: string[] }): this {
    for (const digest of lost.blobs ?? []) this.blobStore.delete(digest);
    for (const digest of lost.manifests ?? []) this.manifestStore.delete(digest);
    return this;
  }

  /** One repository loses its link to a blob; other repositories still serve it (a mount works). */
  unlinkBlob(repository: string, digest: string): this {
    this.repositories.get(repository)?.blobs.delete(digest);
    return this;
  }

  tagDigest(repository: string, tag: string): string | undefined {
    return this.repositories.get(repository)?.tags.get(tag);
  }

  tags(repository: string): string[] {
    return [...(this.repositories.get(repository)?.tags.keys() ?? [])].sort();
  }

  /** The manifest a repository holds under a tag or digest, exact bytes and media type. */
  manifest(repository: string, reference: string): StoredManifest | undefined {
    const digest = this.resolve(repository, reference);
    return digest ? this.manifestStore.get(digest) : undefined;
  }

  /** Manifest digests linked into a repository, sorted. */
  manifestDigests(repository: string): string[] {
    return [...(this.repositories.get(repository)?.manifests ?? [])].sort();
  }

  blob(repository: string, digest: string): Buffer | undefined {
    return this.repositories.get(repository)?.blobs.has(digest) ? this.blobStore.get(digest) : undefined;
  }

  repositoryNames(): string[] {
    return [...this.repositories.keys()].filter((r) => this.repositories.get(r)!.manifests.size > 0).sort();
  }

  // ---- scripting -------------------------------------------------------------------------------

  /** The next `times` calls of `method` matching `match` answer `fault` (Infinity: every one). */
  fail(method: Method, match: Match, fault: Fault, times = 1): this {
    this.rules.push({ method, match, effect: { kind: 'fault', fault }, remaining: times });
    return this;
  }

  /** GETs of the blob send bytes of the right length that do not hash to its digest. */
  corruptBlob(digest: string, times = Infinity): this {
    this.rules.push({ method: 'getBlob', match: { digest }, effect: { kind: 'corrupt' }, remaining: times });
    return this;
  }

  /** GETs of the blob answer 200, then the connection breaks halfway through the body. */
  breakBlobBody(digest: string, code = 'ECONNRESET', times = 1): this {
    this.rules.push({ method: 'getBlob', match: { digest }, effect: { kind: 'reset', code }, remaining: times });
    return this;
  }

  /** Sees every call as it is made (before it is answered): to act at a precise moment. */
  observe(observer: (call: Call) => void): this {
    this.observers.push(observer);
    return this;
  }

  /** The calls of one method, optionally only those matching. */
  callsOf(method: Method, match: Partial<Call> = {}): Call[] {
    return this.calls.filter((c) => c.method === method && matches(c, match));
  }

  // ---- RegistryClient ------------------------------------------------------------------------

  async ping(): Promise<PingResult> {
    const effect = this.record({ method: 'ping' });
    if (effect?.kind === 'fault') {
      if ('network' in effect.fault) throw networkError(effect.fault.network, 'connect');
      // An HTTP answer that is not 200 is a ping result, not an exception.
      const error = this.answer(effect.fault, 'GET', 'v2/');
      return { status: effect.fault.status, ok: false, error };
    }
    return { status: 200, ok: true };
  }

  async getManifest(repository: string, reference: string): Promise<ManifestResponse> {
    const path = `v2/${repository}/manifests/${reference}`;
    this.check(this.record({ method: 'getManifest', repository, reference }), 'GET', path);
    const stored = this.manifestOrThrow(repository, reference, 'GET', path);
    return { bytes: Buffer.from(stored.bytes), mediaType: stored.mediaType, digest: sha256(stored.bytes) };
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    const path = `v2/${repository}/manifests/${reference}`;
    this.check(this.record({ method: 'headManifest', repository, reference }), 'HEAD', path);
    const stored = this.manifest(repository, reference);
    return stored && { digest: sha256(stored.bytes), mediaType: stored.mediaType, size: stored.bytes.length };
  }

  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string | undefined> {
    const path = `v2/${repository}/manifests/${reference}`;
    this.check(this.record({ method: 'putManifest', repository, reference }), 'PUT', path);
    const digest = sha256(bytes);
    const refuse = (code: string, detail?: unknown) =>
      this.error('PUT', path, 400, [{ code, message: MESSAGES[code] ?? code, detail }]);
    if (DIGEST.test(reference) ? reference !== digest : !TAG.test(reference))
      throw refuse(DIGEST.test(reference) ? 'DIGEST_INVALID' : 'TAG_INVALID', reference);
    const references = referencesOf(bytes, mediaType);
    if (!references) throw refuse('MANIFEST_INVALID');
    // Distribution checks every reference in the repository itself, never the registry at large,
    // and its content too: a link whose data is gone (damage) does not count.
    const missing = [
      ...references.blobs.filter((d) => this.blob(repository, d) === undefined),
      ...references.manifests.filter((d) => this.manifest(repository, d) === undefined),
    ];
    if (missing.length > 0) {
      throw this.error(
        'PUT',
        path,
        400,
        missing.map((d) => ({ code: 'MANIFEST_BLOB_UNKNOWN', message: MESSAGES.MANIFEST_BLOB_UNKNOWN!, detail: d })),
      );
    }
    this.addManifest(repository, reference, Buffer.from(bytes), mediaType);
    return digest;
  }

  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    this.check(this.record({ method: 'headBlob', repository, digest }), 'HEAD', `v2/${repository}/blobs/${digest}`);
    return this.blob(repository, digest)?.length;
  }

  async getBlob(repository: string, digest: string): Promise<BlobResponse> {
    const path = `v2/${repository}/blobs/${digest}`;
    const effect = this.check(this.record({ method: 'getBlob', repository, digest }), 'GET', path);
    const data = this.blob(repository, digest);
    if (!data)
      throw this.error('GET', path, 404, [{ code: 'BLOB_UNKNOWN', message: MESSAGES.BLOB_UNKNOWN!, detail: digest }]);
    if (effect?.kind === 'corrupt') return { body: Readable.from([flipFirstByte(data)]), size: data.length };
    if (effect?.kind === 'reset') return { body: brokenStream(data, effect.code), size: data.length };
    return { body: Readable.from([Buffer.from(data)]), size: data.length };
  }

  async startUpload(repository: string, mountFrom?: { digest: string; repository: string }): Promise<UploadStart> {
    const path = `v2/${repository}/blobs/uploads/`;
    this.check(
      this.record({
        method: 'startUpload',
        repository,
        ...(mountFrom && { digest: mountFrom.digest, mountFrom: mountFrom.repository }),
      }),
      'POST',
      path,
    );
    if (mountFrom && !this.declineMounts && this.blob(mountFrom.repository, mountFrom.digest)) {
      this.repo(repository).blobs.add(mountFrom.digest);
      return { mounted: true };
    }
    // No mount (or the source repository lacks the blob): distribution opens a session instead (202).
    const location = new URL(`https://${this.host}/${path}${++this.uploadCount}`);
    this.sessions.set(location.href, repository);
    return { mounted: false, location };
  }

  async finishUpload(location: URL, digest: string, size: number, body: Readable): Promise<void> {
    const repository = this.sessions.get(location.href);
    const path = location.pathname.slice(1);
    const effect = this.record({ method: 'finishUpload', ...(repository !== undefined && { repository }), digest });
    if (repository === undefined) {
      body.destroy();
      throw this.error('PUT', path, 404, [{ code: 'BLOB_UPLOAD_UNKNOWN', message: MESSAGES.BLOB_UPLOAD_UNKNOWN! }]);
    }
    // A session takes one PUT, whatever its fate: a retry opens a new one.
    this.sessions.delete(location.href);
    try {
      this.check(effect, 'PUT', path);
    } catch (error) {
      body.destroy(); // a refused request sends no body
      throw error;
    }
    // A body that fails while streaming fails the request with the body's error, as undici does.
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
    const data = Buffer.concat(chunks);
    if (data.length !== size)
      throw this.error('PUT', path, 400, [{ code: 'SIZE_INVALID', message: MESSAGES.SIZE_INVALID! }]);
    if (!DIGEST.test(digest) || sha256(data) !== digest)
      throw this.error('PUT', path, 400, [
        { code: 'DIGEST_INVALID', message: MESSAGES.DIGEST_INVALID!, detail: digest },
      ]);
    this.addBlob(repository, data);
  }

  async listTags(repository: string): Promise<string[]> {
    const path = `v2/${repository}/tags/list`;
    this.check(this.record({ method: 'listTags', repository }), 'GET', path);
    const repo = this.repositories.get(repository);
    if (!repo || repo.manifests.size === 0)
      throw this.error('GET', path, 404, [
        { code: 'NAME_UNKNOWN', message: MESSAGES.NAME_UNKNOWN!, detail: { name: repository } },
      ]);
    return [...repo.tags.keys()].sort();
  }

  async *catalog(): AsyncIterable<string[]> {
    const names = this.repositoryNames();
    let start = 0;
    do {
      this.check(this.record({ method: 'catalog' }), 'GET', 'v2/_catalog');
      const page = names.slice(start, start + this.catalogPage);
      if (page.length > 0) yield page; // as the HTTP client: no empty pages
      start += this.catalogPage;
    } while (start < names.length);
  }

  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    this.record({ method: 'referrers', repository, digest });
    return undefined; // distribution 2.8 has no referrers API
  }

  invalidateTokens(project: string): void {
    this.record({ method: 'invalidateTokens', project });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ---- internals -----------------------------------------------------------------------------

  private repo(name: string): Repository {
    let repo = this.repositories.get(name);
    if (!repo) {
      repo = { tags: new Map(), manifests: new Set(), blobs: new Set() };
      this.repositories.set(name, repo);
    }
    return repo;
  }

  private resolve(repository: string, reference: string): string | undefined {
    const repo = this.repositories.get(repository);
    if (!repo) return undefined;
    if (DIGEST.test(reference)) return repo.manifests.has(reference) ? reference : undefined;
    return repo.tags.get(reference);
  }

  private manifestOrThrow(repository: string, reference: string, method: string, path: string): StoredManifest {
    const stored = this.manifest(repository, reference);
    if (stored) return stored;
    const known = this.repositories.has(repository);
    throw this.error(method, path, 404, [
      known
        ? { code: 'MANIFEST_UNKNOWN', message: MESSAGES.MANIFEST_UNKNOWN!, detail: { Tag: reference } }
        : { code: 'NAME_UNKNOWN', message: MESSAGES.NAME_UNKNOWN!, detail: { name: repository } },
    ]);
  }

  /** Records the call, tells the observers, and returns the scripted effect for it, if any. */
  private record(call: Call): Effect | undefined {
    this.calls.push(call);
    for (const observer of this.observers) observer(call);
    const rule = this.rules.find((r) => r.method === call.method && r.remaining > 0 && matches(call, r.match));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.effect;
  }

  /** Throws a scripted fault or an access refusal; passes body effects on to the caller. */
  private check(effect: Effect | undefined, method: string, path: string): Effect | undefined {
    const repository = /^v2\/(.+?)\/(manifests|blobs|tags)\//.exec(path)?.[1];
    const refused = repository !== undefined ? this.access?.(repository) : undefined;
    if (refused) throw this.fault(refused, method, path);
    if (effect?.kind === 'fault') throw this.fault(effect.fault, method, path);
    return effect;
  }

  private fault(fault: Fault, method: string, path: string): Error {
    if ('network' in fault)
      return networkError(fault.network, method === 'GET' || method === 'HEAD' ? 'read' : 'write');
    return this.answer(fault, method, path);
  }

  private answer(
    fault: { status: number; code: string; message?: string },
    method: string,
    path: string,
  ): RegistryError {
    return this.error(method, path, fault.status, [
      { code: fault.code, message: fault.message ?? MESSAGES[fault.code] ?? fault.code },
    ]);
  }

  /** The error the HTTP client makes of this answer (a HEAD's answer has no body to read). */
  private error(
    method: string,
    path: string,
    status: number,
    errors: { code: string; message: string; detail?: unknown }[],
  ): RegistryError {
    const body = method === 'HEAD' ? '' : JSON.stringify({ errors });
    return httpError({ method, path, host: this.host, status, body });
  }
}

function matches(call: Partial<Call>, match: Partial<Call>): boolean {
  return Object.entries(match).every(([key, value]) => value === undefined || call[key as keyof Call] === value);
}

/** Node's error for a connection that failed (`read ECONNRESET`), as undici passes it on. */
export function networkError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
}

function flipFirstByte(data: Buffer): Buffer {
  const copy = Buffer.from(data);
  copy[0] = (copy[0] ?? 0) ^ 0xff;
  return copy;
}

/** Sends the first half of the bytes, then fails as a reset connection does. */
function brokenStream(data: Buffer, code: string): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(data.subarray(0, Math.floor(data.length / 2)));
        return;
      }
      this.destroy(networkError(code, 'read'));
    },
  });
}
