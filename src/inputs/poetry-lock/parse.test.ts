import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byName, rejected, testdataBeside } from '../../../test/support/inputs.js';
import type { InputError } from '../../core/errors.js';
import { readInputText } from '../read.js';
import { parsePoetryLock, poetryLock } from './parse.js';

const testdata = testdataBeside(import.meta.url);
const readError = (path: string): Promise<InputError> => rejected(poetryLock.read(path));

describe('poetryLock.matches', () => {
  it('takes poetry.lock files only', () => {
    expect(poetryLock.matches('poetry.lock', false)).toBe(true);
    expect(poetryLock.matches('/a/b/poetry.lock', false)).toBe(true);
    expect(poetryLock.matches('/a/poetry.lock', true)).toBe(false);
    expect(poetryLock.matches('Pipfile.lock', false)).toBe(false);
    expect(poetryLock.matches('uv.lock', false)).toBe(false);
  });
});

describe('real lock written by Poetry 2.5.1 (lock-version 2.1)', async () => {
  const file = testdata('real-poetry-2.5.1.lock');
  const inv = await poetryLock.read(file);

  it('reads every [[package]] without diagnostics', () => {
    expect(inv.format).toBe('poetry-lock');
    expect(inv.path).toBe(file);
    expect(inv.packages).toHaveLength(24);
    expect(inv.diagnostics).toEqual([]);
  });

  it('keeps version, hashes, line, groups and dependencies of a registry package', () => {
    const requests = byName(inv, 'requests');
    expect(requests).toMatchObject({
      rawName: 'requests',
      version: '2.25.0',
      groups: ['main'],
      location: { file, line: 556 },
      hashes: [
        'sha256:e786fa28d8c9154e6a4de5d46a1d921b8749f8b74e28bde23768e5e16eece998',
        'sha256:7f1a0b932f4a60a1a65caa4263921bb7d9ee911957e0ae4a23a6dd08185ad5f8',
      ],
    });
    // PySocks is optional (only through requests[socks]), so it is not a plain dependency.
    expect(requests.dependencies).toEqual(['certifi', 'chardet', 'idna', 'urllib3']);
    expect(requests.direct).toBeUndefined();
  });

  it('records legacy sources (here PyPI reached through its Simple API, and an explicit mirror)', () => {
    expect(byName(inv, 'requests').source).toEqual({ kind: 'registry', url: 'https://pypi.org/simple' });
    expect(byName(inv, 'six').source).toEqual({ kind: 'registry', url: 'https://pypi.org/simple' });
    expect(inv.indexUrls).toEqual(['https://pypi.org/simple']);
  });

  it('tells url and editable directory sources apart', () => {
    expect(byName(inv, 'toml').source).toEqual({
      kind: 'url',
      url: 'https://files.pythonhosted.org/packages/44/6f/7120676b6d73228c96e17f1f794d8ab046fc910d781c8d151120c3f1569e/toml-0.10.2-py2.py3-none-any.whl',
    });
    const mylocal = byName(inv, 'mylocal');
    expect(mylocal.source).toEqual({ kind: 'editable', url: '../mylocal' });
    expect(mylocal.hashes).toBeUndefined();
    expect(mylocal.dependencies).toEqual(['six']);
  });

  it('keeps markers, dev groups and extras', () => {
    expect(byName(inv, 'colorama')).toMatchObject({ marker: 'sys_platform == "win32"', groups: ['main', 'dev'] });
    expect(byName(inv, 'pytest').groups).toEqual(['dev']);
    expect(byName(inv, 'pyyaml')).toMatchObject({ marker: 'extra == "yaml"', groups: ['main', 'extra:yaml'] });
  });

  it('gives every package a line that holds its [[package]] header', async () => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(file, 'utf8')).split('\n');
    for (const pkg of inv.packages) {
      expect(lines[(pkg.location.line ?? 0) - 1]).toBe('[[package]]');
      expect(lines[pkg.location.line ?? 0]).toBe(`name = "${pkg.rawName}"`);
    }
  });
});

