// One tag's outcome as a log line, for every display (terminal, Jenkins log, Actions log, tests):
// `migrated   team/app:1.2 → team/app:1.2`, `failed     a/b:1 → a/b:1 (blob 403 DENIED: …)`.
import { classWord, tagClass } from '../model/class-rules.js';
import type { TagResult } from '../model/result.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  text: string;
}

export function itemLine(item: TagResult, dryRun: boolean): LogLine {
  const c = tagClass(item.status);
  const verb = classWord(c, dryRun);
  const e = item.error;
  const detail = e
    ? `${e.step}${e.status ? ` ${e.status}` : ''}${e.code ? ` ${e.code}` : ''}: ${e.message}`
    : (item.reason ?? (item.previousDigest ? `re-pointed from ${item.previousDigest}` : ''));
  const text = `${verb.padEnd(10)} ${item.source} → ${item.target || '-'}${detail ? ` (${detail})` : ''}`;
  return { level: c.logLevel, text };
}
