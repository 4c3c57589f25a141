// undici's connection pool and request API, and nothing else of undici. Loading the package's
// index also builds fetch, WebSocket, EventSource, caches and their WebIDL machinery, none of which
// harbor-sync uses: about 13 MB more resident memory from the first second (measured with
// /usr/bin/time: 71 MB for `require('undici')`, 58 MB for these two modules). They are undici's
// own files with undici's own types (src/types/undici-internals.d.ts); an undici that moves them
// fails the type-check and every integration test, never a user (package-lock pins it).
import type { Agent as AgentType, Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestOn from 'undici/lib/api/api-request.js';

export const Agent: typeof AgentType = AgentClass;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

/** undici's `request(url, options)`, always on the dispatcher given. */
export function request(url: URL, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return requestOn.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
