// Tag names in tables: one cell holding the source name, the Harbor name under it only where it
// differs (a mapping, the default project for a single-level name), and a note under that. One
// column of free text per table: a second one (a Harbor name column, a note column) would make the
// browser squeeze both and break names at their hyphens.
import type { TagResult } from '../model/result.js';
import { br, type Inline } from './doc.js';

type Named = Pick<TagResult, 'source' | 'target'>;

/** The header of the name column. */
export function nameHeader(items: readonly Named[]): string {
  return items.some(differs) ? 'Tag (→ in Harbor, where different)' : 'Tag';
}

/** The name cell: the source name, the Harbor name and the note each on a line of their own. */
export function nameCell(item: Named, note: Inline[] = []): Inline[] {
  return [item.source, ...(differs(item) ? [br, '→ ', item.target] : []), ...(note.length > 0 ? [br, ...note] : [])];
}

function differs(item: Named): boolean {
  return item.target !== '' && item.target !== item.source;
}
