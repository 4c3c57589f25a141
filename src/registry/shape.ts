// The shape of a JSON answer from a registry or Harbor, checked where it enters: a few combinators
// that say which field is wrong (`$[3].digest: expected a digest, got "sha256:x\x0a::error…"`), so
// a server's surprise is an error naming its place, not a crash (or a forged line) further on.
// Fields a shape does not name are dropped; a grammar check quotes the value, printable and short.
import { printable } from '../redact/text.js';

/** Checks a value and returns it typed; throws ShapeError. */
export type Shape<T> = (value: unknown) => T;

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  /** `$.tags[3]`: where in the document. */
  path: string;
  readonly problem: string;
  constructor(problem: string) {
    super(`$: ${problem}`);
    this.problem = problem;
    this.path = '$';
  }

  /** The same error one level further out (`[3]` then `.tags`): paths are only built on failure. */
  within(step: string): ShapeError {
    this.path = `$${step}${this.path.slice(1)}`;
    this.message = `${this.path}: ${this.problem}`;
    return this;
  }
}

/** JSON text as a value, or a ShapeError saying it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ShapeError('not JSON');
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

/** A string of a grammar (a digest, a tag): the value is quoted, escaped, in the error. */
export function grammar(test: (value: string) => boolean, expected: string): Shape<string> {
  return (value) => {
    if (typeof value !== 'string') throw mismatch(expected, value);
    if (!test(value)) throw new ShapeError(`expected ${expected}, got ${quote(value)}`);
    return value;
  };
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
export type Out<F extends Fields> = { [K in keyof F]: ReturnType<F[K]> };

/** An object with these fields (others are dropped). */
export function object<F extends Fields>(fields: F): Shape<Out<F>> {
  const keys = Object.keys(fields);
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw mismatch('an object', value);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      try {
        out[key] = fields[key]!((value as Record<string, unknown>)[key]);
      } catch (error) {
        throw error instanceof ShapeError ? error.within(`.${key}`) : error;
      }
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

function mismatch(expected: string, value: unknown): ShapeError {
  const kind =
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'a list'
        : typeof value === 'object'
          ? 'an object'
          : `a ${typeof value}`;
  return new ShapeError(`expected ${expected}, got ${kind}`);
}

/** A value from outside, quoted for a message: printable, at most 100 characters. */
export function quote(value: string): string {
  const text = printable(value.length > 100 ? value.slice(0, 100) : value);
  return `"${text}${value.length > 100 ? '…' : ''}"`;
}
