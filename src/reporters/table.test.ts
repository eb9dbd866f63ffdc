import { describe, expect, it } from 'vitest';
import type { AuditReport, VulnerabilityFinding } from '../core/model.js';
import { REPORTER_NAMES, reporters } from './index.js';
import { renderTable } from './table.js';
import { cleanReport, sampleReport } from './testdata/report.js';

const ANSI = /\u001b\[[0-9;]*m/g;

function lines(out: string): string[] {
  return out.trimEnd().split('\n');
}

describe('table reporter', () => {
  it('emits no escape codes without color, in any format', () => {
    for (const name of REPORTER_NAMES) {
      for (const report of [sampleReport(), cleanReport()]) {
        expect(reporters[name](report, { color: false }), name).not.toMatch(/\u001b/);
      }
    }
  });

  it('only the table colors, and coloring changes nothing but escape codes', () => {
    for (const name of REPORTER_NAMES.filter((n) => n !== 'table')) {
      expect(reporters[name](sampleReport(), { color: true }), name).not.toMatch(/\u001b/);
    }
    const plain = renderTable(sampleReport(), { color: false });
    const colored = renderTable(sampleReport(), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored.replace(ANSI, '')).toBe(plain);
    // Critical findings stand out: bold red on the severity cell.
    expect(colored).toContain('\u001b[1;31mcritical 9.8\u001b[0m');
  });

  it('200,000 unpinned requirements, each with its warning, are listed once without a pairwise search', () => {
    // Each warning was looked for among all the skipped packages: 200,000 x 200,000 comparisons.
    const n = 200_000;
    const report = cleanReport();
    report.packages = Array.from({ length: n }, (_, i) => ({
      name: `p${i}`, rawName: `p${i}`, source: { kind: 'registry' as const }, direct: true, location: { file: 'r.txt', line: i + 1 },
    }));
    report.diagnostics = report.packages.map((p) => ({ severity: 'warning' as const, code: 'unpinned', message: `${p.name} is not pinned`, location: p.location }));
    report.diagnostics.push({ severity: 'warning', code: 'x', message: 'elsewhere', location: { file: 'r.txt', line: n + 1 } });
    const out = renderTable(report, { color: false });
    expect(out.match(/not audited: p\d+/g)).toHaveLength(n);
    expect(out).not.toContain('is not pinned');
    expect(out).toContain('elsewhere');
  });

  it('130,000 findings size their columns without spreading every row into Math.max (a RangeError)', () => {
    const report = sampleReport();
    const one = report.findings[0] as VulnerabilityFinding;
    const many: AuditReport = { ...report, findings: Array.from({ length: 130_000 }, () => one), ignored: [], fixes: [] };
    const count = (r: AuditReport): number => lines(renderTable(r, { color: false })).filter((l) => l.includes(one.vulnerability.id)).length;
    // Other sections may name the id too: the table itself has one row per finding.
    expect(count(many) - count({ ...many, findings: [one] })).toBe(130_000 - 1);
  });

  it('summarizes with counts by severity and the ignored count', () => {
    expect(lines(renderTable(sampleReport(), { color: false }))[0]).toBe(
      'Found 10 known vulnerabilities in 4 packages (1 critical, 3 high, 2 medium, 4 unknown), 1 ignored',
    );
    expect(renderTable(cleanReport(), { color: false })).toBe('No known vulnerabilities found\n');
  });

  it('uses singular forms for one finding', () => {
    const report = sampleReport();
    const one: AuditReport = { ...report, findings: [report.findings[0] as VulnerabilityFinding], ignored: [] };
    expect(lines(renderTable(one, { color: false }))[0]).toBe('Found 1 known vulnerability in 1 package (1 high)');
  });

  it('says what was not audited even when nothing vulnerable was found', () => {
    const report = sampleReport();
    const out = renderTable({ ...report, findings: [], fixes: [] }, { color: false });
    expect(lines(out)[0]).toBe('No known vulnerabilities found (2 packages not audited, 1 ignored)');
    expect(out).toContain('  not audited: flask (>=2) unpinned (requirements.txt:7)');
  });

  it('aligns pip-audit columns plus severity and location, sorted by severity then name', () => {
    const rows = lines(renderTable(sampleReport(), { color: false })).slice(1, 13);
    expect(rows[0]).toMatch(/^Name +Version +ID +Fix Versions +Severity +Location$/);
    expect(rows[1]).toMatch(/^-+ -+ -+ -+ -+ -+$/);
    const idColumn = (rows[0] as string).indexOf('ID');
    for (const row of rows.slice(2)) expect(row.slice(idColumn)).toMatch(/^PYSEC-/);
    expect(rows.slice(2).map((r) => r.split(/ +/).slice(0, 3).join(' '))).toEqual([
      'django 4.2.14 PYSEC-2024-70',
      'jinja2 2.10 PYSEC-2019-217',
      'urllib3 1.26.4 PYSEC-2021-108',
      'urllib3 1.26.4 PYSEC-2023-192',
      'requests 2.25.0 PYSEC-2023-74',
      'urllib3 1.26.4 PYSEC-2023-212',
      'django 4.2.14 PYSEC-2024-67',
      'django 4.2.14 PYSEC-2024-68',
      'django 4.2.14 PYSEC-2024-69',
      'django 4.2.14 PYSEC-2024-102',
    ]);
  });

  it('lists fixes, ignored findings and diagnostics with their locations', () => {
    const out = renderTable(sampleReport(), { color: false });
    expect(out).toContain('  django   4.2.14 -> 4.2.16  requirements.txt:5');
    expect(out).toContain(
      '  jinja2 2.10 PYSEC-2021-66 (requirements.txt:2): templates never use the urlize filter (reviewed 2025-03)',
    );
    expect(out).toContain("  error: requirements.txt:9:7: cannot parse 'pyyaml=5.4'");
    expect(out).toContain('  not audited: flask (>=2) unpinned (requirements.txt:7)');
    expect(out).toContain(
      '  not audited: click (git+https://github.com/pallets/click@8.1.7) vcs requirement (requirements.txt:8)',
    );
    // The unpinned warning is the "not audited" line; it is not printed a second time.
    expect(out).not.toContain('[unpinned]');
  });

  it('prints locations relative to cwd', () => {
    const report = sampleReport();
    const abs = (f: VulnerabilityFinding): VulnerabilityFinding => ({
      ...f,
      location: { ...f.location, file: `/home/ci/app/deploy/${f.location.file}` },
    });
    const out = renderTable({ ...report, findings: report.findings.map(abs) }, { color: false, cwd: '/home/ci/app' });
    expect(out).toContain(' deploy/requirements.txt:5\n');
    expect(out).not.toContain('/home/ci/app');
  });

  it('leaves no trailing whitespace', () => {
    for (const line of lines(renderTable(sampleReport(), { color: false }))) expect(line).toBe(line.trimEnd());
  });
});
