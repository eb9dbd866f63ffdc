import { describe, expect, it } from 'vitest';
import type { AuditReport, VulnerabilityFinding } from '../core/model.js';
import { renderSarif } from './sarif.js';
import { loadSarifValidator, sarifSchemaPath } from './testdata/schemas.js';
import { cleanReport, sampleReport } from './testdata/report.js';

// Parsed SARIF is walked by key; `any` keeps these assertions readable.
type Obj = Record<string, any>;

function render(report: AuditReport, cwd?: string): Obj {
  return JSON.parse(renderSarif(report, { color: false, ...(cwd !== undefined ? { cwd } : {}) })) as Obj;
}

function run(doc: Obj): Obj {
  return (doc.runs as Obj[])[0] as Obj;
}

/** The sample report with every path made absolute under `root`. */
function absolute(root: string): AuditReport {
  const report = sampleReport();
  const move = <T extends { location: { file: string } }>(x: T): T => ({
    ...x,
    location: { ...x.location, file: `${root}/${x.location.file}` },
  });
  const findings = report.findings.map((f) => ({ ...move(f), package: move(f.package) }));
  return { ...report, findings, packages: report.packages.map(move), ignored: [] };
}

const schemaPath = sarifSchemaPath();

describe('sarif reporter', () => {
  it.skipIf(schemaPath === undefined)(
    'is valid against the official SARIF 2.1.0 schema (needs devDependency @microsoft/jest-sarif)',
    () => {
      const validate = loadSarifValidator(schemaPath as string);
      expect(validate(render(sampleReport(), '/home/ci/app'))).toBeUndefined();
      expect(validate(render(cleanReport()))).toBeUndefined();
      expect(validate(render(absolute('/elsewhere/project'), '/home/ci/app'))).toBeUndefined();
      // And the validator does reject what SARIF forbids.
      const broken = render(sampleReport());
      run(broken).results[0].level = 'critical';
      expect(validate(broken)).toMatch(/level/);
    },
  );

  it('has the SARIF 2.1.0 envelope and a complete driver', () => {
    const doc = render(sampleReport());
    expect(doc.version).toBe('2.1.0');
    expect(doc.$schema).toMatch(/sarif-2\.1\.0\.json$/);
    expect(doc.runs).toHaveLength(1);
    const driver = run(doc).tool.driver as Obj;
    expect(driver).toMatchObject({ name: 'pyward', version: '0.1.0', semanticVersion: '0.1.0' });
    expect(driver.informationUri).toMatch(/^https:\/\//);
  });

  it('has one rule per vulnerability id with help, advisory link and GitHub security-severity', () => {
    const rules = run(render(sampleReport())).tool.driver.rules as Obj[];
    const ids = rules.map((r) => r.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(11); // ten reported + one ignored
    for (const rule of rules) {
      expect(rule.shortDescription.text).toBeTruthy();
      expect(rule.fullDescription.text).toBeTruthy();
      expect(rule.help.text).toBeTruthy();
      expect(rule.help.markdown).toBeTruthy();
      expect(rule.helpUri).toBe(`https://osv.dev/vulnerability/${rule.id as string}`);
      expect(rule.properties.tags).toContain('security');
    }
    const byId = new Map(rules.map((r) => [r.id as string, r]));
    // GitHub wants the CVSS base score as a string holding a number.
    expect(byId.get('PYSEC-2024-70')?.properties['security-severity']).toBe('9.8');
    expect(byId.get('PYSEC-2019-217')?.properties['security-severity']).toBe('8.6');
    expect(byId.get('PYSEC-2023-212')?.properties['security-severity']).toBe('4.2');
    // No score and no level: GitHub must not be handed a made-up one.
    expect('security-severity' in (byId.get('PYSEC-2024-67')?.properties as Obj)).toBe(false);
    for (const rule of rules) {
      const s = rule.properties['security-severity'] as string | undefined;
      if (s !== undefined) expect(s).toMatch(/^\d+\.\d$/);
    }
  });

  it('keeps a level when the database gave a word but no score', () => {
    const report = sampleReport();
    const first = report.findings[0] as VulnerabilityFinding;
    const ecosystem: VulnerabilityFinding = {
      ...first,
      vulnerability: { ...first.vulnerability, severity: { type: 'ECOSYSTEM', level: 'high' } },
    };
    const rules = run(render({ ...report, findings: [ecosystem], ignored: [] })).tool.driver.rules as Obj[];
    expect(rules[0]?.properties['security-severity']).toBe('8.0');
  });

  it('has one result per (package, vulnerability) on the requirement line', () => {
    const report = sampleReport();
    const r = run(render(report, '/home/ci/app'));
    const results = r.results as Obj[];
    expect(results).toHaveLength(report.findings.length + report.ignored.length);
    const rules = r.tool.driver.rules as Obj[];
    for (const result of results) {
      expect(rules[result.ruleIndex as number]?.id).toBe(result.ruleId);
      const loc = result.locations[0].physicalLocation as Obj;
      expect(loc.artifactLocation).toEqual({ uri: 'requirements.txt', uriBaseId: '%SRCROOT%' });
      expect(loc.region.startLine).toBeGreaterThanOrEqual(2);
    }
    const django70 = results.find((x) => x.ruleId === 'PYSEC-2024-70') as Obj;
    expect(django70.level).toBe('error');
    expect(django70.locations[0].physicalLocation.region).toEqual({ startLine: 5 });
    expect(django70.message.text).toContain('django 4.2.14');
    expect(django70.message.text).toContain('Fixed in 4.2.15.');
  });

  it('fingerprints results stably and distinctly', () => {
    const a = run(render(sampleReport())).results as Obj[];
    const prints = a.map((x) => x.partialFingerprints['pywardFinding/v1'] as string);
    expect(new Set(prints).size).toBe(prints.length);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{64}$/);
    // Moving the requirement to another line keeps the alert's identity.
    const moved = sampleReport();
    const shifted = moved.findings.map((f) => ({ ...f, location: { ...f.location, line: (f.location.line ?? 0) + 10 } }));
    const b = run(render({ ...moved, findings: shifted })).results as Obj[];
    expect(b.map((x) => x.partialFingerprints['pywardFinding/v1'] as string)).toEqual(prints);
  });

  it('marks ignored findings as externally suppressed, with the reason', () => {
    const results = run(render(sampleReport())).results as Obj[];
    const suppressed = results.filter((x) => x.suppressions);
    expect(suppressed.map((x) => x.ruleId)).toEqual(['PYSEC-2021-66']);
    expect(suppressed[0]?.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'templates never use the urlize filter (reviewed 2025-03)' },
    ]);
  });

  it('makes paths relative to cwd, and leaves files outside it as file: URIs', () => {
    const inside = run(render(absolute('/home/ci/app/sub dir'), '/home/ci/app')).results as Obj[];
    expect(inside[0]?.locations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'sub%20dir/requirements.txt',
      uriBaseId: '%SRCROOT%',
    });
    const outside = run(render(absolute('/elsewhere/project'), '/home/ci/app')).results as Obj[];
    expect(outside[0]?.locations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'file:///elsewhere/project/requirements.txt',
    });
  });

  it('reports diagnostics as tool execution notifications with their location', () => {
    const invocation = (run(render(sampleReport())).invocations as Obj[])[0] as Obj;
    expect(invocation.executionSuccessful).toBe(true);
    const notes = invocation.toolExecutionNotifications as Obj[];
    expect(notes.map((n) => [n.level, n.descriptor.id])).toEqual([
      ['error', 'invalid-requirement'],
      ['warning', 'unpinned'],
      ['warning', 'vcs-requirement'],
    ]);
    expect(notes[0]?.locations[0].physicalLocation.region).toEqual({ startLine: 9, startColumn: 7 });
  });

  it('renders an empty run for a clean audit', () => {
    const r = run(render(cleanReport()));
    expect(r.results).toEqual([]);
    expect(r.tool.driver.rules).toEqual([]);
  });
});
