// The JUnit report (junit-file) as Jenkins' junit step and GitLab read it: valid against the schema
// Jenkins documents (test/harness/fixtures/jenkins-junit.xsd, checked by xmllint, Debian's
// libxml2-utils), one test case per tag, counts equal to the JSON report's, each class shown as
// docs/report.md says (failed: failure; stale and incomplete: skipped, or failures under
// fail-on: stale; migrated and skipped: passed), hostile names escaped, secrets masked, and 5,000
// tags written and parsed fast.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FailOn, SyncResult, TagResult } from '../../src/model/result.js';
import { writeScrubbed } from '../../src/redact/output.js';
import { addSecret } from '../../src/redact/secrets.js';
import { buildReport } from '../../src/report/json.js';
import { junitCounts, junitText } from '../../src/report/junit.js';
import {
  baseResult,
  digest,
  dryRun,
  fatalRun,
  interruptedRun,
  retainedAndNotes,
  smallMixed,
} from '../harness/summary-cases.ts';
import { validateJunit, xpath, xpathNumber } from '../harness/report-readers.ts';

const dir = mkdtempSync(join(tmpdir(), 'hs-junit-'));
let written = 0;

function write(result: SyncResult, failOn: FailOn = 'failed'): string {
  const file = join(dir, `r${written++}.xml`);
  writeFileSync(file, [...junitText(result, { failOn, toolVersion: '1.0.0' })].join(''));
  return file;
}

/** What the file says about its cases, read back by a real XML parser. */
function readBack(file: string) {
  return {
    cases: xpathNumber(file, 'count(//testcase)'),
    failures: xpathNumber(file, 'count(//testcase/failure)'),
    errors: xpathNumber(file, 'count(//testcase/error)'),
    skipped: xpathNumber(file, 'count(//testcase/skipped)'),
    tests: xpathNumber(file, 'number(/testsuites/testsuite/@tests)'),
    failuresAttr: xpathNumber(file, 'number(/testsuites/testsuite/@failures)'),
    errorsAttr: xpathNumber(file, 'number(/testsuites/testsuite/@errors)'),
    skippedAttr: xpathNumber(file, 'number(/testsuites/testsuite/@skipped)'),
  };
}

const CASES: Record<string, () => SyncResult> = {
  smallMixed,
  fatal: fatalRun,
  interrupted: interruptedRun,
  dry: dryRun,
  retained: retainedAndNotes,
  empty: () => baseResult(),
};

