/**
 * Turns untrusted JSON/YAML into an `OsvRecord`. Advisory data comes from third parties (and from
 * whoever controls a mirror or a `--db` directory), so every field pyward reads is type-checked here,
 * once; the rest of the code may trust the record's shape. Bad sub-entries are dropped and named in
 * one warning so that one typo in one advisory never hides the other 20,000.
 */
import { isValidName, normalizeName } from '../../core/names.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord, OsvSeverity } from './schema.js';

/**
 * The OSV ecosystem string for PyPI. The spec defines no `:suffix` for PyPI, and look-alikes such as
 * `Root:PyPI` are other ecosystems (patched rebuilds with other names), so the match is exact.
 */
export const PYPI_ECOSYSTEM = 'PyPI';

/**
 * Ids end up in URLs (`<base>/<ID>.json`), file names and terminals: letters, digits and the
 * punctuation real databases use (`GHSA-…`, `openSUSE-SU-2024:1234-1`, `BIT-django-2022-1`).
 */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/;

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

export interface ValidationResult {
  record?: OsvRecord;
  /** Everything that was dropped or why the record was rejected, prefixed with `where`. */
  warning?: string;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Untrusted text in a message: quoted, escaped (no terminal control sequences) and short. */
export function quote(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  if (s.length > 60) s = `${s.slice(0, 57)}...`;
  return JSON.stringify(s);
}

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** Validates one advisory. Never throws: a record that cannot be used comes back as a warning only. */
export function toOsvRecord(raw: unknown, where: string): ValidationResult {
  try {
    return validate(raw, where);
  } catch (e) {
    // A bug here must not abort an import of thousands of records; report it like bad data.
    return { warning: `${where}: could not validate record (${(e as Error).message})` };
  }
}

function validate(raw: unknown, where: string): ValidationResult {
  if (!isObject(raw)) return { warning: `${where}: not an OSV record (expected a JSON object)` };
  if (raw['id'] === undefined) return { warning: `${where}: missing "id"` };
  if (!isValidId(raw['id'])) return { warning: `${where}: invalid "id" ${quote(raw['id'])}` };
  const id = raw['id'];
  const problems: string[] = [];
  const reject = (why: string): ValidationResult => ({ warning: `${where}: ${id}: ${why}` });

  const modified = raw['modified'];
  if (typeof modified !== 'string') return reject(`missing "modified" (every OSV record has one)`);
  // An odd timestamp only weakens incremental updates; the vulnerability data is still worth having.
  if (modifiedKey(modified) === undefined) problems.push(`"modified" is not an RFC 3339 timestamp ${quote(modified)}`);
  const record: OsvRecord = { id, modified };

  const schemaVersion = optString(raw, 'schema_version', problems);
  if (schemaVersion !== undefined) record.schema_version = schemaVersion;
  for (const key of ['published', 'withdrawn'] as const) {
    const v = optString(raw, key, problems);
    if (v === undefined) continue;
    if (modifiedKey(v) === undefined) problems.push(`"${key}" is not an RFC 3339 timestamp ${quote(v)}`);
    record[key] = v;
  }
  for (const key of ['summary', 'details'] as const) {
    const v = optString(raw, key, problems);
    if (v !== undefined) record[key] = v;
  }
  for (const key of ['aliases', 'upstream', 'related'] as const) {
    const v = stringList(raw[key], key, problems, (s) => isValidId(s));
    if (v !== undefined) record[key] = v;
  }
  const severity = severities(raw['severity'], 'severity', problems);
  if (severity !== undefined) record.severity = severity;

  if (raw['affected'] !== undefined) {
    if (!Array.isArray(raw['affected'])) {
      problems.push('"affected" is not a list');
    } else {
      const affected: OsvAffected[] = [];
      raw['affected'].forEach((a, i) => {
        const v = affectedEntry(a, `affected[${i}]`, problems);
        if (v) affected.push(v);
      });
      record.affected = affected;
    }
  }

  if (raw['references'] !== undefined) {
    if (!Array.isArray(raw['references'])) {
      problems.push('"references" is not a list');
    } else {
      const refs: { type: string; url: string }[] = [];
      raw['references'].forEach((r, i) => {
        if (isObject(r) && typeof r['type'] === 'string' && typeof r['url'] === 'string') {
          refs.push({ type: r['type'], url: r['url'] });
        } else {
          problems.push(`dropped references[${i}] (needs string "type" and "url")`);
        }
      });
      record.references = refs;
    }
  }
  if (raw['database_specific'] !== undefined) record.database_specific = raw['database_specific'];

  return problems.length ? { record, warning: `${where}: ${id}: ${problems.join('; ')}` } : { record };
}

function optString(raw: Obj, key: string, problems: string[]): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  problems.push(`dropped "${key}" (not a string)`);
  return undefined;
}

function stringList(
  v: unknown,
  path: string,
  problems: string[],
  ok: (s: string) => boolean = () => true,
): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    problems.push(`dropped "${path}" (not a list)`);
    return undefined;
  }
  const out: string[] = [];
  let bad = 0;
  for (const item of v) {
    if (typeof item === 'string' && ok(item)) out.push(item);
    else bad++;
  }
  if (bad) problems.push(`dropped ${bad} invalid entr${bad === 1 ? 'y' : 'ies'} of "${path}"`);
  return out;
}

function severities(v: unknown, path: string, problems: string[]): OsvSeverity[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    problems.push(`dropped "${path}" (not a list)`);
    return undefined;
  }
  const out: OsvSeverity[] = [];
  v.forEach((s, i) => {
    if (isObject(s) && typeof s['type'] === 'string' && typeof s['score'] === 'string') {
      out.push({ type: s['type'], score: s['score'] });
    } else {
      problems.push(`dropped ${path}[${i}] (needs string "type" and "score")`);
    }
  });
  return out;
}

