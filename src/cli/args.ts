// The command line as CLIs in this field read it (skopeo, regctl, crane, docker): a boolean flag
// alone means true (`--catalog`, `--dry-run`), `--no-<flag>` means false, `--flag=true|false`
// still works; every other option takes a value (`--images a/b:1` or `--images=a/b:1`); list
// options given twice add up. A mistyped option gets a suggestion.
import { ConfigError } from '../errors/base.js';
import { closest } from '../config/suggest.js';
import { printable } from '../redact/text.js';

export interface OptionSpec {
  name: string;
  kind: 'string' | 'boolean';
  short?: string;
  /** Given twice, the values add up (one per line) instead of the last one winning. */
  list?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  /** Option name → value as the inputs hold it (`true`/`false` for booleans). */
  values: Map<string, string>;
}

const TRUE = /^(true|yes|on|1)$/i;
const FALSE = /^(false|no|off|0)$/i;

export function parseCommandLine(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const set = (spec: OptionSpec, value: string): void => {
    const before = values.get(spec.name);
    values.set(spec.name, spec.list && before !== undefined ? `${before}\n${value}` : value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (/^-[a-zA-Z]$/.test(arg)) {
      const spec = byShort.get(arg.slice(1));
      if (!spec) throw new ConfigError(`unknown option ${arg}`);
      set(spec, 'true');
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const negated =
      name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'boolean' ? byName.get(name.slice(3)) : undefined;
    const spec = byName.get(name) ?? negated;
    if (!spec) throw unknown(name, specs);
    if (negated) {
      if (inline !== undefined)
        throw new ConfigError(`--${name} takes no value; write --${spec.name}=${printable(inline)} or --${name}`);
      set(spec, 'false');
    } else if (spec.kind === 'boolean') {
      // `--dry-run true`, as the action's inputs are written, is read as meant.
      const next = argv[i + 1];
      const word = inline ?? (next !== undefined && (TRUE.test(next) || FALSE.test(next)) ? argv[++i]! : 'true');
      if (!TRUE.test(word) && !FALSE.test(word))
        throw new ConfigError(
          `--${name} is a flag: write --${name} alone, --no-${name}, or --${name}=true|false, not "${printable(word)}"`,
        );
      set(spec, TRUE.test(word) ? 'true' : 'false');
    } else {
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new ConfigError(`--${name} needs a value: --${name} <value> or --${name}=<value>`);
      if (inline === undefined) i++;
      set(spec, value);
    }
  }
  return { positionals, values };
}

function unknown(name: string, specs: readonly OptionSpec[]): ConfigError {
  const known = specs.flatMap((s) => (s.kind === 'boolean' ? [s.name, `no-${s.name}`] : [s.name]));
  const near = closest(name, known);
  return new ConfigError(`unknown option --${printable(name)}${near ? ` (did you mean --${near}?)` : ''}`);
}
