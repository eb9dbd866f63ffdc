import { describe, expect, it } from 'vitest';
import type { AuditReport, Package, SeverityScore, VulnerabilityFinding } from '../core/model.js';
import { purl, ratingMethod, renderCycloneDx } from './cyclonedx.js';
import { loadCycloneDxValidator } from './testdata/schemas.js';
import { cleanReport, jinja2, sampleReport } from './testdata/report.js';

// Parsed CycloneDX is walked by key; `any` keeps these assertions readable.
type Obj = Record<string, any>;

function render(report: AuditReport): Obj {
  return JSON.parse(renderCycloneDx(report, { color: false, cwd: '/home/ci/app' })) as Obj;
}

function withSeverity(severity: SeverityScore): AuditReport {
  const report = sampleReport();
  const first = report.findings[0] as VulnerabilityFinding;
  return { ...report, findings: [{ ...first, vulnerability: { ...first.vulnerability, severity } }] };
}

describe('cyclonedx reporter', () => {
  const validate = loadCycloneDxValidator();

  it('is valid against the CycloneDX 1.6 JSON schema', () => {
    expect(validate(render(sampleReport()))).toBeUndefined();
    expect(validate(render(cleanReport()))).toBeUndefined();
    expect(
      validate(
        render(
          withSeverity({
            type: 'CVSS_V4',
            vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
            score: 9.3,
            level: 'critical',
          }),
        ),
      ),
    ).toBeUndefined();
    // And the validator does reject what CycloneDX forbids.
    const broken = render(sampleReport());
    broken.vulnerabilities[0].ratings[0].method = 'CVSS3';
    expect(validate(broken)).toMatch(/method|enum/);
  });

  it('lists every requirement as a component with a pypi purl', () => {
    const bom = render(sampleReport());
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    const components = bom.components as Obj[];
    expect(components.map((c) => c.purl)).toEqual([
      'pkg:pypi/jinja2@2.10',
      'pkg:pypi/requests@2.25.0',
      'pkg:pypi/urllib3@1.26.4',
      'pkg:pypi/django@4.2.14',
      'pkg:pypi/certifi@2024.7.4',
      'pkg:pypi/flask',
      'pkg:pypi/click',
    ]);
    const refs = components.map((c) => c['bom-ref'] as string);
    expect(new Set(refs).size).toBe(refs.length);
    expect(components[5]?.properties).toContainEqual({ name: 'pyward:specifier', value: '>=2' });
    expect(components[6]?.externalReferences).toEqual([
      { type: 'vcs', url: 'git+https://github.com/pallets/click@8.1.7' },
    ]);
  });

  it('percent-encodes what a purl version cannot hold', () => {
    const local: Package = { ...jinja2, version: '1!2.0+local.1' };
    expect(purl(local)).toBe('pkg:pypi/jinja2@1!2.0%2Blocal.1');
  });

  it('merges the same pin required from two files into one component', () => {
    const report = sampleReport();
    const again: Package = { ...jinja2, location: { file: 'requirements-dev.txt', line: 1 } };
    const bom = render({ ...report, packages: [...report.packages, again] });
    const components = (bom.components as Obj[]).filter((c) => c.name === 'jinja2');
    expect(components).toHaveLength(1);
    expect(components[0]?.properties).toEqual([
      { name: 'pyward:location', value: 'requirements.txt:2' },
      { name: 'pyward:location', value: 'requirements-dev.txt:1' },
    ]);
    expect(validate(bom)).toBeUndefined();
  });

  it('describes each vulnerability with ratings, affects, advisories and a recommendation', () => {
    const bom = render(sampleReport());
    const vulns = bom.vulnerabilities as Obj[];
    const refs = new Set((bom.components as Obj[]).map((c) => c['bom-ref'] as string));
    for (const v of vulns) {
      for (const a of v.affects as Obj[]) expect(refs.has(a.ref as string)).toBe(true);
      expect(v.advisories[0]).toEqual({ title: v.id, url: `https://osv.dev/vulnerability/${v.id as string}` });
      expect(v.recommendation).toBeTruthy();
    }
    const byId = new Map(vulns.map((v) => [v.id as string, v]));
    expect(byId.get('PYSEC-2019-217')?.recommendation).toBe('Upgrade jinja2 from 2.10 to 2.10.1.');
    const django70 = vulns.find((v) => v.id === 'PYSEC-2024-70') as Obj;
    expect(django70.ratings).toEqual([
      { score: 9.8, severity: 'critical', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    ]);
    expect(django70.affects).toEqual([
      { ref: 'pkg:pypi/django@4.2.14', versions: [{ version: '4.2.14', status: 'affected' }] },
    ]);
    expect(django70.references).toEqual([
      { id: 'CVE-2024-42005', source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-42005' } },
    ]);
    expect(django70.recommendation).toBe(
      'Fixed in django 4.2.15. Upgrade django from 4.2.14 to 4.2.16 to fix every reported vulnerability of it.',
    );
    // No severity in the database: no rating rather than a guessed one.
    expect('ratings' in (vulns.find((v) => v.id === 'PYSEC-2024-67') as Obj)).toBe(false);
  });

  it('keeps ignored findings, with the reason as analysis and without the other fixes', () => {
    const vulns = render(sampleReport()).vulnerabilities as Obj[];
    const ignored = vulns.filter((v) => v.analysis);
    expect(ignored.map((v) => [v['bom-ref'], v.analysis, v.recommendation])).toEqual([
      [
        'PYSEC-2021-66:ignored',
        { detail: 'Ignored: templates never use the urlize filter (reviewed 2025-03)' },
        'Fixed in jinja2 2.11.3.',
      ],
    ]);
  });

  it('maps OSV severity types to CycloneDX rating methods', () => {
    expect(ratingMethod({ type: 'CVSS_V3', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', level: 'critical' })).toBe(
      'CVSSv3',
    );
    expect(ratingMethod({ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', level: 'critical' })).toBe(
      'CVSSv31',
    );
    expect(ratingMethod({ type: 'CVSS_V4', vector: 'CVSS:4.0/AV:N', level: 'high' })).toBe('CVSSv4');
    expect(ratingMethod({ type: 'CVSS_V2', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', level: 'high' })).toBe('CVSSv2');
    expect(ratingMethod({ type: 'ECOSYSTEM', level: 'high' })).toBe('other');
    const bom = render(withSeverity({ type: 'ECOSYSTEM', level: 'high' }));
    expect(bom.vulnerabilities[0].ratings).toEqual([{ severity: 'high', method: 'other' }]);
    expect(validate(bom)).toBeUndefined();
  });

  it('has no timestamp or serial number, so the same audit renders the same BOM', () => {
    const bom = render(sampleReport());
    expect(bom.serialNumber).toBeUndefined();
    expect(bom.metadata.timestamp).toBeUndefined();
    expect(bom.metadata.tools.components).toEqual([{ type: 'application', name: 'pyward', version: '0.1.0' }]);
  });
});
