// Parsing mapping rules (`from => to`, `from => to (flatten)`, or the config file's `mappings`
// list) into the rules the engine applies (src/sync/mapping.ts says what they mean). A rule is
// checked against distribution's and Harbor's name grammars, and one that an earlier rule
// shadows is refused, naming both.
import { ConfigError } from '../errors/base.js';
import { projectNameProblem } from '../harbor/targets.js';
import { PATH_COMPONENT } from '../registry/reference.js';
import { describeRule, trimSlash, underPrefix, type MappingRule } from '../model/mapping-rule.js';

const COMPONENT = new RegExp(`^${PATH_COMPONENT}$`);
const RULE_LINE = /^(\S+)\s*=>\s*(\S+)(?:\s+\((flatten)\))?$/;

/** One rule per line, `from => to` or `from => to (flatten)`; `#` starts a comment. */
export function parseMappingRules(text: string, input: string): MappingRule[] {
  const rules: MappingRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const origin = `${input} line ${index + 1}`;
    const match = RULE_LINE.exec(line);
    if (!match) throw new ConfigError(`${origin}: expected "from => to" or "from => to (flatten)", not "${line}"`);
    rules.push(checkMappingRule({ from: match[1]!, to: match[2]!, ...(match[3] && { flatten: true }), origin }));
  });
  checkReachable(rules);
  return rules;
}

/** Validates one rule and drops trailing slashes; errors name the rule and where it was written. */
export function checkMappingRule(rule: MappingRule): MappingRule {
  const normalized: MappingRule = { ...rule, from: trimSlash(rule.from), to: trimSlash(rule.to) };
  const problem = pathProblem(normalized.from, 'source prefix') ?? targetProblem(normalized.to);
  if (problem) throw new ConfigError(`${describeRule(normalized)}: ${problem}`);
  return normalized;
}

/** Refuses a rule no repository can reach because an earlier rule's prefix already covers it. */
export function checkReachable(rules: MappingRule[]): void {
  rules.forEach((rule, i) => {
    const earlier = shadowedBy(rules, i);
    if (earlier)
      throw new ConfigError(
        `${describeRule(rule)} never applies: ${describeRule(earlier)} comes first and already matches "${trimSlash(rule.from)}"; put the narrower rule first`,
      );
  });
}

/** The earlier rule that matches everything rules[index] would, if any. */
export function shadowedBy(rules: MappingRule[], index: number): MappingRule | undefined {
  const from = trimSlash(rules[index]!.from);
  return rules.slice(0, index).find((earlier) => underPrefix(from, trimSlash(earlier.from)));
}

function pathProblem(path: string, what: string): string | undefined {
  if (!path) return `the ${what} is empty`;
  const bad = path.split('/').find((c) => !COMPONENT.test(c));
  if (bad === undefined) return undefined;
  return bad === ''
    ? `the ${what} "${path}" has an empty path component`
    : `"${bad}" in the ${what} "${path}" is not a valid repository path component (lowercase letters and digits, with . _ __ or - between them)`;
}

// The project first: Harbor's rule is the stricter one and its message says what to write.
function targetProblem(to: string): string | undefined {
  const project = to.split('/')[0]!;
  const projectProblem = projectNameProblem(project);
  if (projectProblem) return `Harbor project name "${project}" in the target "${to}" ${projectProblem}`;
  return pathProblem(to, 'target');
}
