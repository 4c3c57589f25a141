// Harbor projects: looked up once per run, created when allowed (never in a dry run).
import type { HarborApi } from '../harbor/api.js';
import type { RegistryClient } from '../registry/client.js';
import { StepError, describeFailure } from './failure.js';
import type { Logger, Visibility } from './types.js';

export class Projects {
  private readonly existing = new Map<string, Promise<boolean>>();
  private readonly ensured = new Map<string, Promise<void>>();
  readonly created: string[] = [];
  private readonly api: HarborApi;
  private readonly harbor: RegistryClient;
  private readonly options: { create: boolean; visibility: Visibility; logger: Logger };

  constructor(api: HarborApi, harbor: RegistryClient, options: { create: boolean; visibility: Visibility; logger: Logger }) {
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
      throw new StepError(describeFailure('project', error));
    });
    if (exists) return;
    if (!this.options.create) {
      throw new StepError({
        step: 'project',
        status: 404,
        code: 'NOT_FOUND',
        message: `project ${name} does not exist in Harbor`,
        hint: `create it in Harbor, or set create-projects: true`,
      });
    }
    try {
      const createdNow = await this.api.createProject(name, this.options.visibility);
      if (createdNow) {
        this.created.push(name);
        this.options.logger.info(`Created Harbor project ${name} (${this.options.visibility})`);
      }
    } catch (error) {
      const failure = describeFailure('project', error);
      if (failure.status === 403 || failure.status === 401) {
        failure.hint = `these credentials may not create projects in Harbor: create project ${name} beforehand, or use a system admin or a system robot allowed to create projects`;
      }
      throw new StepError(failure, error);
    }
    this.existing.set(name, Promise.resolve(true));
    // Harbor ignores tokens issued before the project existed (BEHAVIOR §1): those naming it go;
    // tokens for other projects stay good (dropping them all costs a token per repository again).
    this.harbor.invalidateTokens(name);
  }
}
