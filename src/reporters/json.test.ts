import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../core/model.js';
import { renderJson } from './json.js';
import { loadAuditJsonValidator } from './testdata/schemas.js';
import { cleanReport, django, sampleReport } from './testdata/report.js';

type Obj = Record<string, unknown>;

function parse(report: AuditReport): Obj {
  return JSON.parse(renderJson(report, { color: false })) as Obj;
}

function deps(doc: Obj): Obj[] {
  return doc.dependencies as Obj[];
}

/**
 * What readers of pip-audit 2.x JSON do (DefectDojo's parser, CI gates): walk `dependencies`,
 * skip entries with `skip_reason`, and read name/version and each vuln's id, fix_versions,
 * aliases and description. Written against pip-audit's documented shape, not ours.
 */
function readAsPipAudit(doc: Obj): string[] {
  const rows: string[] = [];
  for (const dep of doc.dependencies as Obj[]) {
    if ('skip_reason' in dep) continue;
    for (const vuln of dep.vulns as Obj[]) {
      rows.push(
        `${String(dep.name)}==${String(dep.version)} ${String(vuln.id)} fix=${(vuln.fix_versions as string[]).join(',')} ` +
          `aliases=${(vuln.aliases as string[]).join(',')}`,
      );
    }
  }
  return rows;
}

describe('json reporter: pip-audit compatibility', () => {
  const doc = parse(sampleReport());

  it('has pip-audit top-level keys with pip-audit types', () => {
    expect(Array.isArray(doc.dependencies)).toBe(true);
    expect(Array.isArray(doc.fixes)).toBe(true);
  });

  it('writes audited dependencies exactly as pip-audit does: name, version, vulns', () => {
    for (const dep of deps(doc).filter((d) => !('skip_reason' in d))) {
      expect(typeof dep.name).toBe('string');
      expect(typeof dep.version).toBe('string');
      expect(dep.version).not.toBe('');
      expect(Array.isArray(dep.vulns)).toBe(true);
      for (const vuln of dep.vulns as Obj[]) {
        expect(Object.keys(vuln).slice(0, 4)).toEqual(['id', 'fix_versions', 'aliases', 'description']);
        expect(typeof vuln.id).toBe('string');
        expect((vuln.fix_versions as unknown[]).every((v) => typeof v === 'string')).toBe(true);
        expect((vuln.aliases as unknown[]).every((v) => typeof v === 'string')).toBe(true);
        expect(vuln.aliases).not.toContain(vuln.id);
        expect(typeof vuln.description).toBe('string');
        expect(vuln.description).not.toBe('');
      }
    }
  });

  it('writes skipped dependencies as pip-audit does: name and skip_reason, without version or vulns', () => {
    const skipped = deps(doc).filter((d) => 'skip_reason' in d);
    expect(skipped.map((d) => d.name)).toEqual(['flask', 'click']);
    for (const dep of skipped) {
      expect(typeof dep.skip_reason).toBe('string');
      expect('version' in dep).toBe(false);
      expect('vulns' in dep).toBe(false);
    }
    expect(skipped[0]?.skip_reason).toBe('not pinned to an exact version (>=2); pin it with == or audit a lockfile');
  });

  it('uses canonical (PEP 503) names, as pip-audit does', () => {
    expect(deps(doc).map((d) => d.name)).toEqual(['jinja2', 'requests', 'urllib3', 'django', 'certifi', 'flask', 'click']);
    expect(deps(doc)[3]?.raw_name).toBe(django.rawName);
  });

  it('writes fixes as pip-audit does: name, old_version, new_version', () => {
    for (const fix of doc.fixes as Obj[]) {
      expect(typeof fix.name).toBe('string');
      expect(typeof fix.old_version).toBe('string');
      expect(typeof fix.new_version).toBe('string');
    }
    expect((doc.fixes as Obj[]).map((f) => `${String(f.name)} ${String(f.old_version)}->${String(f.new_version)}`)).toEqual([
      'django 4.2.14->4.2.16',
      'jinja2 2.10->2.10.1',
      'requests 2.25.0->2.31.0',
      'urllib3 1.26.4->1.26.18',
    ]);
  });

  it('reports a package with no known fix as a skipped fix: name, version, skip_reason', () => {
    const report = sampleReport();
    const noFix: AuditReport = {
      ...report,
      findings: report.findings.map((f) => (f.package.name === 'requests' ? { ...f, fixVersions: [] } : f)),
      fixes: report.fixes.filter((f) => f.name !== 'requests'),
    };
    const fixes = parse(noFix).fixes as Obj[];
    const skipped = fixes.filter((f) => 'skip_reason' in f);
    expect(skipped).toEqual([
      {
        name: 'requests',
        version: '2.25.0',
        skip_reason: 'no version fixes every known vulnerability',
        location: { file: 'requirements.txt', line: 3 },
      },
    ]);
  });

  it('reads back through a pip-audit reader', () => {
    expect(readAsPipAudit(doc)).toEqual([
      'jinja2==2.10 PYSEC-2019-217 fix=2.10.1 aliases=CVE-2019-10906,GHSA-462w-v97r-4m45',
      'requests==2.25.0 PYSEC-2023-74 fix=2.31.0 aliases=CVE-2023-32681,GHSA-j8r2-6x86-q33q',
      'urllib3==1.26.4 PYSEC-2021-108 fix=1.26.5 aliases=CVE-2021-33503,GHSA-q2q7-5pp4-w6pg',
      'urllib3==1.26.4 PYSEC-2023-192 fix=1.26.17 aliases=CVE-2023-43804,GHSA-v845-jxx5-vc9f',
      'urllib3==1.26.4 PYSEC-2023-212 fix=1.26.18 aliases=CVE-2023-45803,GHSA-g4mx-q9vg-27p4',
      'django==4.2.14 PYSEC-2024-70 fix=4.2.15 aliases=CVE-2024-42005',
      'django==4.2.14 PYSEC-2024-67 fix=4.2.15 aliases=CVE-2024-41989',
      'django==4.2.14 PYSEC-2024-68 fix=4.2.15 aliases=CVE-2024-41990',
      'django==4.2.14 PYSEC-2024-69 fix=4.2.15 aliases=CVE-2024-41991',
      'django==4.2.14 PYSEC-2024-102 fix=4.2.16 aliases=CVE-2024-45230',
    ]);
  });

  it('keeps ignored findings out of vulns, as pip-audit --ignore-vuln does, and lists them apart', () => {
    const ids = deps(doc).flatMap((d) => ((d.vulns as Obj[] | undefined) ?? []).map((v) => v.id));
    expect(ids).not.toContain('PYSEC-2021-66');
    const ignored = doc.ignored as Obj[];
    expect(ignored.map((i) => [i.name, i.version, i.id, i.reason])).toEqual([
      ['jinja2', '2.10', 'PYSEC-2021-66', 'templates never use the urlize filter (reviewed 2025-03)'],
    ]);
  });
});

