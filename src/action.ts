// The GitHub Action: inputs in, the one run path, summary and outputs out. Nothing else.
import './memory.js';
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from './config/inputs.js';
import { INPUTS } from './config/input-list.js';
import { isHarborSyncError } from './errors/base.js';
import { guardStream } from './redact/output.js';
import { scrub } from './redact/secrets.js';
import { escapeControl } from './redact/text.js';
import { actionsDisplay } from './report/console.js';
import { computeTotals } from './report/totals.js';
import { runAndReport } from './run-and-report.js';

export async function run(): Promise<void> {
  // Every byte to the log is scrubbed of the secrets the run knows (core.setSecret only masks
  // in GitHub's own log viewer, and only the values given as inputs).
  guardStream(process.stdout);
  guardStream(process.stderr);
  try {
    // Mask before anything can be logged.
    for (const input of INPUTS)
      if (input.secret && core.getInput(input.name)) core.setSecret(core.getInput(input.name));
    const config = await buildConfig((name) => core.getInput(name));
    // A cancelled workflow sends SIGINT, then SIGTERM: finish what is in flight, write the report.
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort()).once('SIGTERM', () => stop.abort());
    const display = actionsDisplay(core);
    const reportFile = config.reportFile ?? join(process.env.RUNNER_TEMP ?? tmpdir(), 'harbor-sync-report.json');
    const outcome = await runAndReport(config, { logger: display.logger, signal: stop.signal, reportFile });
    display.stop({ progressLine: !outcome.result.fatal });
    await core.summary.addRaw(scrub(outcome.summary)).write();
    const totals = computeTotals(outcome.result);
    for (const name of ['migrated', 'stale', 'incomplete', 'skipped', 'failed'] as const)
      core.setOutput(name, totals[name]);
    core.setOutput('report-file', reportFile);
    if (!outcome.ok) core.setFailed(escapeControl(`harbor-sync: ${outcome.reason ?? 'failed'}`));
  } catch (error) {
    // One line, never a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(
      escapeControl(
        isHarborSyncError(error) && error.step === 'config'
          ? `harbor-sync configuration: ${message}`
          : `harbor-sync: internal error: ${message} (please report it)`,
      ),
    );
  }
}

await run();
