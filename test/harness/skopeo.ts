// skopeo as an independent oracle: what it reads back is what the registry really serves.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';

export const SKOPEO_BINARY = process.env.SKOPEO_BIN ?? '/usr/bin/skopeo';

export interface Creds {
  username: string;
  password: string;
}

export interface SkopeoInspectOptions {
  creds?: Creds;
  timeoutMs?: number;
}

export interface SkopeoCopyOptions {
  srcCreds?: Creds;
  destCreds?: Creds;
  /** Copy every child of an index (`--all`), not just the host's platform. */
  all?: boolean;
  /** Fail rather than let skopeo rewrite manifests (`--preserve-digests`). */
  preserveDigests?: boolean;
  timeoutMs?: number;
}

export function skopeoAvailable(): boolean {
  return existsSync(SKOPEO_BINARY);
}

/** `host/repo:tag` or `host/repo@sha256:…` → `docker://…`; refs with a transport pass through. */
export function dockerRef(ref: string): string {
  return /^(docker:\/\/|dir:|oci:|oci-archive:|docker-archive:)/.test(ref) ? ref : `docker://${ref}`;
}

/** Explicit creds, or explicitly none, so a stray auth.json on the machine never changes a result. */
function credArgs(flag: string, noFlag: string, creds: Creds | undefined): string[] {
  return creds ? [`${flag}=${creds.username}:${creds.password}`] : [noFlag];
}

function run(args: string[], timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      SKOPEO_BINARY,
      args,
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          // Credentials are test-only, but keep them out of messages anyway.
          const shown = args.map((a) => a.replace(/^(--(?:src-|dest-)?creds=)[^:]*:.*/, '$1***'));
          reject(
            new Error(
              `skopeo ${shown.join(' ')} failed (${error.message.split('\n')[0]}): ${stderr.toString().trim()}`,
            ),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** The manifest bytes exactly as the registry serves them. */
export async function skopeoInspectRaw(ref: string, opts: SkopeoInspectOptions = {}): Promise<Buffer> {
  const args = [
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...credArgs('--creds', '--no-creds', opts.creds),
    dockerRef(ref),
  ];
  return await run(args, opts.timeoutMs ?? 30_000);
}

/** sha256 of the raw manifest: the digest the registry must report for that reference. */
export async function skopeoDigest(ref: string, opts: SkopeoInspectOptions = {}): Promise<string> {
  const raw = await skopeoInspectRaw(ref, opts);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export async function skopeoCopy(src: string, dst: string, opts: SkopeoCopyOptions = {}): Promise<void> {
  const args = [
    '--insecure-policy',
    'copy',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    ...credArgs('--src-creds', '--src-no-creds', opts.srcCreds),
    ...credArgs('--dest-creds', '--dest-no-creds', opts.destCreds),
    ...(opts.all ? ['--all'] : []),
    ...(opts.preserveDigests ? ['--preserve-digests'] : []),
    dockerRef(src),
    dockerRef(dst),
  ];
  await run(args, opts.timeoutMs ?? 60_000);
}
