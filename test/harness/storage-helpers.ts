// Hand-built distribution storage layouts for unit tests (the real registry makes the ones the
// integration tests use), and a snapshot of a tree to prove a source was never written to.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, lstat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export function digestOf(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Builds `<dir>/docker/registry/v2` the way the filesystem driver lays it out. */
export class LayoutBuilder {
  readonly dir: string;
  readonly root: string;

  constructor(dir: string) {
    this.dir = dir;
    this.root = join(dir, 'docker', 'registry', 'v2');
  }

  static async create(): Promise<LayoutBuilder> {
    const builder = new LayoutBuilder(await mkdtemp(join(tmpdir(), 'hs-storage-unit-')));
    await mkdir(join(builder.root, 'repositories'), { recursive: true });
    await mkdir(join(builder.root, 'blobs'), { recursive: true });
    return builder;
  }

  blobPath(digest: string): string {
    const hex = digest.slice('sha256:'.length);
    return join(this.root, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  }

  async write(path: string, content: Buffer | string): Promise<string> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  }

  /** Stores the blob globally (blobs/) without linking it anywhere. */
  async blob(data: Buffer | string): Promise<string> {
    const digest = digestOf(data);
    await this.write(this.blobPath(digest), data);
    return digest;
  }

  layerLink(repo: string, digest: string): string {
    return join(this.root, 'repositories', repo, '_layers', 'sha256', digest.slice(7), 'link');
  }

  revisionLink(repo: string, digest: string): string {
    return join(this.root, 'repositories', repo, '_manifests', 'revisions', 'sha256', digest.slice(7), 'link');
  }

  tagLink(repo: string, tag: string): string {
    return join(this.root, 'repositories', repo, '_manifests', 'tags', tag, 'current', 'link');
  }

  /** A blob pushed to a repository: stored and linked under _layers. */
  async layer(repo: string, data: Buffer | string): Promise<string> {
    const digest = await this.blob(data);
    await this.write(this.layerLink(repo, digest), digest);
    return digest;
  }

  /** A manifest pushed by digest: stored and linked under _manifests/revisions. */
  async manifest(repo: string, body: object | string): Promise<{ digest: string; bytes: Buffer }> {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const digest = await this.blob(bytes);
    await this.write(this.revisionLink(repo, digest), digest);
    return { digest, bytes };
  }

  async tag(repo: string, tag: string, digest: string): Promise<void> {
    await this.write(this.tagLink(repo, tag), digest);
    await this.write(
      join(this.root, 'repositories', repo, '_manifests', 'tags', tag, 'index', 'sha256', digest.slice(7), 'link'),
      digest,
    );
  }

  /** An OCI image of the given layer contents, pushed and tagged. */
  async image(
    repo: string,
    tag: string,
    layers: string[],
  ): Promise<{ digest: string; bytes: Buffer; blobs: string[] }> {
    const config = `{"seed":"${repo}:${tag}"}`;
    const configDigest = await this.layer(repo, config);
    const layerDigests: string[] = [];
    for (const l of layers) layerDigests.push(await this.layer(repo, l));
    const body = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layerDigests.map((digest, i) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest,
        size: layers[i]!.length,
      })),
    };
    const m = await this.manifest(repo, body);
    await this.tag(repo, tag, m.digest);
    return { ...m, blobs: [configDigest, ...layerDigests] };
  }
}

/** Every path below `dir` with type, size, mode and mtime: equal snapshots mean nothing was written. */
export async function snapshotTree(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    lines.push(
      `${relative(dir, path) || '.'} ${info.isDirectory() ? 'd' : 'f'} ${info.size} ${info.mode.toString(8)} ${info.mtimeMs} ${info.ctimeMs}`,
    );
    if (info.isDirectory()) for (const name of (await readdir(path)).sort()) await visit(join(path, name));
  };
  await visit(dir);
  return lines;
}
