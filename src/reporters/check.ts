/**
 * Renderers for `pyward check`: the same four formats as audit (table, json, sarif, markdown) over a
 * CheckReport. The JSON lists every name with its findings (`kind`, `risk`, `target`, `evidence`).
 * The name rows themselves are rendered by the functions audit's reporters use for its name section.
 */
import type { CheckReport } from '../app/check.js';
import { displayLocation } from './common.js';
import { nameFindingJson } from './json.js';
import { escapeMarkdown, nameRiskTable } from './markdown.js';
import { nameSarif, INFORMATION_URI, SARIF_SCHEMA } from './sarif.js';
import { nameRiskLines, painter } from './table.js';
import { riskCounts, skippedLines, sortNameRows, type NameRow } from './names.js';
import type { ReporterOptions } from './types.js';

export { RISK_ORDER } from './names.js';
export const CHECK_SCHEMA_VERSION = 1;

export type CheckReporter = (report: CheckReport, options: ReporterOptions) => string;

function risky(report: CheckReport): NameRow[] {
  return sortNameRows(report.names.flatMap((n) => n.findings.map((finding) => ({ name: n.name, ...(n.location ? { location: n.location } : {}), finding }))));
}

function summary(report: CheckReport): string {
  const rows = risky(report);
  const names = new Set(rows.map((r) => r.name)).size;
  if (rows.length === 0) return `No name risks found in ${report.names.length} name${report.names.length === 1 ? '' : 's'}`;
  return `${names} of ${report.names.length} names look risky (${riskCounts(rows)})`;
}

export const renderCheckTable: CheckReporter = (report, options) => {
  const paint = painter(options.color);
  const out = [summary(report)];
  const rows = risky(report);
  // A loop, not push(...lines): a names file of ~125,000 risky names would overflow the stack.
  if (rows.length > 0) for (const line of nameRiskLines(rows, paint, options.cwd)) out.push(line);
  const notes = [...skippedLines(report.skipped), ...report.diagnostics.map((d) => `${d.severity}: ${d.location ? `${displayLocation(d.location, options.cwd)}: ` : ''}${d.message}`)];
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
        findings: n.findings.map(nameFindingJson),
      })),
      skipped: report.skipped,
      diagnostics: report.diagnostics,
    },
    null,
    2,
  ) + '\n';

export const renderCheckSarif: CheckReporter = (report, options) => {
  const { rules, results } = nameSarif(risky(report), options.cwd);
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
                  ...skippedLines(report.skipped).map((text) => ({ level: 'note', message: { text } })),
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

export const renderCheckMarkdown: CheckReporter = (report, options) => {
  const out = ['<!-- pyward:check -->', `### pyward check: ${escapeMarkdown(summary(report))}`, ''];
  const rows = risky(report);
  if (rows.length > 0) {
    for (const line of nameRiskTable(rows, options.cwd)) out.push(line);
    out.push('');
  }
  for (const line of skippedLines(report.skipped)) out.push(`- ${escapeMarkdown(line)}`);
  return out.join('\n') + '\n';
};

export const checkReporters = { table: renderCheckTable, json: renderCheckJson, sarif: renderCheckSarif, markdown: renderCheckMarkdown } as const;
