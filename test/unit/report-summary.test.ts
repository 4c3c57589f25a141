// The job summary as text: the verdict variants, failures grouped by cause, placeholders that
// cannot be taken for HTML, narrow tables (short digests, the Harbor name only where it differs,
// numbers right-aligned with separators), human sizes and durations, honest folds, the report's
// path, dry-run wording, retained tags and Harbor's settings. The browser test
// (test/integration/summary-browser.test.ts) checks the same summaries rendered.
import { describe, expect, it } from 'vitest';
import type { SyncResult, TagResult } from '../../src/model/result.js';
import { groupFailures } from '../../src/report/failure-causes.js';
import { bytes, code, duration, num, text } from '../../src/report/markdown.js';
import { renderConfigError, renderSummary, SUMMARY_LIMIT } from '../../src/report/summary.js';
import {
  baseResult,
  digest,
  dryRun,
  fatalRun,
  fiveThousandFailures,
  interruptedRun,
  retainedAndNotes,
  smallMixed,
} from '../harness/summary-cases.ts';

const REPORT = '/home/runner/work/_temp/harbor-sync-report.json';
const NBSP = '\u00a0';

function migrated(n: number, prefix = 'team-a/app'): TagResult[] {
  return Array.from({ length: n }, (_, i) => ({
    source: `${prefix}:${i}`,
    target: `${prefix}:${i}`,
    status: 'migrated' as const,
    digest: digest(i),
    size: 1_234_567,
  }));
}

/** The verdict: the alert right under the heading. */
function verdictOf(md: string): string {
  const lines = md.split('\n');
  const end = lines.indexOf('', 2);
  return lines.slice(2, end).join('\n');
}

