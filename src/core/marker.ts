/**
 * PEP 508 environment markers: parse them into a small AST, print them back, and evaluate them
 * against a target environment (a Python version and platform we are auditing for, which is
 * usually not the machine pyward runs on).
 *
 * Acceptance and evaluation follow pypa/packaging 26.x, which is what pip and most tools run;
 * src/core/testdata/markers.json holds its answers and markers.test.ts checks ours against them.
 * Where we knowingly differ, the code says so.
 */
import { InputError, type ErrorCode } from './errors.js';
import { normalizeName } from './names.js';
import { Specifier } from './specifier.js';
import { parseVersion } from './version.js';

// ---------------------------------------------------------------------------------------------
// AST

export type MarkerVariable =
  | 'python_version'
  | 'python_full_version'
  | 'os_name'
  | 'sys_platform'
  | 'platform_release'
  | 'platform_system'
  | 'platform_version'
  | 'platform_machine'
  | 'platform_python_implementation'
  | 'implementation_name'
  | 'implementation_version'
  | 'extra'
  /** PEP 751 (pylock.toml): the set of extras selected for the lock. */
  | 'extras'
  /** PEP 751 (pylock.toml): the set of dependency groups (PEP 735) selected for the lock. */
  | 'dependency_groups';

export type MarkerOperator = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not in';

export type MarkerOperand =
  | { readonly kind: 'variable'; readonly name: MarkerVariable }
  | { readonly kind: 'string'; readonly value: string };

export interface MarkerComparison {
  readonly kind: 'compare';
  readonly left: MarkerOperand;
  readonly op: MarkerOperator;
  readonly right: MarkerOperand;
}

/** `and` / `or` with two or more items; nested groups of the same kind are flattened. */
export interface MarkerGroup {
  readonly kind: 'and' | 'or';
  readonly items: readonly Marker[];
}

export type Marker = MarkerComparison | MarkerGroup;

/** The set-valued variables: they only make sense as `"name" in extras`. */
const SET_VARIABLES: ReadonlySet<MarkerVariable> = new Set(['extras', 'dependency_groups']);

/**
 * Variables whose values are versions. packaging 26 compares only these as versions, so
 * `os_name == "1.0"` stays a string comparison even though both sides look like versions.
 */
const VERSION_VARIABLES: ReadonlySet<MarkerVariable> = new Set([
  'python_version',
  'python_full_version',
  'implementation_version',
  'platform_release',
]);

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * An InputError that knows where in the text it happened. `column` is 1-based, so callers that
 * know the file and line (requirements.txt, pyproject.toml) can point at the exact spot.
 */
export class SyntaxInputError extends InputError {
  /** 1-based column in `source`. */
  readonly column: number;
  readonly source: string;
  constructor(code: ErrorCode, problem: string, source: string, index: number) {
    super(code, `${problem} at column ${index + 1} in ${quoteForMessage(source)}`);
    this.column = index + 1;
    this.source = source;
  }
}

