import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byName, testdataBeside, thrown } from '../../../test/support/inputs.js';
import { InputError } from '../../core/errors.js';
import { parseUvLock, uvLock } from './parse.js';

const testdata = testdataBeside(import.meta.url);
const parseFile = (name: string) => parseUvLock(readFileSync(testdata(name), 'utf8'), name);

describe('uv.lock written by uv (app: virtual project)', () => {
  const inventory = parseFile('app/uv.lock');
  const { packages } = inventory;

  it('lists every locked package except the project itself, in file order', () => {
    expect(inventory.format).toBe('uv-lock');
    expect(inventory.diagnostics).toEqual([]);
    expect(packages.map((p) => p.name)).toEqual([
      'certifi', 'chardet', 'click', 'colorama', 'flask', 'helper', 'idna', 'iniconfig', 'itsdangerous',
      'jinja2', 'markupsafe', 'packaging', 'pysocks', 'pywin32', 'requests', 'six', 'urllib3', 'werkzeug',
    ]);
    expect(packages.some((p) => p.name === 'uvapp')).toBe(false);
  });

  it('gives each package its version, registry, hashes and the line of its name', () => {
    const requests = byName(packages, 'requests');
    expect(requests).toMatchObject({
      rawName: 'requests',
      version: '2.25.0',
      source: { kind: 'registry', url: 'https://pypi.org/simple' },
      location: { file: 'app/uv.lock', line: 273 },
      dependencies: ['certifi', 'chardet', 'idna', 'urllib3', 'pysocks'],
      extras: ['socks'],
    });
    expect(requests.hashes).toHaveLength(2);
    expect(requests.hashes?.every((h) => /^sha256:[0-9a-f]{64}$/.test(h))).toBe(true);
    expect(byName(packages, 'pywin32').hashes).toHaveLength(15);
    expect(byName(packages, 'certifi').location.line).toBe(6);
    expect(byName(packages, 'werkzeug').location.line).toBe(349);
    expect(inventory.indexUrls).toEqual(['https://pypi.org/simple']);
  });

  it('marks direct dependencies from the root entry, including extras and dev groups', () => {
    const direct = packages.filter((p) => p.direct).map((p) => p.name).sort();
    expect(direct).toEqual(['colorama', 'flask', 'helper', 'iniconfig', 'jinja2', 'packaging', 'pywin32', 'requests']);
    expect(byName(packages, 'werkzeug').direct).toBe(false);
  });

  it('names the groups that pull each package in, through transitive edges and extras', () => {
    expect(byName(packages, 'colorama').groups).toEqual(['color']);
    expect(byName(packages, 'iniconfig').groups).toEqual(['dev']);
    expect(byName(packages, 'markupsafe').groups).toEqual(['default']);
    // Only reachable through `requests[socks]`.
    expect(byName(packages, 'pysocks').groups).toEqual(['default']);
    expect(byName(packages, 'six').groups).toEqual(['default']);
  });

  it('carries a marker for packages only reached under one', () => {
    expect(byName(packages, 'pywin32').marker).toBe("sys_platform == 'win32'");
    expect(byName(packages, 'flask').marker).toBeUndefined();
  });

  it('maps editable and URL sources', () => {
    expect(byName(packages, 'helper')).toMatchObject({
      version: '0.2.0',
      source: { kind: 'editable', url: 'libs/helper' },
      dependencies: ['six'],
    });
    expect(byName(packages, 'packaging')).toMatchObject({
      version: '24.2',
      source: { kind: 'url', url: expect.stringMatching(/^https:\/\/files\.pythonhosted\.org\/.*packaging-24\.2-py3-none-any\.whl$/) },
      hashes: ['sha256:09abb1bccd265c01f4a3aa3f7a7db064b36514d2cba19a2f694fe6150451a759'],
    });
  });
});

describe('uv.lock written by uv (workspace with a forked resolution)', () => {
  const { packages, diagnostics } = parseFile('workspace/uv.lock');

  it('skips every workspace member and keeps both forks of six', () => {
    expect(diagnostics).toEqual([]);
    expect(packages.map((p) => `${p.name}==${p.version}`)).toEqual([
      'idna==3.20', 'iniconfig==2.3.1', 'six==1.16.0', 'six==1.17.0',
    ]);
  });

  it('resolves versioned edges to the right fork, with its marker', () => {
    const [six116, six117] = packages.filter((p) => p.name === 'six');
    expect(six116).toMatchObject({ direct: true, marker: "sys_platform == 'win32'", location: { line: 53 } });
    expect(six117).toMatchObject({ direct: true, marker: "sys_platform != 'win32'", location: { line: 65 } });
  });

  it("treats a member's own dependencies and groups as direct", () => {
    expect(byName(packages, 'idna')).toMatchObject({ direct: true, groups: ['default'] });
    expect(byName(packages, 'iniconfig')).toMatchObject({ direct: true, groups: ['test'] });
  });
});

describe('script lock written by uv (uv lock --script)', () => {
  it('takes direct dependencies from [manifest] requirements', () => {
    const { packages, diagnostics } = parseFile('script/demo.py.lock');
    expect(diagnostics).toEqual([]);
    expect(packages.map((p) => [p.name, p.version, p.direct, p.groups])).toEqual([
      ['idna', '3.20', true, ['default']],
      ['six', '1.17.0', true, ['default']],
    ]);
  });
});

