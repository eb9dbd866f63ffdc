/**
 * The Integrity API client against a real HTTP server on 127.0.0.1 serving the real Integrity API
 * response of pypi-attestations 0.0.19 (../shared/vectors/provenance).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.js';
import { json, startServer, type Reply, type TestServer } from '../osv/testdata/server.js';
import { IntegrityClient, integrityUrl, INTEGRITY_JSON } from './integrity.js';

const PROVENANCE = readFileSync(
  fileURLToPath(new URL('../../../../shared/vectors/provenance/pypi-attestations/pypi_attestations-0.0.19.tar.gz.provenance', import.meta.url)),
  'utf8',
);
const PATH = '/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: (path: string, headers: Record<string, unknown>) => Reply): Promise<TestServer> {
  server = await startServer((req) => handler((req.url ?? '').split('?')[0]!, req.headers));
  return server;
}

const fast = { retries: 1, backoffMs: 1, requestsPerSecond: 0 };

describe('integrityUrl', () => {
  it('normalizes the project and escapes each segment', () => {
    expect(integrityUrl('https://pypi.org/', 'Pypi_Attestations', '0.0.19', 'pypi_attestations-0.0.19.tar.gz')).toBe(`https://pypi.org${PATH}`);
    expect(integrityUrl('https://x.test', 'a', '1.0+local', 'a b/../c.whl')).toBe('https://x.test/integrity/a/1.0%2Blocal/a%20b%2F..%2Fc.whl/provenance');
  });
});

describe('IntegrityClient', () => {
  it('fetches the provenance with the API media type, and a 404 is "none"', async () => {
    const accept: unknown[] = [];
    const s = await serve((path, headers) => {
      accept.push(headers['accept']);
      return path === PATH ? { status: 200, headers: { 'content-type': INTEGRITY_JSON }, body: PROVENANCE } : json({ message: 'Not Found' }, 404);
    });
    const client = new IntegrityClient(fast);
    const found = await client.provenance(s.url, 'pypi-attestations', '0.0.19', 'pypi_attestations-0.0.19.tar.gz');
    expect(found).toMatchObject({ found: true, url: `${s.url}${PATH}` });
    expect(found.found && (found.body as { version: number }).version).toBe(1);
    expect(accept[0]).toMatch(/^application\/vnd\.pypi\.integrity\.v1\+json/);
    expect(await client.provenance(s.url, 'pypi-attestations', '0.0.20', 'pypi_attestations-0.0.20.tar.gz')).toEqual({
      found: false,
      url: `${s.url}/integrity/pypi-attestations/0.0.20/pypi_attestations-0.0.20.tar.gz/provenance`,
    });
  });

  it('caches answers on disk: a second client asks nothing, and offline answers from the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'pyward-integrity-'));
    const s = await serve((path) => (path === PATH ? { status: 200, headers: { 'content-type': INTEGRITY_JSON }, body: PROVENANCE } : json({}, 404)));
    await new IntegrityClient({ ...fast, cacheDir }).provenance(s.url, 'pypi-attestations', '0.0.19', 'pypi_attestations-0.0.19.tar.gz');
    await new IntegrityClient({ ...fast, cacheDir }).provenance(s.url, 'pypi-attestations', '0.0.19', 'pypi_attestations-0.0.19.tar.gz');
    expect(s.requests).toHaveLength(1);
    const offline = new IntegrityClient({ ...fast, cacheDir, offline: true });
    expect((await offline.provenanceAt(`${s.url}${PATH}`)).found).toBe(true);
    await expect(offline.provenance(s.url, 'other', '1.0', 'other-1.0.tar.gz')).rejects.toMatchObject({ code: 'source-unreachable', message: expect.stringMatching(/offline/) });
  });

  it('an HTML page or non-JSON where provenance should be is reported, not thrown', async () => {
    const s = await serve((path) =>
      path.includes('html') ? { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>' } : { status: 200, headers: { 'content-type': INTEGRITY_JSON }, body: '{"version": 1,' },
    );
    const client = new IntegrityClient(fast);
    expect(await client.provenanceAt(`${s.url}/html`)).toMatchObject({ found: true, unparsable: expect.stringMatching(/text\/html/) });
    expect(await client.provenanceAt(`${s.url}/truncated`)).toMatchObject({ found: true, unparsable: expect.stringMatching(/not JSON/) });
  });

  it('5xx is retried, then unreachable; 401 asks for credentials', async () => {
    let calls = 0;
    const s = await serve((path) => {
      calls++;
      return path.startsWith('/auth') ? { status: 401 } : { status: 503, headers: { 'retry-after': '0' } };
    });
    const client = new IntegrityClient(fast);
    const err = await client.provenanceAt(`${s.url}/down`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'source-unreachable' });
    expect(calls).toBe(2);
    await expect(client.provenanceAt(`${s.url}/auth`)).rejects.toMatchObject({ code: 'source-bad-response', message: expect.stringMatching(/credentials/) });
  });

  it("sends the index's credentials to the index's origin only", async () => {
    const seen: unknown[] = [];
    const s = await serve((_path, headers) => {
      seen.push(headers['authorization']);
      return json({}, 404);
    });
    const client = new IntegrityClient(fast);
    const index = s.url.replace('http://', 'http://user:secret@') + '/simple/';
    await client.provenanceAt(`${s.url}/integrity/a/1/a-1.tar.gz/provenance`, index);
    await client.provenanceAt(`${s.url.replace('127.0.0.1', 'localhost')}/integrity/a/1/a-1.tar.gz/provenance`, index);
    expect(seen).toEqual([`Basic ${Buffer.from('user:secret').toString('base64')}`, undefined]);
    const answer = await client.provenance(index.replace('/simple/', ''), 'a', '2', 'a-2.tar.gz');
    expect(answer.url).not.toContain('secret');
  });
});
