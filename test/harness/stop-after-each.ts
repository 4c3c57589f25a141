// Servers a test starts for itself (a Harbor double, a proxy, a scripted server) are stopped when
// that test ends, passed or failed, so one test's failure leaves nothing running for the next.
import { afterEach } from 'vitest';

export interface Stoppable {
  stop(): Promise<void>;
}

/** Registers an afterEach hook where it is called (a file's top level or a describe) and returns
 * `own`: `own(await startX())` is stopped after the test that started it. */
export function stopAfterEach(): <T extends Stoppable>(server: T) => T {
  const started: Stoppable[] = [];
  afterEach(async () => {
    for (const server of started.splice(0)) await server.stop();
  });
  return (server) => {
    started.push(server);
    return server;
  };
}