describe('uv.lock edge cases', () => {
  it('empty.lock: no packages, no diagnostics', () => {
    expect(parseFile('empty.lock')).toEqual({ format: 'uv-lock', path: 'empty.lock', packages: [], diagnostics: [] });
  });

  it("not-toml.lock: InputError input-parse at the parser's line", () => {
    const error = thrown(() => parseFile('not-toml.lock'));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'input-parse', location: { file: 'not-toml.lock', line: 3 } });
    expect((error as InputError).describe()).toMatch(/^not-toml\.lock:3:\d+: not valid TOML: /);
  });

  it('not-uv.lock: a TOML file of another format is an InputError', () => {
    expect(() => parseFile('not-uv.lock')).toThrow(expect.objectContaining({ code: 'input-unknown-format' }));
  });

  it('missing-version.lock: bad entries become diagnostics, the rest goes on', () => {
    const { packages, diagnostics } = parseFile('missing-version.lock');
    expect(packages.map((p) => [p.name, p.version])).toEqual([
      ['requests', undefined],
      ['urllib3', undefined],
      ['idna', '2.10'],
      ['local-tool', undefined],
    ]);
    expect(byName(packages, 'local-tool').source).toEqual({ kind: 'path', url: 'tools/local-tool' });
    expect(diagnostics.map((d) => [d.severity, d.code, d.location?.line])).toEqual([
      ['error', 'missing-version', 7],
      ['error', 'missing-name', 10],
      ['error', 'invalid-version', 15],
    ]);
    // No root in this file, so it cannot say what is direct.
    expect(packages.every((p) => p.direct === undefined && p.groups === undefined)).toBe(true);
  });

  it('git-source.lock: a git source is a vcs package with the locked commit in its URL', () => {
    const { packages, diagnostics } = parseFile('git-source.lock');
    expect(diagnostics).toEqual([]);
    expect(byName(packages, 'httpx')).toMatchObject({
      version: '0.27.0',
      direct: true,
      source: { kind: 'vcs', url: 'https://github.com/encode/httpx?rev=0.27.0#326b9431c761e1ef1e00b9f760d1ad8a0b84a6e4' },
      location: { line: 19 },
    });
    expect(byName(packages, 'httpx').hashes).toBeUndefined();
    expect(byName(packages, 'idna')).toMatchObject({ direct: false, hashes: expect.arrayContaining([expect.stringMatching(/^sha256:/)]) });
  });

  it('extras-and-markers.lock: markers of all conditional edges, extras and groups', () => {
    const { packages } = parseFile('extras-and-markers.lock');
    expect(byName(packages, 'colorama').marker).toBe(
      "(platform_system == 'Windows') or (sys_platform == 'win32')",
    );
    expect(byName(packages, 'tqdm').marker).toBe("python_full_version >= '3.10'");
    expect(byName(packages, 'pysocks')).toMatchObject({ direct: false, groups: ['default'] });
    expect(byName(packages, 'requests')).toMatchObject({ direct: true, extras: ['socks'] });
    expect(byName(packages, 'rich')).toMatchObject({ direct: true, groups: ['cli'] });
    expect(byName(packages, 'pytest')).toMatchObject({ direct: true, groups: ['test'] });
  });

  it('unknown-lock-version.lock: warns and still reads', () => {
    const { packages, diagnostics } = parseFile('unknown-lock-version.lock');
    expect(packages.map((p) => p.name)).toEqual(['six']);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'unsupported-lock-version', location: { line: 2 } }]);
  });

  it('an unresolved edge is a warning at the entry that declares it, not a crash', () => {
    const text = 'version = 1\n[[package]]\nname = "app"\nversion = "1"\nsource = { virtual = "." }\ndependencies = [{ name = "ghost" }]\n';
    const { packages, diagnostics } = parseUvLock(text, 'uv.lock');
    expect(packages).toEqual([]);
    expect(diagnostics).toMatchObject([{ code: 'unresolved-dependency', location: { line: 3 } }]);
  });

  it('an inline array of package tables still gets lines', () => {
    const text = 'version = 1\npackage = [\n  { name = "six", version = "1.17.0" },\n  { name = "idna", version = "3.7" },\n]\n';
    const { packages } = parseUvLock(text, 'uv.lock');
    expect(packages.map((p) => [p.name, p.location.line])).toEqual([['six', 3], ['idna', 4]]);
  });
});

describe('uvLock format', () => {
  it('matches uv.lock files only', () => {
    expect(uvLock.matches('/repo/uv.lock', false)).toBe(true);
    expect(uvLock.matches('uv.lock', true)).toBe(false);
    expect(uvLock.matches('/repo/scripts/demo.py.lock', false)).toBe(true);
    expect(uvLock.matches('/repo/poetry.lock', false)).toBe(false);
  });

  it('reads a file by path, using the path as the location file', async () => {
    const path = testdata('git-source.lock');
    const inventory = await uvLock.read(path);
    expect(inventory.path).toBe(path);
    expect(inventory.packages[0]?.location.file).toBe(path);
  });

  it('a missing file is an InputError input-not-found', async () => {
    await expect(uvLock.read(testdata('no-such.lock'))).rejects.toMatchObject({ code: 'input-not-found' });
  });
});
