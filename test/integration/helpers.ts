// Runs the engine the way the CLI does (buildConfig from named inputs, then runSync), capturing
// its log lines, so integration tests assert on what a user sees.
import { buildConfig } from '../../src/config/inputs.js';
import { runSync } from '../../src/sync/engine.js';
import { itemLine } from '../../src/report/log-line.js';
import type { SyncResult, TagResult, TagStatus } from '../../src/model/result.js';

export interface SyncRun {
  result: SyncResult;
  logs: string[];
  byStatus(status: TagStatus): TagResult[];
  item(source: string): TagResult;
}

export async function sync(inputs: Record<string, string | undefined>): Promise<SyncRun> {
  const config = await buildConfig((name) => inputs[name]);
  const logs: string[] = [];
  const prefix = { info: '', warn: 'warning: ', error: 'error: ' };
  const result = await runSync(config, {
    info: (m) => logs.push(m),
    warn: (m) => logs.push(`warning: ${m}`),
    error: (m) => logs.push(`error: ${m}`),
    debug: () => undefined,
    // Tag lines as every display prints them.
    event: (e) => {
      if (e.type !== 'done') return;
      const line = itemLine(e.item, e.dryRun);
      logs.push(`${prefix[line.level]}${line.text}`);
    },
  });
  return {
    result,
    logs,
    byStatus: (status) => result.items.filter((i) => i.status === status),
    item: (source) => {
      const found = result.items.find((i) => i.source === source);
      if (!found)
        throw new Error(
          `no item for ${source}; items: ${result.items.map((i) => `${i.source}=${i.status}`).join(', ')}`,
        );
      return found;
    },
  };
}
