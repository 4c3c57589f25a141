// What to sync: declared images, and in catalog mode every repository the source lists, page by
// page (copying starts while the catalog is still being walked). Repositories and tags left out by
// the selection rules are reported as skipped with the rule; a repository with no tags is reported
// too. Signature and attestation tags (cosign's `sha256-<hex>.sig|.att|.sbom`, the OCI referrers
// tag `sha256-<hex>`) are not selected on their own: they follow their subject. With
// include-untagged, a whole repository also brings the manifests no tag points at (untagged.ts).
// Lists are untrusted: a name outside the reference grammar is reported, never requested or
// printed raw, so a list is never silently shorter.
import { HarborSyncError, isHarborSyncError } from '../errors/base.js';
import { isNotFound } from '../errors/registry.js';
import type { HarborTarget } from '../harbor/targets.js';
import type { RetainedItem, TagResult } from '../model/result.js';
import type { RepositoryListing } from '../harbor/api.js';
import { printable } from '../redact/text.js';
import { isRepositoryName, isTag } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { ImageSpec, Shard } from '../model/config.js';
import type { Selection } from '../model/selection.js';
import { failure, toFailure } from './failure.js';
import { jobFor, type TagJob } from './jobs.js';
import { OncePerKey } from '../transfer/once.js';
import { repositoryExcludedBy, selectTags, selectsAllTags } from './select.js';
import { inShard } from './shard.js';
import { untaggedJobs, type UntaggedLister } from './untagged.js';

const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}(\.(sig|att|sbom))?$/;

function isSignatureTag(tag: string): boolean {
  return SIGNATURE_TAG.test(tag);
}

export interface Expansion {
  jobs: TagJob[];
  /** Items decided without touching the tag: filtered out, or the repository could not be listed. */
  items: TagResult[];
  /** Of a repository synced whole: the tags Harbor holds that the source no longer lists. */
  retained?: RetainedItem[];
}

export interface DiscoveryOptions {
  selection: Selection;
  includeSignatures: boolean;
  /** Set with include-untagged: where untagged manifests are listed. */
  revisions?: UntaggedLister | undefined;
  /** Where a source repository lands in Harbor; throws a HarborSyncError for a name Harbor cannot take. */
  mapTarget(repository: string): HarborTarget;
  shard?: Shard | undefined;
  /** What Harbor holds in a target repository (undefined: nothing, or not to be known): compared
   * with the source's tags to find the tags only Harbor has now. The listing the cheap re-run
   * reads anyway: no request of its own. */
  harborTags?(target: HarborTarget): Promise<RepositoryListing | undefined>;
}

/** What the catalog walk hands on: a repository to expand, or an item decided on the spot. */
export interface CatalogVisitor {
  /** Resolves when the repository is taken on: the walk waits for room among the open ones. */
  repository(spec: ImageSpec, target: HarborTarget): Promise<void>;
  item(item: TagResult): void;
  /** Checked before each repository: false stops the walk (the run is being stopped). */
  goOn(): boolean;
}

export class Discovery {
  private readonly source: RegistryClient;
  private readonly options: DiscoveryOptions;
  private readonly tagLists = new OncePerKey<string[]>();
  /** What the catalog listed, and the Harbor repositories and projects it maps to: for the
   * repositories only Harbor has now (O(repositories), never per tag). */
  readonly catalogNames = new Set<string>();
  readonly mappedTargets = new Set<string>();
  readonly targetProjects = new Set<string>();

  constructor(source: RegistryClient, options: DiscoveryOptions) {
    this.source = source;
    this.options = options;
  }

  /** Every repository of the source's catalog, page by page; each is handed on as soon as its page
   * arrives. A catalog that cannot be read whole is an error (step discover). */
  async walkCatalog(visit: CatalogVisitor): Promise<void> {
    try {
      for await (const page of this.source.catalog()) {
        for (const repository of page) {
          if (!visit.goOn()) return;
          await this.visitRepository(repository, visit);
        }
      }
    } catch (error) {
      const f = toFailure(error, 'discover');
      const denied = f.status === 401 || f.status === 403;
      const hint = denied
        ? `listing the catalog needs ${this.source.catalogNeeds ?? 'catalog permission on the source (on Harbor as a source: a system admin)'}; list images instead`
        : f.hint;
      throw new HarborSyncError({
        code: f.errorCode,
        step: 'discover',
        ...(f.status !== undefined && { status: f.status }),
        ...(f.code !== undefined && { registryCode: f.code }),
        message: `listing the source catalog failed: ${f.message}`,
        ...(hint !== undefined && { hint }),
        cause: error,
      });
    }
  }

