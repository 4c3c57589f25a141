// Tampering with a real storage tree (one the distribution registry wrote): copies to tamper with,
// the paths of its files, and what a run printed on stdout. For tests proving a storage source
// is read as data, inside its root only.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createReadStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh copy of the rootdirectory `storageDir` (holding docker/registry/v2) under `work`. */
export async function copyStorage(
  storageDir: string,
  work: string,
  name: string,
): Promise<{ dir: string; v2: string }> {
  const dir = join(work, name);
  await cp(storageDir, dir, { recursive: true, verbatimSymlinks: true });
  return { dir, v2: join(dir, 'docker', 'registry', 'v2') };
}

export function blobData(v2: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

export function tagDir(v2: string, repo: string, tag: string): string {
  return join(v2, 'repositories', repo, '_manifests', 'tags', tag);
}

export function tagLink(v2: string, repo: string, tag: string): string {
  return join(tagDir(v2, repo, tag), 'current', 'link');
}

export function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** A new empty directory to serve as $RUNNER_TEMP, set for the rest of the test file. */
export async function freshRunnerTemp(work: string): Promise<string> {
  const dir = await mkdtemp(join(work, 'runner-temp-'));
  process.env.RUNNER_TEMP = dir;
  return dir;
}

export async function listDir(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return await readdir(dir);
}

export async function tempWork(): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'hs-hostile-'));
}

/** Everything written to process.stdout while `work` runs (and still passed through). */
export async function captureStdout<T>(work: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const value = await work();
    return { value, stdout: chunks.join('') };
  } finally {
    process.stdout.write = original;
  }
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface FileServer {
  origin: string;
  seen: SeenRequest[];
  /** Decides each answer: serve the file, or status and headers. */
  answer: (req: SeenRequest) => { file: string } | { status: number; headers?: Record<string, string> };
  stop(): Promise<void>;
}

/** A node:http server that records every request with all its headers and streams files. */
export async function startFileServer(): Promise<FileServer> {
  const self: FileServer = { origin: '', seen: [], answer: () => ({ status: 404 }), stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } };
    self.seen.push(seen);
    req.resume();
    const answer = self.answer(seen);
    if ('file' in answer) {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      createReadStream(answer.file).pipe(res);
    } else {
      res.writeHead(answer.status, answer.headers).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return self;
}
