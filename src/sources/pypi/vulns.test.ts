import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { json, startServer, type Reply, type TestServer } from '../osv/testdata/server.js';
import { fetchPypiVulns, pypiVulnsToOsv } from './vulns.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const FAST = { backoffMs: 5, timeoutMs: 2000 };

/** PyPI's JSON API over the recorded releases; names are matched case-insensitively as PyPI does. */
function pypi(state: { fail503: number; hang?: boolean }) {
  const releases = new Map([
    ['django/3.0.2', 'django-3.0.2.json'],
    ['redis/4.5.5', 'redis-4.5.5.json'],
    ['requests/2.31.0', 'requests-2.31.0.json'],
  ]);
  return (req: { url?: string | undefined }): Reply | 'hang' => {
    if (state.hang) return 'hang';
    if (state.fail503 > 0) {
      state.fail503--;
      return { status: 503, body: 'Backend unavailable' };
    }
    const m = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(req.url ?? '');
    const file = m ? releases.get(`${decodeURIComponent(m[1]!).toLowerCase()}/${decodeURIComponent(m[2]!)}`) : undefined;
    if (!file) return json({ message: 'Not Found' }, 404);
    return { headers: { 'content-type': 'application/json' }, body: readFileSync(join(testdata, file)) };
  };
}

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-pypi-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('fetchPypiVulns', () => {
  it('turns PyPI vulnerabilities into OSV records for the exact release', async () => {
    server = await startServer(pypi({ fail503: 0 }));
    const diagnostics: Diagnostic[] = [];
    const res = await fetchPypiVulns(
      [
        { name: 'Django', version: '3.0.2' },
        { name: 'requests', version: '2.31.0' },
        { name: 'redis', version: '4.5.5' },
        { name: 'no-such-project', version: '0.1' },
      ],
      { ...FAST, baseUrl: server.url, onDiagnostic: (d) => diagnostics.push(d) },
    );
    const django = res.get('django@3.0.2')!;
    expect(django.map((r) => r.id)).toEqual([
      'PYSEC-2020-31', 'PYSEC-2020-32', 'PYSEC-2020-33', 'PYSEC-2020-34', 'PYSEC-2020-35',
      'PYSEC-2020-36', 'PYSEC-2021-6', 'PYSEC-2021-9', 'PYSEC-2021-98', 'PYSEC-2021-99',
    ]);
    const cve20213281 = django.find((r) => r.id === 'PYSEC-2021-9')!;
    expect(cve20213281).toMatchObject({
      aliases: ['CVE-2021-3281', 'GHSA-fvgf-6h6h-3322'],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'django', purl: 'pkg:pypi/django' },
          versions: ['3.0.2'],
          ranges: [
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2.18' }] },
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.12' }] },
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.6' }] },
          ],
        },
      ],
      references: [{ type: 'ADVISORY', url: 'https://osv.dev/vulnerability/PYSEC-2021-9' }],
    });
    expect(cve20213281.details).toMatch(/django\.utils\.archive\.extract/);
    expect(cve20213281.summary).toBeUndefined();
    expect(res.get('requests@2.31.0')).toEqual([]);
    expect(res.get('redis@4.5.5')?.[0]).toMatchObject({ id: 'PYSEC-2023-73', withdrawn: '2023-06-06T10:37:00Z' });
    expect(res.get('redis@4.5.5')?.[0]?.affected?.[0]?.ranges).toBeUndefined();
    expect(res.get('no-such-project@0.1')).toEqual([]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'not-on-pypi', message: expect.stringContaining('no-such-project 0.1 is not on') }),
    ]);
  });

  it('caches answers for the TTL and works offline from them', async () => {
    server = await startServer(pypi({ fail503: 0 }));
    let now = 5_000_000;
    const opts = { ...FAST, baseUrl: server.url, cacheDir: join(dir, 'cache'), ttlMs: 60_000, now: () => now };
    await fetchPypiVulns([{ name: 'django', version: '3.0.2' }], opts);
    expect(server.requests).toHaveLength(1);
    await fetchPypiVulns([{ name: 'Django', version: '3.0.2' }], opts);
    expect(server.requests).toHaveLength(1);
    now += 120_000;
    await fetchPypiVulns([{ name: 'django', version: '3.0.2' }], opts);
    expect(server.requests).toHaveLength(2);

    const offline = await fetchPypiVulns([{ name: 'django', version: '3.0.2' }], { ...opts, offline: true, now: () => now + 1e10 });
    expect(offline.get('django@3.0.2')).toHaveLength(10);
    await expect(fetchPypiVulns([{ name: 'flask', version: '1.0' }], { ...opts, offline: true })).rejects.toThrow(SourceError);
  });

  it('retries a 503 and gives up on a silent server with source-unreachable', async () => {
    const state = { fail503: 2, hang: false };
    server = await startServer(pypi(state));
    const res = await fetchPypiVulns([{ name: 'django', version: '3.0.2' }], { ...FAST, baseUrl: server.url });
    expect(res.get('django@3.0.2')).toHaveLength(10);
    expect(server.requests).toHaveLength(3);

    state.hang = true;
    const err = await fetchPypiVulns([{ name: 'redis', version: '4.5.5' }], { baseUrl: server.url, timeoutMs: 100, retries: 2, backoffMs: 5 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'source-unreachable' });
    expect((err as Error).message).toContain(`${server.url}/pypi/redis/4.5.5/json`);
  });
});

describe('pypiVulnsToOsv', () => {
  it('drops what it cannot use and says so', () => {
    const { records, warnings } = pypiVulnsToOsv('pkg', '1.0', [
      { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2024-0001'], fixed_in: ['1.1'], details: 'd', summary: 's', link: 'javascript:alert(1)', source: 'osv', withdrawn: null },
      { id: 42 },
      'junk',
      { id: 'PYSEC-2024-1', fixed_in: '1.1' },
    ]);
    expect(records.map((r) => r.id)).toEqual(['GHSA-aaaa-bbbb-cccc', 'PYSEC-2024-1']);
    expect(records[0]).toMatchObject({ summary: 's', details: 'd', aliases: ['CVE-2024-0001'] });
    expect(records[0]?.references).toBeUndefined(); // only http(s) links are kept
    expect(warnings).toHaveLength(3);
    // a mirror without vulnerability data is not a clean bill of health
    expect(pypiVulnsToOsv('pkg', '1.0', undefined).warnings[0]).toMatch(/no "vulnerabilities" list/);
  });
});
