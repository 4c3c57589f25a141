// The shape of what a user's files hold is checked where they enter: a shard report handed to
// report-merge field by field (a wrong one names the file and the path inside it, exit 2, never a
// bare TypeError), the config file's top level, and YAML aliases.
import { describe, it, expect, vi, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigFile } from '../../src/config/config-file.js';
import { parseShard } from '../../src/config/shard-input.js';
import { ConfigError } from '../../src/errors/base.js';
import type { SyncResult } from '../../src/model/result.js';
import { buildReport } from '../../src/report/json.js';
import { resultFromReport } from '../../src/report/merge.js';
import { EXIT, main } from '../../src/cli/main.js';

const D = `sha256:${'a'.repeat(64)}`;
const E = `sha256:${'b'.repeat(64)}`;

/** A shard's result using every field a report can hold. */
const full: SyncResult = {
  startedAt: '2026-12-01T08:00:00.000Z',
  finishedAt: '2026-12-01T08:01:00.000Z',
  seconds: 60,
  dryRun: false,
  source: 'https://old.example.com',
  harbor: 'https://harbor.example.com',
  harborVersion: 'v2.15.2-080b0220',
  harborUser: 'robot$sync',
  projectsCreated: ['team-a'],
  shard: '2/4',
  upstreamRequests: 3,
  items: [
    {
      source: 'team-a/app:1',
      target: 'team-a/app:1',
      status: 'migrated',
      digest: D,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64'],
      size: 1000,
      blobs: { total: 3, uploaded: 1, mounted: 1, existing: 1, bytesUploaded: 500 },
      sourceDigest: E,
      previousDigest: E,
      repaired: { blobs: 1, manifests: 0, bytes: 200, from: 'https://upstream.example.com' },
      retries: 2,
      seconds: 1.5,
    },
    { source: 'team-a/old:1', target: 'team-a/old:1', status: 'stale', digest: D, missing: [E], reason: 'gone' },
    { source: 'team-a/x:*', target: '', status: 'skipped', reason: 'filtered out: exclude "team-a/x"' },
    {
      source: ':x:*',
      target: '',
      status: 'failed',
      error: {
        step: 'discover',
        errorCode: 'NAME_INVALID',
        status: 404,
        code: 'NAME_UNKNOWN',
        message: 'the source catalog lists a repository name that is not valid',
        hint: 'rename it',
      },
    },
  ],
  retained: [
    {
      kind: 'tag',
      source: 'team-a/app:0.9',
      target: 'team-a/app:0.9',
      digest: D,
      pushedAt: '2026-11-02T07:14:00.000Z',
    },
    { kind: 'repository', source: 'team-b/old', target: 'team-b/old', artifacts: 4 },
  ],
  harborNotes: [{ project: 'team-a', kind: 'retention', message: 'project team-a has a tag-retention policy' }],
  fatal: { step: 'preflight', errorCode: 'UNREACHABLE', message: 'no connection' },
  interrupted: true,
  notStarted: ['team-c/app:*'],
  catalogIncomplete: true,
  bytesPlanned: 123,
};

// biome-ignore lint/suspicious/noExplicitAny: a report is edited here as the loose JSON a file holds
type Loose = Record<string, any>;

/** The report of `full` as JSON would give it back, changed by `edit`. */
function report(edit: (r: Loose) => void = () => undefined): Loose {
  const r = JSON.parse(JSON.stringify(buildReport(full, 'test'))) as Loose;
  edit(r);
  return r;
}

