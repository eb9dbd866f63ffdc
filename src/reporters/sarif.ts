/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one rule per vulnerability id,
 * one result per (requirement, vulnerability) placed on the requirement's line, ignored findings
 * as suppressed results, diagnostics as tool notifications.
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditReport, Location, Risk, Severity, VulnerabilityFinding } from '../core/model.js';
import {
  advisoryUrl,
  compareNatural,
  compareStrings,
  description,
  displayPath,
  formatScore,
  headline,
  severityOf,
  severityRank,
  sortDiagnostics,
  sortFindings,
  unique,
} from './common.js';
import { auditNameRows, describeNameFinding, type NameRow } from './names.js';
import type { ReporterOptions } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The package's page on the registry it ships from; pyward has no other home page yet. */
export const INFORMATION_URI = 'https://www.npmjs.com/package/pyward';

type SarifLevel = 'error' | 'warning' | 'note';

/** Critical and high fail a code-scanning check by default; medium warns; low is a note. */
const LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  unknown: 'warning',
};

/**
 * GitHub reads `security-severity` as a CVSS-like number and buckets it (>= 9 critical, >= 7 high,
 * >= 4 medium, else low). Without a score, a value from the middle of the level's bucket keeps the
 * level; unknown gets none, so GitHub does not invent one.
 */
const LEVEL_SCORE: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  unknown: undefined,
};

/**
 * URIs relative to %SRCROOT% when the file is inside cwd (or was given relative), which is what
 * lets GitHub place the alert on the file in the repository; otherwise an absolute file: URI.
 */
function artifactLocation(file: string, cwd: string | undefined): { uri: string; uriBaseId?: string } {
  const path = displayPath(file, cwd);
  // pathToFileURL reads process.cwd() only for relative paths, and only absolute ones reach it.
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href };
  const uri = path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return { uri, uriBaseId: '%SRCROOT%' };
}

export function physicalLocation(loc: Location, cwd: string | undefined): object {
  const region: Record<string, number> = {};
  if (loc.line !== undefined && loc.line >= 1) {
    region.startLine = loc.line;
    if (loc.column !== undefined && loc.column >= 1) region.startColumn = loc.column;
  }
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(loc.file, cwd),
      ...(region.startLine !== undefined ? { region } : {}),
    },
  };
}

/**
 * Stable across runs and machines, and across moving the requirement to another line or bumping
 * it to a still-vulnerable version: the alert is the same problem, so it keeps its identity.
 */
function fingerprint(f: VulnerabilityFinding, cwd: string | undefined): string {
  const key = [f.package.name, f.vulnerability.id, displayPath(f.location.file, cwd)].join('\u0000');
  return createHash('sha256').update(key).digest('hex');
}

function ruleFor(findings: VulnerabilityFinding[]): object {
  const first = findings[0] as VulnerabilityFinding;
  const v = first.vulnerability;
  const level = severityOf(v);
  const score = formatScore(v.severity) ?? LEVEL_SCORE[level];
  const packages = unique(findings.map((f) => f.package.name)).sort(compareStrings);
  const fixes = unique(findings.flatMap((f) => f.fixVersions));
  const url = advisoryUrl(v.id);
  const text = description(v);
  const aliases = v.aliases.filter((a) => a !== v.id);
  const fixText = fixes.length > 0 ? `Upgrade to a fixed version: ${fixes.join(', ')}.` : 'No fixed version is known.';
  const helpText = [
    text,
    `Affected package: ${packages.join(', ')}.`,
    fixText,
    aliases.length > 0 ? `Aliases: ${aliases.join(', ')}.` : '',
    `Advisory: ${url}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const helpMarkdown = [
    text,
    `**Affected package:** ${packages.map((p) => `\`${p}\``).join(', ')}`,
    `**Fix:** ${fixText}`,
    aliases.length > 0 ? `**Aliases:** ${aliases.join(', ')}` : '',
    `**Advisory:** [${v.id}](${url})`,
    v.references.length > 0 ? `**References:**\n${unique(v.references).map((r) => `- <${r}>`).join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    id: v.id,
    shortDescription: { text: `${packages.join(', ')}: ${headline(v)}` },
    fullDescription: { text },
    help: { text: helpText, markdown: helpMarkdown },
    helpUri: url,
    defaultConfiguration: { level: LEVEL[level] },
    properties: {
      tags: ['security', 'vulnerability', 'dependency', level],
      ...(score !== undefined ? { 'security-severity': score } : {}),
      precision: 'very-high',
      aliases,
    },
  };
}

function resultFor(
  f: VulnerabilityFinding,
  ruleIndex: number,
  cwd: string | undefined,
  suppression?: string,
): object {
  const v = f.vulnerability;
  const aliases = v.aliases.filter((a) => a !== v.id);
  const fix =
    f.fixVersions.length > 0 ? `Fixed in ${f.fixVersions.join(', ')}.` : 'No fixed version is known.';
  const text =
    `${f.package.name} ${f.package.version ?? ''} is affected by ${v.id}` +
    `${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}: ${headline(v)} ${fix}`;
  return {
    ruleId: v.id,
    ruleIndex,
    level: LEVEL[severityOf(v)],
    message: { text },
    locations: [physicalLocation(f.location, cwd)],
    partialFingerprints: { 'pywardFinding/v1': fingerprint(f, cwd) },
    ...(suppression !== undefined
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: suppression }] }
      : {}),
    properties: {
      package: f.package.name,
      installedVersion: f.package.version ?? '',
      fixedVersions: [...f.fixVersions],
      severity: severityOf(v),
    },
  };
}

