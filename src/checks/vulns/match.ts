/**
 * Exact OSV matching for PyPI: does an `affected` entry (or a whole record) cover a version?
 *
 * This follows the OSV schema's "Evaluation" pseudo-code (https://ossf.github.io/osv-schema/#evaluation)
 * with PEP 440 ordering, and is checked against a Python oracle built on pypa/packaging
 * (test/oracle/oracle.py). The rules, including those the spec leaves open:
 *
 * - An entry counts only when its ecosystem is exactly `PyPI` and its name, PEP 503-normalized,
 *   equals the package's (`Foo_Bar` is `foo-bar`).
 * - `versions` entries match by PEP 440 equality of parsed versions (`1.0` equals `1.0.0`;
 *   `1.0+local` does not equal `1.0`). Entries that are not PEP 440 are skipped with a warning.
 * - Ranges are OR'd. ECOSYSTEM ranges are evaluated with PEP 440 ordering. SEMVER ranges are
 *   evaluated the same way: SemVer precedence cannot order PEP 440 versions (`1.0`, `2.0.post1`), the
 *   SemVer strings a database writes (`1.2.3`, `1.2.3-rc.1`) parse as PEP 440 and order the same, and
 *   skipping the range would silently miss the vulnerability. GIT ranges need the repository's commit
 *   graph and are skipped (the entry still matches through its other ranges or `versions`); any
 *   other range type is skipped with a warning.
 * - Events are sorted by version; `introduced: "0"` sorts below every version (also below `0.dev0`)
 *   and a `limit` containing `*` is infinity. The spec leaves ties open. At equal versions, events
 *   that end a range (`fixed`, `last_affected`, `limit`) sort before `introduced`; otherwise the
 *   record's order is kept (stable sort). Databases write a range as [introduced, fixed) pairs in any
 *   order, and pairs that touch share a version: apache-iotdb's PYSEC-2022-42972 is
 *   `0.13.0..0.14.0rc1` then `0.12.2..0.13.0`, pyspark's PYSEC-2023-72 `0..3.1.1, 3.2.0..3.2.2,
 *   3.1.1..3.2.0`. Any other order at the shared version ends the union there and misses the versions
 *   after it (0.13.x, 3.2.0-3.2.1); this order gets every such record right. Its one cost: a
 *   degenerate range `introduced: X, fixed: X` (empty as written) affects X and above.
 * - Walk: `introduced` at or below v sets affected, `fixed` at or below v clears it (fixed is
 *   exclusive), `last_affected` strictly below v clears it (inclusive). A range with `limit` events
 *   holds only versions below at least one limit. Pairs that overlap (not just touch) inside one
 *   range are read as the walk reads them, the first `fixed` above an `introduced` closing both:
 *   wagtail's PYSEC-2021-114 (`2.11..2.11.7` and `0..2.11.6`) thus leaves 2.11.6 out of its range,
 *   and its `versions` list brings it back. The spec's algorithm, not a union of pairs, is the
 *   contract both here and in the oracle.
 * - An event whose version is not PEP 440 is dropped (with a warning) and the rest of the range is
 *   evaluated. An event object with several keys (invalid per the spec) counts as one event per key,
 *   in the order introduced, fixed, last_affected, limit, rather than being lost.
 *
 * Each `affected` entry is compiled once (its event versions parsed and sorted) and cached by object
 * identity, because an audit of 1,000 pins evaluates the same ranges many times.
 */
import { normalizeName } from '../../core/names.js';
import { compareVersions, parseVersion, type Version } from '../../core/version.js';
import type { OsvAffected, OsvRecord } from '../../sources/osv/schema.js';

export const PYPI = 'PyPI';

export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

export interface CompiledEvent {
  kind: EventKind;
  /** The version as the record wrote it. */
  text: string;
  /** The parsed version; undefined for the two unbounded values below. */
  version: Version | undefined;
  /** `introduced: "0"`: below every version. */
  zero: boolean;
  /** A `limit` containing `*`: above every version. */
  infinite: boolean;
}

export interface CompiledRange {
  type: string;
  /** Sorted by version, with the tie rule of the header. */
  events: readonly CompiledEvent[];
  limits: readonly CompiledEvent[];
}

export interface CompiledAffected {
  /** The `versions` list, parsed and sorted (binary-searched: some lists run to hundreds). */
  versions: readonly Version[];
  /** Only the ranges that are evaluated (ECOSYSTEM, SEMVER). */
  ranges: readonly CompiledRange[];
  /** Problems found while compiling: reported by callers, never thrown. */
  warnings: readonly string[];
}

const EVALUATED_RANGE_TYPES = new Set(['ECOSYSTEM', 'SEMVER']);
const SILENTLY_SKIPPED_RANGE_TYPES = new Set(['GIT']);

const compiledCache = new WeakMap<OsvAffected, CompiledAffected>();

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

function sortPosition(e: CompiledEvent): number {
  return e.zero ? -1 : e.infinite ? 1 : 0;
}

