// The one engine behind the action and the CLI: map the names, create the clients, check both
// ends (preflight), run (runner.ts), handle interruption, and always return a result: one tag's
// trouble never throws, and a problem that stops the whole run is the result's `fatal`.
import type { Logger } from '../model/events.js';
import type { SyncResult } from '../model/result.js';
import { closeClients, createClients, redactUrl, type Clients } from './clients.js';
import type { SyncConfig } from '../model/config.js';
import { RunContext } from './context.js';
import { toFailure } from './failure.js';
import { mapSpecs } from './jobs.js';
import { preflight } from './preflight.js';
import { Runner } from './runner.js';

export interface RunControl {
  /** Aborted when the run should stop (SIGINT/SIGTERM): no new tag starts. */
  signal?: AbortSignal;
  /** How long tags in flight may go on after the stop before their requests are abandoned. */
  graceMs?: number;
}

export async function runSync(
  config: SyncConfig,
  logger: Logger,
  clients?: Clients,
  control: RunControl = {},
): Promise<SyncResult> {
  // Two stages of stopping: `stop` ends scheduling at once; `abandon` cuts requests in flight
  // after the grace period, so an interrupted run ends within a few seconds.
  const stop = control.signal;
  const graceMs = control.graceMs ?? 5000;
  const abandon = new AbortController();
  const onStop = (): void => {
    logger.warn(`Interrupted: starting no new tags; tags in flight get ${(graceMs / 1000).toFixed(0)} s to finish`);
    setTimeout(() => abandon.abort(), graceMs).unref();
  };
  stop?.addEventListener('abort', onStop, { once: true });
  const started = new Date();
  const result: SyncResult = {
    startedAt: started.toISOString(),
    finishedAt: '',
    seconds: 0,
    dryRun: config.dryRun,
    source: redactUrl(config.source.url),
    harbor: redactUrl(config.harbor.url),
    projectsCreated: [],
    items: [],
    retained: [],
    harborNotes: [],
    notStarted: [],
    ...(config.shard && { shard: `${config.shard.index}/${config.shard.count}` }),
  };
  const all = clients ?? createClients(config, abandon.signal, logger);
  const ctx = new RunContext(config, all, logger, { stop, abandon: abandon.signal });
  const runner = new Runner(ctx, result);
  let began = false;
  try {
    // Every declared name is mapped before any network traffic: a name Harbor cannot take is
    // refused before anything is copied.
    const targets = mapSpecs(config.images, (repository) => runner.mapTarget(repository));
    const identity = await preflight(config, all, logger, ctx.transfer);
    if (identity.version !== undefined) result.harborVersion = identity.version;
    if (identity.user !== undefined) result.harborUser = identity.user;
    began = true;
    await runner.run(targets);
  } catch (error) {
    // A stop that lands while the source is prepared (a tarball decompressed, a catalog listed)
    // ends that step with an error of its own: the run was interrupted (exit 130), not broken.
    if (stop?.aborted) {
      if (!began) runner.stoppedBeforeStart();
      logger.warn(`Interrupted: ${toFailure(error, 'preflight').message}`);
    } else {
      result.fatal = toFailure(error, 'preflight');
      logger.error(`${result.fatal.message}${result.fatal.hint ? ` — ${result.fatal.hint}` : ''}`);
    }
  } finally {
    stop?.removeEventListener('abort', onStop);
    await closeClients(all);
  }
  if (stop?.aborted) result.interrupted = true;
  const finished = new Date();
  result.finishedAt = finished.toISOString();
  result.seconds = (finished.getTime() - started.getTime()) / 1000;
  return result;
}
