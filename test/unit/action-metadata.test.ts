// What action.yml promises against what the action does and the README says: the outputs it
// declares are exactly those src/action.ts sets (src/report/outputs.ts), the README's outputs
// sentence names every one of them, and the description fits GitHub Marketplace's limit.
// test/integration/action-outputs.test.ts runs the bundle and reads the outputs it wrote.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SyncResult, TagResult, TagStatus } from '../../src/model/result.ts';
import { OUTPUT_NAMES, actionOutputs } from '../../src/report/outputs.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const action = parse(read('action.yml')) as {
  description: string;
  branding?: { icon?: string; color?: string };
  outputs: Record<string, { description?: string }>;
};
const declared = Object.keys(action.outputs);

describe('action.yml outputs', () => {
  it('are exactly the outputs the action sets, in the same order', () => {
    expect(declared).toEqual(OUTPUT_NAMES);
    expect(declared).toEqual(expect.arrayContaining(['migrated', 'failed', 'retained', 'report-file']));
  });

  it('get a value each, in that order: the count per status, retained, the report path', () => {
    const tag = (source: string, status: TagStatus): TagResult => ({ source, target: source, status });
    const result: SyncResult = {
      startedAt: '2026-12-01T08:00:00.000Z',
      finishedAt: '2026-12-01T08:00:05.000Z',
      seconds: 5,
      dryRun: false,
      source: 'http://127.0.0.1:5000',
      harbor: 'http://127.0.0.1:8080',
      projectsCreated: [],
      harborNotes: [],
      notStarted: [],
      items: [
        tag('a/b:1', 'migrated'),
        tag('a/b:2', 'migrated'),
        tag('a/b:3', 'skipped'),
        tag('a/c:1', 'stale'),
        tag('a/d:1', 'failed'),
      ],
      retained: [
        { kind: 'tag', source: 'a/b:0', target: 'a/b:0' },
        { kind: 'repository', source: 'a/old', target: 'a/old' },
      ],
    };
    // Every class's count (a class the table adds counts 0 here), then the report's path.
    const counts: Record<string, string> = { migrated: '2', stale: '1', skipped: '1', failed: '1', retained: '2' };
    expect(actionOutputs(result, '/tmp/report.json')).toEqual([
      ...OUTPUT_NAMES.slice(0, -1).map((name) => [name, counts[name] ?? '0']),
      ['report-file', '/tmp/report.json'],
    ]);
  });

  it('each say what they hold', () => {
    for (const name of declared) expect(action.outputs[name]?.description?.length, name).toBeGreaterThan(10);
  });

  it("are all named in the README's outputs sentence", () => {
    const readme = read('README.md').replace(/\s+/g, ' ');
    const sentence = /The summary is written to the job summary; outputs (.*?) are set for later steps\./.exec(readme);
    expect(sentence, 'README.md: the sentence "… outputs `migrated`, … are set for later steps."').not.toBeNull();
    const named = [...sentence![1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    expect(named).toEqual(declared);
  });
});

describe('action.yml for GitHub Marketplace', () => {
  // The Marketplace refuses to list a release whose description is 125 characters or longer.
  it('has a description under 125 characters, and branding', () => {
    expect(action.description.length).toBeGreaterThan(20);
    expect(action.description.length).toBeLessThan(125);
    expect(action.branding?.icon).toBeTruthy();
    expect(action.branding?.color).toBeTruthy();
  });
});
