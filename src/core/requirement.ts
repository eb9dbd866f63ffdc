/**
 * PEP 508 dependency specifiers: `name[extra1,extra2] (>=1,<2) ; marker` and `name @ url ; marker`.
 *
 * Acceptance follows pypa/packaging 26.x (what pip uses): a requirement pip accepts must parse
 * here, and one pip rejects must not, or an audit would disagree with the installer.
 * src/core/testdata/requirements.json holds packaging's answers for the edge cases.
 */
import { normalizeName } from './names.js';
import { Cursor, describeChar, parseMarkerAt, type Marker } from './marker.js';
import { Specifier, SpecifierSet } from './specifier.js';
import { InputError } from './errors.js';
import { isPyWhitespace } from './version.js';

export { SyntaxInputError } from './marker.js';

export interface Requirement {
  /** PEP 503-normalized name. */
  name: string;
  /** The name as written. */
  rawName: string;
  /** Normalized extra names, sorted, without duplicates. */
  extras: string[];
  /** Canonical text of the version specifier set; '' when there is none (always '' with a URL). */
  specifier: string;
  /** The URL of a `name @ url` requirement, exactly as written. */
  url?: string;
  marker?: Marker;
  /** The marker as written, without the `;` and surrounding whitespace. */
  markerText?: string;
}