function compareEvents(a: CompiledEvent, b: CompiledEvent): number {
  const pa = sortPosition(a);
  const pb = sortPosition(b);
  if (pa !== 0 || pb !== 0) return pa - pb;
  const c = compareVersions(a.version!, b.version!);
  if (c !== 0) return c;
  // The tie rule (see the header): what ends a range goes before what starts one.
  return (a.kind === 'introduced' ? 1 : 0) - (b.kind === 'introduced' ? 1 : 0);
}

/** Parses and sorts an entry's versions once; later calls return the cached result. */
export function compileAffected(affected: OsvAffected): CompiledAffected {
  const hit = compiledCache.get(affected);
  if (hit !== undefined) return hit;
  const warnings: string[] = [];

  const versions: Version[] = [];
  const badVersions: string[] = [];
  const listed: unknown = affected.versions;
  if (Array.isArray(listed)) {
    for (const text of listed) {
      const v = typeof text === 'string' ? parseVersion(text) : undefined;
      if (v === undefined) badVersions.push(show(text));
      else versions.push(v);
    }
  }
  if (badVersions.length > 0) {
    // One warning per entry, not per version: some records list dozens of legacy spellings.
    const shown = badVersions.slice(0, 5).join(', ') + (badVersions.length > 5 ? ', ...' : '');
    warnings.push(
      `${badVersions.length} listed version${badVersions.length === 1 ? ' is' : 's are'} not PEP 440 and ${badVersions.length === 1 ? 'was' : 'were'} skipped: ${shown}`,
    );
  }

  const ranges = compileRanges(affected, warnings);
  versions.sort(compareVersions);
  const compiled: CompiledAffected = { versions, ranges, warnings };
  compiledCache.set(affected, compiled);
  return compiled;
}

/**
 * The evaluated ranges of an entry, compiled as `compileAffected` compiles them (it calls this),
 * without its `versions` list; problems go to `warnings`. Not cached: for callers that need the
 * ranges of an entry once, such as pruning its list when a database is built.
 */
export function compileRanges(affected: OsvAffected, warnings: string[] = []): CompiledRange[] {
  const ranges: CompiledRange[] = [];
  const rawRanges: unknown = affected.ranges;
  if (Array.isArray(rawRanges)) {
    for (const range of rawRanges) {
      if (!isObject(range)) continue;
      const type = typeof range['type'] === 'string' ? range['type'] : '';
      if (!EVALUATED_RANGE_TYPES.has(type)) {
        if (!SILENTLY_SKIPPED_RANGE_TYPES.has(type)) warnings.push(`range type ${show(type)} is not supported; range skipped`);
        continue;
      }
      const events: CompiledEvent[] = [];
      const rawEvents = Array.isArray(range['events']) ? (range['events'] as unknown[]) : [];
      for (const event of rawEvents) {
        if (!isObject(event)) continue;
        for (const kind of EVENT_KINDS) {
          if (!(kind in event)) continue;
          const text = event[kind];
          if (kind === 'introduced' && text === '0') {
            events.push({ kind, text, version: undefined, zero: true, infinite: false });
            continue;
          }
          if (kind === 'limit' && typeof text === 'string' && text.includes('*')) {
            events.push({ kind, text, version: undefined, zero: false, infinite: true });
            continue;
          }
          const version = typeof text === 'string' ? parseVersion(text) : undefined;
          if (version === undefined) {
            warnings.push(`${kind} ${show(text)} is not a PEP 440 version; event skipped`);
            continue;
          }
          events.push({ kind, text: text as string, version, zero: false, infinite: false });
        }
      }
      // Array.prototype.sort is stable (ES2019): other ties keep the record's order.
      events.sort(compareEvents);
      ranges.push({ type, events, limits: events.filter((e) => e.kind === 'limit') });
    }
  }
  return ranges;
}

function beforeLimits(range: CompiledRange, v: Version): boolean {
  if (range.limits.length === 0) return true; // the implicit `limit: "*"`
  for (const e of range.limits) {
    if (e.infinite || compareVersions(v, e.version!) < 0) return true;
  }
  return false;
}

/** The spec's walk over one range's sorted events. */
export function rangeContains(range: CompiledRange, v: Version): boolean {
  if (!beforeLimits(range, v)) return false;
  let vulnerable = false;
  for (const e of range.events) {
    switch (e.kind) {
      case 'introduced':
        if (e.zero || compareVersions(v, e.version!) >= 0) vulnerable = true;
        break;
      case 'fixed':
        if (compareVersions(v, e.version!) >= 0) vulnerable = false;
        break;
      case 'last_affected':
        if (compareVersions(v, e.version!) > 0) vulnerable = false;
        break;
      case 'limit':
        break;
    }
  }
  return vulnerable;
}

