/**
 * What the online name checks (slopsquat, repojacking, publisher, confusion) share: their result
 * shape, the list of what could not be checked, and which packages each one may ask about.
 *
 * A registry is only ever asked about names the user gave or the inventory holds, never about
 * guessed neighbors: asking PyPI for `reqeusts2` tells whoever watches the logs which name to register.
 */
import type { Diagnostic, NameFinding, Package } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { isPublicIndex } from '../../sources/pypi/indexes.js';

/** The online checks, as the CLI names them when it says what it could not do. */
export type OnlineCheck = 'existence' | 'age' | 'repository ownership' | 'publisher continuity' | 'e-mail domains' | 'dependency confusion';

export interface SkippedCheck {
  check: OnlineCheck;
  /** Why, readable alone: `offline`, `GitHub's API rate limit is used up (...)`. */
  reason: string;
  /** The names it was skipped for; absent when it was skipped for all. */
  names?: string[];
}

export interface NameCheckResult {
  findings: NameFinding[];
  skipped: SkippedCheck[];
  diagnostics: Diagnostic[];
}

export function emptyResult(): NameCheckResult {
  return { findings: [], skipped: [], diagnostics: [] };
}

/** What an offline run of a check reports: nothing found, and everything it did not look at. */
export function offlineResult(checks: readonly OnlineCheck[]): NameCheckResult {
  return { findings: [], skipped: checks.map((check) => ({ check, reason: 'offline' })), diagnostics: [] };
}

export function mergeResults(results: readonly NameCheckResult[]): NameCheckResult {
  const out = emptyResult();
  for (const r of results) {
    out.findings.push(...r.findings);
    out.diagnostics.push(...r.diagnostics);
    for (const s of r.skipped) addSkipped(out, s);
  }
  return out;
}

/** Adds a skip, folding the names of skips with the same check and reason into one entry. */
export function addSkipped(result: NameCheckResult, skip: SkippedCheck): void {
  const same = result.skipped.find((s) => s.check === skip.check && s.reason === skip.reason);
  if (!same) {
    result.skipped.push(skip.names ? { ...skip, names: [...skip.names] } : { ...skip });
    return;
  }
  if (!same.names || !skip.names) {
    delete same.names;
    return;
  }
  for (const n of skip.names) if (!same.names.includes(n)) same.names.push(n);
}

/** `now` as milliseconds, from a number, a Date or a clock. */
export function nowMs(now: number | Date | (() => number) | undefined): number {
  if (now === undefined) return Date.now();
  if (typeof now === 'function') return now();
  return typeof now === 'number' ? now : now.getTime();
}

/** True when the package is installed from an index the user chose rather than from PyPI. */
export function fromPrivateIndex(pkg: Package): boolean {
  return pkg.source.kind === 'registry' && pkg.source.url !== undefined && !isPublicIndex(pkg.source.url);
}

/**
 * The packages to ask PyPI about: registry packages with a valid name that are not pinned to a
 * private index nor known to be private, first occurrence per normalized name.
 */
export function publicRegistryPackages(packages: readonly Package[], privateNames: Iterable<string> = []): Package[] {
  const skip = new Set([...privateNames].map(normalizeName));
  const seen = new Set<string>();
  const out: Package[] = [];
  for (const p of packages) {
    if (p.source.kind !== 'registry' || fromPrivateIndex(p) || !isValidName(p.name)) continue;
    const name = normalizeName(p.name);
    if (skip.has(name) || seen.has(name)) continue;
    seen.add(name);
    out.push(p);
  }
  return out;
}

/** Where a finding points: the package's location when the input gave one. */
export function where(pkg: Package): { location?: Package['location'] } {
  return pkg.location ? { location: pkg.location } : {};
}

/** A day count for evidence: `today`, `1 day`, `12 days`. */
export function days(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  return d <= 0 ? 'less than a day' : d === 1 ? '1 day' : `${d} days`;
}
