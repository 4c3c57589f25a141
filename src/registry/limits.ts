// Size bounds on what registries send and take, in one place.

/** The most we read of a manifest, tag list or catalog page before calling the answer a lie:
 * generous, since a listing page or an oversized manifest must still be read to be reported. */
export const MANIFEST_READ_LIMIT = 16 * 1024 * 1024;

/** The largest manifest distribution stores on push (`maxManifestBodySize`, 4 MiB; Harbor's
 * registry is distribution): a bigger one is refused, so it fails before its blobs are copied. */
export const MANIFEST_PUSH_LIMIT = 4 * 1024 * 1024;
