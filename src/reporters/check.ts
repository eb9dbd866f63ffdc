/**
 * Renderers for `pyward check`: the same four formats as audit (table, json, sarif, markdown) over a
 * CheckReport. The JSON lists every name with its findings (`kind`, `risk`, `target`, `evidence`).
 */
import type { CheckReport } from '../app/check.js';
import type { NameFinding, Risk } from '../core/model.js';
import { displayLocation } from './common.js';
import { escapeMarkdown, code } from './markdown.js';
import { INFORMATION_URI, physicalLocation, SARIF_SCHEMA } from './sarif.js';
import { alignRows, painter, type Cell, type Style } from './table.js';
import type { ReporterOptions } from './types.js';

export const CHECK_SCHEMA_VERSION = 1;
export const RISK_ORDER: readonly Risk[] = ['low', 'medium', 'high', 'critical'];
const RISK_STYLE: Record<Risk, Style> = { critical: 'boldRed', high: 'red', medium: 'yellow', low: 'cyan' };

export type CheckReporter = (report: CheckReport, options: ReporterOptions) => string;

function risky(report: CheckReport): { name: string; location?: CheckReport['names'][number]['location']; finding: NameFinding }[] {
  return report.names
    .flatMap((n) => n.findings.map((finding) => ({ name: n.name, ...(n.location ? { location: n.location } : {}), finding })))
    .sort((a, b) => RISK_ORDER.indexOf(b.finding.risk) - RISK_ORDER.indexOf(a.finding.risk) || a.name.localeCompare(b.name));
}

function summary(report: CheckReport): string {
  const rows = risky(report);
  const names = new Set(rows.map((r) => r.name)).size;
  if (rows.length === 0) return `No name risks found in ${report.names.length} name${report.names.length === 1 ? '' : 's'}`;
  const counts = RISK_ORDER.slice()
    .reverse()
    .map((r) => [r, rows.filter((x) => x.finding.risk === r).length] as const)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`);
  return `${names} of ${report.names.length} names look risky (${counts.join(', ')})`;
}

/** One line per reason: `not checked (offline): existence, age, ...`. */
function skippedLines(report: CheckReport): string[] {
  const byReason = new Map<string, string[]>();
  for (const s of report.skipped) {
    const what = `${s.check}${s.names ? ` for ${s.names.join(', ')}` : ''}`;
    byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), what]);
  }
  return [...byReason].map(([reason, what]) => `not checked (${reason}): ${what.join('; ')}`);
}

export const renderCheckTable: CheckReporter = (report, options) => {
  const paint = painter(options.color);
  const out = [summary(report)];
  const rows = risky(report);
  if (rows.length > 0) {
    const header: Cell[] = ['Name', 'Kind', 'Risk', 'Target', 'Evidence'].map((text) => ({ text, style: 'bold' }));
    const body: Cell[][] = rows.map(({ name, location, finding }) => [
      { text: location ? `${name} (${displayLocation(location, options.cwd)})` : name },
      { text: finding.kind },
      { text: finding.risk, style: RISK_STYLE[finding.risk] },
      { text: finding.target ?? '' },
      { text: finding.evidence.join('; ') },
    ]);
    out.push(...alignRows([header, ...body], paint));
    const suggestions = rows.filter((r) => r.finding.suggestion).map((r) => `  ${r.name}: ${r.finding.suggestion}`);
    if (suggestions.length > 0) out.push('', 'Suggestions:', ...new Set(suggestions));
  }
  const notes = [...skippedLines(report), ...report.diagnostics.map((d) => `${d.severity}: ${d.location ? `${displayLocation(d.location, options.cwd)}: ` : ''}${d.message}`)];
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n') + '\n';
};

export const renderCheckJson: CheckReporter = (report) =>
  JSON.stringify(
    {
      schema_version: CHECK_SCHEMA_VERSION,
      tool: report.tool,
      inputs: report.inputs,
      names: report.names.map((n) => ({
        name: n.name,
        input: n.rawName,
        ...(n.location ? { location: n.location } : {}),
        findings: n.findings.map((f) => ({
          kind: f.kind,
          risk: f.risk,
          ...(f.target ? { target: f.target } : {}),
          evidence: f.evidence,
          ...(f.suggestion ? { suggestion: f.suggestion } : {}),
        })),
      })),
      skipped: report.skipped,
      diagnostics: report.diagnostics,
    },
    null,
    2,
  ) + '\n';

const SARIF_LEVEL: Record<Risk, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
const SECURITY_SEVERITY: Record<Risk, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' };

export const renderCheckSarif: CheckReporter = (report, options) => {
  const rows = risky(report);
  const kinds = [...new Set(rows.map((r) => r.finding.kind))].sort();
  const rules = kinds.map((kind) => ({
    id: `pyward/name/${kind}`,
    name: kind,
    shortDescription: { text: `name risk: ${kind}` },
    properties: { tags: ['security', 'supply-chain'] },
  }));
  const results = rows.map(({ name, location, finding }) => ({
    ruleId: `pyward/name/${finding.kind}`,
    ruleIndex: kinds.indexOf(finding.kind),
    level: SARIF_LEVEL[finding.risk],
    message: { text: `${name}: ${finding.kind}${finding.target ? ` of '${finding.target}'` : ''} (${finding.evidence.join('; ')})` },
    ...(location ? { locations: [physicalLocation(location, options.cwd)] } : {}),
    properties: { risk: finding.risk, 'security-severity': SECURITY_SEVERITY[finding.risk], ...(finding.target ? { target: finding.target } : {}) },
  }));
  return (
    JSON.stringify(
      {
        $schema: SARIF_SCHEMA,
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, informationUri: INFORMATION_URI, rules } },
            invocations: [
              {
                executionSuccessful: true,
                toolExecutionNotifications: [
                  ...skippedLines(report).map((text) => ({ level: 'note', message: { text } })),
                  ...report.diagnostics.map((d) => ({ level: d.severity, message: { text: d.message }, descriptor: { id: d.code } })),
                ],
              },
            ],
            results,
          },
        ],
      },
      null,
      2,
    ) + '\n'
  );
};

export const renderCheckMarkdown: CheckReporter = (report) => {
  const out = ['<!-- pyward:check -->', `### pyward check: ${escapeMarkdown(summary(report))}`, ''];
  const rows = risky(report);
  if (rows.length > 0) {
    out.push('| Name | Kind | Risk | Target | Evidence |', '|---|---|---|---|---|');
    for (const { name, finding } of rows)
      out.push(`| ${code(name)} | ${finding.kind} | ${finding.risk} | ${finding.target ? code(finding.target) : ''} | ${escapeMarkdown(finding.evidence.join('; '))} |`);
    out.push('');
  }
  for (const line of skippedLines(report)) out.push(`- ${escapeMarkdown(line)}`);
  return out.join('\n') + '\n';
};

export const checkReporters = { table: renderCheckTable, json: renderCheckJson, sarif: renderCheckSarif, markdown: renderCheckMarkdown } as const;
