// The summary's tables below the verdict: stale and incomplete tags (what to do said once),
// migrated and skipped tags, the roll-up by repository, retained tags, tags not started. Narrow
// enough for the Actions page: short digests, the Harbor name only where it differs, numbers
// right-aligned, no free text where a count will do.
import {
  BY_ATTENTION,
  type ClassRow,
  classLabel,
  FAILED_BY_DEFAULT,
  isStatus,
  NEED_ACTION,
  type StatusRow,
} from '../model/class-rules.js';
import type { RetainedItem, TagResult, TagStatus } from '../model/result.js';
import { repositoryOf } from './failure-causes.js';
import { type Block, code, type Inline, heading, lines, paragraph, strong, table } from './doc.js';
import { type Context, foldedList } from './fold.js';
import { nameCell, nameHeader } from './name-cells.js';
import { byText } from './order.js';
import { bytes, num, plural, shortDigest } from './words.js';

/** What to do about stale and incomplete tags: repair them from the upstream registry, or else. */
export function missingWhatToDo(upstream: boolean): Inline[] {
  return upstream
    ? [
        strong('What to do:'),
        ' ',
        code('upstream-registry'),
        ' was set, and it lacks these blobs too: push the images to the source again from a copy that has them, or accept that the source has lost them.',
      ]
    : [
        strong('What to do:'),
        ' set ',
        code('upstream-registry'),
        ' to the registry the cache mirrored (e.g. ',
        code('https://registry-1.docker.io'),
        ') and run again: the missing blobs are fetched from there, digest-checked, and the tags copied unchanged. Or pull the tags through the cache once so it fetches the layers, or accept that the source has lost them.',
      ];
}

/** Stale or incomplete tags (a class listing `missing` digests): what happened and what to do,
 * once, then the tags. What to do is said with the first such class; the next ones point to it. */
