// Checks both ends before any tag is tried, so a wrong password or an unreachable host is one
// clear error instead of a failure per tag.
import { HarborSyncError, NetworkError, isHarborSyncError } from '../errors/base.js';
import { causeCode, causeText, rootCause } from '../errors/cause-chain.js';
import { isRegistryError } from '../errors/registry.js';
import type { Logger } from '../model/events.js';
import { isAuthRefusal } from '../registry/auth-boundary.js';
import { redirectedTo } from '../harbor/api.js';
import { sourceHarborProject } from '../sources/source-kinds.js';
import { redactUrl, type Clients } from './clients.js';
import { INPUT_NAMING, type SyncConfig } from '../model/config.js';
import type { Transfer } from '../transfer/transfer.js';
import { placeAt } from './failure.js';

export interface PreflightResult {
  version?: string;
  user?: string;
}

export async function preflight(
  config: SyncConfig,
  clients: Clients,
  logger: Logger,
  transfer: Transfer,
): Promise<PreflightResult> {
  // A project of Harbor itself as the source (harbor://PROJECT): Harbor first, so an unreachable
  // Harbor or refused credentials are said as Harbor's; the source then checks its project.
  if (sourceHarborProject(config.source.url) !== undefined) {
    const found = await checkHarbor(config, clients, logger);
    await checkSource(config, clients, logger, transfer);
    return found;
  }
  await checkSource(config, clients, logger, transfer);
  return await checkHarbor(config, clients, logger);
}

async function checkSource(config: SyncConfig, clients: Clients, logger: Logger, transfer: Transfer): Promise<void> {
  const naming = config.naming ?? INPUT_NAMING;
  const credentialsHint = `set ${naming.name('source-username')} and ${naming.name('source-password')}`;
  const ping = await clients.source.ping().catch((error: unknown) => {
    // A storage source that cannot be opened says so itself (step storage).
    if (isHarborSyncError(error) && error.step !== undefined) throw error;
    throw unreachable('source registry', 'source', config, error);
  });
  if (ping.ok) return;
  if (isAuthRefusal(ping.error)) {
    // Our own refusal (a realm over plain HTTP, a foreign origin asking for credentials), not the
    // registry's answer: say it as it is.
    const insecure = ping.error?.code === 'REALM_INSECURE';
    throw new HarborSyncError({
      ...placeAt(ping.error, 'auth').details(),
      ...(insecure && {
        hint: `serve the token realm over https (distribution: auth.token.realm), or set ${naming.setting('source-insecure', 'true')} to accept plain HTTP for this registry`,
      }),
    });
  }
  if (ping.status === 401 && config.source.credentials) {
    throw new HarborSyncError({
      code: 'CREDENTIALS_REJECTED',
      step: 'auth',
      status: 401,
      ...(ping.error?.registryCode !== undefined && { registryCode: ping.error.registryCode }),
      message: `the source registry ${clients.source.host} rejected the credentials of user "${config.source.credentials.username}"`,
      hint: `check ${naming.name('source-username')} and ${naming.name('source-password')}`,
    });
  }
  if (ping.status === 401) {
    // Public registries answer /v2/ with 401 even to anonymous pulls: only a refused anonymous
    // token, or a first listing that answers 401/403, means the source demands a login.
    const refusal =
      ping.error && ping.error.request !== 'GET /v2/' ? ping.error : await anonymousRefusal(config, clients, transfer);
    if (refusal) {
      throw new HarborSyncError({
        code: 'CREDENTIALS_REQUIRED',
        step: 'auth',
        ...(refusal.status !== undefined && { status: refusal.status }),
        ...(refusal.registryCode !== undefined && { registryCode: refusal.registryCode }),
        message: `the source registry ${clients.source.host} refuses anonymous access (${refusal.status ?? 401} on ${refusal.request ?? 'GET /v2/'}) and no credentials were given`,
        hint: credentialsHint,
        cause: refusal,
      });
    }
    logger.info(`The source registry ${clients.source.host} allows anonymous pulls`);
    return;
  }
  const plainToTls = httpToHttpsHint('source', ping.error?.registryMessage, config);
  throw new HarborSyncError({
    code: plainToTls ? 'TLS_FAILED' : 'NOT_A_REGISTRY',
    step: 'preflight',
    status: ping.status,
    ...(ping.error?.registryCode !== undefined && { registryCode: ping.error.registryCode }),
    message: `source registry ${redactUrl(config.source.url)} answered /v2/ with ${ping.status}${plainToTls ? '' : ': is it a Docker registry (distribution API v2)?'}`,
    ...(plainToTls && { hint: plainToTls }),
  });
}

