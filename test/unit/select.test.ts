import { describe, it, expect } from 'vitest';
import { isVersionTag, repositoryExcludedBy, selectsAllTags, selectTags, tagVersion } from '../../src/sync/select.js';
import type { Selection } from '../../src/model/selection.js';
import {
  compileRepoPattern,
  compileTagPattern,
  listItems,
  parseLatest,
  parseSelection,
  parseSemverRange,
} from '../../src/config/selection-inputs.js';
import { ConfigError } from '../../src/errors/base.js';

const reader = (values: Record<string, string>) => (name: string) => values[name];
const selection = (values: Record<string, string>): Selection => parseSelection(reader(values));
const matches = (pattern: string, repos: string[]) =>
  repos.filter((r) => compileRepoPattern(pattern, 'include').test(r));

describe('repository globs', () => {
  const repos = [
    'team-a',
    'team-a/app',
    'team-a/tools/worker',
    'team-ab/app',
    'team-b/app',
    'team-b/x/app',
    'app',
    'other/app',
  ];

  it('** at the end is everything under, at any depth, but not the prefix itself', () => {
    expect(matches('team-a/**', repos)).toEqual(['team-a/app', 'team-a/tools/worker']);
  });

  it('* stays within one component', () => {
    expect(matches('team-*/app', repos)).toEqual(['team-a/app', 'team-ab/app', 'team-b/app']);
    expect(matches('*', repos)).toEqual(['team-a', 'app']);
  });

  it('? is exactly one character', () => {
    expect(matches('team-?/app', repos)).toEqual(['team-a/app', 'team-b/app']);
  });

  it('** at the start or in the middle may stand for no component at all', () => {
    expect(matches('**/app', repos)).toEqual([
      'team-a/app',
      'team-ab/app',
      'team-b/app',
      'team-b/x/app',
      'app',
      'other/app',
    ]);
    expect(matches('team-b/**/app', repos)).toEqual(['team-b/app', 'team-b/x/app']);
    expect(matches('**', repos)).toEqual(repos);
    expect(matches('team-a/**/**', repos)).toEqual(['team-a/app', 'team-a/tools/worker']);
  });

  it('without wildcards names exactly one repository; dots are literal', () => {
    expect(matches('team-a', repos)).toEqual(['team-a']);
    expect(compileRepoPattern('a.b/c', 'include').test('axb/c')).toBe(false);
    expect(compileRepoPattern('a.b/c', 'include').test('a.b/c')).toBe(true);
  });

  it('refuses what can never match a repository name, naming the input', () => {
    expect(() => compileRepoPattern('Team-A/**', 'include line 2')).toThrow(
      /^include line 2: "Team-A\/\*\*" is not a repository glob/,
    );
    expect(() => compileRepoPattern('team-a/', 'exclude line 1')).toThrow(
      /exclude line 1: .*empty path component.*team-a\/\*\*/,
    );
    expect(() => compileRepoPattern('a//b', 'include')).toThrow(ConfigError);
    expect(() => compileRepoPattern('team-**', 'include')).toThrow(/\*\* must be a whole path component/);
  });
});

describe('repository regexes', () => {
  it('/…/ is an unanchored regex', () => {
    expect(compileRepoPattern('/tmp/', 'exclude').test('team-a/tmp-build')).toBe(true);
    expect(compileRepoPattern('/^tmp-/', 'exclude').test('team-a/tmp-build')).toBe(false);
    expect(compileRepoPattern('/^team-(a|b)\\//', 'include').test('team-b/app')).toBe(true);
  });

  it('a bad regex names the input and the pattern', () => {
    expect(() => compileRepoPattern('/team-(a/', 'include line 3')).toThrow(
      /^include line 3: "\/team-\(a\/" is not a valid regular expression: missing closing \) \(patterns are RE2 syntax/,
    );
  });
});

