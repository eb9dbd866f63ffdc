import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.js';
import type { OsvRecord, OsvSeverity } from './schema.js';
import { importOsvSource, openDatabase } from './database.js';
import { AdvisoryStore, withoutSqliteWarning, type RecordTransform } from './store.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const loadRecord = (p: string): OsvRecord => JSON.parse(readFileSync(join(testdata, p), 'utf8')) as OsvRecord;
const records = readdirSync(join(testdata, 'records')).map((f) => loadRecord(`records/${f}`));

let dir: string;
const stores: AdvisoryStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-store-'));
});
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});
function track(s: AdvisoryStore): AdvisoryStore {
  stores.push(s);
  return s;
}

describe('AdvisoryStore', () => {
  it('builds, then answers lookups by normalized name in one call', () => {
    const db = join(dir, 'osv.db');
    expect(AdvisoryStore.build(db, records, { source: 'test' })).toEqual({ records: records.length });
    const store = track(AdvisoryStore.open(db));
    const found = store.lookup(['Jinja2', 'requests', 'REDIS', 'no-such-package', 'jinja2']);
    expect([...found.keys()].sort()).toEqual(['jinja2', 'redis', 'requests']);
    expect(found.get('jinja2')?.map((r) => r.id)).toEqual(['PYSEC-2014-8', 'PYSEC-2014-82', 'PYSEC-2019-217', 'PYSEC-2019-220', 'PYSEC-2021-66']);
    // withdrawn records are returned, flagged, for the matcher to skip
    expect(found.get('redis')?.[0]?.withdrawn).toBe('2023-06-06T10:37:00Z');
    expect(found.get('requests')?.find((r) => r.id === 'PYSEC-2023-74')).toEqual(loadRecord('records/PYSEC-2023-74.json'));
    expect(store.lookup([]).size).toBe(0);
    // names come back sorted, each with its records sorted by id, however the names were asked for
    expect([...found.keys()]).toEqual(['jinja2', 'redis', 'requests']);
    expect([...store.lookup(['requests', 'jinja2', 'redis']).keys()]).toEqual(['jinja2', 'redis', 'requests']);
  });

  it('finds records by id or alias, and lists aliases', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, records, { source: 'test' });
    const store = track(AdvisoryStore.open(db));
    expect(store.get('PYSEC-2023-74')?.id).toBe('PYSEC-2023-74');
    expect(store.get('CVE-2023-32681')?.id).toBe('PYSEC-2023-74');
    expect(store.get('GHSA-j8r2-6x86-q33q')?.id).toBe('PYSEC-2023-74');
    expect(store.get('NOPE-1')).toBeUndefined();
    expect(store.aliasesOf('PYSEC-2023-74')).toEqual(['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q']);
    expect(store.aliasesOf('CVE-2023-32681')).toEqual(['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']);
  });

  it('reports its status', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, records, { source: 'https://example.test/PyPI/all.zip' });
    const status = track(AdvisoryStore.open(db)).status();
    expect(status).toMatchObject({
      source: 'https://example.test/PyPI/all.zip',
      records: records.length,
      withdrawn: 1,
      packages: 4,
      newestModified: '2024-07-10T11:20:07.704786Z',
    });
    expect(Date.parse(status.builtAt)).not.toBeNaN();
  });

  it('upserts newer records and never downgrades', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, records, { source: 'test' });
    const store = track(AdvisoryStore.open(db, { writable: true }));
    const newer = [loadRecord('newer/PYSEC-2024-67.json'), loadRecord('newer/PYSEC-2024-68.json')];
    const stale = { ...loadRecord('records/PYSEC-2023-74.json'), modified: '2020-01-01T00:00:00Z', details: 'old' };
    store.upsert([...newer, stale]);
    expect(store.status()).toMatchObject({ records: records.length + 2, newestModified: '2024-08-07T17:22:10.682679Z' });
    expect(store.get('PYSEC-2023-74')?.details).not.toBe('old');
    expect(store.lookup(['django']).get('django')?.map((r) => r.id)).toEqual(['PYSEC-2021-9', 'PYSEC-2024-58', 'PYSEC-2024-67', 'PYSEC-2024-68']);
    // a record that no longer names a PyPI package leaves the index
    const moved = { ...newer[0]!, modified: '2025-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'django' } }] };
    store.upsert([moved]);
    expect(store.get('PYSEC-2024-67')).toBeUndefined();
    expect(() => track(AdvisoryStore.open(db)).upsert([])).toThrow(/read-only/);
  });

  it('says what is wrong and how to fix it', () => {
    expect(() => AdvisoryStore.open(join(dir, 'missing.db'))).toThrow(SourceError);
    try {
      AdvisoryStore.open(join(dir, 'missing.db'));
    } catch (e) {
      expect((e as SourceError).code).toBe('db-missing');
      expect((e as SourceError).message).toContain('pyward db update');
    }
    writeFileSync(join(dir, 'junk.db'), 'not sqlite at all');
    expect(() => AdvisoryStore.open(join(dir, 'junk.db'))).toThrow(expect.objectContaining({ code: 'db-corrupt' }));
    // a SQLite file that is not ours
    AdvisoryStore.build(join(dir, 'ok.db'), [], { source: 't' });
    const bytes = readFileSync(join(dir, 'ok.db'));
    writeFileSync(join(dir, 'truncated.db'), bytes.subarray(0, 100));
    expect(() => AdvisoryStore.open(join(dir, 'truncated.db'))).toThrow(expect.objectContaining({ code: 'db-corrupt' }));
  });

  it('leaves the previous store in place when a build fails', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, records, { source: 'first' });
    function* failing(): Generator<OsvRecord> {
      yield records[0]!;
      throw new Error('source broke mid-way');
    }
    expect(() => AdvisoryStore.build(db, failing(), { source: 'second' })).toThrow('source broke mid-way');
    expect(track(AdvisoryStore.open(db)).status().source).toBe('first');
    expect(readdirSync(dir)).toEqual(['osv.db']);
  });
});

