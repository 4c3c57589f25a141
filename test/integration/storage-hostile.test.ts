// A storage source is read as data, inside its root only. Storage made by the real registry,
// copied and then tampered with as someone handing over a hostile directory or tarball would,
// synced through the engine into the Harbor double; asserted as a user would check: the tag
// fails naming the path, the run ends promptly, Harbor holds nothing it should not, no secret
// shows anywhere, and no temporary directory is left behind.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, link, mkdir, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { startRegistry } from '../harness/registry.ts';
import { buildImage, pushImage, sha256, toBlob, MEDIA, type BuiltImage } from '../harness/images.ts';
import { startHarborDouble, type HarborDouble } from '../harness/harbor-double/index.ts';
import { startScriptedRegistry } from '../harness/scripted-registry.ts';
import { syncInputs } from '../harness/sync-inputs.ts';
import {
  blobData,
  captureStdout,
  copyStorage,
  freshRunnerTemp,
  listDir,
  mkfifo,
  startFileServer,
  tagDir,
  tagLink,
  tempWork,
  type FileServer,
} from '../harness/hostile-storage.ts';
import { buildReport } from '../../src/report/json.js';
import { sync, type SyncRun } from './helpers.ts';

const PASSWD = readFileSync('/etc/passwd');
const PASSWD_DIGEST = sha256(PASSWD);

let work: string;
let pristine: string;
let harbor: HarborDouble;
let runnerTemp: string;
const images: Record<string, BuiltImage> = {};

beforeAll(async () => {
  work = await tempWork();
  // `leak/app` has /etc/passwd's bytes as its layer, as a hostile tree would claim: with its
  // data file swapped for a link to /etc/passwd, the digests all match, so only refusing the
  // link keeps the file out of Harbor.
  images['ok/app'] = buildImage('hostile/ok', { layerSizes: [1000] });
  images['plain/app'] = buildImage('hostile/plain', { layerSizes: [1500] });
  images['leak/app'] = buildImage('hostile/leak', { sharedLayers: [PASSWD], layerSizes: [] });
  images['victim/app'] = buildImage('hostile/victim', { layerSizes: [800] });
  images['sized/app'] = buildImage('hostile/sized', { layerSizes: [3000] });
  const registry = await startRegistry();
  try {
    for (const [repo, image] of Object.entries(images)) await pushImage({ url: registry.url }, repo, '1', image);
  } finally {
    await registry.stop();
  }
  pristine = registry.storageDir;
  harbor = await startHarborDouble();
});
afterAll(async () => {
  await harbor?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  delete process.env.RUNNER_TEMP;
});
beforeEach(async () => {
  runnerTemp = await freshRunnerTemp(work);
});

function inputs(source: string, list: string, extra: Record<string, string> = {}): Record<string, string> {
  return syncInputs(source, harbor, { images: list, ...extra });
}

/** Harbor's own storage holds no blob with /etc/passwd's digest. */
function harborHoldsPasswd(): boolean {
  return existsSync(blobData(join(harbor.registry.storageDir, 'docker', 'registry', 'v2'), PASSWD_DIGEST));
}

function expectFailedNaming(run: SyncRun, source: string, path: string, why: RegExp): void {
  const item = run.item(source);
  expect(item.status, JSON.stringify(item)).toBe('failed');
  expect(item.error?.message).toContain(path);
  expect(item.error?.message).toMatch(why);
}

function expectFine(run: SyncRun, source: string): void {
  expect(['migrated', 'skipped'], JSON.stringify(run.item(source))).toContain(run.item(source).status);
}

/** Everything a user could read after a run: items, log lines, the JSON report. */
function allOutput(run: SyncRun, stdout = ''): string {
  return [
    JSON.stringify(run.result),
    run.logs.join('\n'),
    JSON.stringify(buildReport(run.result, 'test')),
    stdout,
  ].join('\n');
}

