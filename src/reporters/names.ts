/**
 * Name findings (typosquats, combosquats, slopsquats, ...) as every report lists them: the rows of
 * `pyward check` and the name section of `pyward audit`, worst first. Each format renders these rows
 * with one function of its own module (table, json, sarif, markdown), shared by both commands.
 */
import type { Location, NameFinding, Risk } from '../core/model.js';

export const RISK_ORDER: readonly Risk[] = ['low', 'medium', 'high', 'critical'];

export interface NameRow {
  name: string;
  location?: Location;
  finding: NameFinding;
}

/** Worst risk first, then by name. */
export function sortNameRows(rows: NameRow[]): NameRow[] {
  return rows.sort((a, b) => RISK_ORDER.indexOf(b.finding.risk) - RISK_ORDER.indexOf(a.finding.risk) || a.name.localeCompare(b.name));
}

/** Audit findings carry their requirement's location; one row each. */
export function auditNameRows(findings: readonly NameFinding[]): NameRow[] {
  return sortNameRows(findings.map((finding) => ({ name: finding.name, ...(finding.location ? { location: finding.location } : {}), finding })));
}

/** `typosquat of 'requests' (edit distance 1 ...)`: the finding in one line. */
export function describeNameFinding(f: NameFinding): string {
  return `${f.kind}${f.target ? ` of '${f.target}'` : ''} (${f.evidence.join('; ')})`;
}

/** One line per reason: `not checked (offline): existence, age, ...`. */
export function skippedLines(skipped: readonly { check: string; reason: string; names?: string[] }[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) {
    const what = `${s.check}${s.names ? ` for ${s.names.join(', ')}` : ''}`;
    byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), what]);
  }
  return [...byReason].map(([reason, what]) => `not checked (${reason}): ${what.join('; ')}`);
}

/** `3 low, 1 high` style counts, worst first. */
export function riskCounts(rows: readonly NameRow[]): string {
  return RISK_ORDER.slice()
    .reverse()
    .map((r) => [r, rows.filter((x) => x.finding.risk === r).length] as const)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
}
