/**
 * Unpinned requirements are audited at the version a real resolver picks (pip here, against a local
 * PEP 503 index of real wheels), and reported as unpinned with --resolve never.
 */
import { copyFileSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pywardAsync as pyward, SHARED } from './support/cli.js';
import { startSimpleIndex, type SimpleIndex } from './support/simple-index.js';

const INDEX_DIR = fileURLToPath(new URL('../src/sources/resolver/testdata/index', import.meta.url));
let index: SimpleIndex;
const work = mkdtempSync(join(tmpdir(), 'pyward-audit-resolve-'));
const db = join(work, 'advisories');
const env = { PYWARD_CACHE_DIR: join(work, 'cache'), PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1' };

beforeAll(async () => {
  index = await startSimpleIndex(INDEX_DIR);
  mkdirSync(db);
  // The real PyPA record of CVE-2024-3651 (idna before 3.7).
  copyFileSync(join(SHARED, 'data/pypa-advisory-db/vulns/idna/PYSEC-2024-60.yaml'), join(db, 'PYSEC-2024-60.yaml'));
  writeFileSync(join(work, 'requirements.txt'), `--index-url ${index.url}\npython-dateutil>=2.8\nidna<3\n`);
});
afterAll(() => index.close());

interface Out {
  dependencies: { name: string; version?: string; vulns?: { id: string; fix_versions: string[] }[]; skip_reason?: string }[];
}

describe('auditing unpinned requirements', () => {
  it('resolves them with pip and audits the resolved versions, transitive ones included', async () => {
    const r = await pyward(['audit', join(work, 'requirements.txt'), '--db', db, '--resolver', 'pip', '--format', 'json'], { env });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Out;
    const deps = Object.fromEntries(out.dependencies.map((d) => [d.name, d]));
    expect(deps['idna']).toMatchObject({ version: '2.10', vulns: [{ id: 'PYSEC-2024-60', fix_versions: ['3.7'] }] });
    expect(deps['python-dateutil']).toMatchObject({ version: '2.8.2', vulns: [] });
    expect(deps['six']).toMatchObject({ version: '1.16.0', vulns: [] });
  });

  it('with --resolve never they are listed as skipped, with their specifier, never guessed', async () => {
    const r = await pyward(['audit', join(work, 'requirements.txt'), '--db', db, '--resolve', 'never', '--format', 'json'], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    const idna = out.dependencies.find((d) => d.name === 'idna');
    expect(idna?.version).toBeUndefined();
    expect(idna?.skip_reason).toMatch(/<3/);
  });
});
