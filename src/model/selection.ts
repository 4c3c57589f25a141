// What a whole-catalog sync selects, as the configuration compiles it (src/config/selection-inputs.ts)
// and the engine applies it (src/sync/select.ts, which says what each filter means).

export interface RepoPattern {
  /** As the user wrote it, for reports: `team-a/**`, `/^tmp-/`. */
  text: string;
  test(repo: string): boolean;
}

/** A tag regex, compiled to match in linear time (src/config/selection-inputs.ts). */
export interface TagPattern {
  /** Anchored, as reports show it: `^1\.2.*$`. */
  source: string;
  test(tag: string): boolean;
}

export interface Selection {
  include: RepoPattern[];
  exclude: RepoPattern[];
  tags: TagPattern[];
  excludeTags: TagPattern[];
  /** A semver range as the user wrote it, already checked by parseSemverRange. */
  semver?: string;
  latest?: number;
  latestIncludeNonSemver?: boolean;
  /** semver-include-prerelease: pre-release tags take part in `semver` and `latest`. */
  includePrerelease?: boolean;
}

/** How a `semver` range is read, the same where it is checked and where it is applied: a range
 * may match pre-release versions (select.ts decides which tags count as pre-releases). */
export const RANGE_OPTIONS = { includePrerelease: true } as const;
