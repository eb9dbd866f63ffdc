/**
 * `pyward db update --pypi-names` through the built CLI against a local index that serves the
 * Simple API root page as the real one did (PEP 503 HTML, text/html): the list is kept in the cache
 * directory, `db status` shows it, and `check --offline` then finds missing names and the existing
 * project meant; without the list, or with a private index configured, the existence check is skipped.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../src/sources/osv/testdata/server.js';
import { pyward, pywardAsync, ROOT } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'pyward-pypi-names-cli-'));
const cache = join(work, 'cache');
const fresh = join(work, 'fresh-cache');
// PIP_CONFIG_FILE=/dev/null: pip's files on this machine (/etc/pip.conf) must not configure an index.
const env = { PYWARD_CACHE_DIR: join(work, 'default-cache'), PIP_CONFIG_FILE: '/dev/null' };

// The recorded excerpt of PyPI's root page (src/sources/pypi/testdata/simple-root.html): 170 real
// entries, among them opensea, pnsea and numpy.
const recorded = readFileSync(join(ROOT, 'src/sources/pypi/testdata/simple-root.html'), 'utf8');
// SYNTHETIC PADDING, not recorded data: the CLI refuses a list of fewer than 100,000 projects (a
// real page has over 900,000), so the full-size page is the real entries plus `pkg-000001` ..
// `pkg-100000` in the same markup, inserted before the page's footer.
const SYNTHETIC = 100_000;
const padding = Array.from({ length: SYNTHETIC }, (_, i) => {
  const name = `pkg-${String(i + 1).padStart(6, '0')}`;
  return `<a href="${name}/">${name}</a>\n`;
}).join('');
const lastLink = recorded.lastIndexOf('</a>\n') + '</a>\n'.length;
const fullPage = recorded.slice(0, lastLink) + padding + recorded.slice(lastLink);
const PROJECTS = 170 + SYNTHETIC;

interface CheckJson {
  names: { name: string; findings: { kind: string; risk: string; target?: string; evidence: string[] }[] }[];
  skipped: { check: string; reason: string }[];
}

let server: TestServer;
let url: string;
beforeAll(async () => {
  expect(padding.match(/<a /g)).toHaveLength(SYNTHETIC);
  expect(fullPage.match(/<a /g)).toHaveLength(PROJECTS);
  // db status reports the advisory database too (and fails without one): give each cache dir one.
  for (const dir of [cache, fresh]) expect(pyward(['db', 'import', 'examples/advisories', '--cache-dir', dir], { env }).code).toBe(0);
  server = await startServer((req) => {
    if (req.url === '/simple/') return { headers: { 'content-type': 'text/html' }, body: fullPage };
    if (req.url === '/excerpt/simple/') return { headers: { 'content-type': 'text/html' }, body: recorded };
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 Not Found' };
  });
  url = `${server.url}/simple/`;
});
afterAll(async () => {
  await server.close();
});

describe('check --offline before any list is fetched', () => {
  it('reports no missing name and lists existence as skipped, pointing at --pypi-names', () => {
    const r = pyward(['check', '--offline', '--format', 'json', '--cache-dir', fresh, 'opnsea', 'numpy'], { env });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CheckJson;
    expect(report.names.flatMap((n) => n.findings).filter((f) => f.kind === 'not-found')).toEqual([]);
    const existence = report.skipped.find((s) => s.check === 'existence');
    expect(existence?.reason).toMatch(/--pypi-names/);
  });

  it('db status on a machine with nothing yet: the lists are shown, the missing database is one line on stderr, exit 3', () => {
    const empty = join(work, 'empty-cache');
    const r = pyward(['db', 'status', '--cache-dir', empty], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^advisories: none \(`pyward db update` downloads them/m);
    expect(r.stdout).toMatch(/^popular: +\d+ projects in .*pypi-top15000\.tsv \(shipped with pyward/m);
    expect(r.stdout).toMatch(/^pypi names: none/m);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^pyward: no advisory database at .*empty-cache/)]);
    const json = pyward(['db', 'status', '--format', 'json', '--cache-dir', empty], { env });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ missing: true, file: join(empty, 'osv.db'), pypiNames: null, popular: { shipped: true } });
  });

  it('db status says there is no list', () => {
    const r = pyward(['db', 'status', '--format', 'json', '--cache-dir', fresh], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).pypiNames).toBeNull();
    expect(pyward(['db', 'status', '--cache-dir', fresh], { env }).stdout).toMatch(/pypi names: none \(`pyward db update --pypi-names` fetches them/);
  });
});

describe('pyward db update --pypi-names', () => {
  it('downloads the list into the cache directory and says how many names it kept', async () => {
    const r = await pywardAsync(['db', 'update', '--pypi-names', '--url', url, '--cache-dir', cache], { env });
    expect(r.stderr).toBe(`${PROJECTS} PyPI project names from ${url} in ${join(cache, 'pypi-names.bin')}\n`);
    expect(r.code).toBe(0);
    expect(server.requests).toEqual(['GET /simple/']);
  });

  it('db status shows the list: projects, url, when', () => {
    const r = pyward(['db', 'status', '--format', 'json', '--cache-dir', cache], { env });
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as { pypiNames: Record<string, unknown>; records: number };
    expect(status.pypiNames).toEqual({ file: join(cache, 'pypi-names.bin'), projects: PROJECTS, url, fetchedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), ageDays: 0 });
    expect(Date.now() - Date.parse(status.pypiNames['fetchedAt'] as string)).toBeLessThan(10 * 60_000);
    expect(pyward(['db', 'status', '--cache-dir', cache], { env }).stdout).toMatch(
      new RegExp(`pypi names: ${PROJECTS} projects in .*pypi-names\\.bin, fetched \\S+ \\(0 days ago\\) from http://127\\.0\\.0\\.1:\\d+/simple/`),
    );
  });

  it('check --offline then finds a missing name and the existing project meant; nothing for numpy', () => {
    const r = pyward(['check', '--offline', '--format', 'json', '--cache-dir', cache, 'opnsea', 'numpy'], { env });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as CheckJson;
    const opnsea = report.names.find((n) => n.name === 'opnsea')!;
    // opensea (a letter left out) and pnsea (a letter added) are both one edit away: opensea keeps the first letter.
    expect(opnsea.findings).toEqual([expect.objectContaining({ kind: 'not-found', risk: 'high', target: 'opensea' })]);
    expect(opnsea.findings[0]!.evidence.join('\n')).toMatch(/its project list of \d{4}-\d\d-\d\d: 100,170 names/);
    expect(opnsea.findings[0]!.evidence.join('\n')).toMatch(/closest existing project: 'opensea'[\s\S]*also close: 'pnsea'/);
    expect(report.names.find((n) => n.name === 'numpy')!.findings).toEqual([]);
    expect(report.skipped.map((s) => s.check)).not.toContain('existence');
    expect(report.skipped.map((s) => s.check)).toContain('age');
  });

  it('audit reports a pinned dependency that PyPI no longer has (a taken-down package stays in old lockfiles)', () => {
    const reqs = join(work, 'locked.txt');
    writeFileSync(reqs, 'numpy==2.1.0\nopnsea==1.0\n');
    const r = pyward(['audit', '-r', reqs, '--db', 'examples/advisories', '--format', 'json', '--cache-dir', cache], { env });
    expect(r.code).toBe(1);
    const deps = (JSON.parse(r.stdout) as { dependencies: { name: string; location: { line: number }; name_findings: { kind: string; target?: string }[] }[] }).dependencies;
    expect(deps.find((d) => d.name === 'numpy')!.name_findings).toEqual([]);
    const opnsea = deps.find((d) => d.name === 'opnsea')!;
    expect(opnsea.location.line).toBe(2);
    expect(opnsea.name_findings).toEqual([expect.objectContaining({ kind: 'not-found', risk: 'high', target: 'opensea' })]);
  });

  it('a name that exists only on the fetched list (a synthetic entry) is not reported missing', () => {
    const r = pyward(['check', '--offline', '--format', 'json', '--cache-dir', cache, 'pkg-099999', 'PKG_000001'], { env });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as CheckJson).names.flatMap((n) => n.findings)).toEqual([]);
  });

  it('with a private index in the requirements file, offline existence is skipped naming that index', () => {
    const reqs = join(work, 'requirements.txt');
    writeFileSync(reqs, '--extra-index-url https://private.example/simple/\nopnsea==1.0\nnumpy==2.1.0\n');
    const r = pyward(['check', '--offline', '--format', 'json', '--cache-dir', cache, '-r', reqs], { env });
    const report = JSON.parse(r.stdout) as CheckJson;
    expect(report.names.flatMap((n) => n.findings).filter((f) => f.kind === 'not-found')).toEqual([]);
    const existence = report.skipped.find((s) => s.check === 'existence');
    expect(existence?.reason).toMatch(/private index is configured \(https:\/\/private\.example\/simple\)/);
  });

  it('refuses the bare 170-name excerpt (below the 100,000 minimum), exit 3, and keeps the list', async () => {
    const before = readFileSync(join(cache, 'pypi-names.bin'));
    const r = await pywardAsync(['db', 'update', '--pypi-names', '--url', `${server.url}/excerpt/simple`, '--cache-dir', cache], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\/excerpt\/simple\/ lists only 170 projects \(expected at least 100000\); keeping the current list/);
    expect(readFileSync(join(cache, 'pypi-names.bin')).equals(before)).toBe(true);
    expect(JSON.parse(pyward(['db', 'status', '--format', 'json', '--cache-dir', cache], { env }).stdout).pypiNames.projects).toBe(PROJECTS);
  });

  it('a 404 index is a source error, exit 3', async () => {
    const r = await pywardAsync(['db', 'update', '--pypi-names', '--url', `${server.url}/nope/`, '--cache-dir', cache], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\/nope\/ answered HTTP 404/);
  });

  it('--popular and --pypi-names together are a usage error', async () => {
    const r = await pywardAsync(['db', 'update', '--popular', '--pypi-names', '--url', url, '--cache-dir', cache], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run them one at a time/);
  });

  it('a cache directory that cannot be made is one line, exit 2, before anything is downloaded', async () => {
    const before = server.requests.length;
    const r = await pywardAsync(['db', 'update', '--pypi-names', '--url', url, '--cache-dir', '/dev/null/cache'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot create the cache directory \/dev\/null\/cache \(ENOTDIR\): pass a writable --cache-dir/);
    expect(server.requests.length).toBe(before);
  });
});
