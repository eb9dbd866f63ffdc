import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../sources/osv/testdata/server.js';
import { parseProjectJson, PypiJsonClient, type ProjectInfo } from '../../sources/pypi/project.js';
import { newPypiState, PYPI_TESTDATA, pypiHandler, type PypiState } from '../../sources/pypi/testdata/pypi-server.js';
import { checkSlopsquat, judgeProject } from './slopsquat.js';
import { pkg } from './testdata/packages.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0 };
const DAY = 86_400_000;
/** Twelve days after huggingface-cli's only upload. */
const DEC_20_2023 = Date.parse('2023-12-20T12:00:00Z');

function project(name: string): ProjectInfo {
  return parseProjectJson(name, 'https://pypi.org/pypi/x/json', JSON.parse(readFileSync(join(PYPI_TESTDATA, 'json', `${name}.json`), 'utf8')));
}
const J = { now: DEC_20_2023, youngDays: 30, minDescriptionLength: 200 };

describe('judgeProject', () => {
  it('reports a name that does not exist as not-found, high', () => {
    const f = judgeProject({ name: 'reqeusts-toolbelt2', exists: false, projectUrls: {}, releases: [], releasesListed: true, descriptionLength: 0, source: '' }, 'https://pypi.org', J);
    expect(f).toMatchObject({ kind: 'not-found', name: 'reqeusts-toolbelt2', risk: 'high' });
    expect(f!.evidence).toEqual([
      "'reqeusts-toolbelt2' does not exist on https://pypi.org",
      "installing it fails today and runs an attacker's code tomorrow if someone registers it",
    ]);
  });

  it('reports a young one-release project with no links and no description as high, naming every sign', () => {
    const f = judgeProject(project('huggingface-cli'), 'https://pypi.org', J);
    expect(f).toMatchObject({ kind: 'slopsquat', name: 'huggingface-cli', risk: 'high' });
    expect(f!.evidence).toEqual([
      'first upload 2023-12-08, 12 days ago (younger than 30 days)',
      'a single release (0.1)',
      'no project URLs, home page or source repository',
      'no description',
    ]);
    expect(f!.suggestion).toMatch(/AI assistants/);
  });

  it('says nothing about the same project once it is older than the window', () => {
    expect(judgeProject(project('huggingface-cli'), 'https://pypi.org', { ...J, now: DEC_20_2023 + 60 * DAY })).toBeUndefined();
    expect(judgeProject(project('huggingface-cli'), 'https://pypi.org', { ...J, youngDays: 7 })).toBeUndefined();
  });

  it('says nothing about an old, thin project: age is what marks a squat', () => {
    expect(judgeProject(project('tinyfmt'), 'https://pypi.org', { ...J, now: Date.parse('2025-01-01T00:00:00Z') })).toBeUndefined();
    expect(judgeProject(project('requests'), 'https://pypi.org', J)).toBeUndefined();
  });

  it('grows the risk with each sign: young alone is low, one more sign medium', () => {
    const young = project('requests');
    young.firstUpload = '2023-12-10T00:00:00Z';
    expect(judgeProject(young, 'x', J)).toMatchObject({ risk: 'low', evidence: ['first upload 2023-12-10, 10 days ago (younger than 30 days)'] });
    young.projectUrls = { Documentation: 'https://requests.readthedocs.io' };
    delete young.homePage;
    expect(judgeProject(young, 'x', J)).toMatchObject({ risk: 'medium', evidence: [expect.any(String), 'no source repository among its 1 link'] });
  });

  it('does not count "a single release" when the index did not list the history', () => {
    const p = project('huggingface-cli');
    p.releasesListed = false;
    const f = judgeProject(p, 'x', J)!;
    expect(f.evidence.some((e) => e.startsWith('a single release'))).toBe(false);
    expect(f.risk).toBe('high'); // still two signs: no links, no description
  });

  it('reports an existing name with nothing to install as a placeholder', () => {
    const p = project('requests');
    for (const r of p.releases) r.files = [];
    expect(judgeProject(p, 'https://pypi.org', J)).toMatchObject({ kind: 'slopsquat', risk: 'medium', evidence: ["'requests' exists on https://pypi.org but has no files to install", expect.any(String)] });
  });
});

