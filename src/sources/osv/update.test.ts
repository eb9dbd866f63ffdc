import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.js';
import type { OsvRecord } from './schema.js';
import { AdvisoryStore } from './store.js';
import { startServer, type Reply, type TestServer } from './testdata/server.js';
import { parseModifiedIdCsv, updateDatabase } from './update.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const initial = readdirSync(join(testdata, 'records')).sort();
const FAST = { backoffMs: 5, timeoutMs: 2000 };

function allZip(extra: Record<string, string> = {}): Uint8Array {
  const members: Record<string, Uint8Array> = {};
  for (const f of initial) members[f] = readFileSync(join(testdata, 'records', f));
  for (const [k, v] of Object.entries(extra)) members[k] = new TextEncoder().encode(v);
  return zipSync(members);
}

interface Bucket {
  zip: Uint8Array;
  etag: string;
  /** Paths answered with 503 this many more times. */
  failures: Map<string, number>;
  /** Paths that never get an answer. */
  hang: Set<string>;
}

function bucket(zip: Uint8Array = allZip()): Bucket {
  return { zip, etag: '"a3f1c0de"', failures: new Map(), hang: new Set() };
}

const newerFiles = readdirSync(join(testdata, 'newer')).sort();

/** The OSV export bucket for one ecosystem: all.zip (with an ETag), modified_id.csv, <ID>.json. */
function exportBucket(state: Bucket) {
  return (req: { url?: string | undefined; headers: Record<string, string | string[] | undefined> }): Reply | 'hang' => {
    const path = req.url ?? '';
    if (state.hang.has(path)) return 'hang';
    const left = state.failures.get(path) ?? 0;
    if (left > 0) {
      state.failures.set(path, left - 1);
      return { status: 503, body: 'Service Unavailable' };
    }
    if (path === '/PyPI/all.zip') {
      if (req.headers['if-none-match'] === state.etag) return { status: 304 };
      return { headers: { 'content-type': 'application/zip', etag: state.etag, 'last-modified': 'Wed, 07 Aug 2024 18:00:00 GMT' }, body: state.zip };
    }
    if (path === '/PyPI/modified_id.csv') return { headers: { 'content-type': 'text/csv' }, body: readFileSync(join(testdata, 'modified_id.csv')) };
    const file = /^\/PyPI\/([A-Za-z0-9-]+\.json)$/.exec(path)?.[1];
    if (file && initial.includes(file)) return { headers: { 'content-type': 'application/json' }, body: readFileSync(join(testdata, 'records', file)) };
    if (file && newerFiles.includes(file)) return { headers: { 'content-type': 'application/json' }, body: readFileSync(join(testdata, 'newer', file)) };
    return { status: 404, body: 'No such object' };
  };
}

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-update-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('parseModifiedIdCsv', () => {
  it('reads the export format and the bucket-wide <ECOSYSTEM>/<ID> form', () => {
    const { entries, bad } = parseModifiedIdCsv('2024-08-07T17:22:10.682679Z,PYSEC-2024-68\r\n2021-03-05T19:19:00Z,PyPI/PYSEC-2021-9\nnot,a line\n\n');
    expect(entries.map((e) => e.id)).toEqual(['PYSEC-2024-68', 'PYSEC-2021-9']);
    expect(bad).toBe(1);
  });
});

