/**
 * PyPI's project list: the Simple API root page (PEP 503 HTML as the real index served it, PEP 691
 * JSON derived from it; see testdata/README.md) served on 127.0.0.1, parsed, saved and searched.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.js';
import { normalizeName } from '../../core/names.js';
import { startServer, type Reply, type TestServer } from '../osv/testdata/server.js';
import { packArrays, stringList } from '../popular/compact.js';
import { parseRootPage, ProjectList, projectListFile, refreshProjectList, type RefreshListOptions } from './project-list.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const HTML_PAGE = readFileSync(join(TESTDATA, 'simple-root.html'));
const JSON_PAGE = readFileSync(join(TESTDATA, 'simple-root.json'));
const HTML = 'text/html';
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
/** The `meta._last-serial` of simple-root.json. */
const JSON_SERIAL = 33112406;
const NOW = Date.parse('2026-11-27T09:30:00.000Z');
const FAST: RefreshListOptions = { backoffMs: 5, timeoutMs: 2000, minNames: 10, now: () => NOW };

/**
 * The oracle for the names: PyPI links each project to its normalized page (`<a href="00smalinux/">
 * 00SMALINUX</a>`), so the hrefs of the recorded page are the expected names, independent of how the
 * link texts are parsed.
 */
const EXPECTED = [...HTML_PAGE.toString('utf8').matchAll(/<a href="([^"]+)\/">/g)].map((m) => m[1]!).sort();

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-project-list-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Serves `reply` at /simple/ (and 404 elsewhere, as PyPI does); records each request's headers. */
async function serve(reply: Reply | ((req: IncomingMessage) => Reply)): Promise<{ url: string; seen: IncomingMessage['headers'][] }> {
  const seen: IncomingMessage['headers'][] = [];
  server = await startServer((req) => {
    seen.push(req.headers);
    if (req.url !== '/simple/') return { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 Not Found' };
    return typeof reply === 'function' ? reply(req) : reply;
  });
  return { url: `${server.url}/simple/`, seen };
}

const html = (body: string | Buffer, headers: Record<string, string> = {}): Reply => ({ headers: { 'content-type': HTML, ...headers }, body });
const json = (body: string | Buffer, headers: Record<string, string> = {}): Reply => ({ headers: { 'content-type': SIMPLE_JSON, ...headers }, body });

function names(list: ProjectList): string[] {
  return Array.from({ length: list.size }, (_, i) => list.at(i));
}

/** The recorded page with extra `<a>` lines before its last line. */
function htmlWith(...links: string[]): string {
  return HTML_PAGE.toString('utf8').replace('<a href="tensorflow-gpu/">', `${links.join('\n')}\n<a href="tensorflow-gpu/">`);
}

function jsonWith(...projects: unknown[]): string {
  const page = JSON.parse(JSON_PAGE.toString('utf8')) as { projects: unknown[] };
  page.projects.push(...projects);
  return JSON.stringify(page);
}

describe('refreshProjectList: the root page in either format', () => {
  it('gives the same sorted, PEP 503-normalized names from the recorded HTML and the JSON built from it', async () => {
    const { url } = await serve(html(HTML_PAGE));
    const fromHtml = await refreshProjectList(url, join(dir, 'html.bin'), FAST);
    await server!.close();
    const second = await serve(json(JSON_PAGE));
    const fromJson = await refreshProjectList(second.url, join(dir, 'json.bin'), FAST);

    expect(EXPECTED).toHaveLength(170);
    expect(names(fromHtml)).toEqual(EXPECTED);
    expect(names(fromJson)).toEqual(EXPECTED);
    expect(fromHtml.size).toBe(170);
    // Sorted in code-unit order: '-' (0x2d) before digits, digits before letters.
    expect(names(fromHtml).slice(0, 4)).toEqual(['0', '0-0', '0-0-1', '0-618']);
    expect(fromHtml.at(fromHtml.size - 1)).toBe('tensorflow-gpu');
  });

  it('normalizes link texts as served: runs of . _ - become one hyphen, capitals become lower case', async () => {
    const { url } = await serve(html(HTML_PAGE));
    const list = await refreshProjectList(url, join(dir, 'list.bin'), FAST);
    const all = names(list);
    expect(all).toContain('0-0'); // `0-._.-._.-._.-._.-._.-._.-0`
    expect(all).toContain('00smalinux'); // `00SMALINUX`
    expect(all).toContain('00print-lol'); // `00print_lol`
    expect(all).toContain('10-8-publishing-packages'); // `10.8-Publishing-Packages`
    expect(all).toContain('pyton'); // `pyTON`
    expect(all.filter((n) => n !== normalizeName(n))).toEqual([]);
    expect(all).not.toContain('0-._.-._.-._.-._.-._.-._.-0');
    expect(all).not.toContain('00SMALINUX');
  });

  it('collapses spellings that normalize to the same project into one name (HTML)', async () => {
    const { url } = await serve(html(htmlWith('<a href="numpy/">NumPy</a>', '<a href="00smalinux/">00smalinux</a>', '<a href="pyton/">PyTON</a>', '<a href="0-0/">0__0</a>')));
    const list = await refreshProjectList(url, join(dir, 'list.bin'), FAST);
    expect(list.size).toBe(170);
    expect(names(list)).toEqual(EXPECTED);
  });

  it('collapses spellings that normalize to the same project into one name (JSON)', async () => {
    const { url } = await serve(json(jsonWith({ name: 'OPENSEA' }, { name: 'open_sea' }, { name: 'Open.Sea' }, { name: '0-0' })));
    const list = await refreshProjectList(url, join(dir, 'list.bin'), FAST);
    // `open_sea` and `Open.Sea` are one new project (`open-sea`); `OPENSEA` and `0-0` were there.
    expect(list.size).toBe(171);
    expect(names(list)).toEqual([...EXPECTED, 'open-sea'].sort());
  });

  it('asks for PEP 691 JSON first, HTML as the fallback', async () => {
    const { url, seen } = await serve(html(HTML_PAGE));
    await refreshProjectList(url, join(dir, 'list.bin'), FAST);
    expect(seen).toHaveLength(1);
    const accept = seen[0]!.accept!.split(',').map((s) => s.trim());
    expect(accept[0]).toBe(SIMPLE_JSON);
    expect(accept).toContain('text/html;q=0.01');
  });

  it('reads a content type with parameters (text/html; charset=utf-8) and plain application/json', async () => {
    const { url } = await serve(html(HTML_PAGE, { 'content-type': 'text/html; charset=utf-8' }));
    expect((await refreshProjectList(url, join(dir, 'a.bin'), FAST)).size).toBe(170);
    await server!.close();
    const second = await serve({ headers: { 'content-type': 'Application/JSON' }, body: JSON_PAGE });
    expect((await refreshProjectList(second.url, join(dir, 'b.bin'), FAST)).size).toBe(170);
  });

  it('requests an index URL given without a trailing slash with one, and records it so', async () => {
    const { url } = await serve(html(HTML_PAGE));
    const list = await refreshProjectList(url.replace(/\/$/, ''), join(dir, 'list.bin'), FAST);
    expect(server!.requests).toEqual(['GET /simple/']);
    expect(list.meta.url).toBe(url);
    expect(list.size).toBe(170);
  });

  it('sends credentials in the URL as Basic auth, and never saves or shows them', async () => {
    const { url, seen } = await serve((req) =>
      req.headers.authorization === `Basic ${Buffer.from('ci:s3cret').toString('base64')}` ? html(HTML_PAGE) : { status: 401, body: 'no' },
    );
    const withCreds = url.replace('http://', 'http://ci:s3cret@');
    const file = join(dir, 'list.bin');
    const list = await refreshProjectList(withCreds, file, FAST);
    expect(seen[0]!.authorization).toMatch(/^Basic /);
    expect(list.meta.url).toBe(url.replace('http://', 'http://****@'));
    expect(readFileSync(file).includes('s3cret')).toBe(false);
  });
});

describe('parseRootPage: what is not a project name', () => {
  it('skips HTML links whose text is not a valid project name, and counts them', () => {
    const page = htmlWith('<a href="-bad-/">-bad-</a>', '<a href="/"></a>', '<a href="x/">has space</a>', '<a href="y/">caf\u00e9</a>');
    const r = parseRootPage('https://pypi.org/simple/', 'text/html', Buffer.from(page));
    expect(r.skipped).toBe(4);
    expect(r.names).toHaveLength(170);
    expect(r.names).not.toContain('-bad-');
    expect(r.names).not.toContain('');
  });

  it('skips JSON entries without a string name that is valid, and counts them', () => {
    const page = jsonWith({ name: '-bad-' }, { name: '' }, { name: 42 }, { '_last-serial': 1 }, null, 'numpy');
    const r = parseRootPage('https://pypi.org/simple/', SIMPLE_JSON, Buffer.from(page));
    expect(r.skipped).toBe(6);
    expect(r.names).toHaveLength(170);
    expect(r.lastSerial).toBe(JSON_SERIAL);
  });

  it('ignores links inside HTML comments and decodes entities in link texts', () => {
    const page = '<!DOCTYPE html><html><body>\n<!-- <a href="ghost/">ghost</a> -->\n<a href="foo-bar/">foo&#95;bar</a>\n<a href="a-b/">A&amp;B</a>\n</body></html>\n';
    const r = parseRootPage('https://pypi.org/simple/', 'text/html', Buffer.from(page));
    expect(r.names).toEqual(['foo-bar']);
    expect(r.skipped).toBe(1); // `A&B` is not a project name
  });

  it('a root page of 150,000 `<a ` without a `>` is read in one pass', () => {
    // The regex scanned from each of them to the page's only `>`: 150,000 x 450 KB.
    const page = `${'<a '.repeat(150_000)}><a href="numpy/">numpy</a>`;
    const r = parseRootPage('https://pypi.org/simple/', 'text/html', Buffer.from(page));
    expect(r.names).toEqual(['numpy']);
    expect(r.skipped).toBe(0);
  });

  it('reads a body without a content type as HTML', () => {
    expect(parseRootPage('u', '', HTML_PAGE).names).toHaveLength(170);
  });

  it('refuses JSON that does not parse, or has no projects array', () => {
    expect(() => parseRootPage('u', SIMPLE_JSON, Buffer.from(JSON_PAGE.subarray(0, 500)))).toThrow(expect.objectContaining({ code: 'source-bad-response', message: expect.stringMatching(/did not return valid JSON/) }));
    expect(() => parseRootPage('u', SIMPLE_JSON, Buffer.from('{"meta":{"api-version":"1.1"},"name":"requests","files":[]}'))).toThrow(/no 'projects' array/);
    expect(() => parseRootPage('u', SIMPLE_JSON, Buffer.from('null'))).toThrow(/no 'projects' array/);
  });

  it('takes the serial only when it is a whole number', () => {
    const page = (serial: unknown): Buffer => Buffer.from(JSON.stringify({ meta: { '_last-serial': serial, 'api-version': '1.1' }, projects: [{ name: 'a' }] }));
    expect(parseRootPage('u', SIMPLE_JSON, page(7)).lastSerial).toBe(7);
    expect(parseRootPage('u', SIMPLE_JSON, page('7')).lastSerial).toBeUndefined();
    expect(parseRootPage('u', SIMPLE_JSON, page(7.5)).lastSerial).toBeUndefined();
  });

  it('reports skipped entries through onWarning when refreshing, and keeps the valid ones', async () => {
    const { url } = await serve(json(jsonWith({ name: '-bad-' }, { name: '' }, { name: 42 }, {})));
    const warnings: string[] = [];
    const list = await refreshProjectList(url, join(dir, 'list.bin'), { ...FAST, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${url}: skipped 4 entries that are not valid project names`]);
    expect(list.size).toBe(170);
  });

  it('does not warn when every entry is a project name, and warns for a single one that is not', async () => {
    let page = HTML_PAGE.toString('utf8');
    const { url } = await serve(() => html(page));
    const warnings: string[] = [];
    await refreshProjectList(url, join(dir, 'list.bin'), { ...FAST, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    page = htmlWith('<a href="/">_</a>');
    await refreshProjectList(url, join(dir, 'list.bin'), { ...FAST, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${url}: skipped 1 entry that is not a valid project name`]);
  });
});

describe('ProjectList: searching the sorted names', () => {
  let list: ProjectList;
  beforeEach(async () => {
    const { url } = await serve(html(HTML_PAGE));
    list = await refreshProjectList(url, join(dir, 'list.bin'), FAST);
  });

  it('has a present name in any spelling once normalized', () => {
    for (const spelling of ['numpy', 'NumPy', 'OpenSea', '0-._.-._.-._.-._.-._.-._.-0', '0_0', '00SMALINUX', 'PyTon', '00print.lol', 'Tensorflow_GPU', '0', '102003053']) {
      expect(list.has(normalizeName(spelling)), spelling).toBe(true);
    }
  });

  it('does not have absent names, including prefixes and extensions of present ones', () => {
    for (const absent of ['opnsea', 'nump', 'numpyy', 'numpy-', 'tensorflow', 'tensorflow-gpu2', '0-', '00', 'zzz', '', 'requests2', 'caf\u00e9']) {
      expect(list.has(absent), absent).toBe(false);
    }
  });

  it('compares exactly: has() takes the normalized spelling', () => {
    expect(list.has('NumPy')).toBe(false);
    expect(list.has('00SMALINUX')).toBe(false);
  });

  it('lowerBound: 0 before the first name, size after the last, the index of a present name, the insertion point of an absent one', () => {
    expect(list.lowerBound('')).toBe(0);
    expect(list.lowerBound('-')).toBe(0); // '-' sorts before '0'
    expect(list.lowerBound('0')).toBe(0);
    expect(list.lowerBound('zzz')).toBe(list.size);
    expect(list.lowerBound('tensorflow-gpu')).toBe(list.size - 1);
    expect(list.lowerBound('tensorflow-gpu-')).toBe(list.size);
    const i = list.lowerBound('opensea');
    expect(list.at(i)).toBe('opensea');
    // `opensea` < `opensea0` < `openseed`: between two names, the later one.
    expect(list.at(list.lowerBound('opensea0'))).toBe('openseed');
    expect(list.lowerBound('opensea0')).toBe(i + 1);
    // A block by first letter, as the two-edit search scans it.
    const from = list.lowerBound('p');
    const to = list.lowerBound('q');
    expect(names(list).slice(from, to)).toEqual(EXPECTED.filter((n) => n.startsWith('p')));
    expect(names(list).slice(from, to)).toEqual(['phyton', 'pnsea', 'pyhon', 'pyston', 'pyton']);
  });

  it('lowerBound agrees with a linear search for every name and its neighbours', () => {
    const all = names(list);
    const linear = (s: string): number => {
      const k = all.findIndex((n) => n >= s);
      return k < 0 ? all.length : k;
    };
    for (const n of all) for (const q of [n, n.slice(0, -1), `${n}-`, `${n}a`]) expect(list.lowerBound(q), q).toBe(linear(q));
  });

  it('at and lengthAt give each name and its length', () => {
    expect(list.at(0)).toBe('0');
    expect(list.lengthAt(0)).toBe(1);
    const long = '1-photocritique-2-critique-ai-photo-3-photo-grammar-4-compose-ai-5-lenslytics-6-critique-nlp-7-photo-mentor-8-frame-analyzer-9-critique-parse-10-shot-sensei';
    const i = list.lowerBound(long);
    expect(list.at(i)).toBe(long);
    expect(list.lengthAt(i)).toBe(long.length);
    for (let k = 0; k < list.size; k++) expect(list.lengthAt(k)).toBe(list.at(k).length);
  });

  it('from() normalizes, deduplicates and sorts what it is given', () => {
    const l = ProjectList.from(['b', 'A_b', 'a-B', 'a.b', 'B'], { url: 'u', fetchedAt: 'f' });
    expect(l.size).toBe(2);
    expect(names(l)).toEqual(['a-b', 'b']);
    expect(ProjectList.from([], { url: 'u', fetchedAt: 'f' }).size).toBe(0);
    expect(ProjectList.from([], { url: 'u', fetchedAt: 'f' }).has('')).toBe(false);
  });
});

describe('ProjectList: saved and opened again', () => {
  it('round-trips the names and meta (url, fetchedAt from now, lastSerial from the JSON meta)', async () => {
    const { url } = await serve(json(JSON_PAGE));
    const file = projectListFile(dir);
    const list = await refreshProjectList(url, file, FAST);
    expect(file).toBe(join(dir, 'pypi-names.bin'));
    expect(list.meta).toEqual({ url, fetchedAt: '2026-11-27T09:30:00.000Z', lastSerial: JSON_SERIAL });

    const opened = ProjectList.open(file)!;
    expect(opened).toBeDefined();
    expect(opened.meta).toEqual({ url, fetchedAt: '2026-11-27T09:30:00.000Z', lastSerial: JSON_SERIAL });
    expect(opened.size).toBe(170);
    expect(names(opened)).toEqual(EXPECTED);
    expect(opened.has('opensea')).toBe(true);
    expect(opened.has('opnsea')).toBe(false);
    expect(readdirSync(dir)).toEqual(['pypi-names.bin']); // no temporary file left beside it
  });

  it('takes lastSerial for the HTML form from the x-pypi-last-serial response header', async () => {
    const { url } = await serve(html(HTML_PAGE, { 'x-pypi-last-serial': '33112406' }));
    const file = join(dir, 'list.bin');
    await refreshProjectList(url, file, FAST);
    expect(ProjectList.open(file)!.meta).toEqual({ url, fetchedAt: '2026-11-27T09:30:00.000Z', lastSerial: 33112406 });
  });

  it('prefers the serial in the JSON meta over the header', async () => {
    const { url } = await serve(json(JSON_PAGE, { 'x-pypi-last-serial': '1' }));
    expect((await refreshProjectList(url, join(dir, 'list.bin'), FAST)).meta.lastSerial).toBe(JSON_SERIAL);
  });

  it('has no lastSerial when neither the page nor a header gives one', async () => {
    const { url } = await serve(html(HTML_PAGE, { 'x-pypi-last-serial': 'soon' }));
    const file = join(dir, 'list.bin');
    await refreshProjectList(url, file, FAST);
    const meta = ProjectList.open(file)!.meta;
    expect(meta).toEqual({ url, fetchedAt: '2026-11-27T09:30:00.000Z' });
    expect('lastSerial' in meta).toBe(false);
  });

  it('creates the cache directory it saves into', () => {
    const file = projectListFile(join(dir, 'new', 'cache'));
    ProjectList.from(['numpy'], { url: 'u', fetchedAt: 'f' }).save(file);
    expect(names(ProjectList.open(file)!)).toEqual(['numpy']);
  });

  it('replaces a saved list with the new one', () => {
    const file = join(dir, 'list.bin');
    ProjectList.from(['numpy', 'requests'], { url: 'old', fetchedAt: 'f' }).save(file);
    ProjectList.from(['opensea'], { url: 'new', fetchedAt: 'g' }).save(file);
    const opened = ProjectList.open(file)!;
    expect(names(opened)).toEqual(['opensea']);
    expect(opened.meta.url).toBe('new');
  });

  it('reports a list it cannot write as a SourceError and leaves no temporary file', () => {
    const file = join(dir, 'list.bin');
    mkdirSync(join(file, 'occupied'), { recursive: true }); // a directory where the file should go
    let error: unknown;
    try {
      ProjectList.from(['numpy'], { url: 'u', fetchedAt: 'f' }).save(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'source-unreachable', message: expect.stringContaining(file) });
    expect(readdirSync(dir)).toEqual(['list.bin']);
  });

  it('open: undefined for a missing file', () => {
    expect(ProjectList.open(join(dir, 'pypi-names.bin'))).toBeUndefined();
  });

  it('open: undefined for a file that is not a packed index (the HTML page, an empty file)', () => {
    const file = join(dir, 'pypi-names.bin');
    writeFileSync(file, HTML_PAGE);
    expect(ProjectList.open(file)).toBeUndefined();
    writeFileSync(file, '');
    expect(ProjectList.open(file)).toBeUndefined();
  });

  it('open: undefined for a packed file of another format or without the list meta', () => {
    const { chars, start } = stringList(['numpy', 'requests']);
    const meta = { url: 'https://pypi.org/simple/', fetchedAt: '2026-11-27T09:30:00.000Z' };
    const file = join(dir, 'pypi-names.bin');
    writeFileSync(file, packArrays({ format: 2, meta }, { chars, start }));
    expect(ProjectList.open(file)).toBeUndefined();
    // The popular index's packed file: no format, other arrays.
    writeFileSync(file, packArrays({ version: 3, source: 'x' }, { hashes: new Uint32Array([1, 2]), values: new Int32Array([1]) }));
    expect(ProjectList.open(file)).toBeUndefined();
    writeFileSync(file, packArrays({ format: 1 }, { chars, start }));
    expect(ProjectList.open(file)).toBeUndefined();
    writeFileSync(file, packArrays({ format: 1, meta }, { chars }));
    expect(ProjectList.open(file)).toBeUndefined();
    // The same with format 1 and meta is a list: the cases above fail for the reason they name.
    writeFileSync(file, packArrays({ format: 1, meta }, { chars, start }));
    expect(names(ProjectList.open(file)!)).toEqual(['numpy', 'requests']);
  });

  it('open: undefined for a saved list cut short', () => {
    const file = join(dir, 'pypi-names.bin');
    ProjectList.from(['numpy', 'opensea', 'requests'], { url: 'u', fetchedAt: 'f' }).save(file);
    truncateSync(file, statSync(file).size - 8);
    expect(ProjectList.open(file)).toBeUndefined();
    truncateSync(file, 20); // inside the header
    expect(ProjectList.open(file)).toBeUndefined();
  });
});

describe('refreshProjectList: an answer that is not a whole list keeps the current one', () => {
  /** A list saved earlier, and its bytes. */
  function current(): { file: string; bytes: Buffer } {
    const file = projectListFile(dir);
    ProjectList.from(['numpy', 'opensea', 'requests'], { url: 'https://pypi.org/simple/', fetchedAt: '2026-11-01T00:00:00.000Z', lastSerial: 1 }).save(file);
    return { file, bytes: readFileSync(file) };
  }

  it('refuses a list below minNames with a SourceError and leaves the saved file byte-identical', async () => {
    const { file, bytes } = current();
    const { url } = await serve(html(HTML_PAGE));
    await expect(refreshProjectList(url, file, { ...FAST, minNames: 171 })).rejects.toMatchObject({
      code: 'source-bad-response',
      message: expect.stringMatching(/lists only 170 projects \(expected at least 171\); keeping the current list/),
    });
    await expect(refreshProjectList(url, file, { ...FAST, minNames: 171 })).rejects.toBeInstanceOf(SourceError);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['pypi-names.bin']);
  });

  it('accepts a list of exactly minNames', async () => {
    const { file } = current();
    const { url } = await serve(html(HTML_PAGE));
    expect((await refreshProjectList(url, file, { ...FAST, minNames: 170 })).size).toBe(170);
    expect(ProjectList.open(file)!.size).toBe(170);
  });

  it('counts names after deduplication and skipping against minNames', async () => {
    const { file, bytes } = current();
    // 171 links, but two spell the same project and one is not a name: 169 projects.
    const page = HTML_PAGE.toString('utf8').replace('<a href="0/">0</a>', '<a href="-bad-/">-bad-</a>').replace('<a href="numpy/">numpy</a>', '<a href="numpy/">numpy</a>\n<a href="numpy/">NumPy</a>');
    const { url } = await serve(html(page));
    await expect(refreshProjectList(url, file, { ...FAST, minNames: 170 })).rejects.toThrow(/lists only 169 projects/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses an empty 200 page (the default minNames of 100,000 included)', async () => {
    const { file, bytes } = current();
    const { url } = await serve(html('<!DOCTYPE html><html><body>\n</body></html>\n'));
    await expect(refreshProjectList(url, file, { backoffMs: 5, timeoutMs: 2000 })).rejects.toMatchObject({ code: 'source-bad-response', message: expect.stringMatching(/lists only 0 projects \(expected at least 100000\)/) });
    // The recorded excerpt is far below the default too.
    await server!.close();
    const second = await serve(html(HTML_PAGE));
    await expect(refreshProjectList(second.url, file, { backoffMs: 5, timeoutMs: 2000 })).rejects.toThrow(/lists only 170 projects \(expected at least 100000\)/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses JSON cut short and keeps the saved file', async () => {
    const { file, bytes } = current();
    const { url } = await serve(json(JSON_PAGE.subarray(0, JSON_PAGE.length / 2)));
    await expect(refreshProjectList(url, file, FAST)).rejects.toMatchObject({ code: 'source-bad-response', message: expect.stringMatching(/did not return valid JSON/) });
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('404: a SourceError (bad response), not retried, the saved file kept', async () => {
    const { file, bytes } = current();
    await serve(html(HTML_PAGE));
    const url = `${server!.url}/simpel/`;
    await expect(refreshProjectList(url, file, FAST)).rejects.toMatchObject({ code: 'source-bad-response', message: `${url} answered HTTP 404; expected the Simple API's list of projects` });
    expect(server!.requests).toEqual(['GET /simpel/']);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('500: retried, then source-unreachable with the hint about --url', async () => {
    const { file, bytes } = current();
    const { url } = await serve({ status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' });
    let error: unknown;
    try {
      await refreshProjectList(url, file, { ...FAST, retries: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('source-unreachable');
    expect((error as SourceError).message).toMatch(/could not fetch http:\/\/127\.0\.0\.1:\d+\/simple\/: HTTP 500 .*\(tried 3 times\); check the index URL \(--url\) and the network/);
    expect(server!.requests).toEqual(['GET /simple/', 'GET /simple/', 'GET /simple/']);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a 503 that passes is retried into a saved list', async () => {
    let failures = 2;
    const { url } = await serve(() => (failures-- > 0 ? { status: 503, body: 'busy' } : html(HTML_PAGE)));
    const file = join(dir, 'list.bin');
    expect((await refreshProjectList(url, file, FAST)).size).toBe(170);
    expect(server!.requests).toHaveLength(3);
    expect(ProjectList.open(file)!.size).toBe(170);
  });

  it('refuses a content type that is neither JSON nor HTML', async () => {
    const { file, bytes } = current();
    const { url } = await serve({ headers: { 'content-type': 'application/octet-stream' }, body: HTML_PAGE });
    await expect(refreshProjectList(url, file, FAST)).rejects.toMatchObject({
      code: 'source-bad-response',
      message: `${url} answered with application/octet-stream, which is neither PEP 691 JSON nor PEP 503 HTML`,
    });
    await server!.close();
    // Plain text, even of one name per line, is not a Simple API page.
    const second = await serve({ headers: { 'content-type': 'text/plain' }, body: EXPECTED.join('\n') });
    await expect(refreshProjectList(second.url, file, FAST)).rejects.toThrow(/answered with text\/plain/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });
});
