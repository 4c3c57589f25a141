import { describe, it, expect } from 'vitest';
import { NameMappingError } from '../../src/harbor/targets.js';
import { findCollisions, mapWithRules, mayCollide } from '../../src/sync/mapping.js';
import { describeRule, type MappingRule } from '../../src/model/mapping-rule.js';
import { checkMappingRule, checkReachable, parseMappingRules } from '../../src/config/mapping-rules.js';
import { ConfigError } from '../../src/errors/base.js';

const target = (repository: string, rules: MappingRule[], defaultProject = 'library') => {
  const t = mapWithRules(repository, rules, defaultProject);
  return `${t.project} | ${t.path}`;
};
const rules = (text: string) => parseMappingRules(text, 'mappings');

describe('parseMappingRules', () => {
  it('reads one rule per line, with comments, blank lines and flatten', () => {
    expect(
      parseMappingRules(
        '# mirrors\nmirror => mirrors\n\nhub/ =>  mirrors/hub/ # trailing slashes mean the same\nx=>y (flatten)\n',
        'mappings',
      ),
    ).toEqual([
      { from: 'mirror', to: 'mirrors', origin: 'mappings line 2' },
      { from: 'hub', to: 'mirrors/hub', origin: 'mappings line 4' },
      { from: 'x', to: 'y', flatten: true, origin: 'mappings line 5' },
    ]);
  });

  it('names the input and line of a malformed rule', () => {
    expect(() => rules('a => b\nmirror -> mirrors')).toThrow(
      /^mappings line 2: expected "from => to" or "from => to \(flatten\)", not "mirror -> mirrors"$/,
    );
    expect(() => rules('a => b (flat)')).toThrow(/^mappings line 1: expected/);
    expect(() => rules('a b => c')).toThrow(ConfigError);
  });

  it('refuses names Harbor or distribution would refuse, naming the rule', () => {
    expect(() => rules('mirror => Mirrors')).toThrow(
      /^mapping "mirror => Mirrors" \(mappings line 1\): Harbor project name "Mirrors" in the target "Mirrors" breaks Harbor's rule/,
    );
    expect(() => rules('mirror => my__team/x')).toThrow(/Harbor project name "my__team"/);
    expect(() => rules('Mirror => mirrors')).toThrow(
      /"Mirror" in the source prefix "Mirror" is not a valid repository path component/,
    );
    expect(() => rules('a//b => mirrors')).toThrow(/source prefix "a\/\/b" has an empty path component/);
    expect(() => rules('a => m/Hub')).toThrow(/"Hub" in the target "m\/Hub"/);
  });

  it('refuses a rule an earlier one makes unreachable', () => {
    expect(() => rules('mirror => a\nmirror/special => b')).toThrow(
      /^mapping "mirror\/special => b" \(mappings line 2\) never applies: mapping "mirror => a" \(mappings line 1\) comes first/,
    );
    expect(() => rules('mirror => a\nmirror => b')).toThrow(/never applies/);
    expect(rules('mirror/special => b\nmirror => a\nmirrors => c')).toHaveLength(3);
  });
});

describe('checkMappingRule and checkReachable', () => {
  it('normalize and check rules built elsewhere (the config file)', () => {
    expect(checkMappingRule({ from: 'a/', to: 'b/c/', origin: 'x.yml:3' })).toEqual({
      from: 'a',
      to: 'b/c',
      origin: 'x.yml:3',
    });
    expect(() => checkMappingRule({ from: '', to: 'b' })).toThrow(/^mapping " => b": the source prefix is empty$/);
    expect(() =>
      checkReachable([
        { from: 'a', to: 'b' },
        { from: 'a/b', to: 'c' },
      ]),
    ).toThrow(/never applies/);
  });

  it('describeRule names the rule and where it was written', () => {
    expect(describeRule({ from: 'a', to: 'b', flatten: true, origin: 'f.yml:2' })).toBe(
      'mapping "a => b (flatten)" (f.yml:2)',
    );
  });
});

