// `config-file`: one YAML file a nightly workflow and a Jenkins job can share. It holds what the
// inputs hold, under the same names, plus `mappings` as a list of objects:
//
//   version: 1
//   source-registry: https://old-registry.example.com
//   include: [team-a/**, team-b/**]
//   exclude-tags: |
//     .*-rc\d*
//   latest: 5
//   mappings:
//     - { from: mirror, to: mirrors, flatten: true }
//
// Values come back as the strings the inputs would hold (`latest: 5` → "5", `dry-run: true` →
// "true"; a number keeps its spelling, so `semver: 1.20` stays "1.20"); lists are joined one item
// per line. An empty value (`exclude:` or `~`) counts as not given. Passwords are refused: the
// file is meant to be committed.
//
// Precedence: an input given explicitly (action `with:`, CLI flag or environment) overrides the
// file, and the file overrides the defaults.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import { ConfigError, isHarborSyncError } from '../errors/base.js';
import { describeRule, type MappingRule } from '../model/mapping-rule.js';
import { checkMappingRule, shadowedBy } from './mapping-rules.js';
import { LIST_INPUTS } from './input-list.js';
import { closest } from './suggest.js';
import { FILE_LIMITS } from './read-file.js';
import { compileRepoPattern, compileTagPattern, listItems, parseLatest, parseSemverRange } from './selection-inputs.js';
import { parseShard } from './shard-input.js';
import { VALUE_CHECKS as INPUT_VALUE_CHECKS, registryUrl } from './values.js';
import { projectNameProblem } from '../harbor/targets.js';
import { printable } from '../redact/text.js';

export interface ConfigFile {
  /** Input name → value as the input would hold it; keys not in the file are absent. */
  values: Record<string, string>;
  mappings: MappingRule[];
}

/** A config file that cannot be used; the message starts with `<file>:<line>:`. */
export class ConfigFileError extends ConfigError {
  override readonly name = 'ConfigFileError';
}

/** Keys that take a YAML list (or a string with one item per line or comma separated): the list
 * inputs, but `mappings`, which the file holds as a list of objects. */
const LIST_KEYS: readonly string[] = [...LIST_INPUTS].filter((key) => key !== 'mappings');

type Check = (text: string, input: string) => unknown;

// Checked here too, so that a bad pattern is reported with its line in the file.
const ITEM_CHECKS: Record<string, Check> = {
  include: compileRepoPattern,
  exclude: compileRepoPattern,
  tags: compileTagPattern,
  'exclude-tags': compileTagPattern,
  'immutable-tags': compileTagPattern,
};
// Every single value the inputs would refuse is refused here, naming the file, the line and the key
// (`concurrency: 100` is "deploy.yml:7: concurrency must be …", not a flag the user never typed).
const VALUE_CHECKS: Record<string, Check> = {
  ...INPUT_VALUE_CHECKS,
  semver: parseSemverRange,
  latest: parseLatest,
  shard: parseShard,
  'default-project': checkProjectName,
  'source-registry': (text) => registryUrl('source-registry', text),
  'harbor-url': (text) => registryUrl('harbor-url', text),
  'upstream-registry': (text) => registryUrl('upstream-registry', text),
};

function checkProjectName(text: string, key: string): void {
  const problem = projectNameProblem(text);
  if (problem) throw new ConfigError(`${key} "${printable(text)}" ${problem}`);
}

