// Size bounds on what registries and Harbor send and take, in one place (SECURITY.md, "Bounds").

/** The most we read of a manifest (or a referrers index) before calling the answer a lie:
 * generous, since an oversized manifest must still be read to be reported. */
export const MANIFEST_READ_LIMIT = 16 * 1024 * 1024;

/** The largest manifest distribution stores on push (`maxManifestBodySize`, 4 MiB; Harbor's
 * registry is distribution): a bigger one is refused, so it fails before its blobs are copied. */
export const MANIFEST_PUSH_LIMIT = 4 * 1024 * 1024;

/** One page of a list: a tag list, a catalog page, a page of Harbor's artifacts or repositories.
 * distribution sends every tag in one answer when no `n` is asked: 200,000 tags are about 4 MB,
 * and a list at the entry cap (pagination.ts, 1,000,000) of 60-character names is 64 MB. A Harbor
 * page holds 100 artifacts, but each with all its tags (one artifact may carry thousands). */
export const LIST_READ_LIMIT = 64 * 1024 * 1024;

/** A token service's answer: a Harbor JWT is about 1 KB, Docker Hub's a few KB. */
export const TOKEN_READ_LIMIT = 1024 * 1024;

/** One object of Harbor's API (systeminfo, users/current, a project, a retention policy): a few
 * KB in practice. */
export const API_READ_LIMIT = 1024 * 1024;

/** What we read of an error answer's body: its `errors` array says what went wrong in far less. The
 * rest is not read: the connection is cut. */
export const ERROR_READ_LIMIT = 64 * 1024;

/** What we let pass of a body nobody reads (a 401 before the token, a 202, a retried 503) to keep
 * the connection; past it the connection is cut (undici's own default for dump(), made explicit). */
export const DISCARD_LIMIT = 128 * 1024;
