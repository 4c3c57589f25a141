// The vocabulary of failure: where a run failed (Step) and what went wrong (ErrorCode). Both are
// stable: they appear in the JSON report (docs/report.md lists them) and users script on them.

/** Where in a run something failed. */
export const STEPS = [
  'config',
  'preflight',
  'auth',
  'network',
  'storage',
  'discover',
  'project',
  'blob',
  'manifest',
  'verify',
  'interrupted',
] as const;
export type Step = (typeof STEPS)[number];

/** harbor-sync's own error codes, each with what it means (docs/report.md is made from this). */
export const ERROR_CODES = {
  CONFIG_INVALID: 'an input, flag, config file or images file is not valid',
  NAME_COLLISION: 'two source repositories map to one Harbor repository; nothing was copied to it',
  NAME_INVALID: 'a name that Harbor or the registry cannot take (a project name, a listed tag or repository)',
  CREDENTIALS_REJECTED: 'the registry or Harbor refused the credentials given',
  CREDENTIALS_REQUIRED: 'the source refuses anonymous access and no credentials were given',
  PERMISSION_DENIED:
    'the credentials are accepted but may not do this (pull, push, create a project, list the catalog)',
  AUTH_FOREIGN_ORIGIN:
    'another origin (a redirect target) asked for credentials; they are only sent to the registry named',
  REALM_INSECURE: 'an https registry names its token service over plain http; no credentials were sent',
  REALM_REFUSED: 'the registry named a token realm that is not a URL, or another realm than the one it named first',
  UNREACHABLE: 'no connection could be made (refused, unknown host, timed out)',
  TLS_FAILED: 'the TLS handshake failed: an untrusted certificate, or http spoken to an https server',
  NOT_A_REGISTRY: 'the source does not answer the distribution API at /v2/',
  NOT_HARBOR: 'harbor-url does not answer as Harbor 2.x',
  HTTP_ERROR: 'a registry or Harbor answered with an error status that no other code covers',
  NOT_FOUND: 'the repository, tag, manifest or blob is not there',
  LIST_INCOMPLETE: 'a list (tags, catalog, Harbor artifacts) could not be read whole',
  MANIFEST_INVALID: 'a manifest is not valid JSON of its media type',
  MANIFEST_TOO_LARGE: 'a manifest is larger than the 4 MiB a registry stores',
  MANIFEST_GRAPH_TOO_LARGE:
    "a tag's manifests nest more than 8 levels deep, number more than 10,000 or hold more than 32 MiB together",
  DIGEST_MISMATCH: 'content does not hash to its digest',
  SIZE_MISMATCH: 'a blob is not the size its descriptor says',
  VERIFY_MISMATCH: 'after the push, Harbor holds another digest for the tag than the source',
  BROKEN_UNREPAIRABLE:
    'Harbor lists the tag but lacks blobs or manifests of it (verify: blobs), and the source (and upstream) lack them too',
  PROJECT_MISSING: 'the Harbor project does not exist and create-projects is false',
  PROXY_PROJECT: 'the target is a Harbor proxy-cache project, which refuses pushes',
  IMMUTABLE_TAG: 'a Harbor tag-immutability rule refuses to re-point the tag',
  READ_ONLY: 'Harbor is in read-only mode',
  QUOTA_EXCEEDED: "the push would exceed the Harbor project's storage quota",
  STORAGE_MISSING: 'no distribution storage where the source names one',
  STORAGE_UNSAFE:
    'a storage source holds a symlink, FIFO, device or oversized file where the registry writes a regular file',
  STORAGE_CORRUPT: 'a file of a storage source is damaged (wrong digest or size, a bad link)',
  ARCHIVE_UNSAFE: 'a tarball holds symlinks, hard links, devices, absolute paths or .. entries',
  ARCHIVE_UNREADABLE: 'a tarball cannot be read or extracted',
  ARCHIVE_NO_SPACE: 'a compressed tarball decompresses to more than work-dir has free',
  DOWNLOAD_FAILED: 'a tarball could not be downloaded',
  INTERRUPTED: 'the run was stopped (SIGINT/SIGTERM) while this was in flight; a re-run completes it',
  INTERNAL: 'a bug in harbor-sync: please report it',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
