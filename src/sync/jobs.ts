// From what the user listed to one job per tag: `repo` expands to every tag on the source,
// and each source repository is mapped to its Harbor project and repository.
import { mapRepository, NameMappingError, type HarborTarget } from '../harbor/names.js';
import type { RegistryClient } from '../registry/client.js';
import type { ImageSpec, TagResult } from './types.js';
import { describeFailure } from './failure.js';

export interface TagJob {
  sourceRepository: string;
  /** Tag or digest to read on the source. */
  sourceReference: string;
  target: HarborTarget;
  /** Tag or digest to write in Harbor. */
  targetReference: string;
  sourceLabel: string;
  targetLabel: string;
}

/** Maps every spec before any network traffic, so bad names are refused before anything is copied. */
export function mapSpecs(specs: ImageSpec[], defaultProject: string): Map<ImageSpec, HarborTarget> {
  const mapped = new Map<ImageSpec, HarborTarget>();
  const problems: string[] = [];
  for (const spec of specs) {
    try {
      mapped.set(spec, mapRepository(spec.repository, defaultProject));
    } catch (error) {
      if (!(error instanceof NameMappingError)) throw error;
      problems.push(`${spec.origin} (${spec.repository}): ${error.message}`);
    }
  }
  if (problems.length > 0) throw new NameMappingError(problems.join('\n'));
  return mapped;
}

export function jobFor(spec: { repository: string; tag?: string; digest?: string }, target: HarborTarget): TagJob {
  const sourceReference = spec.digest ?? spec.tag!;
  const targetReference = spec.tag ?? spec.digest!;
  const sep = (ref: string) => (ref.includes(':') ? '@' : ':');
  return {
    sourceRepository: spec.repository,
    sourceReference,
    target,
    targetReference,
    sourceLabel: `${spec.repository}${spec.tag !== undefined ? `:${spec.tag}` : ''}${spec.digest !== undefined ? `@${spec.digest}` : ''}`,
    targetLabel: `${target.repository}${sep(targetReference)}${targetReference}`,
  };
}

/** Jobs for one spec; a whole-repository spec lists the source's tags. A listing failure or an
 * empty repository is reported as a failed item rather than dropped. */
export async function expandSpec(
  spec: ImageSpec,
  target: HarborTarget,
  source: RegistryClient,
): Promise<{ jobs: TagJob[]; failures: TagResult[] }> {
  if (spec.tag !== undefined || spec.digest !== undefined) return { jobs: [jobFor(spec, target)], failures: [] };
  const failed = (error: TagResult['error']): { jobs: TagJob[]; failures: TagResult[] } => ({
    jobs: [],
    failures: [{ source: `${spec.repository}:*`, target: `${target.repository}:*`, status: 'failed', ...(error && { error }) }],
  });
  try {
    const tags = [...new Set(await source.listTags(spec.repository))].sort();
    if (tags.length === 0) {
      return failed({ step: 'discover', message: `${spec.repository} has no tags on the source (${spec.origin})` });
    }
    return { jobs: tags.map((tag) => jobFor({ repository: spec.repository, tag }, target)), failures: [] };
  } catch (error) {
    return failed(describeFailure('discover', error));
  }
}
