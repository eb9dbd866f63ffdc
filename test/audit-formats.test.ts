/**
 * Every input format, on the real files its own tool wrote (see each testdata/REGENERATE.md), goes
 * through the real CLI: format detection, parsing, matching and the JSON report agree that the
 * requests 2.25.0 they all pin carries CVE-2023-32681 (PYSEC-2023-74), located in that file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pyward, SHARED } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'pyward-formats-'));
const db = join(work, 'advisories');
const env = { PYWARD_CACHE_DIR: join(work, 'cache') };

beforeAll(() => {
  mkdirSync(db);
  // Real PyPA records for the projects these lockfiles pin.
  for (const project of ['requests', 'urllib3', 'jinja2', 'flask', 'idna', 'certifi', 'werkzeug']) {
    const dir = join(SHARED, 'data/pypa-advisory-db/vulns', project);
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(db, f));
  }
});

const REAL_FILES: [format: string, path: string][] = [
  ['requirements-txt', 'src/inputs/requirements-txt/testdata/pip-compile-hashes.txt'],
  ['requirements-txt', 'src/inputs/requirements-txt/testdata/uv-pip-compile.txt'],
  ['requirements-txt', 'src/inputs/requirements-txt/testdata/pip-freeze.txt'],
  ['uv-lock', 'src/inputs/uv-lock/testdata/app/uv.lock'],
  ['pdm-lock', 'src/inputs/pdm-lock/testdata/app/pdm.lock'],
  ['poetry-lock', 'src/inputs/poetry-lock/testdata/real-poetry-2.5.1.lock'],
  ['poetry-lock', 'src/inputs/poetry-lock/testdata/real-poetry-1.2.2.lock'],
  ['pipfile-lock', 'src/inputs/pipfile-lock/testdata/real-pipenv-2026.10.3.lock'],
  ['pylock', 'src/inputs/pylock/testdata/pylock.uv-export.toml'],
  ['pylock', 'src/inputs/pylock/testdata/pylock.pdm-export.toml'],
  ['site-packages', 'src/inputs/site-packages/testdata/venv'],
];

interface Out {
  inputs: { path: string; format: string }[];
  dependencies: { name: string; version?: string; location?: { file: string; line?: number }; vulns?: { id: string; aliases: string[] }[] }[];
}

describe.each(REAL_FILES)('%s: %s', (format, path) => {
  it('is detected, parsed and audited', () => {
    const r = pyward(['audit', path, '--db', db, '--format', 'json', '--resolve', 'never'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.inputs.map((i) => i.format)).toEqual([format]);
    const requests = out.dependencies.find((d) => d.name === 'requests');
    expect(requests?.version).toBe('2.25.0');
    expect(requests?.vulns?.map((v) => v.id)).toContain('PYSEC-2023-74');
    expect(requests?.location?.file).toContain(path);
  });
});

describe('input detection', () => {
  it('a project directory is audited through its lockfile, not its pyproject.toml', () => {
    const r = pyward(['audit', 'src/inputs/uv-lock/testdata/app', '--db', db, '--format', 'json'], { env });
    const out = JSON.parse(r.stdout) as Out;
    expect(out.inputs).toEqual([{ path: 'src/inputs/uv-lock/testdata/app/uv.lock', format: 'uv-lock' }]);
  });

  it('a file whose name and content say nothing is a one-line usage hint, exit 2', () => {
    const r = pyward(['audit', 'src/inputs/pylock/testdata/REGENERATE.md', '--db', db], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/REGENERATE\.md: cannot tell the input format.*--input-format/);
  });

  it('--input-format overrides detection', () => {
    const r = pyward(['audit', '--input-format', 'requirements-txt', 'src/inputs/requirements-txt/testdata/requirements.in', '--db', db, '--format', 'json', '--resolve', 'never'], { env });
    expect(JSON.parse(r.stdout).inputs[0].format).toBe('requirements-txt');
  });
});
