// The first five minutes, as a user meets them: the bundled CLI (node dist/cli.js) and the action
// entry against the real registry and the Harbor double. Flags behave as in every CLI of the
// field, mistakes get one line that says what to do, and nothing else is printed after a fatal one.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, SOURCE_USER, type RunningRegistry } from '../harness/registry.ts';
import { seedSamples } from '../harness/scenarios.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { runAction, runCli, runProgram, type ProgramRun } from '../harness/run-bundle.ts';
import { loginEnv, syncInputs } from '../harness/sync-inputs.ts';
import { helpText } from '../../src/cli/help.ts';

let open: RunningRegistry;
let locked: RunningRegistry;
let harbor: HarborDouble;
let work: string;
const HARBOR = loginEnv();

beforeAll(async () => {
  open = await startRegistry();
  await seedSamples({ url: open.url });
  locked = await startRegistry({ htpasswd: true });
  await seedSamples({ url: locked.url, auth: SOURCE_USER });
  harbor = await startHarborDouble();
  work = await mkdtemp(join(tmpdir(), 'hs-cli-'));
});
afterAll(async () => {
  await harbor?.stop();
  await locked?.stop();
  await open?.stop();
});

const cli = (args: string[], env: Record<string, string> = HARBOR): Promise<ProgramRun> => runCli(args, { env });
const lines = (text: string): string[] => text.trim().split('\n').filter(Boolean);