describe('record transforms', () => {
  // A stand-in for the app's pruning transform (sources do not import checks).
  const mark = (id: string): RecordTransform => ({ id, apply: (r) => ({ ...r, details: `${id}: ${r.id}` }) });

  it('stores every record through the transform and records it in meta', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, records, { source: 'test', transform: mark('t/1') });
    const store = track(AdvisoryStore.open(db, { writable: true }));
    expect(store.status().recordTransform).toBe('t/1');
    expect(store.get('PYSEC-2023-74')?.details).toBe('t/1: PYSEC-2023-74');
    expect(store.lookup(['requests']).get('requests')?.every((r) => r.details === `t/1: ${r.id}`)).toBe(true);

    // an update through the same transform keeps the marker
    const newer = loadRecord('newer/PYSEC-2024-67.json');
    store.upsert([newer], {}, mark('t/1'));
    expect(store.status().recordTransform).toBe('t/1');
    expect(store.get('PYSEC-2024-67')?.details).toBe('t/1: PYSEC-2024-67');
    // one without it leaves records that did not go through it, so the marker goes
    store.upsert([loadRecord('newer/PYSEC-2024-68.json')]);
    expect(store.status().recordTransform).toBeUndefined();
    expect(store.get('PYSEC-2024-68')?.details).toBe(loadRecord('newer/PYSEC-2024-68.json').details);

    AdvisoryStore.build(join(dir, 'plain.db'), records, { source: 'test' });
    expect(track(AdvisoryStore.open(join(dir, 'plain.db'))).status().recordTransform).toBeUndefined();
  });

  it('openDatabase builds its cached index through the transform and rebuilds it for another one', () => {
    const src = join(dir, 'advisories');
    cpSync(join(testdata, 'records'), src, { recursive: true });
    const cache = join(dir, 'cache');
    const first = track(openDatabase(src, cache, { transform: mark('t/1') }));
    expect(first.status().recordTransform).toBe('t/1');
    expect(first.get('PYSEC-2023-74')?.details).toBe('t/1: PYSEC-2023-74');
    const builtAt = first.status().builtAt;
    first.close();

    const again = track(openDatabase(src, cache, { transform: mark('t/1') }));
    expect(again.status().builtAt).toBe(builtAt);
    again.close();

    const other = track(openDatabase(src, cache, { transform: mark('t/2') }));
    expect(other.status().recordTransform).toBe('t/2');
    expect(other.get('PYSEC-2023-74')?.details).toBe('t/2: PYSEC-2023-74');
    other.close();

    const none = track(openDatabase(src, cache));
    expect(none.status().recordTransform).toBeUndefined();
    expect(none.get('PYSEC-2023-74')).toEqual(loadRecord('records/PYSEC-2023-74.json'));
  });
});

