// A source written as a bare path (`/backup/registry.tar`, `./registry`): no scheme, so no URL.
// Rather than "write http:// or https://", the refusal names the four schemes a source can have
// and writes out the one that fits: file:// for a tarball, dir:// for a directory.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { printable } from '../redact/text.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const TARBALL = /\.(tar|tar\.gz|tgz)$/i;
const PATH_START = /^(\/|\.{1,2}\/|~\/)/;
const SCHEMES =
  'http:// or https:// for a registry, dir:// for its storage directory, file:// for a tarball of that directory';

/** The refusal's text after `<input> "<value>" `, when `value` is a local path; else undefined. */
export function barePathProblem(value: string): string | undefined {
  if (SCHEME.test(value)) return undefined;
  const tarball = TARBALL.test(value);
  const directory = !tarball && isDirectory(value);
  if (!tarball && !directory && !PATH_START.test(value)) return undefined;
  const absolute = printable(resolve(value.startsWith('~/') ? `${homedir()}${value.slice(1)}` : value));
  if (tarball) return `has no scheme: a tarball is written file://${absolute} (the schemes: ${SCHEMES})`;
  if (directory) return `has no scheme: a storage directory is written dir://${absolute} (the schemes: ${SCHEMES})`;
  return `has no scheme: write ${SCHEMES}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
