import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byName, testdataBeside, thrown } from '../../../test/support/inputs.js';
import { InputError } from '../../core/errors.js';
import { parsePylock, pylock } from './parse.js';

const testdata = testdataBeside(import.meta.url);
const parseFile = (name: string) => parsePylock(readFileSync(testdata(name), 'utf8'), name);
const LOCKED = [
  'certifi', 'chardet', 'click', 'colorama', 'flask', 'helper', 'idna', 'iniconfig', 'itsdangerous',
  'jinja2', 'markupsafe', 'packaging', 'pysocks', 'pywin32', 'requests', 'six', 'urllib3', 'werkzeug',
];

describe('pylock.toml exported by uv', () => {
  const inventory = parsePylock(readFileSync(testdata('pylock.uv-export.toml'), 'utf8'), 'pylock.toml');
  const { packages } = inventory;

  it('lists every package in file order, with the line of its name', () => {
    expect(inventory.format).toBe('pylock');
    expect(inventory.diagnostics).toEqual([]);
    expect(packages.map((p) => p.name)).toEqual(LOCKED);
    expect(byName(packages, 'certifi').location).toEqual({ file: 'pylock.toml', line: 8 });
    expect(byName(packages, 'werkzeug').location.line).toBe(258);
  });

  it('reads index packages with their hashes in `algorithm:hex` form', () => {
    const requests = byName(packages, 'requests');
    expect(requests).toMatchObject({ version: '2.25.0', source: { kind: 'registry', url: 'https://pypi.org/simple' } });
    expect(requests.hashes).toHaveLength(2);
    expect(requests.hashes?.every((h) => /^sha256:[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(inventory.indexUrls).toEqual(['https://pypi.org/simple']);
    // uv resolves extras and groups away, so these carry no scope.
    expect(byName(packages, 'colorama').groups).toBeUndefined();
    expect(byName(packages, 'pywin32')).toMatchObject({ marker: "sys_platform == 'win32'" });
    expect(byName(packages, 'pywin32').hashes).toHaveLength(15);
    expect(packages.every((p) => p.direct === undefined)).toBe(true);
  });

  it('reads a version-less editable directory and an archive URL', () => {
    const helper = byName(packages, 'helper');
    expect(helper).toMatchObject({ source: { kind: 'editable', url: 'libs/helper' } });
    expect(helper.version).toBeUndefined();
    expect(byName(packages, 'packaging')).toMatchObject({
      version: '24.2',
      source: { kind: 'url', url: expect.stringMatching(/packaging-24\.2-py3-none-any\.whl$/) },
      hashes: ['sha256:09abb1bccd265c01f4a3aa3f7a7db064b36514d2cba19a2f694fe6150451a759'],
    });
  });
});

describe('pylock.toml exported by PDM', () => {
  const { packages, diagnostics } = parseFile('pylock.pdm-export.toml');

  it('lists every package in file order', () => {
    expect(diagnostics).toEqual([]);
    expect(packages.map((p) => p.name)).toEqual(LOCKED);
    expect(byName(packages, 'requests').location.line).toBe(324);
  });

  it('takes groups and extras from the scope markers', () => {
    expect(byName(packages, 'colorama').groups).toEqual(['color']);
    expect(byName(packages, 'iniconfig').groups).toEqual(['dev']);
    expect(byName(packages, 'pywin32')).toMatchObject({
      groups: ['default'],
      marker: 'sys_platform == "win32" and "default" in dependency_groups',
    });
  });

  it('registry packages without an index name keep their file hashes', () => {
    expect(byName(packages, 'six').source).toEqual({ kind: 'registry' });
    expect(byName(packages, 'six').hashes).toHaveLength(2);
    expect(byName(packages, 'helper')).toMatchObject({ version: '0.2.0', source: { kind: 'path', url: './libs/helper' } });
  });
});

describe('pylock edge cases', () => {
  it('empty.toml: no packages, no diagnostics', () => {
    expect(parseFile('empty.toml')).toEqual({ format: 'pylock', path: 'empty.toml', packages: [], diagnostics: [] });
  });

  it("not-toml.toml: InputError input-parse at the parser's line", () => {
    const error = thrown(() => parseFile('not-toml.toml'));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'input-parse', location: { file: 'not-toml.toml', line: 3 } });
  });

  it('not-pylock.toml: TOML of another format is an InputError', () => {
    expect(() => parseFile('not-pylock.toml')).toThrow(expect.objectContaining({ code: 'input-unknown-format' }));
  });

  it('unknown-lock-version.toml: an unknown major version is an error and no package is read', () => {
    const { packages, diagnostics } = parseFile('unknown-lock-version.toml');
    expect(packages).toEqual([]);
    expect(diagnostics).toMatchObject([
      { severity: 'error', code: 'unsupported-lock-version', location: { file: 'unknown-lock-version.toml', line: 2 } },
    ]);
  });

  it('a newer minor version is read as 1.x', () => {
    const { packages, diagnostics } = parsePylock('lock-version = "1.7"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n', 'pylock.toml');
    expect(diagnostics).toEqual([]);
    expect(packages).toHaveLength(1);
  });

  it('missing-lock-version.toml: an error, but packages are still read', () => {
    const { packages, diagnostics } = parseFile('missing-lock-version.toml');
    expect(packages.map((p) => p.name)).toEqual(['six']);
    expect(diagnostics).toMatchObject([{ severity: 'error', code: 'missing-lock-version' }]);
  });

  it('missing-version.toml: versions from file names, diagnostics for the rest', () => {
    const { packages, diagnostics } = parseFile('missing-version.toml');
    expect(packages.map((p) => [p.name, p.version])).toEqual([
      ['requests', '2.32.3'],
      ['idna', '3.7'],
      ['mystery', undefined],
      ['urllib3', undefined],
      ['local-tool', undefined],
    ]);
    expect(byName(packages, 'local-tool').source).toEqual({ kind: 'editable', url: 'tools/local-tool' });
    expect(diagnostics.map((d) => [d.severity, d.code, d.location?.line])).toEqual([
      ['warning', 'missing-version', 17],
      ['error', 'missing-name', 20],
      ['error', 'invalid-version', 24],
    ]);
  });

  it('git-source.toml: vcs pinned to its commit, archive URL and local archive', () => {
    const { packages, diagnostics } = parseFile('git-source.toml');
    expect(diagnostics).toEqual([]);
    expect(byName(packages, 'httpx')).toMatchObject({
      version: '0.27.0',
      source: { kind: 'vcs', url: 'git+https://github.com/encode/httpx.git@326b9431c761e1ef1e00b9f760d1ad8a0b84a6e4' },
      dependencies: ['idna', 'sniffio'],
      location: { line: 7 },
    });
    expect(byName(packages, 'attrs')).toMatchObject({
      source: { kind: 'url', url: 'https://example.org/dist/attrs-24.2.0.tar.gz' },
      hashes: ['sha256:5cfb1b9148b5b086569baec03f20d7b6bf3bcacc9a42bebf87ffaaca362f6346'],
    });
    expect(byName(packages, 'vendored').source).toEqual({ kind: 'path', url: 'vendor/vendored-0.1-py3-none-any.whl' });
  });

  it('extras-and-markers.toml: groups from extras and dependency_groups markers', () => {
    const { packages } = parseFile('extras-and-markers.toml');
    expect(byName(packages, 'pysocks')).toMatchObject({ rawName: 'PySocks', groups: ['socks'], marker: "'socks' in extras" });
    expect(byName(packages, 'pytest').groups).toEqual(['dev', 'docs']);
    expect(byName(packages, 'pywin32')).toMatchObject({ marker: "sys_platform == 'win32'" });
    expect(byName(packages, 'pywin32').groups).toBeUndefined();
  });
});

describe('pylock format', () => {
  it('matches pylock.toml and pylock.<name>.toml only', () => {
    expect(pylock.matches('/repo/pylock.toml', false)).toBe(true);
    expect(pylock.matches('/repo/pylock.dev.toml', false)).toBe(true);
    expect(pylock.matches('/repo/pylock.a.b.toml', false)).toBe(false);
    expect(pylock.matches('/repo/pylock..toml', false)).toBe(false);
    expect(pylock.matches('/repo/pyproject.toml', false)).toBe(false);
    expect(pylock.matches('/repo/pylock.toml', true)).toBe(false);
  });

  it('reads a file by path', async () => {
    const inventory = await pylock.read(testdata('git-source.toml'));
    expect(inventory.packages).toHaveLength(3);
  });
});
