// `npm run demo` prints the command it runs, for a user to paste into a shell. That shell's `node`
// is the machine's, which may be older than the CLI accepts (Node 20 on this project's machines):
// the printed command must run the project's own Node.js 24 (the `node` devDependency), from the
// project root, with none of `npm run`'s PATH.
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../harness/run-bundle.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT_NODE = realpathSync(join(ROOT, 'node_modules/node/bin/node'));

/** A user's PATH: this one without what npm run and npx put in front (node_modules/…/bin). */
const USER_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(delimiter);

const sh = (script: string, env: Record<string, string>) =>
  runProgram('sh', ['-c', script], { cwd: ROOT, env, timeout: 120_000 });

describe('npm run demo', () => {
  it('prints a command that runs the CLI on the project’s Node.js 24 from a plain shell', {
    timeout: 180_000,
  }, async () => {
    // The demo as `npm run demo` runs it: on the project's Node.
    const demo = await sh(`"${PROJECT_NODE}" scripts/demo.ts`, {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      TMPDIR: tmpdir(), // this file's temporary root, removed when it ends
    });
    expect(demo.code, demo.stderr).toBe(0);
    const printed = /^\$ (.+ dist\/cli\.js) sync /m.exec(demo.stdout);
    expect(printed, `no "$ … dist/cli.js sync …" line in:\n${demo.stdout.slice(0, 2000)}`).not.toBeNull();
    const runner = printed![1]!.replace(/ dist\/cli\.js$/, '');

    const env = { PATH: USER_PATH, HOME: process.env.HOME ?? ROOT };
    const which = await sh(`${runner} -p process.execPath`, env);
    expect(which.code, which.stderr).toBe(0);
    expect(realpathSync(which.stdout.trim())).toBe(PROJECT_NODE);
    const version = await sh(`${printed![1]} --version`, env);
    expect(version.stderr).not.toMatch(/needs Node\.js/);
    expect(version.stdout).toMatch(/^harbor-sync \d+\.\d+\.\d+\n$/);
  });
});
