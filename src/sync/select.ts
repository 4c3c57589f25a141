// Which repositories and tags a whole-catalog sync copies. Pure logic: the engine lists the
// catalog and the tags, this module decides, and everything left out carries the rule that left
// it out so the report can say why.
//
// Repository patterns (`include`, `exclude`):
//   - a glob: `*` any characters within one path component, `?` one character (not `/`),
//     `**` as a whole component any number of components: `team-a/**` is everything under
//     team-a (not `team-a` itself), `**/app` is `app` at any depth (including top level),
//     `a/**/b` is `a/b`, `a/x/b`, `a/x/y/b`. Without wildcards a glob names one repository.
//     Globs use only what repository names can hold (a-z 0-9 . _ - /) plus `*` and `?`, so a typo
//     (uppercase, a space) is an error instead of a pattern that silently never matches.
//   - a regex written `/…/`: unanchored, as in `grep` (write `/^team-a\//` to anchor).
//   A repository is selected when it matches some include (or there is none) and no exclude.
//
// Tag filters, applied in this order, each to what the previous one left:
//   1. `tags`: regexes that must match the whole tag (anchored); a tag is kept if any matches.
//   2. `exclude-tags`: regexes, anchored; a tag matching any is dropped.
//   3. `semver`: a range (`>=1.2 <2`); only version tags (below) that satisfy it are kept.
//   4. `latest` N: the tags of the N highest distinct versions are kept.
//
// Version tags: `v`? then one to three dot-separated numbers without leading zeros, then
// optionally `-prerelease` and/or `+build` as semver spells them: `1`, `1.2`, `v1.2.3`,
// `1.2.3-rc.1`, `1.25-alpine`, `2.0+build.5`. Missing minor/patch count as 0 (`1.2` is 1.2.0).
// Not versions: `latest`, `1.2.3.4`, `1.02`, `1.2.3_1`, `stable-1.2`. Note `2024-01-05` reads as
// 2024.0.0-01-05: filter date tags with `tags`/`exclude-tags` if they share a repository with versions.
//
// A suffix is one of two things on a container tag. A pre-release (`-rc1`, `-beta.2`, `-alpha`,
// `-pre`, `-preview`, `-dev`, `-snapshot`, `-canary`, `-nightly`, with or without a number) is
// left out by `semver` and `latest` unless `semver-include-prerelease` is true: people using a
// range expect release candidates left out unless they ask. Any other suffix is a variant of the
// release (`1.25.3-alpine`, `-slim`, `-bookworm`) and counts as that release: `1.25.3-alpine` is in
// `>=1.25.3`, and for `latest` it is the same version as `1.25.3`. Drop variants with `exclude-tags`.
//
// `latest` N orders by semver precedence; tags spelling one version (`1.2`, `1.2.0`, `v1.2.0`,
// `1.2-alpine`) count once and are all kept. Non-version tags are dropped by `latest` unless
// `latest-include-non-semver` is true, in which case they pass through untouched (`latest 3` plus
// e.g. `stable`).
import semver from 'semver';
import type { Range, SemVer } from 'semver';
import { ConfigError } from '../errors/base.js';
import { RANGE_OPTIONS, type Selection } from '../model/selection.js';

export interface ExcludedTag {
  tag: string;
  /** The rule that dropped it: `tags ^1\.2.*$`, `exclude-tags ^.*-rc\d*$`, `semver >=1.2 <2`, `latest 3`. */
  rule: string;
}

const VERSION_TAG = /^v?((?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)){0,2})([-+].*)?$/;
const PRERELEASE = /^(alpha|beta|rc|pre|preview|dev|snapshot|canary|nightly)\d*$/i;

/** Why a repository is not synced (`exclude "team-a/old/**"`, `not in include`), or undefined. */
export function repositoryExcludedBy(repo: string, s: Selection): string | undefined {
  if (s.include.length > 0 && !s.include.some((p) => p.test(repo))) return 'not in include';
  const excluder = s.exclude.find((p) => p.test(repo));
  return excluder ? `exclude "${excluder.text}"` : undefined;
}