interface Context {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** A config file is a few dozen lines; anything near these bounds is not one (an alias bomb
 * expands a small file into gigabytes: yaml's own limit for its toJS is the same 100). */
const CONFIG_FILE_LIMIT = FILE_LIMITS['config-file'].bytes;
const MAX_ALIASES = 100;

export function parseConfigFile(text: string, fileName: string, knownKeys: string[]): ConfigFile {
  if (text.length > CONFIG_FILE_LIMIT)
    throw new ConfigFileError(
      `${fileName}: the file is larger than ${CONFIG_FILE_LIMIT} bytes; a config file holds a few dozen lines`,
    );
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const describe = (e: (typeof doc.errors)[number]) =>
      `${fileName}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    throw new ConfigFileError(doc.errors.map(describe).join('\n'));
  }
  const ctx: Context = { file: fileName, doc, lines };
  checkAliases(ctx);
  const root = resolve(ctx, doc.contents);
  if (root === null) throw new ConfigFileError(`${fileName}: the file is empty: start it with "version: 1"`);
  if (!isMap(root)) throw fail(ctx, root, 'expected keys such as "version: 1" at the top level');

  const result: ConfigFile = { values: {}, mappings: [] };
  let versioned = false;
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    if (!keyNode || !isScalar(keyNode)) throw fail(ctx, keyNode, 'keys must be plain names such as "images"');
    const key = String(keyNode.value);
    const value = resolve(ctx, pair.value as Node | null);
    if (key === 'version') versioned = checkVersion(ctx, keyNode, value);
    else if (key === 'mappings') result.mappings = mappings(ctx, value);
    else {
      checkKey(ctx, keyNode, key, knownKeys);
      const text = LIST_KEYS.includes(key) ? listValue(ctx, key, value) : singleValue(ctx, key, value);
      if (text) result.values[key] = text;
    }
  }
  if (!versioned) throw new ConfigFileError(`${fileName}: "version: 1" is missing: start the file with it`);
  return result;
}

function checkKey(ctx: Context, keyNode: Node, key: string, knownKeys: string[]): void {
  if (key === 'config-file') throw fail(ctx, keyNode, '"config-file" cannot be set inside a config file');
  if (/(^|-)password$/.test(key)) {
    const env = key.toUpperCase().replace(/-/g, '_');
    throw fail(
      ctx,
      keyNode,
      `"${key}" must not be in the config file: pass it as a secret input (action) or the ${env} environment variable (CLI)`,
    );
  }
  if (!knownKeys.includes(key)) {
    const near = closest(key, [...knownKeys, 'version', 'mappings']);
    throw fail(ctx, keyNode, `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
}

function checkVersion(ctx: Context, keyNode: Node, value: Node | null): true {
  if (value === null) throw fail(ctx, keyNode, 'version must be 1, not empty');
  if (!isScalar(value)) throw fail(ctx, value, `version must be 1, not a ${kind(value)}`);
  const text = scalarText(value);
  if (text !== '1') throw fail(ctx, value, `version must be 1, not "${text}"`);
  return true;
}

function singleValue(ctx: Context, key: string, value: Node | null): string {
  if (value === null) return '';
  if (!isScalar(value)) throw fail(ctx, value, `"${key}" takes a single value, not a ${kind(value)}`);
  const text = scalarText(value).trim();
  const check = VALUE_CHECKS[key];
  if (text && check) checkAt(`${ctx.file}:${lineOf(ctx, value)}`, () => check(text, key));
  return text;
}

function listValue(ctx: Context, key: string, value: Node | null): string {
  if (value === null) return '';
  if (isScalar(value)) return listString(ctx, key, value);
  if (!isSeq(value)) throw fail(ctx, value, `"${key}" takes a list or a string, not a ${kind(value)}`);
  const items = value.items.map((raw) => {
    const item = resolve(ctx, raw as Node | null);
    if (item === null) throw fail(ctx, value, `"${key}" has an empty item`);
    if (!isScalar(item)) throw fail(ctx, item, `"${key}" items must be single values, not a ${kind(item)}`);
    const text = scalarText(item).trim();
    if (!text) throw fail(ctx, item, `"${key}" has an empty item`);
    const check = ITEM_CHECKS[key];
    if (check) checkAt(`${ctx.file}:${lineOf(ctx, item)}`, () => check(text, key));
    return text;
  });
  return items.join('\n');
}

// A string holding several items. Each is checked with its own line when that line is knowable:
// in a literal block (`|`) item line N is N lines below the `|`; elsewhere the value's line.
function listString(ctx: Context, key: string, node: Scalar): string {
  const text = scalarText(node);
  const check = ITEM_CHECKS[key];
  if (check) {
    const first = lineOf(ctx, node);
    const offset = node.type === 'BLOCK_LITERAL' ? 1 : 0;
    for (const item of listItems(text)) {
      checkAt(`${ctx.file}:${offset ? first + item.line : first}`, () => check(item.text, key));
    }
  }
  return text.trim();
}

function mappings(ctx: Context, value: Node | null): MappingRule[] {
  if (value === null) return [];
  if (!isSeq(value)) throw fail(ctx, value, '"mappings" takes a list of { from, to, flatten } entries');
  const rules: MappingRule[] = [];
  for (const raw of value.items) {
    const entry = resolve(ctx, raw as Node | null);
    if (entry === null) throw fail(ctx, value, '"mappings" has an empty entry');
    rules.push(mappingRule(ctx, entry));
    const earlier = shadowedBy(rules, rules.length - 1);
    if (earlier) {
      throw fail(
        ctx,
        entry,
        `${describeRule({ ...rules.at(-1)!, origin: undefined })} never applies: ${describeRule(earlier)} comes first and already matches "${rules.at(-1)!.from}"; put the narrower rule first`,
      );
    }
  }
  return rules;
}

function mappingRule(ctx: Context, node: Node): MappingRule {
  if (!isMap(node))
    throw fail(ctx, node, 'each mappings entry must be { from: …, to: … } with an optional flatten: true');
  const fields: { from?: string; to?: string; flatten?: boolean } = {};
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = keyNode && isScalar(keyNode) ? String(keyNode.value) : '';
    const value = resolve(ctx, pair.value as Node | null);
    if (key !== 'from' && key !== 'to' && key !== 'flatten')
      throw fail(ctx, keyNode ?? node, `unknown mappings key "${key}" (expected from, to, flatten)`);
    if (value === null || !isScalar(value)) throw fail(ctx, value ?? keyNode, `mappings "${key}" takes a single value`);
    if (key === 'flatten') {
      if (typeof value.value !== 'boolean')
        throw fail(ctx, value, `mappings "flatten" must be true or false, not "${scalarText(value)}"`);
      fields.flatten = value.value;
    } else fields[key] = scalarText(value);
  }
  if (!fields.from) throw fail(ctx, node, 'mappings entry has no "from"');
  if (!fields.to) throw fail(ctx, node, 'mappings entry has no "to"');
  const where = `${ctx.file}:${lineOf(ctx, node)}`;
  const rule = checkAt(where, () =>
    checkMappingRule({ from: fields.from!, to: fields.to!, ...(fields.flatten && { flatten: true }) }),
  );
  return { ...rule, origin: where };
}

/** A scalar as the inputs would hold it: numbers keep their spelling (`1.20`, not 1.2). */
function scalarText(node: Scalar): string {
  if (typeof node.value === 'number' || typeof node.value === 'bigint') return node.source ?? String(node.value);
  return String(node.value);
}

/** Follows aliases; an empty value or `~` is null (not given). */
function resolve(ctx: Context, node: Node | null): Node | null {
  const target = node !== null && isAlias(node) ? ((node.resolve(ctx.doc) as Node | undefined) ?? null) : node;
  return target !== null && isScalar(target) && target.value === null ? null : target;
}

/** Refuses alias amplification: more aliases than any hand-written file needs. */
function checkAliases(ctx: Context): void {
  let count = 0;
  visit(ctx.doc, {
    Alias(_key, node) {
      count += 1;
      if (count > MAX_ALIASES)
        throw fail(ctx, node as Node, `more than ${MAX_ALIASES} aliases (*name): write the values out instead`);
    },
  });
}

function kind(node: Node): string {
  return isSeq(node) ? 'list' : isMap(node) ? 'map' : 'value';
}

function lineOf(ctx: Context, node: Node | null): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : ctx.lines.linePos(offset).line;
}

function fail(ctx: Context, node: Node | null, message: string): ConfigFileError {
  return new ConfigFileError(`${ctx.file}:${lineOf(ctx, node)}: ${message}`);
}

/** Runs a check from select.ts or mapping.ts and re-raises its error with the file and line. */
function checkAt<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (isHarborSyncError(error)) throw new ConfigFileError(`${where}: ${error.message}`);
    throw error;
  }
}
