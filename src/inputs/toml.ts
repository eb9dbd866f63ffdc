/**
 * TOML for the inputs written in it (pyproject.toml, uv.lock, poetry.lock, pdm.lock, pylock.toml):
 * parsing with the error's location, reading loosely typed values, and finding lines.
 *
 * TOML parsers return values without positions, yet every Package must say on which line it was
 * written. Re-parsing TOML with positions would mean a second parser; instead `TomlText` scans the
 * raw lines for table headers and `key =` starts, which is all a location needs. It is a heuristic
 * that never affects *what* is parsed, only the line numbers reported.
 */
import { createRequire } from 'node:module';
import { InputError } from '../core/errors.js';

type SmolToml = typeof import('smol-toml');
let smolToml: SmolToml | undefined;

/** The TOML parser, loaded when a TOML input is first read (a requirements.txt audit never needs it). */
export function tomlParser(): SmolToml {
  smolToml ??= createRequire(import.meta.url)('smol-toml') as SmolToml;
  return smolToml;
}

export type TomlTable = Record<string, unknown>;

/**
 * Parse a whole document; syntax errors become InputError('input-parse') at the parser's line,
 * followed by `fix` when the format has one (`regenerate it with ...`).
 */
export function parseToml(text: string, file: string, fix?: string): TomlTable {
  const { parse, TomlError } = tomlParser();
  try {
    return parse(text) as TomlTable;
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml appends a code excerpt after a blank line; the location already points there.
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
      throw new InputError('input-parse', `not valid TOML: ${reason}${fix === undefined ? '' : `; ${fix}`}`, {
        file,
        line: error.line,
        column: error.column,
      });
    }
    throw error;
  }
}

