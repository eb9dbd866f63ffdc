import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeName } from '../../core/names.js';
import { queryOsvApi } from './api.js';
import type { OsvRecord } from './schema.js';
import { json, startServer, type Reply, type TestServer } from './testdata/server.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const all: OsvRecord[] = ['records', 'newer'].flatMap((d) =>
  readdirSync(join(testdata, d)).map((f) => JSON.parse(readFileSync(join(testdata, d, f), 'utf8')) as OsvRecord),
);
const FAST = { backoffMs: 5, timeoutMs: 2000 };

interface QueryIn {
  package?: { name?: string; ecosystem?: string };
  version?: string;
  page_token?: string;
}

/**
 * OSV.dev's API over the fixture records: querybatch answers ids and `modified` only, `{}` for a
 * query with no vulnerabilities, and paginates each query separately (here every 2 ids, to exercise
 * `next_page_token`); /v1/vulns/{id} answers the full record or OSV's 404 body.
 */
function osvApi(state: { pageSize: number; failQuerybatch: number; bodies: { queries: QueryIn[] }[] }) {
  return (req: { method?: string | undefined; url?: string | undefined }, body: string): Reply => {
    if (req.method === 'POST' && req.url === '/v1/querybatch') {
      if (state.failQuerybatch > 0) {
        state.failQuerybatch--;
        return { status: 503, body: 'upstream connect error' };
      }
      const parsed = JSON.parse(body) as { queries: QueryIn[] };
      state.bodies.push(parsed);
      const results = parsed.queries.map((q) => {
        const hits = all
          .filter((r) =>
            r.affected?.some(
              (a) => a.package?.ecosystem === q.package?.ecosystem && normalizeName(a.package?.name ?? '') === q.package?.name && a.versions?.includes(q.version ?? ''),
            ),
          )
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        const start = q.page_token ? Number(Buffer.from(q.page_token, 'base64').toString()) : 0;
        const page = hits.slice(start, start + state.pageSize).map((r) => ({ id: r.id, modified: r.modified }));
        if (page.length === 0) return {};
        const more = start + state.pageSize < hits.length;
        return more ? { vulns: page, next_page_token: Buffer.from(String(start + state.pageSize)).toString('base64') } : { vulns: page };
      });
      return json({ results });
    }
    const m = /^\/v1\/vulns\/([^/]+)$/.exec(req.url ?? '');
    const rec = m ? all.find((r) => r.id === decodeURIComponent(m[1]!)) : undefined;
    return rec ? json(rec) : json({ code: 5, message: 'Bug not found.' }, 404);
  };
}

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-osvapi-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function freshState() {
  return { pageSize: 2, failQuerybatch: 0, bodies: [] as { queries: QueryIn[] }[] };
}

