import { describe, expect, it } from 'vitest';
import type { NameFinding, Package } from '../../core/model.js';
import { ProjectList } from '../../sources/pypi/project-list.js';
import { addNearest, nearestEvidence, nearestExisting, unknownOnList } from './unknown.js';

const META = { url: 'https://pypi.org/simple/', fetchedAt: '2026-11-20T00:00:00.000Z' };
const list = (...names: string[]): ProjectList => ProjectList.from(names, META);
const noRanks = (): undefined => undefined;
const ranks =
  (r: Record<string, number>) =>
  (n: string): number | undefined =>
    r[n];

function pkg(name: string, extra: Partial<Package> = {}): Package {
  return { name, rawName: name, source: { kind: 'registry' }, direct: true, location: { file: 'requirements.txt', line: 1 }, ...extra };
}

describe('nearestExisting: which existing project a missing name was meant to be', () => {
  it('prefers the neighbour that keeps the first letter', () => {
    const r = nearestExisting('opnsea', list('opensea', 'pnsea', 'numpy'), noRanks);
    expect(r.neighbours.map((n) => n.name)).toEqual(['opensea', 'pnsea']);
    expect(r.clear).toBe(true);
  });

  it('ranks a doubled letter above a changed letter at one edit', () => {
    const r = nearestExisting('openseea', list('openseed', 'opensea', 'opensees'), noRanks);
    expect(r.neighbours[0]).toMatchObject({ name: 'opensea', edits: 1, how: "repeated letter 'e'" });
    expect(r.clear).toBe(true);
  });

  it('ranks a popular project above an unranked one at the same distance, whatever the slip', () => {
    // `nunp` is a dropped letter (commoner than a neighbouring key), but `numpy` is popular.
    const r = nearestExisting('nunpy', list('nunp', 'numpy'), ranks({ numpy: 2 }));
    expect(r.neighbours.map((n) => [n.name, n.rank])).toEqual([
      ['numpy', 2],
      ['nunp', undefined],
    ]);
  });

  it('keeps the first letter before popularity', () => {
    const r = nearestExisting('dequests', list('dequest', 'requests'), ranks({ requests: 6 }));
    expect(r.neighbours[0]!.name).toBe('dequest');
  });

  it('one edit hides every two-edit neighbour', () => {
    const r = nearestExisting('ethereun', list('ethereum', 'etherpump'), noRanks);
    expect(r.neighbours.map((n) => n.name)).toEqual(['ethereum']);
  });

  it('looks two edits away only for names of 7 letters or more, and only under the same first letter', () => {
    expect(nearestExisting('ethreium', list('ethereum', 'xthereum'), noRanks).neighbours.map((n) => n.name)).toEqual(['ethereum']);
    // `asnyc` is 5 letters: `asyncx` is two edits away but not looked for.
    expect(nearestExisting('asnyc', list('asyncx'), noRanks).neighbours).toEqual([]);
  });

  it('names no target when the best two are equal on every count', () => {
    const r = nearestExisting('etheruim', list('ethereum', 'etherunit'), noRanks);
    expect(r.neighbours).toHaveLength(2);
    expect(r.clear).toBe(false);
  });

  it('finds neighbours at both ends of the sorted list and across the hyphen', () => {
    expect(nearestExisting('zzzy', list('0', 'zzzz'), noRanks).neighbours.map((n) => n.name)).toEqual(['zzzz']);
    expect(nearestExisting('0a', list('0', 'zzzz'), noRanks).neighbours.map((n) => n.name)).toEqual(['0']);
    expect(nearestExisting('typesrequests', list('types-requests'), noRanks).neighbours.map((n) => n.name)).toEqual(['types-requests']);
  });
});

