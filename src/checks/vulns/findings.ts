/**
 * Package + OSV records -> vulnerability findings, one per vulnerability however many databases
 * describe it.
 *
 * Decisions:
 * - Withdrawn records are ignored entirely (neither matched nor used to link aliases).
 * - When the same id comes twice (two databases, two snapshots), the later `modified` wins, as the
 *   OSV spec says.
 * - Records are grouped by their ids and aliases, transitively (OSV aliases are symmetric and
 *   transitive): PYSEC-x [CVE-y, GHSA-z] and GHSA-z [CVE-y] become one finding. Every record given
 *   for the package links the graph, including ones that do not affect this version, because an
 *   alias chain can run through them; only groups with at least one affecting record are reported.
 * - The reported id is one of the affecting records' own ids, PYSEC first (as pip-audit reports
 *   with its PyPI source), then GHSA, then the smallest other id; so the id always names a record
 *   whose data we show. `aliases` is every other id of the affecting records, sorted.
 * - `fixVersions` merges the affecting records' fixes (see match.ts `fixVersionList`).
 * - Text: summary and details come from the first record that has them in preference order;
 *   `published` is the earliest, `modified` the latest; references are the union, in preference
 *   order, without duplicates.
 * - Severity: see severity.ts `chooseSeverity` (newest CVSS version, then highest score, then the
 *   database's own word).
 */
import type { Package, Vulnerability, VulnerabilityFinding } from '../../core/model.js';
import { parseVersion } from '../../core/version.js';
import type { OsvRecord, OsvSeverity } from '../../sources/osv/schema.js';
import { entriesFor, fixVersionList, matchRecord } from './match.js';
import { chooseSeverity } from './severity.js';

