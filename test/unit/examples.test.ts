// The workflows users copy (examples/) and the project's own (.github/workflows/) only use inputs
// and outputs action.yml declares, the CLI lines in them and in the Jenkinsfiles only use real
// flags, and the example config file is one harbor-sync accepts and holds no secret.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigFile } from '../../src/config/config-file.js';
import { INPUTS } from '../../src/config/input-list.js';
import { isCommand, takes } from '../../src/cli/commands.js';
import { LAST_SUCCESS } from '../../src/report/metrics.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const list = (dir: string, match: RegExp): string[] =>
  existsSync(new URL(dir, root))
    ? readdirSync(new URL(dir, root))
        .filter((f) => match.test(f))
        .sort()
        .map((f) => `${dir}/${f}`)
    : [];

// Read at test time: the inputs are whatever action.yml declares now.
const action = parse(read('action.yml')) as {
  inputs: Record<string, { required?: boolean }>;
  outputs: Record<string, unknown>;
};
const ACTION_INPUTS = new Set(Object.keys(action.inputs));
const ACTION_OUTPUTS = new Set(Object.keys(action.outputs));

const CONFIG_EXAMPLE = 'examples/harbor-sync.yml';
/** Not GitHub workflows: checked in "examples for Jenkins, GitLab and cron" below. */
const GITLAB_EXAMPLE = 'examples/gitlab-ci.yml';
const CRON_WRAPPER = 'examples/cron/harbor-sync-cron';
const WORKFLOWS = [...list('examples', /\.ya?ml$/), ...list('.github/workflows', /\.ya?ml$/)].filter(
  (f) => f !== CONFIG_EXAMPLE && f !== GITLAB_EXAMPLE,
);
interface GitlabJob {
  script: string[];
  allow_failure?: { exit_codes?: number[] };
  artifacts?: { when?: string; paths?: string[]; reports?: { junit?: string } };
}
const gitlab = parse(read(GITLAB_EXAMPLE)) as Record<string, GitlabJob>;
const JENKINSFILES = list('examples', /^Jenkinsfile/);

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on?: unknown;
  jobs?: Record<string, { steps?: Step[] }>;
}

const workflows = WORKFLOWS.map((file) => ({ file, text: read(file), doc: parse(read(file)) as Workflow }));
const isThisAction = (uses: string | undefined): boolean =>
  uses === './' || uses === '.' || /(^|\/)harbor-sync@/.test(uses ?? '');
const steps = (wf: Workflow): { job: string; step: Step }[] =>
  Object.entries(wf.jobs ?? {}).flatMap(([job, j]) => (j.steps ?? []).map((step) => ({ job, step })));
const where = (file: string, job: string, step: Step): string =>
  `${file} job ${job} step "${step.name ?? step.id ?? step.uses ?? step.run?.split('\n')[0]}"`;

