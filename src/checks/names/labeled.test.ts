/**
 * Real typosquats, each flagged with the project it imitated, or listed below with the reason it is
 * not. The lists of known misses are exact: a rule change that catches one of them fails here until
 * the entry is removed, so the lists never overstate what is missed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../core/names.js';
import { loadPopular } from '../../sources/popular/popular.js';
import { checkName } from './typosquat.js';

const index = loadPopular();
const ECOSYSTEMS = fileURLToPath(new URL('../../../../shared/data/typosquats-ecosystems.csv', import.meta.url));

/** What pyward reports instead of the labeled target: nothing, or another target. */
interface KnownMiss {
  got: string | null;
  why: string;
}

const NOT_POPULAR = 'the target is not in the top 15,000 (the only list available offline)';

const ECOSYSTEMS_KNOWN: Record<string, KnownMiss> = {
  detectron4: { got: null, why: `${NOT_POPULAR}: detectron2 is installed from GitHub, it has no PyPI release` },
  detectren: { got: null, why: `${NOT_POPULAR}: detectron2 is installed from GitHub, it has no PyPI release` },
  detecron2: { got: null, why: `${NOT_POPULAR}: detectron2 is installed from GitHub, it has no PyPI release` },
  figlets: { got: null, why: `${NOT_POPULAR} (pyfiglet is; figlets is two edits from its py-less form)` },
  asycn: { got: null, why: `${NOT_POPULAR}: async is a 2014 project with one release` },
  my_package: { got: null, why: 'the same project as my-package under PEP 503: the index cannot hold both' },
  'my.package': { got: null, why: 'the same project as my-package under PEP 503: the index cannot hold both' },
  pyhton: { got: 'ipython', why: `${NOT_POPULAR}: 'python' is not a PyPI project; two edits from ipython` },
  pytohn: { got: 'ipython', why: `${NOT_POPULAR}: 'python' is not a PyPI project; two edits from ipython` },
  pytoh: { got: null, why: `${NOT_POPULAR}: 'python' is not a PyPI project` },
  etheriumm: { got: null, why: NOT_POPULAR },
  ethreium: { got: null, why: NOT_POPULAR },
  etheruim: { got: null, why: NOT_POPULAR },
  etherim: { got: null, why: NOT_POPULAR },
  openseea: { got: null, why: NOT_POPULAR },
  oepnsea: { got: null, why: NOT_POPULAR },
  oensea: { got: null, why: NOT_POPULAR },
  opnsea: { got: null, why: NOT_POPULAR },
  openrsea: { got: null, why: NOT_POPULAR },
  'ttensorflow-gpu': { got: 'tensorflow', why: `${NOT_POPULAR} any more (tensorflow-gpu is deprecated); reported as tensorflow + 'gpu'` },
  fairsequence: {
    got: null,
    why: "fairseq with an unknown word glued on: 1.5% of PyPI names are a popular name plus a few letters, too many to report",
  },
};

const OWN_KNOWN: Record<string, KnownMiss> = {
  'apidev-coop': { got: null, why: NOT_POPULAR },
  'django-server': { got: null, why: NOT_POPULAR },
  pwd: { got: null, why: NOT_POPULAR },
  telnet: { got: null, why: NOT_POPULAR },
  bzip: { got: null, why: 'not a misspelling of bz2file: a name chosen for its meaning (4 edits)' },
  crypt: { got: 'bcrypt', why: "one edit from both crypto (rank ~4,900) and bcrypt (better ranked); pyward names bcrypt" },
  maratlib: { got: null, why: 'three edits from matplotlib' },
  pycryptoenv: { got: null, why: 'pycrypto with a word glued on, as fairsequence' },
  pycryptoconf: { got: null, why: 'pycrypto with a word glued on, as fairsequence' },
};

function verdicts(rows: { name: string; target: string }[], known: Record<string, KnownMiss>) {
  const unexpected: string[] = [];
  let right = 0;
  for (const { name, target } of rows) {
    const got = checkName(name, index)[0]?.target ?? null;
    const k = known[name];
    if (k) {
      if (got !== k.got) unexpected.push(`${name}: listed as a known miss (${k.got ?? 'quiet'}) but pyward now says ${got ?? 'nothing'}`);
    } else if (got === target) {
      right++;
    } else {
      unexpected.push(`${name}: expected ${target}, got ${got ?? 'nothing'}`);
    }
  }
  return { right, unexpected };
}

describe.skipIf(!existsSync(ECOSYSTEMS))('ecosyste-ms typosquatting dataset, PyPI rows', () => {
  const rows = readFileSync(ECOSYSTEMS, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[2] === 'pypi')
    .map((c) => ({ name: c[0]!, target: normalizeName(c[1]!) }));

  it('flags every row with the right target, except the known misses', () => {
    expect(rows).toHaveLength(95);
    const { right, unexpected } = verdicts(rows, ECOSYSTEMS_KNOWN);
    expect(unexpected).toEqual([]);
    expect(right).toBe(95 - Object.keys(ECOSYSTEMS_KNOWN).length);
  });

  it('misses only rows whose target is not popular, bar one', () => {
    const missedPopular = Object.keys(ECOSYSTEMS_KNOWN).filter((n) => index.has(rows.find((r) => r.name === n)!.target));
    expect(missedPopular).toEqual(['fairsequence']);
  });
});

describe("the project's own labeled cases (testdata/labeled.tsv)", () => {
  const rows = readFileSync(fileURLToPath(new URL('./testdata/labeled.tsv', import.meta.url)), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('name\t'))
    .map((l) => l.split('\t'))
    .map(([name, target, source]) => ({ name: name!, target: target!, source: source! }));

  it('every row cites a public report', () => {
    for (const r of rows) expect(r.source, r.name).toMatch(/https:\/\//);
  });

  it('flags every row with the right target, except the known misses', () => {
    const { right, unexpected } = verdicts(rows, OWN_KNOWN);
    expect(unexpected).toEqual([]);
    expect(right).toBe(rows.length - Object.keys(OWN_KNOWN).length);
  });
});