function refusal(r: unknown): string {
  try {
    resultFromReport(r, 'shard-2.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('report-merge: the shape of a shard report', () => {
  it('reads back every field a run writes', () => {
    expect(resultFromReport(report(), 'shard-2.json')).toEqual(full);
  });

  it('refuses a shard outside i/n with 1 ≤ i ≤ n', () => {
    for (const shard of ['3/2', '0/2', '1/0', '2', 'a/b', '1/20000', ' 1/2'])
      expect(refusal(report((r) => (r.shard = shard)))).toBe(
        `shard-2.json: shard is "${shard}", expected i/n with 1 ≤ i ≤ n ≤ 10000 (e.g. 2/4)`,
      );
    expect(refusal(report((r) => (r.shard = 2)))).toBe('shard-2.json: shard is a number, expected a string');
    expect(() => parseShard('1/20000')).toThrow(/shard must be i\/n with 1 ≤ i ≤ n ≤ 10000/);
  });

  it('names the file and the path of a wrong field', () => {
    const cases: [(r: Loose) => void, string][] = [
      [(r) => (r.migrated = 'str'), 'migrated is a string, expected a list'],
      [(r) => (r.failed = [null]), 'failed[0] is null, expected an object'],
      [(r) => (r.failed = [{ source: 5 }]), 'failed[0].source is a number, expected a string'],
      [(r) => (r.failed[0].target = undefined), 'failed[0].target is missing, expected a string'],
      [(r) => (r.failed[0].error = 'boom'), 'failed[0].error is a string, expected an object'],
      [(r) => (r.failed[0].error.message = 7), 'failed[0].error.message is a number, expected a string'],
      [(r) => (r.failed[0].error.step = 'upload'), 'failed[0].error.step is "upload", expected one of config, '],
      [
        (r) => (r.failed[0].error.errorCode = 'constructor'),
        'failed[0].error.errorCode is "constructor", expected one of',
      ],
      [(r) => (r.migrated[0].blobs.total = '3'), 'migrated[0].blobs.total is a string, expected a number'],
      [(r) => (r.migrated[0].size = -1), 'migrated[0].size is -1, expected a number of at least 0'],
      [(r) => (r.migrated[0].platforms = [1]), 'migrated[0].platforms[0] is a number, expected a string'],
      [(r) => (r.stale[0].missing = 'x'), 'stale[0].missing is a string, expected a list'],
      [(r) => (r.totals = []), 'totals is a list, expected an object'],
      [(r) => (r.totals.seconds = 'x'), 'totals.seconds is a string, expected a number'],
      [(r) => (r.notStarted = [{}]), 'notStarted[0] is an object, expected a string'],
      [(r) => (r.retained[0].kind = 'blob'), 'retained[0].kind is "blob", expected one of tag, repository'],
      [(r) => (r.harborNotes = {}), 'harborNotes is an object, expected a list'],
      [(r) => (r.fatal = { step: 'preflight' }), 'fatal.message is missing, expected a string'],
      [(r) => (r.dryRun = 'no'), 'dryRun is a string, expected true or false'],
      [(r) => (r.startedAt = 'yesterday'), 'startedAt is "yesterday", expected a time such as'],
      [(r) => (r.projectsCreated = 'team-a'), 'projectsCreated is a string, expected a list'],
    ];
    for (const [edit, message] of cases) expect(refusal(report(edit))).toContain(`shard-2.json: ${message}`);
  });

  it('refuses names no run writes: a control character, a line break, a name of 1,025 characters', () => {
    expect(refusal(report((r) => (r.failed[0].source = 'team-a/app:1\u001b[2J')))).toBe(
      'shard-2.json: failed[0].source holds a control character or line break, which no name has',
    );
    expect(refusal(report((r) => (r.migrated[0].target = 'a\nb')))).toContain('migrated[0].target holds a control');
    expect(refusal(report((r) => (r.notStarted = ['a'.repeat(1025)])))).toBe(
      'shard-2.json: notStarted[0] is longer than 1024 characters, more than any name',
    );
  });

  it('a document that is no report says so', () => {
    for (const [doc, schema] of [
      [[1, 2], 'none'],
      ['text', 'none'],
      [null, 'none'],
      [{ schema: 'other/v9' }, 'other/v9'],
    ] as const)
      expect(refusal(doc)).toBe(
        `shard-2.json is not a harbor-sync report (schema "${schema}", expected "harbor-sync/report/v1")`,
      );
  });

  describe('through the CLI', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hs-shapes-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function merge(...files: [string, unknown][]): Promise<{ code: number; stderr: string; stdout: string }> {
      const paths = [];
      for (const [name, content] of files) {
        const path = join(dir, name);
        await writeFile(path, JSON.stringify(content));
        paths.push(path);
      }
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const code = await main(['report-merge', ...paths]);
        const text = (spy: typeof stderr) => spy.mock.calls.map((c) => String(c[0])).join('');
        return { code, stderr: text(stderr), stdout: text(stdout) };
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
    }

    it('a wrong field: exit 2, one line naming the file and the path', async () => {
      const good = report((r) => (r.shard = '1/2'));
      const bad = report((r) => (r.failed = [r.failed[0], r.failed[0], r.failed[0], { ...r.failed[0], source: 5 }]));
      const { code, stderr } = await merge(['shard-1.json', good], ['shard-2.json', bad]);
      expect(code).toBe(EXIT.config);
      expect(stderr).toBe(
        `harbor-sync: ${join(dir, 'shard-2.json')}: failed[3].source is a number, expected a string\n`,
      );
    });

    it('shards 3/2 and 0/2 are refused', async () => {
      for (const shard of ['3/2', '0/2']) {
        const { code, stderr } = await merge(['a.json', report((r) => (r.shard = shard))]);
        expect(code).toBe(EXIT.config);
        expect(stderr).toContain(`a.json: shard is "${shard}", expected i/n`);
      }
    });

    it('a failed item whose name has no repository part (":x") is merged and summarised', async () => {
      const one = report((r) => {
        r.shard = '1/1';
        r.fatal = null;
        r.interrupted = false;
        r.failed = [':x', '@x', ':x:*', 'a/:b:*'].map((source) => ({ ...r.failed[0], source }));
      });
      const { code, stdout } = await merge(['only.json', one]);
      expect(code).toBe(EXIT.failed);
      expect(stdout).toContain('NAME_INVALID');
    });
  });
});

describe('the config file: its shape at the top level and its aliases', () => {
  const error = (text: string): string => {
    try {
      parseConfigFile(text, 'c.yml', ['images', 'include', 'tags']);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('a list, a scalar or nothing at the top level is refused, saying what is expected', () => {
    expect(error('- version: 1\n- images: a\n')).toBe('c.yml:1: expected keys such as "version: 1" at the top level');
    expect(error('just text\n')).toBe('c.yml:1: expected keys such as "version: 1" at the top level');
    expect(error('42\n')).toBe('c.yml:1: expected keys such as "version: 1" at the top level');
    expect(error('# nothing\n')).toBe('c.yml: the file is empty: start it with "version: 1"');
  });

  it('an alias bomb is refused at once, unexpanded', () => {
    // Ten levels of ten aliases each: 10^10 strings if expanded.
    const levels = ['version: 1', 'images: &l0 [a/b, a/b, a/b, a/b, a/b, a/b, a/b, a/b, a/b, a/b]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `x${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = `${levels.join('\n')}\n`;
    const started = Date.now();
    expect(error(bomb)).toBe('c.yml:3: unknown key "x1"');
    expect(error(bomb.replace('x1:', 'include:'))).toMatch(
      /^c\.yml:\d+: "include" items must be single values, not a list$/,
    );
    const many = `version: 1\nimages: &a a/b\ntags: [${Array(101).fill('*a').join(', ')}]\n`;
    expect(error(many)).toBe('c.yml:3: more than 100 aliases (*name): write the values out instead');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
