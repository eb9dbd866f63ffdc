/**
 * The default, human output: pip-audit's columns (Name Version ID Fix Versions) plus severity and
 * the requirement's file:line, then what to do about it. Human output may change between releases;
 * scripts should read `--format json`.
 */
import type { AuditReport, Risk, Severity } from '../core/model.js';
import {
  countBySeverity,
  countPackages,
  describeSeverityCounts,
  displayLocation,
  formatScore,
  plural,
  reportSections,
  severityOf,
  type ReportSections,
} from './common.js';
import { auditNameRows, riskCounts, type NameRow } from './names.js';
import type { ReporterOptions } from './types.js';

const ESC = '\u001b[';
const RESET = `${ESC}0m`;

/** SGR codes per style; the table never emits them unless options.color is set. */
const STYLES = {
  bold: '1',
  dim: '2',
  red: '31',
  boldRed: '1;31',
  yellow: '33',
  cyan: '36',
  green: '32',
} as const;
export type Style = keyof typeof STYLES;

const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: 'boldRed',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  unknown: 'dim',
};

const RISK_STYLE: Record<Risk, Style> = { critical: 'boldRed', high: 'red', medium: 'yellow', low: 'cyan' };

export interface Cell {
  text: string;
  style?: Style | undefined;
}

export type Paint = (text: string, style: Style | undefined) => string;

export function painter(color: boolean): Paint {
  return color ? (text, style) => (style && text ? `${ESC}${STYLES[style]}m${text}${RESET}` : text) : (text) => text;
}

/**
 * Aligns columns on the visible text, then paints: escape codes have no width, so padding
 * computed after painting would misalign colored cells. The last column is not padded, so no
 * line ends in spaces.
 */
export function alignRows(rows: Cell[][], paint: Paint, indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell.text].length);
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => {
          const pad = i === row.length - 1 ? '' : ' '.repeat((widths[i] ?? 0) - [...cell.text].length);
          return paint(cell.text, cell.style) + pad;
        })
        .join(' ')
        .trimEnd(),
  );
}

/** Name risks as `pyward check` and `pyward audit` show them: a table, then what was probably meant. */
export function nameRiskLines(rows: readonly NameRow[], paint: Paint, cwd: string | undefined): string[] {
  const header: Cell[] = ['Name', 'Kind', 'Risk', 'Target', 'Evidence'].map((text) => ({ text, style: 'bold' }));
  const body: Cell[][] = rows.map(({ name, location, finding }) => [
    { text: location ? `${name} (${displayLocation(location, cwd)})` : name },
    { text: finding.kind },
    { text: finding.risk, style: RISK_STYLE[finding.risk] },
    { text: finding.target ?? '' },
    { text: finding.evidence.join('; ') },
  ]);
  const out = alignRows([header, ...body], paint);
  const suggestions = rows.filter((r) => r.finding.suggestion).map((r) => `  ${r.name}: ${r.finding.suggestion}`);
  if (suggestions.length > 0) out.push('', 'Suggestions:', ...new Set(suggestions));
  return out;
}

