import { describe, expect, it } from 'vitest';
import { Version } from '../../core/version.js';
import type { OsvAffected, OsvEvent, OsvRecord } from '../../sources/osv/schema.js';
import { affectsPackage, compileAffected, evaluateAffected, fixVersionList, isAffected, matchRecord } from './match.js';

const v = (text: string): Version => Version.parse(text);

function entry(events: OsvEvent[], type = 'ECOSYSTEM', name = 'pkg'): OsvAffected {
  return { package: { ecosystem: 'PyPI', name }, ranges: [{ type, events }] };
}

/** Which of the versions the entry affects. */
function affectedOf(a: OsvAffected, versions: string[]): string[] {
  return versions.filter((x) => isAffected(a, v(x)));
}

describe('isAffected: the OSV evaluation rules', () => {
  it('introduced is inclusive, fixed is exclusive', () => {
    const a = entry([{ introduced: '1.0' }, { fixed: '1.5' }]);
    expect(affectedOf(a, ['0.9', '1.0', '1.4.9', '1.5', '1.5.0', '1.6'])).toEqual(['1.0', '1.4.9']);
  });

  it('introduced "0" is below every version, even 0.dev0 and 0a1', () => {
    const a = entry([{ introduced: '0' }, { fixed: '1.0' }]);
    expect(affectedOf(a, ['0.dev0', '0a1', '0', '0.9', '1.0'])).toEqual(['0.dev0', '0a1', '0', '0.9']);
    // A literal introduced "0.0" is the version 0, so 0.dev0 sorts below it.
    expect(affectedOf(entry([{ introduced: '0.0' }]), ['0.dev0', '0'])).toEqual(['0']);
  });

  it('a range without fixed is affected from introduced on', () => {
    expect(affectedOf(entry([{ introduced: '2.0' }]), ['1.9', '2.0', '99'])).toEqual(['2.0', '99']);
  });

  it('last_affected is inclusive', () => {
    const a = entry([{ introduced: '1.0' }, { last_affected: '1.4' }]);
    expect(affectedOf(a, ['1.0', '1.4', '1.4.0', '1.4.post1', '1.4.1', '1.4+local'])).toEqual(['1.0', '1.4', '1.4.0']);
  });

  it('events are sorted by PEP 440 before the walk', () => {
    const a = entry([{ fixed: '1.5' }, { introduced: '1.0' }, { fixed: '2.5' }, { introduced: '2.0' }]);
    expect(affectedOf(a, ['0.5', '1.0', '1.5', '1.10', '2.0', '2.4', '2.5', '10.0'])).toEqual(['1.0', '2.0', '2.4']);
  });

  it('a second introduced inside an open range changes nothing', () => {
    const a = entry([{ introduced: '1.0' }, { introduced: '1.2' }, { fixed: '1.5' }]);
    expect(affectedOf(a, ['0.9', '1.1', '1.3', '1.5'])).toEqual(['1.1', '1.3']);
  });

  it('limit is an exclusive upper bound on the whole range', () => {
    expect(affectedOf(entry([{ introduced: '1.0' }, { limit: '2.0' }]), ['1.0', '1.9', '2.0', '3.0'])).toEqual(['1.0', '1.9']);
    expect(affectedOf(entry([{ introduced: '0' }, { fixed: '3.0' }, { limit: '2.5' }]), ['2.4', '2.5', '2.9'])).toEqual(['2.4']);
  });

  it('several limits: below any one of them is enough', () => {
    const a = entry([{ introduced: '0' }, { limit: '1.0' }, { limit: '3.0' }]);
    expect(affectedOf(a, ['0.5', '2.0', '3.0'])).toEqual(['0.5', '2.0']);
  });

  it('a limit containing * is infinity', () => {
    expect(affectedOf(entry([{ introduced: '1.0' }, { limit: '*' }]), ['0.9', '1.0', '1000'])).toEqual(['1.0', '1000']);
  });

  it('pre, post, dev and local releases order as PEP 440 says', () => {
    const a = entry([{ introduced: '1.0' }, { fixed: '2.0rc1' }]);
    expect(affectedOf(a, ['1.0.dev1', '1.0a1', '1.0', '2.0.dev5', '2.0b9', '2.0rc1', '2.0'])).toEqual(['1.0', '2.0.dev5', '2.0b9']);
    const local = entry([{ introduced: '1.5' }, { fixed: '1.5+local.2' }]);
    expect(affectedOf(local, ['1.5', '1.5+local.1', '1.5+local.2', '1.5+local.10'])).toEqual(['1.5', '1.5+local.1']);
  });

  it('epochs dominate the release number', () => {
    const a = entry([{ introduced: '0' }, { fixed: '1!1.0' }]);
    expect(affectedOf(a, ['9999.0', '1!0.9', '1!1.0'])).toEqual(['9999.0', '1!0.9']);
  });

  it('touching pairs written in any order stay one union (fixed sorts before introduced at a tie)', () => {
    // apache-iotdb PYSEC-2022-42972.
    const a = entry([{ introduced: '0.13.0' }, { fixed: '0.14.0rc1' }, { introduced: '0.12.2' }, { fixed: '0.13.0' }]);
    expect(affectedOf(a, ['0.12.1', '0.12.2', '0.13.0', '0.13.5', '0.14.0rc1'])).toEqual(['0.12.2', '0.13.0', '0.13.5']);
    const la = entry([{ introduced: '5.0' }, { last_affected: '5.4' }, { introduced: '5.4.0' }, { last_affected: '6.0' }]);
    expect(affectedOf(la, ['5.4', '5.5', '6.0', '6.0.1'])).toEqual(['5.4', '5.5', '6.0']);
  });

  it('a fixed equal to introduced is read as touching pairs (the documented cost of the tie rule)', () => {
    expect(affectedOf(entry([{ introduced: '1.0' }, { fixed: '1.0' }]), ['0.9', '1.0', '2.0'])).toEqual(['1.0', '2.0']);
    expect(affectedOf(entry([{ introduced: '1.0' }, { fixed: '1.0' }, { fixed: '1.2' }]), ['1.0', '1.1', '1.2'])).toEqual(['1.0', '1.1']);
  });

  it('several ranges are ORed', () => {
    const a: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'pkg' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.1' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: '2.1' }] },
      ],
    };
    expect(affectedOf(a, ['1.0', '1.5', '2.0', '2.1'])).toEqual(['1.0', '2.0']);
  });

  it('versions list matches by PEP 440 equality', () => {
    const a: OsvAffected = { package: { ecosystem: 'PyPI', name: 'pkg' }, versions: ['1.0', '2.0.0', '3.0+local', 'v4.0'] };
    expect(affectedOf(a, ['1.0.0', '1', '2.0', '3.0', '3.0+local', '3.0+LOCAL', '4.0', '5.0'])).toEqual([
      '1.0.0',
      '1',
      '2.0',
      '3.0+local',
      '3.0+LOCAL',
      '4.0',
    ]);
  });

  it('SEMVER ranges are evaluated with PEP 440 ordering', () => {
    const a = entry([{ introduced: '1.0.0' }, { fixed: '1.2.3-rc.1' }], 'SEMVER');
    expect(affectedOf(a, ['1.0', '1.2.3rc0', '1.2.3rc1', '1.2.3'])).toEqual(['1.0', '1.2.3rc0']);
  });

  it('GIT ranges are skipped, the entry still matches through its other ranges and versions', () => {
    const a: OsvAffected = {
      package: { ecosystem: 'PyPI', name: 'pkg' },
      ranges: [
        { type: 'GIT', repo: 'https://example.invalid/r', events: [{ introduced: '0' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.1' }] },
      ],
      versions: ['3.0'],
    };
    expect(affectedOf(a, ['0.5', '1.0', '2.0', '3.0'])).toEqual(['1.0', '3.0']);
    const gitOnly: OsvAffected = { package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }] };
    expect(affectedOf(gitOnly, ['0.5', '1.0'])).toEqual([]);
    expect(compileAffected(gitOnly).warnings).toEqual([]);
  });

  it('an unknown range type is skipped with a warning', () => {
    const a = entry([{ introduced: '0' }], 'WEIRD');
    const warnings: string[] = [];
    expect(isAffected(a, v('1.0'), (m) => warnings.push(m))).toBe(false);
    expect(warnings).toEqual(['range type "WEIRD" is not supported; range skipped']);
  });

  it('an event that is not PEP 440 is skipped with a warning; the rest of the range still counts', () => {
    const a = entry([{ introduced: '0' }, { fixed: '1.0-foo-bar' }, { fixed: '2.0' }]);
    const warnings: string[] = [];
    expect(isAffected(a, v('1.5'), (m) => warnings.push(m))).toBe(true);
    expect(isAffected(a, v('2.0'))).toBe(false);
    expect(warnings).toEqual(['fixed "1.0-foo-bar" is not a PEP 440 version; event skipped']);
  });

  it('hostile event values never throw', () => {
    const a = {
      package: { ecosystem: 'PyPI', name: 'pkg' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '4.0' }, { fixed: null }, { fixed: 4.5 }, 'x', null, { fixed: '4.8' }] },
        { type: 'ECOSYSTEM' },
        'not a range',
      ],
      versions: [null, 7, '0.7.10p1', '6.0'],
    } as unknown as OsvAffected;
    const warnings: string[] = [];
    expect(affectedOf(a, ['3.9', '4.0', '4.6', '4.8', '6.0'])).toEqual(['4.0', '4.6', '6.0']);
    evaluateAffected(a, v('1.0'), (m) => warnings.push(m));
    expect(warnings).toEqual([
      '3 listed versions are not PEP 440 and were skipped: "null", "7", "0.7.10p1"',
      'fixed "null" is not a PEP 440 version; event skipped',
      'fixed "4.5" is not a PEP 440 version; event skipped',
    ]);
  });

  it('an event with several keys counts as one event per key', () => {
    const a = entry([{ introduced: '7.0', fixed: '7.2' }]);
    expect(affectedOf(a, ['6.9', '7.0', '7.1', '7.2'])).toEqual(['7.0', '7.1']);
  });

  it('compiles each entry once', () => {
    const a = entry([{ introduced: '1.0' }]);
    expect(compileAffected(a)).toBe(compileAffected(a));
  });
});

