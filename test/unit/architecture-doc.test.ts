// docs/architecture.md is where a newcomer learns where each thing lives: it must name every folder
// of src/ and every file at its top, and the README must send readers there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => [`${dir}/${e.name}`, ...folders(`${dir}/${e.name}`)]);
}

describe('docs/architecture.md', () => {
  it('names every folder of src/', () => {
    const all = folders('src');
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((folder) => !doc.includes(`\`${folder}/\``))).toEqual([]);
  });

  it('names every file at the top of src/', () => {
    const top = readdirSync(join(ROOT, 'src')).filter((f) => f.endsWith('.ts'));
    expect(top.filter((file) => !doc.includes(`\`${file}\``) && !doc.includes(`\`src/${file}\``))).toEqual([]);
  });

  it('is where the README sends a reader for the layout', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('[docs/architecture.md](docs/architecture.md)');
  });
});