describe('a blob data file that is a symlink (1)', () => {
  it.each([
    ['absolute', () => '/etc/passwd'],
    ['relative, ../../..', (data: string) => relative(dirname(data), '/etc/passwd')],
  ])('%s, to /etc/passwd: the tag fails naming the path; Harbor never gets the file', async (name, target) => {
    const { dir, v2 } = await copyStorage(pristine, work, `blob-link-${name.split(',')[0]}`);
    const data = blobData(v2, PASSWD_DIGEST);
    await rm(data);
    await symlink(target(data), data);
    const run = await sync(inputs(`dir://${dir}`, 'leak/app:1\nok/app:1'));
    expect(run.result.fatal).toBeUndefined();
    expectFailedNaming(run, 'leak/app:1', data, /is a symbolic link/);
    expect(run.item('leak/app:1').error?.errorCode).toBe('STORAGE_UNSAFE');
    expectFine(run, 'ok/app:1');
    expect(harbor.tagDigest('leak/app', '1')).toBeUndefined();
    expect(harborHoldsPasswd()).toBe(false);
  });

  it('a directory component that is a symlink (blobs/sha256/<xx>) fails the tag naming it', async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'blob-dir-link');
    const prefixDir = dirname(dirname(blobData(v2, PASSWD_DIGEST)));
    const outside = join(work, 'outside-prefix-dir');
    await rename(prefixDir, outside);
    await symlink(outside, prefixDir);
    const run = await sync(inputs(`dir://${dir}`, 'leak/app:1'));
    expect(run.result.fatal).toBeUndefined();
    expectFailedNaming(run, 'leak/app:1', prefixDir, /reached through the symbolic link/);
    expect(harbor.tagDigest('leak/app', '1')).toBeUndefined();
    expect(harborHoldsPasswd()).toBe(false);
  });
});

describe('a tag link that is not a small regular file', () => {
  it('a FIFO (2): the run ends promptly with that tag failed naming the path', { timeout: 30_000 }, async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'fifo');
    const link = tagLink(v2, 'victim/app', '1');
    await rm(link);
    mkfifo(link);
    const started = Date.now();
    const run = await sync(inputs(`dir://${dir}`, 'victim/app:1\nok/app:1', { 'stall-timeout': '3600' }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expectFailedNaming(run, 'victim/app:1', link, /is a FIFO, not a regular file/);
    expectFine(run, 'ok/app:1');
  });

  it('a symlink to /dev/zero (3): fails fast, memory not blown', { timeout: 30_000 }, async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'dev-zero');
    const link = tagLink(v2, 'victim/app', '1');
    await rm(link);
    await symlink('/dev/zero', link);
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    const run = await sync(inputs(`dir://${dir}`, 'victim/app:1'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    expectFailedNaming(run, 'victim/app:1', link, /is a symbolic link/);
  });

  it('a 1 GiB sparse file (4): fails fast naming the file and its size, not ERR_STRING_TOO_LONG', {
    timeout: 30_000,
  }, async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'sparse');
    const link = tagLink(v2, 'victim/app', '1');
    await truncate(link, 1024 ** 3);
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    const run = await sync(inputs(`dir://${dir}`, 'victim/app:1'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    expectFailedNaming(run, 'victim/app:1', link, /1073741824 bytes, more than a digest/);
    expect(allOutput(run)).not.toContain('ERR_STRING_TOO_LONG');
  });

  it('a symlink to a secret outside the root, or a link holding it (5): the path is named, the secret shown nowhere', async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'secret');
    const secret = `HS-TOP-SECRET-${Date.now()}`;
    const outside = join(work, 'secret.txt');
    await writeFile(outside, `${secret}\n`);
    const linked = tagLink(v2, 'victim/app', '1');
    await rm(linked);
    await symlink(outside, linked);
    // A second tag whose link is a regular file inside the root, holding the secret itself.
    const holding = tagLink(v2, 'victim/app', '2');
    await mkdir(dirname(holding), { recursive: true });
    await writeFile(holding, secret);
    const run = await sync(inputs(`dir://${dir}`, 'victim/app'));
    expectFailedNaming(run, 'victim/app:1', linked, /is a symbolic link/);
    expectFailedNaming(run, 'victim/app:2', holding, /are not <algorithm>:<hex digest>/);
    expect(allOutput(run)).not.toContain(secret);
  });

  it('a tag directory that is a symlink fails that tag, naming it, rather than vanishing from the list', async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'tag-dir-link');
    const tag = tagDir(v2, 'victim/app', '1');
    const outside = join(work, 'outside-tag-dir');
    await rename(tag, outside);
    await symlink(outside, tag);
    const run = await sync(inputs(`dir://${dir}`, 'victim/app'));
    expectFailedNaming(run, 'victim/app:1', tag, /reached through the symbolic link/);
  });

  it('a repository directory that is a symlink is listed by the catalog and fails, naming it', async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'repo-dir-link');
    const linked = join(v2, 'repositories', 'linked');
    await symlink('ok', linked);
    const run = await sync(inputs(`dir://${dir}`, '', { catalog: 'true', include: 'linked\nok/app' }));
    expect(run.result.fatal).toBeUndefined();
    expectFailedNaming(run, 'linked:*', linked, /symbolic link/);
    expectFine(run, 'ok/app:1');
  });
});