export function isTable(value: unknown): value is TomlTable {
  // TOML datetimes parse to Date subclasses, which are objects but never tables.
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asTable(value: unknown): TomlTable | undefined {
  return isTable(value) ? value : undefined;
}

export function asStringArray(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

interface Header {
  /** 1-based line of the header. */
  line: number;
  key: string[];
  arrayTable: boolean;
}

/** Splits a dotted TOML key (`tool."poetry".group . dev`) into its segments, or undefined. */
export function splitDottedKey(text: string): string[] | undefined {
  // A header longer than this is no table of a real file, and a quoted key of several MB overflows
  // V8's regex stack (a RangeError) in the segment pattern below.
  if (text.length > 64 * 1024) return undefined;
  const segment = /\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.|$)/y;
  const key: string[] = [];
  segment.lastIndex = 0;
  while (segment.lastIndex < text.length) {
    const m = segment.exec(text);
    if (!m) return undefined;
    key.push(unquote(m[1]!));
    if (m[2] === '') break;
  }
  return key.length > 0 ? key : undefined;
}

function unquote(token: string): string {
  if (token.startsWith("'")) return token.slice(1, -1);
  if (token.startsWith('"')) {
    try {
      return JSON.parse(token) as string;
    } catch {
      return token.slice(1, -1);
    }
  }
  return token;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const HEADER = /^\s*(\[\[?)([^[\]]+)(\]\]?)\s*(?:#.*)?$/;
const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const BARE_CHAR = /[A-Za-z0-9_-]/;
const KEY_BEFORE = /[{,.\s]/;
const KEY_AFTER = /\s*[=.]/y;

/** The raw lines of a TOML document, indexed by table header, for locating entries. */
export class TomlText {
  readonly lines: string[];
  readonly headers: Header[];
  /** The first `[table]` header (not `[[array]]`) of each key, by JSON of the key. */
  private readonly tableHeaders = new Map<string, number>();
  /** findKeyLine's answers for bare keys, one map per line range, built in one pass over it. */
  private readonly keyIndexes = new Map<string, Map<string, number>>();
  /**
   * Characters findStringLine may still read. A literal that is not found (written with escapes)
   * was searched for to the end of the table, once per item: quadratic on a hostile array of them.
   * Real files stay far below this; past it, a location falls back to the cursor, a courtesy lost.
   */
  private searchBudget: number;

  constructor(text: string) {
    this.lines = text.split(/\r?\n/);
    this.headers = [];
    this.searchBudget = 64 * text.length + 16_000_000;
    // Lines inside multi-line strings may look like headers; skip them. Counting the delimiters
    // is rough (a `"""` inside a one-line string fools it) but costs one pass and only ever
    // moves a reported line number.
    let inString: '"""' | "'''" | undefined;
    this.lines.forEach((raw, index) => {
      const startedInString = inString !== undefined;
      for (const match of raw.matchAll(/"""|'''/g)) {
        const delimiter = match[0] as '"""' | "'''";
        if (inString === undefined) inString = delimiter;
        else if (inString === delimiter) inString = undefined;
      }
      if (startedInString) return;
      const m = HEADER.exec(raw);
      if (!m || (m[1] === '[[') !== (m[3] === ']]')) return;
      const key = splitDottedKey(m[2]!);
      if (!key) return;
      const arrayTable = m[1] === '[[';
      if (!arrayTable && !this.tableHeaders.has(JSON.stringify(key))) this.tableHeaders.set(JSON.stringify(key), this.headers.length);
      this.headers.push({ line: index + 1, key, arrayTable });
    });
  }

  /** For each `[[key]]` header, in order: the line of its `name = ...`, or of the header itself. */
  arrayTableEntryLines(key: string[], nameKey = 'name'): number[] {
    const result: number[] = [];
    this.headers.forEach((header, i) => {
      if (!header.arrayTable || !sameKey(header.key, key)) return;
      const end = this.headers[i + 1]?.line ?? this.lines.length + 1;
      const nameLine = this.findKeyLine(nameKey, header.line + 1, end);
      result.push(nameLine ?? header.line);
    });
    return result;
  }

  /**
   * One line per item of the array of tables at `key`: the line of its `name`. Uses the `[[key]]`
   * headers when there is one per item; otherwise (an inline `key = [{ ... }]` array, which tools
   * do not write but hands may) looks for each item's name literal in turn.
   */
  entryLines(key: string[], items: unknown[]): number[] {
    const headerLines = this.arrayTableEntryLines(key);
    if (headerLines.length === items.length) return headerLines;
    let cursor = this.keyPathLine(key) ?? 1;
    return items.map((item) => {
      const name = asString(asTable(item)?.['name']);
      const line = name === undefined ? undefined : this.findStringLine(name, cursor);
      if (line !== undefined) cursor = line;
      return line ?? cursor;
    });
  }

  /**
   * The line where the value at `path` is written: via the longest `[table]` header that is a
   * prefix of the path, then `key =` (or `key.` / `{ key =`) lines for the remaining segments.
   * Undefined when it cannot be found.
   */
  keyPathLine(path: string[]): number | undefined {
    for (let k = path.length; k >= 0; k--) {
      const prefix = path.slice(0, k);
      let start: number;
      let end: number;
      if (k === 0) {
        start = 1;
        end = this.headers[0]?.line ?? this.lines.length + 1;
      } else {
        // A map, not a search of the headers: this runs for every entry of a table.
        const index = this.tableHeaders.get(JSON.stringify(prefix));
        if (index === undefined) continue;
        start = this.headers[index]!.line;
        end = this.headers[index + 1]?.line ?? this.lines.length + 1;
      }
      let line: number | undefined = start;
      for (const segment of path.slice(k)) {
        line = this.findKeyLine(segment, line, end);
        if (line === undefined) break;
      }
      if (line !== undefined) return line;
    }
    return undefined;
  }

  /** First line in [from, end) where `key` starts a key/value pair. */
  findKeyLine(key: string, from: number, end = this.lines.length + 1): number | undefined {
    // A bare key (nearly every project name) is looked up in an index of the range: a scan per key
    // from the table's header made a table of many keys quadratic.
    if (BARE_KEY.test(key)) return this.bareKeyLines(Math.max(from, 1), Math.min(end, this.lines.length + 1)).get(key);
    const k = escapeRegExp(key);
    const pattern = new RegExp(`(?:^|[{,.\\s])(?:${k}|"${k}"|'${k}')\\s*[=.]`);
    for (let line = Math.max(from, 1); line < end && line <= this.lines.length; line++) {
      if (pattern.test(this.lines[line - 1]!)) return line;
    }
    return undefined;
  }

  /**
   * First line at or after `from` that holds the string `value` as a TOML literal (either quote
   * style), falling back to the bare text for values written with escapes.
   */
  findStringLine(value: string, from: number, end = this.lines.length + 1): number | undefined {
    const candidates = [`"${value}"`, `'${value}'`, `"""${value}`, `'''${value}`, value];
    for (const needle of candidates) {
      for (let line = Math.max(from, 1); line < end && line <= this.lines.length; line++) {
        const text = this.lines[line - 1]!;
        if ((this.searchBudget -= text.length + 1) < 0) return undefined;
        if (text.includes(needle)) return line;
      }
    }
    return undefined;
  }

  /**
   * For lines [from, end): each bare key to the first line where findKeyLine's pattern matches it,
   * that is where it stands after the line's start, `{`, `,`, `.` or whitespace, bare or in quotes
   * of either kind, followed by optional whitespace and `=` or `.`.
   */
  private bareKeyLines(from: number, end: number): Map<string, number> {
    const id = `${from}:${end}`;
    let index = this.keyIndexes.get(id);
    if (index !== undefined) return index;
    index = new Map();
    for (let line = from; line < end; line++) {
      const text = this.lines[line - 1]!;
      for (let p = 0; p < text.length; p++) {
        if (p > 0 && !KEY_BEFORE.test(text[p - 1]!)) continue;
        const quote = text[p] === '"' || text[p] === "'" ? text[p]! : '';
        const start = p + quote.length;
        let stop = start;
        while (stop < text.length && BARE_CHAR.test(text[stop]!)) stop++;
        if (stop === start || (quote !== '' && text[stop] !== quote)) continue;
        KEY_AFTER.lastIndex = stop + quote.length;
        const key = text.slice(start, stop);
        if (KEY_AFTER.test(text) && !index.has(key)) index.set(key, line);
      }
    }
    this.keyIndexes.set(id, index);
    return index;
  }

  /** The line of the first header after `line` (or one past the end): where a table's body stops. */
  bodyEnd(line: number): number {
    return this.headers.find((h) => h.line > line)?.line ?? this.lines.length + 1;
  }
}

function sameKey(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}
