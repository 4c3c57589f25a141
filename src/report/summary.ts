// The Markdown job summary: a totals line, then one table per class. A pure function of the
// result, so it is tested as text; action.ts hands it to core.summary, the CLI prints it.
import type { SyncResult, TagResult } from '../sync/types.js';
import { computeTotals, formatBytes, itemsByStatus } from './totals.js';

const FOLD_AFTER = 20; // longer tables go into a <details> block so the summary stays readable

export function renderSummary(result: SyncResult): string {
  const totals = computeTotals(result);
  const groups = itemsByStatus(result);
  const dry = result.dryRun;
  const lines: string[] = [`## harbor-sync${dry ? ' (dry run: nothing was written)' : ''}`, ''];
  lines.push(`\`${result.source}\` → Harbor \`${result.harbor}\`${result.harborVersion ? ` (${result.harborVersion})` : ''}`, '');
  if (result.fatal) {
    const f = result.fatal;
    lines.push(`> [!CAUTION]`, `> **The run stopped before copying:** ${cell(f.message)}${f.hint ? `<br>${cell(f.hint)}` : ''}`, '');
  }
  lines.push(
    [
      `**${totals.migrated} ${dry ? 'to migrate' : 'migrated'}**${totals.migrated ? ` (${formatBytes(dry ? totals.bytesMigrated : totals.bytesUploaded)}${dry ? '' : ' uploaded'})` : ''}`,
      `**${totals.stale} stale**`,
      `**${totals.incomplete} incomplete**`,
      `**${totals.skipped} skipped**`,
      `**${totals.failed} failed**`,
    ].join(' · ') + ` — ${totals.tags} tags in ${totals.seconds.toFixed(1)} s`,
    '',
  );
  if (result.interrupted) {
    lines.push(
      '> [!WARNING]',
      `> **Interrupted.** ${result.notStarted.length} tag(s) or repositories were not started; tags in flight finished or were abandoned whole. Harbor holds no partial tag: run the same sync again to complete the remainder.`,
      '',
    );
  }
  if (result.projectsCreated.length > 0) lines.push(`Projects created: ${result.projectsCreated.map((p) => `\`${p}\``).join(', ')}`, '');

  section(lines, dry ? 'To migrate' : 'Migrated', groups.migrated, ['Source', 'Target', 'Digest', 'Size', 'Note'], (i) => [
    i.source,
    i.target,
    short(i.digest),
    i.size !== undefined ? formatBytes(i.size) : '',
    migratedNote(i),
  ]);
  section(lines, 'Stale', groups.stale, ['Source', 'Target', 'Digest', 'Reason'], (i) => [i.source, i.target, short(i.digest), i.reason ?? '']);
  section(lines, 'Incomplete', groups.incomplete, ['Source', 'Target', 'Digest', 'Missing blobs'], (i) => [
    i.source,
    i.target,
    short(i.digest),
    (i.missing ?? []).map((d) => `\`${d}\``).join('<br>'),
  ]);
  section(lines, 'Skipped', groups.skipped, ['Source', 'Target', 'Reason'], (i) => [i.source, i.target, i.reason ?? '']);
  section(lines, 'Failed', groups.failed, ['Source', 'Target', 'Step', 'Status', 'Code', 'Message'], (i) => [
    i.source,
    i.target,
    i.error?.step ?? '',
    i.error?.status !== undefined ? String(i.error.status) : '',
    i.error?.code ?? '',
    `${i.error?.message ?? ''}${i.error?.hint ? `<br>→ ${i.error.hint}` : ''}${i.retries ? ` (after ${i.retries} ${i.retries === 1 ? 'retry' : 'retries'})` : ''}`,
  ]);
  return lines.join('\n').trimEnd() + '\n';
}

function section(lines: string[], title: string, items: TagResult[], headers: string[], row: (item: TagResult) => string[]): void {
  if (items.length === 0) return;
  const table = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...items.map((i) => `| ${row(i).map(cell).join(' | ')} |`)];
  lines.push(`### ${title} (${items.length})`, '');
  if (items.length > FOLD_AFTER) lines.push('<details><summary>Show all</summary>', '', ...table, '', '</details>', '');
  else lines.push(...table, '');
}

function migratedNote(item: TagResult): string {
  const notes: string[] = [];
  if (item.previousDigest) notes.push(`tag re-pointed from ${short(item.previousDigest)} (old artifact kept)`);
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