describe('tag patterns', () => {
  it('are anchored to the whole tag', () => {
    const re = compileTagPattern('1\\.2.*', 'tags');
    expect(re.source).toBe('^1\\.2.*$');
    expect(re.test('1.2.3')).toBe(true);
    expect(re.test('v1.2.3')).toBe(false);
    expect(compileTagPattern('1\\.2', 'tags').test('1.2.3')).toBe(false);
  });

  it('group alternatives, and leave anchors the user already wrote', () => {
    const re = compileTagPattern('a|b', 'tags');
    expect(re.source).toBe('^(?:a|b)$');
    expect(re.test('ab')).toBe(false);
    expect(compileTagPattern('^1\\..*$', 'tags').source).toBe('^1\\..*$');
    expect(compileTagPattern('x\\$', 'tags').source).toBe('^x\\$$');
  });

  it('refuse bad regexes, spaces and /…/, naming the input', () => {
    expect(() => compileTagPattern('1.(2', 'tags line 2')).toThrow(
      /^tags line 2: "1\.\(2" is not a valid regular expression: missing closing \) \(patterns are RE2 syntax/,
    );
    expect(() => compileTagPattern('1.2 1.3', 'tags')).toThrow(/contains a space/);
    expect(() => compileTagPattern('/1\\.2/', 'exclude-tags')).toThrow(/^exclude-tags: .*without the slashes/);
  });
});

describe('lists', () => {
  it('split on lines and top-level commas, with # comments', () => {
    expect(listItems('\n[(],x')).toEqual([
      { text: '[(]', line: 2 },
      { text: 'x', line: 2 },
    ]);
    expect(listItems('a, b # c, d\n\n  e\n\\d{1,3},[,]')).toEqual([
      { text: 'a', line: 1 },
      { text: 'b', line: 1 },
      { text: 'e', line: 3 },
      { text: '\\d{1,3}', line: 4 },
      { text: '[,]', line: 4 },
    ]);
  });
});

describe('parseSelection', () => {
  it('reads every input', () => {
    const s = selection({
      include: 'team-a/**\n/^team-b\\//',
      exclude: 'team-a/old/**',
      tags: '1\\..*, 2\\..*',
      'exclude-tags': '.*-rc\\d*',
      semver: '>=1.2 <3',
      latest: '3',
      'latest-include-non-semver': 'true',
    });
    expect(s.include.map((p) => p.text)).toEqual(['team-a/**', '/^team-b\\//']);
    expect(s.exclude.map((p) => p.text)).toEqual(['team-a/old/**']);
    expect(s.tags.map((re) => re.source)).toEqual(['^1\\..*$', '^2\\..*$']);
    expect(s.excludeTags.map((re) => re.source)).toEqual(['^.*-rc\\d*$']);
    expect(s).toMatchObject({ semver: '>=1.2 <3', latest: 3, latestIncludeNonSemver: true });
  });

  it('selects everything when nothing is given', () => {
    const s = selection({});
    expect(s).toEqual({ include: [], exclude: [], tags: [], excludeTags: [] });
    expect(selectsAllTags(s)).toBe(true);
    expect(repositoryExcludedBy('anything/at/all', s)).toBeUndefined();
  });

  it('names the input and line of a bad item', () => {
    expect(() => selection({ exclude: 'ok/**\n/bad(/' })).toThrow(/^exclude line 2: /);
    expect(() => selection({ tags: '\n\n  bad(' })).toThrow(/^tags line 3: /);
    expect(() => selection({ 'exclude-tags': 'a,\nb(' })).toThrow(/^exclude-tags line 2: /);
    expect(() => selection({ semver: 'banana' })).toThrow(/^semver: "banana" is not a semver range/);
    expect(() => selection({ latest: '0' })).toThrow(/^latest must be a whole number of at least 1, not "0"$/);
    expect(() => selection({ latest: '2.5' })).toThrow(/^latest must be/);
    expect(() => selection({ 'latest-include-non-semver': 'maybe' })).toThrow(
      /^latest-include-non-semver must be true or false/,
    );
  });

  it('exports the single-value checks', () => {
    expect(parseSemverRange(' ^3.19 ', 'semver')).toBe('^3.19');
    expect(parseLatest('10', 'latest')).toBe(10);
  });
});

describe('repositoryExcludedBy', () => {
  const s = selection({ include: 'team-a/**, team-b/**', exclude: 'team-a/old/**\n/-tmp$/' });

  it('keeps what some include matches and no exclude does', () => {
    expect(repositoryExcludedBy('team-a/app', s)).toBeUndefined();
    expect(repositoryExcludedBy('team-b/x/y', s)).toBeUndefined();
  });

  it('names the rule that left a repository out', () => {
    expect(repositoryExcludedBy('team-c/app', s)).toBe('not in include');
    expect(repositoryExcludedBy('team-a/old/app', s)).toBe('exclude "team-a/old/**"');
    expect(repositoryExcludedBy('team-b/app-tmp', s)).toBe('exclude "/-tmp$/"');
  });

  it('applies excludes without includes', () => {
    expect(repositoryExcludedBy('alpine', selection({ exclude: 'team-a/**' }))).toBeUndefined();
  });
});

