import { describe, it, expect } from 'vitest';
import { ConfigFileError, parseConfigFile } from '../../src/config/config-file.js';
import { INPUTS } from '../../src/config/input-list.js';

const KEYS = [
  'source-registry',
  'source-username',
  'source-password',
  'harbor-url',
  'harbor-username',
  'harbor-password',
  'images',
  'images-file',
  'config-file',
  'catalog',
  'include',
  'exclude',
  'tags',
  'exclude-tags',
  'semver',
  'latest',
  'latest-include-non-semver',
  'mappings',
  'include-signatures',
  'platforms',
  'create-projects',
  'default-project',
  'concurrency',
  'dry-run',
  'fail-on',
];
const parse = (text: string) => parseConfigFile(text, 'config.yml', KEYS);
const error = (text: string): string => {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigFileError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigFileError');
};

describe('parseConfigFile', () => {
  it('reads every kind of value as the inputs would hold it', () => {
    const file = parse(`# nightly sync
version: 1
source-registry: https://old.example.com
catalog: true
concurrency: 8
semver: 1.20
latest: 5
dry-run: false
images:
  - team-a/app:1.2
  - alpine:3.19
include: team-a/**, team-b/**
exclude: |
  team-a/old/**
  /-tmp$/
tags: ['1\\.2.*', '\\d{1,3}']
platforms: [linux/amd64, linux/arm64]
default-project: "base"
`);
    expect(file.values).toEqual({
      'source-registry': 'https://old.example.com',
      catalog: 'true',
      concurrency: '8',
      semver: '1.20',
      latest: '5',
      'dry-run': 'false',
      images: 'team-a/app:1.2\nalpine:3.19',
      include: 'team-a/**, team-b/**',
      exclude: 'team-a/old/**\n/-tmp$/',
      tags: '1\\.2.*\n\\d{1,3}',
      platforms: 'linux/amd64\nlinux/arm64',
      'default-project': 'base',
    });
    expect(file.mappings).toEqual([]);
  });

  it('treats an empty value or ~ as not given', () => {
    expect(parse('version: 1\nexclude:\ntags: ~\nconcurrency:\n').values).toEqual({});
  });

  it('reads mappings as a list of { from, to, flatten } with the line of each', () => {
    const file = parse(`version: 1
mappings:
  - from: mirror/special
    to: special
  - { from: mirror/, to: mirrors/hub, flatten: true }
  - from: 123
    to: library
    flatten: false
`);
    expect(file.mappings).toEqual([
      { from: 'mirror/special', to: 'special', origin: 'config.yml:3' },
      { from: 'mirror', to: 'mirrors/hub', flatten: true, origin: 'config.yml:5' },
      { from: '123', to: 'library', origin: 'config.yml:6' },
    ]);
    expect(file.values).toEqual({});
  });

  it('follows YAML aliases', () => {
    expect(parse('version: 1\nexclude: &c team-a/**\ninclude: *c\n').values).toEqual({
      exclude: 'team-a/**',
      include: 'team-a/**',
    });
  });

  it('accepts the real input list as known keys', () => {
    const names = INPUTS.map((i) => i.name);
    expect(parseConfigFile('version: 1\nharbor-url: https://h.example.com\n', 'c.yml', names).values).toEqual({
      'harbor-url': 'https://h.example.com',
    });
  });
});