/**
 * Name findings as SARIF: one rule per kind (`pyward/name/typosquat`), one result per finding on the
 * requirement's line. `firstRule` is the index of the first rule in the run's rule list.
 */
export function nameSarif(rows: readonly NameRow[], cwd: string | undefined, firstRule = 0): { rules: object[]; results: object[] } {
  const kinds = [...new Set(rows.map((r) => r.finding.kind))].sort();
  const rules = kinds.map((kind) => ({
    id: `pyward/name/${kind}`,
    name: kind,
    shortDescription: { text: `name risk: ${kind}` },
    properties: { tags: ['security', 'supply-chain'] },
  }));
  const results = rows.map(({ name, location, finding }) => ({
    ruleId: `pyward/name/${finding.kind}`,
    ruleIndex: firstRule + kinds.indexOf(finding.kind),
    level: LEVEL[finding.risk],
    message: { text: `${name}: ${describeNameFinding(finding)}` },
    ...(location ? { locations: [physicalLocation(location, cwd)] } : {}),
    properties: { risk: finding.risk, 'security-severity': RISK_SCORE[finding.risk], ...(finding.target ? { target: finding.target } : {}) },
  }));
  return { rules, results };
}

const RISK_SCORE: Record<Risk, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' };

export function renderSarif(report: AuditReport, options: ReporterOptions): string {
  const cwd = options.cwd;
  const active = sortFindings(report.findings);
  const ignored = [...report.ignored].sort((a, b) => compareNatural(a.finding.vulnerability.id, b.finding.vulnerability.id));
  const all = [...active, ...ignored.map((i) => i.finding)];

  // Rules ordered by severity then id so the file reads worst-first and is stable.
  const byId = new Map<string, VulnerabilityFinding[]>();
  for (const f of all) {
    const list = byId.get(f.vulnerability.id) ?? [];
    list.push(f);
    byId.set(f.vulnerability.id, list);
  }
  const ruleIds = [...byId.keys()].sort((a, b) => {
    const fa = (byId.get(a) as VulnerabilityFinding[])[0] as VulnerabilityFinding;
    const fb = (byId.get(b) as VulnerabilityFinding[])[0] as VulnerabilityFinding;
    return severityRank(severityOf(fb.vulnerability)) - severityRank(severityOf(fa.vulnerability)) || compareNatural(a, b);
  });
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const index = (f: VulnerabilityFinding): number => ruleIndex.get(f.vulnerability.id) ?? -1;

  const results = [
    ...active.map((f) => resultFor(f, index(f), cwd)),
    ...ignored.map((i) => resultFor(i.finding, index(i.finding), cwd, i.reason)),
  ];

  const names = nameSarif(auditNameRows(report.names?.findings ?? []), cwd, ruleIds.length);
  results.push(...names.results);

  const notifications = sortDiagnostics(report.diagnostics).map((d) => ({
    level: d.severity,
    message: { text: d.message },
    descriptor: { id: d.code },
    ...(d.location ? { locations: [physicalLocation(d.location, cwd)] } : {}),
  }));

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: [...ruleIds.map((id) => ruleFor(byId.get(id) as VulnerabilityFinding[])), ...names.rules],
          },
        },
        // Partial results are results: an unreadable line is a notification, not a failed run.
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
        properties: {
          database: {
            source: report.database.source,
            ...(report.database.builtAt !== undefined ? { builtAt: report.database.builtAt } : {}),
            ...(report.database.records !== undefined ? { records: report.database.records } : {}),
          },
          inputs: report.inputs.map((i) => ({ path: displayPath(i.path, cwd), format: i.format })),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
