import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { Specifier, SpecifierSet } from './specifier.js';
import { Version } from './version.js';

// Shared vectors live next to the repository (../shared), not inside it; only tests read them.
const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/vectors/pep440');

interface MembershipRow {
  version: string;
  specifier: string;
  contains_prereleases_true: boolean;
  contains_default: boolean;
}
interface Vectors {
  oracle: string;
  membership: MembershipRow[];
  validity: { specifier: string; valid: boolean }[];
}

const vectors = JSON.parse(readFileSync(join(VECTORS, 'specifiers.json'), 'utf8')) as Vectors;

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('specifiers.json (packaging 23.0 as oracle)', () => {
  it('agrees on every membership row, with and without pre-releases', () => {
    expect(vectors.oracle).toBe('pypa/packaging 23.0');
    const wrong: string[] = [];
    let withPre = 0;
    let byDefault = 0;
    for (const row of vectors.membership) {
      const set = SpecifierSet.parse(row.specifier);
      const pre = set.contains(row.version, { prereleases: true });
      const def = set.contains(row.version);
      if (pre) withPre++;
      if (def) byDefault++;
      if (pre !== row.contains_prereleases_true || def !== row.contains_default) {
        wrong.push(`${row.version} in ${JSON.stringify(row.specifier)}: got ${pre}/${def}`);
      }
    }
    expect(wrong).toEqual([]);
    // The counts say the rows exercised both answers, not just "false" 3,000 times.
    expect({ rows: vectors.membership.length, withPre, byDefault }).toEqual({
      rows: 3000,
      withPre: 812,
      byDefault: 456,
    });
  });

  it('rejects every specifier packaging rejects', () => {
    expect(vectors.validity.length).toBe(9);
    for (const { specifier, valid } of vectors.validity) {
      if (valid) {
        expect(() => SpecifierSet.parse(specifier), specifier).not.toThrow();
      } else {
        expect(errorOf(() => SpecifierSet.parse(specifier)).code, specifier).toBe('invalid-specifier');
      }
    }
  });
});

/** `contains` with packaging's default pre-release rule, or with `prereleases` forced. */
function has(spec: string, version: string, prereleases?: boolean): boolean {
  return SpecifierSet.parse(spec).contains(version, prereleases === undefined ? undefined : { prereleases });
}

