import { describe, expect, it } from 'vitest';
import { InputError, SourceError } from '../../core/errors.js';
import { editDistance } from '../../checks/names/edits.js';
import { DeletionIndex } from './deletions.js';
import { compact, skeleton, unaffixed, versionStem } from './forms.js';
import { loadPopular, parsePopularTsv, PopularIndex, TWO_EDITS_MAX_RANK, TWO_EDITS_MIN_LENGTH } from './popular.js';

describe('loadPopular', () => {
  const index = loadPopular();

  it('reads the shipped snapshot, ranked and normalized', () => {
    expect(index.size).toBeGreaterThan(14_000);
    expect(index.entries[0]).toEqual({ name: 'boto3', rank: 1 });
    expect(index.rankOf('requests')).toBe(6);
    expect(index.has('python-dateutil')).toBe(true);
    expect(index.diagnostics).toEqual([]);
    for (const e of index.entries.slice(0, 500)) expect(e.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('counts namespaces: prefixes many popular projects share', () => {
    expect(index.prefixUses('pytest')).toBeGreaterThan(100);
    expect(index.prefixUses('types')).toBeGreaterThan(100);
    expect(index.prefixUses('beautifulsoup4')).toBe(0);
    expect(index.suffixUses('stubs')).toBeGreaterThan(10);
  });

  it('keeps the derived spellings: version-less and affix-less', () => {
    expect(index.formsSpelled('urllib')).toContainEqual(expect.objectContaining({ name: 'urllib3', via: 'stem', removed: '3' }));
    expect(index.formsSpelled('dateutil')).toContainEqual(expect.objectContaining({ name: 'python-dateutil', via: 'core', removed: 'python-' }));
    expect(index.formsSpelled('promptttoolkit')).toEqual([]);
    expect(index.formsLookingLike('rnatplotlib').map((f) => f.name)).toContain('matplotlib');
  });

  it('names the file and the fix when the list cannot be read', () => {
    expect(() => loadPopular('/nonexistent/popular.tsv')).toThrow(SourceError);
    expect(() => loadPopular('/nonexistent/popular.tsv')).toThrow(/cannot read the popular-projects list \/nonexistent\/popular.tsv/);
  });
});

describe('parsePopularTsv', () => {
  it('skips comments and bad rows with a diagnostic, keeps the rest', () => {
    const { entries, diagnostics } = parsePopularTsv(
      '# a comment\nrank\tname\textra\n1\tRequests\tx\n2\tnot a name!\n\n3\tPython_Dateutil\n0\tzero\n',
      'top.tsv',
    );
    expect(entries).toEqual([
      { name: 'Requests', rank: 1 },
      { name: 'Python_Dateutil', rank: 3 },
    ]);
    expect(diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['bad-popular-row', 4],
      ['bad-popular-row', 7],
    ]);
  });

  it('rejects a file without rank and name columns', () => {
    expect(() => parsePopularTsv('project\tdownloads\nrequests\t1\n', 'x.tsv')).toThrow(InputError);
    expect(() => parsePopularTsv('', 'x.tsv')).toThrow(/empty popular-projects list/);
  });

  it('normalizes names and keeps the best rank of a name listed twice', () => {
    const index = new PopularIndex([
      { name: 'Foo_Bar', rank: 7 },
      { name: 'foo-bar', rank: 3 },
      { name: 'baz', rank: 5 },
    ]);
    expect(index.entries).toEqual([
      { name: 'foo-bar', rank: 3 },
      { name: 'baz', rank: 5 },
    ]);
  });
});

describe('forms', () => {
  it('compact, skeleton, affixes and version stems', () => {
    expect(compact('prompt-tool-kit')).toBe('prompttoolkit');
    expect(skeleton('rnatp1ot1ib')).toBe('matplotlib');
    expect(skeleton('b0to3')).toBe('boto3');
    expect(unaffixed('python3-dateutil').map((u) => u.core)).toEqual(['dateutil']);
    expect(unaffixed('requests-python').map((u) => [u.core, u.affix])).toEqual([['requests', '-python']]);
    expect(unaffixed('pytz')).toEqual([]);
    expect(versionStem('urllib3')).toEqual({ stem: 'urllib', version: '3' });
    expect(versionStem('requests-v2')).toEqual({ stem: 'requests', version: 'v2' });
    expect(versionStem('opencv2')).toEqual({ stem: 'opencv', version: '2' });
    expect(versionStem('x509')).toBeUndefined();
    expect(versionStem('py2neo')).toBeUndefined();
    expect(versionStem('s3')).toBeUndefined();
  });
});

describe('deletion index', () => {
  /** Small pseudo-random strings over a small alphabet, so near neighbours are common. */
  function strings(count: number, seed: number): string[] {
    let x = seed;
    const next = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x >>> 8;
    };
    return Array.from({ length: count }, () => Array.from({ length: 3 + (next() % 9) }, () => 'abcde'[next() % 5]).join(''));
  }

  it('finds every string within the asked number of edits (checked against brute force)', () => {
    const indexed = strings(400, 1);
    const queries = strings(300, 2);
    const one = DeletionIndex.build(indexed, () => 1);
    const two = DeletionIndex.build(indexed, () => 2);
    for (const q of queries) {
      const found1 = new Set(one.candidates(q, 1));
      const found2 = new Set(two.candidates(q, 2));
      indexed.forEach((s, id) => {
        if (editDistance(q, s, 1) !== undefined) expect(found1.has(id), `${q} ~1 ${s}`).toBe(true);
        if (editDistance(q, s, 2) !== undefined) expect(found2.has(id), `${q} ~2 ${s}`).toBe(true);
      });
    }
  });

  it('returns each id once per query', () => {
    const index = DeletionIndex.build(['aaaa', 'aaab'], () => 2);
    const ids = index.candidates('aaaa', 2);
    expect(ids.sort()).toEqual([0, 1]);
  });

  it('covers one edit from every popular spelling and two from the best-ranked', () => {
    const index = loadPopular();
    const near = (q: string, e: 1 | 2): string[] => index.formsNear(q, e).map((f) => f.name);
    expect(near('reqeusts', 1)).toContain('requests');
    expect(near('aiohtttps', 2)).toContain('aiohttp');
    const far = index.entries.find((e) => e.rank > TWO_EDITS_MAX_RANK && e.name.length >= TWO_EDITS_MIN_LENGTH + 2)!;
    expect(near(`${far.name}xy`, 2)).not.toContain(far.name);
  });
});

describe('compiled index in the cache', () => {
  const names = ['reqeusts', 'requests', 'rnatplotlib', 'python3-dateutil', 'dateutil-python', 'urllib4', 'types-reqeusts', 'aiohtttps', 'torchtriton', 'acme-private-lib'];

  it('is saved on the first load and read back with the same answers', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { checkName } = await import('../../checks/names/typosquat.js');
    const cacheDir = mkdtempSync(join(tmpdir(), 'pyward-popular-'));
    const memory = loadPopular();
    const first = loadPopular(undefined, { cacheDir });
    expect(readdirSync(join(cacheDir, 'popular'))).toHaveLength(1);
    const saved = loadPopular(undefined, { cacheDir });
    expect(saved.key).toBeDefined();
    for (const index of [first, saved]) {
      expect(index.size).toBe(memory.size);
      expect(index.rankOf('requests')).toBe(6);
      for (const n of names) expect(checkName(n, index), n).toEqual(checkName(n, memory));
    }
    expect(saved.entries.slice(0, 50)).toEqual(memory.entries.slice(0, 50));
    expect(saved.prefixUses('pytest')).toBe(memory.prefixUses('pytest'));
  });

  it('is rebuilt when the saved file is damaged or the list changed', async () => {
    const { mkdtempSync, readdirSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'pyward-popular-'));
    const list = join(dir, 'top.tsv');
    writeFileSync(list, 'rank\tname\n1\trequests\n2\tnumpy\n');
    loadPopular(list, { cacheDir: dir });
    const [file] = readdirSync(join(dir, 'popular'));
    const path = join(dir, 'popular', file!);
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    expect(loadPopular(list, { cacheDir: dir }).rankOf('numpy')).toBe(2);
    writeFileSync(list, 'rank\tname\n1\tnumpy\n2\trequests\n3\tflask\n');
    const changed = loadPopular(list, { cacheDir: dir });
    expect(changed.rankOf('numpy')).toBe(1);
    expect(changed.has('flask')).toBe(true);
    // The index of the old list is replaced, not kept beside the new one.
    expect(readdirSync(join(dir, 'popular'))).toHaveLength(1);
  });
});
