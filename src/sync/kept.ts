// A Harbor project read as the source (harbor://PROJECT, src/sources/harbor-project.ts) is copied
// into other projects of the same Harbor: the summary says, once per target project, where its tags
// are now and the reference clients pull instead, with one of the run's own tags as the example.
import type { HarborNote, TagResult } from '../model/result.js';
import type { SyncConfig } from '../model/config.js';
import { sourceHarborProject } from '../sources/source-kinds.js';

/** One `kept` note per project the source project's tags went to (copied, or there already). */
export function keptNotes(config: SyncConfig, items: readonly TagResult[]): HarborNote[] {
  const project = sourceHarborProject(config.source.url);
  if (project === undefined) return [];
  const host = new URL(config.harbor.url).host;
  const examples = new Map<string, TagResult>();
  for (const item of items) {
    // In Harbor under the source's digest: copied, or found there; a skip by filter has no digest.
    const held = item.status === 'migrated' || (item.status === 'skipped' && item.digest !== undefined);
    const target = item.target.split('/')[0]!;
    if (!held || !item.target || target === project) continue;
    // The example is a tag, the form clients pull (a digest only when there is no tag); the first
    // by name, so the summary says the same each night.
    const known = examples.get(target);
    const rank = (i: TagResult): [boolean, string] => [i.target.includes('@'), i.target];
    if (!known || compare(rank(item), rank(known)) < 0) examples.set(target, item);
  }
  const verb = config.dryRun ? 'would hold' : 'holds';
  return [...examples].map(([target, item]) => ({
    project: target,
    kind: 'kept',
    message: `project ${target} ${verb} the tags of Harbor project ${project} this run copied or found there, copies that nothing done to ${project} (its upstream, its retention) deletes: pull ${host}/${item.target} where clients pulled ${host}/${item.source}`,
  }));
}

function compare([digestA, a]: [boolean, string], [digestB, b]: [boolean, string]): number {
  if (digestA !== digestB) return digestA ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
