// Harbor's /api/v2.0 in memory, over a FakeRegistry that plays Harbor's /v2 side. Projects exist or
// not, as in Harbor: /v2 refuses every request into a project that does not exist (401 "project
// not found", docs/harbor.md §2.3), so an engine that pushes before creating the project fails
// here as it would there. The artifact listing is read from the registry's contents, listing an
// index's children only when tagged, as Harbor does.
import { httpError } from '../../src/errors/registry.ts';
import type {
  HarborApi,
  HarborIdentity,
  PolicyRule,
  ProjectSettings,
  RepositoryListing,
  RepositorySummary,
  RetentionPolicy,
} from '../../src/harbor/api.ts';
import { referencesOf } from './fake-manifests.ts';
import { FakeRegistry, networkError, type Fault } from './fake-registry.ts';

export type ApiMethod =
  | 'ping'
  | 'version'
  | 'whoami'
  | 'projectExists'
  | 'createProject'
  | 'tagDigests'
  | 'projectSettings'
  | 'retentionPolicy'
  | 'immutableRules'
  | 'listRepositories';

export interface ApiCall {
  method: ApiMethod;
  args: string[];
}

export class FakeHarborApi implements HarborApi {
  readonly url: URL;
  /** Harbor's /v2 side: hand it to the engine as `harbor`. */
  readonly registry: FakeRegistry;
  readonly calls: ApiCall[] = [];
  readonly projects = new Map<string, 'private' | 'public'>();
  /** Project settings Harbor would report (proxy cache, retention policy id). */
  readonly settings = new Map<string, ProjectSettings>();
  readonly retentions = new Map<number, RetentionPolicy>();
  readonly immutability = new Map<string, PolicyRule[]>();
  identity: HarborIdentity = { kind: 'user', name: 'admin', sysadmin: true };
  closed = false;
  private readonly faults: { method: ApiMethod; fault: Fault; remaining: number }[] = [];

  constructor(host = 'harbor.test') {
    this.url = new URL(`https://${host}/`);
    this.registry = new FakeRegistry({ host, access: (repository) => this.refusal(repository) });
  }

  addProject(name: string, visibility: 'private' | 'public' = 'private'): this {
    this.projects.set(name, visibility);
    return this;
  }

  /** The next `times` calls of `method` answer `fault`. */
  fail(method: ApiMethod, fault: Fault, times = 1): this {
    this.faults.push({ method, fault, remaining: times });
    return this;
  }

  callsOf(method: ApiMethod): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async ping(): Promise<void> {
    this.record('ping', [], 'GET api/v2.0/ping');
  }

  async version(): Promise<string | undefined> {
    this.record('version', [], 'GET api/v2.0/systeminfo');
    return 'v2.15.0';
  }

  async whoami(): Promise<HarborIdentity> {
    this.record('whoami', [], 'GET api/v2.0/users/current');
    return this.identity;
  }

  async projectExists(name: string): Promise<boolean> {
    this.record('projectExists', [name], 'HEAD api/v2.0/projects');
    return this.projects.has(name);
  }

  async createProject(name: string, visibility: 'private' | 'public'): Promise<boolean> {
    this.record('createProject', [name, visibility], 'POST api/v2.0/projects');
    if (this.projects.has(name)) return false; // 409: already there
    this.projects.set(name, visibility);
    return true;
  }

  async tagDigests(project: string, path: string): Promise<RepositoryListing> {
    this.record('tagDigests', [project, path], `GET api/v2.0/projects/${project}/repositories/${path}/artifacts`);
    const repository = `${project}/${path}`;
    const tags = new Map(this.registry.tags(repository).map((tag) => [tag, this.registry.tagDigest(repository, tag)!]));
    const tagged = new Set(tags.values());
    const digests = this.registry.manifestDigests(repository);
    // Children of an index are not artifacts of their own unless tagged.
    const children = new Set(
      digests.flatMap((d) => {
        // Harbor's database outlives what its storage lost (FakeRegistry.damage).
        const stored = this.registry.manifest(repository, d);
        return (stored && referencesOf(stored.bytes, stored.mediaType)?.manifests) ?? [];
      }),
    );
    const artifacts = digests.filter((d) => tagged.has(d) || !children.has(d)).length;
    return { tags, pushedAt: new Map(), artifacts };
  }

  async projectSettings(name: string): Promise<ProjectSettings | undefined> {
    this.record('projectSettings', [name], `GET api/v2.0/projects/${name}`);
    return this.projects.has(name) ? (this.settings.get(name) ?? {}) : undefined;
  }

  async retentionPolicy(id: number): Promise<RetentionPolicy | undefined> {
    this.record('retentionPolicy', [String(id)], `GET api/v2.0/retentions/${id}`);
    return this.retentions.get(id);
  }

  async immutableRules(project: string): Promise<PolicyRule[] | undefined> {
    this.record('immutableRules', [project], `GET api/v2.0/projects/${project}/immutabletagrules`);
    return this.immutability.get(project) ?? [];
  }

  async listRepositories(project: string): Promise<RepositorySummary[]> {
    this.record('listRepositories', [project], `GET api/v2.0/projects/${project}/repositories`);
    return this.registry
      .repositoryNames()
      .filter((name) => name.startsWith(`${project}/`))
      .map((name) => ({ name, artifacts: this.registry.manifestDigests(name).length }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** `request`: the HTTP method and path the real client sends, for a scripted error. */
  private record(method: ApiMethod, args: string[], request: string): void {
    this.calls.push({ method, args });
    const scripted = this.faults.find((f) => f.method === method && f.remaining > 0);
    if (!scripted) return;
    scripted.remaining -= 1;
    const { fault } = scripted;
    if ('network' in fault) throw networkError(fault.network, 'connect');
    const [verb = 'GET', path = ''] = request.split(' ');
    const body =
      verb === 'HEAD' ? '' : JSON.stringify({ errors: [{ code: fault.code, message: fault.message ?? fault.code }] });
    throw httpError({ method: verb, path, host: this.url.host, status: fault.status, body });
  }

  /** Harbor's answer on /v2 for a repository whose project does not exist. */
  private refusal(repository: string): Fault | undefined {
    const project = repository.split('/')[0]!;
    if (this.projects.has(project)) return undefined;
    const message = `project ${project} not found`;
    return { status: 401, code: 'UNAUTHORIZED', message: `${message}: ${message}` };
  }
}
