// The Markdown job summary: a totals line, a per-repository roll-up, then one table per class.
// What a person must act on (stale, incomplete, failed) is listed in full; migrated and skipped
// fold into <details> and stop after a number of rows, pointing at the JSON report, so a summary
// of 5,000 tags stays readable and under GitHub's 1 MiB step-summary limit. A pure function of
// the result, tested as text; action.ts hands it to core.summary, the CLI prints it.
import type { SyncResult, TagResult } from '../model/result.js';
import { computeTotals, formatBytes, itemsByStatus, type Totals } from './totals.js';

const FOLD_AFTER = 20; // longer tables go into a <details> block
const LIST_AT_MOST = 500; // rows of a folded table before "… and N more"
const ROLLUP_AT_MOST = 100;
/** GitHub refuses step summaries over 1 MiB; stay well below. */
export const SUMMARY_LIMIT = 1_000_000;

export function renderSummary(result: SyncResult): string {
  const full = render(result, false);
  return Buffer.byteLength(full) <= SUMMARY_LIMIT ? full : render(result, true);
}

/** `compact` shortens messages and drops columns, keeping every row that needs action. */
function render(result: SyncResult, compact: boolean): string {
  const totals = computeTotals(result);
  const groups = itemsByStatus(result);
  const dry = result.dryRun;
  const partial = result.missingShards?.length
    ? ` (partial merge: shard${result.missingShards.length > 1 ? 's' : ''} ${result.missingShards.join(', ')} missing)`
    : '';
  const lines: string[] = [`## harbor-sync${dry ? ' (dry run: nothing was written)' : ''}${partial}`, ''];
  lines.push(
    `\`${result.source}\` → Harbor \`${result.harbor}\`${result.harborVersion ? ` (${result.harborVersion})` : ''}`,
    '',
  );
  if (result.missingShards?.length) {
    lines.push(
      '> [!WARNING]',
      `> **Partial: shard${result.missingShards.length > 1 ? 's' : ''} ${result.missingShards.join(', ')} missing.** This merge covers only the shards whose reports were given; the missing shards' repositories are in none of the counts below.`,
      '',
    );
  }
  if (result.fatal) {
    const f = result.fatal;
    lines.push(
      `> [!CAUTION]`,
      `> **The run stopped before copying:** ${cell(f.message)}${f.hint ? `<br>${cell(f.hint)}` : ''}`,
      '',
    );
  }
  lines.push(totalsLine(totals, dry), '');
  if (result.upstreamRequests !== undefined) {
    lines.push(
      `Upstream repairs: ${totals.repaired} tag(s) ${dry ? 'would be' : 'were'} completed from the upstream registry, with ${result.upstreamRequests} request(s) to it.`,
      '',
    );
  }
  if (result.interrupted) {
    lines.push(
      '> [!WARNING]',
      `> **Interrupted.** ${result.notStarted.length} tag(s) or repositories were not started; tags in flight finished or were abandoned whole. Harbor holds no partial tag: run the same sync again to complete the remainder.`,
      '',
    );
  }
  if (result.projectsCreated.length > 0)
    lines.push(`Projects created: ${result.projectsCreated.map((p) => `\`${p}\``).join(', ')}`, '');
  rollup(lines, result.items);

  const text = (s: string) => (compact && s.length > 160 ? `${s.slice(0, 157)}…` : s);
  const target = (i: TagResult) => (compact && i.target === i.source ? '″' : i.target);
  if (compact) compactFailures(lines, groups.failed, target);
  else {
    section(
      lines,
      'Failed',
      groups.failed,
      ['Source', 'Target', 'Step', 'Status', 'Code', 'Message'],
      (i) => [
        i.source,
        target(i),
        i.error?.step ?? '',
        i.error?.status !== undefined ? String(i.error.status) : '',
        [i.error?.errorCode, i.error?.code].filter(Boolean).join(' / '),
        `${i.error?.message ?? ''}${i.error?.hint ? `<br>→ ${i.error.hint}` : ''}${i.retries ? ` (after ${i.retries} ${i.retries === 1 ? 'retry' : 'retries'})` : ''}`,
      ],
      'all',
    );
  }
  section(
    lines,
    'Stale',
    groups.stale,
    ['Source', 'Target', 'Digest', 'Reason'],
    (i) => [i.source, target(i), short(i.digest), text(i.reason ?? '')],
    'all',
  );
  section(
    lines,
    'Incomplete',
    groups.incomplete,
    ['Source', 'Target', 'Digest', 'Missing blobs'],
    (i) => [
      i.source,
      target(i),
      short(i.digest),
      compact ? `${i.missing?.length ?? 0} missing` : (i.missing ?? []).map((d) => `\`${d}\``).join('<br>'),
    ],
    'all',
  );
  section(
    lines,
    dry ? 'To migrate' : 'Migrated',
    groups.migrated,
    ['Source', 'Target', 'Digest', 'Size', 'Note'],
    (i) => [
      i.source,
      target(i),
      short(i.digest),
      i.size !== undefined ? formatBytes(i.size) : '',
      text(migratedNote(i)),
    ],
    'fold',
  );
  skippedSection(lines, groups.skipped, text, target);
  return `${lines.join('\n').trimEnd()}\n`;
}

