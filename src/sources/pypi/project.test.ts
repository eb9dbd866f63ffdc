import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../osv/testdata/server.js';
import { parseProjectJson, PypiJsonClient } from './project.js';
import { newPypiState, PYPI_TESTDATA, pypiHandler, type PypiState } from './testdata/pypi-server.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0 };
let dir: string;
let server: TestServer | undefined;
let state: PypiState;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-pypi-project-'));
  state = newPypiState();
  server = await startServer(pypiHandler(state));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(PYPI_TESTDATA, 'json', name), 'utf8'));
}

describe('parseProjectJson', () => {
  it('reduces requests to its history and publisher facts', () => {
    const p = parseProjectJson('Requests', 'https://pypi.org/pypi/requests/json', fixture('requests.json'));
    expect(p).toMatchObject({
      name: 'requests',
      exists: true,
      displayName: 'requests',
      latestVersion: '2.32.3',
      releasesListed: true,
      firstUpload: '2011-02-14T18:20:26.081000Z',
      homePage: 'https://requests.readthedocs.io',
      projectUrls: { Documentation: 'https://requests.readthedocs.io', Source: 'https://github.com/psf/requests' },
      author: 'Kenneth Reitz',
      authorEmail: 'me@kennethreitz.org',
      summary: 'Python HTTP for Humans.',
    });
    expect(p.descriptionLength).toBeGreaterThan(500);
    expect(p.maintainerEmail).toBeUndefined(); // "" means not given
    expect(p.releases.map((r) => r.version)).toEqual(['0.2.0', '1.0.0', '2.31.0', '2.32.0', '2.32.3']);
    const r2310 = p.releases.find((r) => r.version === '2.31.0')!;
    // the release's time is its earliest file (the wheel went up two seconds before the sdist)
    expect(r2310.uploadTime).toBe('2023-05-22T15:12:42.313790Z');
    expect(r2310.files.map((f) => f.filename)).toEqual(['requests-2.31.0-py3-none-any.whl', 'requests-2.31.0.tar.gz']);
    expect(r2310.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.releases.find((r) => r.version === '2.32.0')!.yanked).toBe(true);
    // a release whose files were all deleted stays listed, with no time
    expect(p.releases.find((r) => r.version === '1.0.0')).toEqual({ version: '1.0.0', yanked: false, files: [] });
  });

  it('keeps ownership when the index gives it', () => {
    const p = parseProjectJson('acme-sdk', 'x', fixture('acme-sdk.json'));
    expect(p.ownership).toEqual({ roles: [{ role: 'Owner', user: 'acme-release-bot' }] });
  });

  it('falls back to the latest release when `releases` is absent, and says so', () => {
    const body = fixture('requests.json') as Record<string, unknown>;
    delete body['releases'];
    const p = parseProjectJson('requests', 'x', body);
    expect(p.releasesListed).toBe(false);
    expect(p.releases.map((r) => r.version)).toEqual(['2.32.3']);
    expect(p.firstUpload).toBe('2024-05-29T15:37:47.027592Z');
  });

  it('drops wrongly typed fields and keeps the rest', () => {
    const p = parseProjectJson('x', 'x', {
      info: { name: 'x', version: '1.0', project_urls: { Source: 42, Home: 'https://example.org/x' }, author_email: ['no'], description: null },
      releases: { '1.0': [{ filename: 'x-1.0.tar.gz', upload_time_iso_8601: 'yesterday', upload_time: '2024-01-01T00:00:00', digests: { sha256: 'not-hex' } }, 'junk'] },
    });
    expect(p.projectUrls).toEqual({ Home: 'https://example.org/x' });
    expect(p.authorEmail).toBeUndefined();
    expect(p.descriptionLength).toBe(0);
    expect(p.releases[0]!.files).toEqual([{ filename: 'x-1.0.tar.gz', yanked: false, uploadTime: '2024-01-01T00:00:00Z' }]);
  });

  it('rejects a body that is not a JSON API project', () => {
    expect(() => parseProjectJson('x', 'https://mirror/pypi/x/json', { message: 'hi' })).toThrow(/no "info" object/);
  });
});

