// `npm run demo`: a real sync on an embedded default. Starts, on 127.0.0.1, a source registry
// (the real distribution registry, with basic auth) holding a few sample images plus a stale and
// an incomplete tag made the real way (through a pull-through cache), and a Harbor double (the
// real registry with token auth behind a Harbor-core double); then runs the bundled CLI against
// them, as a user would, and prints its summary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REGISTRY_BINARY, SOURCE_USER } from '../test/harness/registry.ts';

ensureRegistryInstalled();
const { startSourceWithStale, seedSamples } = await import('../test/harness/scenarios.ts');
const { startHarborDouble } = await import('../test/harness/harbor-double/index.ts');

console.log('Starting a source registry with sample images (one tag stale, one incomplete) and a Harbor double…');
const scenario = await startSourceWithStale();
const harbor = await startHarborDouble();
try {
  await seedSamples({ url: scenario.source.url, auth: SOURCE_USER });
  const images = ['team-a/tools/worker', 'alpine:3.19', 'team-b/multi:1.0', 'cache/stale:1', 'cache/partial:1'];
  const base = [
    'dist/cli.js',
    'sync',
    '--source-registry',
    scenario.source.url,
    '--harbor-url',
    harbor.url,
    '--images',
    images.join(','),
  ];
  const args = [...base, '--report-file', '.tmp/demo-report.json', '--summary-file', '.tmp/demo-summary.md'];
  // `npx node`: the project's own Node.js 24 (the `node` devDependency) when the line is pasted
  // into a shell whose `node` is older than the CLI accepts.
  console.log(
    `\n$ npx node ${args.join(' ')}\n  (credentials from SOURCE_USERNAME/SOURCE_PASSWORD/HARBOR_USERNAME/HARBOR_PASSWORD)\n`,
  );
  spawnSync('mkdir', ['-p', '.tmp']);
  const env = {
    ...process.env,
    SOURCE_USERNAME: SOURCE_USER.username,
    SOURCE_PASSWORD: SOURCE_USER.password,
    HARBOR_USERNAME: harbor.admin.username,
    HARBOR_PASSWORD: harbor.admin.password,
  };
  const code = await run(process.execPath, args, env);
  console.log(`\nExit code ${code} (stale and incomplete tags fail a run only with --fail-on stale).`);
  console.log('Report: .tmp/demo-report.json · Summary: .tmp/demo-summary.md');

  console.log('\nThe same sync again, as a nightly job would run it:');
  const again = await capture(process.execPath, [...base, '--quiet'], env);
  console.log(again.split('\n').find((line) => line.startsWith('**')) ?? again);
  process.exitCode = code;
} finally {
  await harbor.stop();
  await scenario.stop();
}

function ensureRegistryInstalled(): void {
  if (existsSync(REGISTRY_BINARY)) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(
      `The demo needs the distribution registry: run  sudo apt-get install -y docker-registry  (Debian/Ubuntu package), then npm run demo again.`,
    );
    process.exit(1);
  }
  console.log('Installing the Debian package docker-registry (the CNCF distribution registry)…');
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'docker-registry'],
  ]) {
    const res = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (res.status !== 0) {
      console.error('apt-get failed: install docker-registry by hand, then run npm run demo again.');
      process.exit(1);
    }
  }
  // The package starts a service on :5000; the demo runs its own registries on free ports.
  spawnSync('pkill', ['-f', '/usr/bin/docker-registry serve /etc/docker/registry']);
}

function capture(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', () => resolve(out));
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