describe('operators', () => {
  it('local versions ignored by == without local', () => {
    expect(has('==1.0', '1.0+ubuntu1')).toBe(true);
    expect(has('==1.0.0', '1.0+x')).toBe(true);
    expect(has('!=1.0', '1.0+x')).toBe(false);
    // ...but a local in the specifier must match exactly.
    expect(has('==1.0+ubuntu1', '1.0')).toBe(false);
    expect(has('==1.0+ubuntu1', '1.0+ubuntu1')).toBe(true);
    expect(has('==1.0+ubuntu1', '1.0+ubuntu1.1')).toBe(false);
  });

  it('>1.0 excludes 1.0.post1 and 1.0+local', () => {
    expect(has('>1.0', '1.0.post1')).toBe(false);
    expect(has('>1.0', '1.0+local')).toBe(false);
    expect(has('>1.0', '1.0.1')).toBe(true);
    expect(has('>1.0', '1.1.post1')).toBe(true);
    // Naming a post-release lets later post-releases of it through, not its local versions.
    expect(has('>1.0.post1', '1.0.post2')).toBe(true);
    expect(has('>1.0.post1', '1.0.post1+local')).toBe(false);
    expect(has('>1.0.post1', '1.0.post2+local')).toBe(false);
  });

  it('<1.0 excludes pre-releases of 1.0 even when pre-releases are allowed', () => {
    expect(has('<1.0', '1.0rc1', true)).toBe(false);
    expect(has('<1.0', '1.0.dev0', true)).toBe(false);
    expect(has('<1.0', '0.9rc1', true)).toBe(true);
    // A specifier that names a pre-release admits pre-releases of its own version...
    expect(has('<1.0rc1', '1.0a1', true)).toBe(true);
    // ...but < is not an inclusive operator, so it does not switch pre-releases on by default.
    expect(has('<1.0rc1', '1.0a1')).toBe(false);
    expect(has('<1.0', '1.0+local')).toBe(false);
    expect(has('<1.0', '0.9+local')).toBe(true);
  });

  it('<= and >= ignore the candidate local segment', () => {
    expect(has('<=1.0', '1.0+local')).toBe(true);
    expect(has('>=1.0', '1.0+local')).toBe(true);
  });

  it('~=2.2.post3 means >=2.2.post3, ==2.*', () => {
    expect(has('~=2.2.post3', '2.2.post3')).toBe(true);
    expect(has('~=2.2.post3', '2.3')).toBe(true);
    expect(has('~=2.2.post3', '2.9')).toBe(true);
    expect(has('~=2.2.post3', '2.2')).toBe(false);
    expect(has('~=2.2.post3', '2.2.post2')).toBe(false);
    expect(has('~=2.2.post3', '3.0')).toBe(false);
  });

  it('~= drops the last release number', () => {
    expect(has('~=2.2', '2.2')).toBe(true);
    expect(has('~=2.2', '2.9.9')).toBe(true);
    expect(has('~=2.2', '3.0')).toBe(false);
    expect(has('~=1.4.5', '1.4.9')).toBe(true);
    expect(has('~=1.4.5', '1.5.0')).toBe(false);
    expect(has('~=1.4.5a4', '1.4.5')).toBe(true);
    expect(has('~=1.4.5a4', '1.4.6a1')).toBe(true);
  });

  it('~= derives its prefix from the text as written, case included, like packaging', () => {
    // `POST1` is not recognised as a suffix by packaging's case-sensitive split: ==1.2.* results.
    expect(has('~=1.2.post1', '1.3')).toBe(true);
    expect(has('~=1.2.POST1', '1.3')).toBe(false);
  });

  it('epochs separate version lines', () => {
    expect(has('<2.0', '1!1.0')).toBe(false);
    expect(has('>=1!0.1', '99.0')).toBe(false);
    expect(has('==1!1.*', '1!1.5')).toBe(true);
    expect(has('==1.*', '1!1.5')).toBe(false);
    // packaging quirk: the epoch is glued to the first release number when splitting, so a
    // prefix longer than one number never matches an epoch version.
    expect(has('==1!2.0.*', '1!2.0')).toBe(false);
  });

  it('== prefix with pre-release', () => {
    expect(has('==1.0.*', '1.0a1')).toBe(false);
    expect(has('==1.0.*', '1.0a1', true)).toBe(true);
    expect(has('==1.0.*', '1.0rc1.post1.dev2', true)).toBe(true);
    expect(has('==1.0.*', '1.0.dev0')).toBe(false);
  });

  it('== prefix matching pads with zeros and ignores post and local segments', () => {
    expect(has('==1.*', '1.0.post1')).toBe(true);
    expect(has('==1.*', '1.0+local')).toBe(true);
    expect(has('==1.0.0.*', '1.0')).toBe(true);
    expect(has('==1.1.*', '1.10')).toBe(false);
    expect(has('!=1.0.*', '1.0.5')).toBe(false);
    expect(has('!=1.0.*', '1.1')).toBe(true);
  });

  it('=== compares the canonical form as text, ignoring case', () => {
    expect(has('===1.0', '1.0')).toBe(true);
    expect(has('===1.0', '1.0.0')).toBe(false);
    expect(has('===1.0+ABC', '1.0+abc')).toBe(true);
    // The candidate is printed canonically first, so a non-canonical spelling never matches.
    expect(has('===2022.12.07', '2022.12.07')).toBe(false);
    expect(has('===foo', '1.0', true)).toBe(false);
    expect(SpecifierSet.parse('===foo').prereleases).toBe(false);
    expect(Specifier.parse('===').version).toBe('');
  });
});

