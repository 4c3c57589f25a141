// Harbor's retention policies and immutability rules in words, for the notes a run makes about a
// target project (docs/harbor.md §11.2, §11.3): which tags a rule keeps or locks, and when it runs.
import type { PolicyRule, RetentionPolicy } from './api.js';

/** `retain the 10 most recently pushed artifacts of repositories ** (tags **)`. */
export function describeRule(rule: PolicyRule): string {
  const param = (key: string): unknown => rule.params?.[key];
  const templates: Record<string, string> = {
    latestPushedK: `the ${String(param('latestPushedK'))} most recently pushed artifacts`,
    latestPulledN: `the ${String(param('latestPulledN'))} most recently pulled artifacts`,
    latestActiveK: `the ${String(param('latestActiveK'))} most recently pushed or pulled artifacts`,
    nDaysSinceLastPush: `artifacts pushed within the last ${String(param('nDaysSinceLastPush'))} days`,
    nDaysSinceLastPull: `artifacts pulled within the last ${String(param('nDaysSinceLastPull'))} days`,
    lastXDays: `artifacts pushed within the last ${String(param('lastXDays'))} days`,
    always: 'every artifact',
    immutable_template: 'the matching tags',
  };
  const what = templates[rule.template ?? ''] ?? `${rule.template ?? 'a rule'} ${JSON.stringify(rule.params ?? {})}`;
  const repositories = selectors(rule.scope_selectors?.repository);
  const tags = selectors(rule.tag_selectors);
  return `${rule.action ?? 'retain'} ${what}${repositories ? ` of repositories ${repositories}` : ''}${tags ? ` (tags ${tags})` : ''}`;
}

function selectors(list: PolicyRule['tag_selectors']): string {
  return (list ?? []).map((s) => `${/exclude/i.test(s.decoration ?? '') ? 'not ' : ''}${s.pattern ?? '**'}`).join(', ');
}

/** A retention policy: what it keeps (everything else in scope may be deleted) and when it runs. */
export function describeRetention(policy: RetentionPolicy): string {
  const rules = policy.rules.filter((r) => !r.disabled);
  const keeps = rules.length > 0 ? rules.map(describeRule).join('; or ') : 'no enabled rule';
  const cron = policy.trigger?.settings?.cron;
  const when =
    typeof cron === 'string' && cron
      ? ` on schedule "${cron}"`
      : policy.trigger?.kind
        ? ` (${policy.trigger.kind.toLowerCase()})`
        : '';
  return `retention policy #${policy.id}${when}: ${keeps}`;
}

/** The enabled immutability rules of a project, in words. */
export function describeImmutability(rules: PolicyRule[]): string {
  const enabled = rules.filter((r) => !r.disabled);
  return enabled
    .map(
      (r) =>
        `tags ${selectors(r.tag_selectors) || '**'} of repositories ${selectors(r.scope_selectors?.repository) || '**'}`,
    )
    .join('; ');
}
