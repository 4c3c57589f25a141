// work-dir: where harbor-sync keeps temporary files (a compressed tarball's decompressed copy, a
// downloaded tarball). Checked here so a wrong one stops the run before anything is read.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors/base.js';
import { printable } from '../redact/text.js';

/** The directory as an absolute path; `input` names the option in messages. */
export async function workDirectory(value: string, input: string): Promise<string> {
  const path = resolve(value);
  const info = await stat(path).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      `${input} "${printable(value)}" ${code === 'ENOENT' ? 'does not exist' : `cannot be read: ${(error as Error).message}`}: name an existing directory with room for a compressed tarball's decompressed copy`,
    );
  });
  if (!info.isDirectory()) throw new ConfigError(`${input} "${printable(value)}" is not a directory`);
  return path;
}