describe('severity scores', () => {
  // A stand-in scorer (the app's is checks/vulns/severity.ts); counts its calls.
  const scorer = (id: string, calls: string[] = []) => ({
    id,
    calls,
    score: (e: OsvSeverity) => {
      calls.push(e.score);
      return { type: e.type, level: 'high', vector: e.score, score: e.score.length % 10 };
    },
  });
  const withSeverity = (id: string, vector: string, modified = '2024-01-01T00:00:00Z'): OsvRecord => ({
    id,
    modified,
    severity: [{ type: 'CVSS_V3', score: vector }],
    affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' }, severity: [{ type: 'CVSS_V4', score: `${vector}/v4` }] }],
  });

  it('keeps one score per distinct entry, and gives them only to the same scorer', () => {
    const db = join(dir, 'osv.db');
    const s1 = scorer('s/1');
    AdvisoryStore.build(db, [withSeverity('X-1', 'CVSS:3.1/A'), withSeverity('X-2', 'CVSS:3.1/A'), withSeverity('X-3', 'CVSS:3.1/B')], {
      source: 'test',
      scorer: s1,
    });
    expect(s1.calls.sort()).toEqual(['CVSS:3.1/A', 'CVSS:3.1/A/v4', 'CVSS:3.1/B', 'CVSS:3.1/B/v4']);
    const store = track(AdvisoryStore.open(db, { writable: true }));
    expect(store.status().severityScorer).toBe('s/1');
    const asked = [
      { type: 'CVSS_V3', score: 'CVSS:3.1/A' },
      { type: 'CVSS_V4', score: 'CVSS:3.1/B/v4' },
      { type: 'CVSS_V3', score: 'CVSS:3.1/Z' },
    ];
    expect(store.severityScores(asked, 's/1')).toEqual(
      new Map([
        ['CVSS_V3\u0000CVSS:3.1/A', { type: 'CVSS_V3', level: 'high', vector: 'CVSS:3.1/A', score: 0 }],
        ['CVSS_V4\u0000CVSS:3.1/B/v4', { type: 'CVSS_V4', level: 'high', vector: 'CVSS:3.1/B/v4', score: 3 }],
      ]),
    );
    expect(store.severityScores(asked, 's/2').size).toBe(0);

    // updates by the same scorer add scores; any other scorer (or none) leaves the store without
    const s1again = scorer('s/1');
    store.upsert([withSeverity('X-4', 'CVSS:3.1/C')], {}, undefined, s1again);
    expect(s1again.calls.sort()).toEqual(['CVSS:3.1/C', 'CVSS:3.1/C/v4']);
    expect(store.severityScores([{ type: 'CVSS_V3', score: 'CVSS:3.1/C' }], 's/1').size).toBe(1);
    store.upsert([withSeverity('X-5', 'CVSS:3.1/D')], {}, undefined, scorer('s/2'));
    expect(store.status().severityScorer).toBeUndefined();
    expect(store.severityScores(asked, 's/1').size).toBe(0);
    expect(store.severityScores(asked, 's/2').size).toBe(0);
  });

  it('a store built without a scorer has no scores', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, [withSeverity('X-1', 'CVSS:3.1/A')], { source: 'test' });
    const store = track(AdvisoryStore.open(db));
    expect(store.status().severityScorer).toBeUndefined();
    expect(store.severityScores([{ type: 'CVSS_V3', score: 'CVSS:3.1/A' }], 'anything').size).toBe(0);
  });

  it('openDatabase rebuilds a cached index made by another scorer', () => {
    const src = join(dir, 'advisories');
    cpSync(join(testdata, 'records'), src, { recursive: true });
    const cache = join(dir, 'cache');
    const first = track(openDatabase(src, cache, { scorer: scorer('s/1') }));
    expect(first.status().severityScorer).toBe('s/1');
    const builtAt = first.status().builtAt;
    first.close();
    expect(track(openDatabase(src, cache, { scorer: scorer('s/1') })).status().builtAt).toBe(builtAt);
    expect(track(openDatabase(src, cache, { scorer: scorer('s/2') })).status().severityScorer).toBe('s/2');
  });
});

