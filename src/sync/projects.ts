// Harbor projects: looked up once per run, created when allowed (never in a dry run).
import type { HarborApi } from '../harbor/api.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { HarborSyncError } from '../errors/base.js';
import { placeAt } from './failure.js';
import type { Logger } from '../model/events.js';
import type { OptionNaming, Visibility } from './config.js';

export interface ProjectsOptions {
  create: boolean;
  visibility: Visibility;
  logger: Logger;
  naming: OptionNaming;
}

export class Projects {
  private readonly existing = new Map<string, Promise<boolean>>();
  private readonly ensured = new Map<string, Promise<void>>();
  readonly created: string[] = [];
  private readonly api: HarborApi;
  private readonly harbor: RegistryClient;
  private readonly options: ProjectsOptions;

  constructor(api: HarborApi, harbor: RegistryClient, options: ProjectsOptions) {
    this.api = api;
    this.harbor = harbor;
    this.options = options;
  }

  exists(name: string): Promise<boolean> {
    let known = this.existing.get(name);
    if (!known) {
      known = this.api.projectExists(name);
      this.existing.set(name, known);
      known.catch(() => this.existing.delete(name));
    }
    return known;
  }

  wasCreated(name: string): boolean {
    return this.created.includes(name);
  }

  /** Makes sure the project exists before anything is pushed into it. */
  ensure(name: string): Promise<void> {
    let pending = this.ensured.get(name);
    if (!pending) {
      pending = this.create(name);
      this.ensured.set(name, pending);
      pending.catch(() => this.ensured.delete(name));
    }
    return pending;
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
    this.existing.set(name, Promise.resolve(true));
    // Harbor ignores tokens issued before the project existed (docs/harbor.md §1): those naming it go;
    // tokens for other projects stay good (dropping them all costs a token per repository again).
    this.harbor.invalidateTokens(name);
  }
}
