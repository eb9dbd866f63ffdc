/**
 * Real pip and real uv resolve unpinned requirements against a local PEP 503 index that serves real
 * wheels (testdata/index: six, python-dateutil, two idna releases), so no test touches the network.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimpleIndex, type SimpleIndex } from '../../../test/support/simple-index.js';
import { requireToolInCi, toolsPath } from '../../../test/support/tools.js';
import { parsePinnedLines, parsePipReport, resolveRequirements, ResolveError } from './resolve.js';

const INDEX_DIR = fileURLToPath(new URL('./testdata/index', import.meta.url));
let index: SimpleIndex;
let work: string;

beforeAll(async () => {
  index = await startSimpleIndex(INDEX_DIR);
  work = mkdtempSync(join(tmpdir(), 'pyward-resolve-test-'));
});
afterAll(() => index.close());

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: toolsPath(),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_NO_CACHE_DIR: '1',
    UV_CACHE_DIR: join(work, 'uv-cache'),
    UV_NO_CONFIG: '1',
  };
}

function requirements(body: string): string {
  const file = join(work, `req-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, `--index-url ${index.url}\n${body}`);
  return file;
}

const expected = [
  { name: 'idna', version: '2.10', requested: true },
  { name: 'python-dateutil', version: '2.8.2', requested: true },
  { name: 'six', version: '1.16.0', requested: false },
];
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

describe('resolveRequirements', () => {
  it('pip resolves ranges to the newest matching wheels and marks transitive deps', async () => {
    const file = requirements('python-dateutil>=2.8\nidna<3\n');
    const got = await resolveRequirements(file, { resolver: 'pip', env: env() });
    expect(got.sort(byName)).toEqual(expected);
    expect(index.requests).toContain('/simple/python-dateutil/');
  });

  it.runIf(requireToolInCi('uv'))('uv resolves the same set as pip', async () => {
    const file = requirements('python-dateutil>=2.8\nidna<3\n');
    const got = await resolveRequirements(file, { resolver: 'uv', env: env() });
    expect(got.sort(byName)).toEqual(expected);
  });

  it('an unsatisfiable requirement is a ResolveError, not a guess', async () => {
    const file = requirements('idna>=99\n');
    await expect(resolveRequirements(file, { resolver: 'pip', env: env() })).rejects.toBeInstanceOf(ResolveError);
  });
});

describe('resolver output parsing', () => {
  it('uv pip compile lines: markers and comments dropped, versions canonical', () => {
    expect(parsePinnedLines('# header\nSix==1.16.0 ; python_version >= "3"\n    # via x\nidna==2.10\n')).toEqual([
      { name: 'six', version: '1.16.0' },
      { name: 'idna', version: '2.10' },
    ]);
  });
  it('pip report: names normalized, requested flag kept, entries without metadata skipped', () => {
    const report = JSON.stringify({
      version: '1',
      install: [
        { requested: true, metadata: { name: 'Python_Dateutil', version: '2.8.2' } },
        { requested: false, metadata: { name: 'six', version: '1.16.0' } },
        { requested: false },
      ],
    });
    expect(parsePipReport(report)).toEqual([
      { name: 'python-dateutil', version: '2.8.2', requested: true },
      { name: 'six', version: '1.16.0', requested: false },
    ]);
  });
});
