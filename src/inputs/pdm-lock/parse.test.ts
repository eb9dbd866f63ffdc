import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byName, testdataBeside, thrown } from '../../../test/support/inputs.js';
import { InputError } from '../../core/errors.js';
import { parsePdmLock, pdmLock } from './parse.js';

const testdata = testdataBeside(import.meta.url);
const parseFile = (name: string) => parsePdmLock(readFileSync(testdata(name), 'utf8'), name);

describe('pdm.lock written by PDM', () => {
  const inventory = parseFile('app/pdm.lock');
  const { packages } = inventory;

  it('lists every locked package once, in file order', () => {
    expect(inventory.format).toBe('pdm-lock');
    expect(inventory.diagnostics).toEqual([]);
    expect(packages.map((p) => p.name)).toEqual([
      'certifi', 'chardet', 'click', 'colorama', 'flask', 'helper', 'idna', 'iniconfig', 'itsdangerous',
      'jinja2', 'markupsafe', 'packaging', 'pysocks', 'pywin32', 'requests', 'six', 'urllib3', 'werkzeug',
    ]);
  });

  it('merges the extras entry of requests into the plain one', () => {
    expect(byName(packages, 'requests')).toMatchObject({
      version: '2.25.0',
      source: { kind: 'registry' },
      extras: ['socks'],
      groups: ['default'],
      location: { file: 'app/pdm.lock', line: 308 },
      dependencies: ['certifi', 'chardet', 'idna', 'urllib3', 'pysocks'],
    });
    expect(byName(packages, 'requests').hashes).toHaveLength(2);
  });

  it('keeps groups, markers and hashes as PDM recorded them', () => {
    expect(byName(packages, 'colorama').groups).toEqual(['color']);
    expect(byName(packages, 'iniconfig').groups).toEqual(['dev']);
    expect(byName(packages, 'pywin32')).toMatchObject({ marker: 'sys_platform == "win32"', location: { line: 283 } });
    expect(byName(packages, 'pywin32').hashes).toHaveLength(15);
    expect(byName(packages, 'flask').dependencies).toEqual(['jinja2', 'werkzeug', 'click', 'itsdangerous']);
  });

  it('maps path and URL sources', () => {
    expect(byName(packages, 'helper')).toMatchObject({
      version: '0.2.0',
      source: { kind: 'path', url: './libs/helper' },
      dependencies: ['six'],
    });
    expect(byName(packages, 'helper').hashes).toBeUndefined();
    expect(byName(packages, 'packaging').source).toEqual({
      kind: 'url',
      url: 'https://files.pythonhosted.org/packages/88/ef/eb23f262cca3c0c4eb7ab1933c3b1f03d021f2c48f54763065b6f0e321be/packaging-24.2-py3-none-any.whl',
    });
  });

  it('marks as direct only what nothing else in the lock requires', () => {
    const direct = packages.filter((p) => p.direct === true).map((p) => p.name).sort();
    expect(direct).toEqual(['colorama', 'flask', 'helper', 'iniconfig', 'packaging', 'pywin32', 'requests']);
    // jinja2 is direct in pyproject.toml, but flask requires it too: the lock cannot tell.
    expect(byName(packages, 'jinja2').direct).toBeUndefined();
    expect(packages.some((p) => p.direct === false)).toBe(false);
  });
});

describe('pdm.lock edge cases', () => {
  it('empty.lock: no packages, no diagnostics', () => {
    expect(parseFile('empty.lock')).toEqual({ format: 'pdm-lock', path: 'empty.lock', packages: [], diagnostics: [] });
  });

  it("not-toml.lock: InputError input-parse at the parser's line", () => {
    const error = thrown(() => parseFile('not-toml.lock'));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'input-parse', location: { file: 'not-toml.lock', line: 3 } });
  });

  it('not-pdm.lock: a uv.lock under the wrong name is an InputError', () => {
    expect(() => parseFile('not-pdm.lock')).toThrow(expect.objectContaining({ code: 'input-unknown-format' }));
  });

  it('missing-version.lock: bad entries become diagnostics, the rest goes on', () => {
    const { packages, diagnostics } = parseFile('missing-version.lock');
    expect(packages.map((p) => [p.name, p.version])).toEqual([
      ['requests', undefined],
      ['urllib3', undefined],
      ['idna', '2.10'],
      ['local-tool', undefined],
    ]);
    expect(byName(packages, 'local-tool')).toMatchObject({
      source: { kind: 'editable', url: './tools/local-tool' },
      groups: ['dev'],
    });
    expect(diagnostics.map((d) => [d.severity, d.code, d.location?.line])).toEqual([
      ['error', 'missing-version', 8],
      ['error', 'missing-name', 11],
      ['error', 'invalid-version', 16],
    ]);
  });

  it('git-source.lock: git pinned to its revision, static URLs, a direct URL', () => {
    const { packages, diagnostics } = parseFile('git-source.lock');
    expect(diagnostics).toEqual([]);
    expect(byName(packages, 'httpx')).toMatchObject({
      version: '0.27.0',
      direct: true,
      source: { kind: 'vcs', url: 'git+https://github.com/encode/httpx.git@326b9431c761e1ef1e00b9f760d1ad8a0b84a6e4' },
      dependencies: ['idna'],
      location: { line: 14 },
    });
    expect(byName(packages, 'idna').source).toEqual({ kind: 'registry' });
    expect(byName(packages, 'idna').direct).toBeUndefined();
    expect(byName(packages, 'idna').hashes).toHaveLength(2);
    expect(byName(packages, 'wheel-from-url').source).toEqual({
      kind: 'url',
      url: 'https://example.org/dist/wheel_from_url-1.0-py3-none-any.whl',
    });
  });

  it('extras-and-markers.lock: an extras-only entry, groups and markers', () => {
    const { packages } = parseFile('extras-and-markers.lock');
    expect(packages.map((p) => p.name)).toEqual(['requests', 'pysocks', 'colorama']);
    expect(byName(packages, 'requests')).toMatchObject({ extras: ['socks'], dependencies: ['pysocks'], direct: true });
    expect(byName(packages, 'pysocks')).toMatchObject({ rawName: 'PySocks', groups: ['socks'] });
    expect(byName(packages, 'pysocks').direct).toBeUndefined();
    expect(byName(packages, 'colorama')).toMatchObject({
      groups: ['default', 'dev'],
      marker: 'sys_platform == "win32" or platform_system == "Windows"',
    });
  });

  it('unknown-lock-version.lock: warns and still reads', () => {
    const { packages, diagnostics } = parseFile('unknown-lock-version.lock');
    expect(packages.map((p) => p.name)).toEqual(['six']);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'unsupported-lock-version', location: { line: 4 } }]);
  });
});

describe('pdmLock format', () => {
  it('matches pdm.lock files only', () => {
    expect(pdmLock.matches('/repo/pdm.lock', false)).toBe(true);
    expect(pdmLock.matches('C:\\repo\\pdm.lock', false)).toBe(true);
    expect(pdmLock.matches('/repo/pdm.lock', true)).toBe(false);
    expect(pdmLock.matches('/repo/uv.lock', false)).toBe(false);
  });

  it('reads a file by path', async () => {
    const inventory = await pdmLock.read(testdata('git-source.lock'));
    expect(inventory.packages).toHaveLength(3);
  });

  it('a missing file is an InputError input-not-found', async () => {
    await expect(pdmLock.read(testdata('no-such.lock'))).rejects.toMatchObject({ code: 'input-not-found' });
  });
});
