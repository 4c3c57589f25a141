// Checks both ends before any tag is tried, so a wrong password is one clear error instead of
// a failure per tag.
import { redactUrl, type Clients } from './engine.js';
import { StepError, describeFailure } from './failure.js';
import { isRegistryError } from '../registry/errors.js';
import { RefusalCode, isAuthRefusal } from '../registry/auth-boundary.js';
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
    throw unreachable('source registry', 'source', config.source.url, error);
  });
  if (ping.ok) return;
  if (isAuthRefusal(ping.error)) {
    // Our own refusal (a realm over plain HTTP, a foreign origin asking for credentials), not the
    // registry's answer: say it as it is.
    const insecure = ping.error?.code === RefusalCode.insecureRealm;
    throw new StepError({
      ...describeFailure('auth', ping.error),
      ...(insecure && { hint: 'serve the token realm over https (distribution: auth.token.realm), or set source-insecure: true to accept plain HTTP for this registry' }),
    });
  }
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
  const plainToTls = httpToHttpsHint('source', ping.error?.registryMessage);
  throw new StepError({
    ...describeFailure('auth', ping.error),
    message: `source registry ${redactUrl(config.source.url)} answered /v2/ with ${ping.status}${plainToTls ? '' : ': is it a Docker registry (distribution API v2)?'}`,
    ...(plainToTls && { hint: plainToTls }),
  });
}

async function checkHarbor(config: SyncConfig, clients: Clients, logger: Logger): Promise<PreflightResult> {
  await clients.api.ping().catch((error: unknown) => {
    if (isRegistryError(error)) {
      throw new StepError({ ...describeFailure('auth', error), message: error.message, ...(httpToHttpsHint('harbor', error.registryMessage) && { hint: httpToHttpsHint('harbor', error.registryMessage) }) });
    }
    throw unreachable('Harbor', 'harbor', config.harbor.url, error);
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

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** A connection that could not be made, said in words, with what to try. */
function unreachable(what: string, prefix: 'source' | 'harbor', url: string, error: unknown): StepError {
  const cause = rootCause(error);
  const code = (cause as { code?: unknown }).code;
  const text = cause instanceof Error ? cause.message : String(cause);
  let hint: string | undefined;
  if (typeof code === 'string' && CERTIFICATE_ERRORS.test(code)) {
    hint = `its TLS certificate is not trusted (${code}): set ${prefix}-ca-file to the CA certificate that signed it, or ${prefix}-insecure: true`;
  } else if (code === 'ECONNREFUSED') {
    hint = `nothing listens there: check the host and port of ${prefix === 'source' ? 'source-registry' : 'harbor-url'}`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    hint = 'the host name does not resolve: check its spelling and the DNS of this machine';
  } else if (code === 'EPROTO' || /wrong version number/i.test(text)) {
    hint = `the server does not speak HTTPS there: use http:// if it is plain HTTP`;
  }
  return new StepError({ step: 'auth', ...(typeof code === 'string' && { code }), message: `${what} ${redactUrl(url)} is not reachable: ${text}`, ...(hint && { hint }) }, error);
}

function httpToHttpsHint(prefix: 'source' | 'harbor', message: string | undefined): string | undefined {
  return message && /HTTP request to an HTTPS server/i.test(message) ? `the server speaks HTTPS: write https:// in ${prefix === 'source' ? 'source-registry' : 'harbor-url'}` : undefined;
}

function rootCause(error: unknown): unknown {
  let e = error;
  for (let depth = 0; depth < 5 && e && typeof e === 'object' && (e as { cause?: unknown }).cause; depth++) e = (e as { cause?: unknown }).cause;
  return e;
}