describe('queryOsvApi', () => {
  it('queries in one batch, follows next_page_token per query and fetches each record once', async () => {
    const state = freshState();
    server = await startServer(osvApi(state));
    const res = await queryOsvApi(
      [
        { name: 'Jinja2', version: '2.4.1' },
        { name: 'jinja2', version: '2.5' },
        { name: 'requests', version: '2.25.1' },
        { name: 'Django', version: '3.0.2' },
        { name: 'not-a-real-package', version: '1.0' },
      ],
      { ...FAST, baseUrl: server.url, cacheDir: join(dir, 'cache') },
    );
    expect([...res.keys()]).toEqual(['jinja2@2.4.1', 'jinja2@2.5', 'requests@2.25.1', 'django@3.0.2', 'not-a-real-package@1.0']);
    const jinja = ['PYSEC-2014-8', 'PYSEC-2014-82', 'PYSEC-2019-217', 'PYSEC-2019-220', 'PYSEC-2021-66'];
    expect(res.get('jinja2@2.4.1')?.map((r) => r.id)).toEqual(jinja);
    expect(res.get('jinja2@2.5')?.map((r) => r.id)).toEqual(jinja);
    expect(res.get('requests@2.25.1')?.map((r) => r.id)).toEqual(['PYSEC-2023-74']);
    expect(res.get('django@3.0.2')?.map((r) => r.id)).toEqual(['PYSEC-2021-9']);
    expect(res.get('not-a-real-package@1.0')).toEqual([]);

    // page 1 asks all five; pages 2 and 3 only the two jinja2 queries, each with its own token
    expect(state.bodies.map((b) => b.queries.length)).toEqual([5, 2, 2]);
    expect(state.bodies[0]?.queries[0]).toEqual({ package: { name: 'jinja2', ecosystem: 'PyPI' }, version: '2.4.1' });
    expect(state.bodies[1]?.queries.every((q) => typeof q.page_token === 'string')).toBe(true);
    const vulnGets = server.requests.filter((r) => r.startsWith('GET /v1/vulns/'));
    expect(vulnGets.sort()).toEqual([...jinja, 'PYSEC-2021-9', 'PYSEC-2023-74'].map((id) => `GET /v1/vulns/${id}`).sort());
  });

  it('sends at most 1000 queries per request', async () => {
    const state = freshState();
    server = await startServer(osvApi(state));
    const pkgs = Array.from({ length: 1001 }, (_, i) => ({ name: `pkg-${i}`, version: '1.0' }));
    const res = await queryOsvApi(pkgs, { ...FAST, baseUrl: server.url });
    expect(res.size).toBe(1001);
    expect(state.bodies.map((b) => b.queries.length)).toEqual([1000, 1]);
  });

  it('answers from its cache, re-asks only stale queries, and never refetches a known record', async () => {
    const state = freshState();
    server = await startServer(osvApi(state));
    let now = 1_000_000;
    const opts = { ...FAST, baseUrl: server.url, cacheDir: join(dir, 'cache'), now: () => now, queryTtlMs: 60_000 };
    const pkgs = [{ name: 'requests', version: '2.25.1' }];
    await queryOsvApi(pkgs, opts);
    server.requests.length = 0;

    const cached = await queryOsvApi(pkgs, opts);
    expect(cached.get('requests@2.25.1')?.map((r) => r.id)).toEqual(['PYSEC-2023-74']);
    expect(server.requests).toEqual([]);

    now += 61_000;
    await queryOsvApi(pkgs, opts);
    expect(server.requests).toEqual(['POST /v1/querybatch']);
  });

  it('works offline from the cache and refuses to guess without it', async () => {
    const state = freshState();
    server = await startServer(osvApi(state));
    const cacheDir = join(dir, 'cache');
    await queryOsvApi([{ name: 'requests', version: '2.25.1' }], { ...FAST, baseUrl: server.url, cacheDir });
    const url = server.url;
    await server.close();
    server = undefined;
    const offline = await queryOsvApi([{ name: 'requests', version: '2.25.1' }], { baseUrl: url, cacheDir, offline: true, now: () => Date.now() + 365 * 86_400_000 });
    expect(offline.get('requests@2.25.1')?.[0]?.id).toBe('PYSEC-2023-74');
    await expect(queryOsvApi([{ name: 'flask', version: '2.0.0' }], { baseUrl: url, cacheDir, offline: true })).rejects.toMatchObject({
      code: 'source-unreachable',
    });
  });

  it('retries a 503 from querybatch', async () => {
    const state = { ...freshState(), failQuerybatch: 1 };
    server = await startServer(osvApi(state));
    const res = await queryOsvApi([{ name: 'django', version: '3.0.2' }], { ...FAST, baseUrl: server.url });
    expect(res.get('django@3.0.2')?.map((r) => r.id)).toEqual(['PYSEC-2021-9']);
    expect(server.requests.filter((r) => r === 'POST /v1/querybatch')).toHaveLength(2);
  });

  it('reports a listed id whose record is gone, and a bad answer as a bad response', async () => {
    server = await startServer((req) => {
      if (req.url === '/v1/querybatch') return json({ results: [{ vulns: [{ id: 'GHSA-gone-0000-0000', modified: '2024-01-01T00:00:00Z' }] }] });
      return json({ code: 5, message: 'Bug not found.' }, 404);
    });
    const diagnostics: string[] = [];
    const res = await queryOsvApi([{ name: 'x', version: '1' }], { ...FAST, baseUrl: server.url, onDiagnostic: (d) => diagnostics.push(d.message) });
    expect(res.get('x@1')).toEqual([]);
    expect(diagnostics[0]).toMatch(/GHSA-gone-0000-0000/);
    await server.close();

    server = await startServer(() => json({ results: [] }));
    await expect(queryOsvApi([{ name: 'x', version: '1' }], { ...FAST, baseUrl: server.url })).rejects.toMatchObject({ code: 'source-bad-response' });
  });
});
