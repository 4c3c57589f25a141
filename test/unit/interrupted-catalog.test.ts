// An interrupted catalog run says what it knows: the tags and whole repositories it listed but did
// not start, and that the rest of the catalog was not listed yet (issue 24: "8 tags or
// repositories were not started" when 134 repositories had not been done; 0 during extraction).
import { describe, it, expect } from 'vitest';
import { fakes, image, recordingLogger, sync } from '../harness/engine-harness.ts';
import { baseResult, interruptedRun } from '../harness/summary-cases.ts';
import { buildReport } from '../../src/report/json.ts';
import { decideOutcome } from '../../src/report/outcome.ts';
import { renderSummary } from '../../src/report/summary.ts';

function catalogSource(repositories: number) {
  const f = fakes();
  for (let i = 1; i <= repositories; i++) f.source.addImage(`team/app-${i}`, '1', image(`app-${i}`));
  return f;
}

describe('engine: a catalog run interrupted', () => {
  it('stopped before the catalog was listed (e.g. while a tarball is extracted): the catalog is incomplete', async () => {
    const f = catalogSource(5);
    const stop = new AbortController();
    stop.abort();
    const result = await sync(f, { catalog: true, images: ['other/app:1'] }, { control: { signal: stop.signal } });
    expect(result.interrupted).toBe(true);
    expect(result.notStarted).toEqual(['other/app:1']);
    expect(result.catalogIncomplete).toBe(true);
    expect(buildReport(result, 'test').catalogIncomplete).toBe(true);
  });

  it('stopped after the first tag: what was listed is counted, and the catalog is said to be incomplete', async () => {
    const f = catalogSource(40);
    const stop = new AbortController();
    const logger = recordingLogger((event) => {
      if (event.type === 'done') stop.abort();
    });
    const result = await sync(f, { catalog: true }, { logger, control: { signal: stop.signal } });
    expect(result.interrupted).toBe(true);
    expect(result.catalogIncomplete).toBe(true);
    // Fewer were listed than the catalog holds: the counts alone would understate what is left.
    expect(result.items.length + result.notStarted.length).toBeLessThan(40);
  });

  it('a catalog listed to its end is not incomplete, interrupted or not', async () => {
    const f = catalogSource(3);
    const whole = await sync(f, { catalog: true });
    expect(whole.catalogIncomplete).toBeUndefined();
    expect(buildReport(whole, 'test').catalogIncomplete).toBe(false);
  });
});

describe('the words of an interrupted run', () => {
  it('tags and whole repositories are counted apart', () => {
    const result = interruptedRun();
    const md = renderSummary(result, { failOn: 'failed' });
    expect(md).toContain('> **Interrupted.** 120 tags and 1 whole repository were not started;');
    expect(md).not.toContain('catalog');
    expect(decideOutcome(result, 'failed').reason).toBe(
      'interrupted: 120 tags and 1 whole repository not started — run the same command again to do the rest',
    );
  });

  it('an incomplete catalog: more is left than the counts say', () => {
    const result = { ...interruptedRun(), catalogIncomplete: true };
    const md = renderSummary(result, { failOn: 'failed' });
    expect(md).toContain(
      '**The source catalog was not listed to its end:** the repositories it had not listed yet are in none of these counts, so more is left than they say.',
    );
    expect(decideOutcome(result, 'failed').reason).toBe(
      'interrupted: 120 tags and 1 whole repository not started, and the rest of the source catalog not listed yet — run the same command again to do the rest',
    );
  });

  it('nothing listed yet (interrupted while a tarball was extracted): no "0 were not started"', () => {
    const result = baseResult({ interrupted: true, notStarted: [], catalogIncomplete: true });
    const md = renderSummary(result, { failOn: 'failed' });
    expect(md).not.toContain('were not started');
    expect(md).toContain('> **Interrupted.** Nothing listed so far was left unstarted;');
    expect(md).toContain('**The source catalog was not listed to its end:**');
    expect(decideOutcome(result, 'failed').reason).toBe(
      'interrupted before the source catalog was listed to its end — run the same command again to do the rest',
    );
  });
});