describe('pre-release handling', () => {
  it('excludes pre-releases unless asked or named by a specifier', () => {
    expect(has('>=1.0', '2.0a1')).toBe(false);
    expect(has('>=1.0', '2.0a1', true)).toBe(true);
    expect(has('>=1.0a1', '2.0a1')).toBe(true);
    // One specifier naming a pre-release opens the door for the whole set.
    expect(has('>=1.0,>=0.1a1', '2.0a1')).toBe(true);
    expect(has('>=1.0a1', '2.0a1', false)).toBe(false);
  });

  it('only inclusive operators name a pre-release', () => {
    expect(has('>1.0a1', '2.0a1')).toBe(false);
    expect(has('!=1.0a1', '2.0a1')).toBe(false);
    expect(SpecifierSet.parse('<=1.0.dev1').prereleases).toBe(true);
    expect(SpecifierSet.parse('~=1.0rc1').prereleases).toBe(true);
    expect(SpecifierSet.parse('===1.0a1').prereleases).toBe(true);
    expect(SpecifierSet.parse('==1.0.*').prereleases).toBe(false);
  });

  it('treats dev releases as pre-releases', () => {
    expect(has('>=1.0', '1.1.dev1')).toBe(false);
    expect(has('>=1.0', '1.1.dev1', true)).toBe(true);
  });

  it('the empty set matches any final release, pre-releases only when asked', () => {
    const any = SpecifierSet.parse('');
    expect(any.specifiers).toEqual([]);
    expect(any.prereleases).toBeUndefined();
    expect(any.contains('1.0')).toBe(true);
    expect(any.contains('1.0a1')).toBe(false);
    expect(any.contains('1.0a1', { prereleases: true })).toBe(true);
  });

  it('Specifier.contains takes the same rule', () => {
    const s = Specifier.parse('>=1.0');
    expect(s.contains('2.0a1')).toBe(false);
    expect(s.contains('2.0a1', true)).toBe(true);
    expect(Specifier.parse('>=1.0a1').contains(Version.parse('2.0a1'))).toBe(true);
  });
});

describe('parsing', () => {
  it('trims whitespace around specifiers and between operator and version', () => {
    const set = SpecifierSet.parse(' >= 1.0 , < 2 ');
    expect(set.specifiers.map((s) => [s.operator, s.version])).toEqual([
      ['>=', '1.0'],
      ['<', '2'],
    ]);
    expect(set.toString()).toBe('<2,>=1.0');
    expect(Specifier.parse('===  1.0').toString()).toBe('===1.0');
  });

  it('prints sorted, as packaging does', () => {
    expect(SpecifierSet.parse('<2,>=1.0,!=1.5').toString()).toBe('!=1.5,<2,>=1.0');
  });

  it('drops empty parts', () => {
    expect(SpecifierSet.parse('>=1.0,,').toString()).toBe('>=1.0');
    expect(SpecifierSet.parse(' , ').specifiers).toEqual([]);
  });

  it('drops duplicates as packaging judges them, keeping the first', () => {
    expect(SpecifierSet.parse('==1.0,==1.0.0').toString()).toBe('==1.0');
    // ~= keeps trailing zeros: these differ.
    expect(SpecifierSet.parse('~=1.0,~=1.0.0').specifiers.length).toBe(2);
    // === counts 1.0 and 1 as equal, so which one survives changes the answer.
    expect(has('===1.0,===1', '1.0')).toBe(true);
    expect(has('===1,===1.0', '1.0')).toBe(false);
  });

  it.each([
    ['~=1', '~= needs at least two release numbers'],
    ['==1.0.*+local', 'wildcards'],
    ['==1.0a1.*', '.* may only follow a release number'],
    ['<1.0.*', 'wildcards'],
    ['<1.0+local', 'only allowed with == and !='],
    ['~=1.0+local', 'only allowed with == and !='],
    ['=>1.0', 'expected an operator'],
    ['1.0', 'expected an operator'],
    ['==', 'needs a version'],
    ['> 1.0 <2.0', 'is not a PEP 440 version'],
    ['>=1.0;python_version<"3"', 'is not a PEP 440 version'],
    ['===a b', '=== takes a single word'],
    ['===1.0)', '=== takes a single word'],
  ])('rejects %j, saying why', (text, why) => {
    const e = errorOf(() => SpecifierSet.parse(text));
    expect(e.code).toBe('invalid-specifier');
    expect(e.message).toContain(why);
  });

  it('names the bad part of a longer set', () => {
    const e = errorOf(() => SpecifierSet.parse('>=1.0, <2.0.*'));
    expect(e.message).toContain('"<2.0.*"');
    expect(e.message).toContain('">=1.0, <2.0.*"');
  });

  it('throws invalid-version for a candidate that is not a version', () => {
    expect(errorOf(() => SpecifierSet.parse('>=1').contains('latest')).code).toBe('invalid-version');
  });

  it('caches parsed sets', () => {
    expect(SpecifierSet.parse('>=3.9,<4')).toBe(SpecifierSet.parse('>=3.9,<4'));
  });
});
