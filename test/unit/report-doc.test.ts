// docs/report.md lists every step and every error code the report can hold, and nothing else:
// users script on these.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, STEPS } from '../../src/errors/codes.js';

const doc = readFileSync(new URL('../../docs/report.md', import.meta.url), 'utf8');
const tableKeys = (header: string): string[] => {
  const start = doc.indexOf(`| ${header} |`);
  expect(start, `a table headed "${header}" in docs/report.md`).toBeGreaterThanOrEqual(0);
  const rows = doc.slice(start).split('\n').slice(2);
  return rows
    .filter((r) => r.startsWith('| `'))
    .map((r) => /^\| `([^`]+)`/.exec(r)![1]!)
    .slice(
      0,
      rows.findIndex((r) => !r.startsWith('|')),
    );
};

describe('docs/report.md', () => {
  it('lists every step', () => {
    expect(tableKeys('step')).toEqual([...STEPS]);
  });

  it('lists every error code with what it means', () => {
    expect(tableKeys('errorCode')).toEqual(Object.keys(ERROR_CODES));
  });
});
