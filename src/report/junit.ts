// The run as a JUnit XML report (junit-file), as Jenkins' `junit` step and GitLab's
// `artifacts:reports:junit` read it: one test case per tag, its class name the source repository,
// its name the tag. Valid against the JUnit schema Jenkins' xUnit plugin ships (the test checks it
// with xmllint); docs/report.md, "The JUnit report", says how each class shows and why.
//
// How a class shows comes from the table of tag classes (model/tag-classes.ts), as the exit code
// does: a class that fails the run is a <failure> (failed tags always; stale and incomplete ones
// under fail-on: stale); a class that needs action without failing the run is <skipped>, which
// both Jenkins and GitLab show as not passed and neither counts as failed; the rest pass. A run that stopped before any tag (a fatal
// error) or was interrupted is one more test case, an <error>.
//
// Written in pieces of one test case each, like the JSON report: 200,000 tags never make one string.
import { BASE_RULE, tagClass } from '../model/class-rules.js';
import type { FailOn, SyncResult, TagResult, TagStatus } from '../model/result.js';
import { STATUSES } from '../model/result.js';
import { failureFacts, repositoryOf, whatToDo } from './failure-causes.js';
import { plainText } from './doc.js';
import { xmlAttribute, xmlText } from './escape.js';
import { failsRun, leftUndone, needsAction, undoneWords } from './outcome.js';
import { missingWhatToDo, retainedWords } from './tables.js';
import { computeTotals, itemsByStatus } from './totals.js';

export type JunitMark = 'failure' | 'skipped' | 'pass';

/** How a class of tags shows in the JUnit report under a fail-on rule. `fail-on: never` changes the
 * exit code only: a failed tag is still a failed test. */
function junitMark(status: TagStatus, failOn: FailOn, dryRun: boolean): JunitMark {
  if (failsRun(status, failOn === 'never' ? BASE_RULE : failOn, dryRun)) return 'failure';
  if (needsAction(status)) return 'skipped';
  return 'pass';
}

export interface JunitCounts {
  /** Every tag of the JSON report, plus the run's own case when it stopped or was interrupted. */
  tests: number;
  failures: number;
  /** 1 when the run stopped before any tag (fatal) or was interrupted, else 0. */
  errors: number;
  skipped: number;
}

/** The counts the report's <testsuite> states, from the same totals as the JSON report's. */
export function junitCounts(result: SyncResult, failOn: FailOn): JunitCounts {
  const totals = computeTotals(result);
  const counts = { tests: totals.tags, failures: 0, errors: runError(result) ? 1 : 0, skipped: 0 };
  counts.tests += counts.errors;
  for (const status of STATUSES) {
    const mark = junitMark(status, failOn, result.dryRun);
    if (mark === 'failure') counts.failures += totals[status];
    if (mark === 'skipped') counts.skipped += totals[status];
  }
  return counts;
}

export interface JunitOptions {
  failOn: FailOn;
  toolVersion: string;
}

/** The report's text, in pieces of one test case (or one line of output) each. */
export function* junitText(result: SyncResult, options: JunitOptions): Generator<string> {
  const counts = junitCounts(result, options.failOn);
  const time = seconds(result.seconds);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="harbor-sync" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" time="${time}">\n`;
  yield `  <testsuite name="harbor-sync" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${time}" timestamp="${xmlAttribute(result.startedAt)}">\n`;
  yield properties(result, options);
  const error = runError(result);
  if (error) yield error;
  const upstream = result.upstreamRequests !== undefined;
  const groups = itemsByStatus(result);
  for (const status of STATUSES)
    for (const item of groups[status]) yield testCase(item, junitMark(status, options.failOn, result.dryRun), upstream);
  yield* suiteOutput(result);
  yield '  </testsuite>\n</testsuites>\n';
}

function properties(result: SyncResult, options: JunitOptions): string {
  const entries: [string, string | undefined][] = [
    ['source', result.source],
    ['harbor', result.harbor],
    ['harborVersion', result.harborVersion],
    ['harborUser', result.harborUser],
    ['shard', result.shard],
    ['dryRun', String(result.dryRun)],
    ['failOn', options.failOn],
    ['finishedAt', result.finishedAt],
    ['harborSyncVersion', options.toolVersion],
  ];
  const lines = entries
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => `      <property name="${name}" value="${xmlAttribute(value)}"/>\n`);
  return `    <properties>\n${lines.join('')}    </properties>\n`;
}

function testCase(item: TagResult, mark: JunitMark, upstream: boolean): string {
  const repository = repositoryOf(item.source);
  const name = item.source.slice(repository.length + 1) || item.source;
  const time = item.seconds !== undefined ? ` time="${seconds(item.seconds)}"` : '';
  const open = `    <testcase classname="${xmlAttribute(repository)}" name="${xmlAttribute(name)}"${time}`;
  const where = item.target && item.target !== item.source ? [`In Harbor: ${item.target}`] : [];
  if (mark === 'failure') {
    const [type, message, body] = details(item, upstream);
    return `${open}>\n      <failure type="${xmlAttribute(type)}" message="${xmlAttribute(message)}">${xmlText([...where, ...body].join('\n'))}</failure>\n    </testcase>\n`;
  }
  if (mark === 'skipped') {
    const [, message, body] = details(item, upstream);
    return `${open}>\n      <skipped message="${xmlAttribute(message)}">${xmlText([...where, ...body].join('\n'))}</skipped>\n    </testcase>\n`;
  }
  // Passed: what was done, for whoever opens the case.
  const done = [
    `${tagClass(item.status).word}${item.reason ? `: ${item.reason}` : ''}`,
    ...where,
    ...(item.digest ? [`Digest: ${item.digest}`] : []),
  ];
  return `${open}>\n      <system-out>${xmlText(done.join('\n'))}</system-out>\n    </testcase>\n`;
}

