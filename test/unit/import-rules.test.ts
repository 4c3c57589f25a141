// The layering, checked: imports point down (configuration → sync → sources → registry/harbor;
// report renders the result model and nobody below it imports report; the model is pure data
// below them all), only the entry adapters touch @actions/*, and no module imports itself back
// through others.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [relative(SRC, path)] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

/** Every module a file imports: `src/…` paths for our own, package names for the rest. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    if (!spec.startsWith('.')) return spec;
    return normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
  });
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const folder = (path: string): string => (path.includes('/') ? path.split('/')[0]! : path);

/** Which folders (or top-level files) each layer may import from, besides itself. */
const MAY_IMPORT: Record<string, string[]> = {
  errors: ['redact'],
  redact: [],
  // Pure data; the registry's types only (Credentials, TlsOptions, …): checked below.
  model: ['errors', 'registry'],
  registry: ['errors', 'redact', 'units.ts'],
  harbor: ['errors', 'redact', 'registry'],
  // Moves blobs and manifests between registries: below the engine, above the protocol.
  transfer: ['errors', 'redact', 'registry'],
  // The kinds of source, by URL scheme (src/sources/source-kinds.ts): below the engine and the config.
  sources: ['errors', 'redact', 'model', 'registry', 'harbor'],
  sync: ['errors', 'redact', 'model', 'registry', 'harbor', 'transfer', 'sources', 'version.ts', 'units.ts'],
  report: ['errors', 'redact', 'model', 'units.ts'],
  config: ['errors', 'redact', 'model', 'registry', 'harbor', 'sources'],
};

/** `import type`/`export type` statements of a file: what they import, resolved like importsOf. */
function typeOnlyImportsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+type\s[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) =>
    normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'),
  );
}

describe('import rules', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get('sync/engine.ts')).toContain('sync/runner.ts');
  });

  it('each layer imports only from the layers below it', () => {
    const problems: string[] = [];
    for (const [file, imports] of graph) {
      const allowed = MAY_IMPORT[folder(file)];
      if (!allowed) continue; // entry adapters and the run path sit on top
      for (const target of imports.filter((i) => files.includes(i))) {
        const to = folder(target);
        if (to !== folder(file) && !allowed.includes(to)) problems.push(`${file} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the configuration imports nothing from the engine', () => {
    const fromSync = [...graph]
      .filter(([file]) => folder(file) === 'config')
      .flatMap(([file, imports]) => imports.filter((i) => folder(i) === 'sync').map((i) => `${file} imports ${i}`));
    expect(fromSync).toEqual([]);
  });

  it('the model takes only types from the registry (import type), no code', () => {
    const problems: string[] = [];
    for (const [file, imports] of graph) {
      if (folder(file) !== 'model') continue;
      const typeOnly = typeOnlyImportsOf(file);
      for (const target of imports.filter((i) => folder(i) === 'registry'))
        if (!typeOnly.includes(target)) problems.push(`${file} imports ${target} (not as import type)`);
    }
    expect(problems).toEqual([]);
  });

  it('only the entry adapters import @actions/*', () => {
    const problems: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports.filter((i) => i.startsWith('@actions/'))) {
        if (file !== 'action.ts') problems.push(`${file} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives no two files of src/ the same name (a name says which file, wherever it is quoted)', () => {
    const byName = new Map<string, string[]>();
    for (const file of files) {
      const name = file.split('/').pop()!;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    expect([...byName.values()].filter((paths) => paths.length > 1)).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