describe('flags behave as in every CLI of the field', () => {
  it('a boolean flag stands alone, anywhere: --catalog before other options, --dry-run last', async () => {
    const r = await cli([
      'plan',
      '--source-registry',
      open.url,
      '--harbor-url',
      harbor.url,
      '--catalog',
      '--exclude',
      'team-b/**',
      '--dry-run',
    ]);
    expect(r.stderr).not.toMatch(/ambiguous|argument missing/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('filtered out: exclude "team-b/**"');
    expect(r.stdout).toContain('team-a/tools/worker:1.2');
  });

  it('--no-<flag>, --flag=false and --flag false all turn a flag off; a non-boolean value is refused', async () => {
    for (const off of [['--no-create-projects'], ['--create-projects=false'], ['--create-projects', 'false']]) {
      const r = await cli([
        'sync',
        '--source-registry',
        open.url,
        '--harbor-url',
        harbor.url,
        '--images',
        'alpine:3.19',
        ...off,
      ]);
      expect(r.code, off.join(' ')).toBe(1);
      expect(r.stderr, off.join(' ')).toContain('project library does not exist in Harbor');
    }
    const bad = await cli([
      'sync',
      '--source-registry',
      open.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
      '--create-projects=maybe',
    ]);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([
      'harbor-sync: --create-projects is a flag: write --create-projects alone, --no-create-projects, or --create-projects=true|false, not "maybe"; harbor-sync sync --help lists the options',
    ]);
  });

  it('a misspelled option gets a suggestion; options without a command say the command is missing', async () => {
    const typo = await cli(['sync', '--harbor-ulr', harbor.url]);
    expect(typo.code).toBe(2);
    expect(lines(typo.stderr)).toEqual([
      'harbor-sync: unknown option --harbor-ulr (did you mean --harbor-url?); harbor-sync sync --help lists the options',
    ]);
    const none = await cli(['--source-registry', open.url, '--harbor-url', harbor.url]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(lines(none.stderr)).toEqual([
      'harbor-sync: no command given: write harbor-sync sync [options] (or plan, report-merge); harbor-sync --help lists the commands',
    ]);
  });

  it('--help says flags stand alone and shows them as flags', async () => {
    expect((await cli(['--help'])).stdout).toContain('Flags stand alone (--dry-run, --catalog)');
    const help = await cli(['sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Flags stand alone (--dry-run, --catalog)');
    expect(help.stdout).toMatch(/\n {2}--catalog {2,}Also sync/);
    // On by default, so shown as the way to turn it off, with words for what that does.
    expect(help.stdout).toMatch(/\n {2}--no-create-projects {2,}Do not create missing Harbor projects/);
    expect(help.stdout).toMatch(/\n {2}--images <value> {2,}/);
    expect(help.stdout).not.toContain('(default: false)');
  });
});

describe('the --help example', () => {
  it('passes a robot name through the shell intact', async () => {
    const example = helpText()
      .split('\n')
      .find((l) => l.includes('HARBOR_USERNAME='))!;
    const assignments = example.trim().replace(/\s*\\$/, '');
    const syntax = await runProgram('bash', ['-n', '-c', `${assignments} true`]);
    expect(syntax.code, syntax.stderr).toBe(0);
    const seen = await runProgram('bash', [
      '-c',
      `${assignments} node -e 'process.stdout.write(process.env.HARBOR_USERNAME)'`,
    ]);
    expect(seen.code, seen.stderr).toBe(0);
    expect(seen.stdout).toBe('robot$sync');
  });
});

describe('credentials, errors and what follows them', () => {
  it('a source that refuses anonymous access, given no login, is one line in preflight, exit 2', async () => {
    const r = await cli([
      'sync',
      '--source-registry',
      locked.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
    ]);
    expect(r.code).toBe(2);
    const errors = lines(r.stderr).filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      `error: the source registry ${locked.host} refuses anonymous access (401 on HEAD /v2/alpine/manifests/3.19) and no credentials were given — set --source-username (or SOURCE_USERNAME) and --source-password (or SOURCE_PASSWORD)`,
    ]);
    // The same registry with its login works; a registry that allows anonymous pulls needs none.
    expect(
      (
        await cli(['plan', '--source-registry', locked.url, '--harbor-url', harbor.url, '--images', 'alpine:3.19'], {
          ...HARBOR,
          SOURCE_USERNAME: SOURCE_USER.username,
          SOURCE_PASSWORD: SOURCE_USER.password,
        })
      ).code,
    ).toBe(0);
    expect(
      (await cli(['plan', '--source-registry', open.url, '--harbor-url', harbor.url, '--images', 'alpine:3.19'])).code,
    ).toBe(0);
  });

  it('a fatal error is the last line: no progress line, no OpenSSL internals, the scheme the server speaks', async () => {
    const r = await cli([
      'sync',
      '--source-registry',
      open.url.replace('http:', 'https:'),
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
      '--retries',
      '0',
      '--summary-file',
      join(work, 'fatal.md'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/tags · .* sent/);
    expect(r.stderr).not.toMatch(/openssl|ssl3_|tls_validate|deps\//i);
    expect(lines(r.stderr).at(-1)).toBe(
      `error: source registry ${open.url.replace('http:', 'https:')} answers in plain HTTP, not HTTPS — write ${open.url} in --source-registry`,
    );
    expect(await readFile(join(work, 'fatal.md'), 'utf8')).not.toMatch(/openssl|deps\//i);
  });

  it('a URL without its scheme: the hint says the scheme the host speaks', async () => {
    const r = await cli([
      'sync',
      '--source-registry',
      open.host,
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
    ]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `harbor-sync: --source-registry "${open.host}" has no scheme: it answers in plain HTTP, so write http://${open.host}`,
    ]);
  });

  it('messages name options as the user gave them: flags in the CLI, inputs in the action', async () => {
    const viaCli = await cli([
      'sync',
      '--source-registry',
      open.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
      '--concurrency',
      '0',
    ]);
    expect(lines(viaCli.stderr)).toEqual(['harbor-sync: --concurrency must be a whole number from 1 to 64, not "0"']);
    const viaAction = await runAction(syncInputs(open.url, harbor, { images: 'alpine:3.19', concurrency: '0' }));
    expect(viaAction.code).toBe(1);
    expect(viaAction.stdout).toContain(
      '::error::harbor-sync configuration: concurrency must be a whole number from 1 to 64, not "0"',
    );
  });
});

describe('--json', () => {
  it("a dry run's events say so; a real run's do not", async () => {
    const plan = await cli([
      'plan',
      '--source-registry',
      open.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'alpine:3.19',
      '--json',
    ]);
    const events = lines(plan.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'tag')).toEqual([
      expect.objectContaining({ dryRun: true, source: 'alpine:3.19', status: 'migrated' }),
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', dryRun: true });
    const real = await cli([
      'sync',
      '--source-registry',
      open.url,
      '--harbor-url',
      harbor.url,
      '--images',
      'team-b/multi:1.0',
      '--json',
    ]);
    const realEvents = lines(real.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(realEvents.find((e) => e.event === 'tag')).not.toHaveProperty('dryRun');
    expect(realEvents.at(-1)).toMatchObject({ event: 'summary', dryRun: false });
  });
});

describe('report-merge checks the shard set', () => {
  let reports: string[];
  beforeAll(async () => {
    reports = [];
    for (const shard of ['1/2', '2/2']) {
      const file = join(work, `shard-${shard.replace('/', '-of-')}.json`);
      const r = await cli([
        'plan',
        '--source-registry',
        open.url,
        '--harbor-url',
        harbor.url,
        '--catalog',
        '--shard',
        shard,
        '--report-file',
        file,
        '--quiet',
      ]);
      expect(r.code).toBe(0);
      reports.push(file);
    }
  });

  it('merges a complete set', async () => {
    const r = await cli(['report-merge', ...reports]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toBe('## harbor-sync (dry run: nothing was written)');
  });

  it('refuses a missing or repeated shard, naming it; --allow-partial merges and says so first', async () => {
    const missing = await cli(['report-merge', reports[0]!]);
    expect(missing.code).toBe(2);
    expect(lines(missing.stderr)).toEqual([
      "harbor-sync: shard 2/2 is missing: give every shard's report, or --allow-partial to merge what is there",
    ]);
    const twice = await cli(['report-merge', reports[0]!, reports[0]!]);
    expect(twice.code).toBe(2);
    expect(lines(twice.stderr)).toEqual([
      `harbor-sync: shard 1/2 is given twice (${reports[0]} and ${reports[0]}): its tags would be counted twice`,
    ]);
    const partial = await cli(['report-merge', '--allow-partial', reports[0]!]);
    expect(partial.code).toBe(0);
    expect(lines(partial.stdout)[0]).toBe(
      '## harbor-sync (dry run: nothing was written) (partial merge: shard 2/2 missing)',
    );
  });
});

describe('one Node story', () => {
  it('package.json engines, the shim, --help and the README agree: Node 22.19 or later (undici 8 needs it)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    const undici = JSON.parse(readFileSync('node_modules/undici/package.json', 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe('>=22.19');
    expect(undici.engines.node).toBe('>=22.19.0'); // what the bundle needs: engines must not promise less
    expect(readFileSync('dist/cli.js', 'utf8')).toContain('if (major < 22 || (major === 22 && minor < 19))');
    expect(helpText()).toContain('Needs Node.js 22.19 or later (24 recommended; the GitHub Action runs on node24).');
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('Node.js 22.19 or later (24 recommended; the GitHub Action runs on node24)');
    expect(readme).not.toMatch(
      /Node\.js 2[0-4](\.\d+)? or later(?! \(24 recommended; the GitHub Action runs on node24\))/,
    );
  });
});
