// Starts the test fixture as long-running servers for a workflow that runs the action itself
// (`uses: ./`): the source registry with the sample images and a stale and an incomplete tag
// (startSourceWithStale + seedSamples, as the integration tests and the demo use them) and, unless
// --source-only, the Harbor double. Writes where they are as KEY=value lines, then serves until
// SIGTERM or SIGINT.
//
//   node test/harness/serve-fixture.ts [--source-only] [--write-env FILE] [--ready-file FILE]
//
// --write-env  append the KEY=value lines to FILE (default: $GITHUB_ENV when set); always printed too
// --ready-file  written (with this process's id) once everything is up and the lines are written
//
// Keys: FIXTURE_SOURCE_URL, FIXTURE_SOURCE_HOST, FIXTURE_SOURCE_USERNAME, FIXTURE_SOURCE_PASSWORD,
// FIXTURE_HARBOR_URL, FIXTURE_HARBOR_HOST, FIXTURE_HARBOR_USERNAME, FIXTURE_HARBOR_PASSWORD (not
// with --source-only), FIXTURE_IMAGES (the sample references, comma separated) and FIXTURE_PID.
// The credentials are the fixed test-only ones of test/harness/registry.ts and the double.
import { appendFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SOURCE_USER } from './registry.ts';
import { seedSamples, startSourceWithStale, STALE_REPO, PARTIAL_REPO, STALE_TAG } from './scenarios.ts';
import { startHarborDouble, type HarborDouble } from './harbor-double/index.ts';

const { values } = parseArgs({
  options: {
    'source-only': { type: 'boolean', default: false },
    'write-env': { type: 'string' },
    'ready-file': { type: 'string' },
  },
});
const envFile = values['write-env'] ?? process.env.GITHUB_ENV;

const scenario = await startSourceWithStale();
let harbor: HarborDouble | undefined;
let stopping = false;
const stop = async (code: number): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([harbor?.stop(), scenario.stop()]);
  process.exit(code);
};
process.on('SIGTERM', () => void stop(0)).on('SIGINT', () => void stop(0));

try {
  const samples = await seedSamples({ url: scenario.source.url, auth: SOURCE_USER });
  if (!values['source-only']) harbor = await startHarborDouble();
  const images = [
    ...samples.refs.map((r) => `${r.repo}:${r.tag}`),
    `${STALE_REPO}:${STALE_TAG}`,
    `${PARTIAL_REPO}:${STALE_TAG}`,
  ];
  const lines: Record<string, string> = {
    FIXTURE_SOURCE_URL: scenario.source.url,
    FIXTURE_SOURCE_HOST: scenario.source.host,
    FIXTURE_SOURCE_USERNAME: SOURCE_USER.username,
    FIXTURE_SOURCE_PASSWORD: SOURCE_USER.password,
    ...(harbor && {
      FIXTURE_HARBOR_URL: harbor.url,
      FIXTURE_HARBOR_HOST: harbor.host,
      FIXTURE_HARBOR_USERNAME: harbor.admin.username,
      FIXTURE_HARBOR_PASSWORD: harbor.admin.password,
    }),
    FIXTURE_IMAGES: images.join(','),
    FIXTURE_PID: String(process.pid),
  };
  const text = Object.entries(lines)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
  process.stdout.write(text);
  if (envFile) await appendFile(envFile, text);
  if (values['ready-file']) await writeFile(values['ready-file'], `${process.pid}\n`);
  process.stdout.write(`fixture up (pid ${process.pid}); stop it with: kill ${process.pid}\n`);
  // The registries' child processes keep the event loop alive; this keeps it alive regardless.
  setInterval(() => undefined, 60_000);
} catch (error) {
  process.stderr.write(`serve-fixture: ${(error as Error).stack ?? String(error)}\n`);
  await stop(1);
}
