/**
 * Typed errors with stable string codes. The CLI maps them to exit codes:
 * UsageError and InputError -> 2, SourceError -> 3. Anything else is a bug.
 */
import type { Location } from './model.js';

export type ErrorCode =
  | 'usage'
  | 'invalid-version'
  | 'invalid-specifier'
  | 'invalid-requirement'
  | 'invalid-marker'
  | 'invalid-filename'
  | 'invalid-metadata'
  | 'input-not-found'
  | 'input-unreadable'
  | 'input-unknown-format'
  | 'input-parse'
  | 'include-cycle'
  | 'db-missing'
  | 'db-corrupt'
  | 'source-unreachable'
  | 'source-bad-response'
  | 'resolver-failed';

export class PywardError extends Error {
  readonly code: ErrorCode;
  readonly location: Location | undefined;
  constructor(code: ErrorCode, message: string, location?: Location) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.location = location;
  }
  /** One line: `file:line: message`. */
  describe(): string {
    return this.location ? `${formatLocation(this.location)}: ${this.message}` : this.message;
  }
}

/** The user asked for something that cannot be done as asked (bad flag, bad combination). */
export class UsageError extends PywardError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** An input file or value is malformed. */
export class InputError extends PywardError {}

/** A network or on-disk source could not be used, so the run cannot complete. */
export class SourceError extends PywardError {}

export function formatLocation(loc: Location): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.column !== undefined) s += `:${loc.column}`;
  return s;
}