async function checkHarbor(config: SyncConfig, clients: Clients, logger: Logger): Promise<PreflightResult> {
  await clients.api.ping().catch((error: unknown) => {
    if (isRegistryError(error)) {
      const naming = config.naming ?? INPUT_NAMING;
      const tls = httpToHttpsHint('harbor', error.registryMessage, config);
      const base = redirectedTo(error);
      const moved = base && `use the address it redirects to: write ${base} in ${naming.name('harbor-url')}`;
      const hint = tls ?? moved;
      throw new HarborSyncError({
        ...error.details(),
        code: tls ? 'TLS_FAILED' : 'NOT_HARBOR',
        step: 'preflight',
        ...(hint && { hint }),
        cause: error,
      });
    }
    throw unreachable('Harbor', 'harbor', config, error);
  });
  const username = config.harbor.credentials?.username ?? '';
  const identity = await clients.api.whoami().catch((error: unknown) => {
    const placed = placeAt(error, 'auth');
    if (placed.status === 401) {
      throw new HarborSyncError({
        ...placed.details(),
        code: 'CREDENTIALS_REJECTED',
        message: `Harbor at ${clients.api.url.host} rejected the credentials of user "${username}" (401 UNAUTHORIZED)`,
        hint: `check ${(config.naming ?? INPUT_NAMING).name('harbor-username')} and ${(config.naming ?? INPUT_NAMING).name('harbor-password')}; a robot account name includes its prefix (robot$…) — pass it through an environment variable or secret so no shell expands the $`,
        cause: error,
      });
    }
    throw placed;
  });
  const version = await clients.api.version().catch(() => undefined);
  logger.info(
    `Harbor ${version ?? '(version not shown)'} at ${clients.api.url.host}, as ${identity.kind} ${identity.name}${identity.sysadmin ? ' (system admin)' : ''}`,
  );
  return { ...(version !== undefined && { version }), user: identity.name };
}

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;
const KNOWN_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER']);

/** A connection that could not be made, said in words, with what to try. */
function unreachable(what: string, prefix: 'source' | 'harbor', config: SyncConfig, error: unknown): NetworkError {
  const naming = config.naming ?? INPUT_NAMING;
  const url = config[prefix].url;
  const urlInput = prefix === 'source' ? 'source-registry' : 'harbor-url';
  const code = causeCode(error, (c) => CERTIFICATE_ERRORS.test(c) || KNOWN_CODES.has(c));
  let hint: string | undefined;
  let tls = false;
  if (code !== undefined && CERTIFICATE_ERRORS.test(code)) {
    tls = true;
    // What to set comes first, in the names the user gives options in; Node's advice about its own
    // flags (--use-system-ca) is dropped from the message by causeText.
    hint = `set ${naming.name(`${prefix}-ca-file`)} to the CA certificate that signed it, or ${naming.setting(`${prefix}-insecure`, 'true')} (its TLS certificate is not trusted: ${code})`;
  } else if (code === 'ECONNREFUSED') {
    hint = `nothing listens there: check the host and port of ${naming.name(urlInput)}`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    hint = 'the host name does not resolve: check its spelling and the DNS of this machine';
  } else if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    // The server answered the TLS hello in plain HTTP: say that, not OpenSSL's record-layer text.
    tls = true;
    return new NetworkError({
      code: 'TLS_FAILED',
      step: 'network',
      message: `${what} ${redactUrl(url)} answers in plain HTTP, not HTTPS`,
      hint: `write ${redactUrl(url).replace(/^https:/, 'http:')} in ${naming.name(urlInput)}`,
      cause: error,
    });
  }
  // Library internals (OpenSSL's file and line, Node's advice) are not for the reader.
  const said = causeText(rootCause(error));
  return new NetworkError({
    code: tls ? 'TLS_FAILED' : 'UNREACHABLE',
    step: 'network',
    message: `${what} ${redactUrl(url)} is not reachable: ${said}`,
    ...(hint && { hint }),
    cause: error,
  });
}

function httpToHttpsHint(
  prefix: 'source' | 'harbor',
  message: string | undefined,
  config: SyncConfig,
): string | undefined {
  const naming = config.naming ?? INPUT_NAMING;
  return message && /HTTP request to an HTTPS server/i.test(message)
    ? `the server speaks HTTPS: write https:// in ${naming.name(prefix === 'source' ? 'source-registry' : 'harbor-url')}`
    : undefined;
}

/** The first listing this run needs, asked anonymously: a refusal (401/403) means the source
 * demands a login; anything else is left to the tags that hit it. */
async function anonymousRefusal(
  config: SyncConfig,
  clients: Clients,
  transfer: Transfer,
): Promise<HarborSyncError | undefined> {
  const first = config.images[0];
  try {
    if (first?.tag !== undefined || first?.digest !== undefined)
      await transfer.sourceManifest(first.repository, first.digest ?? first.tag!);
    else if (first) await clients.source.listTags(first.repository);
    else if (config.catalog) for await (const _page of clients.source.catalog()) break;
    return undefined;
  } catch (error) {
    return isHarborSyncError(error) && (error.status === 401 || error.status === 403) ? error : undefined;
  }
}
