// One shape checker for JSON from outside (src/errors/json-shape.ts): a ShapeError carries where,
// what was expected and what was found, and each boundary words that its own way: a server's
// answer as `$.tags[1]: expected a string, got a number`, a shard report given to report-merge as
// `shard-2.json: failed[0].source is a number, expected a string`.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/base.js';
import {
  ShapeError,
  array,
  nonNegative,
  object,
  oneOf,
  optional,
  string,
  where,
  type Shape,
} from '../../src/errors/json-shape.js';
import type { SyncResult } from '../../src/model/result.js';
import { buildReport } from '../../src/report/json.js';
import { resultFromReport } from '../../src/report/merge.js';

function shapeError<T>(shape: Shape<T>, value: unknown): ShapeError {
  try {
    shape(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ShapeError);
    return error as ShapeError;
  }
  throw new Error('accepted');
}

describe('the shape of JSON from outside', () => {
  it('a ShapeError carries where, what was expected and what was found', () => {
    const error = shapeError(object({ tags: array(string) }), { tags: ['1', 2] });
    expect({ path: error.path, expected: error.expected, found: error.found, why: error.why }).toEqual({
      path: '$.tags[1]',
      expected: 'a string',
      found: 'a number',
      why: undefined,
    });
    expect(error.message).toBe('$.tags[1]: expected a string, got a number');
  });

  it('a missing field was found as nothing, not as "a undefined"', () => {
    const error = shapeError(object({ token: string }), {});
    expect(error.found).toBeUndefined();
    expect(error.message).toBe('$.token: expected a string, got nothing');
  });

  it('a value of the right kind that fails its test is found quoted, printable and short', () => {
    const time = where(string, (t) => /^\d{4}-/.test(t), 'a time');
    expect(shapeError(time, 'a\nb').found).toBe('"a\\x0ab"');
    expect(shapeError(time, 'x'.repeat(500)).found).toBe(`"${'x'.repeat(100)}…"`);
    expect(shapeError(time, 7)).toMatchObject({ expected: 'a string', found: 'a number' });
    expect(shapeError(oneOf(['tag', 'repository']), 'blob')).toMatchObject({
      expected: 'one of tag, repository',
      found: '"blob"',
    });
    expect(shapeError(nonNegative, -1)).toMatchObject({ expected: 'a number of at least 0', found: '-1' });
  });

  it('an object keeps only the fields it names, and leaves out those read as absent', () => {
    const shape = object({ a: string, b: optional(string), c: optional(string) });
    const out = shape({ a: 'x', b: null, d: 'dropped' });
    expect(out).toStrictEqual({ a: 'x' });
    expect(Object.keys(out)).toEqual(['a']);
  });
});

const D = `sha256:${'a'.repeat(64)}`;
const result: SyncResult = {
  startedAt: '2026-12-01T08:00:00.000Z',
  finishedAt: '2026-12-01T08:01:00.000Z',
  seconds: 60,
  dryRun: false,
  source: 'https://old.example.com',
  harbor: 'https://harbor.example.com',
  projectsCreated: [],
  shard: '1/2',
  items: [
    {
      source: 'team-a/app:1',
      target: 'team-a/app:1',
      status: 'broken',
      digest: D,
      harborMissing: [{ digest: D, kind: 'blob', size: 3 }],
      checkedWhole: true,
    },
    {
      source: 'team-a/app:2',
      target: 'team-a/app:2',
      status: 'failed',
      error: { step: 'manifest', errorCode: 'MANIFEST_INVALID', message: 'bad manifest' },
    },
  ],
  retained: [{ kind: 'tag', source: 'team-a/app:0.9', target: 'team-a/app:0.9', pushedAt: '2026-11-02T07:14:00.000Z' }],
  harborNotes: [],
  notStarted: [],
};

// biome-ignore lint/suspicious/noExplicitAny: a report is edited here as the loose JSON a file holds
type Loose = Record<string, any>;

function report(edit: (r: Loose) => void): Loose {
  const r = JSON.parse(JSON.stringify(buildReport(result, 'test'))) as Loose;
  edit(r);
  return r;
}

describe('a shard report read through the shapes', () => {
  it('reads back what a run wrote, dropping fields it does not know at every level', () => {
    const read = resultFromReport(
      report((r) => {
        r.extra = { anything: 1 };
        r.totals.extra = 1;
        r.broken[0].extra = 'x';
        r.broken[0].harborMissing[0].extra = 'x';
        r.failed[0].error.extra = 'x';
        r.retained[0].extra = 'x';
      }),
      'shard-1.json',
    );
    expect(read).toStrictEqual(result);
  });

  it('reads a report written before errorCode, harborMissing and checkedWhole were added (within v1)', () => {
    const read = resultFromReport(
      report((r) => {
        delete r.failed[0].error.errorCode;
        delete r.broken[0].harborMissing;
        delete r.broken[0].checkedWhole;
        r.retained[0].pushedAt = null;
      }),
      'old.json',
    );
    expect(read.items.find((i) => i.status === 'failed')!.error).toStrictEqual({
      step: 'manifest',
      message: 'bad manifest',
    });
    expect(read.items.find((i) => i.status === 'broken')).toStrictEqual({
      source: 'team-a/app:1',
      target: 'team-a/app:1',
      status: 'broken',
      digest: D,
    });
    expect(read.retained[0]).toStrictEqual({ kind: 'tag', source: 'team-a/app:0.9', target: 'team-a/app:0.9' });
  });

  it('a wrong value is quoted escaped: the refusal stays one line', () => {
    const refusal = (edit: (r: Loose) => void): string => {
      try {
        resultFromReport(report(edit), 'shard-1.json');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal((r) => (r.failed[0].error.step = 'up\n::error::forged'))).toBe(
      'shard-1.json: failed[0].error.step is "up\\x0a::error::forged", expected one of config, preflight, auth, network, storage, discover, project, blob, manifest, verify, interrupted',
    );
    expect(refusal((r) => (r.startedAt = 'x\u001b[2J'))).toBe(
      'shard-1.json: startedAt is "x\\x1b[2J", expected a time such as 2026-11-22T08:00:00.000Z',
    );
  });
});
