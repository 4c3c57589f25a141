// Pulls through a proxy-cache project of the Harbor double, as clients fill a real one: a token from
// Harbor's token service, then docker's order (GET the manifest by tag, then every blob) or
// containerd's (HEAD by tag, GET by digest, then every blob). docs/harbor.md §7.1 says what Harbor
// caches on each; the double does that work before it answers (harbor-double/proxy-cache.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HarborDouble } from './harbor-double/index.ts';
import { type BuiltImage, type BuiltIndex, MANIFEST_ACCEPT } from './images.ts';
import type { RunningRegistry } from './registry.ts';

export interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

/** A puller of one repository `<project>/<upstream repo>` of the double, as its admin. */
export function proxyPuller(harbor: HarborDouble, repository: string) {
  const basic = `Basic ${Buffer.from(`${harbor.admin.username}:${harbor.admin.password}`).toString('base64')}`;
  let token: string | undefined;
  const call = async (method: 'GET' | 'HEAD', path: string, accept?: string): Promise<Answer> => {
    if (!token) {
      const res = await fetch(
        `${harbor.url}/service/token?service=harbor-registry&scope=repository:${repository}:pull`,
        { headers: { authorization: basic } },
      );
      token = ((await res.json()) as { token: string }).token;
    }
    const res = await fetch(`${harbor.url}/v2/${repository}/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(accept && { accept }) },
    });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const expectOk = (answer: Answer, what: string): Answer => {
    if (answer.status !== 200) throw new Error(`${what} through ${repository}: ${answer.status} ${answer.bytes}`);
    return answer;
  };
  const blobs = async (image: BuiltImage): Promise<void> => {
    for (const b of image.blobs) {
      const got = expectOk(await call('GET', `blobs/${b.digest}`), `blob ${b.digest}`);
      if (!got.bytes.equals(b.data)) throw new Error(`blob ${b.digest} through ${repository} differs`);
    }
  };
  const manifest = (method: 'GET' | 'HEAD', reference: string) =>
    call(method, `manifests/${reference}`, MANIFEST_ACCEPT);
  return {
    manifest,
    /** docker pull: the manifest by tag, then every blob. */
    async asDocker(tag: string, image: BuiltImage): Promise<void> {
      const got = expectOk(await manifest('GET', tag), `GET ${tag}`);
      if (!got.bytes.equals(image.manifest)) throw new Error(`${repository}:${tag} differs`);
      await blobs(image);
    },
    /** containerd pull: HEAD by tag for the digest, GET by digest, then every blob. */
    async asContainerd(tag: string, image: BuiltImage): Promise<void> {
      const head = expectOk(await manifest('HEAD', tag), `HEAD ${tag}`);
      const digest = head.headers.get('docker-content-digest');
      if (digest !== image.digest) throw new Error(`HEAD ${repository}:${tag} named ${digest}`);
      expectOk(await manifest('GET', digest), `GET ${digest}`);
      await blobs(image);
    },
    /** docker pull of an index: the index by tag, each child by digest with its blobs; the double
     * caches an index once it holds every child (Harbor waits for them), so the index is read by
     * tag once more at the end, as the next pull would. */
    async indexAsDocker(tag: string, index: BuiltIndex): Promise<void> {
      expectOk(await manifest('GET', tag), `GET ${tag}`);
      for (const { image } of index.children) {
        expectOk(await manifest('GET', image.digest), `GET ${image.digest}`);
        await blobs(image);
      }
      const again = expectOk(await manifest('GET', tag), `GET ${tag}`);
      if (!again.bytes.equals(index.manifest)) throw new Error(`${repository}:${tag} differs`);
    },
  };
}

/** What a cleanup leaves on a registry: the tag gone from its list, its manifest and blobs still there. */
export function deleteRegistryTag(registry: RunningRegistry, repository: string, tag: string): Promise<void> {
  return rm(join(registry.storageDir, 'docker/registry/v2/repositories', repository, '_manifests/tags', tag), {
    recursive: true,
  });
}

/** A blob gone from a repository of a registry (its link removed, as a garbage collection after
 * a delete leaves it, or a lost file): HEAD and GET answer 404 there. */
export function unlinkRegistryBlob(registry: RunningRegistry, repository: string, digest: string): Promise<void> {
  const hex = digest.replace(/^sha256:/, '');
  return rm(join(registry.storageDir, 'docker/registry/v2/repositories', repository, '_layers/sha256', hex), {
    recursive: true,
  });
}