  private async visitRepository(repository: string, visit: CatalogVisitor): Promise<void> {
    const { shard, mapTarget } = this.options;
    this.catalogNames.add(repository);
    if (!isRepositoryName(repository)) {
      visit.item({
        source: `${printable(repository).slice(0, 300)}:*`,
        target: '',
        status: 'failed',
        error: failure('discover', 'NAME_INVALID', 'the source catalog lists a repository name that is not valid'),
      });
      return;
    }
    if (!inShard(repository, shard)) return;
    const rule = repositoryExcludedBy(repository, this.options.selection);
    if (rule) {
      visit.item({ source: `${repository}:*`, target: '', status: 'skipped', reason: `filtered out: ${rule}` });
      return;
    }
    let target: HarborTarget;
    try {
      target = mapTarget(repository);
    } catch (error) {
      if (!isHarborSyncError(error)) throw error;
      visit.item({ source: `${repository}:*`, target: '', status: 'failed', error: toFailure(error, 'config') });
      return;
    }
    this.mappedTargets.add(target.repository);
    this.targetProjects.add(target.project);
    await visit.repository({ repository, origin: 'catalog' }, target);
  }

  /** One spec's jobs. A line naming a tag or digest is taken as is; a whole repository is listed
   * and filtered. From the catalog, an empty repository is skipped; a declared one is a failure. */
  async expand(spec: ImageSpec, target: HarborTarget, fromCatalog: boolean): Promise<Expansion> {
    if (spec.tag !== undefined || spec.digest !== undefined) return { jobs: [jobFor(spec, target)], items: [] };
    const whole = (status: TagResult['status'], extra: Partial<TagResult>): Expansion => ({
      jobs: [],
      items: [{ source: `${spec.repository}:*`, target: `${target.repository}:*`, status, ...extra }],
    });
    let listed: string[];
    try {
      listed = await this.tags(spec.repository);
    } catch (error) {
      // Pushed to only by digest, a repository has no tags directory, yet untagged manifests.
      const untagged = isNotFound(error) ? await this.untagged(spec.repository, target, []) : undefined;
      if (untagged) return untagged;
      return whole('failed', { error: toFailure(error, 'discover') });
    }
    const tags = listed.filter(isTag);
    const refused: TagResult[] = listed
      .filter((t) => !isTag(t))
      .map((tag) => ({
        source: `${spec.repository}:${printable(tag).slice(0, 200)}`,
        target: '',
        status: 'failed',
        error: failure(
          'discover',
          'NAME_INVALID',
          `the source lists a tag name that is not valid: ${JSON.stringify(printable(tag).slice(0, 200))}`,
        ),
      }));
    const untagged = await this.untagged(spec.repository, target, tags);
    const retained = await this.retained(spec.repository, target, tags);
    if (tags.length === 0) {
      if (refused.length > 0 || untagged)
        return { jobs: untagged?.jobs ?? [], items: [...refused, ...(untagged?.items ?? [])], retained };
      const empty = fromCatalog
        ? whole('skipped', { reason: 'repository has no tags' })
        : whole('failed', {
            error: failure('discover', 'NOT_FOUND', `${spec.repository} has no tags on the source (${spec.origin})`),
          });
      return { ...empty, retained };
    }
    const plain = tags.filter((t) => !isSignatureTag(t));
    const { selection, includeSignatures } = this.options;
    const { selected, excluded } = selectsAllTags(selection)
      ? { selected: plain, excluded: [] }
      : selectTags(plain, selection);
    const items: TagResult[] = [
      ...refused,
      ...excluded.map(
        ({ tag, rule }): TagResult => ({
          source: `${spec.repository}:${tag}`,
          target: `${target.repository}:${tag}`,
          status: 'skipped',
          reason: `filtered out: ${rule}`,
        }),
      ),
    ];
    if (!includeSignatures) {
      for (const tag of tags.filter(isSignatureTag)) {
        items.push({
          source: `${spec.repository}:${tag}`,
          target: `${target.repository}:${tag}`,
          status: 'skipped',
          reason: 'signature or attestation (include-signatures: false)',
        });
      }
    }
    const jobs = selected.map((tag) => jobFor({ repository: spec.repository, tag }, target));
    return { jobs: [...jobs, ...(untagged?.jobs ?? [])], items: [...items, ...(untagged?.items ?? [])], retained };
  }