describe('real lock written by Poetry 1.2.2 (lock-version 1.1)', async () => {
  const file = testdata('real-poetry-1.2.2.lock');
  const inv = await poetryLock.read(file);

  it('reads hashes from [metadata.files] and groups from category', () => {
    expect(inv.packages).toHaveLength(23);
    expect(inv.diagnostics).toEqual([]);
    expect(byName(inv, 'requests')).toMatchObject({
      version: '2.25.0',
      groups: ['main'],
      location: { file, line: 266 },
      hashes: [
        'sha256:e786fa28d8c9154e6a4de5d46a1d921b8749f8b74e28bde23768e5e16eece998',
        'sha256:7f1a0b932f4a60a1a65caa4263921bb7d9ee911957e0ae4a23a6dd08185ad5f8',
      ],
    });
    expect(byName(inv, 'pytest').groups).toEqual(['dev']);
    expect(byName(inv, 'markupsafe').hashes?.length).toBeGreaterThan(50);
  });

  it('maps the optional pyyaml to its extra and the path dependency to editable', () => {
    expect(byName(inv, 'pyyaml').groups).toEqual(['main', 'extra:yaml']);
    expect(byName(inv, 'mylocal').source).toEqual({ kind: 'editable', url: '../mylocal' });
    expect(byName(inv, 'mylocal').hashes).toBeUndefined();
  });
});

describe('edge cases', () => {
  it('empty.lock: no packages and a warning', async () => {
    const inv = await poetryLock.read(testdata('empty.lock'));
    expect(inv.packages).toEqual([]);
    expect(inv.diagnostics.map((d) => d.code)).toEqual(['empty-input']);
  });

  it('not-toml.lock: InputError input-parse with the line of the first bad token', async () => {
    const err = await readError(testdata('not-toml.lock'));
    expect(err.code).toBe('input-parse');
    expect(err.location).toMatchObject({ file: testdata('not-toml.lock'), line: 2 });
    expect(err.message).toContain('poetry lock');
  });

  it('other-toml.lock: valid TOML that is not a poetry.lock is rejected as unknown format', async () => {
    expect((await readError(testdata('other-toml.lock'))).code).toBe('input-unknown-format');
  });

  it('git-source.lock: pins the resolved commit and keeps the subdirectory', async () => {
    const inv = await poetryLock.read(testdata('git-source.lock'));
    expect(inv.diagnostics).toEqual([]);
    expect(byName(inv, 'demo-lib')).toMatchObject({
      version: '0.4.0',
      source: { kind: 'vcs', url: 'git+https://github.com/example/demo-lib.git@0123456789abcdef0123456789abcdef01234567' },
      location: { line: 4 },
    });
    expect(byName(inv, 'sub-pkg')).toMatchObject({
      rawName: 'Sub_Pkg',
      groups: ['dev'],
      source: { kind: 'vcs', url: 'git+https://github.com/example/monorepo.git@v1.0.0#subdirectory=packages/sub' },
    });
    expect(inv.indexUrls).toBeUndefined();
  });

  it('legacy-source.lock: a private index is recorded; a PyPI package has no index URL', async () => {
    const inv = await poetryLock.read(testdata('legacy-source.lock'));
    expect(inv.indexUrls).toEqual(['https://pypi.acme.example/simple']);
    expect(byName(inv, 'acme-internal')).toMatchObject({
      source: { kind: 'registry', url: 'https://pypi.acme.example/simple' },
      dependencies: ['requests'],
    });
    expect(byName(inv, 'requests').source).toEqual({ kind: 'registry' });
  });

  it('lock-v2.0-category.lock: category, markers table and old-style [extras] entries', async () => {
    const inv = await poetryLock.read(testdata('lock-v2.0-category.lock'));
    expect(inv.diagnostics).toEqual([]);
    expect(byName(inv, 'colorama')).toMatchObject({
      groups: ['dev'],
      marker: '(sys_platform == "win32") or (platform_system == "Windows")',
      hashes: ['sha256:4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6'],
    });
    expect(byName(inv, 'pyyaml')).toMatchObject({ rawName: 'PyYAML', groups: ['main', 'extra:yaml'] });
  });

  it('url-file-directory-sources.lock: url, path and non-develop directory', async () => {
    const inv = await poetryLock.read(testdata('url-file-directory-sources.lock'));
    expect(inv.packages.map((p) => [p.name, p.source])).toEqual([
      ['from-url', { kind: 'url', url: 'https://downloads.example/from_url-1.0-py3-none-any.whl' }],
      ['from-file', { kind: 'path', url: 'vendor/from_file-2.0.tar.gz' }],
      ['from-dir', { kind: 'path', url: 'libs/from-dir' }],
    ]);
  });

  it('bad-entries.lock: each bad entry is a diagnostic at its line, the rest is read', async () => {
    const file = testdata('bad-entries.lock');
    const inv = await poetryLock.read(file);
    expect(inv.packages.map((p) => p.name)).toEqual(['weird-version', 'odd-source', 'good']);
    expect(byName(inv, 'weird-version').version).toBeUndefined();
    expect(byName(inv, 'odd-source').source).toEqual({ kind: 'url', url: 'https://hg.example/odd' });
    expect(byName(inv, 'good')).toMatchObject({ version: '1.0.0', location: { line: 28 } });
    expect(inv.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['unknown-lock-version', undefined],
      ['invalid-entry', 4],
      ['invalid-entry', 8],
      ['invalid-version', 12],
      ['invalid-hash', 12],
      ['unknown-source-type', 20],
    ]);
  });
});