/** The smallest `fixed` event of the range above v, if any. */
export function fixAbove(range: CompiledRange, v: Version): CompiledEvent | undefined {
  let best: CompiledEvent | undefined;
  for (const e of range.events) {
    if (e.kind !== 'fixed' || compareVersions(e.version!, v) <= 0) continue;
    if (best === undefined || compareVersions(e.version!, best.version!) < 0) best = e;
  }
  return best;
}

/** PEP 440 equality with any entry of the sorted list. */
function listed(sorted: readonly Version[], v: Version): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareVersions(sorted[mid]!, v);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export interface MatchResult {
  affected: boolean;
  /**
   * For every range that contains the version, the smallest `fixed` event above it, as the record
   * wrote it (not yet canonical or de-duplicated; see `fixVersionList`).
   */
  fixes: string[];
}

/** Evaluates one entry; its compile warnings go to `warn` on every call (callers may dedupe). */
export function evaluateAffected(affected: OsvAffected, version: Version, warn?: (msg: string) => void): MatchResult {
  const compiled = compileAffected(affected);
  if (warn) for (const w of compiled.warnings) warn(w);
  return evaluateCompiled(compiled, version);
}

function evaluateCompiled(compiled: CompiledAffected, version: Version): MatchResult {
  let hit = listed(compiled.versions, version);
  const fixes: string[] = [];
  for (const range of compiled.ranges) {
    if (!rangeContains(range, version)) continue;
    hit = true;
    const fix = fixAbove(range, version);
    if (fix !== undefined) fixes.push(fix.text);
  }
  return { affected: hit, fixes };
}

/**
 * True when the version is in the entry's `versions` list or in one of its ranges. The package
 * check (ecosystem, name) is the caller's: see `affectsPackage`.
 */
export function isAffected(affected: OsvAffected, version: Version, warn?: (msg: string) => void): boolean {
  return evaluateAffected(affected, version, warn).affected;
}

/**
 * The normalized name of a PyPI entry, null for any other; computed once per entry object (records
 * are read-only, as for `compileAffected`), since every match of every version asks again.
 */
const entryNames = new WeakMap<OsvAffected, string | null>();

function pypiName(affected: OsvAffected): string | null {
  let name = entryNames.get(affected);
  if (name === undefined) {
    const pkg: unknown = affected.package;
    name = isObject(pkg) && pkg['ecosystem'] === PYPI && typeof pkg['name'] === 'string' ? normalizeName(pkg['name']) : null;
    entryNames.set(affected, name);
  }
  return name;
}

/** True when the entry describes the PyPI package with this (any spelling of the) name. */
export function affectsPackage(affected: OsvAffected, name: string): boolean {
  const own = pypiName(affected);
  return own !== null && own === normalizeName(name);
}

/** The record's entries for the package. */
export function entriesFor(record: OsvRecord, name: string): OsvAffected[] {
  const affected: unknown = record.affected;
  if (!Array.isArray(affected)) return [];
  const wanted = normalizeName(name);
  const out: OsvAffected[] = [];
  for (const a of affected as unknown[]) if (isObject(a) && pypiName(a as OsvAffected) === wanted) out.push(a as OsvAffected);
  return out;
}

/**
 * Evaluates a whole record for a package version: affected when any of the package's entries is.
 * Withdrawn records never match. Warnings are prefixed with the record id.
 */
export function matchRecord(record: OsvRecord, name: string, version: Version, warn?: (msg: string) => void): MatchResult {
  if (record.withdrawn) return { affected: false, fixes: [] };
  let hit = false;
  const fixes: string[] = [];
  for (const entry of entriesFor(record, name)) {
    const compiled = compileAffected(entry);
    if (warn) for (const w of compiled.warnings) warn(`${record.id}: ${w}`);
    const r = evaluateCompiled(compiled, version);
    hit ||= r.affected;
    fixes.push(...r.fixes);
  }
  return { affected: hit, fixes };
}

/**
 * Fix versions as reported: canonical PEP 440 strings, de-duplicated by PEP 440 equality (keeping
 * the smallest string, so `1.0` wins over `1.0.0`), sorted by PEP 440.
 */
export function fixVersionList(texts: Iterable<string>): string[] {
  const parsed: { text: string; version: Version }[] = [];
  for (const t of new Set(texts)) {
    const version = parseVersion(t);
    if (version !== undefined) parsed.push({ text: version.toString(), version });
  }
  parsed.sort((a, b) => compareVersions(a.version, b.version) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const out: string[] = [];
  let last: Version | undefined;
  for (const p of parsed) {
    if (last !== undefined && compareVersions(last, p.version) === 0) continue;
    out.push(p.text);
    last = p.version;
  }
  return out;
}

/** Every parsed, bounded event version of the package's entries in a record: upgrade candidates. */
export function eventVersions(record: OsvRecord, name: string): Version[] {
  const out: Version[] = [];
  for (const entry of entriesFor(record, name)) {
    for (const range of compileAffected(entry).ranges) {
      for (const e of range.events) if (e.version !== undefined) out.push(e.version);
    }
  }
  return out;
}