describe('workflows', () => {
  it('are found where users and GitHub look for them', () => {
    const files = workflows.map((w) => w.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'examples/nightly-sync.yml',
        'examples/sharded-sync.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/e2e-harbor.yml',
      ]),
    );
    for (const { file, doc } of workflows) {
      expect(doc.on, `${file} has no "on:"`).toBeDefined();
      expect(Object.keys(doc.jobs ?? {}).length, `${file} has no jobs`).toBeGreaterThan(0);
    }
  });

  it('give this action only inputs action.yml declares', () => {
    const problems: string[] = [];
    let uses = 0;
    for (const { file, doc } of workflows) {
      for (const { job, step } of steps(doc)) {
        if (!isThisAction(step.uses)) continue;
        uses++;
        for (const key of Object.keys(step.with ?? {})) {
          if (ACTION_INPUTS.has(key)) continue;
          problems.push(`${where(file, job, step)}: "${key}" is not an input of action.yml`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(uses).toBeGreaterThanOrEqual(4);
  });

  it('give the required inputs (or a config-file for the non-secret ones), secrets only from expressions', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows) {
      for (const { job, step } of steps(doc)) {
        if (!isThisAction(step.uses)) continue;
        const given = step.with ?? {};
        for (const [name, spec] of Object.entries(action.inputs)) {
          if (!spec.required || name in given) continue;
          if ('config-file' in given && !/-password$/.test(name)) continue;
          problems.push(`${where(file, job, step)}: required input "${name}" missing`);
        }
        for (const [key, value] of Object.entries(given)) {
          if (/-password$/.test(key) && !/^\$\{\{[^}]+\}\}$/.test(String(value).trim())) {
            problems.push(
              `${where(file, job, step)}: ${key} must come from a secret or variable (\${{ … }}), not be written out`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('read only outputs action.yml declares from its steps', () => {
    const problems: string[] = [];
    for (const { file, doc, text } of workflows) {
      const ids = new Set(
        steps(doc)
          .filter(({ step }) => isThisAction(step.uses) && step.id)
          .map(({ step }) => step.id!),
      );
      for (const m of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
        if (ids.has(m[1]!) && !ACTION_OUTPUTS.has(m[2]!))
          problems.push(`${file}: steps.${m[1]}.outputs.${m[2]} is not an output of action.yml`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('pin every other action to a version', () => {
    const problems: string[] = [];
    for (const { file, doc } of workflows) {
      for (const { job, step } of steps(doc)) {
        if (step.uses && !isThisAction(step.uses) && !/^[\w.-]+\/[\w./-]+@[\w.-]+$/.test(step.uses))
          problems.push(`${where(file, job, step)}: ${step.uses} is not pinned`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the sharded example runs one job per shard and merges their reports', () => {
    const doc = workflows.find((w) => w.file === 'examples/sharded-sync.yml')!.doc as Workflow & {
      jobs: Record<string, { strategy?: { matrix?: { shard?: number[] } }; needs?: string | string[] }>;
    };
    const sync = Object.entries(doc.jobs).find(([, j]) => (j.steps ?? []).some((s) => isThisAction(s.uses)));
    expect(sync).toBeDefined();
    const [syncJob, job] = sync!;
    const shards = job.strategy?.matrix?.shard ?? [];
    const step = (job.steps ?? []).find((s) => isThisAction(s.uses))!;
    expect(step.with?.shard).toBe(`\${{ matrix.shard }}/${shards.length}`);
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    const merge = Object.values(doc.jobs).find((j) => [j.needs ?? []].flat().includes(syncJob));
    expect(merge?.steps?.some((s) => s.run?.includes('report-merge'))).toBe(true);
  });
});

describe('CLI command lines in the examples and workflows', () => {
  const flags = new Set([...INPUTS.map((i) => i.name), 'quiet', 'help', 'version']);
  const commands = new Set(['sync', 'plan', 'report-merge']);
  const texts = [
    ...workflows.flatMap(({ file, doc }) =>
      steps(doc)
        .filter(({ step }) => step.run)
        .map(({ step }) => ({ file, text: step.run! })),
    ),
    ...JENKINSFILES.map((file) => ({ file, text: read(file) })),
    // GitLab's script entries are YAML strings (a folded one is one line once parsed).
    ...Object.values(gitlab).flatMap((job) => job.script.map((text) => ({ file: GITLAB_EXAMPLE, text }))),
    { file: CRON_WRAPPER, text: read(CRON_WRAPPER) },
  ];

  /** `node …/cli.js`, the npm package (`npx --yes harbor-sync@1`, `harbor-sync` installed with -g),
   * or the Jenkinsfiles' `$HARBOR_SYNC` (one of those). */
  const INVOCATION =
    /\bcli\.js\b|\bnpx\s+(?:--yes\s+|-y\s+)?harbor-sync(?:@\S+)?|^\s*harbor-sync(?=\s)|^\s*"?\$\{?HARBOR_SYNC\}?"?(?=\s)/;
  /** Every `<invocation> <command> --flags` line, backslash continuations joined; not comments,
   * nor where HARBOR_SYNC is set (the Jenkinsfiles' `HARBOR_SYNC = '…'`, checked on its own below;
   * the cron wrapper's `HARBOR_SYNC=${HARBOR_SYNC:-…}`; GitLab's `HARBOR_SYNC: …`). */
  const cliLines = (text: string): string[] =>
    text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((line) => INVOCATION.test(line) && !/^\s*(\/\/|#)/.test(line) && !/^\s*HARBOR_SYNC\s*[=:]/.test(line))
      .map((line) => {
        const m = INVOCATION.exec(line)!;
        return line.slice(m.index + m[0].length);
      });

  it('use real commands, and flags the command takes', () => {
    const problems: string[] = [];
    let count = 0;
    for (const { file, text } of texts) {
      for (const line of cliLines(text)) {
        count++;
        const command = line.trim().split(/\s+/)[0] ?? '';
        if (!commands.has(command) && !/^"?\$/.test(command) && !/^--(version|help)\b/.test(command))
          problems.push(`${file}: unknown command "${command}" in: harbor-sync${line}`);
        for (const m of line.matchAll(/(?:^|\s)--([a-z][a-z0-9-]*)/g)) {
          // A flag of another command is refused by the CLI (report-merge --images): checked per command.
          const known = isCommand(command) ? takes(command, m[1]!) : flags.has(m[1]!);
          if (!known) problems.push(`${file}: --${m[1]} is no flag of ${command} in: harbor-sync${line}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(3);
  });

  // Until the first release is on npm, `npx harbor-sync@1` answers 404: the Jenkinsfiles run what
  // works today, a checkout they make themselves, and name the npx form for after the release.
  it('the Jenkinsfiles run $HARBOR_SYNC: by default node on a checkout they make, npx harbor-sync@1 only after the release', () => {
    expect(JENKINSFILES).toEqual(['examples/Jenkinsfile', 'examples/Jenkinsfile.sharded']);
    for (const file of JENKINSFILES) {
      const text = read(file);
      const code = text.replace(/(^|\s)\/\/.*$/gm, '$1');
      expect(code, file).toMatch(/^\s*HARBOR_SYNC = 'node harbor-sync\/dist\/cli\.js'/m);
      expect(text, file).toMatch(/after the first release: 'npx --yes harbor-sync@1'/);
      expect(code, `${file}: npx harbor-sync only in comments`).not.toMatch(/npx[^\n]*harbor-sync@/);
      // The checkout the default needs, into harbor-sync/, skipped when HARBOR_SYNC is npx.
      expect(code, file).toMatch(/startsWith\('node harbor-sync\/'\)/);
      expect(code, file).toMatch(
        /dir\('harbor-sync'\) \{\s*checkout\(\[\$class: 'GitSCM', branches: \[\[name: env\.HARBOR_SYNC_COMMIT\]\],\s*userRemoteConfigs: \[\[url: env\.HARBOR_SYNC_REPOSITORY\]\]\]\)/,
      );
      expect(code, file).toMatch(/^\s*HARBOR_SYNC_REPOSITORY = 'https:\/\/github\.com\/your-org\/harbor-sync\.git'/m);
      // Every run of the CLI goes through it, unquoted so the shell splits `node <path>`.
      const runs = cliLines(text);
      expect(runs.length, file).toBeGreaterThan(0);
      for (const line of text
        .replace(/\\\n/g, ' ')
        .split('\n')
        .filter((l) => /\$HARBOR_SYNC\b/.test(l) && !/^\s*\/\//.test(l)))
        expect(line, file).toMatch(/^\s*\$HARBOR_SYNC (sync|plan|report-merge|"\$command")/);
    }
    const sharded = read('examples/Jenkinsfile.sharded');
    // Each shard may run on another agent: each stage that runs the CLI gets the checkout first.
    expect(sharded.match(/script \{ getHarborSync\(\) \}/g)).toHaveLength(2);
  });

  // The GitHub example's merge job runs the CLI of the same release as its `uses: …@v1`, which
  // exists only from the first release on as well.
  it('the sharded workflow example merges with npx harbor-sync@1, the same major as the action', () => {
    const text = read('examples/sharded-sync.yml');
    expect(text).toMatch(/npx --yes harbor-sync@1 report-merge /);
    expect(text).toMatch(/uses: your-org\/harbor-sync@v1/);
  });

  it('keep passwords off the command line (the CLI reads them from the environment)', () => {
    let count = 0;
    for (const { file, text } of texts) {
      for (const line of cliLines(text)) {
        count++;
        expect(line, file).not.toMatch(/--[a-z-]*password/);
      }
    }
    expect(count).toBeGreaterThanOrEqual(3);
  });
});

describe('examples/harbor-sync.yml', () => {
  const text = read(CONFIG_EXAMPLE);
  const doc = parse(text) as Record<string, unknown>;
  const known = INPUTS.map((i) => i.name).filter((name) => name !== 'config-file');

  it('uses only input names, version and mappings, and holds no password or secret', () => {
    expect(doc.version).toBe(1);
    for (const key of Object.keys(doc)) {
      expect([...known, 'version', 'mappings'], `unknown key ${key}`).toContain(key);
      expect(key).not.toMatch(/password|secret|token/);
    }
    expect(text).not.toMatch(/\$\{\{|secrets\./);
  });

  it('is accepted by harbor-sync as a config file, mappings included', () => {
    const config = parseConfigFile(text, CONFIG_EXAMPLE, known);
    expect(config.values['source-registry']).toMatch(/^https:\/\//);
    expect(config.values['harbor-url']).toMatch(/^https:\/\//);
    expect(config.mappings.length).toBeGreaterThan(0);
  });

  it('is what the workflow and Jenkins examples point at', () => {
    for (const file of [
      'examples/nightly-sync.yml',
      'examples/sharded-sync.yml',
      'examples/Jenkinsfile',
      'examples/Jenkinsfile.sharded',
      GITLAB_EXAMPLE,
    ]) {
      expect(read(file), file).toContain('harbor-sync.yml');
    }
  });
});

/** The value a flag is given on a command line (`--junit-file x.xml` → `x.xml`). */
function flagValue(line: string, flag: string): string | undefined {
  return new RegExp(`--${flag}\\s+"?([^\\s"]+)"?`).exec(line)?.[1];
}

describe('examples for Jenkins, GitLab and cron: the reports they ask for are the ones they keep', () => {
  it('the Jenkinsfile publishes the JUnit report, keeps the HTML page, grades the build by the exit code', () => {
    const text = read('examples/Jenkinsfile');
    const code = text.replace(/(^|\s)\/\/.*$/gm, '$1');
    const run = code.replace(/\\\n/g, ' ');
    const junit = flagValue(run, 'junit-file');
    const html = flagValue(run, 'html-file');
    expect(junit).toBeDefined();
    expect(html).toBeDefined();
    expect(code).toContain(`junit testResults: '${junit}', allowEmptyResults: true`);
    expect(code).toMatch(new RegExp(`archiveArtifacts artifacts: '[^']*${html!.replace('.', '\\.')}`));
    // The exit code decides, not sh failing: returnStatus, then the map a CLI test checks.
    expect(code).toMatch(/def status = sh\(returnStatus: true, script: '''/);
    expect(code).toMatch(/^def BUILD_RESULT = \[[^\]]+\]$/m);
    expect(code).toMatch(/BUILD_RESULT\.get\(status, 'FAILURE'\)/);
    expect(code).toMatch(/--fail-on stale/);
    // The LAN case: the CA of a self-signed Harbor from a Jenkins file credential.
    const ca = /file\(credentialsId: '[^']+', variable: '(\w+)'\)/.exec(code)?.[1];
    expect(ca).toBeDefined();
    expect(run).toMatch(new RegExp(`--harbor-ca-file "\\$${ca}"`));
    expect(text).toMatch(/plain http:\/\//);
  });

  it('the GitLab job reports the JUnit file it writes, keeps every file always, and passes with a warning on exit 1', () => {
    const jobs = Object.values(gitlab);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    const run = job.script.find((line) => /--junit-file/.test(line))!;
    expect(run).toMatch(/^\$HARBOR_SYNC sync /);
    const junit = flagValue(run, 'junit-file');
    expect(job.artifacts?.reports?.junit).toBe(junit);
    expect(job.artifacts?.when).toBe('always');
    for (const flag of ['junit-file', 'html-file', 'report-file', 'summary-file'])
      expect(job.artifacts?.paths, flag).toContain(flagValue(run, flag));
    expect(job.allow_failure?.exit_codes).toEqual([1]);
    expect(run).toMatch(/--fail-on stale/);
  });

  it('the cron example: a crontab line that never overlaps runs the wrapper, which writes the metrics file the alert watches', () => {
    const crontab = read('examples/cron/crontab')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#') && !/^\w+=/.test(line));
    expect(crontab).toHaveLength(1);
    // minute hour day month weekday user command
    const fields = crontab[0]!.trim().split(/\s+/);
    expect(fields.slice(0, 5).every((f) => /^[\d*,/-]+$/.test(f))).toBe(true);
    expect(fields.slice(6).join(' ')).toMatch(/^flock -n \S+ \/usr\/local\/bin\/harbor-sync-cron\b/);
    const wrapper = read(CRON_WRAPPER).replace(/\\\n/g, ' ');
    expect(wrapper.startsWith('#!/bin/sh\n')).toBe(true);
    expect(wrapper).toMatch(/--metrics-file "\$METRICS_FILE"/);
    expect(wrapper).toMatch(/METRICS_FILE=\$\{METRICS_FILE:-[^}]+\.prom\}/);
    const rules = parse(read('examples/cron/harbor-sync-alerts.yml')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const alert = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'HarborSyncNoSuccessfulRun');
    expect(alert?.expr).toBe(`time() - ${LAST_SUCCESS} > 26 * 3600`);
  });
});
