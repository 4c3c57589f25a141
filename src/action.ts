// The GitHub Action: inputs in, engine run, summary and outputs out. Nothing else.
import './memory.js';
import * as core from '@actions/core';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildConfig, ConfigError } from './inputs.js';
import { INPUTS } from './input-list.js';
import { runSync } from './sync/engine.js';
import { buildReport } from './report/json.js';
import { renderSummary } from './report/summary.js';
import { computeTotals } from './report/totals.js';
import { decideOutcome } from './report/outcome.js';
import { VERSION } from './version.js';
import { actionsDisplay } from './report/console.js';
import { guardStream, writeScrubbed } from './redact/output.js';
import { scrub } from './redact/secrets.js';
import { escapeControl } from './redact/text.js';

export async function run(): Promise<void> {
  // Every byte to the log is scrubbed of the secrets the run knows (core.setSecret only masks
  // in GitHub's own log viewer, and only the values given as inputs).
  guardStream(process.stdout);
  guardStream(process.stderr);
  try {
    // Mask before anything can be logged.
    for (const input of INPUTS) if (input.secret && core.getInput(input.name)) core.setSecret(core.getInput(input.name));
    const config = await buildConfig((name) => core.getInput(name));
    // A cancelled workflow sends SIGINT, then SIGTERM: finish what is in flight, write the report.
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort()).once('SIGTERM', () => stop.abort());
    const display = actionsDisplay(core);
    const result = await runSync(config, display.logger, undefined, { signal: stop.signal }).finally(() => display.stop());
    const reportFile = config.reportFile ?? join(process.env.RUNNER_TEMP ?? tmpdir(), 'harbor-sync-report.json');
    await writeScrubbed(reportFile, JSON.stringify(buildReport(result, VERSION), null, 2) + '\n');
    await core.summary.addRaw(scrub(renderSummary(result))).write();

    const totals = computeTotals(result);
    for (const name of ['migrated', 'stale', 'incomplete', 'skipped', 'failed'] as const) core.setOutput(name, totals[name]);
    core.setOutput('report-file', reportFile);

    const outcome = decideOutcome(result, config.failOn);
    if (!outcome.ok) core.setFailed(`harbor-sync: ${outcome.reason}`);
  } catch (error) {
    // One line, never a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(escapeControl(error instanceof ConfigError ? `harbor-sync configuration: ${message}` : `harbor-sync: internal error: ${message} (please report it)`));
  }
}

await run();
