// Harbor projects: looked up once per run, created when allowed (never in a dry run). An existing
// project is also read once for the settings that would refuse or later delete what is copied
// into it: a proxy-cache project refuses every push, and a tag-retention policy may delete
// migrated tags later. Both are said once per project (docs/harbor.md §7, §11).
import { HarborPolicyError, HarborSyncError } from '../errors/base.js';
import type { HarborApi } from '../harbor/api.js';
import { describeImmutability, describeRetention } from '../harbor/policies.js';
import type { HarborNote } from '../model/result.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { OncePerKey } from '../transfer/once.js';
import { placeAt } from './failure.js';
import type { Logger } from '../model/events.js';
import type { OptionNaming, Visibility } from '../model/config.js';

export interface ProjectsOptions {
  create: boolean;
  visibility: Visibility;
  logger: Logger;
  naming: OptionNaming;
}

export class Projects {
  /** Each asked once per project; a failure is not remembered (the next tag asks again). */
  private readonly existing = new OncePerKey<boolean>();
  private readonly ensured = new OncePerKey<void>();
  private readonly inspected = new OncePerKey<HarborPolicyError | undefined>();
  readonly created: string[] = [];
  /** What the run learned about its target projects' settings, once per project. */
  readonly notes: HarborNote[] = [];
  private readonly api: HarborApi;
  private readonly harbor: RegistryClient;
  private readonly options: ProjectsOptions;

  constructor(api: HarborApi, harbor: RegistryClient, options: ProjectsOptions) {
    this.api = api;
    this.harbor = harbor;
    this.options = options;
  }

  exists(name: string): Promise<boolean> {
    return this.existing.run(name, () => this.api.projectExists(name)).promise;
  }

  /** Why nothing can be copied into the project (a proxy-cache project), or undefined. Reads the
   * project's settings once per run, and notes a retention policy that may delete tags later. */
  refusal(name: string): Promise<HarborPolicyError | undefined> {
    return this.inspected.run(name, () => this.inspect(name)).promise;
  }

  /** One line naming the immutability rules of a project where a tag could not be re-pointed. */
  async noteImmutability(name: string): Promise<void> {
    if (this.notes.some((n) => n.project === name && n.kind === 'immutable')) return;
    const rules = await this.api.immutableRules(name).catch(() => undefined);
    const described = rules && describeImmutability(rules);
    this.notes.push({
      project: name,
      kind: 'immutable',
      message: described
        ? `project ${name} has tag immutability rules (${described}): Harbor refuses to re-point a matching tag that moved at the source; the tag keeps its old artifact in Harbor`
        : `project ${name} has tag immutability rules (these credentials may not list them): Harbor refuses to re-point a matching tag that moved at the source`,
    });
  }

  private async inspect(name: string): Promise<HarborPolicyError | undefined> {
    if (this.wasCreated(name) || !(await this.exists(name))) return undefined;
    const settings = await this.api.projectSettings(name);
    if (settings?.registryId !== undefined) {
      const message = `project ${name} is a proxy-cache project (it mirrors registry #${settings.registryId}): Harbor refuses every push into it`;
      this.notes.push({ project: name, kind: 'proxy-cache', message });
      return new HarborPolicyError({
        code: 'PROXY_PROJECT',
        step: 'project',
        message,
        hint: `map these images to a regular project (${this.options.naming.name('mappings')}, or ${this.options.naming.name('default-project')} for single-level names); a proxy cache only pulls from its upstream`,
      });
    }
    if (settings?.retentionId !== undefined) {
      const policy = await this.api.retentionPolicy(settings.retentionId).catch(() => undefined);
      const described = policy
        ? describeRetention(policy)
        : `retention policy #${settings.retentionId} (these credentials may not read it)`;
      this.notes.push({
        project: name,
        kind: 'retention',
        message: `project ${name} has a tag-retention policy, ${described}: Harbor may delete migrated tags that fall outside it later; harbor-sync never deletes anything`,
      });
    }
    return undefined;
  }

  wasCreated(name: string): boolean {
    return this.created.includes(name);
  }

  /** Makes sure the project exists before anything is pushed into it. */
  ensure(name: string): Promise<void> {
    return this.ensured.run(name, () => this.create(name)).promise;
  }

  private async create(name: string): Promise<void> {
    const exists = await this.exists(name).catch((error: unknown) => {
      throw placeAt(error, 'project');
    });
    if (exists) return;
    if (!this.options.create) {
      throw new HarborSyncError({
        code: 'PROJECT_MISSING',
        step: 'project',
        message: `project ${name} does not exist in Harbor`,
        hint: `create it in Harbor, or set ${this.options.naming.setting('create-projects', 'true')}`,
      });
    }
    try {
      const createdNow = await this.api.createProject(name, this.options.visibility);
      if (createdNow) {
        this.created.push(name);
        this.options.logger.info(`Created Harbor project ${name} (${this.options.visibility})`);
      }
    } catch (error) {
      const placed = placeAt(error, 'project');
      if (placed.status === 403 || placed.status === 401) {
        throw new HarborSyncError({
          ...placed.details(),
          code: 'PERMISSION_DENIED',
          hint: `these credentials may not create projects in Harbor: create project ${name} beforehand, or use a system admin or a system robot allowed to create projects`,
          cause: error,
        });
      }
      throw placed;
    }
    this.existing.settle(name, true);
    // Harbor ignores tokens issued before the project existed (docs/harbor.md §1): those naming it go;
    // tokens for other projects stay good (dropping them all costs a token per repository again).
    this.harbor.invalidateTokens(name);
  }
}
