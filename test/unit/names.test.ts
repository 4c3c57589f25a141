import { describe, it, expect } from 'vitest';
import { mapRepository, projectNameProblem } from '../../src/harbor/targets.js';

describe('Harbor name mapping', () => {
  it('uses the first component as the project', () => {
    expect(mapRepository('team-a/tools/worker', 'library')).toEqual({
      project: 'team-a',
      path: 'tools/worker',
      repository: 'team-a/tools/worker',
    });
  });

  it('puts single-level names into the default project', () => {
    expect(mapRepository('alpine', 'library')).toEqual({
      project: 'library',
      path: 'alpine',
      repository: 'library/alpine',
    });
    expect(mapRepository('alpine', 'mirrors').repository).toBe('mirrors/alpine');
  });

  it('refuses project names distribution allows but Harbor does not (docs/harbor.md §3)', () => {
    expect(() => mapRepository('my__team/app', 'library')).toThrow(
      /"my__team" \(from "my__team\/app"\) breaks Harbor's rule/,
    );
    expect(() => mapRepository('a--b/app', 'library')).toThrow(/breaks Harbor's rule/);
    expect(() => mapRepository('app', 'Bad')).toThrow(/default-project "Bad"/);
  });

  it('accepts digits-only names and rejects over-long ones', () => {
    expect(projectNameProblem('123')).toBeUndefined();
    expect(projectNameProblem('a'.repeat(256))).toMatch(/longer than 255/);
  });
});
