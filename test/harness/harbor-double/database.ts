// Harbor core's own records: projects, repositories, artifacts and tags. The backend registry only
// stores content; tags live here, as in Harbor (docs/harbor.md §6 "tags/list is served from Harbor's database").
import type { ProxyUpstream } from './proxy-cache.ts';

export type Action = 'pull' | 'push' | 'delete';

export interface ProjectRecord {
  id: number;
  name: string;
  public: boolean;
  createdAt: Date;
  ownerName: string;
  /** user name → actions; the creator becomes project admin (pull+push). */
  members: Map<string, Action[]>;
  /** Tags matching this are immutable (docs/harbor.md §6 policy errors). */
  immutableTagPattern: RegExp | null;
  /** The rule's tag pattern as Harbor's UI writes it (a doublestar glob), for immutabletagrules. */
  immutableTagGlob?: string;
  storageLimit: number;
  /** Set for a proxy-cache project: the registry endpoint it mirrors (docs/harbor.md §7). */
  registryId?: number;
  /** The upstream a proxy-cache project reads through (docs/harbor.md §7.1); without it, reads stay
   * local, as Harbor's do while the endpoint is unhealthy (`canProxy`). */
  upstream?: ProxyUpstream;
  /** The project's tag-retention policy (docs/harbor.md §11.2), as Harbor serves it. */
  retention?: { id: number; policy: Record<string, unknown> };
}

export interface ArtifactRecord {
  id: number;
  digest: string;
  /** The manifest's own media type. */
  manifestMediaType: string;
  /** Harbor's `media_type`: the config media type for images, the manifest media type otherwise. */
  mediaType: string;
  artifactType?: string;
  size: number;
  /** Bytes of the manifest itself. */
  manifestSize: number;
  pushTime: Date;
  /** Digest named by `subject` (referrers). */
  subject?: string;
  /** Digests listed by an index. */
  children: string[];
}

export interface TagRecord {
  id: number;
  name: string;
  digest: string;
  pushTime: Date;
}

export interface RepositoryRecord {
  id: number;
  name: string; // includes the project: p/a/b
  projectId: number;
  createdAt: Date;
  updatedAt: Date;
  artifacts: Map<string, ArtifactRecord>;
  tags: Map<string, TagRecord>;
}

export const PROJECT_NAME_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/; // docs/harbor.md §3

export class Database {
  projects = new Map<string, ProjectRecord>();
  repositories = new Map<string, RepositoryRecord>();
  private nextId = { project: 1, repository: 1, artifact: 1, tag: 1 };

  createProject(
    name: string,
    opts: { public?: boolean; owner?: string; createdAt?: Date; storageLimit?: number } = {},
  ): ProjectRecord {
    if (this.projects.has(name)) throw new Error(`project ${name} already exists`);
    const p: ProjectRecord = {
      id: this.nextId.project++,
      name,
      public: opts.public ?? false,
      createdAt: opts.createdAt ?? new Date(),
      ownerName: opts.owner ?? 'admin',
      members: new Map(),
      immutableTagPattern: null,
      storageLimit: opts.storageLimit ?? -1,
    };
    this.projects.set(name, p);
    return p;
  }

  project(nameOrId: string | number): ProjectRecord | undefined {
    if (typeof nameOrId === 'number') return [...this.projects.values()].find((p) => p.id === nameOrId);
    return this.projects.get(nameOrId);
  }

  repository(name: string): RepositoryRecord | undefined {
    return this.repositories.get(name);
  }

