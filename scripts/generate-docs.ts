// `npm run docs`: regenerates the README's inputs table from action.yml (name, default,
// description), adding the CLI-only inputs of src/config/input-list.ts and the environment variables the
// CLI reads. The table lives between `<!-- inputs:start -->` and `<!-- inputs:end -->`.
//
//   node scripts/generate-docs.ts           rewrite README.md
//   node scripts/generate-docs.ts --check   exit 1 when README.md is stale (CI)
//
// The rendering is pure and exported, so test/unit/readme-inputs.test.ts compares the README with
// exactly what this script would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { INPUTS, type InputInfo } from '../src/config/input-list.ts';

export const START_MARKER = '<!-- inputs:start -->';
export const END_MARKER = '<!-- inputs:end -->';

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
}

/** The Markdown table for the inputs of action.yml (its text), CLI-only inputs last. */
export function renderInputsTable(actionYml: string, inputs: readonly InputInfo[] = INPUTS): string {
  const action = parse(actionYml) as { inputs?: Record<string, ActionInput | null> };
  const declared = Object.entries(action.inputs ?? {});
  const info = new Map(inputs.map((i) => [i.name, i]));
  const rows = declared.map(([name, spec]) => {
    const description = oneLine(spec?.description ?? info.get(name)?.description ?? '');
    return row(name, defaultCell(spec), withEnv(description, info.get(name)));
  });
  for (const input of inputs) {
    if (!input.cliOnly || declared.some(([name]) => name === input.name)) continue;
    const description = oneLine(input.description).replace(/\s*\(CLI\)$/, '');
    const meaning = `CLI only (not an action input): ${description.charAt(0).toLowerCase()}${description.slice(1)}.`;
    rows.push(row(input.name, input.default === undefined ? '' : code(input.default), withEnv(meaning, input)));
  }
  return [
    '<!-- generated from action.yml by `npm run docs`: edit action.yml (or src/config/input-list.ts), not this table -->',
    '| input | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function replaceInputsBlock(readme: string, table: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < 0 || end < start) {
    throw new Error(
      `README.md needs the markers ${START_MARKER} and ${END_MARKER}, in that order, around the inputs table`,
    );
  }
  return `${readme.slice(0, start + START_MARKER.length)}\n${table}\n${readme.slice(end)}`;
}

/** The text between the markers, without the newlines next to them; undefined without markers. */
export function extractInputsBlock(readme: string): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return undefined;
  return readme
    .slice(start + START_MARKER.length, end)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

function row(name: string, defaultText: string, meaning: string): string {
  return `| ${code(name)} |${defaultText ? ` ${defaultText} ` : ' '}| ${meaning} |`;
}

function defaultCell(spec: ActionInput | null | undefined): string {
  if (spec?.default !== undefined && spec.default !== '') return code(String(spec.default));
  return spec?.required ? 'required' : '';
}

function withEnv(description: string, input: InputInfo | undefined): string {
  if (!input?.env) return description;
  return `${description}${/[.!?]$/.test(description) ? '' : '.'} CLI: also from ${code(input.env)}.`;
}

function code(text: string): string {
  return `\`${text}\``;
}

/** One table cell: whitespace collapsed, `|` escaped, `<` escaped outside code spans. */
function oneLine(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return collapsed
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`');
}

function main(argv: string[]): number {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const readmePath = `${root}README.md`;
  const readme = readFileSync(readmePath, 'utf8');
  const table = renderInputsTable(readFileSync(`${root}action.yml`, 'utf8'));
  let updated: string;
  try {
    updated = replaceInputsBlock(readme, table);
  } catch (error) {
    process.stderr.write(`generate-docs: ${(error as Error).message}\n`);
    return 2;
  }
  if (argv.includes('--check')) {
    if (updated === readme) {
      process.stdout.write('README.md inputs table is up to date\n');
      return 0;
    }
    process.stderr.write('README.md inputs table is stale: run `npm run docs` and commit README.md\n');
    return 1;
  }
  if (updated !== readme) writeFileSync(readmePath, updated);
  process.stdout.write(
    updated === readme
      ? 'README.md inputs table already up to date\n'
      : 'README.md inputs table regenerated from action.yml\n',
  );
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
