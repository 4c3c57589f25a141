// Image references as users write them: `team-a/tools/worker:1.2`, `alpine@sha256:…`, `team-a/app`
// (every tag), optionally prefixed by the source registry's host. Grammar from distribution's
// reference package, built from named fragments so each error can say which part is wrong.
import { ConfigError } from '../errors/base.js';

/** distribution's path component: lowercase letters and digits, separators . _ __ - inside. The
 * one copy of the grammar: storage paths, mapping rules and references all use it. */
export const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;
const MAX_NAME = 255;

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses one reference. `sourceHost` (host[:port]) is stripped when the user included it. */
export function parseImageReference(input: string, sourceHost?: string): ImageReference {
  const text = input.trim();
  if (!text) throw new ConfigError('empty image reference');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw new ConfigError(`"${text}": digest "${digest}" is not of the form sha256:<64 lowercase hex>`);
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      throw new ConfigError(`"${text}": tag "${tag}" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
    }
  }
  const repository = stripHost(rest, text, sourceHost);
  if (!REPOSITORY.test(repository)) {
    throw new ConfigError(
      `"${text}": repository "${repository}" must be lowercase path components of letters and digits separated by "/" (separators . _ __ - inside a component)`,
    );
  }
  if (repository.length > MAX_NAME)
    throw new ConfigError(`"${text}": repository name is longer than ${MAX_NAME} characters`);
  return { repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

function stripHost(name: string, text: string, sourceHost: string | undefined): string {
  const slash = name.indexOf('/');
  if (slash < 0) return name;
  const first = name.slice(0, slash);
  const looksLikeHost = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!looksLikeHost) return name;
  if (sourceHost && first.toLowerCase() === sourceHost.toLowerCase()) return name.slice(slash + 1);
  throw new ConfigError(
    `"${text}": names registry host "${first}", but the source registry is ${sourceHost ?? '(not set)'}; list images without the host, relative to source-registry`,
  );
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export function isRepositoryName(value: string): boolean {
  return value.length <= MAX_NAME && REPOSITORY.test(value);
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** Token scope for a repository, e.g. `repository:p/r:pull,push`. */
export function repositoryScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}