/** The Markdown outside code spans and fenced blocks. */
function outsideCode(md: string): string {
  return md.replace(/```[\s\S]*?```/g, '').replace(/(`+)[\s\S]*?\1/g, '');
}

describe('the verdict', () => {
  it('comes first, right under the heading, then the totals line', () => {
    for (const r of [smallMixed(), fatalRun(), interruptedRun(), dryRun(), retainedAndNotes()]) {
      const lines = renderSummary(r).split('\n');
      expect(lines[1]).toBe('');
      expect(lines[2]).toMatch(/^> \[!(NOTE|WARNING|CAUTION)\]$/);
    }
    const md = renderSummary(smallMixed());
    expect(md.indexOf('> [!CAUTION]')).toBeLessThan(md.indexOf('**3 migrated**'));
  });

  it('all done: a note, retained tags mentioned as information, the step passed', () => {
    const md = renderSummary(
      baseResult({
        items: [...migrated(3), { source: 'team-a/app:old', target: 'team-a/app:old', status: 'skipped', reason: 'x' }],
        retained: [{ kind: 'tag', source: 'team-a/app:0.9', target: 'team-a/app:0.9' }],
      }),
      { failOn: 'failed' },
    );
    expect(verdictOf(md)).toBe(
      [
        '> [!NOTE]',
        '> **All done:** 3 tags migrated and verified; 1 skipped (already in Harbor, or left out).',
        '>',
        '> 1 tag only Harbor has now (retained, below): information, not a problem.',
        '>',
        '> The step passed (`fail-on: failed`).',
      ].join('\n'),
    );
    expect(md).toContain(' · 1 retained — 4 tags in ');
  });

  it('N need action: a warning with the stale and incomplete counts, and what fail-on makes of them', () => {
    const r = baseResult({ items: smallMixed().items.filter((i) => i.status !== 'failed') });
    const passed = verdictOf(renderSummary(r, { failOn: 'failed' }));
    expect(passed).toContain('> [!WARNING]');
    expect(passed).toContain('> **2 tags need action:** 1 stale, 1 incomplete — listed on the source');
    expect(passed).toContain('> The step passed (`fail-on: failed`: stale and incomplete tags do not fail it).');
    expect(verdictOf(renderSummary(r, { failOn: 'stale' }))).toContain(
      '> **The step failed** (`fail-on: stale`: stale and incomplete tags fail it).',
    );
  });

  it('N failed: a caution with the number of causes; the step failed', () => {
    const v = verdictOf(renderSummary(smallMixed(), { failOn: 'failed' }));
    expect(v).toContain('> [!CAUTION]');
    expect(v).toContain(
      '> **3 tags failed** (2 causes below, each with what to do); 2 more need action: 1 stale, 1 incomplete.',
    );
    expect(v).toContain('> **The step failed** (`fail-on: failed`).');
    expect(verdictOf(renderSummary(smallMixed(), { failOn: 'never' }))).toContain(
      '> The step passed (`fail-on: never`).',
    );
  });

  it('fatal: the message, what to do and the codes in the verdict; no all-zero totals, no tables', () => {
    const md = renderSummary(fatalRun(), { failOn: 'failed', reportFile: REPORT });
    const v = verdictOf(md);
    expect(v).toContain('> [!CAUTION]');
    expect(v).toContain('> **The run stopped before any tag was copied:** Harbor rejected the credentials');
    expect(v).toContain('unauthorized to access &lt;repository&gt;)');
    expect(v).toContain('> **What to do:** check harbor-username and harbor-password');
    expect(v).toContain('> `CREDENTIALS_REJECTED` · step `auth` · HTTP 401 · `UNAUTHORIZED`');
    expect(v).toContain('> **The step failed.**');
    expect(md).not.toMatch(/\*\*0 (migrated|failed)\*\*/);
    expect(md).not.toContain('###');
    expect(md).toContain(code(REPORT));
  });

  it('interrupted: a warning in the same place, above the totals, saying a re-run does the rest', () => {
    const md = renderSummary(interruptedRun(), { failOn: 'failed' });
    const v = verdictOf(md);
    expect(v).toContain('> [!WARNING]');
    expect(v).toContain('> **Interrupted.** 120 tags and 1 whole repository were not started;');
    expect(v).toContain('> **What to do:** run the same sync again: it does exactly the rest.');
    expect(v).toContain('> **The step failed:** the run did not finish.');
    expect(md.indexOf('**Interrupted.**')).toBeLessThan(md.indexOf('**30 migrated**'));
    // What a re-run will do, folded, in a natural order.
    expect(md).toContain('<details><summary>Not started: 121 tags and repositories</summary>');
    expect(md.indexOf('team-a/app:31\n')).toBeLessThan(md.indexOf('team-a/app:100\n'));
  });

  it('a partial merge says so in the first line and in the verdict, never "all done" as a note', () => {
    const md = renderSummary(baseResult({ items: migrated(2), missingShards: ['2/4', '4/4'] }));
    expect(md.split('\n')[0]).toBe('## harbor-sync (partial merge: shards 2/4, 4/4 missing)');
    const v = verdictOf(md);
    expect(v).toContain('> [!WARNING]');
    expect(v).toContain('> **Partial merge: shards 2/4, 4/4 missing.** Their repositories are in none of the counts.');
  });

  it('a configuration error gets a summary of its own', () => {
    const md = renderConfigError('images line 1: "Team/App:1": repository "Team/App" must be <lowercase>');
    expect(md).toBe(
      [
        '## harbor-sync',
        '',
        '> [!CAUTION]',
        '> **Configuration error: nothing was done.** images line 1: "Team/App:1": repository "Team/App" must be &lt;lowercase&gt;',
        '>',
        '> **What to do:** fix the input it names, then run again.',
        '>',
        '> **The step failed.**',
        '',
      ].join('\n'),
    );
  });
});

describe('failures grouped by cause', () => {
  it('40 tags missing at the source are one cause with a count of 40, said once, its tags folded', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({
      source: `team-a/app-${i}:1.${i}`,
      target: `team-a/app-${i}:1.${i}`,
      status: 'failed' as const,
      error: {
        step: 'discover' as const,
        errorCode: 'NOT_FOUND' as const,
        status: 404,
        code: 'MANIFEST_UNKNOWN',
        message: `team-a/app-${i}:1.${i} not found on the source`,
      },
    }));
    const md = renderSummary(baseResult({ items }));
    expect(groupFailures(items, 600)).toHaveLength(1);
    expect(md).toContain('### Failed: 40 tags, 1 cause');
    expect(md).toContain('#### 40 tags: the repository, tag, manifest or blob is not there');
    expect(md).toContain('Message: `<image>` not found on the source');
    expect(md.match(/\*\*What to do:\*\*/g)).toHaveLength(1);
    expect(md).toContain('<details><summary>40 tags</summary>');
    for (const item of items) expect(md).toContain(`| ${item.source} |`);
  });

  it('5,000 failures of three kinds are three causes, though their messages quote tags, digests and projects', () => {
    const r = fiveThousandFailures();
    const causes = groupFailures(r.items, 600);
    expect(causes.map((c) => [c.errorCode, c.items.length])).toEqual([
      ['HTTP_ERROR', 3000],
      ['NOT_FOUND', 1500],
      ['IMMUTABLE_TAG', 500],
    ]);
    const md = renderSummary(r);
    expect(md.match(/^#### /gm)).toHaveLength(3);
    expect(md).toContain(
      '#### 3,000 tags: a registry or Harbor answered with an error status that no other code covers',
    );
    expect(md).toContain(
      'Message: PUT /v2/`<repo>`/blobs/uploads/`<id>`?digest=`<digest>`: 503 Service Unavailable: the storage backend &lt;s3&gt; did not answer in time',
    );
    // The hint names each tag's project: said once, the projects listed beside it.
    expect(md).toContain('**What to do:** the tag matches an immutability rule of project `<project>`: Harbor refuses');
    expect(md).toMatch(/Projects: `team-0`, `team-1`, [^\n]*, and \d+ more/);
    expect(Buffer.byteLength(md)).toBeLessThan(SUMMARY_LIMIT);
  });

  it('shows the message itself where every tag of a cause says the same', () => {
    const md = renderSummary(smallMixed());
    expect(md).toContain(
      '**What to do:** the tag matches an immutability rule of project team-b: Harbor refuses to re-point it.',
    );
    expect(md).toContain('Project: `team-b`');
  });

  it('an immutability rule and read-only mode say what to change in Harbor, even without a hint', () => {
    const failed = (errorCode: 'IMMUTABLE_TAG' | 'READ_ONLY' | 'QUOTA_EXCEEDED'): TagResult => ({
      source: `a/${errorCode.toLowerCase()}:1`,
      target: `a/${errorCode.toLowerCase()}:1`,
      status: 'failed',
      error: { step: 'manifest', errorCode, status: 403, message: 'denied' },
    });
    const md = renderSummary(
      baseResult({ items: [failed('IMMUTABLE_TAG'), failed('READ_ONLY'), failed('QUOTA_EXCEEDED')] }),
    );
    expect(md).toContain(
      '**What to do:** in Harbor, remove or narrow the immutability rule (Project → Policy → Tag Immutability)',
    );
    expect(md).toContain('**What to do:** in Harbor, turn read-only mode off (Administration → Configuration');
    expect(md).toContain("**What to do:** in Harbor, raise the project's quota (Project → Summary → Quota)");
  });
});

describe('text a browser cannot eat', () => {
  it('no placeholder or server text is left as HTML outside code spans', () => {
    for (const r of [fiveThousandFailures(), smallMixed(), fatalRun()]) {
      const stray = outsideCode(renderSummary(r)).match(/<(?!\/?(?:details|summary|br|code)\b)[^>\n]*>/g);
      expect(stray).toBeNull();
    }
  });

  it('escapes what Markdown or HTML would take', () => {
    expect(text('a <b> & c &amp; *d* [e](f) _g_ h_i `j` | k')).toBe(
      'a &lt;b&gt; & c &amp;amp; \\*d\\* \\[e\\](f) \\_g\\_ h_i \\`j\\` \\| k',
    );
    expect(code('a`b')).toBe('``a`b``');
  });
});

describe('tables that fit', () => {
  it('short digests in table cells; the full ones only in a folded code block', () => {
    const md = renderSummary(smallMixed());
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row).not.toMatch(/[0-9a-f]{64}/);
    expect(md).toMatch(/<details><summary>3 missing blobs, full digests<\/summary>\n\n```text\nsha256:[0-9a-f]{64}\n/);
  });

  it('the Harbor name only where it differs from the source, under it in the same cell', () => {
    const md = renderSummary(smallMixed());
    expect(md).toContain('| Tag (→ in Harbor, where different) | Digest | Size |');
    expect(md).toContain('| alpine:3.19<br>→ library/alpine:3.19 | `sha256:');
    expect(md).toContain('| cache/nginx:1.27<br>repaired from the upstream: 2 blobs (52.0\u00a0MB) | `sha256:');
    // Where no name differs, the plain header; and never a second column of names or notes.
    expect(md).toContain('| Tag | Digest | Missing blobs |');
    expect(md).not.toMatch(/\| (Target|Note|Reason|In Harbor) \|/);
  });

  it('numbers right-aligned with thousands separators; sizes and durations in units that do not wrap', () => {
    const md = renderSummary(
      baseResult({ items: [...migrated(1200), ...migrated(1300, 'team-b/api')], seconds: 2467.3 }),
    );
    expect(md).toContain('| Repository | Migrated |\n| --- | ---: |\n| team-a/app | 1,200 |\n| team-b/api | 1,300 |');
    expect(md).toContain(`**2,500 migrated** (0${NBSP}B uploaded)`);
    expect(md).toContain(`— 2,500 tags in 41${NBSP}min 7${NBSP}s`);
    expect(md).toContain(`| 1.2${NBSP}MB |`);
    expect([num(1234567), bytes(2_500_000), duration(2467.3), duration(4.23), duration(42.4), duration(7322)]).toEqual([
      '1,234,567',
      `2.5${NBSP}MB`,
      `41${NBSP}min 7${NBSP}s`,
      `4.2${NBSP}s`,
      `42${NBSP}s`,
      `2${NBSP}h 2${NBSP}min`,
    ]);
  });
});

