/**
 * The database commands and the online sources through the real CLI, each against a local server on
 * 127.0.0.1 speaking the real wire format (OSV export bucket, OSV API, PyPI JSON API).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer } from '../src/sources/osv/testdata/server.js';
import { pyward, pywardAsync, ROOT } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'pyward-sources-'));
const env = { PYWARD_CACHE_DIR: join(work, 'cache') };
const EXAMPLES = join(ROOT, 'examples/advisories');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as { id: string; modified: string });

interface Out {
  dependencies: { name: string; version?: string; vulns?: { id: string; aliases: string[]; fix_versions: string[] }[] }[];
}
const vulnIds = (stdout: string): Record<string, string[]> =>
  Object.fromEntries((JSON.parse(stdout) as Out).dependencies.map((d) => [d.name, (d.vulns ?? []).map((v) => v.id)]));

describe('pyward db import / status', () => {
  const db = join(work, 'imported.db');
  it('imports an OSV directory into a database that audit and status read', () => {
    const imp = pyward(['db', 'import', EXAMPLES, '--db', db], { env });
    expect(imp.code).toBe(0);
    expect(imp.stderr).toMatch(/imported 6 advisories/);
    const status = pyward(['db', 'status', '--db', db, '--format', 'json'], { env });
    // listed versions that the records' own ranges cover are pruned as the database is built, and
    // the severity vectors scored
    expect(JSON.parse(status.stdout)).toMatchObject({
      records: 6,
      packages: 5,
      recordTransform: 'prune-covered-versions/1',
      severityScorer: expect.stringMatching(/^pyward-severity\/\d+\+ae-cvss-calculator@/),
    });
    const audit = pyward(['audit', 'examples/requirements.txt', '--db', db, '--format', 'json'], { env });
    expect(audit.code).toBe(1);
    expect(vulnIds(audit.stdout)['requests']).toEqual(['PYSEC-2023-74']);
  });

  it('status of a missing database says how to make one, exit 3', () => {
    const r = pyward(['db', 'status', '--db', join(work, 'nope.db')], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/pyward db (update|import)/);
  });
});

describe('pyward db update against an OSV export bucket', () => {
  let server: TestServer;
  let csv = '';
  const extra = {
    ...examples.find((r) => r.id === 'PYSEC-2019-217')!,
    id: 'PYSEC-2099-1',
    modified: '2099-01-01T00:00:00Z',
    aliases: [],
  };
  beforeAll(async () => {
    const zip = zipSync(Object.fromEntries(examples.map((r) => [`${r.id}.json`, strToU8(JSON.stringify(r))])));
    csv = examples.map((r) => `${r.modified},${r.id}`).sort().reverse().join('\n') + '\n';
    server = await startServer((req) => {
      const path = req.url ?? '';
      if (path === '/PyPI/all.zip') return { headers: { 'content-type': 'application/zip' }, body: zip };
      if (path === '/PyPI/modified_id.csv') return { headers: { 'content-type': 'text/csv' }, body: csv };
      if (path === '/PyPI/PYSEC-2099-1.json') return json(extra);
      return { status: 404, body: 'not found' };
    });
  });
  afterAll(() => server.close());

  it('downloads all.zip the first time, then only what modified_id.csv lists as newer', async () => {
    const db = join(work, 'updated.db');
    const first = await pywardAsync(['db', 'update', '--url', `${server.url}/PyPI`, '--db', db], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/6 advisories/);
    csv = `${extra.modified},${extra.id}\n` + csv;
    const second = await pywardAsync(['db', 'update', '--url', `${server.url}/PyPI`, '--db', db], { env });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/applied 1 changed advisories; 7 advisories/);
    expect(server.requests.filter((r) => r.endsWith('/all.zip'))).toHaveLength(1);
    const audit = await pywardAsync(['audit', 'examples/requirements.txt', '--db', db, '--format', 'json'], { env });
    expect(vulnIds(audit.stdout)['jinja2']).toEqual(['PYSEC-2019-217', 'PYSEC-2099-1']);
  });

  it('an unreachable bucket is one line naming the URL, exit 3', async () => {
    const r = await pywardAsync(['db', 'update', '--url', 'http://127.0.0.1:9/PyPI', '--db', join(work, 'x.db')], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/127\.0\.0\.1:9/);
  });
});

describe('pyward audit --source osv', () => {
  let server: TestServer;
  // What api.osv.dev answers for these pins: ids and modified times; the records come from /v1/vulns.
  const answers: Record<string, string[]> = {
    'requests@2.25.0': ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'],
    'urllib3@1.26.4': ['PYSEC-2021-108'],
  };
  beforeAll(async () => {
    server = await startServer((req, body) => {
      if (req.method === 'POST' && req.url === '/v1/querybatch') {
        const { queries } = JSON.parse(body) as { queries: { package: { name: string }; version: string }[] };
        return json({
          results: queries.map((q) => {
            const ids = answers[`${q.package.name}@${q.version}`] ?? [];
            return ids.length ? { vulns: ids.map((id) => ({ id, modified: examples.find((r) => r.id === id)!.modified })) } : {};
          }),
        });
      }
      const m = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? '');
      const rec = m && examples.find((r) => r.id === decodeURIComponent(m[1]!));
      return rec ? json(rec) : json({ code: 5, message: 'Bug not found.' }, 404);
    });
  });
  afterAll(() => server.close());

  it('queries in one batch and merges the aliases of the records it fetched', async () => {
    writeFileSync(join(work, 'req.txt'), 'requests==2.25.0\nurllib3==1.26.4\nflask==2.3.3\n');
    const r = await pywardAsync(['audit', '-r', join(work, 'req.txt'), '--source', 'osv', '--osv-url', server.url, '--format', 'json'], { env });
    expect(r.code).toBe(1);
    expect(vulnIds(r.stdout)).toEqual({ requests: ['PYSEC-2023-74'], urllib3: ['PYSEC-2021-108'], flask: [] });
    expect(server.requests.filter((x) => x.startsWith('POST'))).toEqual(['POST /v1/querybatch']);
  });
});

describe('pyward audit --source pypi', () => {
  let server: TestServer;
  beforeAll(async () => {
    const django = readFileSync(join(ROOT, 'src/sources/pypi/testdata/django-3.0.2.json'), 'utf8');
    server = await startServer((req) =>
      req.url === '/pypi/django/3.0.2/json' ? { headers: { 'content-type': 'application/json' }, body: django } : { status: 404, body: 'Not Found' },
    );
  });
  afterAll(() => server.close());

  it("reads PyPI's vulnerabilities field for each pin (recorded Django 3.0.2 response)", async () => {
    writeFileSync(join(work, 'django.txt'), 'Django==3.0.2\n');
    const r = await pywardAsync(['audit', '-r', join(work, 'django.txt'), '--source', 'pypi', '--pypi-url', server.url, '--format', 'json'], { env });
    expect(r.code).toBe(1);
    const django = (JSON.parse(r.stdout) as Out).dependencies.find((d) => d.name === 'django')!;
    const recorded = JSON.parse(readFileSync(join(ROOT, 'src/sources/pypi/testdata/django-3.0.2.json'), 'utf8')) as { vulnerabilities: { id: string }[] };
    expect(django.vulns!.map((v) => v.id).sort()).toEqual(recorded.vulnerabilities.map((v) => v.id).sort());
    // PyPI lists one fix per release branch; only those above 3.0.2 are fixes for it.
    const fixes = Object.fromEntries(django.vulns!.map((v) => [v.id, v.fix_versions]));
    expect(fixes['PYSEC-2020-31']).toEqual(['3.0.7']);
    expect(fixes['PYSEC-2021-98']).toEqual(['3.1.12', '3.2.4']);
  });

  it('--offline refuses a network source with a usage error', () => {
    const r = pyward(['audit', 'examples/requirements.txt', '--source', 'pypi', '--offline'], { env });
    expect(r.code).toBe(2);
  });
});
