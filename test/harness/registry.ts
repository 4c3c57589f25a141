// Starts the real CNCF distribution registry (Debian package `docker-registry`) on 127.0.0.1.
// The harness installs nothing: `.ci/run` (or the demo) apt-installs the package first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

export const REGISTRY_BINARY = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';

/** Fixed test credentials; the hash is bcrypt cost 4 (the registry checks it on every request). */
export const SOURCE_USER = { username: 'src-user', password: 's3cret-src' };
const SOURCE_USER_BCRYPT = '$2b$04$kDd2wb2TDfRk7iSjSNdtV.M4SbTOEnRBGvavPMOnIQITg1YwIWNgS';

export const TLS_CERT = fileURLToPath(new URL('./fixtures/tls-cert.pem', import.meta.url));
const TLS_KEY = fileURLToPath(new URL('./fixtures/tls-key.pem', import.meta.url));

export interface RegistryOptions {
  /** Storage root (the directory that will hold docker/registry/v2); a new temp dir when absent,
   * which outlives stop() (tests serve it again) and goes with the test file's temporary root. */
  storageDir?: string;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** Basic auth with SOURCE_USER (htpasswd). */
  htpasswd?: boolean;
  /** Token auth, as Harbor configures its registry. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Serve HTTPS with the test certificate (fixtures/tls-cert.pem, for 127.0.0.1). */
  tls?: boolean;
  /** catalog.maxentries: the most repositories one _catalog page may hold (distribution default 1000). */
  catalogMaxEntries?: number;
  /** Pull-through cache of another registry. */
  proxy?: { remoteUrl: string; username?: string; password?: string };
  /** storage.cache.blobdescriptor: inmemory, as the default config of registry:2 and of Debian's
   * docker-registry has it (the bench's source). Off for tests, which change storage behind the
   * registry's back and must not be answered from its cache. */
  blobDescriptorCache?: boolean;
}

export interface RunningRegistry {
  url: string;
  host: string;
  port: number;
  storageDir: string;
  /** Its config, log and htpasswd: removed by stop(). */
  workDir: string;
  logFile: string;
  /** Its process (the bench reads its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

export function registryAvailable(): boolean {
  return existsSync(REGISTRY_BINARY);
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  if (!registryAvailable()) {
    throw new Error(
      `${REGISTRY_BINARY} not found: install the Debian package docker-registry (apt-get install docker-registry)`,
    );
  }
  const work = removedAtExit(await mkdtemp(join(tmpdir(), 'hs-registry-')));
  const storageDir = options.storageDir ?? removedAtExit(await mkdtemp(join(tmpdir(), 'hs-registry-storage-')));
  await mkdir(storageDir, { recursive: true });
  // A port checked free can still be taken before the registry binds it: then it exits at once
  // ("address already in use") and we try another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const config = await writeConfig(work, storageDir, port, options);
    const logFile = join(work, `registry-${port}.log`);
    const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { createWriteStream } = await import('node:fs');
    const log = createWriteStream(logFile);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    try {
      await waitUntilUp(`http://127.0.0.1:${port}`, child, logFile);
    } catch (error) {
      const inUse = /address already in use/.test(await readFile(logFile, 'utf8').catch(() => ''));
      if (inUse && options.port === undefined && attempt < 5) continue;
      throw error;
    }
    return {
      url,
      host: `127.0.0.1:${port}`,
      port,
      storageDir,
      workDir: work,
      logFile,
      pid: child.pid ?? 0,
      stop: async () => {
        await stopChild(child);
        await rm(work, { recursive: true, force: true });
      },
    };
  }
}

/** Directories the harness made. A test file's go with its temporary root (setup.ts) before the
 * process ends; scripts that use the harness outside the tests (the bench) get theirs removed at
 * exit. Storage outlives stop(), since tests serve it again from a next registry. */
const made = new Set<string>();

function removedAtExit(dir: string): string {
  if (made.size === 0)
    process.once('exit', () => {
      for (const path of made) {
        try {
          rmSync(path, { recursive: true, force: true });
        } catch {
          // A read-only tree a test left: the temporary root's removal deals with it.
        }
      }
    });
  made.add(dir);
  return dir;
}

async function writeConfig(work: string, storageDir: string, port: number, options: RegistryOptions): Promise<string> {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    ...(options.blobDescriptorCache ? ['  cache:', '    blobdescriptor: inmemory'] : []),
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: false',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: harbor-sync-test-${port}`,
  ];
  if (options.tls) {
    lines.push('  tls:', `    certificate: ${TLS_CERT}`, `    key: ${TLS_KEY}`);
  }
  if (options.htpasswd) {
    const file = join(work, 'htpasswd');
    await writeFile(file, `${SOURCE_USER.username}:${SOURCE_USER_BCRYPT}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: basic-realm', `    path: ${file}`);
  } else if (options.token) {
    const t = options.token;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${t.realm}`,
      `    service: ${t.service}`,
      `    issuer: ${t.issuer}`,
      `    rootcertbundle: ${t.rootCertBundle}`,
    );
  }
  if (options.proxy) {
    lines.push('proxy:', `  remoteurl: ${options.proxy.remoteUrl}`);
    if (options.proxy.username)
      lines.push(`  username: ${options.proxy.username}`, `  password: ${options.proxy.password ?? ''}`);
  }
  if (options.catalogMaxEntries) lines.push('catalog:', `  maxentries: ${options.catalogMaxEntries}`);
  const file = join(work, 'config.yml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function waitUntilUp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`docker-registry exited at start; see ${logFile}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      // 200 or 401 both mean something is serving; it is ours only if our child still runs (one
      // that lost the port to another server exits within milliseconds).
      await new Promise((r) => setTimeout(r, 100));
      if (exited) break;
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on ${url} within 15 s; see ${logFile}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
