// Broken tags (verify: blobs): Harbor listed them with the source's digest but could not serve all
// of them. Grouped by what was missing, since one lost digest is usually many tags' (a base layer a
// garbage collection removed): each missing digest once, its kind and size, and the tags that
// needed it; then what to do, once, and the full digests.
import { type ClassRow, classLabel } from '../model/class-rules.js';
import type { HarborMissing, TagResult } from '../model/result.js';
import { type Block, code, type Inline, heading, lines, paragraph, strong, table } from './doc.js';
import { type Context, foldedList } from './fold.js';
import { nameCell, nameHeader } from './name-cells.js';
import { byText } from './order.js';
import { bytes, num, plural, shortDigest } from './words.js';

/** A digest Harbor lacked, and the tags that needed it. */
interface Gap {
  missing: HarborMissing;
  tags: TagResult[];
}

/** Digests given a fold of their own; the rest are counted, and all are in the JSON report. */
const MAX_GROUPS = 20;

export function brokenSection(c: ClassRow, items: readonly TagResult[], ctx: Context): Block[] {
  if (items.length === 0) return [];
  const gaps = groupByMissing(items);
  const blocks: Block[] = [
    heading(3, `${classLabel(c, ctx.dryRun)}: ${plural(items.length, 'tag')}`),
    ...(c.meaning ? [paragraph(c.meaning)] : []),
    paragraph(...whatToDo(ctx.dryRun)),
    ...foldedList(
      gaps,
      ctx.level.act,
      ['digest missing in Harbor', 'digests missing in Harbor'],
      (shown) => [
        table(
          [
            { header: 'Missing in Harbor' },
            { header: 'Kind' },
            { header: 'Size', align: 'right' },
            { header: 'Tags', align: 'right' },
          ],
          shown.map(({ missing, tags }) => [
            [code(shortDigest(missing.digest))],
            [missing.kind],
            missing.size !== undefined ? [bytes(missing.size)] : [],
            [num(tags.length)],
          ]),
        ),
      ],
      ctx,
    ),
  ];
  for (const { missing, tags } of gaps.slice(0, MAX_GROUPS))
    blocks.push(
      ...foldedList(
        tags,
        ctx.level.act,
        ['tag', 'tags'],
        (rows) => [
          table(
            [{ header: nameHeader(tags) }],
            rows.map((i) => [nameCell(i, i.reason ? [i.reason] : [])]),
          ),
        ],
        ctx,
        { fold: 'always', title: `${missing.kind} ${shortDigest(missing.digest)}${sizeWords(missing)}` },
      ),
    );
  if (gaps.length > MAX_GROUPS) {
    const rest = new Set(gaps.slice(MAX_GROUPS).flatMap((g) => g.tags)).size;
    blocks.push(
      paragraph(
        `… and ${plural(gaps.length - MAX_GROUPS, 'more missing digest')} (${plural(rest, 'tag')}): each broken tag's `,
        code('harborMissing'),
        ' is in the JSON report.',
      ),
    );
  }
  blocks.push(
    ...foldedList(
      gaps,
      ctx.level.list,
      ['missing digest, full', 'missing digests, full'],
      (shown) => [lines(shown.map((g) => `${g.missing.digest}  (${g.missing.kind}, ${plural(g.tags.length, 'tag')})`))],
      ctx,
      { fold: 'always' },
    ),
  );
  return blocks;
}

/** Each missing digest once, with every tag that lacked it: those most tags need first. */
function groupByMissing(items: readonly TagResult[]): Gap[] {
  const byDigest = new Map<string, Gap>();
  for (const item of items)
    for (const missing of item.harborMissing ?? []) {
      const gap = byDigest.get(missing.digest) ?? { missing, tags: [] };
      gap.tags.push(item);
      byDigest.set(missing.digest, gap);
    }
  return [...byDigest.values()].sort(
    (a, b) => b.tags.length - a.tags.length || byText(a.missing.digest, b.missing.digest),
  );
}

function sizeWords(missing: HarborMissing): string {
  return missing.size !== undefined ? ` (${bytes(missing.size)})` : '';
}

function whatToDo(dryRun: boolean): Inline[] {
  return dryRun
    ? [
        strong('What to do:'),
        ' run the same sync without dry-run, with ',
        code('verify: blobs'),
        ': it pushes what Harbor lacks again from the source (mounted where another Harbor repository still has it), digest-checked, and changes nothing else. Then find out why Harbor lost it (a garbage collection, a restore from an old backup) before the source is retired.',
      ]
    : [
        strong('What to do:'),
        ' nothing for these tags: what Harbor lacked was pushed again and checked, and they pull whole again. Find out why Harbor lost it (a garbage collection, a restore from an old backup) before the source is retired.',
      ];
}