describe('nearestEvidence', () => {
  it('gives the target and the runners-up', () => {
    const e = nearestEvidence('opnsea', list('opensea', 'pnsea'), noRanks);
    expect(e).toEqual({
      target: 'opensea',
      evidence: ["closest existing project: 'opensea' (1 edit: dropped letter 'e')", "also close: 'pnsea' (1 edit: added letter 'o')"],
    });
  });

  it('lists a tie without a target', () => {
    const e = nearestEvidence('etheruim', list('ethereum', 'etherunit'), noRanks);
    expect(e.target).toBeUndefined();
    expect(e.evidence[0]).toMatch(/^equally close existing projects: 'ethereum' \(2 edits: .*\), 'etherunit' \(2 edits: .*\)$/);
  });

  it('keeps the target the popular rules found when it is a neighbour, and names none when it is not', () => {
    const l = list('dequest', 'requests');
    expect(nearestEvidence('dequests', l, noRanks, 'requests')).toMatchObject({ target: 'requests', evidence: [expect.stringMatching(/^closest existing project: 'requests'/), expect.stringMatching(/^also close: 'dequest'/)] });
    const other = nearestEvidence('dequests', l, noRanks, 'django');
    expect(other.target).toBeUndefined();
    expect(other.evidence[0]).toMatch(/^existing projects close to it: /);
  });

  it('says how far it looked when nothing is near', () => {
    expect(nearestEvidence('qqq', list('numpy'), noRanks).evidence).toEqual(['no existing project is within one edit of it']);
    expect(nearestEvidence('qqqqqqqq', list('numpy'), noRanks).evidence).toEqual(['no existing project is within two edits of it']);
  });

  it('does not search names longer than 100 characters (hostile input: the spellings grow with the square)', () => {
    const long = 'a'.repeat(5000);
    expect(nearestEvidence(long, list('a'.repeat(4999)), noRanks)).toEqual({ evidence: ['not compared with existing projects: longer than 100 characters'] });
    expect(nearestEvidence('a'.repeat(100), list('a'.repeat(99)), noRanks).target).toBe('a'.repeat(99));
  });

  it('shows three neighbours and counts the rest', () => {
    const e = nearestEvidence('abcd', list('abce', 'abcf', 'abcg', 'abch', 'abci'), noRanks);
    expect(e.evidence[0]).toMatch(/ and 2 more$/);
  });
});

describe('unknownOnList: the existence check offline', () => {
  const l = list('numpy', 'opensea');

  it('reports registry names missing from the list, with the list date, size and age', () => {
    const f = unknownOnList([pkg('numpy'), pkg('opnsea')], l, Date.parse('2026-11-27T00:00:00Z'));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'not-found', name: 'opnsea', risk: 'high', location: { file: 'requirements.txt', line: 1 } });
    expect(f[0]!.evidence[0]).toBe("'opnsea' does not exist on PyPI (its project list of 2026-11-20: 2 names, 7 days old)");
  });

  it('leaves out packages from a private index, direct URLs and invalid names', () => {
    const f = unknownOnList(
      [
        pkg('internal-lib', { source: { kind: 'registry', url: 'https://pypi.corp.example/simple/' } }),
        pkg('mylib', { source: { kind: 'url', url: 'https://example.org/mylib.tar.gz' } }),
        pkg('-bad-'),
      ],
      l,
    );
    expect(f).toEqual([]);
  });
});

describe('addNearest', () => {
  it('adds neighbours to not-found findings only, and a suggestion that names the target', () => {
    const findings: NameFinding[] = [
      { kind: 'not-found', name: 'opnsea', risk: 'high', evidence: ['x'], suggestion: 'check it' },
      { kind: 'typosquat', name: 'numpyy', risk: 'high', target: 'numpy', evidence: ['y'], suggestion: "did you mean 'numpy'?" },
    ];
    addNearest(findings, list('numpy', 'opensea'), noRanks, new Map());
    expect(findings[0]).toMatchObject({ target: 'opensea', evidence: ['x', "closest existing project: 'opensea' (1 edit: dropped letter 'e')"], suggestion: "did you mean 'opensea'? check it" });
    expect(findings[1]!.evidence).toEqual(['y']);
  });
});