describe('affectsPackage: ecosystem and name', () => {
  it('requires the exact PyPI ecosystem', () => {
    for (const ecosystem of ['npm', 'pypi', 'Root:PyPI', 'PyPI:extra']) {
      expect(affectsPackage({ package: { ecosystem, name: 'pkg' } }, 'pkg')).toBe(false);
    }
    expect(affectsPackage({ package: { ecosystem: 'PyPI', name: 'pkg' } }, 'pkg')).toBe(true);
  });

  it('compares PEP 503-normalized names', () => {
    expect(affectsPackage({ package: { ecosystem: 'PyPI', name: 'Foo_Bar' } }, 'foo-bar')).toBe(true);
    expect(affectsPackage({ package: { ecosystem: 'PyPI', name: 'foo.bar' } }, 'FOO__BAR')).toBe(true);
    expect(affectsPackage({ package: { ecosystem: 'PyPI', name: 'foobar' } }, 'foo-bar')).toBe(false);
    expect(affectsPackage({}, 'foo-bar')).toBe(false);
  });
});

describe('matchRecord', () => {
  const record = (extra: Partial<OsvRecord>): OsvRecord => ({
    id: 'PYSEC-1',
    modified: '2024-01-01T00:00:00Z',
    affected: [
      { package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.5' }] }] },
      { package: { ecosystem: 'PyPI', name: 'Pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '2.0' }] }] },
      { package: { ecosystem: 'npm', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.0' }] }] },
    ],
    ...extra,
  });

  it('unions the fixes of every range that holds the version', () => {
    expect(matchRecord(record({}), 'pkg', v('1.2'))).toEqual({ affected: true, fixes: ['1.5', '2.0'] });
    expect(matchRecord(record({}), 'pkg', v('1.7'))).toEqual({ affected: true, fixes: ['2.0'] });
    expect(matchRecord(record({}), 'pkg', v('3.0'))).toEqual({ affected: false, fixes: [] });
  });

  it('the fix of a range is the smallest fixed above the version', () => {
    const r = record({
      affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.4' }, { fixed: '1.3' }] }] }],
    });
    expect(matchRecord(r, 'pkg', v('1.1')).fixes).toEqual(['1.3']);
  });

  it('ignores withdrawn records', () => {
    expect(matchRecord(record({ withdrawn: '2024-02-01T00:00:00Z' }), 'pkg', v('1.2')).affected).toBe(false);
  });

  it('prefixes warnings with the record id', () => {
    const r = record({ affected: [entry([{ introduced: '0' }, { fixed: 'bad version' }])] });
    const warnings: string[] = [];
    matchRecord(r, 'pkg', v('1.0'), (m) => warnings.push(m));
    expect(warnings).toEqual(['PYSEC-1: fixed "bad version" is not a PEP 440 version; event skipped']);
  });
});

describe('fixVersionList', () => {
  it('canonicalizes, de-duplicates by PEP 440 equality and sorts by PEP 440', () => {
    expect(fixVersionList(['1.10', '1.9', '1.0.0', '1.0', '2.0-RC1', '2.0rc1', 'garbage'])).toEqual(['1.0', '1.9', '1.10', '2.0rc1']);
  });
});