function totalsLine(totals: Totals, dry: boolean): string {
  const moved = dry ? (totals.bytesPlanned ?? totals.bytesMigrated) : totals.bytesUploaded;
  return `${[
    `**${totals.migrated} ${dry ? 'to migrate' : 'migrated'}**${totals.migrated ? ` (${formatBytes(moved)} ${dry ? 'to upload' : 'uploaded'})` : ''}`,
    `**${totals.stale} stale**`,
    `**${totals.incomplete} incomplete**`,
    `**${totals.skipped} skipped**`,
    `**${totals.failed} failed**`,
  ].join(
    ' · ',
  )} — ${totals.tags} tags in ${totals.seconds.toFixed(1)} s${totals.retries ? `, ${totals.retries} retries` : ''}`;
}

/** Many failures: each distinct error once (E1, E2, …), then every failed tag with its error's id. */
function compactFailures(lines: string[], items: TagResult[], target: (i: TagResult) => string): void {
  if (items.length === 0) return;
  const ids = new Map<string, string>();
  // The same error for many tags differs only in names and digests: group without them.
  const describe = (i: TagResult) => {
    const e = i.error;
    const general = (text: string) =>
      text
        .split(repositoryOf(i.target))
        .join('<repo>')
        .split(repositoryOf(i.source))
        .join('<repo>')
        .replace(/sha256:[0-9a-f]{64}/g, '<digest>');
    return `${e?.step ?? ''} ${e?.status ?? ''} ${e?.code ?? ''}: ${general(e?.message ?? '').slice(0, 300)}${e?.hint ? ` → ${general(e.hint)}` : ''}`;
  };
  for (const item of items) if (!ids.has(describe(item))) ids.set(describe(item), `E${ids.size + 1}`);
  lines.push(`### Failed (${items.length})`, '', '| Error | Step, status, code: message |', '| --- | --- |');
  for (const [text, id] of ids) lines.push(`| ${id} | ${cell(text)} |`);
  lines.push('', '| Source | Target | Error |', '| --- | --- | --- |');
  for (const item of items) lines.push(`| ${cell(item.source)} | ${cell(target(item))} | ${ids.get(describe(item))} |`);
  lines.push('');
}

function repositoryOf(label: string): string {
  return label.replace(/[:@][^/]*$/, '');
}

