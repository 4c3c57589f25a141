// Every input, once: the CLI's --help and flags are built from this list, and a test checks that
// action.yml declares exactly these inputs with these defaults.
import { INPUT_DEFAULTS } from './inputs.js';

export interface InputInfo {
  name: string;
  description: string;
  default?: string;
  secret?: boolean;
  /** Environment variable the CLI reads when the flag is absent. */
  env?: string;
  cliOnly?: boolean;
}

const defaults = INPUT_DEFAULTS as Record<string, string>;

export const INPUTS: InputInfo[] = [
  { name: 'source-registry', description: 'Source registry URL with scheme (https://registry.example.com, http://127.0.0.1:5000), or a registry storage directory dir:///var/lib/registry, or a tarball of one file:///backup/registry.tar.gz' },
  { name: 'source-username', description: 'User for the source registry (empty: anonymous)', env: 'SOURCE_USERNAME' },
  { name: 'source-password', description: 'Password or token for the source registry', secret: true, env: 'SOURCE_PASSWORD' },
  { name: 'harbor-url', description: 'Harbor URL with scheme, e.g. https://harbor.example.com' },
  { name: 'harbor-username', description: 'Harbor user or robot account (robot$name)', env: 'HARBOR_USERNAME' },
  { name: 'harbor-password', description: 'Harbor password or robot secret', secret: true, env: 'HARBOR_PASSWORD' },
  { name: 'images', description: 'Images to sync, one per line or comma separated: repo:tag, repo@sha256:…, or repo (all its tags)' },
  { name: 'images-file', description: 'File with more images, same syntax, # starts a comment' },
  { name: 'create-projects', description: 'Create missing Harbor projects', default: defaults['create-projects'] },
  { name: 'project-visibility', description: 'Visibility of created projects: private or public', default: defaults['project-visibility'] },
  { name: 'default-project', description: 'Harbor project for single-level names such as alpine:3.19', default: defaults['default-project'] },
  { name: 'concurrency', description: 'Tags and blob transfers in flight at once (1-64)', default: defaults.concurrency },
  { name: 'dry-run', description: 'Plan only: classify every tag, write nothing (not even projects)', default: defaults['dry-run'] },
  { name: 'fail-on', description: 'Fail the run on: failed (failed tags), stale (also stale or incomplete tags), never', default: defaults['fail-on'] },
  { name: 'retries', description: 'Retries of a request or blob copy after 408, 429, 5xx or a network error (0-20)', default: defaults.retries },
  { name: 'retry-max-wait', description: 'Longest wait between retries in seconds, Retry-After included', default: defaults['retry-max-wait'] },
  { name: 'stall-timeout', description: 'Seconds without progress (connect, headers, or between body bytes) before a request counts as stalled', default: defaults['stall-timeout'] },
  { name: 'source-insecure', description: 'Skip TLS certificate verification for the source registry', default: defaults['source-insecure'] },
  { name: 'source-ca-file', description: 'PEM file with CA certificates to trust for the source registry' },
  { name: 'harbor-insecure', description: 'Skip TLS certificate verification for Harbor', default: defaults['harbor-insecure'] },
  { name: 'harbor-ca-file', description: 'PEM file with CA certificates to trust for Harbor' },
  { name: 'report-file', description: 'Where to write the JSON report (action default: $RUNNER_TEMP/harbor-sync-report.json)' },
  { name: 'summary-file', description: 'Where to write the Markdown summary (CLI)', cliOnly: true },
];
