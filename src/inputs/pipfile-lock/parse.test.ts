import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byName, rejected, testdataBeside } from '../../../test/support/inputs.js';
import type { InputError } from '../../core/errors.js';
import { readInputText } from '../read.js';
import { parsePipfileLock, pipfileLock, scanJson } from './parse.js';

const testdata = testdataBeside(import.meta.url);
const readError = (path: string): Promise<InputError> => rejected(pipfileLock.read(path));

describe('pipfileLock.matches', () => {
  it('takes Pipfile.lock files only', () => {
    expect(pipfileLock.matches('Pipfile.lock', false)).toBe(true);
    expect(pipfileLock.matches('/x/y/Pipfile.lock', false)).toBe(true);
    expect(pipfileLock.matches('Pipfile', false)).toBe(false);
    expect(pipfileLock.matches('poetry.lock', false)).toBe(false);
    expect(pipfileLock.matches('/x/Pipfile.lock', true)).toBe(false);
  });
});

describe('real Pipfile.lock written by pipenv 2026.10.3', async () => {
  const file = testdata('real-pipenv-2026.10.3.lock');
  const inv = await pipfileLock.read(file);

  it('reads both sections and the index URLs', () => {
    expect(inv.format).toBe('pipfile-lock');
    expect(inv.packages).toHaveLength(20);
    expect(inv.packages.filter((p) => p.groups?.[0] === 'develop').map((p) => p.name)).toEqual([
      'iniconfig',
      'packaging',
      'pluggy',
      'pytest',
    ]);
    expect(inv.indexUrls).toEqual(['https://pypi.org/simple', 'https://pypi.org/simple/']);
  });

  it('keeps version, extras, hashes, markers and the line of the entry', () => {
    expect(byName(inv, 'requests')).toEqual({
      name: 'requests',
      rawName: 'requests',
      version: '2.25.0',
      extras: ['socks'],
      marker:
        "python_version >= '2.7' and python_version != '3.0' and python_version != '3.1' and python_version != '3.2' and python_version != '3.3' and python_version != '3.4'",
      hashes: [
        'sha256:7f1a0b932f4a60a1a65caa4263921bb7d9ee911957e0ae4a23a6dd08185ad5f8',
        'sha256:e786fa28d8c9154e6a4de5d46a1d921b8749f8b74e28bde23768e5e16eece998',
      ],
      source: { kind: 'registry' },
      groups: ['default'],
      location: { file, line: 253 },
    });
    expect(byName(inv, 'pytest')).toMatchObject({ version: '7.4.4', groups: ['develop'], location: { line: 322 } });
  });

  it('resolves `index` to the URL of the named source', () => {
    expect(byName(inv, 'six').source).toEqual({ kind: 'registry', url: 'https://pypi.org/simple/' });
    expect(byName(inv, 'flask').source).toEqual({ kind: 'registry', url: 'https://pypi.org/simple' });
  });

  it('tells editable paths and remote files apart', () => {
    expect(byName(inv, 'mylocal')).toMatchObject({ source: { kind: 'editable', url: '../mylocal' }, location: { line: 240 } });
    expect(byName(inv, 'mylocal').version).toBeUndefined();
    expect(byName(inv, 'toml').source).toEqual({
      kind: 'url',
      url: 'https://files.pythonhosted.org/packages/44/6f/7120676b6d73228c96e17f1f794d8ab046fc910d781c8d151120c3f1569e/toml-0.10.2-py2.py3-none-any.whl',
    });
    expect(byName(inv, 'toml').hashes).toHaveLength(2);
  });

  it('reports the one entry pipenv could not pin (colorama, win32 only, locked on Linux)', () => {
    expect(byName(inv, 'colorama')).toMatchObject({ specifier: '', marker: "sys_platform == 'win32'", location: { line: 46 } });
    expect(inv.diagnostics).toEqual([
      expect.objectContaining({ code: 'unpinned', severity: 'warning', location: { file, line: 46 } }),
    ]);
  });
});

