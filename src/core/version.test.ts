import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { Version, canonicalVersion, compareVersions, parseVersion } from './version.js';

// Shared vectors live next to the repository (../shared), not inside it; only tests read them.
const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/vectors/pep440');

/**
 * Every version in the osv-scalibr ordering files that packaging 23.0 rejects (computed with it).
 * Listing them pins the parser from both sides: rejecting a valid version would make a line
 * "legacy" and silently skip it, so the rejected set must be exactly this.
 */
const LEGACY = new Set([
  '-class.-jw.util.version.Version-', '-class.-jw.util.version.version-dev',
  '-class.-jw.util.version.version-pre', '-class.-jw.util.version.version-preview',
  '0.0.1-test1', '0.1-bulbasaur', '0.1-charmander', '0.3.1-p1', '0.3m1', '0.3m2', '0.3m3', '0.3m4',
  '0.3m5', '0.4.0-p1', '0.4m1', '0.4m2', '0.4m3', '0.4m4', '0.4m5', '0.5m1', '0.5m2', '0.5m3', '0.5m4',
  '0.5m5', '0.6m1', '0.6m2', '0.6m3', '0.6m4', '0.6m5', '0.6m6', '0.7.1.fix1', '0.7.10p1', '0.7.11p1',
  '0.7.11p2', '0.7.11p3', '0.7.4.svn.r2010', '0.8.1p1', '0.8.3p1', '0.8.4p1', '0.8.4p2', '0.8.6p1',
  '0.8.7p1', '0.9-doduo', '0.9-eevee', '0.9-fearow', '0.9-gyarados', '0.9-horsea', '0.9-ivysaur',
  '1.0beta6.1', '1.3.1-STAGING', '2.0.0-final', '2.0.1rc2-git', '2013-01-21T20:33:09+0100',
  '2013-01-23T17:11:52+0100', '2013-02-01T20:50:46+0100', '2013-02-02T19:59:03+0100',
  '2013-02-02T20:23:17+0100', '2013-02-08T17:40:57+0000', '2013-03-27T16:32:26+0100',
  '2013-05-09T12:47:53+0200', '2013-05-10T17:55:56+0200', '2013-05-14T20:16:05+0200',
  '2013-06-01T10:32:51+0200', '2013-07-19T09:11:08+0000', '2013-08-12T21:48:56+0200',
  '2013-09-11T19-27-10', '2013-12-23T17-51-15', '2014-01-12T15-52-10', '4.11-final', '5.0-final', 'a3',
  'trunk',
]);

interface OrderingResult {
  facts: number;
  ordered: number;
  rejected: number;
  wrong: string[];
  rejectedVersions: Set<string>;
}

function checkOrderingFile(name: string): OrderingResult {
  const result: OrderingResult = { facts: 0, ordered: 0, rejected: 0, wrong: [], rejectedVersions: new Set() };
  const lines = readFileSync(join(VECTORS, name), 'utf8').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) return;
    const m = /^(\S+) ([<>=]) (\S+)$/.exec(line);
    if (!m) throw new Error(`${name}:${i + 1}: not an ordering fact: ${line}`);
    const [, left, op, right] = m as unknown as [string, string, string, string];
    result.facts++;
    const a = parseVersion(left);
    const b = parseVersion(right);
    if (a === undefined || b === undefined) {
      result.rejected++;
      if (a === undefined) result.rejectedVersions.add(left);
      if (b === undefined) result.rejectedVersions.add(right);
      return;
    }
    result.ordered++;
    const want = op === '<' ? -1 : op === '>' ? 1 : 0;
    const got = Math.sign(compareVersions(a, b));
    // Antisymmetry too: a sort needs compare(b, a) to be the mirror image.
    const back = Math.sign(compareVersions(b, a));
    if (got !== want || back !== -want) result.wrong.push(`${name}:${i + 1}: ${line} (got ${got})`);
  });
  return result;
}

describe('osv-scalibr ordering vectors', () => {
  it('orders every PEP 440 line and rejects every legacy one (hand-written file)', () => {
    const r = checkOrderingFile('osv-scalibr-pypi-versions.txt');
    expect(r.wrong).toEqual([]);
    expect({ facts: r.facts, ordered: r.ordered, rejected: r.rejected }).toEqual({
      facts: 37,
      ordered: 26,
      rejected: 11,
    });
    for (const v of r.rejectedVersions) expect(LEGACY.has(v), v).toBe(true);
  });

  it('orders every PEP 440 line and rejects every legacy one (generated file)', () => {
    const r = checkOrderingFile('osv-scalibr-pypi-versions-generated.txt');
    expect(r.wrong).toEqual([]);
    expect({ facts: r.facts, ordered: r.ordered, rejected: r.rejected }).toEqual({
      facts: 12_375,
      ordered: 12_306,
      rejected: 69,
    });
    for (const v of r.rejectedVersions) expect(LEGACY.has(v), v).toBe(true);
  });

  it('rejects exactly the versions packaging 23.0 rejects', () => {
    const all = new Set([
      ...checkOrderingFile('osv-scalibr-pypi-versions.txt').rejectedVersions,
      ...checkOrderingFile('osv-scalibr-pypi-versions-generated.txt').rejectedVersions,
    ]);
    expect([...all].sort()).toEqual([...LEGACY].sort());
  });
});