describe('the JUnit report', () => {
  it.each(Object.keys(CASES))('%s: valid against the JUnit schema Jenkins documents, under every fail-on', (name) => {
    for (const failOn of ['failed', 'stale', 'never'] as const) {
      const seen = validateJunit(write(CASES[name]!(), failOn));
      expect(seen.said, `${name}, fail-on ${failOn}`).toMatch(/validates/);
      expect(seen.ok).toBe(true);
    }
  });

  it('the validator can say no: a report that breaks the schema is refused', () => {
    const file = join(dir, 'bad.xml');
    writeFileSync(file, '<testsuites skipped="1"><testsuite name="x" tests="1"><testcase/></testsuite></testsuites>');
    expect(validateJunit(file).ok).toBe(false);
  });

  it("counts equal the JSON report's: every tag a case, failures, skipped and errors as each class shows", () => {
    for (const [name, make] of Object.entries(CASES))
      for (const failOn of ['failed', 'stale', 'never'] as const) {
        const result = make();
        const t = buildReport(result, '1.0.0').totals;
        const seen = readBack(write(result, failOn));
        const runCase = result.fatal || result.interrupted ? 1 : 0;
        const where = `${name}, fail-on ${failOn}`;
        expect(seen.cases, where).toBe(t.tags + runCase);
        expect(seen.tests, where).toBe(seen.cases);
        expect(seen.errors, where).toBe(runCase);
        expect(seen.failures, where).toBe(t.failed + (failOn === 'stale' ? t.stale + t.incomplete : 0));
        expect(seen.skipped, where).toBe(failOn === 'stale' ? 0 : t.stale + t.incomplete);
        expect([seen.failuresAttr, seen.errorsAttr, seen.skippedAttr], where).toEqual([
          seen.failures,
          seen.errors,
          seen.skipped,
        ]);
        expect(junitCounts(result, failOn), where).toEqual({
          tests: seen.tests,
          failures: seen.failures,
          errors: seen.errors,
          skipped: seen.skipped,
        });
      }
  });

  it('a case per tag: the source repository as class name, the tag as name, its seconds; a failure says code, step and what to do', () => {
    const text = readFileSync(write(smallMixed()), 'utf8');
    expect(text).toContain('<testcase classname="team-a/tools/worker" name="1.3"');
    const failed =
      /<testcase classname="team-b\/app" name="1\.10\.4"[^>]*>\s*<failure type="IMMUTABLE_TAG" message="([^"]*)">([^<]*)<\/failure>/.exec(
        text,
      );
    expect(failed, text).not.toBeNull();
    expect(failed![1]).toBe('Failed to process request due to &#39;team-b/app:1.10.4&#39; configured as immutable.');
    expect(failed![2]).toContain('IMMUTABLE_TAG · step manifest · HTTP 412 · PRECONDITION');
    expect(failed![2]).toMatch(/What to do: the tag matches an immutability rule of project team-b/);
    // Stale: skipped (not passed, not failed) with what is missing and what to do.
    expect(text).toMatch(
      /<testcase classname="cache\/redis" name="7\.2"[^>]*>\s*<skipped message="stale: all 3 blobs answer 404[^"]*">[^<]*sha256:0000003200000032[^<]*What to do: /,
    );
    const strict = readFileSync(write(smallMixed(), 'stale'), 'utf8');
    expect(strict).toMatch(
      /<testcase classname="cache\/redis" name="7\.2"[^>]*>\s*<failure type="STALE" message="stale: /,
    );
    expect(strict).toMatch(/<testcase classname="cache\/postgres" name="16"[^>]*>\s*<failure type="INCOMPLETE" /);
  });

  it('a tag with seconds has them as its time; the suite has the run’s, as the schema’s time type wants', () => {
    const result = baseResult({
      seconds: 12.5,
      items: [{ source: 'a/b:1', target: 'a/b:1', status: 'migrated', digest: digest(1), seconds: 1.23456 }],
    });
    const text = readFileSync(write(result), 'utf8');
    expect(text).toContain('<testcase classname="a/b" name="1" time="1.235">');
    expect(text).toMatch(/<testsuite name="harbor-sync" tests="1" failures="0" errors="0" skipped="0" time="12\.500"/);
  });

  it('retained tags and Harbor notes go to the suite’s system-out; a fatal run is one error case', () => {
    const text = readFileSync(write(retainedAndNotes()), 'utf8');
    const out = /<system-out>([^<]*)<\/system-out>\s*<\/testsuite>/.exec(text)?.[1] ?? '';
    expect(out).toMatch(/^Harbor project \S+ \((retention|proxy-cache|immutable)\): /m);
    expect(out).toMatch(/^Retained: 60 tags and 1 repository only Harbor has now/m);
    const fatal = readFileSync(write(fatalRun()), 'utf8');
    expect(fatal).toMatch(/<testcase classname="harbor-sync" name="run">\s*<error type="CREDENTIALS_REJECTED" /);
  });

  it('names, messages and control characters from outside are escaped; the file still validates', () => {
    const hostile: TagResult = {
      source: 'evil/"><x>&amp;:1\u0001',
      target: 'p/evil:1',
      status: 'failed',
      error: {
        step: 'manifest',
        errorCode: 'HTTP_ERROR',
        status: 500,
        message: ']]></failure><injected/> "quote" \'apos\' \u001b[31m\uffff\ud800 line\nnext',
      },
    };
    const file = write(baseResult({ items: [hostile] }));
    expect(validateJunit(file).ok).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('<injected/>');
    expect(text).not.toContain('<x>');
    expect(text).toContain('\\x1b[31m');
    expect(xpathNumber(file, 'count(//injected)')).toBe(0);
    // The message comes back as the words it was (newline kept as a reference in the attribute).
    const message = xpath(file, 'string(//failure/@message)');
    expect(message).toContain(']]></failure><injected/> "quote" \'apos\' \\x1b[31m');
    expect(message).toContain(' line\nnext');
  });

  it('a secret in a message is masked in the file, also where XML escaping changed how it is written', async () => {
    const secret = 'p&ss<w>rd"42';
    addSecret(secret);
    const file = join(dir, 'secret.xml');
    const result = baseResult({
      items: [
        {
          source: 'a/b:1',
          target: 'a/b:1',
          status: 'failed',
          error: { step: 'blob', errorCode: 'HTTP_ERROR', message: `server said ${secret}` },
        },
      ],
    });
    await writeScrubbed(file, junitText(result, { failOn: 'failed', toolVersion: '1.0.0' }));
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('p&amp;ss&lt;w&gt;rd&quot;42');
    expect(text).not.toContain(secret);
    expect(text).toContain('server said ***');
    expect(validateJunit(file).ok).toBe(true);
  });

  it('5,000 tags: written in pieces of one case each, fast to write and to parse', async () => {
    const statuses = ['migrated', 'stale', 'incomplete', 'skipped', 'failed'] as const;
    const items: TagResult[] = Array.from({ length: 5000 }, (_, i) => ({
      source: `team-${i % 50}/app-${i % 7}:${i}`,
      target: `team-${i % 50}/app-${i % 7}:${i}`,
      status: statuses[i % 5]!,
      digest: digest(i),
      seconds: 0.5,
      ...(i % 5 === 1 || i % 5 === 2
        ? { missing: [digest(i + 1)], reason: 'all 2 blobs answer 404 on the source' }
        : {}),
      ...(i % 5 === 4 && {
        error: { step: 'blob' as const, errorCode: 'HTTP_ERROR' as const, status: 503, message: 'unavailable' },
      }),
    }));
    const result = baseResult({ items });
    const pieces = [...junitText(result, { failOn: 'failed', toolVersion: '1.0.0' })];
    expect(pieces.length).toBeGreaterThan(5000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(4096);
    const file = join(dir, 'big.xml');
    const writing = performance.now();
    await writeScrubbed(file, junitText(result, { failOn: 'failed', toolVersion: '1.0.0' }));
    const writeMs = performance.now() - writing;
    const parsing = performance.now();
    const seen = readBack(file);
    const parseMs = (performance.now() - parsing) / 8; // readBack runs xmllint 8 times
    const validating = performance.now();
    expect(validateJunit(file).ok).toBe(true);
    const validateMs = performance.now() - validating;
    expect(seen.cases).toBe(5000);
    expect(seen.failures).toBe(1000);
    expect(seen.skipped).toBe(2000);
    console.info(
      `JUnit report of 5,000 tags: ${(readFileSync(file).length / 1024).toFixed(0)} KiB, written in ${writeMs.toFixed(0)} ms, parsed by xmllint in ${parseMs.toFixed(0)} ms (validated against the XSD in ${validateMs.toFixed(0)} ms)`,
    );
    expect(writeMs).toBeLessThan(2000);
    expect(parseMs).toBeLessThan(2000);
  });
});
