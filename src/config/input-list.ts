// Every input, once: the CLI's --help and flags are built from this list, and a test checks that
// action.yml declares exactly these inputs with these defaults.
/** Defaults, as the strings the inputs would hold. */
export const INPUT_DEFAULTS = {
  'create-projects': 'true',
  'project-visibility': 'private',
  'default-project': 'library',
  concurrency: '4',
  'dry-run': 'false',
  'fail-on': 'failed',
  verify: 'digest',
  retries: '4',
  'retry-max-wait': '60',
  'stall-timeout': '120',
  'source-insecure': 'false',
  'harbor-insecure': 'false',
  catalog: 'false',
  'upstream-concurrency': '2',
  'upstream-insecure': 'false',
  'include-signatures': 'true',
  'latest-include-non-semver': 'false',
  'include-untagged': 'false',
  'semver-include-prerelease': 'false',
} as const;

/** Inputs that take true or false: flags on the command line. */
export function isBooleanInput(input: InputInfo): boolean {
  return input.default === 'true' || input.default === 'false';
}

/** Inputs that hold a list (one item per line): given twice on the command line, they add up. */
export const LIST_INPUTS: ReadonlySet<string> = new Set([
  'images',
  'include',
  'exclude',
  'tags',
  'exclude-tags',
  'immutable-tags',
  'platforms',
  'mappings',
]);

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
  {
    name: 'source-registry',
    description:
      'Source registry URL with scheme (https://registry.example.com, http://127.0.0.1:5000), or a registry storage directory dir:///var/lib/registry, or a tarball of one file:///backup/registry.tar.gz, or a project of the Harbor at harbor-url harbor://hub-proxy (a proxy cache is read by digest only, so nothing it holds is lost; needs a mapping out of the project)',
  },
  {
    name: 'source-username',
    description: "User for the source registry (empty: anonymous; for harbor://, harbor-username's account)",
    env: 'SOURCE_USERNAME',
  },
  {
    name: 'source-password',
    description: 'Password or token for the source registry',
    secret: true,
    env: 'SOURCE_PASSWORD',
  },
  { name: 'harbor-url', description: 'Harbor URL with scheme, e.g. https://harbor.example.com' },
  { name: 'harbor-username', description: 'Harbor user or robot account (robot$name)', env: 'HARBOR_USERNAME' },
  { name: 'harbor-password', description: 'Harbor password or robot secret', secret: true, env: 'HARBOR_PASSWORD' },
  {
    name: 'docker-config',
    description:
      'Docker config.json (file or directory) to read credentials from when none are given; default $DOCKER_CONFIG or ~/.docker (auths, credsStore, credHelpers)',
  },
  {
    name: 'images',
    description: 'Images to sync, one per line or comma separated: repo:tag, repo@sha256:…, or repo (all its tags)',
  },
  { name: 'images-file', description: 'File with more images, same syntax, # starts a comment' },
  {
    name: 'config-file',
    description:
      'YAML file (version: 1) holding any of these inputs plus mappings; inputs given explicitly override it',
  },
  {
    name: 'catalog',
    description: 'Also sync every repository the source catalog lists (paged; copying starts while listing)',
    default: defaults.catalog,
  },
  {
    name: 'include',
    description:
      'Repositories to sync (catalog and whole-repository lines): globs like team-a/** or /regex/ (RE2 syntax, linear time), one per line',
  },
  {
    name: 'exclude',
    description: 'Repositories to leave out: globs or /regex/ (RE2 syntax, linear time), one per line',
  },
  { name: 'tags', description: 'Tags to sync, regexes (RE2 syntax, linear time) matching the whole tag, one per line' },
  { name: 'exclude-tags', description: 'Tags to leave out, regexes (RE2 syntax, linear time) matching the whole tag' },
  {
    name: 'immutable-tags',
    description:
      'Tags that never move once pushed (regexes in RE2 syntax matching the whole tag, e.g. v?\\d+\\.\\d+\\.\\d+): one Harbor already has is skipped without any request to the source',
  },
  {
    name: 'semver',
    description:
      'Only version tags in this range, e.g. >=1.2 <2 (variants such as 1.2.3-alpine count as their release; pre-releases are left out)',
  },
  {
    name: 'semver-include-prerelease',
    description: 'Let pre-release tags (2.0-rc1, 1.4.0-beta.2) take part in semver and latest',
    default: defaults['semver-include-prerelease'],
  },
  { name: 'latest', description: 'Only the N highest versions per repository' },
  {
    name: 'latest-include-non-semver',
    description: 'With latest: keep tags that are not versions (latest, stable) too',
    default: defaults['latest-include-non-semver'],
  },
  {
    name: 'mappings',
    description: 'Rewrite rules, one per line: "source-prefix => project/path" or "... (flatten)"; first match wins',
  },
  {
    name: 'include-signatures',
    description: 'Copy cosign signatures/attestations/SBOMs and OCI referrers along with their subject',
    default: defaults['include-signatures'],
  },
  {
    name: 'include-untagged',
    description:
      'Storage sources only (dir://, file://): also copy, by digest, the manifests of whole repositories that no tag points at',
    default: defaults['include-untagged'],
  },
  {
    name: 'platforms',
    description: 'Copy only these platforms of multi-arch images (writes a new index), e.g. linux/amd64,linux/arm64',
  },
  {
    name: 'upstream-registry',
    description:
      'The registry the source cached (pull-through cache): blobs missing on the source are fetched from it, digest-verified',
  },
  { name: 'upstream-username', description: 'User for upstream-registry', env: 'UPSTREAM_USERNAME' },
  {
    name: 'upstream-password',
    description: 'Password or token for upstream-registry',
    secret: true,
    env: 'UPSTREAM_PASSWORD',
  },
  {
    name: 'upstream-concurrency',
    description: 'Requests to upstream-registry in flight at once (it may rate-limit)',
    default: defaults['upstream-concurrency'],
  },
  {
    name: 'upstream-insecure',
    description: 'Skip TLS certificate verification for upstream-registry',
    default: defaults['upstream-insecure'],
  },
  { name: 'upstream-ca-file', description: 'PEM file with CA certificates to trust for upstream-registry' },
  {
    name: 'shard',
    description:
      'i/n: sync only the repositories of shard i of n (a stable hash of the repository name); merge the shard reports with report-merge',
  },
  { name: 'create-projects', description: 'Create missing Harbor projects', default: defaults['create-projects'] },
  {
    name: 'project-visibility',
    description: 'Visibility of created projects: private or public',
    default: defaults['project-visibility'],
  },
  {
    name: 'default-project',
    description: 'Harbor project for single-level names such as alpine:3.19',
    default: defaults['default-project'],
  },
  {
    name: 'concurrency',
    description:
      'How wide the run is (1-64). Blob transfers, and the tags being copied, run up to twice as many at once; looking at tags (is a tag in Harbor already, its manifests, which blobs the source has) four times as many',
    default: defaults.concurrency,
  },
  {
    name: 'dry-run',
    description: 'Plan only: classify every tag, write nothing (not even projects)',
    default: defaults['dry-run'],
  },
  {
    name: 'verify',
    description:
      "What a tag Harbor holds with the source's digest is checked for: digest (that alone), or blobs (also that Harbor serves every blob and manifest of it, a HEAD each; what Harbor lacks is pushed again from the source)",
    default: defaults.verify,
  },
  {
    name: 'fail-on',
    description:
      'Fail the run on: failed (failed tags), stale (also stale or incomplete tags), pending (in a dry run, also any tag the sync would still copy or repair, or could not), never',
    default: defaults['fail-on'],
  },
  {
    name: 'retries',
    description: 'Retries of a request or blob copy after 408, 429, 5xx or a network error (0-20)',
    default: defaults.retries,
  },
  {
    name: 'retry-max-wait',
    description: 'Longest wait between retries in seconds, Retry-After included',
    default: defaults['retry-max-wait'],
  },
  {
    name: 'stall-timeout',
    description:
      'Seconds without progress (connect, headers, or between body bytes) before a request counts as stalled',
    default: defaults['stall-timeout'],
  },
  {
    name: 'source-insecure',
    description: 'Skip TLS certificate verification for the source registry',
    default: defaults['source-insecure'],
  },
  { name: 'source-ca-file', description: 'PEM file with CA certificates to trust for the source registry' },
  {
    name: 'harbor-insecure',
    description: 'Skip TLS certificate verification for Harbor',
    default: defaults['harbor-insecure'],
  },
  { name: 'harbor-ca-file', description: 'PEM file with CA certificates to trust for Harbor' },
  {
    name: 'work-dir',
    description:
      'Where harbor-sync decompresses a compressed tarball source (.tar.gz, .tar.zst) and keeps a downloaded one (default: $RUNNER_TEMP, else the system temp dir); a plain .tar or dir:// needs no room there',
  },
  {
    name: 'report-file',
    description: 'Where to write the JSON report (action default: $RUNNER_TEMP/harbor-sync-report.json)',
  },
  { name: 'summary-file', description: 'Where to write the Markdown summary (CLI)', cliOnly: true },
  {
    name: 'junit-file',
    description:
      "Where to write a JUnit XML report, one test case per tag, for Jenkins' junit step or GitLab's artifacts:reports:junit",
  },
  {
    name: 'html-file',
    description:
      'Where to write the summary as one self-contained HTML page (no scripts, nothing fetched), e.g. to archive in Jenkins',
  },
  {
    name: 'metrics-file',
    description:
      "Where to write the run's Prometheus metrics (text format, replaced atomically), e.g. a .prom file in node_exporter's textfile directory",
  },
];
