/**
 * What every reporter derives from an AuditReport the same way: sort orders, severity counts,
 * which packages could not be audited and why, advisory links and display paths. Keeping it in
 * one place is what makes the table, the markdown and the machine formats agree with each other.
 */
import { isAbsolute, normalize, relative, sep } from 'node:path';
import { formatLocation } from '../core/errors.js';
import { SEVERITY_ORDER } from '../core/model.js';
import type {
  AuditReport,
  Diagnostic,
  FixSuggestion,
  IgnoredFinding,
  Location,
  Package,
  Severity,
  SeverityScore,
  Vulnerability,
  VulnerabilityFinding,
} from '../core/model.js';

export function severityOf(vuln: Vulnerability): Severity {
  return vuln.severity?.level ?? 'unknown';
}

/** Higher is worse; `unknown` ranks lowest so that known-bad findings lead every listing. */
export function severityRank(level: Severity): number {
  return SEVERITY_ORDER.indexOf(level);
}

/** Levels from the worst down, the order summaries list them in. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITY_ORDER].reverse();

/** Code-point comparison: locale-independent, so output is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Digit runs compared as numbers, so advisory ids sort as people read them (PYSEC-2024-67 before
 * PYSEC-2024-102). Only for display order: it is no PEP 440 comparison and decides nothing.
 */
export function compareNatural(a: string, b: string): number {
  const pa = naturalParts(a);
  const pb = naturalParts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    const c = numeric ? Number(x) - Number(y) || compareStrings(x, y) : compareStrings(x, y);
    if (c !== 0) return c;
  }
  return pa.length - pb.length || compareStrings(a, b);
}

/** Digit and non-digit runs of a string; remembered, since sorting asks about the same ids again and again. */
const partsCache = new Map<string, readonly string[]>();
function naturalParts(s: string): readonly string[] {
  let parts = partsCache.get(s);
  if (parts === undefined) {
    parts = s.match(/\d+|\D+/g) ?? [];
    if (partsCache.size >= 10_000) partsCache.clear();
    partsCache.set(s, parts);
  }
  return parts;
}

