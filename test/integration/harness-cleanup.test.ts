// The suite cleans up after itself: every test file works in a temporary root of its own, removed
// when the file ends, passed or failed; a stopped registry takes its own directory with it; and
// the Actions debug commands library code prints in-process stay out of the test output.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startRegistry } from '../harness/registry.ts';
import { runProgram } from '../harness/run-bundle.ts';
import { systemTempDir } from '../harness/temp-root.ts';

const PROJECT = resolve(import.meta.dirname, '../..');

describe('temporary directories', () => {
  it('a test file works in a temporary root of its own, under the system temporary directory', () => {
    expect(dirname(tmpdir())).toBe(systemTempDir());
    expect(tmpdir()).toMatch(/\/hs-test-[^/]+$/);
  });

  it("stop() removes the registry's own directory; the storage it made stays for a next registry", async () => {
    const registry = await startRegistry();
    expect(existsSync(join(registry.workDir, 'config.yml'))).toBe(true);
    expect(registry.storageDir.startsWith(`${tmpdir()}/`)).toBe(true);
    await registry.stop();
    expect(existsSync(registry.workDir)).toBe(false);
    expect(existsSync(registry.storageDir)).toBe(true);
    const again = await startRegistry({ storageDir: registry.storageDir });
    await again.stop();
    expect(existsSync(again.workDir)).toBe(false);
  });

  it('a script that uses the harness outside the tests (the bench) leaves no directory behind', async () => {
    const script = join(tmpdir(), 'harness-user.ts');
    await writeFile(
      script,
      [
        `import { startRegistry } from ${JSON.stringify(join(PROJECT, 'test/harness/registry.ts'))};`,
        'const registry = await startRegistry();',
        'console.log(JSON.stringify({ work: registry.workDir, storage: registry.storageDir }));',
        'await registry.stop();',
        '',
      ].join('\n'),
    );
    const run = await runProgram(process.execPath, [script]);
    expect(run.code, run.stderr).toBe(0);
    const seen = JSON.parse(run.stdout) as Record<'work' | 'storage', string>;
    expect(seen.storage).toMatch(/hs-registry-storage-/);
    for (const dir of Object.values(seen)) expect(existsSync(dir), dir).toBe(false);
  });

  it("a test file's root and everything in it is removed when the file ends, also when its test failed; no ::debug:: lines", async () => {
    const probe = join(tmpdir(), 'probe.json');
    const config = join(tmpdir(), 'vitest.probe.config.mjs');
    await writeFile(
      config,
      `export default { test: { root: ${JSON.stringify(PROJECT)}, include: ['test/harness/fixtures/temp-root/*.check.ts'], setupFiles: ['test/harness/setup.ts'], reporters: ['dot'], testTimeout: 30000 } };\n`,
    );
    const run = await runProgram(
      process.execPath,
      [join(PROJECT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, '--root', PROJECT],
      { cwd: PROJECT, env: { ...process.env, HS_PROBE_FILE: probe } },
    );
    expect(run.output).toContain('leaves directories behind, then fails');
    expect(run.code).toBe(1);
    expect(run.output).toContain('probe stdout line');
    expect(run.output).not.toContain('::debug::');
    const seen = JSON.parse(await readFile(probe, 'utf8')) as Record<'root' | 'own' | 'work' | 'storage', string>;
    expect(dirname(seen.root)).toBe(systemTempDir());
    for (const dir of [seen.own, seen.work, seen.storage]) expect(dir.startsWith(`${seen.root}/`)).toBe(true);
    for (const dir of Object.values(seen)) expect(existsSync(dir), dir).toBe(false);
  });
});
