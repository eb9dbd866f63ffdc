/**
 * The smallest upgrade that clears every finding of a package.
 *
 * Offline we do not know which versions were released, so the candidates are the versions the
 * advisories themselves name (every `fixed`, `introduced`, `last_affected` and finite `limit` event
 * of the package's records): those are versions a database saw. A candidate must be above the
 * installed version, at or above every finding's fix, and not affected by any of the package's
 * records, so the suggestion never trades one known vulnerability for another.
 *
 * Decisions:
 * - "Every finding's fix" is the largest fix version of each finding: a finding lists one fix per
 *   range (or database) that holds the installed version, and all of them must be left behind.
 * - Records that affect the installed version but belong to no given finding were left out by the
 *   caller (ignored with `--ignore-vuln` or an ignore file); they are not held against candidates.
 *   Every other record is, including ones that do not affect the installed version.
 * - Final releases are preferred: a pre-release or dev release is suggested only when no final
 *   candidate clears everything, or when the installed version is itself a pre-release (pip's
 *   own rule for when pre-releases are acceptable).
 */
import type { Package, VulnerabilityFinding } from '../../core/model.js';
import { compareVersions, parseVersion, type Version } from '../../core/version.js';
import type { OsvRecord } from '../../sources/osv/schema.js';
import { liveRecords } from './findings.js';
import { eventVersions, matchRecord } from './match.js';

export function smallestUpgrade(
  pkg: Package,
  findings: readonly VulnerabilityFinding[],
  records: readonly OsvRecord[],
  // Accepted for symmetry with findVulnerabilities, which already reported every record problem;
  // re-evaluating candidates must not repeat those warnings once per candidate.
  _warn?: (msg: string) => void,
): string | undefined {
  if (findings.length === 0 || pkg.version === undefined) return undefined;
  const installed = parseVersion(pkg.version);
  if (installed === undefined) return undefined;

  let floor: Version = installed;
  for (const f of findings) {
    for (const text of f.fixVersions) {
      const v = parseVersion(text);
      if (v !== undefined && compareVersions(v, floor) > 0) floor = v;
    }
  }

  const findingIds = new Set<string>();
  for (const f of findings) {
    findingIds.add(f.vulnerability.id);
    for (const a of f.vulnerability.aliases) findingIds.add(a);
  }
  const live = liveRecords(records);
  const blocking = live.filter((r) => {
    if (findingIds.has(r.id)) return true;
    if (Array.isArray(r.aliases)) for (const alias of r.aliases) if (findingIds.has(alias)) return true;
    // Affects what is installed, yet the caller passed no finding for it: it was ignored.
    return !matchRecord(r, pkg.name, installed).affected;
  });

  const candidates = new Map<string, Version>();
  for (const r of live) {
    for (const v of eventVersions(r, pkg.name)) {
      if (compareVersions(v, installed) <= 0 || compareVersions(v, floor) < 0) continue;
      candidates.set(v.toString(), v);
    }
  }
  // Equal versions spelled differently (1.0, 1.0.0) sort by text so the suggestion is stable.
  const sorted = [...candidates.entries()]
    .sort(([ta, a], [tb, b]) => compareVersions(a, b) || (ta < tb ? -1 : ta > tb ? 1 : 0))
    .map(([, v]) => v);
  // No blocking record affects v. The record that blocked the previous candidate is asked first:
  // neighbouring candidates are usually blocked by the same one, and the answer does not depend on
  // the order in which the records are asked.
  let lastBlocker = -1;
  const clear = (v: Version): boolean => {
    if (lastBlocker >= 0 && matchRecord(blocking[lastBlocker]!, pkg.name, v).affected) return false;
    for (let i = 0; i < blocking.length; i++) {
      if (i === lastBlocker || !matchRecord(blocking[i]!, pkg.name, v).affected) continue;
      lastBlocker = i;
      return false;
    }
    return true;
  };

  const allowPre = installed.isPrerelease;
  let preFallback: Version | undefined;
  for (const v of sorted) {
    if (!allowPre && v.isPrerelease) {
      if (preFallback === undefined && clear(v)) preFallback = v;
      continue;
    }
    if (clear(v)) return v.toString();
  }
  return preFallback?.toString();
}