function summaryLine({ findings, ignored, skipped }: ReportSections): string {
  if (findings.length === 0) {
    const notes = [
      skipped.length > 0 ? `${plural(skipped.length, 'package')} not audited` : '',
      ignored.length > 0 ? `${ignored.length} ignored` : '',
    ].filter(Boolean);
    return `No known vulnerabilities found${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  }
  const counts = describeSeverityCounts(countBySeverity(findings));
  return (
    `Found ${plural(findings.length, 'known vulnerability', 'known vulnerabilities')} ` +
    `in ${plural(countPackages(findings), 'package')} (${counts})${ignored.length > 0 ? `, ${ignored.length} ignored` : ''}`
  );
}

export function renderTable(report: AuditReport, options: ReporterOptions): string {
  const paint = painter(options.color);
  const cwd = options.cwd;
  const out: string[] = [];
  const sections = reportSections(report);
  const { findings, fixes, unfixed, ignored, skipped, diagnostics } = sections;
  const hasBad = findings.some((f) => ['critical', 'high'].includes(severityOf(f.vulnerability)));
  out.push(paint(summaryLine(sections), findings.length === 0 ? 'green' : hasBad ? 'boldRed' : 'bold'));

  if (findings.length > 0) {
    const header: Cell[] = ['Name', 'Version', 'ID', 'Fix Versions', 'Severity', 'Location'].map((text) => ({
      text,
      style: 'bold',
    }));
    const body: Cell[][] = findings.map((f) => {
      const level = severityOf(f.vulnerability);
      const score = formatScore(f.vulnerability.severity);
      return [
        { text: f.package.name },
        { text: f.package.version ?? '' },
        { text: f.vulnerability.id },
        { text: f.fixVersions.join(',') },
        { text: score ? `${level} ${score}` : level, style: SEVERITY_STYLE[level] },
        { text: displayLocation(f.location, cwd) },
      ];
    });
    // The dashes under each header span the whole column, as pip-audit draws them.
    // reduce and loops, not Math.max(...rows) or push(...lines): a table of ~125,000 rows spread
    // into a call's arguments overflows the stack.
    const widths = header.map((_, i) => [header, ...body].reduce((w, row) => Math.max(w, [...(row[i]?.text ?? '')].length), 0));
    const rows: Cell[][] = [header, widths.map((w) => ({ text: '-'.repeat(w) })), ...body];
    for (const line of alignRows(rows, paint)) out.push(line);
  }

  const names = auditNameRows(report.names?.findings ?? []);
  if (names.length > 0) {
    out.push('', paint(`Name risks: ${plural(new Set(names.map((r) => r.name)).size, 'dependency', 'dependencies')} (${riskCounts(names)})`, 'bold'));
    for (const line of nameRiskLines(names, paint, cwd)) out.push(line);
  }

  if (fixes.length > 0) {
    out.push('', paint('Fixes (smallest upgrade that clears every finding):', 'bold'));
    out.push(
      ...alignRows(
        fixes.map((f) => [
          { text: f.name },
          { text: f.from },
          { text: '->' },
          { text: f.to, style: 'green' },
          { text: displayLocation(f.location, cwd) },
        ]),
        paint,
        '  ',
      ),
    );
  }

  if (unfixed.length > 0) {
    out.push('', paint('No fixed version known:', 'bold'));
    out.push(
      ...alignRows(
        unfixed.map((v) => [
          { text: v.package.name },
          { text: v.package.version ?? '' },
          { text: v.findings.map((f) => f.vulnerability.id).join(',') },
          { text: displayLocation(v.package.location, cwd) },
        ]),
        paint,
        '  ',
      ),
    );
  }

  if (ignored.length > 0) {
    out.push('', paint(`Ignored ${plural(ignored.length, 'finding')}:`, 'bold'));
    for (const i of ignored) {
      const f = i.finding;
      out.push(
        `  ${f.package.name} ${f.package.version ?? ''} ${f.vulnerability.id} (${displayLocation(f.location, cwd)}): ${i.reason}`,
      );
    }
  }

  if (skipped.length > 0 || diagnostics.length > 0) {
    out.push('', paint('Diagnostics:', 'bold'));
    for (const d of diagnostics) {
      const where = d.location ? `${displayLocation(d.location, cwd)}: ` : '';
      out.push(`  ${paint(`${d.severity}:`, d.severity === 'error' ? 'boldRed' : 'yellow')} ${where}${d.message} [${d.code}]`);
    }
    for (const s of skipped) {
      const what = s.skip.detail ? ` (${s.skip.detail})` : '';
      out.push(
        `  ${paint('not audited:', 'yellow')} ${s.package.name}${what} ${s.skip.short} (${displayLocation(s.package.location, cwd)})`,
      );
    }
  }

  return `${out.join('\n')}\n`;
}