describe('version tags', () => {
  it('are v?, one to three numbers, then an optional semver suffix', () => {
    for (const tag of ['1', '1.2', 'v1.2.3', '1.2.3-rc.1', '1.25-alpine', '2.0+build.5', '0.0.1'])
      expect(isVersionTag(tag), tag).toBe(true);
    for (const tag of ['latest', '1.2.3.4', '1.02', '01', '1.2.3_1', 'stable-1.2', 'v', '1.', 'V1.2', 'sha-abc'])
      expect(isVersionTag(tag), tag).toBe(false);
  });

  it('fill missing components with 0', () => {
    expect(tagVersion('1.2')?.semver.version).toBe('1.2.0');
    expect(tagVersion('v3')?.semver.version).toBe('3.0.0');
  });

  it('a variant suffix is its release; a pre-release suffix is a pre-release', () => {
    expect(tagVersion('1.25-alpine')).toMatchObject({ semver: { version: '1.25.0' }, prerelease: false });
    expect(tagVersion('1.25.3-slim-bookworm')).toMatchObject({ semver: { version: '1.25.3' }, prerelease: false });
    for (const tag of [
      '2.0-rc1',
      '2.0.0-rc.1',
      '1.0-beta',
      '1.0-beta2',
      '1.0-alpha.3',
      '3.1-pre',
      '3.1-preview',
      '4.0-dev',
      '4.0-SNAPSHOT',
      '5.0-canary.7',
    ]) {
      expect(tagVersion(tag)?.prerelease, tag).toBe(true);
    }
    expect(tagVersion('2.0.0-rc.1')?.semver.version).toBe('2.0.0-rc.1');
  });
});

