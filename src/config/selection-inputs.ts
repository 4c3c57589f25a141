// Parsing the selection inputs (`include`, `exclude`, `tags`, `exclude-tags`, `semver`, `latest`,
// `latest-include-non-semver`) into the Selection the engine applies (src/sync/select.ts, whose
// header describes the rules). Every error names the input and line.
//
// Every pattern, globs included, is compiled with RE2 (re2js): matching takes time linear in the
// name, so no pattern (`(a+)+`) can spin on a long tag. RE2 has no backreferences or lookaround;
// a pattern using them is refused, saying so.
import { RE2JS } from 're2js';
import semver from 'semver';
import { ConfigError } from '../errors/base.js';
import { RANGE_OPTIONS, type RepoPattern, type Selection, type TagPattern } from '../model/selection.js';
import { ACTION_NAMES, type InputNames } from './option-names.js';

const GLOB_CHARS = /^[a-z0-9._\-/*?]+$/;

/** Reads the selection inputs; every error names the input and line. */
export function parseSelection(
  read: (name: string) => string | undefined,
  names: InputNames = ACTION_NAMES,
): Selection {
  const value = (input: string): string => (read(input) ?? '').trim();
  const list = (input: string) =>
    listItems(read(input) ?? '').map((item) => ({ ...item, where: `${names.name(input)} line ${item.line}` }));
  const selection: Selection = {
    include: list('include').map((item) => compileRepoPattern(item.text, item.where)),
    exclude: list('exclude').map((item) => compileRepoPattern(item.text, item.where)),
    tags: list('tags').map((item) => compileTagPattern(item.text, item.where)),
    excludeTags: list('exclude-tags').map((item) => compileTagPattern(item.text, item.where)),
  };
  const range = value('semver');
  if (range) selection.semver = parseSemverRange(range, names.name('semver'));
  const prerelease = value('semver-include-prerelease');
  if (prerelease) selection.includePrerelease = parseFlag(prerelease, names.name('semver-include-prerelease'));
  const latest = value('latest');
  if (latest) selection.latest = parseLatest(latest, names.name('latest'));
  const keep = value('latest-include-non-semver');
  if (keep) selection.latestIncludeNonSemver = parseFlag(keep, names.name('latest-include-non-semver'));
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
  const regex = RE2JS.compile(`^${globSource(pattern, input)}$`);
  return { text: pattern, test: (repo) => regex.test(repo) };
}

function globSource(glob: string, input: string): string {
  if (!glob) throw new ConfigError(`${input}: empty repository pattern`);
  if (!GLOB_CHARS.test(glob)) {
    throw new ConfigError(
      `${input}: "${glob}" is not a repository glob (only a-z 0-9 . _ - / and * ? **); write a regex as /…/`,
    );
  }
  const components = glob.split('/').filter((c, i, all) => !(c === '**' && all[i - 1] === '**'));
  if (components.some((c) => c === '')) {
    throw new ConfigError(
      `${input}: "${glob}" has an empty path component (leading, trailing or double "/"); write team-a/** for everything under team-a`,
    );
  }
  if (components.some((c) => c.includes('**') && c !== '**')) {
    throw new ConfigError(
      `${input}: "${glob}": ** must be a whole path component (team-a/** or **/app), use * within a component`,
    );
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
  return [...component].map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.-]/g, '\\$&'))).join('');
}

/** A tag regex matching the whole tag: `1\.2.*` becomes `^1\.2.*$`. */
export function compileTagPattern(text: string, input: string): TagPattern {
  const body = text.trim();
  if (!body) throw new ConfigError(`${input}: empty tag pattern`);
  if (/\s/.test(body))
    throw new ConfigError(
      `${input}: tag pattern "${body}" contains a space: put one pattern per line or separate them with commas`,
    );
  if (body.length >= 2 && body.startsWith('/') && body.endsWith('/')) {
    throw new ConfigError(
      `${input}: tag patterns are regexes already, anchored to the whole tag: write ${body.slice(1, -1)} without the slashes`,
    );
  }
  // Checked alone first: `a)|(b` is no regex, yet `^(?:a)|(b)$` would compile.
  compileRegex(body, body, input);
  const source = anchored(body);
  const regex = RE2JS.compile(source);
  return { source, test: (tag) => regex.test(tag) };
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

function compileRegex(body: string, shown: string, input: string): RE2JS {
  if (!body) throw new ConfigError(`${input}: empty regex "${shown}"`);
  try {
    return RE2JS.compile(body);
  } catch (error) {
    // `missing closing ): \`1.(2\``: the quote of the whole pattern says nothing new.
    const reason = (error as Error).message
      .replace(/^error parsing regexp: /, '')
      .replace(/: `(.*)`$/s, (quote, part: string) => (part === body ? '' : quote));
    throw new ConfigError(
      `${input}: "${shown}" is not a valid regular expression: ${reason} (patterns are RE2 syntax, matched in linear time: no backreferences or lookaround)`,
    );
  }
}

/** Checks a semver range and returns it as written. */
export function parseSemverRange(text: string, input: string): string {
  const range = text.trim();
  if (semver.validRange(range, RANGE_OPTIONS) === null) {
    throw new ConfigError(`${input}: "${range}" is not a semver range (examples: ">=1.2 <2", "^3.19", "1.x || 2.x")`);
  }
  return range;
}

export function parseLatest(text: string, input: string): number {
  const value = text.trim();
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(`${input} must be a whole number of at least 1, not "${value}"`);
  return n;
}

function parseFlag(text: string, input: string): boolean {
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw new ConfigError(`${input} must be true or false, not "${text}"`);
}