describe('the root named (6)', () => {
  it('may itself be a symlink to the storage directory', async () => {
    const { dir } = await copyStorage(pristine, work, 'root-target');
    const named = join(work, 'root-link');
    await symlink(dir, named);
    const run = await sync(inputs(`dir://${named}`, 'ok/app:1\nplain/app:1'));
    expect(run.result.fatal).toBeUndefined();
    expectFine(run, 'ok/app:1');
    expectFine(run, 'plain/app:1');
  });

  it('below it, a symlinked docker/ directory is refused, naming it', async () => {
    const { dir } = await copyStorage(pristine, work, 'docker-link-target');
    const named = join(work, 'docker-link-root');
    await mkdir(named);
    await symlink(join(dir, 'docker'), join(named, 'docker'));
    const run = await sync(inputs(`dir://${named}`, 'ok/app:1'));
    expect(run.result.items).toEqual([]);
    expect(run.result.fatal?.message).toContain(`${join(named, 'docker')} is a symbolic link`);
  });
});

describe('tarballs (7)', () => {
  /** A copy of the storage as `<dir>/reg/docker/registry/v2`, to tamper with before archiving. */
  async function tree(name: string): Promise<{ dir: string; v2: string }> {
    const dir = join(work, `tar-${name}`);
    const { v2 } = await copyStorage(pristine, dir, 'reg');
    return { dir, v2 };
  }
  const writes = () => harbor.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

  async function expectRefused(archive: string, entry: RegExp | string): Promise<void> {
    harbor.resetRequests();
    const run = await sync(inputs(`file://${archive}`, 'ok/app:1\nplain/app:1'));
    expect(run.result.items).toEqual([]);
    expect(run.result.fatal?.message).toMatch(/is refused before extracting/);
    if (typeof entry === 'string') expect(run.result.fatal?.message).toContain(entry);
    else expect(run.result.fatal?.message).toMatch(entry);
    expect(writes()).toEqual([]);
    expect(await listDir(runnerTemp)).toEqual([]);
  }

  it('with a symlink', async () => {
    const { dir, v2 } = await tree('symlink');
    await symlink('/etc/passwd', join(v2, 'evil'));
    const archive = join(dir, 'registry.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dir, 'reg']);
    await expectRefused(archive, 'entry "reg/docker/registry/v2/evil" is a symbolic link (to "/etc/passwd")');
  });

  it('with a hard link', async () => {
    const { dir, v2 } = await tree('hardlink');
    await link(blobData(v2, images['ok/app']!.blobs[1]!.digest), join(v2, 'hard'));
    const archive = join(dir, 'registry.tar');
    execFileSync('tar', ['-cf', archive, '-C', dir, 'reg']);
    await expectRefused(
      archive,
      /entry "reg\/docker\/registry\/v2\/[^"]+" is a hard link \(to "reg\/docker\/registry\/v2\/[^"]+"\)/,
    );
  });

  it('with an absolute path', async () => {
    const { dir } = await tree('absolute');
    const outside = join(dir, 'outside.txt');
    await writeFile(outside, 'planted');
    const archive = join(dir, 'registry.tar');
    execFileSync('tar', ['-P', '-cf', archive, '-C', dir, 'reg', outside]);
    await expectRefused(archive, `entry "${outside}" has an absolute path`);
  });

  it('with a .. entry', async () => {
    const { dir } = await tree('dotdot');
    await writeFile(join(dir, 'outside.txt'), 'planted');
    const archive = join(dir, 'registry.tar');
    execFileSync('tar', ['-P', '-cf', archive, '-C', join(dir, 'reg'), 'docker', '../outside.txt']);
    await expectRefused(archive, 'entry "../outside.txt" has a ".." component');
  });

  it('a clean one migrates, and its extraction directory is gone after the run', async () => {
    const { dir } = await tree('clean');
    const archive = join(dir, 'registry.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dir, 'reg']);
    const run = await sync(inputs(`file://${archive}`, 'ok/app:1\nplain/app:1'));
    expect(run.result.fatal).toBeUndefined();
    expectFine(run, 'ok/app:1');
    expect(await listDir(runnerTemp)).toEqual([]);
  });

  it('a clean one in a run that fails later (Harbor refuses the login) leaves nothing behind either', async () => {
    const { dir } = await tree('clean-then-fatal');
    const archive = join(dir, 'registry.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dir, 'reg']);
    const run = await sync({ ...inputs(`file://${archive}`, 'ok/app:1'), 'harbor-password': 'wrong-password' });
    expect(run.result.fatal?.status).toBe(401);
    expect(await listDir(runnerTemp)).toEqual([]);
  });
});

describe("a blob whose size is not its descriptor's (8)", () => {
  const uploadsOf = (digest: string) =>
    harbor.requests.filter(
      (r) =>
        r.kind === 'upload' &&
        r.method === 'PUT' &&
        (r.query.includes(digest) || r.query.includes(encodeURIComponent(digest))),
    );

  it('storage: a data file longer than the descriptor says fails the tag before any upload', async () => {
    const { dir, v2 } = await copyStorage(pristine, work, 'sized');
    const layer = images['sized/app']!.blobs[1]!;
    await appendFile(blobData(v2, layer.digest), Buffer.alloc(100, 1));
    harbor.resetRequests();
    const run = await sync(inputs(`dir://${dir}`, 'sized/app:1'));
    const item = run.item('sized/app:1');
    expect(item.status).toBe('failed');
    expect(item.error).toMatchObject({ step: 'blob', errorCode: 'SIZE_MISMATCH' });
    expect(item.error?.message).toContain(layer.digest);
    expect(item.error?.message).toContain(`${layer.size + 100} bytes`);
    expect(item.error?.message).toContain(`says ${layer.size}`);
    expect(uploadsOf(layer.digest)).toEqual([]);
    expect(harbor.tagDigest('sized/app', '1')).toBeUndefined();
  });

  it('a registry source: a blob served with another length than its descriptor fails the same way', async () => {
    const served = toBlob(Buffer.from('twelve bytes'));
    const config = toBlob(
      Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
        layers: [{ mediaType: MEDIA.ociLayer, digest: served.digest, size: 10 }],
      }),
    );
    const scripted = await startScriptedRegistry({
      'GET /v2/': { status: 200, body: '{}' },
      'GET /v2/http-sized/app/manifests/1': {
        status: 200,
        headers: { 'content-type': MEDIA.ociManifest, 'docker-content-digest': sha256(manifest) },
        body: manifest,
      },
      [`GET /v2/http-sized/app/blobs/${config.digest}`]: { status: 200, body: config.data },
      [`GET /v2/http-sized/app/blobs/${served.digest}`]: { status: 200, body: served.data },
    });
    try {
      harbor.resetRequests();
      const run = await sync(inputs(scripted.url, 'http-sized/app:1'));
      const item = run.item('http-sized/app:1');
      expect(item.status).toBe('failed');
      expect(item.error).toMatchObject({ step: 'blob', errorCode: 'SIZE_MISMATCH' });
      expect(item.error?.message).toContain(
        `${served.digest}: the source holds 12 bytes, but the manifest's descriptor says 10`,
      );
      expect(uploadsOf(served.digest)).toEqual([]);
    } finally {
      await scripted.stop();
    }
  });
});

