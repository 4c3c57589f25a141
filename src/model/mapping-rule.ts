// A mapping rule (`from => to`, `from => to (flatten)`) as the configuration parses it
// (src/config/mapping-rules.ts) and the engine applies it (src/sync/mapping.ts), and how both name
// a rule and compare its prefixes.

export interface MappingRule {
  from: string;
  to: string;
  flatten?: boolean;
  /** Where the rule was written, for messages: `mappings line 3`, `harbor-sync.yml:12`. */
  origin?: string;
}

/** `mapping "mirror => mirrors (flatten)" (mappings line 2)`: how errors and reports name a rule. */
export function describeRule(rule: MappingRule): string {
  const text = `${rule.from} => ${rule.to}${rule.flatten ? ' (flatten)' : ''}`;
  return `mapping "${text}"${rule.origin ? ` (${rule.origin})` : ''}`;
}

export function trimSlash(text: string): string {
  return text.trim().replace(/\/+$/, '');
}

/** True when `path` is `prefix` or lies under it, on whole components. */
export function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
