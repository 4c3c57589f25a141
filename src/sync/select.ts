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
// Ranges include suffixed versions (semver's includePrerelease): container tags use `-alpine` or
// `-slim` for variants, and a sync should not drop `1.25.3-alpine` from `>=1.24` without saying so.
// `<2` still stops before `2.0.0-rc1`. Drop variants or release candidates with `exclude-tags`.
//
// `latest` N orders by semver precedence; tags spelling one version (`1.2`, `1.2.0`, `v1.2.0`)
// count once and are all kept. Non-version tags are dropped by `latest` unless
// `latest-include-non-semver` is true, in which case they pass through untouched (`latest 3` plus
// e.g. `stable`).
import semver from 'semver';
import type { Range, SemVer } from 'semver';

export interface RepoPattern {
  /** As the user wrote it, for reports: `team-a/**`, `/^tmp-/`. */
  text: string;
  test(repo: string): boolean;
}

export interface Selection {
  include: RepoPattern[];
  exclude: RepoPattern[];
  /** Anchored: RegExp.source is what reports show, e.g. `^1\.2.*$`. */
  tags: RegExp[];
  excludeTags: RegExp[];
  /** A semver range as the user wrote it, already checked by parseSemverRange. */
  semver?: string;
  latest?: number;
  latestIncludeNonSemver?: boolean;
}

export interface ExcludedTag {
  tag: string;
  /** The rule that dropped it: `tags ^1\.2.*$`, `exclude-tags ^.*-rc\d*$`, `semver >=1.2 <2`, `latest 3`. */
  rule: string;
}

export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

const GLOB_CHARS = /^[a-z0-9._\-/*?]+$/;
const VERSION_TAG = /^v?((?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)){0,2})([-+].*)?$/;
const RANGE_OPTIONS = { includePrerelease: true } as const;

// ---------------------------------------------------------------------------------------------
// Parsing

/** Reads the selection inputs; every error names the input and line. */
export function parseSelection(read: (name: string) => string | undefined): Selection {
  const value = (name: string): string => (read(name) ?? '').trim();
  const list = (name: string) => listItems(read(name) ?? '');
  const selection: Selection = {
    include: list('include').map((item) => compileRepoPattern(item.text, `include line ${item.line}`)),
    exclude: list('exclude').map((item) => compileRepoPattern(item.text, `exclude line ${item.line}`)),
    tags: list('tags').map((item) => compileTagPattern(item.text, `tags line ${item.line}`)),
    excludeTags: list('exclude-tags').map((item) => compileTagPattern(item.text, `exclude-tags line ${item.line}`)),
  };
  const range = value('semver');
  if (range) selection.semver = parseSemverRange(range, 'semver');
  const latest = value('latest');
  if (latest) selection.latest = parseLatest(latest, 'latest');
  const keep = value('latest-include-non-semver');
  if (keep) selection.latestIncludeNonSemver = parseFlag(keep, 'latest-include-non-semver');
  return selection;
}

/** One item per line or comma separated, `#` starts a comment. Commas inside (), [] or {} belong
 * to the regex (`\d{1,3}`): repository names and tags cannot hold a comma, so nothing is lost. */
export function listItems(text: string): { text: string; line: number }[] {
  const items: { text: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    for (const item of splitTopLevelCommas(raw.replace(/#.*$/, ''))) {
      const trimmed = item.trim();
      if (trimmed) items.push({ text: trimmed, line: index + 1 });
    }
  });
  return items;
}

function splitTopLevelCommas(line: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' || c === '{') depth++;
    else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(line.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return parts;
}

/** A glob, or a regex written `/…/`; `input` names where it came from in errors. */
export function compileRepoPattern(text: string, input: string): RepoPattern {
  const pattern = text.trim();
  if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    const regex = compileRegex(pattern.slice(1, -1), pattern, input);
    return { text: pattern, test: (repo) => regex.test(repo) };
  }
  const regex = new RegExp(`^${globSource(pattern, input)}$`);
  return { text: pattern, test: (repo) => regex.test(repo) };
}

function globSource(glob: string, input: string): string {
  if (!glob) throw new SelectionError(`${input}: empty repository pattern`);
  if (!GLOB_CHARS.test(glob)) {
    throw new SelectionError(`${input}: "${glob}" is not a repository glob (only a-z 0-9 . _ - / and * ? **); write a regex as /…/`);
  }
  const components = glob.split('/').filter((c, i, all) => !(c === '**' && all[i - 1] === '**'));
  if (components.some((c) => c === '')) {
    throw new SelectionError(`${input}: "${glob}" has an empty path component (leading, trailing or double "/"); write team-a/** for everything under team-a`);
  }
  if (components.some((c) => c.includes('**') && c !== '**')) {
    throw new SelectionError(`${input}: "${glob}": ** must be a whole path component (team-a/** or **/app), use * within a component`);
  }
  return joinGlobComponents(components);
}

// `**` joins its neighbours so that it may stand for zero components (`**/app` matches `app`),
// except at the end, where it means "something under" (`team-a/**` is not `team-a`).
function joinGlobComponents(components: string[]): string {
  const last = components.length - 1;
  if (last === 0 && components[0] === '**') return '[^/]+(?:/[^/]+)*';
  let source = '';
  components.forEach((component, i) => {
    if (component === '**') source += i === 0 ? '(?:[^/]+/)*' : i === last ? '(?:/[^/]+)+' : '(?:/[^/]+)*';
    else source += (i === 0 || (i === 1 && components[0] === '**') ? '' : '/') + componentSource(component);
  });
  return source;
}

function componentSource(component: string): string {
  return [...component].map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.\-]/g, '\\$&'))).join('');
}

