// The report and summary files a run writes. Their folders are made and their paths checked
// before the run sends a request, so a typo costs seconds, not a whole sync that cannot say what
// it did; once tags were copied, each file is written whatever happens to the other.
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors/base.js';
import { writeScrubbed } from './redact/output.js';
import { printable } from './redact/text.js';
import type { OptionNaming } from './model/config.js';

export interface OutputFile {
  input: 'report-file' | 'summary-file' | 'junit-file' | 'html-file' | 'metrics-file';
  path: string;
  /** Written to a temporary file beside it, then renamed over it: a reader (node_exporter's
   * textfile collector scraping the metrics file) never sees half of it. */
  atomic?: boolean;
}

/** Makes each file's missing folders and checks the file can be written there: a ConfigError
 * naming the input and the path when not. Creates no file. */
export async function prepareOutputFiles(files: readonly OutputFile[], naming: OptionNaming): Promise<void> {
  for (const { input, path } of files) {
    const name = `${naming.name(input)} "${printable(path)}"`;
    const folder = dirname(resolve(path));
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw new ConfigError(`${name}: its folder ${printable(folder)} cannot be created: ${why(error)}`);
    }
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory())
      throw new ConfigError(
        `${name} is a directory: give the path of a file, e.g. ${printable(join(path, EXAMPLE_NAMES[input]))}`,
      );
    try {
      await access(existing ? path : folder, constants.W_OK);
    } catch (error) {
      throw new ConfigError(`${name} cannot be written: ${why(error)}`);
    }
  }
}

/** Writes one output file (scrubbed); a failure comes back as one line naming the input and the
 * file, so the caller can still write the other and say both. */
export async function writeOutputFile(
  file: OutputFile,
  text: string | Iterable<string>,
  naming: OptionNaming,
): Promise<string | undefined> {
  try {
    if (file.atomic) await writeAtomically(file.path, text);
    else await writeScrubbed(file.path, text);
    return undefined;
  } catch (error) {
    return `${naming.name(file.input)} "${printable(file.path)}" could not be written: ${why(error)}`;
  }
}

const EXAMPLE_NAMES: Record<OutputFile['input'], string> = {
  'report-file': 'harbor-sync-report.json',
  'summary-file': 'harbor-sync-summary.md',
  'junit-file': 'harbor-sync-junit.xml',
  'html-file': 'harbor-sync-report.html',
  'metrics-file': 'harbor_sync.prom',
};

/** The whole file or none of it: a name in the same folder (a rename never crosses file systems)
 * that node_exporter's textfile collector skips (it reads `*.prom` only), renamed over the file. */
async function writeAtomically(path: string, text: string | Iterable<string>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeScrubbed(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const REASONS: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOENT: 'a folder of the path does not exist',
};

/** The file system's refusal in words, without Node's repetition of the path. */
function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words = code ? REASONS[code] : undefined;
  if (words) return `${words} (${code})`;
  return printable(error instanceof Error ? error.message : String(error));
}
