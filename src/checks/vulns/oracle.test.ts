/**
 * pyward's OSV matching against an independent oracle: test/oracle/oracle.py evaluates the same
 * records and queries with pypa/packaging, and every (query, record) match and its fix versions
 * must agree exactly: no miss, no extra. Two record sets: the PyPA advisory database in shared/
 * (queries generated around every version it names) and the hand-written adversarial records in
 * test/oracle/adversarial/.
 *
 * The YAML advisories are converted to one JSON file first, so the oracle needs no PyYAML; packaging
 * comes from the environment or, failing that, from pip's vendored copy.
 *
 * pyward's matcher runs twice against the same oracle answers: on the records as written, and on
 * the records as a pyward database stores them, with the `versions` entries that the records' own
 * ranges already cover pruned away (prune.ts). The queries are generated from the unpruned records,
 * so they probe every pruned version and its neighbours; both runs must show no difference at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Package } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { parseVersion } from '../../core/version.js';
import type { OsvRecord } from '../../sources/osv/schema.js';
import { generateQueries, loadRecords, type Query } from '../../../test/oracle/queries.js';
import { findVulnerabilities } from './findings.js';
import { fixVersionList, matchRecord, PYPI } from './match.js';
import { pruneCoveredVersions } from './prune.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const oracleScript = join(repo, 'test/oracle/oracle.py');
const adversarialDir = join(repo, 'test/oracle/adversarial');

const hasPython = spawnSync('python3', ['--version']).status === 0;

/** shared/ sits beside the checkout (CI) or at /work/shared (a developer's machine). */
function findAdvisoryDb(): string | undefined {
  const candidates = [
    process.env['PYWARD_PYPA_ADVISORY_DB'],
    join(repo, '..', 'shared', 'data', 'pypa-advisory-db', 'vulns'),
    '/work/shared/data/pypa-advisory-db/vulns',
  ];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

interface OracleResult {
  queries: number;
  records: number;
  invalid: number[];
  matches: [number, string, string[]][];
  warnings: string[];
}

const work = mkdtempSync(join(tmpdir(), 'pyward-oracle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runOracle(recordsPath: string, queries: Query[], tag: string): OracleResult {
  const queryFile = join(work, `${tag}-queries.json`);
  const outFile = join(work, `${tag}-out.json`);
  writeFileSync(queryFile, JSON.stringify(queries));
  const run = spawnSync('python3', [oracleScript, '--records', recordsPath, '--queries', queryFile, '--out', outFile], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`oracle failed (${run.status}): ${run.stderr}`);
  return JSON.parse(readFileSync(outFile, 'utf8')) as OracleResult;
}

function pkgFor(name: string, version: string): Package {
  return { name: normalizeName(name), rawName: name, version, source: { kind: 'registry' }, location: { file: 'oracle' } };
}

/** name -> records with a PyPI entry for it (withdrawn ones included: the matcher must skip them). */
function indexByName(records: readonly OsvRecord[]): Map<string, OsvRecord[]> {
  const index = new Map<string, OsvRecord[]>();
  for (const r of records) {
    const names = new Set<string>();
    for (const a of Array.isArray(r.affected) ? r.affected : []) {
      if (a?.package?.ecosystem === PYPI && typeof a.package.name === 'string') names.add(normalizeName(a.package.name));
    }
    for (const n of names) index.set(n, [...(index.get(n) ?? []), r]);
  }
  return index;
}

interface Comparison {
  queries: number;
  invalid: number;
  pairs: number;
  findings: number;
  differences: string[];
}

/** Compares pyward with the oracle, record by record and then finding by finding. */
function compare(records: readonly OsvRecord[], queries: Query[], oracle: OracleResult): Comparison {
  const differences: string[] = [];
  const index = indexByName(records);
  const q = (i: number): string => `${queries[i]![0]}==${queries[i]![1]}`;

  const oracleInvalid = new Set(oracle.invalid);
  const expected = new Map<string, string[]>(); // `${qi}|${id}` -> fixes
  const expectedByQuery = new Map<number, Map<string, string[]>>();
  for (const [qi, id, fixes] of oracle.matches) {
    expected.set(`${qi}|${id}`, fixes);
    let m = expectedByQuery.get(qi);
    if (!m) expectedByQuery.set(qi, (m = new Map()));
    m.set(id, fixes);
  }

  let pairs = 0;
  let findingCount = 0;
  const seen = new Set<string>();
  queries.forEach(([name, text], qi) => {
    const version = parseVersion(text);
    if ((version === undefined) !== oracleInvalid.has(qi)) {
      differences.push(`${q(qi)}: pyward says the version is ${version ? 'valid' : 'invalid'}, packaging disagrees`);
      return;
    }
    if (version === undefined) return;
    const candidates = index.get(normalizeName(name)) ?? [];
    for (const r of candidates) {
      const got = matchRecord(r, name, version);
      const key = `${qi}|${r.id}`;
      const want = expected.get(key);
      if (got.affected) {
        pairs++;
        seen.add(key);
        if (want === undefined) {
          differences.push(`${q(qi)}: extra ${r.id} (oracle: not affected)`);
          continue;
        }
        const fixes = fixVersionList(got.fixes);
        if (JSON.stringify(fixes) !== JSON.stringify(want)) {
          differences.push(`${q(qi)} ${r.id}: fixes ${JSON.stringify(fixes)}, oracle ${JSON.stringify(want)}`);
        }
      }
    }

    // Findings: every affecting record lands in exactly one finding, whose id is one of them, and
    // whose fix versions are the union of its records' fixes.
    const findings = findVulnerabilities(pkgFor(name, text), candidates, () => {});
    findingCount += findings.length;
    const want = expectedByQuery.get(qi) ?? new Map<string, string[]>();
    const claimed = new Map<string, string>();
    for (const f of findings) {
      const ids = [f.vulnerability.id, ...f.vulnerability.aliases].filter((id) => want.has(id));
      if (!want.has(f.vulnerability.id)) differences.push(`${q(qi)}: finding ${f.vulnerability.id} is not an affecting record`);
      for (const id of ids) {
        if (claimed.has(id)) differences.push(`${q(qi)}: ${id} is in findings ${claimed.get(id)} and ${f.vulnerability.id}`);
        claimed.set(id, f.vulnerability.id);
      }
      const union = fixVersionList(ids.flatMap((id) => want.get(id)!));
      if (JSON.stringify(union) !== JSON.stringify(f.fixVersions)) {
        differences.push(`${q(qi)} finding ${f.vulnerability.id}: fixVersions ${JSON.stringify(f.fixVersions)}, oracle ${JSON.stringify(union)}`);
      }
    }
    for (const id of want.keys()) if (!claimed.has(id)) differences.push(`${q(qi)}: ${id} is in no finding`);
  });
  for (const key of expected.keys()) {
    if (!seen.has(key)) {
      const [qi, id] = key.split('|');
      differences.push(`${q(Number(qi))}: missed ${id} (oracle: affected)`);
    }
  }
  return { queries: queries.length, invalid: oracle.invalid.length, pairs, findings: findingCount, differences };
}

/** Listed versions in PyPI entries, to show how much pruning removed. */
function listedCount(records: readonly OsvRecord[]): number {
  let n = 0;
  for (const r of records) for (const a of Array.isArray(r.affected) ? r.affected : []) if (Array.isArray(a?.versions)) n += a.versions.length;
  return n;
}

/** The same comparison on the pruned records; returns how many listed versions were pruned. */
function comparePruned(label: string, records: readonly OsvRecord[], queries: Query[], oracle: OracleResult, unpruned: Comparison): number {
  const pruned = records.map(pruneCoveredVersions);
  const c = compare(pruned, queries, oracle);
  const before = listedCount(records);
  const after = listedCount(pruned);
  console.log(`${label}, versions lists pruned: ${before} listed versions -> ${after}`);
  report(`${label} (pruned)`, c);
  expect(c.pairs).toBe(unpruned.pairs);
  expect(c.findings).toBe(unpruned.findings);
  return before - after;
}

function report(label: string, c: Comparison): void {
  // The counts are part of the evidence, so they are printed on success too.
  console.log(
    `${label}: ${c.queries} queries (${c.invalid} not PEP 440), ${c.pairs} affected (query, record) pairs, ` +
      `${c.findings} findings, ${c.differences.length} differences`,
  );
  expect(c.differences.slice(0, 30), `${c.differences.length} differences with the oracle`).toEqual([]);
}

describe.skipIf(!hasPython)('OSV matching agrees with the packaging oracle', () => {
  it('adversarial records', () => {
    const records = loadRecords(adversarialDir);
    const queries: Query[] = [
      ...generateQueries(records, { listedNeighbours: true }),
      // Spellings the generator does not produce.
      ['foo-bar', '1.0'],
      ['FOO.BAR', '1.0.0'],
      ['foo__bar', '1.0+anything'],
    ];
    const oracle = runOracle(adversarialDir, queries, 'adversarial');
    expect(oracle.records).toBe(records.length);
    const c = compare(records, queries, oracle);
    report('adversarial', c);
    expect(c.pairs).toBeGreaterThan(100);
    expect(comparePruned('adversarial', records, queries, oracle, c)).toBeGreaterThan(0);
  });

  const db = findAdvisoryDb();
  it(
    'PyPA advisory database',
    () => {
      expect(db, 'PyPA advisory database not found beside the checkout; set PYWARD_PYPA_ADVISORY_DB').toBeDefined();
      const records = loadRecords(db!);
      const bundle = join(work, 'pypa.json');
      writeFileSync(bundle, JSON.stringify(records));
      const queries = generateQueries(records);
      const oracle = runOracle(bundle, queries, 'pypa');
      expect(oracle.records).toBe(records.length);
      const c = compare(records, queries, oracle);
      report('pypa-advisory-db', c);
      expect(c.queries).toBeGreaterThan(10_000);
      expect(c.pairs).toBeGreaterThan(10_000);
      // Nearly every listed version of the PyPA database is inside its record's own ranges.
      expect(comparePruned('pypa-advisory-db', records, queries, oracle, c)).toBeGreaterThan(100_000);
    },
    600_000,
  );
});
