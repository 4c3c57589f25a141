// Every file harbor-sync reads because a user named it is a regular file, read up to a cap: a
// FIFO, /dev/zero or a directory is refused before it is read (it would block the run for ever or
// be read until memory runs out), a file over its cap is refused from its size, unread.
import { describe, it, expect, vi, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, ConfigError } from '../../src/config/inputs.js';
import { CLI_NAMES } from '../../src/config/option-names.js';
import { FILE_LIMITS, readBoundedFile } from '../../src/config/read-file.js';
import { EXIT, main } from '../../src/cli/main.js';
import { asCli, syncInputs } from '../harness/sync-inputs.ts';

let dir: string;
let fifo: string;
let home: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hs-bounded-'));
  fifo = join(dir, 'pipe');
  // Nobody ever writes to it: reading it the ordinary way waits for ever.
  execFileSync('mkfifo', [fifo]);
  home = join(dir, 'home');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = syncInputs(
  'https://registry.example.com',
  { url: 'https://harbor.example.com' },
  { images: 'team-a/app:1' },
);

/** The inputs that name a file, each with what makes it read. */
const FILE_INPUTS: [input: string, extra: Record<string, string>][] = [
  ['images-file', {}],
  ['config-file', {}],
  ['source-ca-file', {}],
  ['harbor-ca-file', {}],
  ['upstream-ca-file', { 'upstream-registry': 'https://upstream.example.com' }],
  ['docker-config', {}],
];

function build(values: Record<string, string>) {
  return buildConfig((name) => values[name], { env: { HOME: home } });
}

describe('files named by inputs: regular files only', () => {
  const targets = (): [string, string, RegExp][] => [
    ['a FIFO', fifo, /it is a FIFO \(named pipe\), not a regular file$/],
    ['/dev/zero', '/dev/zero', /it is a character device, not a regular file$/],
    ['a directory', dir, /it is a directory, not a regular file$/],
  ];

  for (const [input, extra] of FILE_INPUTS) {
    it(`${input}: a FIFO, /dev/zero or a directory is refused, naming the input and the path`, async () => {
      for (const [, path, reason] of targets()) {
        // The docker config may be a directory holding config.json, as docker --config takes it.
        const wanted = input === 'docker-config' && path === dir ? join(dir, 'config.json') : path;
        const error = await build({ ...base, ...extra, [input]: path }).catch((e: unknown) => e);
        expect(error, `${input} ${path}`).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).not.toContain('\n');
        if (wanted !== path) {
          expect(message).toMatch(`docker config ${wanted} cannot be read: ENOENT: no such file or directory`);
          continue;
        }
        const named = input === 'docker-config' ? `docker config ${path}` : `${input} "${path}"`;
        expect(message.startsWith(`${named} cannot be read: `), message).toBe(true);
        expect(message).toMatch(reason);
      }
    });
  }

  it('through the CLI: exit 2, one line naming the flag and the path, in bounded time', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const [input, extra] of FILE_INPUTS) {
        for (const path of [fifo, '/dev/zero']) {
          stderr.mockClear();
          const cli = asCli('sync', { ...base, ...extra, [input]: path });
          const started = Date.now();
          const code = await main(cli.args, { HOME: home, ...cli.env });
          const written = stderr.mock.calls.map((c) => String(c[0])).join('');
          expect(code, written).toBe(EXIT.config);
          expect(written.trimEnd().split('\n'), written).toHaveLength(1);
          const named = input === 'docker-config' ? `docker config ${path}` : `${CLI_NAMES.name(input)} "${path}"`;
          expect(written).toContain(`harbor-sync: ${named} cannot be read: it is a `);
          expect(Date.now() - started).toBeLessThan(2000);
        }
      }
    } finally {
      stderr.mockRestore();
    }
  });

  it('report-merge: a FIFO or /dev/zero as a shard report is refused, exit 2, one line', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const [path, kind] of [
        [fifo, 'a FIFO (named pipe)'],
        ['/dev/zero', 'a character device'],
      ]) {
        stderr.mockClear();
        expect(await main(['report-merge', path!])).toBe(EXIT.config);
        expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toBe(
          `harbor-sync: ${path} cannot be read: it is ${kind}, not a regular file\n`,
        );
      }
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('files named by inputs: a cap per kind', () => {
  /** A sparse file: its size is set, not written, so reading it would be the only cost. */
  async function sparse(name: string, size: string): Promise<string> {
    const path = join(dir, name);
    execFileSync('truncate', ['-s', size, path]);
    return path;
  }

  it('an images file over 16 MiB is refused from its size', async () => {
    const path = await sparse('images.txt', '17M');
    await expect(build({ ...base, 'images-file': path })).rejects.toThrow(
      `images-file "${path}" cannot be read: it is larger than 16 MiB, more than an images file can hold`,
    );
  });

  it('a 64 GiB shard report is refused at once, unread', async () => {
    const path = await sparse('shard.json', '64G');
    const started = Date.now();
    await expect(readBoundedFile(path, 'report')).rejects.toThrow(
      'it is larger than 256 MiB, more than a report can hold',
    );
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('every kind refuses one byte over its cap and takes a file at the cap', async () => {
    for (const [kind, { bytes }] of Object.entries(FILE_LIMITS)) {
      if (bytes > 16 * 1024 * 1024) continue; // the report's cap is checked above, without writing it
      const at = join(dir, `${kind}-at`);
      await writeFile(at, Buffer.alloc(bytes, 'a'));
      expect((await readBoundedFile(at, kind as keyof typeof FILE_LIMITS)).length).toBe(bytes);
      const over = join(dir, `${kind}-over`);
      await writeFile(over, Buffer.alloc(bytes + 1, 'a'));
      await expect(readBoundedFile(over, kind as keyof typeof FILE_LIMITS)).rejects.toThrow(/it is larger than/);
    }
  });

  it('a file holding more than its size says is cut at the cap and refused', async () => {
    // /proc files report a size of 0; this one holds megabytes.
    const path = '/proc/kallsyms';
    await expect(readBoundedFile(path, 'ca-file')).rejects.toThrow(
      'it is larger than 1 MiB, more than a CA file can hold',
    );
    expect((await readBoundedFile('/proc/self/status', 'ca-file')).length).toBeGreaterThan(0);
  });

  it('reads a real images file of 5,000 lines whole', async () => {
    const path = join(dir, 'many.txt');
    await writeFile(path, Array.from({ length: 5000 }, (_, i) => `team-${i % 7}/app-${i}:1.2.${i}\n`).join(''));
    const config = await build({ ...base, 'images-file': path });
    expect(config.images).toHaveLength(5001);
    expect(config.images.at(-1)).toMatchObject({ repository: 'team-1/app-4999', tag: '1.2.4999' });
  });
});
