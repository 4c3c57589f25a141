// The Harbor an integration test syncs into: the Harbor double by default, or a real Harbor when
// HARBOR_E2E_URL is set (.github/workflows/e2e-harbor.yml installs one on the runner).
//
//   HARBOR_E2E_URL             e.g. http://10.1.0.4 (plain HTTP or HTTPS; TLS is not verified by skopeo)
//   HARBOR_E2E_USERNAME        a Harbor system admin (default admin): the tests' `admin`
//   HARBOR_E2E_PASSWORD
//   HARBOR_E2E_ROBOT_USERNAME  optional: a system robot (robot$…) with project create and push/pull
//   HARBOR_E2E_ROBOT_PASSWORD  on all projects, exposed as `robot`
//
// Both targets give what a test needs to sync and to check the result independently: `url`,
// `host`, `admin` (for the sync inputs and for skopeo), `projects()` and `tagDigest()` (both async:
// a real Harbor answers over its API). `double` is the Harbor double itself, only when it is one:
// tests that count requests (`double.requests`), set up robots, users, read-only mode or immutable
// tags need it and are skipped against a real Harbor (`describe.skipIf(REAL_HARBOR)`).
//
// What can run against a real Harbor (test/integration/sync.test.ts as of this writing):
//   - migrating a list (byte-identical per skopeo), a multi-arch index and its children by
//     digest, a whole repository, re-pointing a moved tag (tagDigest), stale/incomplete tags not
//     written (tagDigest undefined), create-projects false, a wrong source password, a dry run's
//     figures (into projects no test pushed to);
//   - but not their assertions on a *fresh* Harbor: a real one starts with the public project
//     `library`, so `projectsCreated` (expected: the named projects Harbor lacked before the run)
//     and the `projects()` lists differ (compare only the projects the test itself names), and
//     stop() is not a fresh start either (see below);
//   - nor anything on `double.requests` (blob uploads and mounts counted, "not one write"), the
//     robot/user set-ups, read-only mode, immutable tags, or the double's exact error texts.
//
// A real Harbor is shared by every test file: run them one file at a time
// (`vitest run --no-file-parallelism`). stop() deletes what appeared since start: the repositories
// it finds in projects that existed before, and projects that did not (with their repositories).
//
// What stop() cannot undo: deleting a repository deletes its artifacts (manifests and tags) from
// Harbor, and with each artifact Harbor drops the project's links to its blobs (the associations
// its quotas count); not the blobs: those stay in the registry's storage until garbage collection,
// and so do the repository path's own links to them (`_layers`), even when the project is deleted
// and made again. Whether a blob exists is answered per repository path, by those links (docs/harbor.md
// §9), not per project: a later push to the same `project/repository` finds its blobs "already in
// Harbor" (a dry run's `would upload` and `bytesPlanned` come out short, a copy counts `existing`
// blobs where a fresh Harbor would count `uploaded`), while a repository path no test has pushed to
// starts with none, in any project. A test whose figures depend on what Harbor lacks therefore
// pushes to repository paths no test has used (sync.test.ts: freshProject), and asserts on blob
// counts only for repositories this test file pushed to first. (Each start of the double is an
// empty Harbor with a storage directory of its own: nothing carries over there.)
import { startHarborDouble, type HarborDouble, type HarborDoubleOptions } from './harbor-double/index.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface HarborTarget {
  kind: 'double' | 'real';
  url: string; // scheme://host[:port], no trailing slash
  host: string; // host[:port], for skopeo references
  admin: Credentials;
  /** A system robot with project create and push/pull everywhere: the double has none unless asked for. */
  robot?: Credentials;
  /** The double itself; undefined against a real Harbor. */
  double?: HarborDouble;
  projects(): Promise<{ name: string; public: boolean }[]>;
  /** Digest of the artifact `repository:tag` points at (repository = 'project/path'), or undefined. */
  tagDigest(repository: string, tag: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface RealHarborConfig {
  url: string;
  admin: Credentials;
  robot?: Credentials;
}

/** The real Harbor configured by HARBOR_E2E_* variables, or undefined (use the double). */
export function realHarborConfig(env: NodeJS.ProcessEnv = process.env): RealHarborConfig | undefined {
  const url = env.HARBOR_E2E_URL?.trim().replace(/\/+$/, '');
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url)) throw new Error(`HARBOR_E2E_URL must start with http:// or https://, not "${url}"`);
  const password = env.HARBOR_E2E_PASSWORD;
  if (!password)
    throw new Error('HARBOR_E2E_URL is set, HARBOR_E2E_PASSWORD is not: give the password of a Harbor system admin');
  const robot =
    env.HARBOR_E2E_ROBOT_USERNAME && env.HARBOR_E2E_ROBOT_PASSWORD
      ? { username: env.HARBOR_E2E_ROBOT_USERNAME, password: env.HARBOR_E2E_ROBOT_PASSWORD }
      : undefined;
  return { url, admin: { username: env.HARBOR_E2E_USERNAME || 'admin', password }, ...(robot && { robot }) };
}

/** True when the tests run against a real Harbor: `describe.skipIf(REAL_HARBOR)` for double-only tests. */
export const REAL_HARBOR = Boolean(process.env.HARBOR_E2E_URL?.trim());

/**
 * The Harbor double (options passed on), or the real Harbor of HARBOR_E2E_URL. Against a real
 * Harbor, options are refused: robots, users and settings are the double's to fake.
 */
