// What to sync: declared images, and in catalog mode every repository the source lists, page by
// page (copying starts while the catalog is still being walked). Repositories and tags left out by
// the selection rules are reported as skipped with the rule; a repository with no tags is reported
// too. Signature and attestation tags (cosign's `sha256-<hex>.sig|.att|.sbom`, the OCI referrers
// tag `sha256-<hex>`) are not selected on their own: they follow their subject. With
// include-untagged, a whole repository also brings the manifests no tag points at (untagged.ts).
import type { RegistryClient } from '../registry/client.js';
import type { HarborTarget } from '../harbor/names.js';
import { isNotFound } from '../registry/errors.js';
import { isTag } from '../registry/reference.js';
import { printable } from '../redact/text.js';
import { describeFailure } from './failure.js';
import { jobFor, type TagJob } from './jobs.js';
import { OncePerKey } from './once.js';
import { repositoryExcludedBy, selectTags, selectsAllTags, type Selection } from './select.js';
import type { ImageSpec, TagResult } from './types.js';
import { untaggedJobs, type RevisionSource } from './untagged.js';

const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}(\.(sig|att|sbom))?$/;

export function isSignatureTag(tag: string): boolean {
  return SIGNATURE_TAG.test(tag);
}

export interface Expansion {
  jobs: TagJob[];
  /** Items decided without touching the tag: filtered out, or the repository could not be listed. */
  items: TagResult[];
}

export class Discovery {
  private readonly source: RegistryClient;
  private readonly selection: Selection;
  private readonly includeSignatures: boolean;
  /** Set with include-untagged: where untagged manifests are listed. */
  private readonly revisions: RevisionSource | undefined;
  private readonly tagLists = new OncePerKey<string[]>();

  constructor(source: RegistryClient, selection: Selection, includeSignatures: boolean, revisions?: RevisionSource) {
    this.source = source;
    this.selection = selection;
    this.includeSignatures = includeSignatures;
    this.revisions = revisions;
  }

  /** Why the selection leaves a whole repository out, or undefined. */
  excludedRepository(repository: string): string | undefined {
    return repositoryExcludedBy(repository, this.selection);
  }

  /** One spec's jobs. A line naming a tag or digest is taken as is; a whole repository is listed
   * and filtered. From the catalog, an empty repository is skipped; a declared one is a failure. */
  async expand(spec: ImageSpec, target: HarborTarget, fromCatalog: boolean): Promise<Expansion> {
    if (spec.tag !== undefined || spec.digest !== undefined) return { jobs: [jobFor(spec, target)], items: [] };
    const whole = (status: TagResult['status'], extra: Partial<TagResult>): Expansion => ({
      jobs: [],
      items: [{ source: `${spec.repository}:*`, target: `${target.repository}:*`, status, ...extra }],
    });
    let tags: string[];
    try {
      tags = await this.tags(spec.repository);
    } catch (error) {
      // Pushed to only by digest, a repository has no tags directory, yet untagged manifests.
      const untagged = isNotFound(error) ? await this.untagged(spec.repository, target, []) : undefined;
      if (untagged) return untagged;
      return whole('failed', { error: describeFailure('discover', error) });
    }
    // A registry's list is untrusted: a name outside the tag grammar is never used in a request
    // or printed raw; it is reported, so the list is not silently shorter.
    const invalid = tags.filter((t) => !isTag(t));
    if (invalid.length > 0) tags = tags.filter(isTag);
    const refused: TagResult[] = invalid.map((tag) => ({
      source: `${spec.repository}:${printable(tag)}`,
      target: '',
      status: 'failed',
      error: { step: 'discover', code: 'TAG_INVALID', message: `the source lists a tag name that is not valid: ${JSON.stringify(printable(tag).slice(0, 200))}` },
    }));
    const untagged = await this.untagged(spec.repository, target, tags);
    if (tags.length === 0 && refused.length > 0) return { jobs: untagged?.jobs ?? [], items: [...refused, ...(untagged?.items ?? [])] };
    if (tags.length === 0) {
      if (untagged) return untagged;
      return fromCatalog
        ? whole('skipped', { reason: 'repository has no tags' })
        : whole('failed', { error: { step: 'discover', message: `${spec.repository} has no tags on the source (${spec.origin})` } });
    }
    const plain = tags.filter((t) => !isSignatureTag(t));
    const { selected, excluded } = selectsAllTags(this.selection) ? { selected: plain, excluded: [] } : selectTags(plain, this.selection);
    const items: TagResult[] = refused.concat(excluded.map(({ tag, rule }) => ({
      source: `${spec.repository}:${tag}`,
      target: `${target.repository}:${tag}`,
      status: 'skipped',
      reason: `filtered out: ${rule}`,
    })));
    if (!this.includeSignatures) {
      for (const tag of tags.filter(isSignatureTag)) {
        items.push({ source: `${spec.repository}:${tag}`, target: `${target.repository}:${tag}`, status: 'skipped', reason: 'signature or attestation (include-signatures: false)' });
      }
    }
    const jobs = selected.map((tag) => jobFor({ repository: spec.repository, tag }, target));
    return { jobs: [...jobs, ...(untagged?.jobs ?? [])], items: [...items, ...(untagged?.items ?? [])] };
  }

  /** With include-untagged: the repository's manifests that none of `tags` reaches; undefined
   * when there are none (or the option is off). */
  private async untagged(repository: string, target: HarborTarget, tags: string[]): Promise<Expansion | undefined> {
    if (!this.revisions) return undefined;
    const found = await untaggedJobs(this.revisions, repository, target, tags, this.includeSignatures);
    return found.jobs.length + found.items.length > 0 ? found : undefined;
  }

  /** Signatures, attestations and referrers of a manifest that was synced (or found in Harbor
   * already): cosign tags and the referrers tag schema, plus the OCI 1.1 referrers API. */
  async followers(job: TagJob, digest: string): Promise<TagJob[]> {
    if (!this.includeSignatures) return [];
    const hex = digest.replace(/^sha256:/, '');
    const tags = await this.tags(job.sourceRepository).catch(() => [] as string[]);
    const jobs = tags
      .filter((t) => isSignatureTag(t) && t.startsWith(`sha256-${hex}`))
      .map((tag) => jobFor({ repository: job.sourceRepository, tag }, job.target));
    const referrers = await this.source.referrers(job.sourceRepository, digest).catch(() => undefined);
    for (const ref of referrers ?? []) jobs.push(jobFor({ repository: job.sourceRepository, digest: ref.digest }, job.target));
    return jobs;
  }

  private tags(repository: string): Promise<string[]> {
    return this.tagLists.run(repository, async () => [...new Set(await this.source.listTags(repository))].sort()).promise;
  }
}
