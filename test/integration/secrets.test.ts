// One redaction point: a source whose error bodies echo the Authorization header, the bearer token
// it issued and the password itself; the bundled CLI and the action run against it, and not one
// byte they write (stdout, stderr, --json events, report, summary, job summary) holds a secret.
// Also: what a hostile file or archive could make the tool print (control characters, library
// lines on stdout) stays out of the terminal and out of --json.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startRegistry, type RunningRegistry } from '../harness/registry.ts';
import { runAction, runCli } from '../harness/run-bundle.ts';
import { seedSamples } from '../harness/scenarios.ts';
import { asCli, loginEnv, syncInputs } from '../harness/sync-inputs.ts';

const SOURCE = { username: 'reader', password: 'Src-Pa55word-9f3e' };
const HARBOR_PASSWORD = 'Harbor-Pa55word-77aa';
const TOKEN = `tok-${'9c1f'.repeat(8)}`;
const BASIC = Buffer.from(`${SOURCE.username}:${SOURCE.password}`).toString('base64');
const SECRETS = [
  SOURCE.password,
  HARBOR_PASSWORD,
  TOKEN,
  BASIC,
  Buffer.from(`admin:${HARBOR_PASSWORD}`).toString('base64'),
];

let source: Server;
let sourceUrl: string;
let harbor: HarborDouble;
let work: string;
/** What the hostile source saw: the test is only worth something if the secrets reached it. */
const seen: string[] = [];

function echoing(req: IncomingMessage): string {
  // What a careless server puts in an error body: the request's credentials, raw and decoded.
  const auth = req.headers.authorization ?? '';
  return `request had Authorization: ${auth} (token ${TOKEN}, password ${SOURCE.password}, basic ${BASIC})`;
}

beforeAll(async () => {
  source = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    req.resume();
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const realm = `${sourceUrl}/token`;
    if (path === '/token') {
      if (req.headers.authorization !== `Basic ${BASIC}`)
        return json(401, { errors: [{ code: 'UNAUTHORIZED', message: echoing(req) }] });
      return json(200, { token: TOKEN, expires_in: 300 });
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return json(
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'www-authenticate': `Bearer realm="${realm}",service="src"` },
      );
    }
    if (path === '/v2/') return json(200, {});
    if (path === '/v2/app/manifests/1')
      return json(500, {
        errors: [{ code: 'UNKNOWN', message: echoing(req), detail: { Authorization: req.headers.authorization } }],
      });
    if (path === '/v2/app/manifests/2')
      return json(403, { errors: [{ code: 'DENIED', message: `denied; ${echoing(req)}` }] });
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end(`<html><body>bad gateway for ${req.headers.authorization}\n${SOURCE.password}</body></html>`);
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
  harbor = await startHarborDouble({ admin: { username: 'admin', password: HARBOR_PASSWORD } });
  work = await mkdtemp(join(tmpdir(), 'hs-secrets-'));
});
afterAll(async () => {
  await harbor?.stop();
  await new Promise<void>((resolve) => (source ? source.close(() => resolve()) : resolve()));
});

function expectNoSecret(outputs: Record<string, string>): void {
  for (const [name, text] of Object.entries(outputs)) {
    for (const secret of SECRETS) expect(text.includes(secret), `${name} holds ${secret}`).toBe(false);
  }
}

describe('secrets echoed by a hostile source', () => {
  it('the CLI writes none of them: stdout, stderr, report, summary, --json events', async () => {
    const report = join(work, 'cli-report.json');
    const summary = join(work, 'cli-summary.md');
    const { args, env } = asCli(
      'sync',
      syncInputs(sourceUrl, harbor, { images: 'app:1, app:2, app:3', retries: '0' }, { source: SOURCE }),
    );
    const text = await runCli([...args, '--report-file', report, '--summary-file', summary], { env });
    const json = await runCli([...args, '--json'], { env });
    // The source did receive the secrets, and its answers did quote them.
    expect(seen).toContain(`Basic ${BASIC}`);
    expect(seen).toContain(`Bearer ${TOKEN}`);
    expect(text.code).toBe(1);
    const reportText = await readFile(report, 'utf8');
    expect(
      JSON.parse(reportText)
        .failed.map((i: { source: string }) => i.source)
        .sort(),
    ).toEqual(['app:1', 'app:2', 'app:3']);
    expect(reportText).toContain('***'); // the echo was there, scrubbed
    expectNoSecret({
      stdout: text.stdout,
      stderr: text.stderr,
      report: reportText,
      summary: await readFile(summary, 'utf8'),
      jsonStdout: json.stdout,
      jsonStderr: json.stderr,
    });
    for (const line of json.stdout.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('the action writes none of them: log, job summary, report, outputs', async () => {
    const run = await runAction(
      syncInputs(sourceUrl, harbor, { images: 'app:1\napp:2', retries: '0' }, { source: SOURCE }),
    );
    expect(run.code).toBe(1);
    // ::add-mask:: is how the runner learns the inputs' secrets: the one place they must appear.
    const log = run.stdout
      .replaceAll(`::add-mask::${SOURCE.password}`, '')
      .replaceAll(`::add-mask::${HARBOR_PASSWORD}`, '');
    expect(log).toContain('***');
    expectNoSecret({
      log,
      stderr: run.stderr,
      summary: run.summary,
      outputs: run.outputFile,
      report: await readFile(join(run.dir, 'harbor-sync-report.json'), 'utf8'),
    });
  });
});

describe('what a hostile file or archive could make the CLI print', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    await seedSamples({ url: registry.url });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('an images-file line with terminal escape sequences is shown escaped, exit 2', async () => {
    const list = join(work, 'images.txt');
    await writeFile(list, 'alpine:3.19\n\x1b]0;pwned\x07\x1b[2Jteam-a/app:1\n');
    const run = await runCli(
      ['sync', '--source-registry', registry.url, '--harbor-url', harbor.url, '--images-file', list],
      { env: loginEnv({ harbor: harbor.admin }) },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${list} line 2`);
    expect(run.stderr).toContain('\\x1b[2J');
    expect(run.stderr).not.toMatch(/[\x07\x1b]/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("--json stays pure JSON with a tarball source: the extractor's lines go to stderr", async () => {
    const archive = join(work, 'registry.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dirname(registry.storageDir), basename(registry.storageDir)]);
    const run = await runCli(
      [
        'plan',
        '--source-registry',
        `file://${archive}`,
        '--harbor-url',
        harbor.url,
        '--images',
        'alpine:3.19',
        '--json',
      ],
      { env: { ...loginEnv({ harbor: harbor.admin }), RUNNER_TEMP: work } },
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ event: 'summary', totals: { tags: 1 } });
    expect(run.stdout).not.toContain('::debug::');
    expect(run.stderr).not.toContain('::debug::');
  });
});
