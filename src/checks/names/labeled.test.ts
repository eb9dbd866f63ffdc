/**
 * Real typosquats, each flagged with the project it imitated, or listed below with the reason it is
 * not. The lists of known misses are exact: a rule change that catches one of them fails here until
 * the entry is removed, so the lists never overstate what is missed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkNames, packageFromName } from '../../app/check.js';
import { normalizeName } from '../../core/names.js';
import { loadPopular } from '../../sources/popular/popular.js';
import { ProjectList, projectListFile } from '../../sources/pypi/project-list.js';
import { checkName } from './typosquat.js';

const index = loadPopular();
const ECOSYSTEMS = fileURLToPath(new URL('../../../../shared/data/typosquats-ecosystems.csv', import.meta.url));
const PYPI_NAMES = fileURLToPath(new URL('../../../../shared/data/pypi-names.tsv.gz', import.meta.url));

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

function ecosystemsRows(): { name: string; target: string }[] {
  return readFileSync(ECOSYSTEMS, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[2] === 'pypi')
    .map((c) => ({ name: c[0]!, target: normalizeName(c[1]!) }));
}

describe.skipIf(!existsSync(ECOSYSTEMS))('ecosyste-ms typosquatting dataset, PyPI rows', () => {
  const rows = ecosystemsRows();

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

/**
 * The same rows through `pyward check --offline` with PyPI's project list in the cache (here the
 * names snapshot of ../shared, as `pyward db update --pypi-names` would save it). The malicious
 * projects have all been taken down, so each is a missing name, and the list says which existing
 * project it is a slip away from, popular or not. A row counts when the first finding that names a
 * target names the labeled one.
 */
describe.skipIf(!existsSync(ECOSYSTEMS) || !existsSync(PYPI_NAMES))("ecosyste-ms rows with PyPI's project list", () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'pyward-labeled-list-'));
  // The machine's pip configuration must not decide the outcome: an index-url there would be private.
  beforeAll(() => {
    vi.stubEnv('PIP_CONFIG_FILE', '/dev/null');
    vi.stubEnv('PIP_INDEX_URL', undefined);
    vi.stubEnv('PIP_EXTRA_INDEX_URL', undefined);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('adds the rows whose target exists on PyPI but is not popular, and changes no other verdict', async () => {
    const names = gunzipSync(readFileSync(PYPI_NAMES)).toString('utf8').split('\n').slice(1).map((l) => l.split('\t')[0]!).filter(Boolean);
    ProjectList.from(names, { url: 'file:pypi-names.tsv.gz', fetchedAt: '2026-11-26T00:00:00.000Z' }).save(projectListFile(cacheDir));
    const rows = ecosystemsRows();
    const packages = rows.map((r) => packageFromName(r.name, { file: 'rows' }));
    const result = await checkNames(packages, [], { offline: true, cacheDir, now: new Date('2026-11-27T00:00:00Z') });
    expect(result.skipped.map((s) => s.check)).not.toContain('existence');
    const targetOf = (name: string): string | null => result.findings.find((f) => f.name === normalizeName(name) && f.target !== undefined)?.target ?? null;

    const gained: string[] = [];
    const lost: string[] = [];
    const misled: string[] = [];
    for (const r of rows) {
      const before = checkName(r.name, index)[0]?.target ?? null;
      const after = targetOf(r.name);
      if (after === r.target && before !== r.target) gained.push(r.name);
      if (before === r.target && after !== r.target) lost.push(r.name);
      if (before === null && after !== null && after !== r.target) misled.push(`${r.name} -> ${after}`);
    }
    expect(lost).toEqual([]);
    expect(gained.sort()).toEqual(['asycn', 'ethreium', 'oensea', 'oepnsea', 'openrsea', 'openseea', 'opnsea']);
    // Their targets are not PyPI projects (detectron2, figlet, python), so another existing name is closest.
    expect(misled.sort()).toEqual(['detectren -> detectree', 'detectron4 -> detection', 'figlets -> piglets', 'pytoh -> pytho']);
    expect(rows.filter((r) => targetOf(r.name) === r.target)).toHaveLength(95 - Object.keys(ECOSYSTEMS_KNOWN).length + gained.length);
  });
});