describe('edge cases', () => {
  it('empty.lock: no packages and a warning', async () => {
    const inv = await pipfileLock.read(testdata('empty.lock'));
    expect(inv.packages).toEqual([]);
    expect(inv.diagnostics.map((d) => d.code)).toEqual(['empty-input']);
  });

  it('not-json.lock: InputError input-parse at line 1', async () => {
    const err = await readError(testdata('not-json.lock'));
    expect(err.code).toBe('input-parse');
    expect(err.location).toEqual({ file: testdata('not-json.lock'), line: 1, column: 1 });
    expect(err.message).toContain('pipenv lock');
  });

  it('truncated.lock: the error points at the end of the text', async () => {
    const err = await readError(testdata('truncated.lock'));
    expect(err.code).toBe('input-parse');
    expect(err.location?.line).toBe(15);
  });

  it('JSON that is not a Pipfile.lock is input-unknown-format', async () => {
    expect((await readError(testdata('json-array.lock'))).code).toBe('input-unknown-format');
    expect((await readError(testdata('other-json.lock'))).code).toBe('input-unknown-format');
  });

  it('git-source.lock: ref pinned into the URL; a missing ref is a warning', async () => {
    const file = testdata('git-source.lock');
    const inv = await pipfileLock.read(file);
    expect(byName(inv, 'demo-lib')).toMatchObject({
      source: { kind: 'vcs', url: 'git+https://github.com/example/demo-lib.git@0123456789abcdef0123456789abcdef01234567' },
      location: { line: 17 },
    });
    expect(byName(inv, 'sub-pkg').source).toEqual({
      kind: 'vcs',
      url: 'git+ssh://git@github.com/example/monorepo.git#subdirectory=packages/sub',
    });
    expect(inv.diagnostics).toMatchObject([{ code: 'vcs-unpinned', location: { line: 21 } }]);
  });

  it('legacy-source.lock: private index, unknown index name and an insecure index', async () => {
    const inv = await pipfileLock.read(testdata('legacy-source.lock'));
    expect(inv.indexUrls).toEqual(['https://pypi.org/simple', 'https://pypi.acme.example/simple', 'http://mirror.acme.example/simple']);
    expect(byName(inv, 'acme-internal').source).toEqual({ kind: 'registry', url: 'https://pypi.acme.example/simple' });
    expect(byName(inv, 'ghost').source).toEqual({ kind: 'registry' });
    expect(byName(inv, 'six').source).toEqual({ kind: 'registry' });
    expect(inv.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['insecure-index', 10],
      ['unknown-index', 36],
    ]);
  });

  it('custom-category.lock: every category is a group; the same name in two is two packages', async () => {
    const inv = await pipfileLock.read(testdata('custom-category.lock'));
    expect(inv.packages.map((p) => [p.name, p.version, p.groups, p.location.line])).toEqual([
      ['six', '1.16.0', ['default'], 13],
      ['six', '1.15.0', ['develop'], 18],
      ['sphinx', '7.2.6', ['docs'], 23],
    ]);
    expect(inv.diagnostics).toEqual([]);
  });

  it('bad-entries.lock: each bad entry is a diagnostic at its line, the rest is read', async () => {
    const inv = await pipfileLock.read(testdata('bad-entries.lock'));
    expect(inv.packages.map((p) => p.name)).toEqual(['weird', 'ranged', 'good']);
    expect(byName(inv, 'weird')).toMatchObject({ specifier: '==not.a.version', hashes: ['sha256:abc'] });
    expect(byName(inv, 'ranged')).toMatchObject({ specifier: '>=1,<2' });
    expect(byName(inv, 'good')).toMatchObject({ version: '1.0.0' });
    expect(inv.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([
      ['invalid-source', 3],
      ['invalid-entry', 6],
      ['invalid-entry', 9],
      ['invalid-version', 10],
      ['invalid-hash', 10],
      ['unpinned', 14],
      ['invalid-entry', 22],
    ]);
  });
});

describe('scanJson', () => {
  it('a 12 MB string is scanned, not a RangeError', () => {
    // The string regex kept a backtrack entry per character and overflowed V8's stack at about 9 MB.
    const doc = { _meta: { hash: { sha256: 'a'.repeat(12_000_000) }, 'pipfile-spec': 6, requires: {}, sources: [] }, default: { six: { version: '==1.16.0' } }, develop: {} };
    const inv = parsePipfileLock(JSON.stringify(doc, null, 4), 'Pipfile.lock');
    expect(inv.packages.map((p) => [p.name, p.version, p.location.line])).toEqual([['six', '1.16.0', 11]]);
    expect(scanJson(`{"a": "${'b'.repeat(12_000_000)}`).errorAt).toBe(6); // the unclosed string's start
  });

  it('reads escapes in strings as JSON does', () => {
    expect(scanJson('{"a\\"\\u00e9\\n": "\\/"}').errorAt).toBeUndefined();
    expect(scanJson('{"a": "\\u00g0"}').errorAt).toBe(6);
    expect(scanJson('{"a": "\\x"}').errorAt).toBe(6);
    expect(scanJson('{"a": "\n"}').errorAt).toBe(6);
  });

  it('finds the lines of top-level and section keys, not deeper ones', () => {
    const text = '{\n "a": {\n  "x": {"deep": 1},\n  "y": [1, {"z": 2}]\n },\n "b": 3\n}';
    const { keyLines, errorAt } = scanJson(text);
    expect(errorAt).toBeUndefined();
    expect([...keyLines.get('')!]).toEqual([
      ['a', 2],
      ['b', 6],
    ]);
    expect([...keyLines.get('a')!]).toEqual([
      ['x', 3],
      ['y', 4],
    ]);
    expect(keyLines.size).toBe(2);
  });

  it('agrees with JSON.parse on what is valid', () => {
    const cases = [
      '{}',
      '[]',
      ' {"a": [1, -2.5e3, true, false, null, "s\\u00e9\\n"]} ',
      '{"a": 1,}',
      '[1 2]',
      '{"a" 1}',
      '01',
      '"\t"',
      '{"a": tru}',
      '{} {}',
      '',
      '[',
      '{"a": {"b": [}}',
    ];
    for (const text of cases) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect([text, scanJson(text).errorAt === undefined]).toEqual([text, valid]);
    }
  });

  it('survives very deep nesting', () => {
    const text = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(scanJson(text).errorAt).toBeUndefined();
  });

  it('points at the first bad character', () => {
    expect(scanJson('{\n  "a": 1,\n  "b": oops\n}').errorAt).toBe(19);
  });
});

describe('pure parsing and reading', () => {
  it('an empty object is an empty inventory; a BOM is tolerated', () => {
    expect(parsePipfileLock('\uFEFF{}', 'Pipfile.lock')).toEqual({ format: 'pipfile-lock', path: 'Pipfile.lock', packages: [], diagnostics: [] });
  });

  it('missing file, non-UTF-8 and oversized files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pyward-pipfile-'));
    try {
      expect((await readError(join(dir, 'Pipfile.lock'))).code).toBe('input-not-found');
      expect((await readError(dir)).code).toBe('input-unreadable');
      await writeFile(join(dir, 'bin.lock'), Buffer.from([0x7b, 0xff, 0x7d]));
      expect((await readError(join(dir, 'bin.lock'))).code).toBe('input-parse');
      await writeFile(join(dir, 'big.lock'), '{}'.repeat(100));
      await expect(readInputText(join(dir, 'big.lock'), 10)).rejects.toMatchObject({ code: 'input-unreadable' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