describe('pure parsing', () => {
  it('finds lines even when packages are an inline array', () => {
    const text = 'package = [\n  {name = "a", version = "1"},\n  {name = "b", version = "2"},\n]\n[metadata]\nlock-version = "2.1"\n';
    const inv = parsePoetryLock(text, 'poetry.lock');
    expect(inv.packages.map((p) => [p.name, p.location.line])).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
  });

  it('a lock with only [metadata] has no packages and no diagnostics', () => {
    const inv = parsePoetryLock('[metadata]\nlock-version = "2.1"\n', 'poetry.lock');
    expect(inv).toEqual({ format: 'poetry-lock', path: 'poetry.lock', packages: [], diagnostics: [] });
  });

  it('a non-array `package` key is a diagnostic, not a crash', () => {
    const inv = parsePoetryLock('package = "x"\n[metadata]\nlock-version = "2.1"\n', 'poetry.lock');
    expect(inv.diagnostics).toMatchObject([{ code: 'invalid-entry', location: { line: 1 } }]);
  });

  it('a non-array `package` is placed at the first blank line before it, as the pattern did', () => {
    const inv = parsePoetryLock('x = 1\n\n\n  package = 3\n[metadata]\nlock-version = "2.1"\n', 'poetry.lock');
    expect(inv.diagnostics).toMatchObject([{ code: 'invalid-entry', location: { line: 2 } }]);
  });

  it('a `package` table after 250,000 blank lines is placed in one pass', () => {
    // `^\s*package\s*=` rescanned every blank line below from each line start: 250,000 x 250,000.
    const inv = parsePoetryLock(`${'\n'.repeat(250_000)}[package]\nname = "a"\n[metadata]\nlock-version = "2.1"\n`, 'poetry.lock');
    expect(inv.diagnostics).toMatchObject([{ code: 'invalid-entry', location: { line: 1 } }]);
  });

  it('an inline array of 40,000 packages whose names are never on a `name =` line is not searched to the end per package', () => {
    // Each name not found sent the search to the end of the file again: 40,000 x 40,000 lines.
    const n = 40_000;
    const text = `package = [\n${Array.from({ length: n }, (_, i) => `  {"name" = "p${i}", version = "1.0"},\n`).join('')}]\n`;
    const inv = parsePoetryLock(text, 'poetry.lock');
    expect(inv.packages).toHaveLength(n);
    expect(inv.packages.every((p) => p.location.line === 1)).toBe(true);
  });
});

describe('reading files', () => {
  it('a missing file is input-not-found, a directory or an oversized file is input-unreadable, non-UTF-8 is input-parse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pyward-poetry-'));
    try {
      expect((await readError(join(dir, 'poetry.lock'))).code).toBe('input-not-found');
      await mkdir(join(dir, 'adir'));
      expect((await readError(join(dir, 'adir'))).code).toBe('input-unreadable');
      await writeFile(join(dir, 'latin1.lock'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
      expect((await readError(join(dir, 'latin1.lock'))).code).toBe('input-parse');
      await writeFile(join(dir, 'big.lock'), 'x'.repeat(100));
      await expect(readInputText(join(dir, 'big.lock'), 10)).rejects.toMatchObject({ code: 'input-unreadable' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