describe('updateDatabase', () => {
  it('downloads all.zip first, then fetches only what changed', async () => {
    server = await startServer(exportBucket(bucket()));
    const db = join(dir, 'osv.db');
    const base = `${server.url}/PyPI`;

    const first = await updateDatabase(db, base, undefined, FAST);
    expect(first).toMatchObject({ mode: 'full', records: initial.length, diagnostics: [] });
    expect(server.requests).toEqual(['GET /PyPI/all.zip']);

    server.requests.length = 0;
    const second = await updateDatabase(db, base, undefined, FAST);
    expect(second).toMatchObject({ mode: 'incremental', changed: 2, records: initial.length + 2 });
    // fetched concurrently, so in any order
    expect([...server.requests].sort()).toEqual(['GET /PyPI/PYSEC-2024-67.json', 'GET /PyPI/PYSEC-2024-68.json', 'GET /PyPI/modified_id.csv']);

    server.requests.length = 0;
    expect(await updateDatabase(db, base, undefined, FAST)).toMatchObject({ mode: 'unchanged', changed: 0 });
    expect(server.requests).toEqual(['GET /PyPI/modified_id.csv']);

    const store = AdvisoryStore.open(db);
    expect(store.status()).toMatchObject({ source: `${base}/all.zip`, newestModified: '2024-08-07T17:22:10.682679Z' });
    expect(store.lookup(['django']).get('django')?.map((r) => r.id)).toContain('PYSEC-2024-68');
    store.close();
  });

  it('stores full and incremental downloads through the transform it is given', async () => {
    server = await startServer(exportBucket(bucket()));
    const db = join(dir, 'osv.db');
    const transform = { id: 't/1', apply: (r: OsvRecord): OsvRecord => ({ ...r, details: `t/1: ${r.id}` }) };
    await updateDatabase(db, `${server.url}/PyPI`, undefined, { ...FAST, transform });
    await updateDatabase(db, `${server.url}/PyPI`, undefined, { ...FAST, transform });
    const store = AdvisoryStore.open(db);
    expect(store.status()).toMatchObject({ records: initial.length + 2, recordTransform: 't/1' });
    for (const r of store.lookup(['django']).get('django') ?? []) expect(r.details).toBe(`t/1: ${r.id}`);
    expect(store.get('PYSEC-2024-68')?.details).toBe('t/1: PYSEC-2024-68');
    store.close();
  });

  it('asks for all.zip with its ETag and keeps the store on 304', async () => {
    server = await startServer(exportBucket(bucket()));
    const db = join(dir, 'osv.db');
    await updateDatabase(db, `${server.url}/PyPI`, undefined, FAST);
    const again = await updateDatabase(db, `${server.url}/PyPI`, undefined, { ...FAST, full: true });
    expect(again).toMatchObject({ mode: 'unchanged', records: initial.length });
    expect(server.requests).toEqual(['GET /PyPI/all.zip', 'GET /PyPI/all.zip']);
  });

  it('falls back to all.zip when too much changed', async () => {
    const state = bucket();
    server = await startServer(exportBucket(state));
    const db = join(dir, 'osv.db');
    await updateDatabase(db, `${server.url}/PyPI`, undefined, FAST);
    const members: Record<string, Uint8Array> = {};
    for (const f of initial) members[f] = readFileSync(join(testdata, 'records', f));
    for (const f of newerFiles) members[f] = readFileSync(join(testdata, 'newer', f));
    state.zip = zipSync(members);
    server.requests.length = 0;
    const res = await updateDatabase(db, `${server.url}/PyPI`, undefined, { ...FAST, maxIncremental: 1 });
    expect(res).toMatchObject({ mode: 'full', records: initial.length + 2 });
    expect(server.requests).toEqual(['GET /PyPI/modified_id.csv', 'GET /PyPI/all.zip']);
  });

  it('retries after a 503 and then succeeds', async () => {
    const state = bucket();
    state.failures.set('/PyPI/all.zip', 2);
    server = await startServer(exportBucket(state));
    const res = await updateDatabase(join(dir, 'osv.db'), `${server.url}/PyPI`, undefined, FAST);
    expect(res.mode).toBe('full');
    expect(server.requests).toEqual(['GET /PyPI/all.zip', 'GET /PyPI/all.zip', 'GET /PyPI/all.zip']);
  });

  it('gives up with source-unreachable naming the URL', async () => {
    const state = bucket();
    state.failures.set('/PyPI/all.zip', 99);
    server = await startServer(exportBucket(state));
    const url = `${server.url}/PyPI/all.zip`;
    const err = await updateDatabase(join(dir, 'osv.db'), `${server.url}/PyPI`, undefined, { ...FAST, retries: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'source-unreachable' });
    expect((err as Error).message).toContain(url);
    expect((err as Error).message).toContain('HTTP 503');
    expect(server.requests).toHaveLength(4);
  });

  it('times out on a server that never answers, leaving the store as it was', async () => {
    const state = bucket();
    server = await startServer(exportBucket(state));
    const db = join(dir, 'osv.db');
    await updateDatabase(db, `${server.url}/PyPI`, undefined, FAST);
    state.hang.add('/PyPI/modified_id.csv');
    const started = Date.now();
    const err = await updateDatabase(db, `${server.url}/PyPI`, undefined, { timeoutMs: 150, retries: 1, backoffMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'source-unreachable' });
    expect((err as Error).message).toMatch(/modified_id\.csv: no response for 150 ms \(tried 2 times\)/);
    expect(Date.now() - started).toBeLessThan(5000);
    const store = AdvisoryStore.open(db);
    expect(store.status().records).toBe(initial.length);
    store.close();
  });

  it('reports an unreachable host as source-unreachable', async () => {
    const probe = await startServer(() => ({}));
    const url = probe.url;
    await probe.close();
    const err = await updateDatabase(join(dir, 'osv.db'), `${url}/PyPI`, undefined, { ...FAST, retries: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'source-unreachable' });
    expect((err as Error).message).toContain(`${url}/PyPI/all.zip`);
  });

  it('imports the rest of an archive with a malformed record, with a warning', async () => {
    server = await startServer(exportBucket(bucket(allZip({ 'PYSEC-0000-broken.json': '{"id": "PYSEC-0000-broken", "affected": [' }))));
    const res = await updateDatabase(join(dir, 'osv.db'), `${server.url}/PyPI`, undefined, FAST);
    expect(res.records).toBe(initial.length);
    expect(res.diagnostics).toHaveLength(1);
    expect(res.diagnostics[0]?.location?.file).toBe(`${server.url}/PyPI/all.zip!/PYSEC-0000-broken.json`);
  });

  it('treats a 404 for all.zip as a bad source, not as an empty database', async () => {
    server = await startServer(() => ({ status: 404, body: 'No such object' }));
    await expect(updateDatabase(join(dir, 'osv.db'), `${server.url}/Nope`, undefined, FAST)).rejects.toMatchObject({ code: 'source-bad-response' });
  });
});
