// The state every handler of the double shares.
import type { Agent } from 'node:http';
import type { Database } from './database.ts';
import type { Identities, RobotConfig } from './identities.ts';
import type { Signer } from './jwt.ts';
import type { UpstreamRequestRecord } from './proxy-cache.ts';

export interface ResolvedOptions {
  admin: { username: string; password: string };
  users: { username: string; password: string }[];
  robots: RobotConfig[];
  robotPrefix: string;
  tokenTtlSeconds: number;
  projectCreationRestriction: 'everyone' | 'adminonly';
  version: string;
}

export interface HarborState {
  db: Database;
  identities: Identities;
  signer: Signer;
  options: ResolvedOptions;
  readOnly: boolean;
  /** host:port of the front, used for the token realm and rewritten Locations. */
  frontHost: string;
  /** http://host:port of the backend registry; set once it runs. */
  backendUrl: string;
  agent: Agent;
  /** Every request sent to a proxy-cache project's upstream, for tests to count. */
  upstreamRequests: UpstreamRequestRecord[];
}
