// Tag names in tables: one cell holding the source name, the Harbor name under it only where it
// differs (a mapping, the default project for a single-level name), and a note under that. One
// column of free text per table: a second one (a Harbor name column, a note column) would make the
// browser squeeze both and break names at their hyphens.
import type { TagResult } from '../model/result.js';
import { cell } from './markdown.js';

type Named = Pick<TagResult, 'source' | 'target'>;

/** The header of the name column. */
export function nameHeader(items: readonly Named[]): string {
  return items.some(differs) ? 'Tag (→ in Harbor, where different)' : 'Tag';
}

/** The name cell; `note` is Markdown already. */
export function nameCell(item: Named, note = ''): string {
  return [cell(item.source), differs(item) ? `→ ${cell(item.target)}` : '', note].filter(Boolean).join('<br>');
}

function differs(item: Named): boolean {
  return item.target !== '' && item.target !== item.source;
}