/** True when no tag filter is set: every tag of a selected repository is synced. */
export function selectsAllTags(s: Selection): boolean {
  return s.tags.length === 0 && s.excludeTags.length === 0 && s.semver === undefined && s.latest === undefined;
}

/** Applies tags → exclude-tags → semver → latest; `selected` keeps the given order. */
export function selectTags(tags: string[], s: Selection): { selected: string[]; excluded: ExcludedTag[] } {
  const excluded: ExcludedTag[] = [];
  const keep = (candidates: string[], dropRule: (tag: string) => string | undefined): string[] =>
    candidates.filter((tag) => {
      const rule = dropRule(tag);
      if (rule !== undefined) excluded.push({ tag, rule });
      return rule === undefined;
    });
  let selected = tags;
  if (s.tags.length > 0)
    selected = keep(selected, (tag) =>
      s.tags.some((re) => re.test(tag)) ? undefined : `tags ${s.tags.map((re) => re.source).join(', ')}`,
    );
  selected = keep(selected, (tag) => {
    const match = s.excludeTags.find((re) => re.test(tag));
    return match ? `exclude-tags ${match.source}` : undefined;
  });
  const prerelease = s.includePrerelease ?? false;
  if (s.semver !== undefined) selected = keep(selected, semverRule(s.semver, prerelease));
  if (s.latest !== undefined)
    selected = keep(selected, latestRule(selected, s.latest, s.latestIncludeNonSemver ?? false, prerelease));
  return { selected, excluded };
}

const PRERELEASE_NOTE = 'a pre-release; semver-include-prerelease: true takes it';

function semverRule(text: string, prerelease: boolean): (tag: string) => string | undefined {
  let range: Range;
  try {
    range = new semver.Range(text, RANGE_OPTIONS);
  } catch {
    throw new ConfigError(`semver: "${text}" is not a semver range`);
  }
  return (tag) => {
    const version = tagVersion(tag);
    if (!version) return `semver ${text} (not a version)`;
    if (version.prerelease && !prerelease) return `semver ${text} (${PRERELEASE_NOTE})`;
    return range.test(version.semver) ? undefined : `semver ${text}`;
  };
}

function latestRule(
  tags: string[],
  n: number,
  keepNonSemver: boolean,
  prerelease: boolean,
): (tag: string) => string | undefined {
  const counted = (v: TagVersion | null): v is TagVersion => v !== null && (prerelease || !v.prerelease);
  const versions = tags
    .map(tagVersion)
    .filter(counted)
    .map((v) => v.semver);
  const distinct = versions
    .sort((a, b) => semver.rcompare(a, b))
    .filter((v, i, all) => i === 0 || semver.compare(v, all[i - 1]!) !== 0);
  const lowestKept = distinct[Math.min(n, distinct.length) - 1];
  return (tag) => {
    const version = tagVersion(tag);
    if (!version) return keepNonSemver ? undefined : `latest ${n} (not a version)`;
    if (!counted(version)) return `latest ${n} (${PRERELEASE_NOTE})`;
    return lowestKept && semver.compare(version.semver, lowestKept) >= 0 ? undefined : `latest ${n}`;
  };
}

export interface TagVersion {
  /** The version compared: a variant (`1.25-alpine`) compares as its release (1.25.0). */
  semver: SemVer;
  /** `-rc1`, `-beta.2` and the like: a pre-release, not a variant. */
  prerelease: boolean;
}

/** The version a tag spells (see the top of this file), or null when it is not a version tag. */
export function tagVersion(tag: string): TagVersion | null {
  const match = VERSION_TAG.exec(tag);
  if (!match) return null;
  const numbers = match[1]!.split('.');
  while (numbers.length < 3) numbers.push('0');
  const suffix = match[2] ?? '';
  const prerelease = suffix.startsWith('-') && PRERELEASE.test(suffix.slice(1).split(/[.-]/)[0]!);
  const parsed = semver.parse(`${numbers.join('.')}${prerelease || suffix.startsWith('+') ? suffix : ''}`);
  return parsed && { semver: parsed, prerelease };
}

/** True when `tag` counts as a version tag for `semver` and `latest`. */
export function isVersionTag(tag: string): boolean {
  return tagVersion(tag) !== null;
}
