// How the README says to get the CLI before its first release is on npm, and what the
// Jenkinsfiles run by default, done the way a Jenkins agent or a cron host would: in a checkout of
// this repository (its committed files, nothing built), with Node.js 24 first on the PATH (the
// agent's NodeJS tool), the machine's npm, offline and with an empty npm cache. Each command of
// the README's block runs as written, `sync …` swapped for `--version`.
import { existsSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../harness/run-bundle.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE24 = realpathSync(join(ROOT, 'node_modules/node/bin/node'));
const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const readme = await readFile(join(ROOT, 'README.md'), 'utf8');

/** The README's "what works today" commands, comments dropped. */
function todayCommands(): string[] {
  const from = readme.indexOf('What works today');
  expect(from, 'README.md: no "What works today" paragraph').toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  expect(block, 'README.md: no sh block after "What works today"').not.toBeNull();
  return block![1]!
    .split('\n')
    .map((line) => line.replace(/\s#.*$/, '').trim())
    .filter(Boolean);
}

let work: string;
let checkout: string;
let env: Record<string, string>;

const sh = (script: string, cwd: string, extra: Record<string, string> = {}) =>
  runProgram('sh', ['-c', script], { cwd, env: { ...env, ...extra }, timeout: 120_000 });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hs-today-'));
  checkout = join(work, 'harbor-sync');
  // What a checkout has that these commands read: the committed bundle and the package's files.
  await mkdir(checkout);
  for (const path of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist'])
    await cp(join(ROOT, path), join(checkout, path), { recursive: true });
  // An agent: its Node.js 24 first, then the system's directories (never this repository's node_modules).
  const system = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules'));
  env = {
    PATH: [dirname(NODE24), ...system].join(delimiter),
    HOME: join(work, 'home'),
    npm_config_cache: join(work, 'empty-cache'),
    npm_config_prefix: join(work, 'prefix'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    TMPDIR: tmpdir(),
  };
  await mkdir(env.HOME!);
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('before the first release: the README’s commands', () => {
  it('say npm does not have harbor-sync yet, and run from a checkout, offline', { timeout: 180_000 }, async () => {
    expect(readme).toMatch(/Until the first release is published, `harbor-sync` is not on npm/);
    const commands = todayCommands();
    expect(commands).toEqual([
      'node dist/cli.js sync …',
      'npm pack',
      `npm install -g ./harbor-sync-${version}.tgz`,
      `npx --yes ./harbor-sync-${version}.tgz sync …`,
    ]);
    for (const command of commands) {
      const run = await sh(command.replace(/ sync …$/, ' --version'), checkout);
      expect(run.code, `${command}\n${run.stderr}`).toBe(0);
      if (command.endsWith('sync …')) expect(run.stdout, command).toBe(`harbor-sync ${version}\n`);
      if (command === 'npm pack') expect(existsSync(join(checkout, `harbor-sync-${version}.tgz`))).toBe(true);
    }
    // "then: harbor-sync sync …": the installed bin, from anywhere.
    const installed = await sh('harbor-sync --version', work, {
      PATH: `${join(work, 'prefix/bin')}${delimiter}${env.PATH}`,
    });
    expect(installed.stdout).toBe(`harbor-sync ${version}\n`);
  });
});

describe('the Jenkinsfiles’ default $HARBOR_SYNC', () => {
  it.each(['examples/Jenkinsfile', 'examples/Jenkinsfile.sharded'])(
    '%s: runs from the workspace holding the checkout at harbor-sync/',
    async (file) => {
      const text = await readFile(join(ROOT, file), 'utf8');
      const harborSync = /^\s*HARBOR_SYNC = '([^']+)'/m.exec(text)?.[1];
      expect(harborSync, `${file}: HARBOR_SYNC = '…'`).toBeDefined();
      // As the sh steps run it: unquoted, so the shell splits the command from its argument.
      const run = await sh('$HARBOR_SYNC --version', work, { HARBOR_SYNC: harborSync! });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(`harbor-sync ${version}\n`);
    },
  );
});
