/**
 * `pyward db update --popular` through the real CLI against a local server that answers in the shape
 * of hugovk's top-pypi-packages JSON: the refreshed list is kept in the cache directory, `db status`
 * shows it, and check and audit use it from then on.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer } from '../src/sources/osv/testdata/server.js';
import { pyward, pywardAsync, ROOT } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'pyward-popular-cli-'));
const env = { PYWARD_CACHE_DIR: join(work, 'cache'), PIP_CONFIG_FILE: '/dev/null' };
const PATH = '/top-pypi-packages/top-pypi-packages.min.json';

// The recorded shape (src/sources/popular/testdata) at full size: the shipped top 1,200 with made-up
// counts, and a new project at the top that the shipped snapshot does not know.
const shipped = readFileSync(join(ROOT, 'data/pypi-top15000.tsv'), 'utf8').split('\n').slice(1, 1201).map((l) => l.split('\t')[1]!);
const body = JSON.stringify({
  last_update: '2026-11-01 07:31:12',
  query: { bytes_billed: 0, bytes_processed: 0, cached: false, estimated_cost: '0.00' },
  rows: [{ download_count: 9_000_000_000, project: 'zzfrobnicate' }, ...shipped.map((project, i) => ({ download_count: 1_000_000_000 - i * 1000, project }))],
});

let server: TestServer;
beforeAll(async () => {
  // db status reports the advisory database too: give it one.
  expect(pyward(['db', 'import', 'examples/advisories'], { env }).code).toBe(0);
  server = await startServer((req) => (req.url === PATH ? { headers: { 'content-type': 'application/json' }, body } : json({ message: 'Not Found' }, 404)));
});
afterAll(async () => {
  await server.close();
});

describe('pyward db update --popular', () => {
  it('before a refresh, check and db status use the shipped snapshot', () => {
    const r = pyward(['check', '--offline', '--format', 'json', 'zzfrobnicat'], { env });
    expect(r.code).toBe(0);
    const status = pyward(['db', 'status', '--format', 'json'], { env });
    expect(JSON.parse(status.stdout).popular).toMatchObject({ shipped: true, projects: expect.any(Number) });
  });

  it('refreshes the list into the cache directory; check, audit and db status use it', async () => {
    const r = await pywardAsync(['db', 'update', '--popular', '--url', server.url + PATH], { env });
    expect(r.stderr).toMatch(/1201 popular projects \(data of 2026-11-01 07:31:12\) in .*top-pypi-packages\.tsv/);
    expect(r.code).toBe(0);

    const check = JSON.parse(pyward(['check', '--offline', '--format', 'json', 'zzfrobnicat'], { env }).stdout) as { names: { findings: { target?: string }[] }[] };
    expect(check.names[0]!.findings).toEqual([expect.objectContaining({ target: 'zzfrobnicate' })]);

    const reqs = join(work, 'requirements.txt');
    writeFileSync(reqs, 'zzfrobnicat==1.0\n');
    const audit = pyward(['audit', '-r', reqs, '--db', 'examples/advisories', '--offline', '--format', 'json'], { env });
    expect(audit.code).toBe(1);
    expect(JSON.parse(audit.stdout).dependencies[0].name_findings).toEqual([expect.objectContaining({ kind: 'typosquat', target: 'zzfrobnicate' })]);

    const status = pyward(['db', 'status', '--format', 'json'], { env });
    expect(JSON.parse(status.stdout).popular).toMatchObject({ shipped: false, projects: 1201, ageDays: 0, dataOf: '2026-11-01 07:31:12', url: server.url + PATH });
    expect(pyward(['db', 'status'], { env }).stdout).toMatch(/popular: +1201 projects in .*\n +fetched .* \(0 days ago\), data of 2026-11-01 07:31:12 from http:\/\/127\.0\.0\.1/);
  });

  it('keeps the current list when the source answers 404, exit 3', async () => {
    const r = await pywardAsync(['db', 'update', '--popular', '--url', `${server.url}/nope.json`], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/answered 404/);
    const status = pyward(['db', 'status', '--format', 'json'], { env });
    expect(JSON.parse(status.stdout).popular.projects).toBe(1201);
  });
});
