// The workflows users copy (examples/) and the project's own (.github/workflows/) only use inputs
// and outputs action.yml declares, the CLI lines in them and in the Jenkinsfiles only use real
// flags, and the example config file is one harbor-sync accepts and holds no secret.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigFile } from '../../src/config/config-file.js';
import { INPUTS } from '../../src/config/input-list.js';

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
const WORKFLOWS = [...list('examples', /\.ya?ml$/), ...list('.github/workflows', /\.ya?ml$/)].filter(
  (f) => f !== CONFIG_EXAMPLE,
);
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
  ];

  /** `node …/cli.js`, or the npm package: `npx --yes harbor-sync@1`, `harbor-sync` installed with -g. */
  const INVOCATION = /\bcli\.js\b|\bnpx\s+(?:--yes\s+|-y\s+)?harbor-sync(?:@\S+)?|^\s*harbor-sync(?=\s)/;
  /** Every `<invocation> <command> --flags` line, backslash continuations joined. */
  const cliLines = (text: string): string[] =>
    text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((line) => INVOCATION.test(line) && !/^\s*(\/\/|#)/.test(line))
      .map((line) => {
        const m = INVOCATION.exec(line)!;
        return line.slice(m.index + m[0].length);
      });

  it('use real commands and flags', () => {
    const problems: string[] = [];
    let count = 0;
    for (const { file, text } of texts) {
      for (const line of cliLines(text)) {
        count++;
        const command = line.trim().split(/\s+/)[0] ?? '';
        if (!commands.has(command) && !/^"?\$/.test(command) && !/^--(version|help)\b/.test(command))
          problems.push(`${file}: unknown command "${command}" in: harbor-sync${line}`);
        for (const m of line.matchAll(/(?:^|\s)--([a-z][a-z0-9-]*)/g)) {
          if (!flags.has(m[1]!)) problems.push(`${file}: unknown flag --${m[1]} in: harbor-sync${line}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(3);
  });

  it('run the npm package first: the Jenkinsfiles and the sharded merge use npx harbor-sync@1', () => {
    for (const { file, text } of texts.filter((t) => /Jenkinsfile|sharded-sync/.test(t.file))) {
      expect(text, file).toMatch(/npx --yes harbor-sync@1 /);
      expect(text.replace(/^\s*\/\/.*$/gm, ''), `${file}: the clone path is only the fallback`).not.toMatch(
        /node harbor-sync\/dist\/cli\.js/,
      );
    }
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
    ]) {
      expect(read(file), file).toContain('harbor-sync.yml');
    }
  });
});
