// The GitHub Action: inputs in, the one run path, summary and outputs out. Nothing else.
import './memory.js';
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from './config/inputs.js';
import { INPUTS } from './config/input-list.js';
import { guardStream } from './redact/output.js';
import { scrub } from './redact/secrets.js';
import { ANNOTATIONS_PER_STEP, annotationsFor } from './report/annotations.js';
import { actionsDisplay } from './report/console.js';
import { logLine } from './report/escape.js';
import { actionOutputs } from './report/outputs.js';
import { renderConfigError, renderInternalError } from './report/summary.js';
import { runEntry } from './lifecycle.js';
import { runAndReport } from './run-and-report.js';

export async function run(): Promise<void> {
  // Every byte to the log is scrubbed of the secrets the run knows (core.setSecret only masks
  // in GitHub's own log viewer, and only the values given as inputs).
  guardStream(process.stdout);
  guardStream(process.stderr);
  await runEntry(
    async (stopOnSignal) => {
      // Mask before anything can be logged.
      for (const input of INPUTS)
        if (input.secret && core.getInput(input.name)) core.setSecret(core.getInput(input.name));
      const config = await buildConfig((name) => core.getInput(name));
      const display = actionsDisplay(annotationCapped(ENGINE_ANNOTATIONS));
      const reportFile = config.reportFile ?? join(process.env.RUNNER_TEMP ?? tmpdir(), 'harbor-sync-report.json');
      // A cancelled workflow sends SIGINT, then SIGTERM: finish what is in flight, write the report.
      const signal = stopOnSignal();
      const outcome = await runAndReport(config, { logger: display.logger, signal, reportFile });
      display.stop({ progressLine: !outcome.result.fatal });
      await core.summary.addRaw(scrub(outcome.summary)).write();
      for (const [name, value] of actionOutputs(outcome.result, reportFile)) core.setOutput(name, value);
      // What needs a person, grouped, within GitHub's 10 per step (the engine's and setFailed's count).
      const budget = ANNOTATIONS_PER_STEP - engineAnnotations - (outcome.ok ? 0 : 1);
      for (const a of annotationsFor(outcome.result, { limit: budget })) {
        const annotate = a.level === 'error' ? core.error : core.warning;
        annotate(scrub(logLine(a.message)), { title: scrub(logLine(a.title)) });
      }
      if (!outcome.ok) core.setFailed(logLine(`harbor-sync: ${outcome.reason ?? 'failed'}`));
      return outcome.exitCode;
    },
    {
      // One line, never a stack trace; and a step summary for this outcome too.
      refused: (error) => fail(renderConfigError(error.message), `harbor-sync configuration: ${error.message}`),
      crashed: (message) =>
        fail(renderInternalError(message), `harbor-sync: internal error: ${message} (please report it)`),
      quitOnSecondSignal: false,
    },
  );
}

async function fail(summary: string, line: string): Promise<void> {
  await core.summary
    .addRaw(scrub(summary))
    .write()
    .catch(() => undefined); // no GITHUB_STEP_SUMMARY: the log line below still says it
  core.setFailed(logLine(line));
}

/** The engine's own warnings and errors (a fatal error, a refused listing) that become annotations;
 * past these they are plain log lines, leaving the rest of the step's 10 to annotationsFor.
 * actionsDisplay passes every message through logLine before it gets here. */
const ENGINE_ANNOTATIONS = 3;
let engineAnnotations = 0;

function annotationCapped(cap: number): Parameters<typeof actionsDisplay>[0] {
  const annotate = (level: 'warning' | 'error') => (message: string) => {
    if (engineAnnotations < cap) {
      engineAnnotations++;
      (level === 'error' ? core.error : core.warning)(message);
    } else core.info(logLine(`${level}: ${message}`));
  };
  return {
    info: (m) => core.info(m),
    warning: annotate('warning'),
    error: annotate('error'),
    debug: (m) => core.debug(m),
    startGroup: (m) => core.startGroup(m),
    endGroup: () => core.endGroup(),
  };
}

await run();
