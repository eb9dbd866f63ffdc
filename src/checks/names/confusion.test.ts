import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Reply, type TestServer } from '../../sources/osv/testdata/server.js';
import { SimpleIndexClient } from '../../sources/pypi/simple.js';
import { newPypiState, PYPI_TESTDATA, pypiHandler } from '../../sources/pypi/testdata/pypi-server.js';
import { checkConfusion } from './confusion.js';
import { pkg } from './testdata/packages.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0 };
let publicServer: TestServer;
let privateServer: TestServer;
let simple: SimpleIndexClient;
/** Extra pages the private index serves, by name. */
let privateExtra: Map<string, string>;

/**
 * A private index as pypiserver or devpi serve it: PEP 503 HTML only, its own packages under
 * simple/private/, and (like a pull-through mirror) requests copied from pypi.org byte for byte.
 */
function privateIndex(req: IncomingMessage): Reply {
  const m = /^\/simple\/([^/]+)\/$/.exec(req.url ?? '');
  const name = m?.[1] ?? '';
  const extra = privateExtra.get(name);
  if (extra) return { headers: { 'content-type': 'text/html' }, body: extra };
  const own = join(PYPI_TESTDATA, 'simple', 'private', `${name}.html`);
  if (existsSync(own)) return { headers: { 'content-type': 'text/html' }, body: readFileSync(own) };
  if (name === 'requests') return { headers: { 'content-type': 'text/html' }, body: readFileSync(join(PYPI_TESTDATA, 'simple', 'requests.html')) };
  return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' };
}

beforeEach(async () => {
  privateExtra = new Map();
  publicServer = await startServer(pypiHandler(newPypiState()));
  privateServer = await startServer(privateIndex);
  simple = new SimpleIndexClient(FAST);
});
afterEach(async () => {
  await publicServer.close();
  await privateServer.close();
});

function opts(extra: Partial<Parameters<typeof checkConfusion>[1]> = {}) {
  return { indexUrls: [`${privateServer.url}/simple/`], publicIndexUrl: `${publicServer.url}/simple/`, simple, ...extra };
}

const PACKAGES = () => [pkg('acme-utils', { line: 1 }), pkg('acme_internal', { line: 2 }), pkg('requests', { line: 3 }), pkg('flask', { line: 4 })];

describe('checkConfusion', () => {
  it('with an extra private index: a higher public version is critical, a free name medium, a mirrored project nothing', async () => {
    const res = await checkConfusion(PACKAGES(), opts());
    expect(res.findings.map((f) => [f.name, f.risk, f.location?.line])).toEqual([
      ['acme-utils', 'critical', 1],
      ['acme-internal', 'medium', 2],
    ]);
    const utils = res.findings[0]!;
    expect(utils.evidence).toEqual([
      `'acme-utils' has its own files on ${privateServer.url}/simple/acme-utils/ (highest 1.2.0)`,
      `'acme-utils' also exists on ${publicServer.url}/simple/ (highest 99.0.0), published by someone else`,
      'pip merges every index and installs the highest version: an unpinned install takes the public 99.0.0',
    ]);
    expect(res.findings[1]!.evidence[0]).toBe(`'acme-internal' is on ${privateServer.url}/simple/acme-internal/ and not on ${publicServer.url}/simple/`);
    expect(res.privateNames).toEqual(['acme-internal', 'acme-utils']);
    // only names found privately are looked up publicly; flask never leaves the private index
    expect(publicServer.requests.sort()).toEqual(['GET /simple/acme-internal/', 'GET /simple/acme-utils/', 'GET /simple/requests/']);
    expect(privateServer.requests.sort()).toEqual(['GET /simple/acme-internal/', 'GET /simple/acme-utils/', 'GET /simple/flask/', 'GET /simple/requests/']);
  });

  it('with the private index as the only index: a taken name is medium, a free one low', async () => {
    const res = await checkConfusion(PACKAGES(), opts({ primaryIndexUrl: `${privateServer.url}/simple/` }));
    expect(res.findings.map((f) => [f.name, f.risk])).toEqual([
      ['acme-utils', 'medium'],
      ['acme-internal', 'low'],
    ]);
    expect(res.findings[0]!.evidence.at(-1)).toMatch(/safe only while pip never consults pypi.org/);
  });

  it('treats a private index that merges pypi.org files into its own pages as consulting pypi.org', async () => {
    const publicPage = JSON.parse(readFileSync(join(PYPI_TESTDATA, 'simple', 'acme-utils.json'), 'utf8')) as { files: { url: string; hashes: { sha256: string }; filename: string }[] };
    const f = publicPage.files[0]!;
    const own = readFileSync(join(PYPI_TESTDATA, 'simple', 'private', 'acme-utils.html'), 'utf8');
    privateExtra.set('acme-utils', own.replace('</body>', `<a href="${f.url}#sha256=${f.hashes.sha256}">${f.filename}</a>\n</body>`));
    const res = await checkConfusion([pkg('acme-utils')], opts({ primaryIndexUrl: `${privateServer.url}/simple/` }));
    expect(res.findings[0]).toMatchObject({ risk: 'critical' });
    expect(res.findings[0]!.evidence).toContain('the private index also serves the public files of this name, so it merges pypi.org itself');
  });

  it('lowers the risk of a package pinned with hashes, and says why', async () => {
    const res = await checkConfusion([pkg('acme-utils', { version: '1.2.0', hashes: ['sha256:06d75d6ab59fbae2078ea3cf49220fe152b6e87b4fdf473a894c3785167e39ff'] })], opts());
    expect(res.findings[0]).toMatchObject({ risk: 'medium' });
    expect(res.findings[0]!.evidence.at(-1)).toMatch(/^pinned to 1.2.0 with hashes/);
  });

  it('checks the private index an input pinned a package to', async () => {
    const res = await checkConfusion([pkg('acme-utils', { source: { kind: 'registry', url: `${privateServer.url}/simple/` } })], opts({ indexUrls: [] }));
    // that input consults only its own index for the package
    expect(res.findings.map((f) => [f.name, f.risk])).toEqual([['acme-utils', 'medium']]);
  });

  it('lists a private index that refuses it, without its credentials, and goes on', async () => {
    await privateServer.close();
    privateServer = await startServer(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="pypi"' }, body: 'Unauthorized' }));
    const url = privateServer.url.replace('http://', 'http://ci:hunter2@');
    const res = await checkConfusion([pkg('acme-utils')], opts({ indexUrls: [`${url}/simple/`] }));
    expect(res.findings).toEqual([]);
    expect(res.skipped).toEqual([{ check: 'dependency confusion', reason: expect.stringMatching(/HTTP 401: the index needs credentials/), names: ['acme-utils'] }]);
    expect(JSON.stringify(res)).not.toContain('hunter2');
  });

  it('has nothing to do without a private index', async () => {
    const res = await checkConfusion(PACKAGES(), opts({ indexUrls: ['https://pypi.org/simple/'] }));
    expect(res).toEqual({ findings: [], skipped: [], diagnostics: [], privateNames: [] });
    expect(privateServer.requests).toEqual([]);
    expect(publicServer.requests).toEqual([]);
  });

  it('offline, asks nothing', async () => {
    const res = await checkConfusion(PACKAGES(), opts({ offline: true }));
    expect(res.skipped).toEqual([{ check: 'dependency confusion', reason: 'offline' }]);
    expect(privateServer.requests).toEqual([]);
  });
});