/** Hostile inputs can be megabytes long; an error message quotes only the start. */
export function quoteForMessage(text: string): string {
  const limit = 200;
  const shown = text.length > limit ? `${text.slice(0, limit)}...` : text;
  return JSON.stringify(shown);
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parenthesised groups recurse; cap them as packaging does so deep nesting is a syntax error, not a stack overflow. */
const MAX_NESTING = 200;

/** Whitespace in PEP 508 is only space and tab; a newline is never part of a requirement. */
const WS = /[ \t]+/y;
/**
 * The variable names, including the dotted spellings of PEP 345 that packaging still accepts
 * (`os.name`, `sys.platform`, `platform.version`, `platform.machine`,
 * `platform.python_implementation`) and `python_implementation`, an old alias.
 */
const VARIABLE =
  /(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y;
const OPERATOR = /===|==|~=|!=|<=|>=|<|>/y;
const IN = /\bin\b/y;
const NOT = /\bnot\b/y;
const BOOLEAN = /\b(?:and|or)\b/y;

/** A cursor over the source text; `code` is the error code to raise (a marker inside a requirement makes the requirement invalid). */
export class Cursor {
  readonly source: string;
  readonly code: ErrorCode;
  pos: number;
  constructor(source: string, code: ErrorCode, pos = 0) {
    this.source = source;
    this.code = code;
    this.pos = pos;
  }

  /** Match a sticky regex at the cursor and advance past it. */
  match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.source);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  skipWs(): boolean {
    return this.match(WS) !== undefined;
  }

  peek(): string | undefined {
    return this.source[this.pos];
  }

  atEnd(): boolean {
    return this.pos >= this.source.length;
  }

  fail(problem: string, at = this.pos): never {
    throw new SyntaxInputError(this.code, problem, this.source, at);
  }
}

/** Parse a whole marker expression, e.g. `python_version < "3.11" and sys_platform != "win32"`. */
export function parseMarker(text: string): Marker {
  const cur: Cursor = new Cursor(text, 'invalid-marker');
  const marker = parseMarkerAt(cur);
  if (!cur.atEnd()) cur.fail(`expected 'and', 'or' or the end of the marker, found ${describeChar(cur.peek())}`);
  return marker;
}

/**
 * Parse a marker starting at the cursor, leaving the cursor after it and the whitespace that
 * follows it. The requirement parser calls this after the `;`.
 */
export function parseMarkerAt(cur: Cursor, depth = 0): Marker {
  // `and` binds tighter than `or`: an `or` of `and`s.
  const alternatives: Marker[] = [];
  let conjunction: Marker[] = [parseAtom(cur, depth)];
  for (;;) {
    const word = cur.match(BOOLEAN);
    if (word === undefined) break;
    const next = parseAtom(cur, depth);
    if (word === 'and') {
      conjunction.push(next);
    } else {
      alternatives.push(group('and', conjunction));
      conjunction = [next];
    }
  }
  alternatives.push(group('and', conjunction));
  return group('or', alternatives);
}

/** Build an and/or node, flattening children of the same kind and unwrapping a single child. */
function group(kind: 'and' | 'or', items: readonly Marker[]): Marker {
  const flat: Marker[] = [];
  for (const item of items) {
    // A loop, not push(...item.items): spreading a hostile group of ~125,000 items overflows the stack.
    if (item.kind === kind) for (const child of item.items) flat.push(child);
    else flat.push(item);
  }
  if (flat.length === 1) return flat[0]!;
  return { kind, items: flat };
}

function parseAtom(cur: Cursor, depth: number): Marker {
  cur.skipWs();
  let result: Marker;
  if (cur.peek() === '(') {
    const open = cur.pos;
    if (depth >= MAX_NESTING) cur.fail(`marker is nested more than ${MAX_NESTING} levels deep`);
    cur.pos++;
    result = parseMarkerAt(cur, depth + 1);
    if (cur.peek() !== ')') {
      cur.fail(`expected ')' to close the '(' at column ${open + 1}, found ${describeChar(cur.peek())}`);
    }
    cur.pos++;
  } else {
    result = parseComparison(cur);
  }
  cur.skipWs();
  return result;
}

function parseComparison(cur: Cursor): MarkerComparison {
  const start = cur.pos;
  let left = parseOperand(cur);
  cur.skipWs();
  const op = parseOperator(cur);
  cur.skipWs();
  let right = parseOperand(cur);

  // packaging accepts `"a" == "b"` and `python_version == os_name` and then fails or compares
  // nonsense at evaluation time; we reject them up front so the user hears about it at once.
  if ((left.kind === 'variable') === (right.kind === 'variable')) {
    cur.fail(
      left.kind === 'variable'
        ? 'a marker compares a variable with a quoted string, not with another variable'
        : 'a marker compares a quoted string with a variable such as python_version, not with another string',
      start,
    );
  }
  const variable = left.kind === 'variable' ? left.name : (right as { name: MarkerVariable }).name;

  // Extra names are compared normalized (PEP 685), so normalize the literal once here; that
  // also makes `extra == "Foo_Bar"` print as `extra == "foo-bar"`, as packaging does.
  if (variable === 'extra' || (SET_VARIABLES.has(variable) && right.kind === 'variable')) {
    if (left.kind === 'string') left = { kind: 'string', value: normalizeName(left.value) };
    if (right.kind === 'string') right = { kind: 'string', value: normalizeName(right.value) };
  }
  return { kind: 'compare', left, op, right };
}

function parseOperand(cur: Cursor): MarkerOperand {
  const name = cur.match(VARIABLE);
  if (name !== undefined) return { kind: 'variable', name: canonicalVariable(name) };
  const quote = cur.peek();
  if (quote === '"' || quote === "'") {
    const start = cur.pos;
    const end = cur.source.indexOf(quote, start + 1);
    if (end < 0) cur.fail(`unterminated string: no closing ${quote}`, start);
    const value = cur.source.slice(start + 1, end);
    // packaging hands strings with a backslash to Python's literal_eval, so `"\x41"` means `A`
    // there. PEP 508's grammar has no backslash at all; rather than emulate Python escapes and
    // risk reading a different value than pip, we refuse them.
    const bad = /[\\\n\r\0]/.exec(value);
    if (bad) {
      cur.fail(
        bad[0] === '\\'
          ? 'a backslash is not allowed in a marker string (PEP 508 has no escapes)'
          : 'a line break or NUL is not allowed in a marker string',
        start + 1 + bad.index,
      );
    }
    cur.pos = end + 1;
    return { kind: 'string', value };
  }
  return cur.fail(
    `expected a marker variable (python_version, sys_platform, extra, ...) or a quoted string, found ${describeChar(quote)}`,
  );
}

function canonicalVariable(text: string): MarkerVariable {
  const name = text.replace('.', '_');
  if (name === 'python_implementation') return 'platform_python_implementation';
  return name as MarkerVariable;
}

function parseOperator(cur: Cursor): MarkerOperator {
  if (cur.match(IN) !== undefined) return 'in';
  const notAt = cur.pos;
  if (cur.match(NOT) !== undefined) {
    if (!cur.skipWs() || cur.match(IN) === undefined) cur.fail("expected 'in' after 'not'", notAt);
    return 'not in';
  }
  const op = cur.match(OPERATOR);
  if (op !== undefined) return op as MarkerOperator;
  return cur.fail(
    `expected a marker operator (==, !=, <, <=, >, >=, ~=, ===, in, not in), found ${describeChar(cur.peek())}`,
  );
}

export function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'the end';
  return JSON.stringify(ch);
}