function compareLocations(a: Location, b: Location): number {
  return compareStrings(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** Severity (worst first), then package name, then vulnerability id, then location. */
export function compareFindings(a: VulnerabilityFinding, b: VulnerabilityFinding): number {
  return (
    severityRank(severityOf(b.vulnerability)) - severityRank(severityOf(a.vulnerability)) ||
    compareStrings(a.package.name, b.package.name) ||
    compareNatural(a.package.version ?? '', b.package.version ?? '') ||
    compareNatural(a.vulnerability.id, b.vulnerability.id) ||
    compareLocations(a.location, b.location)
  );
}

export function sortFindings(findings: readonly VulnerabilityFinding[]): VulnerabilityFinding[] {
  return [...findings].sort(compareFindings);
}

export function sortIgnored(ignored: readonly IgnoredFinding[]): IgnoredFinding[] {
  return [...ignored].sort((a, b) => compareFindings(a.finding, b.finding));
}

export function sortFixes(fixes: readonly FixSuggestion[]): FixSuggestion[] {
  return [...fixes].sort((a, b) => compareStrings(a.name, b.name) || compareLocations(a.location, b.location));
}

/**
 * Identifies one requirement: the same name and version read from two files are two entries,
 * because each has its own line to fix.
 */
export function packageKey(pkg: Package): string {
  return [pkg.name, pkg.version ?? '', pkg.location.file, pkg.location.line ?? ''].join('\u0000');
}

/** Distinct `name@version` pairs: the same pin in two files is still one vulnerable package. */
export function countPackages(findings: readonly VulnerabilityFinding[]): number {
  return new Set(findings.map((f) => `${f.package.name}@${f.package.version ?? ''}`)).size;
}

export function countBySeverity(findings: readonly VulnerabilityFinding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { unknown: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const f of findings) counts[severityOf(f.vulnerability)] += 1;
  return counts;
}

/** `2 critical, 3 high, 1 unknown`: only the levels that occur, worst first. */
export function describeSeverityCounts(counts: Record<Severity, number>): string {
  return SEVERITIES_DESC.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** Why a package was not matched against advisories. */
export interface SkipInfo {
  /** Stable code: `unpinned` or `not-from-registry`. */
  code: 'unpinned' | 'not-from-registry';
  /** A few words for the human formats: `unpinned`, `vcs requirement`. */
  short: string;
  /** What the input said instead of a pin: the specifier or the URL. */
  detail: string;
  /** One sentence for machine readers (pip-audit's `skip_reason`). */
  reason: string;
}

/**
 * Advisories match exact versions of packages from an index, so a requirement without a pin, or
 * one that comes from a VCS, URL or local path, cannot be audited. Returns undefined when it can.
 */
export function skipInfo(pkg: Package): SkipInfo | undefined {
  if (pkg.source.kind !== 'registry') {
    const detail = pkg.source.url ?? pkg.version ?? '';
    return {
      code: 'not-from-registry',
      short: `${pkg.source.kind} requirement`,
      detail,
      reason:
        `${pkg.source.kind} requirement, not installed from a package index, so advisories cannot be matched by version` +
        (detail ? ` (${detail})` : ''),
    };
  }
  if (pkg.version === undefined) {
    const detail = pkg.specifier ? pkg.specifier : 'any version';
    return {
      code: 'unpinned',
      short: 'unpinned',
      detail,
      reason: `not pinned to an exact version (${detail}); pin it with == or audit a lockfile`,
    };
  }
  return undefined;
}

export interface SkippedPackage {
  package: Package;
  skip: SkipInfo;
}

/** The dependency list reporters walk: every package once, with its findings attached. */
export interface DependencyView {
  package: Package;
  findings: VulnerabilityFinding[];
  skip?: SkipInfo;
}

/**
 * Pairs each package with its findings, in input order. A finding whose package is not in
 * `report.packages` (a report put together by hand, or a bug upstream) is appended rather than
 * dropped: a reporter must never hide a vulnerability.
 */
export function dependencyViews(report: AuditReport): DependencyView[] {
  const views: DependencyView[] = [];
  const byKey = new Map<string, DependencyView>();
  const add = (pkg: Package): DependencyView => {
    const key = packageKey(pkg);
    let view = byKey.get(key);
    if (!view) {
      view = { package: pkg, findings: [] };
      byKey.set(key, view);
      views.push(view);
    }
    return view;
  };
  for (const pkg of report.packages) add(pkg);
  for (const finding of report.findings) add(finding.package).findings.push(finding);
  for (const view of views) {
    view.findings.sort(compareFindings);
    // A package with findings was evidently audited, whatever its shape.
    const skip = view.findings.length === 0 ? skipInfo(view.package) : undefined;
    if (skip) view.skip = skip;
  }
  return views;
}

export function skippedPackages(report: AuditReport): SkippedPackage[] {
  return dependencyViews(report).flatMap((v) => (v.skip ? [{ package: v.package, skip: v.skip }] : []));
}

/**
 * Vulnerable packages for which the report offers no upgrade, so readers see there is none.
 * `views` saves recomputing `dependencyViews(report)` when the caller has it.
 */
export function packagesWithoutFix(report: AuditReport, views: readonly DependencyView[] = dependencyViews(report)): DependencyView[] {
  const fixed = new Set(report.fixes.map((f) => `${f.name}@${f.from}`));
  return views.filter(
    (v) => v.findings.length > 0 && !fixed.has(`${v.package.name}@${v.package.version ?? ''}`),
  );
}

/** File and line as one key; the line, a number, never holds the newline, so keys are unambiguous. */
function locationKey(l: Location): string {
  return `${l.file}\n${l.line}`;
}

/**
 * Diagnostics that the "not audited" listing does not already explain. A warning on the very
 * line of a skipped requirement (`unpinned`, `vcs-requirement`) says the same thing twice;
 * errors are always kept. A set of the skipped lines, not a search of them per diagnostic: a
 * hostile file of 200,000 unpinned lines made that 200,000 x 200,000 comparisons.
 */
export function diagnosticsNotCoveredBySkips(report: AuditReport, skipped: readonly SkippedPackage[]): Diagnostic[] {
  const skippedAt = new Set(skipped.map((s) => locationKey(s.package.location)));
  return report.diagnostics.filter((d) => d.severity === 'error' || d.location === undefined || !skippedAt.has(locationKey(d.location)));
}

/** Errors first, then by location, keeping input order otherwise. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (a.d.severity === b.d.severity ? 0 : a.d.severity === 'error' ? -1 : 1) ||
        compareLocations(a.d.location ?? { file: '' }, b.d.location ?? { file: '' }) ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

/** What the human reporters (table, markdown) list, each in display order. */
export interface ReportSections {
  findings: VulnerabilityFinding[];
  fixes: FixSuggestion[];
  /** Vulnerable packages with no upgrade to offer. */
  unfixed: DependencyView[];
  ignored: IgnoredFinding[];
  /** Packages that could not be audited, with why. */
  skipped: SkippedPackage[];
  /** The diagnostics `skipped` does not already explain. */
  diagnostics: Diagnostic[];
}

/**
 * The sections of a report for a person to read. The table and the markdown take them from here
 * so that both show the same facts in the same order, whatever they look like.
 */
export function reportSections(report: AuditReport): ReportSections {
  const skipped = skippedPackages(report);
  return {
    findings: sortFindings(report.findings),
    fixes: sortFixes(report.fixes),
    unfixed: packagesWithoutFix(report),
    ignored: sortIgnored(report.ignored),
    skipped,
    diagnostics: sortDiagnostics(diagnosticsNotCoveredBySkips(report, skipped)),
  };
}

/**
 * The page a person should read for an id. GitHub, NVD and Snyk host their own ids best; OSV.dev
 * renders the rest (PYSEC, and the other databases it imports).
 */
export function advisoryUrl(id: string): string {
  const encoded = encodeURIComponent(id);
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${encoded}`;
  if (id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${encoded}`;
  if (id.startsWith('SNYK-')) return `https://security.snyk.io/vuln/${encoded}`;
  return `https://osv.dev/vulnerability/${encoded}`;
}

/** Who publishes an id, for formats that name a source (CycloneDX). */
export function advisorySource(id: string): { name: string; url: string } {
  const url = advisoryUrl(id);
  if (id.startsWith('GHSA-')) return { name: 'GitHub Advisory Database', url };
  if (id.startsWith('CVE-')) return { name: 'NVD', url };
  if (id.startsWith('PYSEC-')) return { name: 'PyPA Advisory Database', url };
  if (id.startsWith('SNYK-')) return { name: 'Snyk', url };
  return { name: 'OSV', url };
}

/** Forward slashes on every platform: SARIF URIs and golden files must not depend on the OS. */
function toSlashes(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * The path relative to `cwd` when the file lies inside it; otherwise the path as given. `cwd`
 * must be absolute (the CLI passes process.cwd()), so this stays a pure computation.
 */
export function displayPath(file: string, cwd: string | undefined): string {
  // normalize: `./requirements.txt` and `requirements.txt` are one file and should print alike.
  if (!isAbsolute(file)) return toSlashes(normalize(file));
  if (cwd === undefined) return toSlashes(file);
  const rel = relative(cwd, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return toSlashes(file);
  return toSlashes(rel);
}

/** `requirements.txt:12`, relative to cwd. */
export function displayLocation(loc: Location, cwd: string | undefined): string {
  return formatLocation({ ...loc, file: displayPath(loc.file, cwd) });
}

/** `8.6` for a score, as CVSS prints it; undefined when the database gave only a level. */
export function formatScore(severity: SeverityScore | undefined): string | undefined {
  return severity?.score === undefined ? undefined : severity.score.toFixed(1);
}

/**
 * Openers that NVD-derived and GHSA texts put first and that say nothing about the flaw:
 * "An issue was discovered in Django 5.0 before 5.0.8 and 4.2 before 4.2.15." or
 * "urllib3 is a user-friendly HTTP client library for Python."
 */
const BOILERPLATE = [/^an issue was discovered in\b/i, /^\S+ is an? [^.]*\b(library|framework|package|toolkit|module)\b/i];

/**
 * A title line for an advisory: its summary, or else the first informative sentence of its
 * details (PYSEC records have no summary), cut to `max` characters.
 */
export function headline(vuln: Vulnerability, max = 120): string {
  const text = (vuln.summary ?? vuln.details ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') return `Known vulnerability ${vuln.id}`;
  // A sentence ends at a period followed by whitespace; `4.2.15` and `str.format` do not end one.
  const sentences = text.split(/(?<=\.)\s+/);
  let sentence = text;
  if (vuln.summary === undefined) {
    sentence = sentences.find((x) => !BOILERPLATE.some((re) => re.test(x))) ?? sentences[0] ?? text;
  }
  return sentence.length <= max ? sentence : `${sentence.slice(0, max - 1).trimEnd()}…`;
}

/** Details, else the summary: the text pip-audit puts in `description` (never empty, as there). */
export function description(vuln: Vulnerability): string {
  return (vuln.details ?? vuln.summary ?? '').trim() || 'N/A';
}

/** Deduplicated, order-preserving. */
export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