  /** Repositories that hold at least one artifact, sorted by name. */
  listRepositories(project?: string): RepositoryRecord[] {
    return [...this.repositories.values()]
      .filter((r) => r.artifacts.size > 0 && (project === undefined || r.name.startsWith(`${project}/`)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private ensureRepository(name: string): RepositoryRecord {
    let repo = this.repositories.get(name);
    if (!repo) {
      const project = this.projects.get(name.split('/')[0]!);
      repo = {
        id: this.nextId.repository++,
        name,
        projectId: project?.id ?? 0,
        createdAt: new Date(),
        updatedAt: new Date(),
        artifacts: new Map(),
        tags: new Map(),
      };
      this.repositories.set(name, repo);
    }
    return repo;
  }

  /** Records a successful manifest PUT; with a tag, the tag moves to this digest and the old artifact stays. */
  recordManifest(
    repository: string,
    digest: string,
    body: Buffer,
    contentType: string | undefined,
    tag?: string,
  ): ArtifactRecord {
    const repo = this.ensureRepository(repository);
    const now = new Date();
    let art = repo.artifacts.get(digest);
    if (!art) {
      art = { id: this.nextId.artifact++, digest, pushTime: now, ...describeManifest(body, contentType) };
      repo.artifacts.set(digest, art);
    } else {
      art.pushTime = now;
    }
    if (tag !== undefined) {
      const existing = repo.tags.get(tag);
      repo.tags.set(tag, { id: existing?.id ?? this.nextId.tag++, name: tag, digest, pushTime: now });
    }
    repo.updatedAt = now;
    return art;
  }

  /** Puts `tag` on an artifact the repository holds, moving it if it named another (`tag.Ctl.Ensure`). */
  ensureTag(repository: string, tag: string, digest: string): void {
    const repo = this.repositories.get(repository);
    if (!repo?.artifacts.has(digest) || repo.tags.get(tag)?.digest === digest) return;
    const existing = repo.tags.get(tag);
    repo.tags.set(tag, { id: existing?.id ?? this.nextId.tag++, name: tag, digest, pushTime: new Date() });
  }

  resolve(repository: string, reference: string): ArtifactRecord | undefined {
    const repo = this.repositories.get(repository);
    if (!repo) return undefined;
    const digest = reference.includes(':') ? reference : repo.tags.get(reference)?.digest;
    return digest ? repo.artifacts.get(digest) : undefined;
  }

  tagsOf(repository: string, digest: string): TagRecord[] {
    const repo = this.repositories.get(repository);
    if (!repo) return [];
    return [...repo.tags.values()].filter((t) => t.digest === digest).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  deleteArtifact(repository: string, digest: string): boolean {
    const repo = this.repositories.get(repository);
    if (!repo?.artifacts.delete(digest)) return false;
    for (const [name, t] of repo.tags) if (t.digest === digest) repo.tags.delete(name);
    return true;
  }
}

/** Media types, size and links of a manifest, the way Harbor's artifact abstractor reads them. */
function describeManifest(
  body: Buffer,
  contentType: string | undefined,
): Omit<ArtifactRecord, 'id' | 'digest' | 'pushTime'> {
  let m: Record<string, unknown> = {};
  try {
    m = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // The backend already accepted it; keep what we know.
  }
  const manifestMediaType =
    (typeof m.mediaType === 'string' && m.mediaType) ||
    contentType?.split(';')[0]?.trim() ||
    'application/vnd.oci.image.manifest.v1+json';
  const config = m.config as { mediaType?: string; size?: number } | undefined;
  const layers = Array.isArray(m.layers) ? (m.layers as { size?: number }[]) : [];
  const manifests = Array.isArray(m.manifests) ? (m.manifests as { digest?: string }[]) : [];
  const subject = (m.subject as { digest?: string } | undefined)?.digest;
  let size = body.length;
  if (config) size += (config.size ?? 0) + layers.reduce((n, l) => n + (l.size ?? 0), 0);
  const out: Omit<ArtifactRecord, 'id' | 'digest' | 'pushTime'> = {
    manifestMediaType,
    mediaType: config?.mediaType ?? manifestMediaType,
    size,
    manifestSize: body.length,
    children: manifests.map((c) => c.digest).filter((d): d is string => typeof d === 'string'),
  };
  const artifactType = typeof m.artifactType === 'string' ? m.artifactType : config?.mediaType;
  if (artifactType) out.artifactType = artifactType;
  if (subject) out.subject = subject;
  return out;
}