/** Lower sorts first: the order in which a group's records are preferred for its id and text. */
export function idPriority(id: string): number {
  if (id.startsWith('PYSEC-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  return 2;
}

export function compareIds(a: string, b: string): number {
  return idPriority(a) - idPriority(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function timestamp(ts: string | undefined): number {
  if (typeof ts !== 'string') return Number.NaN;
  return Date.parse(ts);
}

/** Later `modified` wins; an unreadable timestamp loses to any readable one. */
function newer(a: OsvRecord, b: OsvRecord): boolean {
  const ta = timestamp(a.modified);
  const tb = timestamp(b.modified);
  if (Number.isNaN(tb)) return !Number.isNaN(ta) || a.modified > b.modified;
  if (Number.isNaN(ta)) return false;
  return ta > tb;
}

/** One record per id, withdrawn ones dropped. */
export function liveRecords(records: readonly OsvRecord[]): OsvRecord[] {
  const byId = new Map<string, OsvRecord>();
  for (const r of records) {
    if (r === null || typeof r !== 'object' || typeof r.id !== 'string' || r.withdrawn) continue;
    const seen = byId.get(r.id);
    if (seen === undefined || newer(r, seen)) byId.set(r.id, r);
  }
  return [...byId.values()];
}

function idsOf(r: OsvRecord): string[] {
  const aliases = Array.isArray(r.aliases) ? r.aliases.filter((a): a is string => typeof a === 'string') : [];
  return [r.id, ...aliases];
}

/** Groups records whose id/alias sets overlap, transitively (union-find over ids). */
export function groupByAlias(records: readonly OsvRecord[]): OsvRecord[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps long alias chains cheap.
    while (x !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const r of records) {
    const ids = idsOf(r);
    for (const id of ids) if (!parent.has(id)) parent.set(id, id);
    const root = find(ids[0]!);
    for (const id of ids.slice(1)) {
      const other = find(id);
      if (other !== root) parent.set(other, root);
    }
  }
  const groups = new Map<string, OsvRecord[]>();
  for (const r of records) {
    const root = find(r.id);
    const g = groups.get(root);
    if (g) g.push(r);
    else groups.set(root, [r]);
  }
  return [...groups.values()];
}

function severityWord(r: OsvRecord): unknown {
  const ds: unknown = r.database_specific;
  return ds !== null && typeof ds === 'object' ? (ds as Record<string, unknown>)['severity'] : undefined;
}

/** Builds the merged vulnerability from the affecting records of one group (non-empty). */
export function mergeVulnerability(records: readonly OsvRecord[], packageName: string): Vulnerability {
  const sorted = [...records].sort((a, b) => compareIds(a.id, b.id));
  const preferred = sorted[0]!;
  const all = new Set<string>();
  for (const r of sorted) for (const id of idsOf(r)) all.add(id);
  all.delete(preferred.id);

  const vuln: Vulnerability = {
    id: preferred.id,
    aliases: [...all].sort(),
    references: [],
  };
  const summary = sorted.find((r) => typeof r.summary === 'string' && r.summary.trim() !== '')?.summary;
  if (summary !== undefined) vuln.summary = summary;
  const details = sorted.find((r) => typeof r.details === 'string' && r.details.trim() !== '')?.details;
  if (details !== undefined) vuln.details = details;

  let published: OsvRecord | undefined;
  let modified: OsvRecord | undefined;
  for (const r of sorted) {
    const p = timestamp(r.published);
    if (!Number.isNaN(p) && (published === undefined || p < timestamp(published.published))) published = r;
    const m = timestamp(r.modified);
    if (!Number.isNaN(m) && (modified === undefined || m > timestamp(modified.modified))) modified = r;
  }
  if (published?.published !== undefined) vuln.published = published.published;
  if (modified !== undefined) vuln.modified = modified.modified;

  const refs = new Set<string>();
  for (const r of sorted) {
    if (!Array.isArray(r.references)) continue;
    for (const ref of r.references) if (ref && typeof ref.url === 'string') refs.add(ref.url);
  }
  vuln.references = [...refs];

  // Per-package severity (affected[].severity) applies to this package; the spec forbids it
  // together with the top-level one, so taking both never double counts a database.
  const entries: OsvSeverity[] = [];
  for (const r of sorted) {
    if (Array.isArray(r.severity)) entries.push(...r.severity);
    for (const a of entriesFor(r, packageName)) if (Array.isArray(a.severity)) entries.push(...a.severity);
  }
  const severity = chooseSeverity(entries, sorted.map(severityWord));
  if (severity !== undefined) vuln.severity = severity;
  return vuln;
}

/** One package version matched against the records looked up for its name. */
export interface PackageMatch {
  package: Package;
  /** The records given, one per id, withdrawn ones dropped (`liveRecords`). */
  live: OsvRecord[];
  /** The live records that affect the version, with their fixes as the records write them. */
  hits: Map<OsvRecord, string[]>;
}

/**
 * The matching half of `findVulnerabilities`: which records affect the package version. It reads
 * only the records' matching fields (id, modified, withdrawn, aliases, affected), so callers may
 * pass records that hold nothing else. Undefined for a package without a version; a version that
 * is not PEP 440 is reported through `warn` and also gives undefined.
 */
export function matchPackage(pkg: Package, records: readonly OsvRecord[], warn: (msg: string) => void): PackageMatch | undefined {
  if (pkg.version === undefined || pkg.version === '') return undefined;
  const version = parseVersion(pkg.version);
  if (version === undefined) {
    warn(`${pkg.rawName} ${pkg.version}: not a PEP 440 version; it cannot be matched against advisories`);
    return undefined;
  }
  const live = liveRecords(records);
  const hits = new Map<OsvRecord, string[]>();
  for (const r of live) {
    const result = matchRecord(r, pkg.name, version, warn);
    if (result.affected) hits.set(r, result.fixes);
  }
  return { package: pkg, live, hits };
}

/**
 * The findings of a match: its affecting records grouped by alias, one finding per group. The
 * text of a finding (summary, details, severity, references) comes from `whole(record)`, which
 * gives the complete record when the match was made on records holding only the matching fields.
 */
export function findingsOf(match: PackageMatch, whole: (record: OsvRecord) => OsvRecord = (r) => r): VulnerabilityFinding[] {
  const { package: pkg, live, hits } = match;
  if (hits.size === 0) return [];
  const findings: VulnerabilityFinding[] = [];
  for (const group of groupByAlias(live)) {
    const affecting = group.filter((r) => hits.has(r));
    if (affecting.length === 0) continue;
    findings.push({
      kind: 'vulnerability',
      package: pkg,
      vulnerability: mergeVulnerability(affecting.map(whole), pkg.name),
      fixVersions: fixVersionList(affecting.flatMap((r) => hits.get(r)!)),
      location: pkg.location,
    });
  }
  findings.sort((a, b) => compareIds(a.vulnerability.id, b.vulnerability.id));
  return findings;
}

/**
 * The vulnerabilities of one package version among the records looked up for its name. Packages
 * without a version (unpinned, URL, VCS) have nothing to match; a version that is not PEP 440 is
 * reported through `warn` and yields no finding. Never throws on bad records.
 */
export function findVulnerabilities(
  pkg: Package,
  records: readonly OsvRecord[],
  warn: (msg: string) => void,
): VulnerabilityFinding[] {
  const match = matchPackage(pkg, records, warn);
  return match ? findingsOf(match) : [];
}
