// The README's inputs table is generated from action.yml (scripts/generate-docs.ts): it must be
// exactly what `npm run docs` would write, so a new or changed input cannot leave it stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  END_MARKER,
  START_MARKER,
  extractInputsBlock,
  renderInputsTable,
  replaceInputsBlock,
} from '../../scripts/generate-docs.ts';
import { INPUTS } from '../../src/config/input-list.ts';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const actionYml = readFileSync(new URL('action.yml', root), 'utf8');

describe('README inputs table', () => {
  it('is what `npm run docs` generates from action.yml (run it and commit README.md if this fails)', () => {
    expect(extractInputsBlock(readme), `README.md has no ${START_MARKER} … ${END_MARKER} block`).toBeDefined();
    expect(extractInputsBlock(readme)).toBe(renderInputsTable(actionYml));
    expect(replaceInputsBlock(readme, renderInputsTable(actionYml))).toBe(readme);
  });

  it('has one row per action input, plus the CLI-only inputs marked as such', () => {
    const table = renderInputsTable(actionYml);
    const names = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    const actionInputs = Object.keys((parse(actionYml) as { inputs: Record<string, unknown> }).inputs);
    const cliOnly = INPUTS.filter((i) => i.cliOnly && !actionInputs.includes(i.name)).map((i) => i.name);
    expect(names).toEqual([...actionInputs, ...cliOnly]);
    for (const name of cliOnly) expect(table).toMatch(new RegExp(`^\\| \`${name}\` \\|.*\\| CLI only`, 'm'));
  });

  it('shows defaults and required inputs, and escapes what would break a table row', () => {
    const table = renderInputsTable(
      'inputs:\n  a:\n    description: "x | y <b> `<c>`"\n    required: true\n  b:\n    description: |\n      two\n      lines\n    default: 4\n',
      [],
    );
    expect(table.split('\n').slice(3)).toEqual([
      '| `a` | required | x \\| y &lt;b> `<c>` |',
      '| `b` | `4` | two lines |',
    ]);
  });

  it('refuses a README without the markers instead of appending somewhere', () => {
    expect(() => replaceInputsBlock('# no markers\n', 'table')).toThrow(/inputs:start/);
  });
});