/** A tag that did not pass: its type, message and text, by what its class carries (model/tag-classes.ts). */
function details(item: TagResult, upstream: boolean): [string, string, string[]] {
  const c = tagClass(item.status);
  if (c.listing === 'causes') return failedDetails(item);
  if (c.listing === 'missing') return missingDetails(item, upstream);
  if (c.listing === 'gaps') return gapDetails(item);
  return [
    c.name.toUpperCase(),
    `${c.word}${item.reason ? `: ${item.reason}` : ''}`,
    [...(c.meaning ? [c.meaning] : []), ...(item.digest ? [`Digest: ${item.digest}`] : [])],
  ];
}

/** A failed tag: its error code as the type, its message, then its codes and what to do. */
function failedDetails(item: TagResult): [string, string, string[]] {
  const e = item.error;
  if (!e) return ['FAILED', item.reason ?? 'failed', []];
  const todo = whatToDo(e);
  return [
    e.errorCode,
    e.message,
    [
      plainText(failureFacts(e)),
      `Message: ${e.message}`,
      ...(todo ? [`What to do: ${todo}`] : []),
      ...(item.retries ? [`Retries: ${item.retries}`] : []),
    ],
  ];
}

/** A stale or incomplete tag: the class as the type, why, the digests missing and what to do. */
function missingDetails(item: TagResult, upstream: boolean): [string, string, string[]] {
  const c = tagClass(item.status);
  return [
    c.name.toUpperCase(),
    `${c.word}: ${item.reason ?? 'blobs answer 404 on the source'}`,
    [
      ...(c.meaning ? [c.meaning] : []),
      ...(item.missing?.length ? ['Missing on the source:', ...item.missing.map((d) => `  ${d}`)] : []),
      plainText(missingWhatToDo(upstream)),
    ],
  ];
}

/** A broken tag (verify: blobs): the class as the type, what Harbor lacked, and what was done. */
function gapDetails(item: TagResult): [string, string, string[]] {
  const c = tagClass(item.status);
  return [
    c.name.toUpperCase(),
    `${c.word}${item.reason ? `: ${item.reason}` : ''}`,
    [
      ...(c.meaning ? [c.meaning] : []),
      ...(item.harborMissing?.length
        ? ['Missing in Harbor:', ...item.harborMissing.map((m) => `  ${m.digest} (${m.kind})`)]
        : []),
      ...(item.digest ? [`Digest: ${item.digest}`] : []),
    ],
  ];
}

/** The run's own test case when it did not run to its end: an error, so the build shows it. */
function runError(result: SyncResult): string | undefined {
  const open = '    <testcase classname="harbor-sync" name="run"';
  if (result.fatal) {
    const f = result.fatal;
    const todo = whatToDo(f);
    const body = [plainText(failureFacts(f)), `Message: ${f.message}`, ...(todo ? [`What to do: ${todo}`] : [])];
    return `${open}>\n      <error type="${xmlAttribute(f.errorCode)}" message="${xmlAttribute(f.message)}">${xmlText(body.join('\n'))}</error>\n    </testcase>\n`;
  }
  if (result.interrupted) {
    const left = leftUndone(result);
    const counts = undoneWords(left);
    const message = `interrupted: ${counts || 'nothing listed'} not started${left.catalogIncomplete ? ', and the source catalog not listed to its end' : ''}; run the same sync again to do the rest`;
    const body = result.notStarted.length ? ['Not started:', ...[...result.notStarted].sort()] : [];
    return `${open}>\n      <error type="INTERRUPTED" message="${xmlAttribute(message)}">${xmlText(body.join('\n'))}</error>\n    </testcase>\n`;
  }
  return undefined;
}

/** Harbor's settings that matter and what only Harbor has now: the suite's output, a line each. */
function* suiteOutput(result: SyncResult): Generator<string> {
  if (result.harborNotes.length === 0 && result.retained.length === 0) return;
  yield '    <system-out>';
  for (const note of result.harborNotes)
    yield xmlText(`Harbor project ${note.project} (${note.kind}): ${note.message}\n`);
  if (result.retained.length > 0) {
    yield xmlText(
      `Retained: ${retainedWords(result.retained)} only Harbor has now (the source no longer lists them; kept, never deleted):\n`,
    );
    for (const r of result.retained)
      yield xmlText(
        `  ${r.target}${r.kind === 'repository' ? ' (whole repository)' : ''}${r.digest ? ` ${r.digest}` : ''}\n`,
      );
  }
  yield '</system-out>\n';
}

/** Seconds as the schema's time type wants them: digits, a point, three decimals. */
function seconds(value: number): string {
  return Number.isFinite(value) && value >= 0 ? value.toFixed(3) : '0.000';
}