describe('parsing and normalization', () => {
  // Each pair: as written, canonical form per packaging's str(Version).
  it.each([
    [' 1.0 ', '1.0'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['1.0A1', '1.0a1'],
    ['1.0alpha1', '1.0a1'],
    ['1.0.beta.2', '1.0b2'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0-preview-1', '1.0rc1'],
    ['1.0.0-alpha.1', '1.0.0a1'],
    ['1.0a', '1.0a0'],
    ['1.0-1', '1.0.post1'],
    ['1.0-0', '1.0.post0'],
    ['1.0-r1', '1.0.post1'],
    ['1.0rev', '1.0.post0'],
    ['1.0_post_2', '1.0.post2'],
    ['1.0.post', '1.0.post0'],
    ['1.0RC1-2', '1.0rc1.post2'],
    ['1.0dev', '1.0.dev0'],
    ['1.0-DEV-3', '1.0.dev3'],
    ['01.02.003', '1.2.3'],
    ['0!1.0', '1.0'],
    ['1!2.0.post1.dev3+abc.5', '1!2.0.post1.dev3+abc.5'],
    ['1.0a1.post2.dev3', '1.0a1.post2.dev3'],
    ['1.0+ABC-1_2', '1.0+abc.1.2'],
    ['1.0+007', '1.0+7'],
    ['1.0\n', '1.0'],
  ])('%j is %j', (text, canonical) => {
    expect(Version.parse(text).toString()).toBe(canonical);
    expect(canonicalVersion(text)).toBe(canonical);
  });

  it.each([
    '', ' ', '1.0.', '.1', '1..0', '1.0+', '1.0+a..b', 'a1', '1.0-', '1.0 .1', 'latest', '1.0a1b1',
    '1.0.post1.post2', '1.0-dev-1-2', '1.0+local+other', '1!', '1!2!3', '-1.0', '1.0_1', '1.0.*',
  ])('rejects %j', (text) => {
    expect(parseVersion(text)).toBeUndefined();
    expect(canonicalVersion(text)).toBeUndefined();
  });

  it('throws a typed error that names the input', () => {
    let error: unknown;
    try {
      Version.parse('2013-01-21T20:33:09+0100');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('invalid-version');
    expect((error as InputError).message).toContain('"2013-01-21T20:33:09+0100"');
    expect((error as InputError).message).toContain('PEP 440');
  });

  it('quotes only the start of a very long input', () => {
    const e = (() => {
      try {
        Version.parse('x'.repeat(10_000));
      } catch (err) {
        return err as InputError;
      }
      return undefined;
    })();
    expect(e?.message.length).toBeLessThan(200);
  });

  it('exposes the parts', () => {
    const v = Version.parse('1!2.0.3rc4.post5.dev6+Ubuntu.7');
    expect(v.epoch).toBe(1);
    expect(v.release).toEqual([2, 0, 3]);
    expect(v.pre).toEqual(['rc', 4]);
    expect(v.post).toBe(5);
    expect(v.dev).toBe(6);
    expect(v.local).toEqual(['ubuntu', 7]);
    expect(v.public).toBe('1!2.0.3rc4.post5.dev6');
    expect(v.baseVersion).toBe('1!2.0.3');
    expect([v.isPrerelease, v.isPostrelease, v.isDevrelease]).toEqual([true, true, true]);

    const plain = Version.parse('1.0');
    expect(plain.pre).toBeUndefined();
    expect(plain.post).toBeUndefined();
    expect(plain.dev).toBeUndefined();
    expect(plain.local).toBeUndefined();
    expect([plain.isPrerelease, plain.isPostrelease, plain.isDevrelease]).toEqual([false, false, false]);
  });

  it('counts dev releases as pre-releases, even after a post-release', () => {
    expect(Version.parse('1.0.dev1').isPrerelease).toBe(true);
    expect(Version.parse('1.0.post1.dev1').isPrerelease).toBe(true);
    expect(Version.parse('1.0.post1').isPrerelease).toBe(false);
  });

  it('strips whitespace the way Python does, not the way JavaScript does', () => {
    // U+3000, U+0085 and U+001C are Python whitespace; U+FEFF (a BOM) is not.
    expect(canonicalVersion('\u3000 1.0 \u0085')).toBe('1.0');
    expect(canonicalVersion('\u001c1.0')).toBe('1.0');
    expect(parseVersion('1.0\ufeff')).toBeUndefined();
  });

  it('keeps numbers beyond 2^53 exact in order and print', () => {
    const big = Version.parse('9007199254740993.0');
    expect(big.toString()).toBe('9007199254740993.0');
    expect(compareVersions(big, Version.parse('9007199254740992'))).toBeGreaterThan(0);
    expect(canonicalVersion('1.0+000123456789012345678901234567890')).toBe('1.0+123456789012345678901234567890');
  });

  it('rejects numbers past the 4300 digits Python will convert', () => {
    expect(parseVersion(`1.${'9'.repeat(4300)}`)).toBeDefined();
    expect(parseVersion(`1.${'9'.repeat(4301)}`)).toBeUndefined();
    expect(parseVersion(`0${'0'.repeat(4300)}`)).toBeUndefined();
    // Text in a local segment is not a number, however many digits it holds.
    expect(parseVersion(`1.0+a${'1'.repeat(5000)}`)).toBeDefined();
  });

  it('lowercases the non-ASCII letters Python case-folds in a local segment', () => {
    expect(canonicalVersion('1.0+\u212a')).toBe('1.0+k'); // KELVIN SIGN matches [a-z] in Python
    expect(canonicalVersion('1.0+\u017f')).toBe('1.0+\u017f');
  });

  it('rejects keyword spellings only Python case-folding admits (deliberate deviation)', () => {
    // packaging prints 1.0.po\u017ft1 as 1.0.post1 yet orders it apart from 1.0.post1.
    expect(parseVersion('1.0.po\u017ft1')).toBeUndefined();
    expect(parseVersion('1.0prev\u0130ew1')).toBeUndefined();
  });

  it('does not backtrack on hostile input', () => {
    // These would take minutes with a backtracking pattern; they must simply fail.
    expect(parseVersion(`${' '.repeat(50_000)}x${' '.repeat(50_000)}`)).toBeUndefined();
    expect(parseVersion(`1${'.0'.repeat(50_000)}x`)).toBeUndefined();
    expect(parseVersion(`1.0+${'a.'.repeat(50_000)}`)).toBeUndefined();
    expect(parseVersion(`1${'-1'.repeat(50_000)}`)).toBeUndefined();
  });

  it('caches: the same text gives the same immutable instance', () => {
    const a = Version.parse('3.14.0rc2');
    expect(Version.parse('3.14.0rc2')).toBe(a);
    expect(Object.isFrozen(a.release)).toBe(true);
    expect(Object.isFrozen(a.pre)).toBe(true);
  });
});

describe('ordering', () => {
  const lt = (a: string, b: string): void => {
    expect(compareVersions(Version.parse(a), Version.parse(b)), `${a} < ${b}`).toBeLessThan(0);
    expect(compareVersions(Version.parse(b), Version.parse(a)), `${b} > ${a}`).toBeGreaterThan(0);
  };
  const eq = (a: string, b: string): void => {
    expect(compareVersions(Version.parse(a), Version.parse(b)), `${a} == ${b}`).toBe(0);
  };

  it('dev < pre < final < post, with local segments after their public version', () => {
    const chain = [
      '1.0.dev0', '1.0a0.dev0', '1.0a0', '1.0a1', '1.0b1.dev1', '1.0b1', '1.0rc1', '1.0', '1.0+a',
      '1.0+a.b', '1.0+a.1', '1.0+1', '1.0+1.a', '1.0+2', '1.0.post0.dev0', '1.0.post0', '1.0.post1',
      '1.1.dev0', '1.1', '1!0.1',
    ];
    for (let i = 1; i < chain.length; i++) lt(chain[i - 1] as string, chain[i] as string);
    const shuffled = [...chain].reverse().map((v) => Version.parse(v));
    expect(shuffled.sort(compareVersions).map(String)).toEqual(chain);
  });

  it('epoch ordering: any epoch beats any release of a lower epoch', () => {
    lt('2024.1', '1!0.1');
    lt('1!9.0', '2!0.0.dev0');
    eq('0!1.0', '1.0');
  });

  it('trailing zeros do not matter, leading zeros neither', () => {
    eq('1.0', '1.0.0.0');
    eq('1', '01.00');
    eq('1.0.post1', '1.0.0-1');
    lt('1.0', '1.0.0.1');
  });

  it('a post-release of a pre-release sits between it and the next pre-release', () => {
    lt('1.0a1', '1.0a1.post1');
    lt('1.0a1.post1', '1.0a2');
    lt('1.0.post1.dev1', '1.0.post1');
  });

  it('local segments: numbers above text, text by code point, longer wins a tie', () => {
    lt('1.0', '1.0+0');
    lt('1.0+abc', '1.0+abd');
    lt('1.0+abc', '1.0+1');
    lt('1.0+1', '1.0+1.0');
    lt('1.0+2', '1.0+10');
    eq('1.0+ABC', '1.0+abc');
    eq('1.0+1', '1.0+01');
    eq('1.0+a-b', '1.0+a.b');
  });
});

describe('hostile length', () => {
  it('a version of several MB is not a version (not a RangeError from the regex stack); 64 KiB still is', () => {
    expect(parseVersion(`1.${'0.'.repeat(3_500_000)}0rc1`)).toBeUndefined();
    const long = `1.${'0.'.repeat(32_765)}1rc1`;
    expect(long.length).toBeLessThanOrEqual(64 * 1024);
    expect(parseVersion(long)?.release.length).toBe(32_767);
    expect(parseVersion(`${long}0`)).toBeUndefined(); // rc10, one character over
  });
});
