// User patterns (include/exclude, tags, exclude-tags, immutable-tags) match in linear time: they are
// RE2 syntax, compiled with re2js, so a pattern with catastrophic backtracking in JavaScript's
// engine (`(a+)+`) cannot spin on a long name. What users write keeps its meaning.
import { describe, it, expect } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config/inputs.js';
import { compileRepoPattern, compileTagPattern, parseSelection } from '../../src/config/selection-inputs.js';
import { parseConfigFile } from '../../src/config/config-file.js';
import { INPUTS } from '../../src/config/input-list.js';
import { repositoryExcludedBy, selectTags } from '../../src/sync/select.js';

const EVIL = ['(a+)+', '(\\d+\\.?)+', '(a|a)*', '(a|aa)+b', '(.*a){12}'];
const LONG_A = `${'a'.repeat(50_000)}!`;
const LONG_DIGITS = `${'1.'.repeat(25_000)}x`;

/** Milliseconds `run` takes. */
function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe('patterns with catastrophic backtracking run in linear time', () => {
  it('tags, exclude-tags and immutable-tags: a 50,000-character tag in milliseconds', async () => {
    for (const pattern of EVIL) {
      const selection = parseSelection((name) => ({ tags: pattern, 'exclude-tags': pattern })[name]);
      for (const tag of [LONG_A, LONG_DIGITS]) {
        const ms = timed(() => expect(selectTags([tag], selection).selected).toEqual([]));
        expect(ms, `${pattern} on ${tag.slice(0, 4)}…`).toBeLessThan(500);
      }
    }
    const config = await buildConfig(
      (name) =>
        ({
          'source-registry': 'https://registry.example.com',
          'harbor-url': 'https://harbor.example.com',
          'harbor-username': 'admin',
          'harbor-password': 'pw',
          images: 'a/b:1',
          'immutable-tags': EVIL.join('\n'),
        })[name],
      { env: {} },
    );
    const ms = timed(() => expect(config.immutableTags.some((p) => p.test(LONG_A))).toBe(false));
    expect(ms).toBeLessThan(500);
  });

  it('include and exclude /regex/ and globs: a 50,000-character name in milliseconds', () => {
    const long = `${'a/'.repeat(25_000)}x`;
    for (const pattern of [...EVIL.map((p) => `/^${p}$/`), '/^(a\\/?)+$/', '**/b', 'a/**/b/**/c/**/d']) {
      const selection = parseSelection((name) => ({ include: pattern })[name]);
      for (const name of [LONG_A, long]) {
        const ms = timed(() => expect(repositoryExcludedBy(name, selection)).toBe('not in include'));
        expect(ms, `${pattern} on ${name.slice(0, 4)}…`).toBeLessThan(500);
      }
    }
  });
});

describe('RE2 syntax', () => {
  it('refuses backreferences and lookaround, naming the input, the pattern and the syntax', () => {
    for (const [pattern, reason] of [
      ['(a)\\1', 'invalid escape sequence: `\\1`'],
      ['(?=v)\\d+', 'invalid or unsupported Perl syntax: `(?=`'],
      ['(?!rc)\\w+', 'invalid or unsupported Perl syntax: `(?!`'],
      ['(?<=v)1', 'invalid named capture'],
    ]) {
      const error = (() => {
        try {
          compileTagPattern(pattern!, 'exclude-tags line 2');
        } catch (e) {
          return e;
        }
      })();
      expect(error, pattern).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        `exclude-tags line 2: "${pattern}" is not a valid regular expression: ${reason} (patterns are RE2 syntax, matched in linear time: no backreferences or lookaround)`,
      );
    }
    expect(() => compileRepoPattern('/(x)\\1/', 'exclude line 1')).toThrow(
      /^exclude line 1: "\/\(x\)\\1\/" is not a valid regular expression: .*RE2 syntax/,
    );
  });

  it('in the config file too, at the line of the item', () => {
    expect(() => parseConfigFile('version: 1\ntags:\n  - latest\n  - (?=1)\\d+\n', 'c.yml', ['tags'])).toThrow(
      /^c\.yml:4: tags: "\(\?=1\)\\d\+" is not a valid regular expression: .*RE2 syntax/,
    );
  });

  it('keeps the meaning of the patterns users write', () => {
    const tags = [
      '1.2.3',
      'v1.2.3',
      'v10.20.30',
      '1.2.3-rc1',
      '1.2',
      'x1.2.3',
      'latest',
      'stable',
      'latest-alpine',
      'sha-3f2a1c9',
      'sha-3F2A',
      'sha-',
      '2.0.0-rc',
      '2.0.0-rc12',
      'main',
      '1.2.3\n',
    ];
    for (const pattern of [
      'v?\\d+\\.\\d+\\.\\d+',
      'sha-[0-9a-f]+',
      'latest|stable',
      '.*-rc\\d*',
      '^1\\..*$',
      '\\d{1,3}\\.\\d{1,3}',
      '[[:alpha:]]+',
      'v?1\\.2\\.[0-9]+(-rc[0-9]+)?',
    ]) {
      const compiled = compileTagPattern(pattern, 'tags');
      // What the same anchored regex selects in JavaScript's engine, where it is safe to ask.
      const native = new RegExp(compiled.source.replace('[[:alpha:]]', '[A-Za-z]'));
      expect(
        tags.filter((t) => compiled.test(t)),
        pattern,
      ).toEqual(tags.filter((t) => native.test(t)));
    }
    expect(tags.filter((t) => compileTagPattern('latest|stable', 'tags').test(t))).toEqual(['latest', 'stable']);
    expect(compileRepoPattern('/^team-a\\//', 'include').test('team-a/app')).toBe(true);
    expect(compileRepoPattern('/^team-a\\//', 'include').test('x/team-a/app')).toBe(false);
    expect(compileRepoPattern('/tmp/', 'exclude').test('team-a/tmp-build')).toBe(true);
  });

  it('the input descriptions say so', () => {
    for (const name of ['include', 'exclude', 'tags', 'exclude-tags', 'immutable-tags']) {
      const input = INPUTS.find((i) => i.name === name)!;
      expect(input.description, name).toMatch(/RE2 syntax/);
    }
  });
});
