import { describe, expect, it } from 'vitest';
import type { Package } from '../../core/model.js';
import type { OsvEvent, OsvRecord } from '../../sources/osv/schema.js';
import { findVulnerabilities } from './findings.js';
import { smallestUpgrade } from './upgrade.js';

function pkg(version: string): Package {
  return { name: 'pkg', rawName: 'pkg', version, source: { kind: 'registry' }, location: { file: 'requirements.txt', line: 1 } };
}

function record(id: string, events: OsvEvent[], extra: Partial<OsvRecord> = {}): OsvRecord {
  return {
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events }] }],
    ...extra,
  };
}

/** The suggestion for `version` given these records, the way the audit computes it. */
function upgrade(version: string, records: OsvRecord[]): string | undefined {
  const p = pkg(version);
  return smallestUpgrade(p, findVulnerabilities(p, records, () => {}), records);
}

describe('smallestUpgrade', () => {
  it('is the fix when there is one finding', () => {
    expect(upgrade('1.0', [record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.2' }])])).toBe('1.2');
  });

  it('clears every finding: the largest of their fixes', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.2' }]),
      record('PYSEC-2', [{ introduced: '0.5' }, { fixed: '1.4.1' }]),
      record('PYSEC-3', [{ introduced: '0' }, { fixed: '1.3' }]),
    ];
    expect(upgrade('1.0', records)).toBe('1.4.1');
  });

  it('skips a candidate that another record affects, even one that does not affect the installed version', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '2.0' }]),
      // 2.0 and 2.1 brought a new flaw, fixed in 2.2.
      record('PYSEC-2', [{ introduced: '2.0' }, { fixed: '2.2' }]),
    ];
    expect(upgrade('1.0', records)).toBe('2.2');
  });

  it('skips a candidate listed in a versions list', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '3.0' }]),
      { id: 'PYSEC-2', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' }, versions: ['3.0'] }] },
      record('PYSEC-3', [{ introduced: '3.1' }, { fixed: '3.1.1' }]),
    ];
    // 3.0 is listed as affected; 3.1 is affected by PYSEC-3; 3.1.1 is clear.
    expect(upgrade('2.0', records)).toBe('3.1.1');
  });

  it('is undefined when nothing known is clear', () => {
    expect(upgrade('1.0', [record('PYSEC-1', [{ introduced: '0' }])])).toBeUndefined();
    expect(upgrade('1.0', [record('PYSEC-1', [{ introduced: '0' }, { last_affected: '1.5' }])])).toBeUndefined();
    expect(smallestUpgrade(pkg('1.0'), [], [])).toBeUndefined();
  });

  it('prefers a final release over a pre-release fix, unless only a pre-release clears', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '2.0rc1' }]),
      record('PYSEC-2', [{ introduced: '0' }, { fixed: '2.0rc1' }, { fixed: '2.0' }]),
    ];
    expect(upgrade('1.0', records)).toBe('2.0');
    expect(upgrade('1.0', [record('PYSEC-1', [{ introduced: '0' }, { fixed: '2.0rc1' }])])).toBe('2.0rc1');
  });

  it('allows a pre-release when the installed version is one', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '2.0rc2' }]),
      record('PYSEC-2', [{ introduced: '0' }, { fixed: '2.0rc2' }, { fixed: '2.0' }]),
    ];
    expect(upgrade('2.0rc1', records)).toBe('2.0rc2');
  });

  it('is canonical and never below the installed version', () => {
    expect(upgrade('1.0', [record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.2.0-RC-1' }, { introduced: '0.1' }])])).toBe('1.2.0rc1');
    expect(upgrade('5.0', [record('PYSEC-1', [{ introduced: '4.0' }, { fixed: '4.5' }, { introduced: '5.0' }, { fixed: '5.1' }])])).toBe('5.1');
  });

  it('does not hold an ignored vulnerability against candidates', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.2' }]),
      record('PYSEC-IGNORED', [{ introduced: '0' }]),
    ];
    const p = pkg('1.0');
    const kept = findVulnerabilities(p, records, () => {}).filter((f) => f.vulnerability.id !== 'PYSEC-IGNORED');
    expect(smallestUpgrade(p, kept, records)).toBe('1.2');
    // Without the ignore, no known version clears both.
    expect(upgrade('1.0', records)).toBeUndefined();
  });

  it('ignores withdrawn records', () => {
    const records = [
      record('PYSEC-1', [{ introduced: '0' }, { fixed: '1.2' }]),
      record('PYSEC-2', [{ introduced: '1.2' }, { fixed: '1.3' }], { withdrawn: '2024-02-01T00:00:00Z' }),
    ];
    expect(upgrade('1.0', records)).toBe('1.2');
  });
});