describe('selectTags', () => {
  const tags = [
    'latest',
    '1.0.0',
    '1.2',
    '1.2.0',
    'v1.2.0',
    '1.2.1',
    '1.3.0-rc1',
    '1.3.0',
    '1.3.0-alpine',
    '2.0.0',
    'stable',
  ];

  it('with no filters keeps every tag in order', () => {
    expect(selectTags(tags, selection({}))).toEqual({ selected: tags, excluded: [] });
  });

  it('tags: a tag must match one pattern as a whole', () => {
    const { selected, excluded } = selectTags(tags, selection({ tags: '1\\.2.*' }));
    expect(selected).toEqual(['1.2', '1.2.0', '1.2.1']);
    expect(excluded).toContainEqual({ tag: 'v1.2.0', rule: 'tags ^1\\.2.*$' });
    expect(excluded).toHaveLength(tags.length - 3);
  });

  it('tags with several patterns names them all', () => {
    const { excluded } = selectTags(['x'], selection({ tags: 'a, b' }));
    expect(excluded).toEqual([{ tag: 'x', rule: 'tags ^a$, ^b$' }]);
  });

  it('exclude-tags: names the pattern that matched', () => {
    const { selected, excluded } = selectTags(tags, selection({ 'exclude-tags': 'latest\n.*-(rc\\d*|alpine)' }));
    expect(selected).toEqual(['1.0.0', '1.2', '1.2.0', 'v1.2.0', '1.2.1', '1.3.0', '2.0.0', 'stable']);
    expect(excluded).toEqual([
      { tag: 'latest', rule: 'exclude-tags ^latest$' },
      { tag: '1.3.0-rc1', rule: 'exclude-tags ^(?:.*-(rc\\d*|alpine))$' },
      { tag: '1.3.0-alpine', rule: 'exclude-tags ^(?:.*-(rc\\d*|alpine))$' },
    ]);
  });

  it('semver: keeps version tags in the range, variants included; pre-releases and non-versions are dropped', () => {
    const { selected, excluded } = selectTags(tags, selection({ semver: '>=1.2 <2' }));
    expect(selected).toEqual(['1.2', '1.2.0', 'v1.2.0', '1.2.1', '1.3.0', '1.3.0-alpine']);
    expect(excluded).toEqual([
      { tag: 'latest', rule: 'semver >=1.2 <2 (not a version)' },
      { tag: '1.0.0', rule: 'semver >=1.2 <2' },
      { tag: '1.3.0-rc1', rule: 'semver >=1.2 <2 (a pre-release; semver-include-prerelease: true takes it)' },
      { tag: '2.0.0', rule: 'semver >=1.2 <2' },
      { tag: 'stable', rule: 'semver >=1.2 <2 (not a version)' },
    ]);
    expect(selectTags(['2.0.0-rc1', '1.9.9'], selection({ semver: '<2' })).selected).toEqual(['1.9.9']);
  });

  it('semver: a range does not take release candidates unless asked (issue: >=1.1 <3 took 2.0-rc1)', () => {
    const candidates = ['1.1', '2.0-rc1', '2.0-beta.2', '2.0', '2.1-alpine', '3.0'];
    expect(selectTags(candidates, selection({ semver: '>=1.1 <3' })).selected).toEqual(['1.1', '2.0', '2.1-alpine']);
    expect(
      selectTags(candidates, selection({ semver: '>=1.1 <3', 'semver-include-prerelease': 'true' })).selected,
    ).toEqual(['1.1', '2.0-rc1', '2.0-beta.2', '2.0', '2.1-alpine']);
    // A variant counts as its release: 1.25.3-alpine is in >=1.25.3 (as a pre-release it would not be).
    expect(selectTags(['1.25.3-alpine', '1.24.9-alpine'], selection({ semver: '>=1.25.3' })).selected).toEqual([
      '1.25.3-alpine',
    ]);
  });

  it('latest: the N highest distinct versions, every spelling of one version kept', () => {
    const { selected, excluded } = selectTags(tags, selection({ latest: '3', 'exclude-tags': '.*-(alpine|rc\\d*)' }));
    expect(selected).toEqual(['1.2.1', '1.3.0', '2.0.0']);
    expect(excluded).toContainEqual({ tag: 'latest', rule: 'latest 3 (not a version)' });
    expect(excluded).toContainEqual({ tag: '1.2', rule: 'latest 3' });
    expect(selectTags(['1.2', 'v1.2.0', '1.2.0', '1.1'], selection({ latest: '1' })).selected).toEqual([
      '1.2',
      'v1.2.0',
      '1.2.0',
    ]);
  });

  it('latest: a variant is the same version as its release; a pre-release is not counted unless asked', () => {
    expect(
      selectTags(['1.3.0-alpine', '1.3.0', '1.3.0-rc1', '1.2.9', '1.2.8'], selection({ latest: '2' })).selected,
    ).toEqual(['1.3.0-alpine', '1.3.0', '1.2.9']);
    expect(
      selectTags(['1.4.0-rc1', '1.3.0', '1.2.9'], selection({ latest: '1', 'semver-include-prerelease': 'true' }))
        .selected,
    ).toEqual(['1.4.0-rc1']);
  });

  it('latest with latest-include-non-semver passes non-version tags through', () => {
    const { selected } = selectTags(tags, selection({ latest: '1', 'latest-include-non-semver': 'true' }));
    expect(selected).toEqual(['latest', '2.0.0', 'stable']);
  });

  it('latest larger than the number of versions keeps them all', () => {
    expect(selectTags(['1', '2', 'edge'], selection({ latest: '10' })).selected).toEqual(['1', '2']);
    expect(selectTags(['edge'], selection({ latest: '10' })).selected).toEqual([]);
  });

  it('applies tags → exclude-tags → semver → latest, each tag reported once by the first rule', () => {
    const s = selection({ tags: '\\d.*', 'exclude-tags': '.*-rc\\d*', semver: '>=1.2', latest: '2' });
    const { selected, excluded } = selectTags(tags, s);
    expect(selected).toEqual(['1.3.0', '1.3.0-alpine', '2.0.0']);
    expect(Object.fromEntries(excluded.map((e) => [e.tag, e.rule]))).toEqual({
      latest: 'tags ^\\d.*$',
      'v1.2.0': 'tags ^\\d.*$',
      stable: 'tags ^\\d.*$',
      '1.3.0-rc1': 'exclude-tags ^.*-rc\\d*$',
      '1.0.0': 'semver >=1.2',
      '1.2': 'latest 2',
      '1.2.0': 'latest 2',
      '1.2.1': 'latest 2',
    });
    expect(selected.length + excluded.length).toBe(tags.length);
    expect(selectsAllTags(s)).toBe(false);
  });

  it('selectsAllTags is false as soon as any tag filter is set', () => {
    expect(selectsAllTags(selection({ include: 'a/**', exclude: 'b' }))).toBe(true);
    for (const values of [{ tags: 'a' }, { 'exclude-tags': 'a' }, { semver: '1.x' }, { latest: '1' }] as Record<
      string,
      string
    >[])
      expect(selectsAllTags(selection(values))).toBe(false);
  });
});
