import { describe, expect, it } from 'vitest';
import type { Package } from '../../core/model.js';
import type { OsvEvent, OsvRecord } from '../../sources/osv/schema.js';
import { findVulnerabilities, groupByAlias } from './findings.js';

function pkg(version: string | undefined, name = 'pkg'): Package {
  const p: Package = { name, rawName: name, source: { kind: 'registry' }, location: { file: 'requirements.txt', line: 3 } };
  if (version !== undefined) p.version = version;
  return p;
}

function record(id: string, events: OsvEvent[], extra: Partial<OsvRecord> = {}): OsvRecord {
  return {
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events }] }],
    ...extra,
  };
}

const noWarn = (): void => {};

describe('findVulnerabilities', () => {
  it('reports each affecting record with its fix, at the package location', () => {
    const findings = findVulnerabilities(pkg('1.0'), [record('PYSEC-2020-1', [{ introduced: '0' }, { fixed: '1.2' }])], noWarn);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'vulnerability',
      vulnerability: { id: 'PYSEC-2020-1', aliases: [] },
      fixVersions: ['1.2'],
      location: { file: 'requirements.txt', line: 3 },
    });
  });

  it('skips packages without a version, and warns for a version that is not PEP 440', () => {
    const records = [record('PYSEC-2020-1', [{ introduced: '0' }])];
    expect(findVulnerabilities(pkg(undefined), records, noWarn)).toEqual([]);
    const warnings: string[] = [];
    expect(findVulnerabilities(pkg('not-a-version!'), records, (m) => warnings.push(m))).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not a PEP 440 version/);
  });

  it('ignores withdrawn records', () => {
    const records = [record('PYSEC-2020-1', [{ introduced: '0' }], { withdrawn: '2024-02-01T00:00:00Z' })];
    expect(findVulnerabilities(pkg('1.0'), records, noWarn)).toEqual([]);
  });

  it('merges records whose ids and aliases overlap into one finding, PYSEC id preferred', () => {
    const records = [
      record('GHSA-zzzz-zzzz-zzzz', [{ introduced: '0' }, { fixed: '1.6' }], { aliases: ['CVE-2021-1'] }),
      record('PYSEC-2021-9', [{ introduced: '0' }, { fixed: '1.5' }], { aliases: ['CVE-2021-1', 'GHSA-zzzz-zzzz-zzzz'] }),
    ];
    const findings = findVulnerabilities(pkg('1.0'), records, noWarn);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.vulnerability.id).toBe('PYSEC-2021-9');
    expect(findings[0]!.vulnerability.aliases).toEqual(['CVE-2021-1', 'GHSA-zzzz-zzzz-zzzz']);
    // Each database's fix, sorted: pip-audit lists them all too.
    expect(findings[0]!.fixVersions).toEqual(['1.5', '1.6']);
  });

  it('merges transitively, also through a record that does not affect the version', () => {
    const records = [
      record('GHSA-aaaa-aaaa-aaaa', [{ introduced: '2.0' }, { fixed: '2.2' }], { aliases: ['CVE-1'] }),
      record('OSV-LINK', [{ introduced: '9.0' }, { fixed: '9.1' }], { aliases: ['CVE-1', 'CVE-2'] }),
      record('PYSEC-2000-1', [{ introduced: '2.1' }, { fixed: '2.3' }], { aliases: ['CVE-2'] }),
      record('GHSA-bbbb-bbbb-bbbb', [{ introduced: '0' }]),
    ];
    const findings = findVulnerabilities(pkg('2.1'), records, noWarn);
    expect(findings.map((f) => [f.vulnerability.id, f.vulnerability.aliases, f.fixVersions])).toEqual([
      // The link record does not affect 2.1, so its id is not reported; the CVEs it joined are.
      ['PYSEC-2000-1', ['CVE-1', 'CVE-2', 'GHSA-aaaa-aaaa-aaaa'], ['2.2', '2.3']],
      ['GHSA-bbbb-bbbb-bbbb', [], []],
    ]);
  });

  it('prefers PYSEC, then GHSA, then the smallest other id', () => {
    const ids = (recordIds: string[]): string =>
      findVulnerabilities(
        pkg('1.0'),
        recordIds.map((id, i) => record(id, [{ introduced: '0' }], { aliases: i === 0 ? recordIds.slice(1) : [] })),
        noWarn,
      )[0]!.vulnerability.id;
    expect(ids(['CVE-2020-1', 'GHSA-xxxx-xxxx-xxxx', 'PYSEC-2020-5'])).toBe('PYSEC-2020-5');
    expect(ids(['OSV-2020-1', 'GHSA-xxxx-xxxx-xxxx'])).toBe('GHSA-xxxx-xxxx-xxxx');
    expect(ids(['OSV-2020-2', 'CVE-2020-1'])).toBe('CVE-2020-1');
  });

  it('keeps the later of two records with the same id', () => {
    const old = record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.1' }], { modified: '2023-01-01T00:00:00Z' });
    const fresh = record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.2' }], { modified: '2024-06-01T00:00:00Z' });
    for (const records of [[old, fresh], [fresh, old]]) {
      const findings = findVulnerabilities(pkg('1.0'), records, noWarn);
      expect(findings.map((f) => f.fixVersions)).toEqual([['1.2']]);
    }
  });

  it('merges text: preferred summary, earliest published, latest modified, union of references', () => {
    const records = [
      record('GHSA-aaaa-aaaa-aaaa', [{ introduced: '0' }], {
        aliases: ['PYSEC-1'],
        summary: 'from GHSA',
        details: 'ghsa details',
        published: '2020-01-01T00:00:00Z',
        modified: '2024-05-01T00:00:00Z',
        references: [
          { type: 'WEB', url: 'https://b.example/' },
          { type: 'WEB', url: 'https://a.example/' },
        ],
      }),
      record('PYSEC-1', [{ introduced: '0' }], {
        published: '2021-01-01T00:00:00Z',
        modified: '2023-01-01T00:00:00Z',
        references: [{ type: 'WEB', url: 'https://a.example/' }],
      }),
    ];
    const [f] = findVulnerabilities(pkg('1.0'), records, noWarn);
    expect(f!.vulnerability).toMatchObject({
      id: 'PYSEC-1',
      aliases: ['GHSA-aaaa-aaaa-aaaa'],
      summary: 'from GHSA',
      details: 'ghsa details',
      published: '2020-01-01T00:00:00Z',
      modified: '2024-05-01T00:00:00Z',
      references: ['https://a.example/', 'https://b.example/'],
    });
  });

  it('scores severity from the records CVSS vectors, falling back to the database word', () => {
    const withVector = record('PYSEC-1', [{ introduced: '0' }], {
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    });
    expect(findVulnerabilities(pkg('1.0'), [withVector], noWarn)[0]!.vulnerability.severity).toEqual({
      type: 'CVSS_V3',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      score: 9.8,
      level: 'critical',
    });
    const withWord = record('GHSA-aaaa-aaaa-aaaa', [{ introduced: '0' }], { database_specific: { severity: 'MODERATE' } });
    expect(findVulnerabilities(pkg('1.0'), [withWord], noWarn)[0]!.vulnerability.severity).toEqual({ type: 'ECOSYSTEM', level: 'medium' });
    const none = record('PYSEC-2', [{ introduced: '0' }]);
    expect(findVulnerabilities(pkg('1.0'), [none], noWarn)[0]!.vulnerability.severity).toBeUndefined();
  });

  it('uses per-package severity (affected[].severity) of the matching entry', () => {
    const r: OsvRecord = {
      id: 'GHSA-aaaa-aaaa-aaaa',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'pkg' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N' }],
        },
      ],
    };
    expect(findVulnerabilities(pkg('1.0'), [r], noWarn)[0]!.vulnerability.severity).toMatchObject({ score: 2.8, level: 'low' });
  });

  it('reports a malformed record through warn, and the other records still match', () => {
    const records = [
      record('PYSEC-BAD', [{ introduced: '0' }, { fixed: 'not a version' }]),
      { id: 'PYSEC-WORSE', modified: 'x', affected: 'nope' } as unknown as OsvRecord,
      record('PYSEC-GOOD', [{ introduced: '0' }, { fixed: '2.0' }]),
    ];
    const warnings: string[] = [];
    const findings = findVulnerabilities(pkg('1.0'), records, (m) => warnings.push(m));
    expect(findings.map((f) => f.vulnerability.id)).toEqual(['PYSEC-BAD', 'PYSEC-GOOD']);
    expect(warnings).toEqual(['PYSEC-BAD: fixed "not a version" is not a PEP 440 version; event skipped']);
  });
});

describe('groupByAlias', () => {
  it('joins any overlap of ids and aliases, in either direction', () => {
    const groups = groupByAlias([
      record('A', [], { aliases: ['X'] }),
      record('B', [], { aliases: ['Y'] }),
      record('X', [], {}),
      record('C', [], { aliases: ['Y', 'Z'] }),
      record('D', [], {}),
    ]);
    expect(groups.map((g) => g.map((r) => r.id).sort())).toEqual([['A', 'X'], ['B', 'C'], ['D']]);
  });
});
