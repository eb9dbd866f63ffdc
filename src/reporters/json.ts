/**
 * `--format json`: a superset of pip-audit 2.x's JSON, so anything that reads pip-audit output
 * (DefectDojo, CI gates, jq one-liners) reads ours unchanged. pip-audit's keys keep their exact
 * names, types and meaning; pyward's additions are extra snake_case keys beside them, which such
 * readers ignore. The contract is documented in docs/json-format.md: change both together, and
 * bump SCHEMA_VERSION on any change that could break a reader.
 */
import type { AuditReport, Diagnostic, Location, NameFinding, Package, VulnerabilityFinding } from '../core/model.js';
import {
  advisoryUrl,
  countBySeverity,
  countPackages,
  dependencyViews,
  description,
  packagesWithoutFix,
  sortFixes,
  sortIgnored,
} from './common.js';
import type { DependencyView } from './common.js';
import type { ReporterOptions } from './types.js';

/** Incremented only for changes that can break a reader; additions keep it. */
export const SCHEMA_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type JsonObject = { [key: string]: Json | undefined };

function location(loc: Location): JsonObject {
  return { file: loc.file, line: loc.line, column: loc.column };
}

function vulnJson(f: VulnerabilityFinding): JsonObject {
  const v = f.vulnerability;
  return {
    // pip-audit's keys, in pip-audit's order.
    id: v.id,
    fix_versions: [...f.fixVersions],
    aliases: v.aliases.filter((a) => a !== v.id),
    description: description(v),
    // pyward's.
    summary: v.summary ?? null,
    severity: v.severity?.level ?? 'unknown',
    severity_type: v.severity?.type ?? null,
    severity_score: v.severity?.score ?? null,
    severity_vector: v.severity?.vector ?? null,
    published: v.published ?? null,
    modified: v.modified ?? null,
    advisory_url: advisoryUrl(v.id),
    references: [...v.references],
    location: location(f.location),
  };
}

/** Requirement details pip-audit does not have; present on audited and skipped entries alike. */
function packageExtras(pkg: Package): JsonObject {
  return {
    raw_name: pkg.rawName,
    specifier: pkg.specifier,
    extras: pkg.extras ? [...pkg.extras] : undefined,
    marker: pkg.marker,
    source: { kind: pkg.source.kind, url: pkg.source.url },
    direct: pkg.direct,
    groups: pkg.groups ? [...pkg.groups] : undefined,
    hashes: pkg.hashes ? [...pkg.hashes] : undefined,
    location: location(pkg.location),
  };
}

/** A name finding as `pyward check` lists it and `pyward audit` lists it per dependency. */
export function nameFindingJson(f: NameFinding): JsonObject {
  return { kind: f.kind, risk: f.risk, target: f.target, evidence: [...f.evidence], suggestion: f.suggestion };
}

const locationKey = (name: string, loc: Location | undefined): string => `${name}|${loc?.file}|${loc?.line}|${loc?.column}`;

/** Name findings by requirement; undefined when the name checks did not run (the key is then absent). */
function nameFindingsByRequirement(report: AuditReport): Map<string, JsonObject[]> | undefined {
  if (!report.names) return undefined;
  const out = new Map<string, JsonObject[]>();
  for (const f of report.names.findings) {
    const key = locationKey(f.name, f.location);
    out.set(key, [...(out.get(key) ?? []), nameFindingJson(f)]);
  }
  return out;
}

function dependencyJson(view: DependencyView, names: Map<string, JsonObject[]> | undefined): JsonObject {
  const pkg = view.package;
  // pyward's name findings: present (possibly empty) on every dependency when the name checks ran.
  const named = names ? { name_findings: names.get(locationKey(pkg.name, pkg.location)) ?? [] } : {};
  if (view.skip) {
    // pip-audit's skipped shape: name and skip_reason, no version and no vulns.
    return { name: pkg.name, skip_reason: view.skip.reason, skip_code: view.skip.code, ...packageExtras(pkg), ...named };
  }
  return {
    name: pkg.name,
    version: pkg.version ?? '',
    vulns: view.findings.map(vulnJson),
    ...packageExtras(pkg),
    ...named,
  };
}

function fixesJson(report: AuditReport, views: readonly DependencyView[]): JsonObject[] {
  const resolved: JsonObject[] = sortFixes(report.fixes).map((f) => ({
    name: f.name,
    old_version: f.from,
    new_version: f.to,
    location: location(f.location),
  }));
  // pip-audit reports a package it cannot upgrade as a skipped fix: name, version, skip_reason.
  const skipped: JsonObject[] = packagesWithoutFix(report, views).map((v) => ({
    name: v.package.name,
    version: v.package.version ?? '',
    skip_reason: 'no version fixes every known vulnerability',
    location: location(v.package.location),
  }));
  return [...resolved, ...skipped];
}

function diagnosticJson(d: Diagnostic): JsonObject {
  return { severity: d.severity, code: d.code, message: d.message, location: d.location ? location(d.location) : null };
}

export function renderJson(report: AuditReport, _options: ReporterOptions): string {
  const views = dependencyViews(report);
  const counts = countBySeverity(report.findings);
  const names = nameFindingsByRequirement(report);
  const doc: JsonObject = {
    // pip-audit's two keys first, so a person reading the file sees the familiar shape.
    dependencies: views.map((v) => dependencyJson(v, names)),
    fixes: fixesJson(report, views),
    schema_version: SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    database: {
      source: report.database.source,
      built_at: report.database.builtAt ?? null,
      records: report.database.records ?? null,
    },
    inputs: report.inputs.map((i) => ({ path: i.path, format: i.format })),
    summary: {
      dependencies: views.length,
      audited: views.filter((v) => !v.skip).length,
      skipped: views.filter((v) => v.skip).length,
      vulnerable_packages: countPackages(report.findings),
      vulnerabilities: report.findings.length,
      ignored: report.ignored.length,
      by_severity: {
        critical: counts.critical,
        high: counts.high,
        medium: counts.medium,
        low: counts.low,
        unknown: counts.unknown,
      },
      name_findings: report.names?.findings.length,
      errors: report.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: report.diagnostics.filter((d) => d.severity === 'warning').length,
    },
    ignored: sortIgnored(report.ignored).map((i) => ({
      name: i.finding.package.name,
      version: i.finding.package.version ?? '',
      reason: i.reason,
      ...vulnJson(i.finding),
    })),
    diagnostics: report.diagnostics.map(diagnosticJson),
    name_checks: report.names ? { skipped: report.names.skipped.map((s) => ({ check: s.check, reason: s.reason, names: s.names })) } : undefined,
  };
  // JSON.stringify drops undefined members: optional facts are absent rather than null, except
  // where the contract promises the key (documented as "or null").
  return `${JSON.stringify(doc, null, 2)}\n`;
}
