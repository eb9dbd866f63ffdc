/**
 * `pyward check` through the real CLI: the acceptance interface (`--offline --format json NAME...`
 * and `--names FILE`), the labeled real typosquats, inputs shared with audit, and the online checks
 * against a local server that answers as PyPI does.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../src/sources/osv/testdata/server.js';
import { ProjectList, projectListFile } from '../src/sources/pypi/project-list.js';
import { newPypiState, pypiHandler } from '../src/sources/pypi/testdata/pypi-server.js';
import { pyward, pywardAsync, ROOT, SHARED } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'pyward-check-'));
const env = { PYWARD_CACHE_DIR: join(work, 'cache'), PIP_CONFIG_FILE: '/dev/null' };

interface Out {
  names: { name: string; input: string; location?: { file: string; line?: number }; findings: { kind: string; risk: string; target?: string; evidence: string[] }[] }[];
  skipped: { check: string; reason: string }[];
}

describe('pyward check --offline', () => {
  it('flags typosquats and combosquats with their target and evidence, and says what it skipped', () => {
    const r = pyward(['check', '--offline', '--format', 'json', 'reqeusts', 'numpy==2.1', 'python-flask'], { env });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Out;
    const by = Object.fromEntries(out.names.map((n) => [n.name, n.findings]));
    expect(by['reqeusts']).toEqual([expect.objectContaining({ kind: 'typosquat', target: 'requests', risk: expect.any(String) })]);
    expect(by['reqeusts']![0]!.evidence.join(' ')).toMatch(/requests/);
    expect(by['numpy']).toEqual([]);
    expect(by['python-flask']).toEqual([expect.objectContaining({ kind: 'combosquat', target: 'flask' })]);
    expect(out.skipped.map((s) => s.check)).toEqual(expect.arrayContaining(['existence', 'age', 'dependency confusion']));
  });

  it('popular names and their legitimate neighbours are quiet, exit 0', () => {
    const r = pyward(['check', '--offline', '--format', 'json', 'requests', 'python-dateutil', 'python_dateutil', 'pytest-cov', 'types-requests', 'flask'], { env });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Out).names.flatMap((n) => n.findings)).toEqual([]);
  });

  it('flags the labeled PyPI typosquats of the ecosyste.ms dataset whose target is popular, with that target (--names)', () => {
    const rows = readFileSync(join(SHARED, 'data/typosquats-ecosystems.csv'), 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => c[2] === 'pypi');
    expect(rows).toHaveLength(95);
    const popular = new Set(readFileSync(join(ROOT, 'data/pypi-top15000.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[1]));
    const file = join(work, 'names.txt');
    writeFileSync(file, rows.map((c) => c[0]).join('\n') + '\n');
    const r = pyward(['check', '--offline', '--format', 'json', '--names', file], { env });
    const out = JSON.parse(r.stdout) as Out;
    const hit = (bad: string, target: string) =>
      out.names.find((n) => n.input === bad)?.findings.some((f) => f.target === target.toLowerCase().replace(/[-_.]+/g, '-'));
    const popularRows = rows.filter(([, target]) => popular.has(target!.toLowerCase()));
    const misses = popularRows.filter(([bad, target]) => !hit(bad!, target!)).map(([bad]) => bad);
    // The one in-list miss and the rows whose target is not popular are explained in
    // src/checks/names/labeled.test.ts, which pins each of them.
    expect(misses).toEqual(['fairsequence']);
    expect(popularRows.length - misses.length).toBe(74);
    expect(out.names.find((n) => n.input === rows[0]![0])?.location).toEqual({ file, line: 1 });
  });

  it('reads the same inputs as audit and locates findings on their lines', () => {
    const file = join(work, 'requirements.txt');
    writeFileSync(file, 'requests==2.31.0\ncolourama==0.4.6\n');
    const r = pyward(['check', '--offline', '--format', 'json', '-r', file], { env });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.names.find((n) => n.name === 'colourama')).toMatchObject({ location: { file, line: 2 }, findings: [{ target: 'colorama' }] });
  });

  it('an invalid name is one line, exit 2', () => {
    const r = pyward(['check', '--offline', 'not a name!'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('pyward check online (local PyPI)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(pypiHandler(newPypiState()));
  });
  afterAll(() => server.close());

  it('a missing name is not-found and a one-release, link-less project is a slopsquat', async () => {
    const r = await pywardAsync(
      ['check', '--format', 'json', '--pypi-url', server.url, '--github-api-url', server.url, '--dns-server', '127.0.0.1:9',
        '--young-days', '100000', 'huggingface-cli', 'no-such-project-xyz'],
      { env },
    );
    const out = JSON.parse(r.stdout) as Out;
    const by = Object.fromEntries(out.names.map((n) => [n.name, n.findings.map((f) => f.kind)]));
    expect(by['no-such-project-xyz']).toContain('not-found');
    expect(by['huggingface-cli']).toContain('slopsquat');
    expect(r.code).toBe(1);
    expect(out.skipped.map((s) => s.reason)).not.toContain('offline');
  });

  it("with PyPI's project list in the cache, a missing name also gets the existing project it is a slip from", async () => {
    const cache = join(work, 'cache-with-list');
    ProjectList.from(['huggingface-cli', 'huggingface-clip', 'no-such-project-xy', 'numpy'], { url: 'https://pypi.org/simple/', fetchedAt: new Date().toISOString() }).save(
      projectListFile(cache),
    );
    const r = await pywardAsync(
      ['check', '--format', 'json', '--pypi-url', server.url, '--github-api-url', server.url, '--dns-server', '127.0.0.1:9',
        '--young-days', '100000', 'no-such-project-xyz', 'huggingface-cli'],
      { env: { ...env, PYWARD_CACHE_DIR: cache } },
    );
    const out = JSON.parse(r.stdout) as Out;
    // A young project (a slopsquat while it is live) gets the other existing names near it, never itself.
    const young = out.names[1]!.findings.find((f) => f.kind === 'slopsquat')!;
    expect(young.target).toBe('huggingface-clip');
    expect(young.evidence).toContain("closest existing project: 'huggingface-clip' (1 edit: dropped letter 'p')");
    const missing = out.names[0]!.findings.find((f) => f.kind === 'not-found')!;
    // The online answer (the local PyPI's 404) is the source; the list only adds the neighbour.
    expect(missing.evidence[0]).toBe(`'no-such-project-xyz' does not exist on ${server.url}`);
    expect(missing.target).toBe('no-such-project-xy');
    expect(missing.evidence).toContain("closest existing project: 'no-such-project-xy' (1 edit: added letter 'z')");
  });
});
