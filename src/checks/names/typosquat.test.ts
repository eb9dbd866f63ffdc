import { describe, expect, it } from 'vitest';
import { loadPopular, TWO_EDITS_MAX_RANK, TWO_EDITS_MIN_LENGTH } from '../../sources/popular/popular.js';
import { RULES } from './match.js';
import { checkName } from './typosquat.js';

const index = loadPopular();

/** The one finding for `name`, or undefined when it is quiet. */
function check(name: string) {
  const findings = checkName(name, index);
  expect(findings.length).toBeLessThanOrEqual(1);
  return findings[0];
}

function expectSquat(name: string, target: string, kind: 'typosquat' | 'combosquat' = 'typosquat') {
  const f = check(name);
  expect(f, `${name} should be flagged`).toBeDefined();
  expect([f!.kind, f!.target]).toEqual([kind, target]);
  return f!;
}

it('asks the index only for what it covers', () => {
  // Two-edit lookups cover the best-ranked projects only; the policy must not want more.
  expect(RULES.twoEditsMaxRank).toBeLessThanOrEqual(TWO_EDITS_MAX_RANK);
  expect(RULES.twoEditsMinLength).toBeGreaterThanOrEqual(TWO_EDITS_MIN_LENGTH);
});

describe('quiet on legitimate names', () => {
  it('popular projects are never reported', () => {
    for (const name of ['requests', 'numpy', 'boto3', 'pyyaml', 'types-requests', 'pytest-cov']) expect(check(name)).toBeUndefined();
  });

  it('separator change is not a squat: PEP 503 makes it the same project', () => {
    expect(check('python_dateutil')).toBeUndefined();
    expect(check('Python.Dateutil')).toBeUndefined();
    expect(check('PyYAML')).toBeUndefined();
  });

  it('popular neighbour is quiet: a popular project is not a squat of a more popular one', () => {
    // httpr (rank ~2,600) is one edit from httpx (rank 34); boto is boto3 without its version.
    expect(index.has('httpr') && index.has('boto') && index.has('beautifulsoup')).toBe(true);
    expect(check('httpr')).toBeUndefined();
    expect(check('boto')).toBeUndefined();
    expect(check('beautifulsoup')).toBeUndefined();
  });

  it('pytest plugin is quiet, and so are its siblings with short similar names', () => {
    expect(check('pytest-fancyplugin')).toBeUndefined();
    // pytest-csv is one letter from the popular pytest-cov: inside the namespace only 'csv'/'cov' count.
    expect(check('pytest-csv')).toBeUndefined();
    expect(check('tree-sitter-fsharp')).toBeUndefined();
  });

  it('types stub is quiet', () => {
    expect(check('types-foobar')).toBeUndefined();
    expect(check('types-somethingnew')).toBeUndefined();
  });

  it('a popular name with a word of its own attached is a new project', () => {
    for (const name of ['x-jinja2', 'django-utils', 'requests-foo', 'flask-login-extension']) expect(check(name)).toBeUndefined();
  });

  it('two substitutions or short-name substitutions are chance, not a typo', () => {
    expect(check('translation')).toBeUndefined(); // two letters from 'transaction'
    expect(check('tqdx')).toBeUndefined(); // one letter from 'tqdm', but four letters have many neighbours
  });

  it('hostile input stays cheap and quiet', () => {
    const t0 = performance.now();
    expect(check('a-'.repeat(5000) + 'requests')).toBeUndefined();
    expect(check('x'.repeat(20_000))).toBeUndefined();
    expect(check('')).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('names the user vouches for are never reported', () => {
    expect(checkName('reqeusts', index, { allow: new Set(['reqeusts']) })).toEqual([]);
  });
});

describe('typosquats', () => {
  it('dropped letter, with the evidence and the suggestion', () => {
    expect(check('requets')).toEqual({
      kind: 'typosquat',
      name: 'requets',
      risk: 'high',
      target: 'requests',
      evidence: ["edit distance 1 to 'requests' (rank 6): dropped letter 's'"],
      suggestion: "did you mean 'requests'?",
    });
  });

  it('adjacent swap (Damerau) is one edit, and critical on a top-100 project', () => {
    const f = expectSquat('reqeusts', 'requests');
    expect(f.risk).toBe('critical');
    expect(f.evidence[0]).toBe("edit distance 1 to 'requests' (rank 6): swapped letters 'ue' -> 'eu'");
  });

  it('repeated letter and keyboard neighbour', () => {
    expect(expectSquat('rrequests', 'requests').evidence[0]).toMatch(/repeated letter 'r'/);
    expect(expectSquat('requezts', 'requests').evidence[0]).toMatch(/keyboard neighbour 'z' for 's'/);
    expect(expectSquat('djangoo', 'django').evidence[0]).toMatch(/repeated letter 'o'/);
  });

  it('two edits on a long name of a popular project', () => {
    expect(expectSquat('aiohtttps', 'aiohttp').evidence[0]).toBe(
      "edit distance 2 to 'aiohttp' (rank 49): repeated letter 't', plural 's' added",
    );
    expectSquat('importlibs-resource', 'importlib-resources');
  });

  it('short names need a typing slip (swap, doubled letter)', () => {
    expectSquat('tqmd', 'tqdm');
    expectSquat('ntlk', 'nltk');
  });

  it('homoglyph rn for m, and the other look-alikes', () => {
    const f = expectSquat('rnatplotlib', 'matplotlib');
    expect(f.risk).toBe('critical');
    expect(f.evidence[0]).toBe("look-alike of 'matplotlib' (rank 169): 'rn' for 'm'");
    expectSquat('seabom', 'seaborn');
    expectSquat('b0to3', 'boto3');
    expectSquat('r3quests', 'requests');
  });

  it('capital I for l is seen before normalization hides it', () => {
    expect(expectSquat('jeIlyfish', 'jellyfish').evidence[0]).toBe(
      "look-alike of 'jellyfish' (rank 1240): capital 'I' in place of 'l' ('jeIlyfish')",
    );
  });

  it('separator games and word reordering', () => {
    expect(expectSquat('pythondateutil', 'python-dateutil').evidence[0]).toMatch(/with its separators changed/);
    expectSquat('prompt-tool-kit', 'prompt-toolkit');
    expect(expectSquat('dateutil-python', 'python-dateutil').evidence[0]).toBe(
      "same words as 'python-dateutil' (rank 13) in another order",
    );
    expectSquat('nmap-python', 'python-nmap');
  });

  it('version suffix requests2, numpy3; a changed or dropped version', () => {
    expect(expectSquat('requests2', 'requests').evidence[0]).toBe("'requests' (rank 6) with a version-like '2' added");
    expectSquat('numpy3', 'numpy');
    expect(expectSquat('urllib4', 'urllib3').evidence[0]).toBe("'urllib3' (rank 3) with version '4' instead of '3'");
    expect(expectSquat('urllib', 'urllib3').evidence[0]).toBe("'urllib3' (rank 3) without its version '3'");
  });

  it('py/python prefixes and suffixes added, changed or dropped', () => {
    expectSquat('pyrequests', 'requests');
    expectSquat('requests-python', 'requests', 'combosquat');
    expect(expectSquat('python3-dateutil', 'python-dateutil').evidence[0]).toBe(
      "'python-dateutil' (rank 13) with 'python3-' in place of 'python-'",
    );
    expectSquat('dateutil', 'python-dateutil');
  });

  it('prefers the far more installed project behind a version-less spelling', () => {
    // One edit from 'beautifulsoup' (rank ~9,800), and from 'beautifulsoup4' (rank ~100) without its 4.
    expectSquat('BeautifulSoop', 'beautifulsoup4');
  });

  it('plugins in a namespace are still protected against slips', () => {
    expectSquat('types-reqeusts', 'types-requests');
    expectSquat('sphinx-rtd-themes', 'sphinx-rtd-theme');
  });
});