export function missingSection(
  c: ClassRow,
  items: readonly TagResult[],
  ctx: Context,
  options: { upstream: boolean; saidWith: ClassRow | undefined },
): Block[] {
  if (items.length === 0) return [];
  // Every blob missing (stale): the first missing one says nothing more.
  const firstMissing = c.name !== 'stale';
  const blocks = [
    heading(3, `${classLabel(c, ctx.dryRun)}: ${plural(items.length, 'tag')}`),
    ...(c.meaning ? [paragraph(c.meaning)] : []),
    options.saidWith
      ? paragraph(strong('What to do:'), ` as for the ${options.saidWith.word} tags above.`)
      : paragraph(...missingWhatToDo(options.upstream)),
  ];
  blocks.push(
    ...foldedList(
      items,
      ctx.level.act,
      ['tag', 'tags'],
      (shown) => [
        table(
          [
            { header: nameHeader(items) },
            { header: 'Digest' },
            { header: 'Missing blobs', align: 'right' as const },
            ...(firstMissing ? [{ header: 'First missing' }] : []),
          ],
          shown.map((i) => [
            nameCell(i),
            digestCell(i.digest),
            [num(i.missing?.length ?? 0)],
            ...(firstMissing ? [digestCell(i.missing?.[0])] : []),
          ]),
        ),
      ],
      ctx,
    ),
  );
  // The full digests, for whoever re-pulls or restores them: each once, with how many tags need it.
  const wanted = new Map<string, number>();
  for (const item of items) for (const d of item.missing ?? []) wanted.set(d, (wanted.get(d) ?? 0) + 1);
  const digests = [...wanted.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
  blocks.push(
    ...foldedList(
      digests,
      ctx.level.list,
      ['missing blob, full digest', 'missing blobs, full digests'],
      (shown) => [lines(shown.map(([d, n]) => (n > 1 ? `${d}  (${n} tags)` : d)))],
      ctx,
      { fold: 'always' },
    ),
  );
  return blocks;
}

/** A short digest as code, or an empty cell. */
function digestCell(digest: string | undefined): Inline[] {
  return digest ? [code(shortDigest(digest))] : [];
}

/** Copied tags (migrated): the digest, the size and how each got there. */
export function migratedSection(c: ClassRow, items: readonly TagResult[], ctx: Context): Block[] {
  if (items.length === 0) return [];
  return [
    heading(3, `${classLabel(c, ctx.dryRun)}: ${plural(items.length, 'tag')}`),
    ...(c.meaning ? [paragraph(c.meaning)] : []),
    ...foldedList(
      items,
      ctx.level.list,
      ['tag', 'tags'],
      (shown) => [
        table(
          [{ header: nameHeader(items) }, { header: 'Digest' }, { header: 'Size', align: 'right' }],
          shown.map((i) => [
            nameCell(i, migratedNote(i)),
            digestCell(i.digest),
            i.size !== undefined ? [bytes(i.size)] : [],
          ]),
        ),
      ],
      ctx,
    ),
  ];
}

function migratedNote(item: TagResult): Inline[] {
  const notes: Inline[][] = [];
  if (item.repaired) {
    const r = item.repaired;
    notes.push([
      `repaired from the upstream: ${plural(r.blobs, 'blob')}${r.manifests ? `, ${plural(r.manifests, 'manifest')}` : ''} (${bytes(r.bytes)})`,
    ]);
  }
  if (item.previousDigest)
    notes.push(['re-pointed from ', code(shortDigest(item.previousDigest)), ' (the old artifact stays in Harbor)']);
  if (item.sourceDigest && item.sourceDigest !== item.digest)
    notes.push(["new index of the selected platforms; the source's is ", code(shortDigest(item.sourceDigest))]);
  if (item.platforms?.length) notes.push([item.platforms.join(', ')]);
  if (item.retries) notes.push([plural(item.retries, 'retry', 'retries')]);
  // In a dry run, what would happen ("would upload up to 1.2 MB and create project team-a").
  if (item.reason) notes.push([item.reason]);
  return notes.flatMap((note, i) => (i === 0 ? note : ['; ', ...note]));
}

/** Skipped tags: a fold per reason, the most common first, saying how many. */
export function skippedSection(c: ClassRow, items: readonly TagResult[], ctx: Context): Block[] {
  if (items.length === 0) return [];
  const byReason = new Map<string, TagResult[]>();
  for (const item of items) {
    const list = byReason.get(item.reason ?? '') ?? [];
    list.push(item);
    byReason.set(item.reason ?? '', list);
  }
  const reasons = [...byReason.entries()].sort((a, b) => b[1].length - a[1].length || byText(a[0], b[0]));
  const shown = reasons.slice(0, MAX_REASONS);
  const blocks = [
    heading(3, `${classLabel(c, ctx.dryRun)}: ${plural(items.length, 'tag')}`),
    ...(c.meaning ? [paragraph(c.meaning)] : []),
  ];
  for (const [reason, tags] of shown)
    blocks.push(
      ...foldedList(
        tags,
        ctx.level.list,
        ['tag', 'tags'],
        (rows) => [
          table(
            [{ header: nameHeader(tags) }],
            rows.map((i) => [nameCell(i)]),
          ),
        ],
        ctx,
        { fold: 'always', title: reason.replace(/\s+/g, ' ') || '(no reason given)' },
      ),
    );
  if (shown.length < reasons.length) {
    const rest = reasons.slice(shown.length).reduce((n, [, tags]) => n + tags.length, 0);
    blocks.push(
      paragraph(
        `… and ${plural(reasons.length - shown.length, 'more reason')} (${plural(rest, 'tag')}): each skipped tag's reason is in the JSON report.`,
      ),
    );
  }
  return blocks;
}

/** The by-repository columns: the tag classes, what needs attention first. */
const COLUMNS = BY_ATTENTION.filter(isStatus);

/** Reasons for skipping are few (already there, each filter rule); more are cut. */
const MAX_REASONS = 20;

/** One row per repository, the ones that need attention first (failed tags, then those that need
 * action); a column per tag class in that order, those that are all zero left out. */
export function byRepository(items: readonly TagResult[], ctx: Context): Block[] {
  const repos = new Map<string, Partial<Record<TagStatus, number>>>();
  for (const item of items) {
    const repo = repositoryOf(item.source);
    const counts = repos.get(repo) ?? {};
    counts[item.status] = (counts[item.status] ?? 0) + 1;
    repos.set(repo, counts);
  }
  if (repos.size < 2) return [];
  const count = (counts: Partial<Record<TagStatus, number>>, classes: readonly StatusRow[]) =>
    classes.reduce((n, c) => n + (counts[c.name] ?? 0), 0);
  const attention = (c: Partial<Record<TagStatus, number>>) =>
    count(c, FAILED_BY_DEFAULT) * 1e6 + count(c, NEED_ACTION) * 1e3;
  const rows = [...repos.entries()].sort((a, b) => attention(b[1]) - attention(a[1]) || byText(a[0], b[0]));
  const columns = COLUMNS.filter((c) => rows.some(([, counts]) => (counts[c.name] ?? 0) > 0));
  return foldedList(
    rows,
    ctx.level.repositories,
    ['repository', 'repositories'],
    (shown) => [
      table(
        [
          { header: 'Repository' },
          ...columns.map((c) => ({ header: classLabel(c, ctx.dryRun), align: 'right' as const })),
        ],
        shown.map(([repo, counts]) => [[repo], ...columns.map((c) => (counts[c.name] ? [num(counts[c.name]!)] : []))]),
      ),
    ],
    ctx,
    { fold: 'always', title: 'By repository' },
  );
}

/** What only Harbor has now: said once why it matters, counts per repository, the first items. */
export function retainedSection(retained: readonly RetainedItem[], ctx: Context): Block[] {
  if (retained.length === 0) return [];
  const tags = retained.filter((r) => r.kind === 'tag');
  const perRepository = new Map<string, number>();
  for (const t of tags) perRepository.set(repositoryOf(t.target), (perRepository.get(repositoryOf(t.target)) ?? 0) + 1);
  const counts = [...perRepository.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
  const sorted = [...retained].sort((a, b) => byText(a.target, b.target));
  return [
    heading(3, `Retained: ${retainedWords(retained)} only Harbor has now`),
    paragraph(
      'The source no longer lists these; Harbor keeps them, and harbor-sync never deletes anything. Nothing to do about them — but ',
      strong('only Harbor has these now'),
      ': keep that in mind before deleting the old registry or its backups.',
    ),
    ...foldedList(
      counts,
      ctx.level.list,
      ['repository with retained tags', 'repositories with retained tags'],
      (shown) => [
        table(
          [{ header: 'Repository' }, { header: 'Retained tags', align: 'right' }],
          shown.map(([repo, n]) => [[repo], [num(n)]]),
        ),
      ],
      ctx,
      { fold: 'always' },
    ),
    ...foldedList(
      sorted,
      ctx.level.list,
      ['retained item', 'retained items'],
      (shown) => [
        table(
          [{ header: 'In Harbor' }, { header: 'Digest' }, { header: 'Pushed' }],
          shown.map((r) => [
            r.kind === 'repository'
              ? [
                  r.target,
                  ` (whole repository${r.artifacts !== undefined ? `, ${plural(r.artifacts, 'artifact')}` : ''})`,
                ]
              : [r.target],
            digestCell(r.digest),
            r.pushedAt ? [r.pushedAt.slice(0, 10)] : [],
          ]),
        ),
      ],
      ctx,
      { fold: 'always' },
    ),
  ];
}

/** "60 tags and 1 repository". */
export function retainedWords(retained: readonly RetainedItem[]): string {
  const tags = retained.filter((r) => r.kind === 'tag').length;
  const repositories = retained.length - tags;
  return [tags && plural(tags, 'tag'), repositories && plural(repositories, 'repository', 'repositories')]
    .filter(Boolean)
    .join(' and ');
}

/** Interrupted: what a re-run will still do. */
export function notStartedSection(notStarted: readonly string[], ctx: Context): Block[] {
  const sorted = [...notStarted].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return foldedList(
    sorted,
    ctx.level.list,
    ['tag or repository', 'tags and repositories'],
    (shown) => [lines([...shown])],
    ctx,
    { fold: 'always', title: 'Not started' },
  );
}
