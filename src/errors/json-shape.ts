// The shape of JSON from outside (a registry's or Harbor's answer, a shard report given to
// report-merge), checked where it enters: a few combinators that return the value typed, or throw a
// ShapeError saying where it is wrong, what was expected there and what was found. Each boundary
// words that its own way (`$[3].digest: expected a digest, got "…"` for a server's answer,
// `shard-2.json: failed[3].source is a number, expected a string` for a file). Fields a shape does
// not name are dropped; a value from outside is quoted printable and short.
import { printable } from '../redact/text.js';

/** Checks a value and returns it typed; throws ShapeError. */
export type Shape<T> = (value: unknown) => T;

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  /** `$.tags[3]`: where in the document (`$` is the document itself). Built only on failure. */
  path = '$';
  /** What belongs there: `a string`, `a digest`, `one of tag, repository`. */
  readonly expected: string;
  /** What was there: its kind when that is wrong (`a number`, `null`, `a list`), else the value
   * itself, quoted (`"upload"`, `-1`); undefined when nothing was. */
  readonly found: string | undefined;
  /** Said instead of "expected …, got …" when a rule says more (`holds a line break, which no name has`). */
  readonly why: string | undefined;

  constructor(expected: string, found: string | undefined, why?: string) {
    super();
    this.expected = expected;
    this.found = found;
    this.why = why;
    this.message = this.worded();
  }

  /** The same error one level further out (`[3]` then `.tags`). */
  within(step: string): ShapeError {
    this.path = `$${step}${this.path.slice(1)}`;
    this.message = this.worded();
    return this;
  }

  /** `$.tags[1]: expected a string, got a number`: the words of an answer from a server. */
  private worded(): string {
    return `${this.path}: ${this.why ?? `expected ${this.expected}, got ${this.found ?? 'nothing'}`}`;
  }
}

/** JSON text as a value, or a ShapeError saying it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ShapeError('JSON', 'text', 'not JSON');
  }
}

export const string: Shape<string> = (value) => {
  if (typeof value !== 'string') throw mismatch('a string', value);
  return value;
};

export const boolean: Shape<boolean> = (value) => {
  if (typeof value !== 'boolean') throw mismatch('true or false', value);
  return value;
};

/** A whole number of 0 or more. */
export const count: Shape<number> = (value) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw mismatch('a whole number', value);
  return value;
};

/** A number above 0 (a lifetime in seconds). */
export const positive: Shape<number> = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw mismatch('a number above 0', value);
  return value;
};

/** Any number (JSON has no NaN or Infinity). */
export const number: Shape<number> = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch('a number', value);
  return value;
};

/** A string of a grammar (a digest, a tag), named whatever is wrong; a wrong string is quoted. */
export function grammar(test: (value: string) => boolean, expected: string): Shape<string> {
  return (value) => {
    if (typeof value !== 'string') throw mismatch(expected, value);
    if (!test(value)) throw new ShapeError(expected, quote(value));
    return value;
  };
}

/** A value of `shape` that also passes `test` (a time, a shard `i/n`): one of the wrong kind is
 * wrong as `shape` says (`a number, expected a string`), one that fails the test is quoted. */
export function where<T extends string | number>(
  shape: Shape<T>,
  test: (value: T) => boolean,
  expected: string,
): Shape<T> {
  return (value) => {
    const checked = shape(value);
    if (!test(checked)) throw new ShapeError(expected, typeof checked === 'string' ? quote(checked) : String(checked));
    return checked;
  };
}

/** A size, count or duration that need not be whole. */
export const nonNegative: Shape<number> = where(number, (n) => n >= 0, 'a number of at least 0');

/** One of these strings. */
export function oneOf<T extends string>(allowed: readonly T[]): Shape<T> {
  const set = new Set<string>(allowed);
  return where(string, (text) => set.has(text), `one of ${allowed.join(', ')}`) as Shape<T>;
}

/** Absent or null: undefined. */
export function optional<T>(shape: Shape<T>): Shape<T | undefined> {
  return (value) => (value === undefined || value === null ? undefined : shape(value));
}

/** A field that only informs (a push time, a version): a value of the wrong shape is taken as
 * unknown rather than failing the answer. */
export function ignoredIfWrong<T>(shape: Shape<T>): Shape<T | undefined> {
  return (value) => {
    try {
      return value === undefined || value === null ? undefined : shape(value);
    } catch (error) {
      if (error instanceof ShapeError) return undefined;
      throw error;
    }
  };
}

export function array<T>(item: Shape<T>): Shape<T[]> {
  return (value) => {
    if (!Array.isArray(value)) throw mismatch('a list', value);
    const out = new Array<T>(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        out[i] = item(value[i]);
      } catch (error) {
        throw error instanceof ShapeError ? error.within(`[${i}]`) : error;
      }
    }
    return out;
  };
}

type Fields = Record<string, Shape<unknown>>;
/** The fields whose shape may give undefined: optional in the result. */
type MaybeKeys<F extends Fields> = { [K in keyof F]: undefined extends ReturnType<F[K]> ? K : never }[keyof F];
export type Out<F extends Fields> = {
  [K in Exclude<keyof F, MaybeKeys<F>>]: ReturnType<F[K]>;
} & { [K in MaybeKeys<F>]?: Exclude<ReturnType<F[K]>, undefined> };

/** An object with these fields; others are dropped, and so is a field read as undefined (absent,
 * null, or ignored), so the result holds only what is there. */
export function object<F extends Fields>(fields: F): Shape<Out<F>> {
  const keys = Object.keys(fields);
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw mismatch('an object', value);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      let field: unknown;
      try {
        field = fields[key]!((value as Record<string, unknown>)[key]);
      } catch (error) {
        throw error instanceof ShapeError ? error.within(`.${key}`) : error;
      }
      if (field !== undefined) out[key] = field;
    }
    return out as Out<F>;
  };
}

/** An object whose every value has one shape (Harbor's `params`, `metadata`). */
export function record<T>(item: Shape<T>): Shape<Record<string, T>> {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw mismatch('an object', value);
    const out: Record<string, T> = {};
    for (const [key, v] of Object.entries(value)) {
      try {
        out[key] = item(v);
      } catch (error) {
        throw error instanceof ShapeError ? error.within(`[${quote(key)}]`) : error;
      }
    }
    return out;
  };
}

/** Any JSON value, kept as it is (a rule's `params`, only ever printed through String()). */
export const anything: Shape<unknown> = (value) => value;

/** A value of the wrong kind: the kind is what was found. */
function mismatch(expected: string, value: unknown): ShapeError {
  const kind =
    value === undefined
      ? undefined
      : value === null
        ? 'null'
        : Array.isArray(value)
          ? 'a list'
          : typeof value === 'object'
            ? 'an object'
            : `a ${typeof value}`;
  return new ShapeError(expected, kind);
}

/** A value from outside, quoted for a message: printable, at most 100 characters. */
export function quote(value: string): string {
  const text = printable(value.length > 100 ? value.slice(0, 100) : value);
  return `"${text}${value.length > 100 ? '…' : ''}"`;
}