export async function startHarborTarget(options: HarborDoubleOptions = {}): Promise<HarborTarget> {
  const real = realHarborConfig();
  if (!real) return fromDouble(await startHarborDouble(options));
  const given = Object.keys(options);
  if (given.length > 0) {
    throw new Error(
      `startHarborTarget(${given.join(', ')}): these options need the Harbor double; skip this test against a real Harbor (describe.skipIf(REAL_HARBOR))`,
    );
  }
  return await fromRealHarbor(real);
}

function fromDouble(double: HarborDouble): HarborTarget {
  return {
    kind: 'double',
    url: double.url,
    host: double.host,
    admin: double.admin,
    double,
    projects: async () => double.projects().map((p) => ({ name: p.name, public: p.public })),
    tagDigest: async (repository, tag) => double.tagDigest(repository, tag),
    stop: () => double.stop(),
  };
}

// ---- a real Harbor, through its API (/api/v2.0, basic auth, no cookies: no CSRF token needed) ----

async function fromRealHarbor(config: RealHarborConfig): Promise<HarborTarget> {
  const api = new RealHarborApi(config.url, config.admin);
  await api.checkAdmin();
  const before = await api.snapshot();
  return {
    kind: 'real',
    url: config.url,
    host: new URL(config.url).host,
    admin: config.admin,
    ...(config.robot && { robot: config.robot }),
    projects: () => api.projects(),
    tagDigest: (repository, tag) => api.tagDigest(repository, tag),
    stop: () => api.removeAllBut(before),
  };
}

interface Snapshot {
  projects: Set<string>;
  repositories: Set<string>;
}

class RealHarborApi {
  private readonly url: string;
  private readonly admin: Credentials;
  private readonly authorization: string;

  constructor(url: string, admin: Credentials) {
    this.url = url;
    this.admin = admin;
    this.authorization = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`;
  }

  async checkAdmin(): Promise<void> {
    const res = await this.call('GET', '/api/v2.0/users/current');
    if (res.status !== 200)
      throw new Error(
        `HARBOR_E2E_URL ${this.url}: GET /api/v2.0/users/current as "${this.admin.username}" answered ${res.status}; HARBOR_E2E_USERNAME/PASSWORD must be a Harbor user`,
      );
    const user = (await res.json()) as { sysadmin_flag?: boolean };
    if (!user.sysadmin_flag)
      throw new Error(
        `HARBOR_E2E_USERNAME "${this.admin.username}" is not a Harbor system admin: the tests list and clean up every project`,
      );
  }

  async projects(): Promise<{ name: string; public: boolean }[]> {
    const all = await this.pages<{ name: string; metadata?: { public?: string } }>('/api/v2.0/projects');
    return all.map((p) => ({ name: p.name, public: p.metadata?.public === 'true' }));
  }

  async repositories(project: string): Promise<string[]> {
    const all = await this.pages<{ name: string }>(`/api/v2.0/projects/${encodeURIComponent(project)}/repositories`);
    return all.map((r) => r.name);
  }

  async tagDigest(repository: string, tag: string): Promise<string | undefined> {
    const [project, path] = splitRepository(repository);
    const res = await this.call(
      'GET',
      `/api/v2.0/projects/${encodeURIComponent(project)}/repositories/${encodeRepo(path)}/artifacts/${encodeURIComponent(tag)}`,
    );
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new Error(`Harbor: GET artifact ${repository}:${tag} answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { digest: string }).digest;
  }

  async snapshot(): Promise<Snapshot> {
    const projects = new Set((await this.projects()).map((p) => p.name));
    const repositories = new Set<string>();
    for (const project of projects) for (const repo of await this.repositories(project)) repositories.add(repo);
    return { projects, repositories };
  }

  /** Deletes repositories and projects that were not there at `before`. */
  async removeAllBut(before: Snapshot): Promise<void> {
    const problems: string[] = [];
    for (const { name: project } of await this.projects()) {
      for (const repository of await this.repositories(project)) {
        if (before.repositories.has(repository)) continue;
        const [, path] = splitRepository(repository);
        const res = await this.call(
          'DELETE',
          `/api/v2.0/projects/${encodeURIComponent(project)}/repositories/${encodeRepo(path)}`,
        );
        if (res.status !== 200 && res.status !== 404)
          problems.push(`DELETE repository ${repository}: ${res.status} ${await res.text()}`);
      }
      if (before.projects.has(project)) continue;
      const res = await this.call('DELETE', `/api/v2.0/projects/${encodeURIComponent(project)}`, {
        'X-Is-Resource-Name': 'true',
      });
      if (res.status !== 200 && res.status !== 404)
        problems.push(`DELETE project ${project}: ${res.status} ${await res.text()}`);
    }
    if (problems.length > 0) throw new Error(`cleaning up the real Harbor failed:\n  ${problems.join('\n  ')}`);
  }

  private async pages<T>(path: string): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; ; page++) {
      const res = await this.call('GET', `${path}?page=${page}&page_size=100`);
      if (res.status === 404) return all;
      if (res.status !== 200) throw new Error(`Harbor: GET ${path} answered ${res.status}: ${await res.text()}`);
      const items = (await res.json()) as T[];
      all.push(...items);
      if (items.length < 100) return all;
    }
  }

  private async call(method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
    return await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: this.authorization, Accept: 'application/json', ...headers },
    });
  }
}

/** 'team-a/tools/worker' → ['team-a', 'tools/worker']. */
function splitRepository(repository: string): [string, string] {
  const slash = repository.indexOf('/');
  if (slash < 0) throw new Error(`"${repository}" is not project/repository`);
  return [repository.slice(0, slash), repository.slice(slash + 1)];
}

/** Harbor's {repository_name}: URL-encoded twice, a/b → a%252Fb. */
function encodeRepo(path: string): string {
  return encodeURIComponent(encodeURIComponent(path));
}