/** A tag regex matching the whole tag: `1\.2.*` becomes `^1\.2.*$`. */
export function compileTagPattern(text: string, input: string): RegExp {
  const body = text.trim();
  if (!body) throw new SelectionError(`${input}: empty tag pattern`);
  if (/\s/.test(body)) throw new SelectionError(`${input}: tag pattern "${body}" contains a space: put one pattern per line or separate them with commas`);
  if (body.length >= 2 && body.startsWith('/') && body.endsWith('/')) {
    throw new SelectionError(`${input}: tag patterns are regexes already, anchored to the whole tag: write ${body.slice(1, -1)} without the slashes`);
  }
  compileRegex(body, body, input);
  return new RegExp(anchored(body));
}

// The anchored form doubles as what reports show, so keep it close to what the user wrote.
function anchored(body: string): string {
  const inner = body.includes('|') ? `(?:${body})` : body;
  const start = inner.startsWith('^') ? '' : '^';
  const end = endsWithUnescapedDollar(inner) ? '' : '$';
  return `${start}${inner}${end}`;
}

function endsWithUnescapedDollar(text: string): boolean {
  if (!text.endsWith('$')) return false;
  const backslashes = /\\*$/.exec(text.slice(0, -1))![0].length;
  return backslashes % 2 === 0;
}

function compileRegex(body: string, shown: string, input: string): RegExp {
  if (!body) throw new SelectionError(`${input}: empty regex "${shown}"`);
  try {
    return new RegExp(body);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new SelectionError(`${input}: "${shown}" is not a valid regular expression: ${reason}`);
  }
}

/** Checks a semver range and returns it as written. */
export function parseSemverRange(text: string, input: string): string {
  const range = text.trim();
  if (semver.validRange(range, RANGE_OPTIONS) === null) {
    throw new SelectionError(`${input}: "${range}" is not a semver range (examples: ">=1.2 <2", "^3.19", "1.x || 2.x")`);
  }
  return range;
}

export function parseLatest(text: string, input: string): number {
  const value = text.trim();
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new SelectionError(`${input} must be a whole number of at least 1, not "${value}"`);
  return n;
}

function parseFlag(text: string, input: string): boolean {
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw new SelectionError(`${input} must be true or false, not "${text}"`);
}

// ---------------------------------------------------------------------------------------------
// Applying

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
  if (s.tags.length > 0) selected = keep(selected, (tag) => (s.tags.some((re) => re.test(tag)) ? undefined : `tags ${s.tags.map((re) => re.source).join(', ')}`));
  selected = keep(selected, (tag) => {
    const match = s.excludeTags.find((re) => re.test(tag));
    return match ? `exclude-tags ${match.source}` : undefined;
  });
  if (s.semver !== undefined) selected = keep(selected, semverRule(s.semver));
  if (s.latest !== undefined) selected = keep(selected, latestRule(selected, s.latest, s.latestIncludeNonSemver ?? false));
  return { selected, excluded };
}

function semverRule(text: string): (tag: string) => string | undefined {
  let range: Range;
  try {
    range = new semver.Range(text, RANGE_OPTIONS);
  } catch {
    throw new SelectionError(`semver: "${text}" is not a semver range`);
  }
  return (tag) => {
    const version = tagVersion(tag);
    if (!version) return `semver ${text} (not a version)`;
    return range.test(version) ? undefined : `semver ${text}`;
  };
}

function latestRule(tags: string[], n: number, keepNonSemver: boolean): (tag: string) => string | undefined {
  const versions = tags.map(tagVersion).filter((v): v is SemVer => v !== null);
  const distinct = versions.sort((a, b) => semver.rcompare(a, b)).filter((v, i, all) => i === 0 || semver.compare(v, all[i - 1]!) !== 0);
  const lowestKept = distinct[Math.min(n, distinct.length) - 1];
  return (tag) => {
    const version = tagVersion(tag);
    if (!version) return keepNonSemver ? undefined : `latest ${n} (not a version)`;
    return lowestKept && semver.compare(version, lowestKept) >= 0 ? undefined : `latest ${n}`;
  };
}

/** The version a tag spells (see the top of this file), or null when it is not a version tag. */
export function tagVersion(tag: string): SemVer | null {
  const match = VERSION_TAG.exec(tag);
  if (!match) return null;
  const numbers = match[1]!.split('.');
  while (numbers.length < 3) numbers.push('0');
  return semver.parse(`${numbers.join('.')}${match[2] ?? ''}`);
}

/** True when `tag` counts as a version tag for `semver` and `latest`. */
export function isVersionTag(tag: string): boolean {
  return tagVersion(tag) !== null;
}
