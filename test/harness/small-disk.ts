// A real small disk for tests that must prove how much a run writes: a tmpfs of a few MB mounted
// on a directory (as root here; through passwordless sudo on CI runners). What the run writes
// there counts against its size, unlinked files held open included, as on a runner's disk.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, statfs } from 'node:fs/promises';

export interface SmallDisk {
  dir: string;
  /** Bytes in use now (statfs): files still open after an unlink count too. */
  used(): Promise<number>;
  /** What the directory holds, by name. */
  entries(): Promise<string[]>;
  unmount(): void;
}

function privileged(args: string[]): void {
  const root = process.getuid?.() === 0;
  try {
    execFileSync(root ? args[0]! : 'sudo', root ? args.slice(1) : ['-n', ...args], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `${args.join(' ')} failed (${(error as Error).message.split('\n')[0]}): these tests mount a small tmpfs, which needs root or passwordless sudo`,
    );
  }
}

/** Mounts a tmpfs of `bytes` on `dir` (created if missing), owned by this process's user. */
export async function mountSmallDisk(dir: string, bytes: number): Promise<SmallDisk> {
  await mkdir(dir, { recursive: true });
  const owner = process.getuid && process.getgid ? `,uid=${process.getuid()},gid=${process.getgid()}` : '';
  privileged(['mount', '-t', 'tmpfs', '-o', `size=${bytes},mode=0700${owner}`, 'tmpfs', dir]);
  let mounted = true;
  return {
    dir,
    used: async () => {
      const info = await statfs(dir);
      return (info.blocks - info.bfree) * info.bsize;
    },
    entries: () => readdir(dir),
    unmount: () => {
      if (!mounted) return;
      mounted = false;
      privileged(['umount', dir]);
    },
  };
}