describe('an http(s) tarball (9)', () => {
  const USER = 'backup-reader';
  const PASSWORD = 'backup-pass-S3CRET';
  const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const QUERY = 'sig=QUERY-SECRET-123';
  let archive: string;
  let origin: FileServer;
  let other: FileServer;

  beforeAll(async () => {
    const { dir } = await copyStorage(pristine, work, 'served');
    archive = join(work, 'served.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', dir, 'docker']);
    origin = await startFileServer();
    other = await startFileServer();
  });
  afterAll(async () => {
    await origin?.stop();
    await other?.stop();
  });
  beforeEach(() => {
    origin.seen.length = 0;
    other.seen.length = 0;
  });

  const url = () => `${origin.origin}/backups/registry.tar.gz?${QUERY}`;
  const withCredentials = (list: string) =>
    inputs(url(), list, { 'source-username': USER, 'source-password': PASSWORD });
  /** The origin asks for Basic credentials, then answers as `then` says. */
  const challenge = (then: () => ReturnType<FileServer['answer']>) => (req: { headers: { authorization?: string } }) =>
    req.headers.authorization === BASIC
      ? then()
      : { status: 401, headers: { 'www-authenticate': 'Basic realm="backups"' } };

  function expectNothingLeaked(run: SyncRun, stdout: string): void {
    const text = allOutput(run, stdout);
    for (const secret of [PASSWORD, BASIC.slice('Basic '.length), 'QUERY-SECRET']) expect(text).not.toContain(secret);
    expect(stdout).not.toMatch(/Downloading/);
    for (const line of stdout.split('\n').filter((l) => l.startsWith('::debug::')))
      expect(line).not.toContain('127.0.0.1');
  }

  it('is downloaded with source-username/password sent to its origin, nothing printed about it', async () => {
    origin.answer = challenge(() => ({ file: archive }));
    const { value: run, stdout } = await captureStdout(() => sync(withCredentials('ok/app:1\nplain/app:1')));
    expect(run.result.fatal).toBeUndefined();
    expectFine(run, 'ok/app:1');
    expectFine(run, 'plain/app:1');
    expect(origin.seen.some((r) => r.headers.authorization === BASIC)).toBe(true);
    expectNothingLeaked(run, stdout);
    expect(await listDir(runnerTemp)).toEqual([]);
  });

  it('a redirect to another origin gets no credentials', async () => {
    origin.answer = challenge(() => ({ status: 302, headers: { location: `${other.origin}/cdn/registry.tar.gz` } }));
    other.answer = () => ({ file: archive });
    const { value: run, stdout } = await captureStdout(() => sync(withCredentials('ok/app:1')));
    expect(run.result.fatal).toBeUndefined();
    expectFine(run, 'ok/app:1');
    expect(other.seen.length).toBeGreaterThan(0);
    for (const req of other.seen) {
      expect(req.headers.authorization).toBeUndefined();
      expect(JSON.stringify(req.headers)).not.toContain(BASIC.slice('Basic '.length));
    }
    expectNothingLeaked(run, stdout);
  });

  it.each([
    ['Basic', () => 'Basic realm="cdn"'],
    ['Bearer with a realm of its own', () => `Bearer realm="${other.origin}/token",service="cdn"`],
  ])('a redirect target that asks for credentials (%s) gets none: the run stops', async (_what, header) => {
    origin.answer = challenge(() => ({ status: 302, headers: { location: `${other.origin}/cdn/registry.tar.gz` } }));
    other.answer = () => ({ status: 401, headers: { 'www-authenticate': header() } });
    const { value: run, stdout } = await captureStdout(() => sync(withCredentials('ok/app:1')));
    expect(run.result.fatal).toBeDefined();
    expect(run.result.items).toEqual([]);
    expect(other.seen.length).toBeGreaterThan(0);
    for (const req of other.seen) expect(req.headers.authorization).toBeUndefined();
    expectNothingLeaked(run, stdout);
    expect(await listDir(runnerTemp)).toEqual([]);
  });

  it('an answer other than 200 stops the run naming origin, path and status, never the query string', async () => {
    origin.answer = () => ({ status: 403 });
    const { value: run, stdout } = await captureStdout(() => sync(withCredentials('ok/app:1')));
    expect(run.result.items).toEqual([]);
    expect(run.result.fatal?.message).toContain(
      `downloading ${origin.origin}/backups/registry.tar.gz failed: the server answered 403`,
    );
    expectNothingLeaked(run, stdout);
    expect(await listDir(runnerTemp)).toEqual([]);
  });
});