describe('folds that tell the truth, and where the rest is', () => {
  it('"first 500 of 1,200", pointing at the report whose path the summary says', () => {
    const md = renderSummary(baseResult({ items: migrated(1200) }), { reportFile: REPORT });
    expect(md).toContain(`· JSON report ${code(REPORT)}`);
    expect(md).toContain(
      '<details><summary>First 500 of 1,200 tags (all of them in the JSON report, path above)</summary>',
    );
    expect(md.match(/^\| team-a\/app:/gm)).toHaveLength(500);
  });

  it('a list shown whole says how many it holds', () => {
    const md = renderSummary(baseResult({ items: migrated(40) }), { reportFile: REPORT });
    expect(md).toContain('<details><summary>40 tags</summary>');
    expect(md).not.toContain('First ');
  });

  it('far more than fits: each list cut, saying so, and the summary stays under the limit', () => {
    const items: TagResult[] = Array.from({ length: 30_000 }, (_, i) => ({
      source: `team-${i % 50}/a-rather-long-repository-name-number-${i}/component:${i}`,
      target: `team-${i % 50}/a-rather-long-repository-name-number-${i}/component:${i}`,
      status: 'failed',
      error: { step: 'blob', errorCode: 'HTTP_ERROR', status: 500 + (i % 3), message: 'internal server error' },
    }));
    const md = renderSummary(baseResult({ items }), { reportFile: REPORT });
    expect(Buffer.byteLength(md)).toBeLessThan(SUMMARY_LIMIT);
    expect(md).toContain('**30,000 tags failed** (3 causes below');
    expect(
      md.match(/<summary>First 500 of 10,000 tags \(all of them in the JSON report, path above\)<\/summary>/g),
    ).toHaveLength(3);
  });

  it('more causes than fit: the rest counted, pointing at the report', () => {
    const items: TagResult[] = Array.from({ length: 200 }, (_, i) => ({
      source: `team-a/app:${i}`,
      target: `team-a/app:${i}`,
      status: 'failed',
      error: { step: 'blob', errorCode: 'HTTP_ERROR', status: 500, message: `unique failure code ${i * 7 + 3}` },
    }));
    const md = renderSummary(baseResult({ items }));
    expect(md.match(/^#### /gm)).toHaveLength(50);
    expect(md).toContain("… and 150 more causes (150 tags): each failed tag's error is in the JSON report.");
  });
});

describe('dry run', () => {
  it('says "would migrate" everywhere, the by-repository table included', () => {
    const md = renderSummary(dryRun(), { failOn: 'failed' });
    expect(md.split('\n')[0]).toBe('## harbor-sync (dry run: nothing was written)');
    expect(verdictOf(md)).toContain('**Nothing in the way:** 30 tags would migrate (3.4\u00a0GB to upload)');
    expect(md).toContain('**30 would migrate** (3.4\u00a0GB to upload)');
    expect(md).toContain('| Repository | Would migrate | Skipped |');
    expect(md).toContain('### Would migrate: 30 tags');
    expect(md).not.toMatch(/\bmigrated\b|Migrated/);
  });
});

describe('retained tags and Harbor settings', () => {
  it('a retained section: why it matters in one line, counts per repository, the first items', () => {
    const md = renderSummary(retainedAndNotes(), { reportFile: REPORT });
    expect(md).toContain('· 61 retained —');
    expect(md).toContain('### Retained: 60 tags and 1 repository only Harbor has now');
    expect(md).toContain('**only Harbor has these now**');
    expect(md).toContain('<details><summary>3 repositories with retained tags</summary>');
    expect(md).toContain('| team-a/api | 20 |');
    expect(md).toContain('<details><summary>61 retained items</summary>');
    expect(md).toContain('| team-b/old (whole repository, 4 artifacts) |  |  |');
    expect(md).toContain('| team-a/api:1.1 | `sha256:000000650000` | 2026-10-02 |');
  });

  it('Harbor notes each once, near the verdict, as a warning when they refuse or delete', () => {
    const r = retainedAndNotes();
    const md = renderSummary({ ...r, harborNotes: [...r.harborNotes, ...r.harborNotes] });
    const notes = md.slice(md.indexOf('> [!WARNING]'));
    expect(md.indexOf('> [!WARNING]')).toBeLessThan(md.indexOf('### '));
    expect(notes).toContain('> **Harbor settings of the target projects** (each said once):');
    expect(md.match(/> - \*\*Tag retention:\*\*/g)).toHaveLength(1);
    expect(md.match(/> - \*\*Tag immutability:\*\*/g)).toHaveLength(1);
    expect(md.match(/> - \*\*Proxy-cache project:\*\* project hub/g)).toHaveLength(1);
    expect(notes).toContain('matching \\*\\*: Harbor may delete migrated tags');
    const onlyImmutable: SyncResult = { ...r, harborNotes: r.harborNotes.filter((n) => n.kind === 'immutable') };
    expect(renderSummary(onlyImmutable)).toMatch(/> \[!NOTE\]\n> \*\*Harbor settings/);
  });
});
