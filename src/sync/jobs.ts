// One job per tag: where it is read on the source and written in Harbor.
import { NameMappingError, type HarborTarget } from '../harbor/targets.js';
import type { ImageSpec } from '../model/config.js';

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
export function mapSpecs(specs: ImageSpec[], map: (repository: string) => HarborTarget): Map<ImageSpec, HarborTarget> {
  const mapped = new Map<ImageSpec, HarborTarget>();
  const problems: string[] = [];
  for (const spec of specs) {
    try {
      mapped.set(spec, map(spec.repository));
    } catch (error) {
      if (!(error instanceof NameMappingError)) throw error;
      problems.push(`${spec.origin} (${spec.repository}): ${error.message}`);
    }
  }
  if (problems.length > 0) throw new NameMappingError(`refused before anything was copied:\n${problems.join('\n')}`);
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