/** One row per repository, the ones that need attention first. */
function rollup(lines: string[], items: TagResult[]): void {
  const repos = new Map<string, Record<TagResult['status'], number>>();
  for (const item of items) {
    const repo = repositoryOf(item.source);
    const counts = repos.get(repo) ?? { migrated: 0, stale: 0, incomplete: 0, skipped: 0, failed: 0 };
    counts[item.status] += 1;
    repos.set(repo, counts);
  }
  if (repos.size < 2) return;
  const attention = (c: Record<TagResult['status'], number>) => c.failed * 1e6 + (c.stale + c.incomplete) * 1e3;
  const rows = [...repos.entries()].sort((a, b) => attention(b[1]) - attention(a[1]) || a[0].localeCompare(b[0]));
  const shown = rows.slice(0, ROLLUP_AT_MOST);
  lines.push(
    `<details><summary>By repository (${repos.size})</summary>`,
    '',
    '| Repository | Migrated | Stale | Incomplete | Skipped | Failed |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [repo, c] of shown)
    lines.push(`| ${cell(repo)} | ${c.migrated} | ${c.stale} | ${c.incomplete} | ${c.skipped} | ${c.failed} |`);
  if (rows.length > shown.length)
    lines.push('', `… and ${rows.length - shown.length} more repositories in the JSON report.`);
  lines.push('', '</details>', '');
}

/** Skipped tags: counts per reason first (filters collapse to counts), then the folded list. */
function skippedSection(
  lines: string[],
  items: TagResult[],
  text: (s: string) => string,
  target: (i: TagResult) => string,
): void {
  if (items.length === 0) return;
  const reasons = new Map<string, number>();
  for (const item of items) reasons.set(item.reason ?? '', (reasons.get(item.reason ?? '') ?? 0) + 1);
  lines.push(`### Skipped (${items.length})`, '', '| Reason | Tags |', '| --- | --- |');
  for (const [reason, count] of [...reasons.entries()].sort((a, b) => b[1] - a[1]))
    lines.push(`| ${cell(text(reason))} | ${count} |`);
  lines.push('');
  table(
    lines,
    items,
    ['Source', 'Target', 'Reason'],
    (i) => [i.source, target(i), text(i.reason ?? '')],
    'fold',
    'Show all',
  );
}

function section(
  lines: string[],
  title: string,
  items: TagResult[],
  headers: string[],
  row: (item: TagResult) => string[],
  mode: 'all' | 'fold',
): void {
  if (items.length === 0) return;
  lines.push(`### ${title} (${items.length})`, '');
  table(lines, items, headers, row, mode, 'Show all');
}

function table(
  lines: string[],
  items: TagResult[],
  headers: string[],
  row: (item: TagResult) => string[],
  mode: 'all' | 'fold',
  label: string,
): void {
  const shown = mode === 'fold' ? items.slice(0, LIST_AT_MOST) : items;
  const body = [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...shown.map((i) => `| ${row(i).map(cell).join(' | ')} |`),
  ];
  if (shown.length < items.length) body.push('', `… and ${items.length - shown.length} more in the JSON report.`);
  if (items.length > FOLD_AFTER && mode === 'fold')
    lines.push(`<details><summary>${label}</summary>`, '', ...body, '', '</details>', '');
  else lines.push(...body, '');
}

function migratedNote(item: TagResult): string {
  const notes: string[] = [];
  if (item.repaired) {
    const r = item.repaired;
    notes.push(
      `repaired: ${r.blobs} blob(s)${r.manifests ? ` and ${r.manifests} manifest(s)` : ''} (${formatBytes(r.bytes)}) from upstream ${r.from}`,
    );
  }
  if (item.previousDigest) notes.push(`tag re-pointed from ${short(item.previousDigest)} (old artifact kept)`);
  if (item.sourceDigest && item.sourceDigest !== item.digest)
    notes.push(`new digest: platforms filtered from the source index ${short(item.sourceDigest)}`);
  if (item.platforms?.length) notes.push(item.platforms.join(', '));
  if (item.blobs) {
    const b = item.blobs;
    notes.push(`${b.uploaded} uploaded, ${b.mounted} mounted, ${b.existing} already there`);
  }
  if (item.retries) notes.push(`${item.retries} ${item.retries === 1 ? 'retry' : 'retries'}`);
  if (item.reason) notes.push(item.reason);
  return notes.join('; ');
}

function short(digest: string | undefined): string {
  return digest ? `\`${digest.slice(0, 19)}\`` : '';
}

/** Keeps a value inside its table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
