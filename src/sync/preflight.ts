// Checks both ends before any tag is tried, so a wrong password is one clear error instead of
// a failure per tag.
import type { Clients } from './engine.js';
import { StepError, describeFailure } from './failure.js';
import type { Logger, SyncConfig } from './types.js';

export interface PreflightResult {
  version?: string;
  user?: string;
}

export async function preflight(config: SyncConfig, clients: Clients, logger: Logger): Promise<PreflightResult> {
  await checkSource(config, clients, logger);
  return await checkHarbor(config, clients, logger);
}

async function checkSource(config: SyncConfig, clients: Clients, logger: Logger): Promise<void> {
  const ping = await clients.source.ping().catch((error: unknown) => {
    throw new StepError({ ...describeFailure('auth', error), message: `source registry ${config.source.url} is not reachable: ${errorText(error)}` });
  });
  if (ping.ok) return;
  if (ping.status === 401 && config.source.credentials) {
    throw new StepError({
      step: 'auth',
      status: 401,
      code: ping.error?.code ?? 'UNAUTHORIZED',
      message: `the source registry ${clients.source.host} rejected the credentials of user "${config.source.credentials.username}"`,
      hint: 'check source-username and source-password (or SOURCE_USERNAME / SOURCE_PASSWORD)',
    });
  }
  if (ping.status === 401) {
    logger.warn(`The source registry ${clients.source.host} wants credentials for /v2/; trying anonymous pulls (set source-username/source-password if they fail)`);
    return;
  }
  throw new StepError({ ...describeFailure('auth', ping.error), message: `source registry ${config.source.url} answered /v2/ with ${ping.status}: is it a registry?` });
}

async function checkHarbor(config: SyncConfig, clients: Clients, logger: Logger): Promise<PreflightResult> {
  await clients.api.ping().catch((error: unknown) => {
    throw new StepError({ ...describeFailure('auth', error), message: `Harbor at ${config.harbor.url} is not reachable or not Harbor 2.x: ${errorText(error)}` });
  });
  const username = config.harbor.credentials?.username;
  if (!username) {
    throw new StepError({ step: 'auth', message: 'no Harbor credentials: set harbor-username and harbor-password (or HARBOR_USERNAME / HARBOR_PASSWORD)' });
  }
  const identity = await clients.api.whoami().catch((error: unknown) => {
    const failure = describeFailure('auth', error);
    if (failure.status === 401) {
      throw new StepError({
        ...failure,
        message: `Harbor at ${clients.api.url.host} rejected the credentials of user "${username}" (401 UNAUTHORIZED)`,
        hint: 'check harbor-username and harbor-password; a robot account name includes its prefix (robot$…) — pass it through an environment variable or secret so no shell expands the $',
      });
    }
    throw new StepError(failure, error);
  });
  const version = await clients.api.version().catch(() => undefined);
  logger.info(`Harbor ${version ?? '(version not shown)'} at ${clients.api.url.host}, as ${identity.kind} ${identity.name}${identity.sysadmin ? ' (system admin)' : ''}`);
  return { ...(version !== undefined && { version }), user: identity.name };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
