// The inputs of a sync from a source into a Harbor (the double, as a rule), built one way for every
// test, in the two forms the entry points take: by the names action.yml gives them (for
// buildConfig, and the action's INPUT_*: test/harness/run-bundle.ts), or as the CLI takes them
// (flags, and the logins in the environment, as the Jenkinsfile and the cron wrapper pass them).
import { HARBOR_ADMIN } from './harbor-double/admin.ts';

export interface Login {
  username: string;
  password: string;
}

export interface SyncLogins {
  /** Who logs in to Harbor: its admin unless given (the double's own, or HARBOR_ADMIN for a
   * server known by its URL only). */
  as?: Login;
  /** The source's login; none unless given. */
  source?: Login;
}

/** Inputs for a sync from `source` into `harbor`, then `extra` (which may override any of them). */
export function syncInputs(
  source: string,
  harbor: { url: string; admin?: Login },
  extra: Record<string, string> = {},
  logins: SyncLogins = {},
): Record<string, string> {
  const as = logins.as ?? harbor.admin ?? HARBOR_ADMIN;
  return {
    'source-registry': source,
    ...(logins.source && { 'source-username': logins.source.username, 'source-password': logins.source.password }),
    'harbor-url': harbor.url,
    'harbor-username': as.username,
    'harbor-password': as.password,
    ...extra,
  };
}

/** The environment variables the CLI reads each login input from. */
const LOGIN_ENV: Record<string, string> = {
  'source-username': 'SOURCE_USERNAME',
  'source-password': 'SOURCE_PASSWORD',
  'harbor-username': 'HARBOR_USERNAME',
  'harbor-password': 'HARBOR_PASSWORD',
};

/** `command` with `inputs` as the CLI takes them: every login in the environment, every other
 * input a `--name value` flag. */
export function asCli(
  command: string,
  inputs: Record<string, string>,
): { args: string[]; env: Record<string, string> } {
  const args = [command];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    const variable = LOGIN_ENV[name];
    if (variable) env[variable] = value;
    else args.push(`--${name}`, value);
  }
  return { args, env };
}

/** The logins alone, as the CLI's environment: Harbor's (HARBOR_ADMIN unless given) and the
 * source's when given; for a test whose flags are what it is about. */
export function loginEnv(logins: { harbor?: Login; source?: Login } = {}): Record<string, string> {
  const harbor = logins.harbor ?? HARBOR_ADMIN;
  return {
    ...(logins.source && { SOURCE_USERNAME: logins.source.username, SOURCE_PASSWORD: logins.source.password }),
    HARBOR_USERNAME: harbor.username,
    HARBOR_PASSWORD: harbor.password,
  };
}