describe('parseConfigFile errors name the file, the line and the key', () => {
  it('unknown keys, with a suggestion for a typo', () => {
    expect(error('version: 1\nharbor-url: https://h\n\n\n\n\nimagez: [a]\n')).toBe(
      'config.yml:7: unknown key "imagez" (did you mean "images"?)',
    );
    expect(error('version: 1\nsomething-else: 1\n')).toBe('config.yml:2: unknown key "something-else"');
  });

  it('passwords, pointing to secrets and the environment', () => {
    expect(error('version: 1\nharbor-password: hunter2\n')).toBe(
      'config.yml:2: "harbor-password" must not be in the config file: pass it as a secret input (action) or the HARBOR_PASSWORD environment variable (CLI)',
    );
    expect(error('version: 1\nsource-password: x\n')).toMatch(/^config\.yml:2: .*SOURCE_PASSWORD/);
  });

  it('config-file inside itself', () => {
    expect(error('version: 1\nconfig-file: other.yml\n')).toBe(
      'config.yml:2: "config-file" cannot be set inside a config file',
    );
  });

  it('version: required, and 1', () => {
    expect(error('images: [a]\n')).toBe('config.yml: "version: 1" is missing: start the file with it');
    expect(error('version: 2\n')).toBe('config.yml:1: version must be 1, not "2"');
    expect(error('version: 1.0\n')).toBe('config.yml:1: version must be 1, not "1.0"');
    expect(error('version:\n')).toBe('config.yml:1: version must be 1, not empty');
    expect(error('version: [1]\n')).toBe('config.yml:1: version must be 1, not a list');
    expect(parse('version: "1"\n').values).toEqual({});
  });

  it('an empty file or one that is not a map', () => {
    expect(error('')).toBe('config.yml: the file is empty: start it with "version: 1"');
    expect(error('# only a comment\n')).toBe('config.yml: the file is empty: start it with "version: 1"');
    expect(error('- version: 1\n')).toBe('config.yml:1: expected keys such as "version: 1" at the top level');
  });

  it('wrong types', () => {
    expect(error('version: 1\nconcurrency: [1, 2]\n')).toBe(
      'config.yml:2: "concurrency" takes a single value, not a list',
    );
    expect(error('version: 1\nharbor-url:\n  host: x\n')).toBe(
      'config.yml:3: "harbor-url" takes a single value, not a map',
    );
    expect(error('version: 1\nimages:\n  a: b\n')).toBe('config.yml:3: "images" takes a list or a string, not a map');
    expect(error('version: 1\nimages:\n  - a\n  - [b, c]\n')).toBe(
      'config.yml:4: "images" items must be single values, not a list',
    );
    expect(error('version: 1\nimages:\n  - a\n  -\n')).toMatch(/^config\.yml:3: "images" has an empty item$/);
    expect(error('version: 1\n[a]: b\n')).toBe('config.yml:2: keys must be plain names such as "images"');
  });

  it('YAML syntax errors and duplicate keys', () => {
    expect(error('version: 1\nimages: [a, b\nconcurrency: 2\n')).toMatch(/^config\.yml:\d+: /);
    expect(error('version: 1\nimages: a\nimages: b\n')).toMatch(/^config\.yml:3: Map keys must be unique$/);
    expect(error('version: 1\n---\nimages: a\n')).toMatch(/^config\.yml:2: Source contains multiple documents/);
    expect(error('version: 1\n  images: a\n')).toMatch(/^config\.yml:\d+: /);
  });

  it('bad patterns and values, at the line of the item', () => {
    expect(error('version: 1\ninclude:\n  - team-a/**\n  - Team-B/**\n')).toBe(
      'config.yml:4: include: "Team-B/**" is not a repository glob (only a-z 0-9 . _ - / and * ? **); write a regex as /…/',
    );
    expect(error('version: 1\ntags: |\n  1\\.2.*\n  1.(3\n')).toMatch(
      /^config\.yml:4: tags: "1\.\(3" is not a valid regular expression/,
    );
    expect(error('version: 1\nexclude-tags: "a, b("\n')).toMatch(
      /^config\.yml:2: exclude-tags: "b\(" is not a valid regular expression/,
    );
    expect(error('version: 1\nsemver: banana\n')).toMatch(/^config\.yml:2: semver: "banana" is not a semver range/);
    expect(error('version: 1\nlatest: 0\n')).toBe('config.yml:2: latest must be a whole number of at least 1, not "0"');
  });

  it('bad mappings', () => {
    expect(error('version: 1\nmappings: mirror => mirrors\n')).toBe(
      'config.yml:2: "mappings" takes a list of { from, to, flatten } entries',
    );
    expect(error('version: 1\nmappings:\n  - mirror => mirrors\n')).toMatch(
      /^config\.yml:3: each mappings entry must be \{ from: …, to: … \}/,
    );
    expect(error('version: 1\nmappings:\n  - { from: a, to: b, flat: true }\n')).toBe(
      'config.yml:3: unknown mappings key "flat" (expected from, to, flatten)',
    );
    expect(error('version: 1\nmappings:\n  - from: a\n    to: b\n    flatten: yes\n')).toBe(
      'config.yml:5: mappings "flatten" must be true or false, not "yes"',
    );
    expect(error('version: 1\nmappings:\n  - { from: a }\n')).toBe('config.yml:3: mappings entry has no "to"');
    expect(error('version: 1\nmappings:\n  - { from: a, to: [b] }\n')).toBe(
      'config.yml:3: mappings "to" takes a single value',
    );
    expect(error('version: 1\nmappings:\n  - { from: a, to: Bad }\n')).toMatch(
      /^config\.yml:3: mapping "a => Bad": Harbor project name "Bad"/,
    );
    expect(error('version: 1\nmappings:\n  - { from: a, to: b }\n  - { from: a/x, to: c }\n')).toBe(
      'config.yml:4: mapping "a/x => c" never applies: mapping "a => b" (config.yml:3) comes first and already matches "a/x"; put the narrower rule first',
    );
  });
});

describe('config file: hostile YAML', () => {
  it('refuses alias amplification with one line naming the file and line', () => {
    const anchor = 'x'.repeat(10_000);
    const text = `version: 1\nimages: &big "${anchor}"\ninclude:\n${Array.from({ length: 500 }, () => '  - *big').join('\n')}\n`;
    expect(() => parseConfigFile(text, 'bomb.yml', ['images', 'include'])).toThrow(
      /^bomb\.yml:\d+: more than 100 aliases/,
    );
  });

  it('refuses a file far larger than any config file', () => {
    const text = `version: 1\nimages: "${'a'.repeat(2 * 1024 * 1024)}"\n`;
    expect(() => parseConfigFile(text, 'huge.yml', ['images'])).toThrow(/^huge\.yml: the file is larger than/);
  });
});