describe('importOsvSource', () => {
  it('keeps the import diagnostics with the store', () => {
    const db = join(dir, 'osv.db');
    const result = importOsvSource(testdata, db);
    // 15 PyPI records read, 14 distinct: edge/bad-fields.json is a damaged copy of PYSEC-2021-66
    expect(result.stats.records).toBe(15);
    expect(result.records).toBe(14);
    const store = track(AdvisoryStore.open(db));
    const { count, diagnostics } = store.importDiagnostics();
    expect(count).toBe(result.diagnostics.length);
    expect(diagnostics.map((d) => d.location?.file)).toContain(join(testdata, 'edge', 'malformed.json'));
  });
});

describe('openDatabase', () => {
  it('indexes an OSV directory on first use and reuses the index while it is unchanged', () => {
    const src = join(dir, 'advisories');
    cpSync(join(testdata, 'records'), join(src, 'vulns'), { recursive: true });
    const cache = join(dir, 'cache');
    const first = track(openDatabase(src, cache));
    expect(first.status().records).toBe(records.length);
    const indexFile = first.file;
    expect(indexFile.startsWith(join(cache, 'osv-index'))).toBe(true);
    const builtAt = first.status().builtAt;
    first.close();

    const second = track(openDatabase(src, cache));
    expect(second.file).toBe(indexFile);
    expect(second.status().builtAt).toBe(builtAt);
    second.close();

    // an edit deep in the tree (same size, new mtime) invalidates the index
    const edited = join(src, 'vulns', 'PYSEC-2023-74.json');
    utimesSync(edited, new Date(), new Date(Date.now() + 5000));
    const third = track(openDatabase(src, cache));
    expect(third.status().builtAt).not.toBe(builtAt);
    third.close();

    // so does a new file
    cpSync(join(testdata, 'newer', 'PYSEC-2024-67.json'), join(src, 'vulns', 'PYSEC-2024-67.json'));
    expect(track(openDatabase(src, cache)).status().records).toBe(records.length + 1);
  });

  it('opens a pyward database as it is, and indexes a zip', () => {
    const db = join(dir, 'osv.db');
    AdvisoryStore.build(db, records, { source: 'test' });
    const mtime = statSync(db).mtimeMs;
    expect(track(openDatabase(db, join(dir, 'cache'))).file).toBe(db);
    expect(statSync(db).mtimeMs).toBe(mtime);
    expect(existsSync(join(dir, 'cache'))).toBe(false);

    const zip: Record<string, Uint8Array> = {};
    for (const f of readdirSync(join(testdata, 'records'))) zip[f] = readFileSync(join(testdata, 'records', f));
    writeFileSync(join(dir, 'all.zip'), zipSync(zip));
    const fromZip = track(openDatabase(join(dir, 'all.zip'), join(dir, 'cache')));
    expect(fromZip.status()).toMatchObject({ records: records.length, source: join(dir, 'all.zip') });
  });

  it('falls back to a private temporary index when the cache directory is unusable', () => {
    const src = join(dir, 'advisories');
    cpSync(join(testdata, 'records'), src, { recursive: true });
    writeFileSync(join(dir, 'not-a-dir'), '');
    const store = track(openDatabase(src, join(dir, 'not-a-dir')));
    expect(store.status().records).toBe(records.length);
    expect(store.file.startsWith(tmpdir())).toBe(true);
    store.close();
    rmSync(store.file, { force: true });
  });

  it('reports a missing --db path as db-missing', () => {
    expect(() => openDatabase(join(dir, 'nope'), join(dir, 'cache'))).toThrow(expect.objectContaining({ code: 'db-missing' }));
  });
});

describe('withoutSqliteWarning', () => {
  it('drops only the SQLite experimental warning', async () => {
    const seen: string[] = [];
    const listener = (w: Error): void => {
      seen.push(`${w.name}: ${w.message}`);
    };
    process.on('warning', listener);
    try {
      withoutSqliteWarning(() => {
        process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
        process.emitWarning('Something else is experimental', 'ExperimentalWarning');
        process.emitWarning('careful', { type: 'DeprecationWarning', code: 'X' });
      });
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    expect(seen).toEqual([
      'ExperimentalWarning: Something else is experimental',
      'DeprecationWarning: careful',
      'ExperimentalWarning: SQLite is an experimental feature and might change at any time',
    ]);
  });
});
