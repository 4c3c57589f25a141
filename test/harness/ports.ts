import { createServer } from 'node:net';

// Ports for servers that must be told their port before they bind it (the registry binary, the
// Harbor double whose token realm names its own URL). A port the kernel hands out for `listen(0)`
// and we release could be taken by anyone before our server binds it, and then a test would talk
// to another test's server. So ports come from below the kernel's ephemeral range (32768+ on
// Linux), where listen(0) never lands, spread by process id so parallel test workers do not meet;
// each is checked free at the time, and the registry harness retries when a bind still fails.
const BASE = 20_000;
const SPAN = 12_000;
let next = (process.pid * 97) % SPAN;

/** A TCP port on 127.0.0.1 that is free now and that no listen(0) will be given. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = BASE + (next++ % SPAN);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found in ${BASE}-${BASE + SPAN - 1}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