// ---------------------------------------------------------------------------------------------
// Printing

/**
 * The marker as PEP 508 text. Nested groups are always parenthesised (`(a and b) or c`) even
 * where precedence would not need it, so the printed form is unambiguous to a human reader.
 * `parseMarker(markerToString(m))` gives back `m`.
 */
export function markerToString(marker: Marker): string {
  return print(marker, true);
}

function print(marker: Marker, top: boolean): string {
  if (marker.kind === 'compare') {
    return `${printOperand(marker.left)} ${marker.op} ${printOperand(marker.right)}`;
  }
  const inner = marker.items.map((m) => print(m, false)).join(` ${marker.kind} `);
  return top ? inner : `(${inner})`;
}

function printOperand(operand: MarkerOperand): string {
  if (operand.kind === 'variable') return operand.name;
  // A parsed string never holds its own quote character, so one of the two styles always fits.
  return operand.value.includes('"') ? `'${operand.value}'` : `"${operand.value}"`;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** The values markers are evaluated against: one target interpreter on one platform. Keys are the PEP 508 names. */
export interface MarkerEnvironment {
  implementation_name: string;
  implementation_version: string;
  os_name: string;
  platform_machine: string;
  platform_release: string;
  platform_system: string;
  platform_version: string;
  python_full_version: string;
  platform_python_implementation: string;
  python_version: string;
  sys_platform: string;
  /** PEP 751 `extras`; when absent, the `extras` argument of evaluateMarker is used. */
  extras?: readonly string[];
  /** PEP 751 `dependency_groups`; empty when absent. */
  dependency_groups?: readonly string[];
}

/**
 * Does the marker hold in `env` with the given extras selected?
 *
 * `extra == "x"` is true when x is one of `extras` (names are compared PEP 503-normalized); with
 * no extras, `extra` is the empty string, as packaging has it for core metadata.
 *
 * Throws InputError `invalid-marker` for comparisons packaging also refuses to evaluate
 * (`~=`/`===` on a non-version variable, anything but ==/!= on `extra` when extras are selected,
 * a set-valued variable anywhere but on the right of `in`). We throw rather than return false because false would
 * silently drop the dependency from an audit; callers turn the error into a diagnostic.
 */
export function evaluateMarker(marker: Marker, env: MarkerEnvironment, extras: readonly string[] = []): boolean {
  const selected = new Set(extras.map(normalizeName));
  return evaluate(marker, env, selected);
}

function evaluate(marker: Marker, env: MarkerEnvironment, extras: ReadonlySet<string>): boolean {
  switch (marker.kind) {
    case 'and':
      return marker.items.every((m) => evaluate(m, env, extras));
    case 'or':
      return marker.items.some((m) => evaluate(m, env, extras));
    case 'compare':
      return compare(marker, env, extras);
  }
}

function compare(marker: MarkerComparison, env: MarkerEnvironment, extras: ReadonlySet<string>): boolean {
  const { left, op, right } = marker;
  const variable = left.kind === 'variable' ? left : right;
  const literal = left.kind === 'string' ? left : right;
  if (variable.kind !== 'variable' || literal.kind !== 'string') {
    // Only a hand-built AST can get here; the parser guarantees one of each.
    throw undefinedComparison(marker, 'it needs a variable on one side and a string on the other');
  }
  const name = variable.name;

  if (name === 'extra' && extras.size > 0) {
    // The selected extras are a set: equality is membership. Anything else is undefined.
    const has = extras.has(normalizeName(literal.value));
    if (op === '==') return has;
    if (op === '!=') return !has;
    throw undefinedComparison(marker, "with extras selected, 'extra' can only be compared with == or !=");
  }

  if (SET_VARIABLES.has(name)) {
    if (variable !== right || (op !== 'in' && op !== 'not in')) {
      throw undefinedComparison(marker, `'${name}' is a set and can only be used as "name" in ${name}`);
    }
    const source = name === 'extras' ? (env.extras ?? [...extras]) : (env.dependency_groups ?? []);
    const has = source.some((v) => normalizeName(v) === normalizeName(literal.value));
    return op === 'in' ? has : !has;
  }

  // With no extras selected, `extra` is the empty string, as packaging has it for core metadata.
  let envValue = name === 'extra' ? '' : env[name as Exclude<MarkerVariable, 'extra' | 'extras' | 'dependency_groups'>];
  // The type says every value is there, but environments also come from lockfiles and JSON.
  if (typeof envValue !== 'string') {
    throw new InputError('invalid-marker', `cannot evaluate marker '${markerToString(marker)}': the environment has no ${name}`);
  }
  // Python built from an untagged checkout reports e.g. `3.13.0+`, which is not a PEP 440
  // version; packaging reads it as `3.13.0+local` so comparisons still work. So do we.
  if (name === 'python_full_version' && envValue.endsWith('+')) envValue = `${envValue}local`;
  const lhs = left.kind === 'variable' ? envValue : literal.value;
  const rhs = right.kind === 'variable' ? envValue : literal.value;

  if (VERSION_VARIABLES.has(name) && op !== 'in' && op !== 'not in') {
    const spec = tryParseSpecifier(op + rhs);
    if (spec !== undefined) {
      // Arbitrary equality is a case-insensitive comparison of the text as written, so it
      // works on values that are not versions (`platform_release === "5.15.0-1057-azure"`).
      if (op === '===') return lhs.toLowerCase() === spec.version.toLowerCase();
      // Like packaging: a left side that is not a version simply does not match.
      const version = parseVersion(lhs);
      return version !== undefined && spec.contains(version, true);
    }
  }

  switch (op) {
    case '==':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case 'in':
      // Substring, not list membership: `"3.1" in "3.10"` is true. That is what PEP 508 and
      // packaging do, surprising as it is.
      return rhs.includes(lhs);
    case 'not in':
      return !rhs.includes(lhs);
    // packaging 26 treats ordering on plain strings as "never less, equal when equal" instead
    // of raising; we follow it so a marker that pip evaluates also evaluates here.
    case '<':
    case '>':
      return false;
    case '<=':
    case '>=':
      return lhs === rhs;
    case '~=':
    case '===':
      throw undefinedComparison(marker, `'${op}' needs versions on both sides`);
  }
}

function tryParseSpecifier(text: string): Specifier | undefined {
  // `===` alone is not a specifier in packaging 26 (23.0, which the specifier module follows, took it).
  if (/^===\s*$/.test(text)) return undefined;
  try {
    return Specifier.parse(text);
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
}

function undefinedComparison(marker: MarkerComparison, why: string): InputError {
  return new InputError('invalid-marker', `cannot evaluate marker '${markerToString(marker)}': ${why}`);
}

/**
 * A plausible CPython marker environment for a target we are not running on: `3.12` or
 * `3.12.4` on Linux (x86_64), macOS (arm64) or Windows (AMD64).
 *
 * When only `major.minor` is given, python_full_version is `major.minor.0`; a marker such as
 * `python_full_version >= "3.12.1"` is then false, so pass the full version when it matters.
 * platform_release and platform_version are typical values for current systems, not facts.
 */
export function environmentFor(
  pythonVersion: string,
  platform: 'linux' | 'darwin' | 'win32' = 'linux',
): MarkerEnvironment {
  const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?((?:a|b|rc)\d+)?\s*$/.exec(pythonVersion);
  if (!m) {
    throw new InputError(
      'invalid-version',
      `not a Python version: ${quoteForMessage(pythonVersion)} (expected e.g. 3.12 or 3.12.4)`,
    );
  }
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const full = `${major}.${minor}.${m[3] === undefined ? 0 : Number(m[3])}${m[4] ?? ''}`;
  const common = {
    implementation_name: 'cpython',
    implementation_version: full,
    platform_python_implementation: 'CPython',
    python_full_version: full,
    python_version: `${major}.${minor}`,
  };
  switch (platform) {
    case 'linux':
      return {
        ...common,
        os_name: 'posix',
        sys_platform: 'linux',
        platform_system: 'Linux',
        platform_machine: 'x86_64',
        platform_release: '6.8.0',
        platform_version: '#1 SMP PREEMPT_DYNAMIC',
      };
    case 'darwin':
      return {
        ...common,
        os_name: 'posix',
        sys_platform: 'darwin',
        platform_system: 'Darwin',
        platform_machine: 'arm64',
        platform_release: '24.0.0',
        platform_version: 'Darwin Kernel Version 24.0.0',
      };
    case 'win32':
      return {
        ...common,
        os_name: 'nt',
        sys_platform: 'win32',
        platform_system: 'Windows',
        platform_machine: 'AMD64',
        platform_release: '10',
        platform_version: '10.0.22631',
      };
  }
}
