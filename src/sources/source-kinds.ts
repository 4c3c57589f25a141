// The source kinds, each registered once: which kind a source URL is, and what the messages
// that list them say. Adding a kind: its file here (claims, check, traits, open), one line in
// SOURCE_KINDS, its client below (src/registry, src/harbor), the source-registry input's
// description, and docs/sources.md (docs/sources.md#adding-a-source-kind).
import { ConfigError } from '../errors/base.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { OpenContext, SourceKind, SourceTraits } from './kind.js';
import { harborProject } from './harbor-project.js';
import { registryApi } from './registry-api.js';
import { storageArchive } from './storage-archive.js';
import { storageDirectory } from './storage-directory.js';

export { SourceUrlError, type OpenContext, type SourceKind, type SourceTraits } from './kind.js';

/** In the order messages list them. */
export const SOURCE_KINDS: readonly SourceKind[] = [registryApi, storageDirectory, storageArchive, harborProject];

/** The kind that claims this URL, or undefined when none does (no scheme, or one no kind takes). */
export function sourceKind(url: string): SourceKind | undefined {
  return SOURCE_KINDS.find((kind) => kind.claims(url));
}

/** The kind of a URL the configuration accepted. */
export function sourceKindOf(url: string): SourceKind {
  const kind = sourceKind(url);
  if (!kind) throw new ConfigError(`source-registry must start with ${sourceSchemes()}`);
  return kind;
}

/** The Harbor project a source URL reads (harbor://PROJECT), or undefined for any other kind. */
export function sourceHarborProject(url: string): string | undefined {
  return sourceKind(url)?.harborProject?.(url);
}

/** The source's client, opened at first use by the kind its URL names. */
export function openSource(context: OpenContext): RegistryClient {
  return sourceKindOf(context.source.url).open(context);
}

/** `http:// or https:// for a registry, dir:// for its storage directory, …`. */
export function sourceSchemes(): string {
  return SOURCE_KINDS.map((kind) => kind.written).join(', ');
}

/** The traits a kind has or has not. */
export type SourceFlag = { [K in keyof SourceTraits]: SourceTraits[K] extends boolean ? K : never }[keyof SourceTraits];

/** How the kinds with a trait are written: `dir://, file:// or an http(s) URL of a .tar/.tar.gz`. */
export function formsWith(trait: SourceFlag): string {
  return SOURCE_KINDS.filter((kind) => kind.traits[trait])
    .map((kind) => kind.forms)
    .join(', ');
}