  /** The tags Harbor holds in `target` that the source's list no longer has: kept in Harbor,
   * reported as retained. A tag the filters leave out (tags, exclude-tags, semver, latest) is out
   * of scope, not retained: it is judged with the source's tags, as a sync would have. */
  private async retained(repository: string, target: HarborTarget, tags: string[]): Promise<RetainedItem[]> {
    const listing = await this.options.harborTags?.(target);
    if (!listing) return [];
    const onSource = new Set(tags);
    const gone = [...listing.tags.keys()].filter((tag) => !onSource.has(tag));
    if (gone.length === 0) return [];
    const { selection, includeSignatures } = this.options;
    const plain = gone.filter((t) => !isSignatureTag(t));
    const inScope = new Set(
      selectsAllTags(selection)
        ? plain
        : selectTags([...tags.filter((t) => !isSignatureTag(t)), ...plain], selection).selected.filter(
            (t) => !onSource.has(t),
          ),
    );
    if (includeSignatures) for (const tag of gone) if (isSignatureTag(tag)) inScope.add(tag);
    return gone
      .filter((tag) => inScope.has(tag))
      .sort()
      .map((tag) => {
        const pushedAt = listing.pushedAt.get(tag);
        return {
          kind: 'tag' as const,
          source: `${repository}:${tag}`,
          target: `${target.repository}:${tag}`,
          digest: listing.tags.get(tag)!,
          ...(pushedAt !== undefined && { pushedAt }),
        };
      });
  }

  /** With include-untagged: the repository's manifests that none of `tags` reaches; undefined
   * when there are none (or the option is off). */
  private async untagged(repository: string, target: HarborTarget, tags: string[]): Promise<Expansion | undefined> {
    if (!this.options.revisions) return undefined;
    const found = await untaggedJobs(this.options.revisions, repository, target, tags, this.options.includeSignatures);
    return found.jobs.length + found.items.length > 0 ? found : undefined;
  }

  /** Signatures, attestations and referrers of a manifest that was synced (or found in Harbor
   * already): cosign tags and the referrers tag schema, plus the OCI 1.1 referrers API. A lookup
   * that fails is reported as a failed item, never passed over in silence. */
  async followers(job: TagJob, digest: string): Promise<Expansion> {
    if (!this.options.includeSignatures) return { jobs: [], items: [] };
    const hex = digest.replace(/^sha256:/, '');
    const items: TagResult[] = [];
    const lookupFailed = (error: unknown, what: string): void => {
      const f = toFailure(error, 'discover');
      items.push({
        source: `${job.sourceRepository}:sha256-${hex}.*`,
        target: `${job.target.repository}:sha256-${hex}.*`,
        status: 'failed',
        error: { ...f, message: `${what} of ${job.sourceLabel} could not be listed: ${f.message}` },
      });
    };
    const tags = await this.tags(job.sourceRepository).catch((error: unknown) => {
      // A repository pushed to only by digest has no tag list at all: nothing follows by tag.
      if (!isNotFound(error)) lookupFailed(error, 'signature and attestation tags');
      return [] as string[];
    });
    const jobs = tags
      .filter((t) => isSignatureTag(t) && t.startsWith(`sha256-${hex}`))
      .map((tag) => jobFor({ repository: job.sourceRepository, tag }, job.target));
    const referrers = await this.source.referrers(job.sourceRepository, digest).catch((error: unknown) => {
      lookupFailed(error, 'OCI referrers');
      return undefined;
    });
    for (const ref of referrers ?? [])
      jobs.push(jobFor({ repository: job.sourceRepository, digest: ref.digest }, job.target));
    return { jobs, items };
  }

  /** Done with a repository: its tag list goes. */
  forget(repository: string): void {
    this.tagLists.forget(repository);
  }

  private tags(repository: string): Promise<string[]> {
    return this.tagLists.run(repository, async () => [...new Set(await this.source.listTags(repository))].sort())
      .promise;
  }
}