describe('PypiJsonClient', () => {
  it('fetches a project and says a 404 does not exist', async () => {
    const client = new PypiJsonClient({ ...FAST, baseUrl: server!.url });
    const [requests, missing] = await Promise.all([client.project('Requests'), client.project('reqeusts-toolbelt2')]);
    expect(requests.exists).toBe(true);
    expect(requests.source).toBe(`${server!.url}/pypi/requests/json`);
    expect(missing).toMatchObject({ name: 'reqeusts-toolbelt2', exists: false, releases: [] });
    expect(server!.requests.sort()).toEqual(['GET /pypi/reqeusts-toolbelt2/json', 'GET /pypi/requests/json']);
  });

  it('shares one request between concurrent calls for the same name', async () => {
    const client = new PypiJsonClient({ ...FAST, baseUrl: server!.url });
    await Promise.all([client.project('requests'), client.project('Requests'), client.project('REQUESTS')]);
    expect(server!.requests).toEqual(['GET /pypi/requests/json']);
  });

  it('reuses an answer in memory without a disk cache, until the shortest TTL runs out', async () => {
    let now = 1_700_000_000_000;
    const client = new PypiJsonClient({ ...FAST, baseUrl: server!.url, now: () => now, missingTtlMs: 60_000 });
    await client.project('requests');
    await client.project('requests');
    expect(server!.requests).toHaveLength(1);
    now += 61_000;
    await client.project('requests');
    expect(server!.requests).toHaveLength(2);
  });

  it('answers from the cache within the TTL, then revalidates with the ETag and reuses a 304', async () => {
    let now = 1_700_000_000_000;
    const opts = { ...FAST, baseUrl: server!.url, cacheDir: dir, now: () => now, ttlMs: 60_000 };
    const first = await new PypiJsonClient(opts).project('requests');
    expect(server!.requests).toHaveLength(1);

    const cached = await new PypiJsonClient(opts).project('requests');
    expect(cached).toEqual(first);
    expect(server!.requests).toHaveLength(1);

    now += 61_000;
    const revalidated = await new PypiJsonClient(opts).project('requests');
    expect(revalidated).toEqual(first);
    expect(server!.requests).toHaveLength(2);
    expect(state.notModified).toBe(1);
    // the 304 renewed the entry: no request within the next TTL
    now += 30_000;
    await new PypiJsonClient(opts).project('requests');
    expect(server!.requests).toHaveLength(2);
  });

  it('sends If-None-Match and picks up a changed project', async () => {
    let now = 1_700_000_000_000;
    const opts = { ...FAST, baseUrl: server!.url, cacheDir: dir, now: () => now, ttlMs: 1000 };
    await new PypiJsonClient(opts).project('huggingface-cli');
    const changed = fixture('huggingface-cli.json') as { info: Record<string, unknown> };
    changed.info['project_urls'] = { Source: 'https://github.com/example/huggingface-cli' };
    state.override = new Map([['/pypi/huggingface-cli/json', changed]]);
    now += 2000;
    const p = await new PypiJsonClient(opts).project('huggingface-cli');
    expect(p.projectUrls).toEqual({ Source: 'https://github.com/example/huggingface-cli' });
  });

  it('believes "does not exist" for a shorter time than an answer', async () => {
    let now = 1_700_000_000_000;
    const opts = { ...FAST, baseUrl: server!.url, cacheDir: dir, now: () => now, ttlMs: 3_600_000, missingTtlMs: 60_000 };
    await new PypiJsonClient(opts).project('requests');
    await new PypiJsonClient(opts).project('no-such-project-xyz');
    now += 120_000;
    await new PypiJsonClient(opts).project('requests');
    await new PypiJsonClient(opts).project('no-such-project-xyz');
    expect(server!.requests).toEqual(['GET /pypi/requests/json', 'GET /pypi/no-such-project-xyz/json', 'GET /pypi/no-such-project-xyz/json']);
  });

  it('retries a 503', async () => {
    state.fail503 = 2;
    const p = await new PypiJsonClient({ ...FAST, baseUrl: server!.url }).project('requests');
    expect(p.exists).toBe(true);
    expect(server!.requests).toHaveLength(3);
  });

  it('gives up with source-unreachable after its retries', async () => {
    state.fail503 = 10;
    await expect(new PypiJsonClient({ ...FAST, retries: 1, baseUrl: server!.url }).project('requests')).rejects.toMatchObject({
      code: 'source-unreachable',
      message: expect.stringMatching(/run with --offline/),
    });
  });

  it('respects the request rate and the concurrency limit', async () => {
    state.delayMs = 30;
    const client = new PypiJsonClient({ ...FAST, baseUrl: server!.url, requestsPerSecond: 20, concurrency: 2 });
    await Promise.all(['requests', 'acme-sdk', 'tinyfmt', 'huggingface-cli', 'nope-1', 'nope-2'].map((n) => client.project(n)));
    // Six requests at 20/s take at least 250 ms from first to last; arrival times also carry
    // loopback jitter, so the span is checked rather than each gap.
    expect(state.arrivals.length).toBe(6);
    expect(state.arrivals.at(-1)! - state.arrivals[0]!).toBeGreaterThanOrEqual(230);
    expect(state.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('works offline from the cache and refuses a miss', async () => {
    await new PypiJsonClient({ ...FAST, baseUrl: server!.url, cacheDir: dir }).project('requests');
    const offline = new PypiJsonClient({ baseUrl: server!.url, cacheDir: dir, offline: true, now: () => Date.now() + 365 * 86_400_000 });
    expect((await offline.project('requests')).latestVersion).toBe('2.32.3');
    await expect(offline.project('flask')).rejects.toMatchObject({ code: 'source-unreachable', message: expect.stringMatching(/offline/) });
    expect(server!.requests).toHaveLength(1);
  });

  it('reports a body that is not JSON as a bad response, and does not cache it', async () => {
    await server!.close();
    server = await startServer(() => ({ headers: { 'content-type': 'application/json' }, body: '<html>maintenance</html>' }));
    const client = new PypiJsonClient({ ...FAST, baseUrl: server.url, cacheDir: dir });
    await expect(client.project('requests')).rejects.toMatchObject({ code: 'source-bad-response' });
    await expect(client.project('requests')).rejects.toMatchObject({ code: 'source-bad-response' });
    expect(server.requests).toHaveLength(2);
  });

  it('sends credentials from the base URL as a header and never shows them', async () => {
    const auth: (string | undefined)[] = [];
    await server!.close();
    const inner = pypiHandler(state);
    server = await startServer((req) => {
      auth.push(req.headers['authorization']);
      return inner(req);
    });
    const base = server.url.replace('http://', 'http://ci:s3cret@');
    const client = new PypiJsonClient({ ...FAST, baseUrl: base });
    const p = await client.project('requests');
    expect(auth[0]).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
    expect(p.source).not.toContain('s3cret');
    expect(client.displayUrl).not.toContain('s3cret');
  });

  it('fetches one release as uploaded, and undefined for a release PyPI does not have', async () => {
    const client = new PypiJsonClient({ ...FAST, baseUrl: server!.url });
    const r = await client.release('acme-sdk', '1.5.1');
    expect(r).toMatchObject({
      name: 'acme-sdk',
      version: '1.5.1',
      authorEmail: 'dev@acme-sdk.io',
      projectUrls: { Homepage: 'https://github.com/acme-corp/acme-sdk', Issues: 'https://github.com/acme-corp/acme-sdk/issues' },
      uploadTime: '2022-05-14T23:50:01.000003Z',
      yanked: false,
    });
    expect(await client.release('acme-sdk', '9.9.9')).toBeUndefined();
    expect(server!.requests).toEqual(['GET /pypi/acme-sdk/1.5.1/json', 'GET /pypi/acme-sdk/9.9.9/json']);
  });
});
