// Where a source repository lands in Harbor when the default (first component = project) is not
// what the user wants. Ordered rules `from => to`, first match wins; prefixes match whole path
// components, so `mirror` matches `mirror` and `mirror/x` but not `mirrors/x`.
//
//   mirror => mirrors              mirror/a/b  → project mirrors, path a/b
//   mirror => mirrors/hub          mirror/a/b  → project mirrors, path hub/a/b
//   mirror => mirrors (flatten)    mirror/a/b  → project mirrors, path b (last component only)
//   old/app => library/app         old/app     → project library, path app (a rename)
//
// A source equal to `from` keeps nothing after the prefix: under a multi-component target it
// becomes the target itself (a rename); under a project alone it is an error, since a project is
// not a repository and guessing a name there could collide with `from/<name>`. With flatten it
// keeps its last component like any other source. Unmatched repositories use mapRepository.
import { mapRepository, NameMappingError, type HarborTarget } from '../harbor/targets.js';
import { describeRule, trimSlash, underPrefix, type MappingRule } from '../model/mapping-rule.js';

/** The first matching rule decides; without one, the default mapping (mapRepository). */
export function mapWithRules(repository: string, rules: MappingRule[], defaultProject: string): HarborTarget {
  const rule = rules.find((r) => underPrefix(repository, trimSlash(r.from)));
  if (!rule) return mapRepository(repository, defaultProject);
  const from = trimSlash(rule.from);
  const to = trimSlash(rule.to);
  const rest = rule.flatten ? repository.slice(repository.lastIndexOf('/') + 1) : repository.slice(from.length + 1);
  if (!rest && !to.includes('/')) {
    throw new NameMappingError(
      `"${repository}" matches ${describeRule(rule)} but leaves no repository name under project "${to}": add a rule such as "${from} => ${to}/${lastComponent(repository)}" before it, or exclude "${repository}"`,
    );
  }
  try {
    return mapRepository(rest ? `${to}/${rest}` : to, defaultProject);
  } catch (error) {
    if (error instanceof NameMappingError)
      throw new NameMappingError(`${describeRule(rule)} maps "${repository}" badly: ${error.message}`);
    throw error;
  }
}

/** The source repositories that this mapping sends to the Harbor repository `target` (`p/a/b`):
 * the inverse of mapWithRules, checked forward. A flatten rule cannot be inverted (many sources
 * share a last component), so targets under it have no known source. */
export function sourcesFor(target: string, rules: MappingRule[], defaultProject: string): string[] {
  const candidates = new Set<string>();
  for (const rule of rules) {
    if (rule.flatten) continue;
    const to = trimSlash(rule.to);
    const from = trimSlash(rule.from);
    if (target === to) candidates.add(from);
    else if (target.startsWith(`${to}/`)) candidates.add(`${from}${target.slice(to.length)}`);
  }
  candidates.add(target);
  const [project, ...path] = target.split('/');
  if (project === defaultProject && path.length === 1) candidates.add(path[0]!);
  return [...candidates].filter((source) => {
    try {
      return mapWithRules(source, rules, defaultProject).repository === target;
    } catch {
      return false;
    }
  });
}

function lastComponent(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Whether the rules can send two different source repositories to one Harbor repository, judged
 * from the rules alone (the catalog is not known yet):
 * - a flatten rule (`a/x/app` and `a/y/app` both → `<to>/app`);
 * - two rules whose targets overlap on whole components (`a => m`, `b => m` or `b => m/sub`);
 * - a rule's target that a source could also reach by the default mapping: a source named
 *   `<to>/…` that no rule matches keeps its name, and a single-level name `x` becomes
 *   `<defaultProject>/x`.
 * The default mapping's own overlap (`alpine` and `library/alpine`) is not counted: it exists
 * without any rule. Either way findCollisions on the real list is the authority.
 */
export function mayCollide(rules: MappingRule[], defaultProject: string): boolean {
  const targets = rules.map((r) => trimSlash(r.to));
  const froms = rules.map((r) => trimSlash(r.from));
  if (rules.some((r) => r.flatten)) return true;
  const overlapping = targets.some((t, i) => targets.some((u, j) => i < j && (underPrefix(t, u) || underPrefix(u, t))));
  if (overlapping) return true;
  const reachableByDefault = targets.some((t) => !froms.some((f) => underPrefix(t, f)));
  if (reachableByDefault) return true;
  return targets.some((t) => t.split('/')[0] === defaultProject && t.split('/').length <= 2);
}

/** Targets that more than one different source maps onto: target → those sources, in order seen. */
export function findCollisions(items: { source: string; target: string }[]): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const { source, target } of items) {
    const list = sources.get(target) ?? [];
    if (!list.includes(source)) list.push(source);
    sources.set(target, list);
  }
  return new Map([...sources].filter(([, list]) => list.length > 1));
}
