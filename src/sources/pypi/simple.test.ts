import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../osv/testdata/server.js';
import { decodeEntities, highestVersion, pageVersions, parseSimpleHtml, parseSimpleJson, projectPage, SimpleIndexClient, stripHtmlComments } from './simple.js';
import { newPypiState, PYPI_TESTDATA, pypiHandler, type PypiState } from './testdata/pypi-server.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0 };
let dir: string;
let server: TestServer | undefined;
let state: PypiState;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-pypi-simple-'));
  state = newPypiState();
  server = await startServer(pypiHandler(state));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function read(rel: string): string {
  return readFileSync(join(PYPI_TESTDATA, rel), 'utf8');
}

describe('parsing', () => {
  it('reads a PEP 691 page with PEP 700 and PEP 740 fields', () => {
    const page = parseSimpleJson('requests', 'https://pypi.org/simple/requests/', JSON.parse(read('simple/requests.json')));
    expect(page).toMatchObject({ name: 'requests', exists: true, format: 'json', apiVersion: '1.3', versions: ['0.2.0', '1.0.0', '2.31.0', '2.32.0', '2.32.3'], warnings: [] });
    expect(page.files).toHaveLength(7);
    const yanked = page.files.find((f) => f.filename === 'requests-2.32.0.tar.gz')!;
    expect(yanked).toMatchObject({ yanked: true, yankedReason: 'Yanked due to conflicts with CVE-2024-35195 mitigation', requiresPython: '>=3.8', size: 131162, uploadTime: '2024-05-20T16:46:56.556722Z' });
    expect(page.files[0]).toMatchObject({ filename: 'requests-0.2.0.tar.gz', yanked: false, hashes: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(page.files[0]!.requiresPython).toBeUndefined(); // null in the page
  });

  it('reads the same files from the PEP 503 HTML form', () => {
    const json = parseSimpleJson('requests', 'https://pypi.org/simple/requests/', JSON.parse(read('simple/requests.json')));
    const html = parseSimpleHtml('requests', 'https://pypi.org/simple/requests/', read('simple/requests.html'));
    expect(html.apiVersion).toBe('1.3');
    expect(html.format).toBe('html');
    const strip = (f: (typeof json.files)[number]) => ({ filename: f.filename, url: f.url, hashes: f.hashes, requiresPython: f.requiresPython, yanked: f.yanked, yankedReason: f.yankedReason });
    expect(html.files.map(strip)).toEqual(json.files.map(strip));
  });

  it('resolves relative links, honors <base>, decodes entities and ignores commented-out links', () => {
    const page = parseSimpleHtml(
      'acme-internal',
      'https://pypi.acme.internal/simple/acme-internal/',
      [
        '<html><head><base href="https://files.acme.internal/root/"></head><body>',
        '<!-- <a href="https://evil.example/acme_internal-9.9.9.tar.gz">acme_internal-9.9.9.tar.gz</a> -->',
        '<A HREF=\'packages/acme_internal-2.4.0.tar.gz#SHA256=ABCDEF0123\' data-requires-python="&gt;=3.9,&lt;4" data-yanked>acme_internal-2.4.0.tar.gz</A>',
        '<a href="/abs/acme_internal-2.3.0-py3-none-any.whl" data-yanked="broken &amp; replaced" data-provenance="prov/2.3.0.json">acme_internal-2.3.0-py3-none-any.whl</a>',
        '<a>no href</a>',
        '</body></html>',
      ].join('\n'),
    );
    expect(page.files).toEqual([
      { filename: 'acme_internal-2.4.0.tar.gz', url: 'https://files.acme.internal/root/packages/acme_internal-2.4.0.tar.gz', hashes: { sha256: 'abcdef0123' }, requiresPython: '>=3.9,<4', yanked: true },
      {
        filename: 'acme_internal-2.3.0-py3-none-any.whl',
        url: 'https://files.acme.internal/abs/acme_internal-2.3.0-py3-none-any.whl',
        hashes: {},
        yanked: true,
        yankedReason: 'broken & replaced',
        provenance: 'https://files.acme.internal/root/prov/2.3.0.json',
      },
    ]);
  });

  it('drops bad JSON entries with a warning and keeps the rest', () => {
    const page = parseSimpleJson('x', 'https://i/simple/x/', {
      meta: { 'api-version': '1.0' },
      name: 'x',
      files: [{ filename: 'x-1.0.tar.gz', url: 'x-1.0.tar.gz', hashes: { sha256: 'AB12', md5: 42 } }, { filename: 'x-2.0.tar.gz' }, 'junk'],
    });
    expect(page.files).toEqual([{ filename: 'x-1.0.tar.gz', url: 'https://i/simple/x/x-1.0.tar.gz', hashes: { sha256: 'ab12' } }]);
    expect(page.warnings).toEqual(['https://i/simple/x/: files[1] lacks a filename, url or hashes; dropped', 'https://i/simple/x/: files[2] lacks a filename, url or hashes; dropped']);
    expect(page.versions).toBeUndefined();
  });

  it('strips comments, an unclosed one to the end, as a browser does', () => {
    expect(stripHtmlComments('a<!-- x -->b<!---->c<!-- <a href="y">y</a> -->d')).toBe('abcd');
    expect(stripHtmlComments('a<!-- never closed <a href="x">x</a>')).toBe('a');
    expect(stripHtmlComments('a-->b<!--')).toBe('a-->b');
  });

  it('a page of 200,000 unclosed comment openers is one pass, not one rescan per opener', () => {
    // The lazy regex this replaced rescanned to the end after every opener: 200,000 x 800 KB.
    const hostile = '<!--'.repeat(200_000) + '<a href="x.whl">x.whl</a>';
    expect(stripHtmlComments(hostile)).toBe('');
    expect(parseSimpleHtml('x', 'https://pypi.org/simple/x/', hostile).files).toEqual([]);
  });

  it('a page ending in 100,000 unclosed <a and <base, with 200,000 < in a link text, is one pass', () => {
    // Each `<a`, `<base` and `<` was scanned from to the end of the page for its missing `>` or `</a>`.
    const text = `${'<'.repeat(200_000)}x-1.0.tar.gz`;
    const hostile = `<a href="x-1.0.tar.gz">${text}</a>${'<a '.repeat(100_000)}${'<base '.repeat(100_000)}`;
    const page = parseSimpleHtml('x', 'https://pypi.org/simple/x/', hostile);
    expect(page.files.map((f) => [f.filename, f.url])).toEqual([[text, 'https://pypi.org/simple/x/x-1.0.tar.gz']]);
  });

  it('decodes the character references pages use', () => {
    expect(decodeEntities('&gt;=3.8, &#33;=3.9.0, &#x3c;4 &amp;&unknown;')).toBe('>=3.8, !=3.9.0, <4 &&unknown;');
  });

  it('finds versions from PEP 700 or file names, and the highest non-yanked one', () => {
    const page = parseSimpleHtml('requests', 'https://pypi.org/simple/requests/', read('simple/requests.html'));
    expect(pageVersions(page).sort()).toEqual(['0.2.0', '2.31.0', '2.32.0', '2.32.3']);
    expect(pageVersions(page, { installable: true })).not.toContain('2.32.0');
    expect(highestVersion(['1.0', '2.0rc1', '1.10', 'junk'])).toBe('1.10');
    expect(highestVersion(['1.0', '2.0rc1'], { prereleases: true })).toBe('2.0rc1');
  });
});

describe('SimpleIndexClient', () => {
  it('asks for JSON first and parses it', async () => {
    const page = await projectPage(`${server!.url}/simple/`, 'Requests', FAST);
    expect(page.format).toBe('json');
    expect(page.url).toBe(`${server!.url}/simple/requests/`);
    expect(server!.requests).toEqual(['GET /simple/requests/']);
  });

  it('falls back to HTML for an index that only speaks PEP 503', async () => {
    state.htmlOnly = true;
    const page = await projectPage(`${server!.url}/simple`, 'requests', FAST);
    expect(page.format).toBe('html');
    expect(page.files).toHaveLength(7);
  });

  it('says a 404 does not exist', async () => {
    const page = await projectPage(`${server!.url}/simple/`, 'acme-internal', FAST);
    expect(page).toMatchObject({ exists: false, files: [] });
  });

  it('names the credentials problem on 401', async () => {
    await server!.close();
    server = await startServer(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="pypi"' }, body: 'Unauthorized' }));
    await expect(projectPage(`${server.url}/simple/`, 'acme-internal', FAST)).rejects.toMatchObject({ code: 'source-bad-response', message: expect.stringMatching(/needs credentials/) });
  });

  it('rejects a page that is neither JSON nor HTML', async () => {
    await server!.close();
    server = await startServer(() => ({ headers: { 'content-type': 'application/octet-stream' }, body: 'PK' }));
    await expect(projectPage(`${server.url}/simple/`, 'x', FAST)).rejects.toMatchObject({ code: 'source-bad-response' });
  });

  it('revalidates with the ETag after the TTL and reuses the page on 304', async () => {
    let now = 1_700_000_000_000;
    const opts = { ...FAST, cacheDir: dir, now: () => now, ttlMs: 1000 };
    const first = await new SimpleIndexClient(opts).projectPage(`${server!.url}/simple/`, 'requests');
    await new SimpleIndexClient(opts).projectPage(`${server!.url}/simple/`, 'requests');
    expect(server!.requests).toHaveLength(1);
    now += 5000;
    const again = await new SimpleIndexClient(opts).projectPage(`${server!.url}/simple/`, 'requests');
    expect(again).toEqual(first);
    expect(server!.requests).toHaveLength(2);
    expect(state.notModified).toBe(1);
  });

  it('retries a 503 and keeps credentials out of what it reports', async () => {
    state.fail503 = 1;
    const page = await projectPage(server!.url.replace('http://', 'http://ci:pw@') + '/simple/', 'requests', FAST);
    expect(page.exists).toBe(true);
    expect(page.url).toBe(server!.url.replace('http://', 'http://****@') + '/simple/requests/');
    expect(JSON.stringify(page)).not.toContain(':pw@');
  });
});
