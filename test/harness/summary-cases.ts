// Run results shaped like real ones, for the summary's unit tests and its browser test: a small
// mixed run, 5,000 failures of three kinds, a fatal run, an interrupted run, a dry run, and a run
// with retained tags and Harbor's own settings. Messages are the ones the engine and Harbor send.
import type { SyncResult, TagResult } from '../../src/model/result.ts';

export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const D3 = `sha256:${'3'.repeat(64)}`;

/** A digest per number, so tables hold many different ones. */
export function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(8, '0').repeat(8)}`;
}

export function baseResult(overrides: Partial<SyncResult> = {}): SyncResult {
  return {
    startedAt: '2026-11-22T08:00:00.000Z',
    finishedAt: '2026-11-22T08:41:07.000Z',
    seconds: 2467.3,
    dryRun: false,
    source: 'https://old-registry.example.com',
    harbor: 'https://harbor.example.com',
    harborVersion: 'v2.15.2-080b0220',
    projectsCreated: [],
    items: [],
    retained: [],
    harborNotes: [],
    notStarted: [],
    ...overrides,
  };
}

function immutable(source: string, project = source.split('/')[0]!): TagResult {
  return {
    source,
    target: source,
    status: 'failed',
    digest: digest(7),
    error: {
      step: 'manifest',
      errorCode: 'IMMUTABLE_TAG',
      status: 412,
      code: 'PRECONDITION',
      message: `Failed to process request due to '${source}' configured as immutable.`,
      hint: `the tag matches an immutability rule of project ${project}: Harbor refuses to re-point it. Remove or narrow the rule (Project → Policy → Tag Immutability), or push under a new tag`,
    },
  };
}

function notFound(source: string): TagResult {
  return {
    source,
    target: source,
    status: 'failed',
    error: {
      step: 'discover',
      errorCode: 'NOT_FOUND',
      status: 404,
      code: 'MANIFEST_UNKNOWN',
      message: `${source} not found on the source`,
    },
  };
}

function unavailable(source: string, n: number): TagResult {
  const repo = source.replace(/:[^/]*$/, '');
  const uuid = `${n.toString(16).padStart(8, '0')}-4b1d-4c3e-9f00-${n.toString(16).padStart(12, '0')}`;
  return {
    source,
    target: source,
    status: 'failed',
    digest: digest(n),
    retries: 4,
    error: {
      step: 'blob',
      errorCode: 'HTTP_ERROR',
      status: 503,
      code: 'UNAVAILABLE',
      message: `PUT /v2/${repo}/blobs/uploads/${uuid}?digest=${digest(n + 1)}: 503 Service Unavailable: the storage backend <s3> did not answer in time`,
    },
  };
}

/** A nightly run of a small registry: a bit of everything, the way it comes out. */
export function smallMixed(): SyncResult {
  return baseResult({
    projectsCreated: ['team-a'],
    upstreamRequests: 4,
    items: [
      {
        source: 'team-a/tools/worker:1.3',
        target: 'team-a/tools/worker:1.3',
        status: 'migrated',
        digest: D1,
        size: 48_213_771,
        previousDigest: D2,
        blobs: { total: 5, uploaded: 3, mounted: 1, existing: 1, bytesUploaded: 31_000_000 },
      },
      {
        source: 'alpine:3.19',
        target: 'library/alpine:3.19',
        status: 'migrated',
        digest: digest(3),
        size: 3_408_729,
        blobs: { total: 2, uploaded: 2, mounted: 0, existing: 0, bytesUploaded: 3_408_729 },
      },
      {
        source: 'cache/nginx:1.27',
        target: 'cache/nginx:1.27',
        status: 'migrated',
        digest: digest(4),
        size: 71_000_000,
        repaired: { blobs: 2, manifests: 0, bytes: 52_000_000, from: 'https://registry-1.docker.io' },
        blobs: { total: 7, uploaded: 7, mounted: 0, existing: 0, bytesUploaded: 71_000_000 },
      },
      {
        source: 'team-a/tools/worker:1.2',
        target: 'team-a/tools/worker:1.2',
        status: 'skipped',
        digest: D2,
        reason: 'already in Harbor with the same digest',
      },
      {
        source: 'team-a/api:0.9',
        target: 'team-a/api:0.9',
        status: 'skipped',
        reason: 'filtered out: semver >=1.0',
      },
      {
        source: 'cache/redis:7.2',
        target: 'cache/redis:7.2',
        status: 'stale',
        digest: digest(5),
        size: 41_000_000,
        missing: [digest(50), digest(51), digest(52)],
        reason: 'all 3 blobs answer 404 on the source (the manifest is there, its content is not)',
      },
      {
        source: 'cache/postgres:16',
        target: 'cache/postgres:16',
        status: 'incomplete',
        digest: digest(6),
        size: 150_000_000,
        missing: [digest(60)],
        reason: '1 of 9 blobs answer 404 on the source',
      },
      immutable('team-b/app:1.10.4'),
      immutable('team-b/app:1.10.5'),
      notFound('team-c/gone:2.0'),
    ],
  });
}

/** 5,000 failures of three kinds, with messages that quote tags, digests and projects. */
export function fiveThousandFailures(): SyncResult {
  const items: TagResult[] = [];
  for (let i = 0; i < 5000; i++) {
    const source = `team-${i % 97}/service-${i % 389}/component:${i}.0.${i % 7}`;
    if (i % 10 < 6) items.push(unavailable(source, i));
    else if (i % 10 < 9) items.push(notFound(source));
    else items.push(immutable(source));
  }
  return baseResult({ items });
}

export function fatalRun(): SyncResult {
  return baseResult({
    seconds: 0.4,
    fatal: {
      step: 'auth',
      errorCode: 'CREDENTIALS_REJECTED',
      status: 401,
      code: 'UNAUTHORIZED',
      message:
        'Harbor rejected the credentials of user "robot$sync" (401 UNAUTHORIZED: unauthorized to access <repository>)',
      hint: 'check harbor-username and harbor-password: a robot name is robot$name or robot$project+name',
    },
  });
}

export function interruptedRun(): SyncResult {
  const items: TagResult[] = Array.from({ length: 30 }, (_, i) => ({
    source: `team-a/app:${i}`,
    target: `team-a/app:${i}`,
    status: 'migrated' as const,
    digest: digest(i),
    size: 20_000_000 + i,
    blobs: { total: 4, uploaded: 1, mounted: 0, existing: 3, bytesUploaded: 6_500_000 },
  }));
  items.push({
    source: 'team-a/app:30',
    target: 'team-a/app:30',
    status: 'failed',
    error: {
      step: 'interrupted',
      errorCode: 'INTERRUPTED',
      message: 'stopped while in flight; nothing of it is in Harbor',
    },
  });
  return baseResult({
    seconds: 311,
    interrupted: true,
    items,
    notStarted: [...Array.from({ length: 120 }, (_, i) => `team-a/app:${i + 31}`), 'team-b/web:*'],
  });
}

export function dryRun(): SyncResult {
  const items: TagResult[] = Array.from({ length: 40 }, (_, i) => ({
    source: `team-${i % 4}/svc-${i % 9}:${i}.0`,
    target: `team-${i % 4}/svc-${i % 9}:${i}.0`,
    status: i % 4 === 3 ? ('skipped' as const) : ('migrated' as const),
    digest: digest(i),
    size: 12_345_678 * (i + 1),
    reason:
      i % 4 === 3
        ? 'already in Harbor with the same digest'
        : `would upload up to ${(i + 1) * 12.3} MB${i % 4 === 0 ? ` and create project team-${i % 4}` : ''}`,
  }));
  return baseResult({ dryRun: true, seconds: 14.2, bytesPlanned: 3_400_000_000, items });
}

/** Retained tags and repositories, and a Harbor with a retention policy, immutability rules and
 * a proxy-cache project. */
export function retainedAndNotes(): SyncResult {
  const items: TagResult[] = [
    ...Array.from({ length: 12 }, (_, i) => ({
      source: `team-a/app:2.${i}`,
      target: `team-a/app:2.${i}`,
      status: 'skipped' as const,
      digest: digest(i),
      reason: 'already in Harbor with the same digest',
    })),
    ...Array.from(
      { length: 3 },
      (_, i): TagResult => ({
        source: `hub/nginx:1.2${i}`,
        target: `hub/nginx:1.2${i}`,
        status: 'failed',
        error: {
          step: 'project',
          errorCode: 'PROXY_PROJECT',
          message: 'project hub is a proxy-cache project (it mirrors registry #3): Harbor refuses every push into it',
          hint: 'map these images to a regular project (mappings, or default-project for single-level names); a proxy cache only pulls from its upstream',
        },
      }),
    ),
  ];
  const retained = [
    ...Array.from({ length: 60 }, (_, i) => ({
      kind: 'tag' as const,
      source: `team-a/${['app', 'api', 'worker'][i % 3]}:1.${i}`,
      target: `team-a/${['app', 'api', 'worker'][i % 3]}:1.${i}`,
      digest: digest(100 + i),
      pushedAt: '2026-10-02T07:14:00.000Z',
    })),
    { kind: 'repository' as const, source: 'team-b/old', target: 'team-b/old', artifacts: 4 },
  ];
  return baseResult({
    seconds: 48,
    items,
    retained,
    harborNotes: [
      {
        project: 'team-a',
        kind: 'retention',
        message:
          'project team-a has a tag-retention policy, retain the 10 most recently pushed artifacts of repositories matching **: Harbor may delete migrated tags that fall outside it later; harbor-sync never deletes anything',
      },
      {
        project: 'team-a',
        kind: 'immutable',
        message:
          'project team-a has tag immutability rules (tags matching release-*): Harbor refuses to re-point a matching tag that moved at the source; the tag keeps its old artifact in Harbor',
      },
      {
        project: 'hub',
        kind: 'proxy-cache',
        message: 'project hub is a proxy-cache project (it mirrors registry #3): Harbor refuses every push into it',
      },
    ],
  });
}

export const CASES = {
  'small-mixed': smallMixed,
  'five-thousand-failures': fiveThousandFailures,
  fatal: fatalRun,
  interrupted: interruptedRun,
  'dry-run': dryRun,
  'retained-and-notes': retainedAndNotes,
} as const;