describe('checkSlopsquat', () => {
  let server: TestServer | undefined;
  let state: PypiState;
  beforeEach(async () => {
    state = newPypiState();
    server = await startServer(pypiHandler(state));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('asks PyPI about each public name once and reports with the input location', async () => {
    const pypi = new PypiJsonClient({ ...FAST, baseUrl: server!.url });
    const res = await checkSlopsquat(
      [
        pkg('requests', { version: '2.32.3', line: 1 }),
        pkg('huggingface_cli', { line: 2 }),
        pkg('reqeusts-toolbelt2', { line: 3 }),
        pkg('Requests', { line: 4 }),
        pkg('acme-internal', { source: { kind: 'registry', url: 'https://pypi.acme.internal/simple/' }, line: 5 }),
        pkg('acme-utils', { line: 6 }),
        pkg('local-thing', { source: { kind: 'path', url: './local-thing' }, line: 7 }),
      ],
      { pypi, now: DEC_20_2023, privateNames: ['acme-utils'] },
    );
    expect(res.findings.map((f) => [f.kind, f.name, f.risk, f.location?.line])).toEqual([
      ['slopsquat', 'huggingface-cli', 'high', 2],
      ['not-found', 'reqeusts-toolbelt2', 'high', 3],
    ]);
    expect(res.findings[1]!.evidence[0]).toBe(`'reqeusts-toolbelt2' does not exist on ${server!.url}`);
    expect(server!.requests.sort()).toEqual(['GET /pypi/huggingface-cli/json', 'GET /pypi/reqeusts-toolbelt2/json', 'GET /pypi/requests/json']);
    expect(res.skipped).toEqual([]);
  });

  it('warns when a non-PyPI base says every name is missing (a mirror without the JSON API)', async () => {
    const pypi = new PypiJsonClient({ ...FAST, baseUrl: `${server!.url}/mirror` });
    const res = await checkSlopsquat([pkg('requests'), pkg('flask'), pkg('numpy')], { pypi, now: DEC_20_2023 });
    expect(res.findings).toHaveLength(3);
    expect(res.diagnostics).toEqual([{ severity: 'warning', code: 'index-without-json-api', message: expect.stringMatching(/none of the 3 names exists/) }]);
  });

  it('does not look up invalid names, and says so', async () => {
    const pypi = new PypiJsonClient({ ...FAST, baseUrl: server!.url });
    const res = await checkSlopsquat([pkg('-bad name-')], { pypi, now: DEC_20_2023 });
    expect(res.findings).toEqual([]);
    expect(res.diagnostics[0]).toMatchObject({ code: 'invalid-name' });
    expect(server!.requests).toEqual([]);
  });

  it('skips a name whose answer is broken and goes on with the rest', async () => {
    state.override = new Map([['/pypi/huggingface-cli/json', { message: 'not a project' }]]);
    const pypi = new PypiJsonClient({ ...FAST, baseUrl: server!.url });
    const res = await checkSlopsquat([pkg('huggingface-cli'), pkg('reqeusts-toolbelt2')], { pypi, now: DEC_20_2023 });
    expect(res.findings.map((f) => f.name)).toEqual(['reqeusts-toolbelt2']);
    expect(res.skipped).toEqual([{ check: 'existence', reason: expect.stringMatching(/no "info" object/), names: ['huggingface-cli'] }]);
  });

  it('fails the run when PyPI cannot be reached at all', async () => {
    state.fail503 = 100;
    const pypi = new PypiJsonClient({ ...FAST, retries: 0, baseUrl: server!.url });
    await expect(checkSlopsquat([pkg('requests')], { pypi })).rejects.toMatchObject({ code: 'source-unreachable' });
  });

  it('offline, asks nothing and lists what it did not check', async () => {
    const res = await checkSlopsquat([pkg('huggingface-cli')], { offline: true, pypiOptions: { baseUrl: server!.url } });
    expect(res).toEqual({ findings: [], diagnostics: [], skipped: [{ check: 'existence', reason: 'offline' }, { check: 'age', reason: 'offline' }] });
    expect(server!.requests).toEqual([]);
  });
});