describe('json reporter: pyward contract', () => {
  const validate = loadAuditJsonValidator();

  it('matches the documented schema (test/schemas/pyward-audit-json.schema.json)', () => {
    expect(validate(parse(sampleReport()))).toBeUndefined();
    expect(validate(parse(cleanReport()))).toBeUndefined();
  });

  it('matches the schema with the name checks: name_findings per dependency, name_checks, a summary count', () => {
    const report = sampleReport();
    const click = report.packages.find((p) => p.name === 'click')!;
    report.names = {
      findings: [{ kind: 'typosquat', name: 'click', risk: 'high', target: 'clack', evidence: ['made up for the test'], location: click.location }],
      skipped: [{ check: 'existence', reason: 'offline' }],
    };
    const doc = parse(report);
    expect(validate(doc)).toBeUndefined();
    const named = deps(doc).filter((d) => (d.name_findings as Obj[]).length > 0);
    expect(named.map((d) => [d.name, (d.name_findings as Obj[])[0]!.target])).toEqual([['click', 'clack']]);
    expect((doc.summary as Obj).name_findings).toBe(1);
    expect(doc.name_checks).toEqual({ skipped: [{ check: 'existence', reason: 'offline' }] });
    // Without the name checks the keys are absent, not empty.
    expect(deps(parse(sampleReport()))[0]).not.toHaveProperty('name_findings');
  });

  it('rejects a renamed field, so the schema really pins the contract', () => {
    const doc = parse(sampleReport());
    const first = deps(doc)[0] as Obj;
    first.fix_version = first.version;
    expect(validate(doc)).toBeDefined();
  });

  it('summarizes counts consistently with the body', () => {
    const doc = parse(sampleReport());
    expect(doc.schema_version).toBe(1);
    expect(doc.summary).toEqual({
      dependencies: 7,
      audited: 5,
      skipped: 2,
      vulnerable_packages: 4,
      vulnerabilities: 10,
      ignored: 1,
      by_severity: { critical: 1, high: 3, medium: 2, low: 0, unknown: 4 },
      errors: 1,
      warnings: 2,
    });
  });

  it('carries severity, location and provenance per vulnerability', () => {
    const doc = parse(sampleReport());
    const vuln = (deps(doc)[3]?.vulns as Obj[])[0] as Obj;
    expect(vuln).toMatchObject({
      id: 'PYSEC-2024-70',
      severity: 'critical',
      severity_type: 'CVSS_V3',
      severity_score: 9.8,
      severity_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      advisory_url: 'https://osv.dev/vulnerability/PYSEC-2024-70',
      location: { file: 'requirements.txt', line: 5 },
    });
    const unknown = (deps(doc)[3]?.vulns as Obj[])[1] as Obj;
    expect(unknown).toMatchObject({ id: 'PYSEC-2024-67', severity: 'unknown', severity_score: null });
  });

  it('keeps a finding whose package is missing from report.packages', () => {
    const report = sampleReport();
    const doc = parse({ ...report, packages: report.packages.filter((p) => p.name !== 'django') });
    const names = deps(doc).map((d) => d.name);
    expect(names).toContain('django');
    expect((deps(doc).find((d) => d.name === 'django')?.vulns as Obj[]).length).toBe(5);
  });

  it('never writes progress or color, even when asked for color', () => {
    const out = renderJson(sampleReport(), { color: true });
    expect(out).not.toMatch(/\u001b\[/);
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });
});
