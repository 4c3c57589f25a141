// Where distribution's filesystem driver keeps things (registry/storage/paths.go), relative to
// the `docker/registry/v2` directory. Pure path logic: every name and digest is checked against
// the reference grammar before it becomes a path, so nothing can point outside the root.
import { join } from 'node:path';

export { isDigest, isRepositoryName, isTag } from '../reference.js';

/** `sha256:<hex>` → ['sha256', '<hex>']; callers check isDigest first. */
function split(digest: string): [string, string] {
  const colon = digest.indexOf(':');
  return [digest.slice(0, colon), digest.slice(colon + 1)];
}

export function repositoriesDir(root: string): string {
  return join(root, 'repositories');
}

export function repositoryDir(root: string, repository: string): string {
  return join(root, 'repositories', ...repository.split('/'));
}

function manifestsDir(root: string, repository: string): string {
  return join(repositoryDir(root, repository), '_manifests');
}

export function tagsDir(root: string, repository: string): string {
  return join(manifestsDir(root, repository), 'tags');
}

export function tagLinkPath(root: string, repository: string, tag: string): string {
  return join(tagsDir(root, repository), tag, 'current', 'link');
}

export function revisionsDir(root: string, repository: string): string {
  return join(manifestsDir(root, repository), 'revisions');
}

export function revisionLinkPath(root: string, repository: string, digest: string): string {
  const [algorithm, hex] = split(digest);
  return join(revisionsDir(root, repository), algorithm, hex, 'link');
}

export function layerLinkPath(root: string, repository: string, digest: string): string {
  const [algorithm, hex] = split(digest);
  return join(repositoryDir(root, repository), '_layers', algorithm, hex, 'link');
}

export function blobDataPath(root: string, digest: string): string {
  const [algorithm, hex] = split(digest);
  return join(root, 'blobs', algorithm, hex.slice(0, 2), hex, 'data');
}