function affectedEntry(a: unknown, path: string, problems: string[]): OsvAffected | undefined {
  if (!isObject(a)) {
    problems.push(`dropped ${path} (not an object)`);
    return undefined;
  }
  const out: OsvAffected = {};
  const pkg = a['package'];
  if (pkg !== undefined) {
    if (!isObject(pkg) || typeof pkg['ecosystem'] !== 'string' || typeof pkg['name'] !== 'string') {
      // Without a package the entry could only be matched by GIT commit, which pyward does not do;
      // guessing the package would be worse than dropping the entry.
      problems.push(`dropped ${path} (package needs string "ecosystem" and "name")`);
      return undefined;
    }
    if (pkg['ecosystem'] === PYPI_ECOSYSTEM && !isValidName(pkg['name'])) {
      problems.push(`dropped ${path} (invalid PyPI package name ${quote(pkg['name'])})`);
      return undefined;
    }
    out.package = { ecosystem: pkg['ecosystem'], name: pkg['name'] };
    if (typeof pkg['purl'] === 'string') out.package.purl = pkg['purl'];
  }
  if (a['ranges'] !== undefined) {
    if (!Array.isArray(a['ranges'])) {
      problems.push(`dropped ${path}.ranges (not a list)`);
    } else {
      const ranges: OsvRange[] = [];
      a['ranges'].forEach((r, i) => {
        const v = rangeEntry(r, `${path}.ranges[${i}]`, problems);
        if (v) ranges.push(v);
      });
      out.ranges = ranges;
    }
  }
  const versions = stringList(a['versions'], `${path}.versions`, problems);
  if (versions !== undefined) out.versions = versions;
  const severity = severities(a['severity'], `${path}.severity`, problems);
  if (severity !== undefined) out.severity = severity;
  if (a['ecosystem_specific'] !== undefined) out.ecosystem_specific = a['ecosystem_specific'];
  if (a['database_specific'] !== undefined) out.database_specific = a['database_specific'];
  return out;
}

function rangeEntry(r: unknown, path: string, problems: string[]): OsvRange | undefined {
  if (!isObject(r) || typeof r['type'] !== 'string' || !Array.isArray(r['events'])) {
    problems.push(`dropped ${path} (needs a string "type" and a list of "events")`);
    return undefined;
  }
  const events: OsvEvent[] = [];
  for (const [i, e] of r['events'].entries()) {
    const ev = isObject(e) ? eventEntry(e) : undefined;
    if (!ev) {
      // One unreadable event changes the meaning of the whole range (a lost `introduced` would
      // hide the vulnerability, a lost `fixed` would extend it forever): drop the range, loudly.
      problems.push(`dropped ${path} (events[${i}] ${quote(e)} is not one string-valued event)`);
      return undefined;
    }
    events.push(ev);
  }
  if (events.length === 0) {
    problems.push(`dropped ${path} (no events)`);
    return undefined;
  }
  const out: OsvRange = { type: r['type'], events };
  if (typeof r['repo'] === 'string') out.repo = r['repo'];
  if (r['database_specific'] !== undefined) out.database_specific = r['database_specific'];
  return out;
}

function eventEntry(e: Obj): OsvEvent | undefined {
  const present = EVENT_KEYS.filter((k) => e[k] !== undefined);
  if (present.length !== 1) return undefined;
  const key = present[0]!;
  const value = e[key];
  if (typeof value !== 'string' || value === '') return undefined;
  return { [key]: value };
}

/** True when at least one `affected` entry is a PyPI package. */
export function isPypiRecord(record: OsvRecord): boolean {
  return record.affected?.some((a) => a.package?.ecosystem === PYPI_ECOSYSTEM) ?? false;
}

/** The PEP 503-normalized names of the PyPI packages a record affects, without duplicates. */
export function pypiNames(record: OsvRecord): string[] {
  const names = new Set<string>();
  for (const a of record.affected ?? []) {
    if (a.package?.ecosystem === PYPI_ECOSYSTEM) names.add(normalizeName(a.package.name));
  }
  return [...names];
}

/** The `affected` entries of a record that describe the given (normalized) PyPI package. */
export function pypiAffected(record: OsvRecord, name: string): OsvAffected[] {
  const wanted = normalizeName(name);
  return (record.affected ?? []).filter(
    (a) => a.package?.ecosystem === PYPI_ECOSYSTEM && normalizeName(a.package.name) === wanted,
  );
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A key that orders RFC 3339 timestamps correctly as plain strings (`…:05Z` sorts after `…:05.1Z`
 * as text, so raw strings cannot be compared). UTC with nanosecond digits; undefined if unparsable.
 */
export function modifiedKey(ts: string): string | undefined {
  const m = RFC3339.exec(ts);
  if (!m) return undefined;
  const [, date, time, frac = '', zone] = m;
  const ms = Date.parse(`${date}T${time}${zone === 'z' ? 'Z' : zone}`);
  if (Number.isNaN(ms)) return undefined;
  if (zone === 'Z' || zone === 'z') return `${date}T${time}.${frac.padEnd(9, '0')}Z`;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 19)}.${frac.padEnd(9, '0')}Z`;
}

/** Orders two timestamps; unparsable ones sort first so that any real timestamp wins. */
export function compareModified(a: string | undefined, b: string | undefined): number {
  const ka = a === undefined ? undefined : modifiedKey(a);
  const kb = b === undefined ? undefined : modifiedKey(b);
  if (ka === kb) return 0;
  if (ka === undefined) return -1;
  if (kb === undefined) return 1;
  return ka < kb ? -1 : 1;
}
