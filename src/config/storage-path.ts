// A source written as a bare path (`/backup/registry.tar`, `./registry`): no scheme, so no URL.
// Rather than "write http:// or https://", the refusal names the schemes a source can have (each
// kind in src/sources) and writes out the URL of the kind that reads such a path: file:// for a
// tarball, dir:// for a directory.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { printable } from '../redact/text.js';
import { SOURCE_KINDS, sourceSchemes } from '../sources/source-kinds.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const PATH_START = /^(\/|\.{1,2}\/|~\/)/;

/** The refusal's text after `<input> "<value>" `, when `value` is a local path; else undefined. */
export function barePathProblem(value: string): string | undefined {
  if (SCHEME.test(value)) return undefined;
  const absolute = printable(resolve(value.startsWith('~/') ? `${homedir()}${value.slice(1)}` : value));
  let written: string | undefined;
  for (const kind of SOURCE_KINDS) written ??= kind.suggest?.(absolute, () => isDirectory(value));
  if (!written && !PATH_START.test(value)) return undefined;
  return written
    ? `has no scheme: ${written} (the schemes: ${sourceSchemes()})`
    : `has no scheme: write ${sourceSchemes()}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
