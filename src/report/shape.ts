// JSON handed in by a user (the shard reports report-merge reads) is checked field by field where
// it enters: a wrong shape is a ConfigError naming the file and the path inside it
// (`shard-2.json: failed[3].source is a number, expected a string`), never a TypeError later.
import { ConfigError } from '../errors/base.js';

/** Longer than any name a run writes: a repository (255) and a tag (128), or an escaped bad name. */
const MAX_NAME = 1024;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export class Shape {
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  fail(path: string, why: string): ConfigError {
    return new ConfigError(`${this.file}: ${path} ${why}`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.wrong(value, path, 'an object');
    return value as Record<string, unknown>;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') throw this.wrong(value, path, 'a string');
    return value;
  }

  /** A name the report shows (an image, a repository, a project): one printable line. Runs write
   * names from outside escaped (`\x1b`), so a raw control character means the file was made up. */
  name(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (text.length > MAX_NAME) throw this.fail(path, `is longer than ${MAX_NAME} characters, more than any name`);
    if (CONTROL.test(text)) throw this.fail(path, 'holds a control character or line break, which no name has');
    return text;
  }

  /** A count, size or duration: a finite number of at least 0. */
  number(value: unknown, path: string): number {
    if (typeof value !== 'number') throw this.wrong(value, path, 'a number');
    if (!Number.isFinite(value) || value < 0) throw this.fail(path, `is ${value}, expected a number of at least 0`);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') throw this.wrong(value, path, 'true or false');
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    const text = this.string(value, path);
    if (!(allowed as readonly string[]).includes(text))
      throw this.fail(path, `is "${text.slice(0, 100)}", expected one of ${allowed.join(', ')}`);
    return text as T;
  }

  list<T>(value: unknown, path: string, each: (item: unknown, path: string) => T): T[] {
    if (!Array.isArray(value)) throw this.wrong(value, path, 'a list');
    return value.map((item, i) => each(item, `${path}[${i}]`));
  }

  /** Absent (or null, as the report writes an empty optional): undefined; else checked. */
  optional<T>(value: unknown, path: string, check: (value: unknown, path: string) => T): T | undefined {
    return value === undefined || value === null ? undefined : check(value, path);
  }

  private wrong(value: unknown, path: string, expected: string): ConfigError {
    return this.fail(path, `is ${kindOf(value)}, expected ${expected}`);
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