describe('mapWithRules', () => {
  const r = rules(
    'mirror => mirrors\nhub => mirrors/hub\nflat => flat (flatten)\nold/app => library/app\nteam-x/legacy => team-x',
  );

  it('replaces the matched prefix with the target', () => {
    expect(mapWithRules('mirror/a/b', r, 'library')).toEqual({
      project: 'mirrors',
      path: 'a/b',
      repository: 'mirrors/a/b',
    });
    expect(target('mirror/a', r)).toBe('mirrors | a');
  });

  it('matches whole components only', () => {
    expect(target('mirrors/x', r)).toBe('mirrors | x');
    expect(target('mirror-2/x', r)).toBe('mirror-2 | x');
  });

  it('puts the rest under a multi-component target', () => {
    expect(target('hub/library/nginx', r)).toBe('mirrors | hub/library/nginx');
  });

  it('flatten keeps only the last component', () => {
    expect(target('flat/a/b/c', r)).toBe('flat | c');
    expect(target('flat/c', r)).toBe('flat | c');
    expect(target('flat', r)).toBe('flat | flat');
  });

  it('a source equal to the prefix is renamed to a multi-component target', () => {
    expect(target('old/app', r)).toBe('library | app');
    expect(target('old/app/sub', r)).toBe('library | app/sub');
    expect(target('old/other', r)).toBe('old | other');
  });

  it('a source equal to the prefix cannot become a bare project', () => {
    expect(() => mapWithRules('mirror', r, 'library')).toThrow(NameMappingError);
    expect(() => mapWithRules('mirror', r, 'library')).toThrow(
      /^"mirror" matches mapping "mirror => mirrors" \(mappings line 1\) but leaves no repository name under project "mirrors": add a rule such as "mirror => mirrors\/mirror" before it/,
    );
    expect(target('team-x/legacy/app', r)).toBe('team-x | app');
  });

  it('falls back to the default mapping', () => {
    expect(target('team-a/tools/worker', r)).toBe('team-a | tools/worker');
    expect(target('alpine', r)).toBe('library | alpine');
    expect(target('alpine', [], 'base')).toBe('base | alpine');
    expect(() => mapWithRules('my__team/app', r, 'library')).toThrow(/"my__team" \(from "my__team\/app"\)/);
  });

  it('first match wins', () => {
    expect(target('a/b/c', rules('a/b => first\na => second'))).toBe('first | c');
    expect(target('a/x', rules('a/b => first\na => second'))).toBe('second | x');
  });

  it('names the rule when a hand-built rule yields a bad project', () => {
    expect(() => mapWithRules('a/x', [{ from: 'a', to: 'Bad', origin: 'f.yml:4' }], 'library')).toThrow(
      /^mapping "a => Bad" \(f\.yml:4\) maps "a\/x" badly: Harbor project name "Bad"/,
    );
  });

  it('accepts unnormalized hand-built rules', () => {
    expect(target('a/x', [{ from: 'a/', to: 'b/' }])).toBe('b | x');
  });
});

describe('mayCollide', () => {
  it('is false for rules that cannot merge sources', () => {
    expect(mayCollide([], 'library')).toBe(false);
    expect(mayCollide(rules('mirror => mirror'), 'library')).toBe(false);
    expect(mayCollide(rules('mirror => mirror/old'), 'library')).toBe(false);
    // every target lies under some rule's prefix, so no source reaches it by the default mapping
    expect(mayCollide(rules('a => b/a\nb => b/b'), 'library')).toBe(false);
    // an identity rule at the end of a chain overlaps what the chain maps into it
    expect(mayCollide(rules('mirror => mirrors\nmirrors => archive\narchive => archive'), 'library')).toBe(true);
  });

  it('is true for flatten', () => {
    expect(mayCollide(rules('a => a (flatten)'), 'library')).toBe(true);
  });

  it('is true for two rules with overlapping targets', () => {
    expect(mayCollide(rules('a => m\nb => m\nm => old'), 'library')).toBe(true);
    expect(mayCollide(rules('a => m\nb => m/sub\nm => old'), 'library')).toBe(true);
    expect(mayCollide(rules('a => m/a\nb => mm/b\nm => m/m\nmm => mm/mm'), 'library')).toBe(false);
    // `a/x` and `archive/old/x` would both land on archive/old/x
    expect(mayCollide(rules('a => archive/old\narchive => archive'), 'library')).toBe(true);
  });

  it('is true when a source could keep the target name by the default mapping', () => {
    expect(mayCollide(rules('mirror => mirrors'), 'library')).toBe(true);
  });

  it('is true when a target takes names single-level sources get by default', () => {
    expect(mayCollide(rules('old => library\nlibrary => library'), 'library')).toBe(true);
    expect(mayCollide(rules('old => base\nbase => base'), 'base')).toBe(true);
    // `old` itself lands on library/sub, where a single-level `sub` goes by default
    expect(mayCollide(rules('old => library/sub\nlibrary => library/new'), 'library')).toBe(true);
    expect(mayCollide(rules('old => library/sub\nlibrary => library/new'), 'base')).toBe(false);
    expect(mayCollide(rules('old/x => library/x/y\nlibrary => library/z/w'), 'library')).toBe(false);
  });
});

describe('findCollisions', () => {
  it('lists each target reached from different sources, once per source', () => {
    const found = findCollisions([
      { source: 'a/x/app', target: 'm/app' },
      { source: 'a/x/app', target: 'm/app' },
      { source: 'a/y/app', target: 'm/app' },
      { source: 'alpine', target: 'library/alpine' },
      { source: 'library/alpine', target: 'library/alpine' },
      { source: 'b/c', target: 'b/c' },
    ]);
    expect(found).toEqual(
      new Map([
        ['m/app', ['a/x/app', 'a/y/app']],
        ['library/alpine', ['alpine', 'library/alpine']],
      ]),
    );
    expect(findCollisions([{ source: 'a', target: 'x' }]).size).toBe(0);
  });
});