/** A name or extra: letters and digits, with `.`, `_`, `-` inside but not at either end. */
const IDENTIFIER = /[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y;

/**
 * `name==1.2.3` and nothing else: the form nearly every line of a pinned file takes. For it the
 * grammar below gives the name, no extras and the specifier `==1.2.3` as written (a release of
 * plain numbers is always a valid version, up to Python's int() limit, hence at most 15 digits a
 * part here), so it is answered without the grammar.
 */
const SIMPLE_PIN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==([0-9]{1,15}(?:\.[0-9]{1,15})*)$/;

/**
 * Parse one PEP 508 requirement. Throws InputError `invalid-requirement` (a SyntaxInputError
 * with the 1-based `column`) that says what is wrong and where.
 */
export function parseRequirement(text: string): Requirement {
  // The fast path only for lines of a sane length: V8's regex stack overflows on its repeated
  // group in a pin of several MB, which the grammar below reads (and refuses) without recursion.
  const simple = text.length <= 1024 ? SIMPLE_PIN.exec(text) : null;
  if (simple !== null) {
    const rawName = simple[1]!;
    return { name: normalizeName(rawName), rawName, extras: [], specifier: `==${simple[2]!}` };
  }
  const cur: Cursor = new Cursor(text, 'invalid-requirement');
  cur.skipWs();

  const rawName = cur.match(IDENTIFIER);
  if (rawName === undefined) cur.fail(`expected a package name, found ${describeChar(cur.peek())}`);
  cur.skipWs();

  const extras = parseExtras(cur);

  const result: Requirement = { name: normalizeName(rawName), rawName, extras, specifier: '' };

  if (cur.peek() === '@') {
    cur.pos++;
    cur.skipWs();
    // Up to the next whitespace as Python's `\S` sees it (JavaScript's set differs in a few
    // control and Unicode characters, and a URL must end where pip's ends).
    const urlStart = cur.pos;
    while (!cur.atEnd() && !isPyWhitespace(cur.source.charCodeAt(cur.pos))) cur.pos++;
    if (cur.pos === urlStart) cur.fail("expected a URL after '@'");
    result.url = text.slice(urlStart, cur.pos);
    if (cur.atEnd()) return result;
    // The URL runs to the next whitespace, so `pkg @ https://host/x.whl;python_version<"3.9"` is
    // all URL: PEP 508 needs whitespace between a URL and its `;`, and pip reads it the same way.
    if (!cur.skipWs()) cur.fail(`expected whitespace or the end after the URL, found ${describeChar(cur.peek())}`);
    if (cur.atEnd()) return result;
    if (cur.peek() !== ';') {
      cur.fail(`expected ';' before a marker, or the end, after the URL; found ${describeChar(cur.peek())}`);
    }
  } else {
    result.specifier = parseSpecifier(cur);
    if (cur.atEnd()) return result;
    if (cur.peek() !== ';') {
      // Only a parenthesised specifier can stop short of the ';' or the end.
      cur.fail(`expected ';' or the end after the version specifier, found ${describeChar(cur.peek())}`);
    }
  }

  // At the ';'.
  const markerStart = cur.pos + 1;
  cur.pos++;
  result.marker = parseMarkerAt(cur);
  if (!cur.atEnd()) {
    cur.fail(`expected 'and', 'or' or the end of the requirement, found ${describeChar(cur.peek())}`);
  }
  result.markerText = text.slice(markerStart).trim();
  return result;
}

function parseExtras(cur: Cursor): string[] {
  if (cur.peek() !== '[') return [];
  const open = cur.pos;
  cur.pos++;
  cur.skipWs();
  const extras = new Set<string>();
  let extra = cur.match(IDENTIFIER);
  if (extra !== undefined) {
    extras.add(normalizeName(extra));
    for (;;) {
      cur.skipWs();
      if (cur.peek() !== ',') {
        IDENTIFIER.lastIndex = cur.pos;
        if (IDENTIFIER.test(cur.source)) cur.fail("expected ',' between extra names");
        break;
      }
      cur.pos++;
      cur.skipWs();
      extra = cur.match(IDENTIFIER);
      if (extra === undefined) cur.fail(`expected an extra name after ',', found ${describeChar(cur.peek())}`);
      extras.add(normalizeName(extra));
    }
  }
  cur.skipWs();
  if (cur.peek() !== ']') {
    cur.fail(`expected ']' to close the '[' at column ${open + 1}, found ${describeChar(cur.peek())}`);
  }
  cur.pos++;
  cur.skipWs();
  return [...extras].sort();
}

/**
 * The version specifier, bare (`>=1,<2`) or in parentheses (`(>=1,<2)`), as canonical text.
 * A bare one runs to the `;` or the end; whitespace after it belongs to it.
 */
function parseSpecifier(cur: Cursor): string {
  const parenthesised = cur.peek() === '(';
  const open = cur.pos;
  if (parenthesised) cur.pos++;
  const start = cur.pos;
  let end = start;
  while (end < cur.source.length) {
    const ch = cur.source[end];
    if (ch === ';' || (parenthesised && ch === ')')) break;
    end++;
  }
  const body = cur.source.slice(start, end);
  const canonical = checkSpecifierList(cur, body, start, parenthesised);
  cur.pos = end;
  if (parenthesised) {
    if (cur.peek() !== ')') {
      cur.fail(`expected ')' to close the '(' at column ${open + 1}, found ${describeChar(cur.peek())}`);
    }
    cur.pos++;
    cur.skipWs();
  }
  return canonical;
}

/**
 * Check each comma-separated item so the error can point at the bad one, then canonicalize
 * the set. One trailing comma is allowed (`>=1,`) because packaging accepts it.
 */
function checkSpecifierList(cur: Cursor, body: string, offset: number, parenthesised: boolean): string {
  // Only tabs and printable ASCII can be part of a specifier list; packaging's tokenizer stops
  // at anything else, so a newline or a no-break space is an error, not whitespace.
  const bad = /[^\t\x20-\x7e]/.exec(body);
  if (bad) cur.fail(`unexpected character ${JSON.stringify(bad[0])} in the version specifier`, offset + bad.index);
  const first = body.search(/[^ \t]/);
  if (first < 0) return '';
  if (!parenthesised && !/[<>=!~]/.test(body[first]!)) {
    cur.fail(
      `expected a version specifier (like >=1.0), '[extras]', '@ url', ';' or the end after the name, found ${describeChar(body[first])}`,
      offset + first,
    );
  }
  const specs: Specifier[] = [];
  let at = 0;
  const parts = body.split(',');
  parts.forEach((part, i) => {
    const item = part.replace(/^[ \t]+/, '');
    const column = offset + at + (part.length - item.length);
    at += part.length + 1;
    // A loop, not /[ \t]+$/: that regex is quadratic on a long run of spaces before text.
    let end = item.length;
    while (end > 0 && (item[end - 1] === ' ' || item[end - 1] === '\t')) end--;
    const trimmed = item.slice(0, end);
    if (trimmed === '') {
      if (i === parts.length - 1 && i > 0) return; // the one trailing comma
      cur.fail(i === 0 ? "expected a version specifier before ','" : "expected a version specifier after ','", column);
    }
    // packaging 26 refuses `===` with nothing after it; the specifier module follows 23.0, which took it.
    if (trimmed.replace(/^===[ \t]*/, '') === '') cur.fail("'===' needs a version after it", column);
    try {
      specs.push(Specifier.parse(trimmed));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      cur.fail(clip(err.message), column);
    }
  });
  // The items are trimmed of spaces and tabs, the only whitespace a specifier list can hold here,
  // so this is the set SpecifierSet.parse would make of them, without parsing each one again.
  return SpecifierSet._of(specs).toString();
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
