import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byName, testdataBeside, thrown } from '../../../test/support/inputs.js';
import { InputError } from '../../core/errors.js';
import { readInputText } from '../read.js';
import { splitDottedKey, TomlText } from '../toml.js';
import { parsePyproject, pyproject } from './parse.js';
import { pythonConstraintMarker, translatePoetryConstraint } from './poetry.js';

const testdata = testdataBeside(import.meta.url);
const parseFile = (name: string) => parsePyproject(readFileSync(testdata(name), 'utf8'), name);
const codes = (name: string) => parseFile(name).diagnostics.map((d) => [d.code, d.location?.line]);

describe('pyproject.toml that uv locked (uv-app.toml)', () => {
  const { packages, diagnostics } = parseFile('uv-app.toml');

  it('lists [project] dependencies, extras and dependency groups, all direct, in file order', () => {
    expect(packages.map((p) => [p.name, p.location.line, p.groups])).toEqual([
      ['requests', 6, ['default']],
      ['flask', 7, ['default']],
      ['jinja2', 8, ['default']],
      ['pywin32', 9, ['default']],
      ['helper', 10, ['default']],
      ['packaging', 11, ['default']],
      ['colorama', 15, ['color']],
      ['iniconfig', 18, ['dev']],
    ]);
    expect(packages.every((p) => p.direct === true)).toBe(true);
  });

  it('a pin gives a version; anything else keeps its specifier and warns `unpinned`', () => {
    expect(byName(packages, 'requests')).toMatchObject({ version: '2.25.0', extras: ['socks'] });
    expect(byName(packages, 'requests').specifier).toBeUndefined();
    expect(byName(packages, 'flask')).toMatchObject({ specifier: '<2' });
    expect(byName(packages, 'flask').version).toBeUndefined();
    expect(byName(packages, 'jinja2')).toMatchObject({ specifier: '' });
    expect(byName(packages, 'pywin32')).toMatchObject({ marker: "sys_platform == 'win32'" });
    expect(diagnostics.map((d) => [d.severity, d.code, d.location?.line])).toEqual([
      ['warning', 'unpinned', 7],
      ['warning', 'unpinned', 8],
      ['warning', 'unpinned', 9],
      ['warning', 'unpinned', 15],
      ['warning', 'unpinned', 18],
    ]);
    expect(diagnostics[0]?.message).toMatch(/^flask<2 is not pinned/);
  });

  it('applies [tool.uv.sources] and direct URLs', () => {
    expect(byName(packages, 'helper').source).toEqual({ kind: 'editable', url: 'libs/helper' });
    expect(byName(packages, 'packaging').source).toMatchObject({ kind: 'url' });
    expect(byName(packages, 'packaging').version).toBeUndefined();
  });
});

describe('pyproject.toml that PDM locked (pdm-app.toml)', () => {
  it('reads file: URLs (with PDM placeholders) as path sources', () => {
    const { packages } = parseFile('pdm-app.toml');
    expect(byName(packages, 'helper').source).toEqual({ kind: 'path', url: 'file:///${PROJECT_ROOT}/libs/helper' });
    expect(packages).toHaveLength(8);
  });
});

describe('Poetry (poetry-caret.toml)', () => {
  const { packages, diagnostics, indexUrls } = parseFile('poetry-caret.toml');

  it('skips `python` and reads main, group and legacy dev dependencies in file order', () => {
    expect(packages.some((p) => p.name === 'python')).toBe(false);
    expect(packages.map((p) => p.name)).toEqual([
      'requests', 'attrs', 'six', 'click', 'urllib3', 'idna', 'zeroish', 'pinned-table', 'uvicorn', 'pywin32',
      'tomli', 'colorama', 'either', 'mylib', 'localpkg', 'wheelpkg', 'private', 'numpy', 'numpy', 'boto3',
      'pytest', 'mkdocs', 'black',
    ]);
    expect(byName(packages, 'requests').location).toEqual({ file: 'poetry-caret.toml', line: 10 });
    expect(byName(packages, 'boto3').location.line).toBe(32);
    expect(byName(packages, 'pytest')).toMatchObject({ groups: ['dev'], location: { line: 39 } });
    expect(byName(packages, 'mkdocs')).toMatchObject({ groups: ['docs'], version: '1.6.0' });
    expect(byName(packages, 'black')).toMatchObject({ groups: ['dev'], location: { line: 48 } });
  });

  it('translates carets, tildes, wildcards and bare versions to PEP 440', () => {
    const spec = (name: string) => byName(packages, name).specifier;
    expect(spec('requests')).toBe('>=2.25.1,<3.0.0');
    expect(spec('attrs')).toBe('>=21.4,<21.5');
    expect(spec('six')).toBe('');
    expect(spec('urllib3')).toBe('==1.26.*');
    expect(spec('idna')).toBe('>=2.5,<4');
    expect(spec('zeroish')).toBe('>=0.2.3,<0.3.0');
    expect(spec('boto3')).toBe('>=1.34.0,<1.35.0');
    expect(byName(packages, 'click')).toMatchObject({ version: '8.1.7' });
    expect(byName(packages, 'pinned-table')).toMatchObject({ version: '1.0.0' });
  });

  it('reads tables: extras, markers, python, platform, optional extras, sources', () => {
    expect(byName(packages, 'uvicorn').extras).toEqual(['standard']);
    expect(byName(packages, 'pywin32').marker).toBe("sys_platform == 'win32'");
    expect(byName(packages, 'tomli').marker).toBe('python_version < "3.11"');
    expect(byName(packages, 'colorama')).toMatchObject({ groups: ['color'], marker: 'sys_platform == "win32"' });
    expect(byName(packages, 'mylib').source).toEqual({ kind: 'vcs', url: 'git+https://github.com/example/mylib.git@v1.2.0' });
    expect(byName(packages, 'localpkg').source).toEqual({ kind: 'editable', url: '../localpkg' });
    expect(byName(packages, 'wheelpkg').source).toEqual({ kind: 'url', url: 'https://example.org/wheelpkg-1.0-py3-none-any.whl' });
    expect(byName(packages, 'private').source).toEqual({ kind: 'registry', url: 'https://pypi.internal.example/simple/' });
    expect(indexUrls).toEqual(['https://pypi.internal.example/simple/']);
    const numpy = packages.filter((p) => p.name === 'numpy');
    expect(numpy.map((p) => [p.specifier, p.marker])).toEqual([
      ['<1.25', 'python_version < "3.9"'],
      ['>=1.26,<2.0', 'python_version >= "3.9"'],
    ]);
  });

  it('warns `unpinned` for ranges and `unsupported-constraint` for unions, never for VCS/path/URL', () => {
    const flagged = diagnostics.map((d) => `${d.code}:${d.location?.line}`);
    expect(flagged).toContain('unsupported-constraint:22');
    expect(byName(packages, 'either').specifier).toBe('');
    expect(flagged).not.toContain('unpinned:23');
    expect(flagged).not.toContain('unpinned:24');
    expect(flagged).not.toContain('unpinned:25');
    expect(flagged).not.toContain('unpinned:13');
    expect(diagnostics.filter((d) => d.code === 'unpinned')).toHaveLength(16);
    expect(diagnostics.find((d) => d.location?.line === 10)?.message).toMatch(/^requests = "\^2\.25\.1" is not pinned/);
  });
});

describe('translatePoetryConstraint', () => {
  it.each([
    ['^1.2.3', '>=1.2.3,<2.0.0'],
    ['^1.2', '>=1.2,<2.0'],
    ['^1', '>=1,<2'],
    ['^0.2.3', '>=0.2.3,<0.3.0'],
    ['^0.0.3', '>=0.0.3,<0.0.4'],
    ['^0.0', '>=0.0,<0.1'],
    ['^0', '>=0,<1'],
    ['^2.0.0rc1', '>=2.0.0rc1,<3.0.0'],
    ['~1.2.3', '>=1.2.3,<1.3.0'],
    ['~1.2', '>=1.2,<1.3'],
    ['~1', '>=1,<2'],
    ['~=1.2', '~=1.2'],
    ['*', ''],
    ['', ''],
    ['1.2.*', '==1.2.*'],
    ['1.2.3', '==1.2.3'],
    ['=1.2.3', '==1.2.3'],
    ['>=1.2,<2.0', '>=1.2,<2.0'],
    ['>= 1.2, < 2.0', '>=1.2,<2.0'],
    ['>=1.2 <2.0', '>=1.2,<2.0'],
    ['!=1.5.*', '!=1.5.*'],
  ])('%s -> %s', (input, expected) => {
    expect(translatePoetryConstraint(input)).toEqual({ specifier: expected });
  });

  it('refuses what PEP 440 cannot say', () => {
    expect(translatePoetryConstraint('^1.0 || ^2.0')).toHaveProperty('error');
    expect(translatePoetryConstraint('^1.0 | ^2.0')).toHaveProperty('error');
    expect(translatePoetryConstraint('^abc')).toHaveProperty('error');
    expect(translatePoetryConstraint('>=*')).toHaveProperty('error');
  });

  it('turns python constraints into markers', () => {
    expect(pythonConstraintMarker('^3.8')).toBe('python_version >= "3.8" and python_version < "4.0"');
    expect(pythonConstraintMarker('>=3.8.1')).toBe('python_full_version >= "3.8.1"');
    expect(pythonConstraintMarker('*')).toBeUndefined();
  });
});

describe('PEP 735 dependency groups', () => {
  it('extras-and-markers.toml: includes add the including groups, uv sources and indexes apply', () => {
    const { packages, indexUrls } = parseFile('extras-and-markers.toml');
    expect(byName(packages, 'pytest')).toMatchObject({ version: '8.3.3', groups: ['test', 'ci', 'release'], location: { line: 21 } });
    expect(byName(packages, 'tox')).toMatchObject({
      groups: ['ci', 'release'],
      source: { kind: 'registry', url: 'https://pypi.corp.example/simple' },
    });
    expect(byName(packages, 'coverage').extras).toEqual(['toml']);
    expect(indexUrls).toEqual(['https://pypi.corp.example/simple']);
  });

  it('dependency-group-cycle.toml: a cycle is an error at the include that closes it; requirements still listed', () => {
    const { packages, diagnostics } = parseFile('dependency-group-cycle.toml');
    expect(packages.map((p) => [p.name, [...(p.groups ?? [])].sort()])).toEqual([
      ['pytest', ['lint', 'test', 'typing']],
      ['ruff', ['lint', 'test', 'typing']],
      ['mypy', ['lint', 'test', 'typing']],
    ]);
    const cycle = diagnostics.find((d) => d.code === 'include-cycle');
    expect(cycle).toMatchObject({ severity: 'error', location: { line: 11 } });
    expect(cycle?.message).toContain('test -> lint -> typing -> test');
    expect(diagnostics.filter((d) => d.code === 'include-cycle')).toHaveLength(1);
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.location?.line])).toEqual([
      ['include-cycle', 11],
      ['unknown-dependency-group', 12],
      ['invalid-dependency-group', 12],
    ]);
  });
});

describe('PEP 621 details (extras-and-markers.toml)', () => {
  const { packages } = parseFile('extras-and-markers.toml');

  it('reads extras, markers, === pins, quoted extra names and a repeated requirement on its own line', () => {
    expect(byName(packages, 'requests')).toMatchObject({ version: '2.31.0', extras: ['security', 'socks'] });
    expect(packages.filter((p) => p.name === 'requests').map((p) => p.location.line)).toEqual([7, 13]);
    expect(byName(packages, 'importlib-metadata')).toMatchObject({ specifier: '>=4', marker: "python_version < '3.10'" });
    expect(byName(packages, 'uvicorn')).toMatchObject({
      version: '0.30.1',
      groups: ['server'],
      marker: "platform_system != 'Windows'",
      location: { line: 17 },
    });
    expect(byName(packages, 'black')).toMatchObject({ version: '24.8.0', groups: ['Dev.Tools'], location: { line: 18 } });
  });

  it('maps VCS, file and uv path sources', () => {
    expect(byName(packages, 'tools').source).toEqual({ kind: 'vcs', url: 'git+https://github.com/example/tools.git@v1.0' });
    expect(byName(packages, 'local-wheel').source).toMatchObject({ kind: 'path' });
    expect(byName(packages, 'internal-lib')).toMatchObject({ source: { kind: 'editable', url: 'libs/internal-lib' } });
    expect(byName(packages, 'internal-lib').specifier).toBeUndefined();
  });
});

describe('pyproject edge cases', () => {
  it('empty.toml: no packages, no diagnostics', () => {
    expect(parseFile('empty.toml')).toEqual({ format: 'pyproject', path: 'empty.toml', packages: [], diagnostics: [] });
  });

  it("not-toml.toml: InputError input-parse at the parser's line", () => {
    const error = thrown(() => parseFile('not-toml.toml'));
    expect(error).toBeInstanceOf(InputError);
    // The missing comma after line 4 is noticed at the next string, where the parser stops.
    expect(error).toMatchObject({ code: 'input-parse', location: { file: 'not-toml.toml', line: 5 } });
  });

  it('not-pyproject.toml: TOML of another format is an InputError', () => {
    expect(() => parseFile('not-pyproject.toml')).toThrow(expect.objectContaining({ code: 'input-unknown-format' }));
  });

  it('invalid-requirement.toml: bad strings become errors at their line, the rest is read', () => {
    const { packages } = parseFile('invalid-requirement.toml');
    expect(packages.map((p) => [p.name, p.location.line])).toEqual([['requests', 7], ['six', 10]]);
    expect(codes('invalid-requirement.toml')).toEqual([
      ['dynamic-dependencies', 5],
      ['unpinned', 7],
      ['invalid-requirement', 8],
      ['invalid-requirement', 9],
    ]);
  });

  it('a [tool]-only pyproject (tool configuration) has no packages', () => {
    expect(parsePyproject('[tool.black]\nline-length = 100\n', 'pyproject.toml').packages).toEqual([]);
  });

  it('Poetry 2 does not list a [project] dependency twice', () => {
    const text = '[project]\nname = "x"\ndependencies = ["requests==2.31.0"]\n\n[tool.poetry.dependencies]\nrequests = { source = "corp" }\nrich = "^13"\n';
    expect(parsePyproject(text, 'pyproject.toml').packages.map((p) => p.name)).toEqual(['requests', 'rich']);
  });
});

describe('TomlText', () => {
  it('finds headers with quoted and spaced keys, and ignores brackets inside multi-line strings', () => {
    const toml = new TomlText('a = """\n[fake]\n"""\n[ tool . "poetry" ]\nname = "x"\n[[ package ]]\nname = "y"\n');
    expect(toml.keyPathLine(['tool', 'poetry', 'name'])).toBe(5);
    expect(toml.keyPathLine(['fake'])).toBeUndefined();
    expect(toml.arrayTableEntryLines(['package'])).toEqual([7]);
  });
});

describe('readInputText', () => {
  it('refuses a file over the size limit before reading it', async () => {
    await expect(readInputText(testdata('uv-app.toml'), 100)).rejects.toMatchObject({ code: 'input-unreadable' });
  });

  it('a directory is an InputError input-unreadable', async () => {
    await expect(readInputText(testdata(''))).rejects.toMatchObject({ code: 'input-unreadable' });
  });
});

describe('pyproject format', () => {
  it('matches pyproject.toml only', () => {
    expect(pyproject.matches('/repo/pyproject.toml', false)).toBe(true);
    expect(pyproject.matches('/repo/pyproject.toml', true)).toBe(false);
    expect(pyproject.matches('/repo/pylock.toml', false)).toBe(false);
  });

  it('reads a file by path', async () => {
    const inventory = await pyproject.read(testdata('uv-app.toml'));
    expect(inventory.packages).toHaveLength(8);
  });
});

describe('large hostile files', () => {
  it('a [tool.poetry.dependencies] table of 40,000 keys finds each line in one pass', () => {
    // Each key was looked for by a scan from the table's header: 40,000 x 40,000 lines.
    const n = 40_000;
    const text = `[tool.poetry.dependencies]\n${Array.from({ length: n }, (_, i) => `p${i} = "1.0"\n`).join('')}`;
    const { packages } = parsePyproject(text, 'pyproject.toml');
    expect(packages).toHaveLength(n);
    expect(packages.every((p, i) => p.location.line === i + 2)).toBe(true);
  });

  it('a dependencies array of 40,000 escaped strings is not searched to the end once per item', () => {
    // No item's text appears as written, so each search ran to the end of the table, five times.
    const n = 40_000;
    const text = `[project]\nname = "x"\nversion = "1"\ndependencies = [\n${Array.from({ length: n }, (_, i) => `"\\u0070${i}==1",\n`).join('')}]\n`;
    const { packages } = parsePyproject(text, 'pyproject.toml');
    expect(packages.map((p) => p.name)).toEqual(Array.from({ length: n }, (_, i) => `p${i}`));
    expect(packages.every((p) => p.location.line === 4)).toBe(true);
  });
});

describe('large hostile dependency groups', () => {
  it('60,000 groups that include one group are collected in one pass', () => {
    // Each include copied the list of the groups before it: 60,000 x 60,000 / 2 copies.
    const n = 60_000;
    const text = `[project]\nname = "x"\nversion = "1"\n[dependency-groups]\nbase = ["a==1"]\n${Array.from({ length: n }, (_, i) => `g${i} = [{include-group = "base"}]\n`).join('')}`;
    const { packages } = parsePyproject(text, 'pyproject.toml');
    expect(packages.map((p) => [p.name, p.groups?.length])).toEqual([['a', n + 1]]);
  });
});

describe('hostile length', () => {
  it('a table header with a quoted key of 9.5 MB is no header (not a RangeError from the regex stack)', () => {
    expect(splitDottedKey(`"${'a'.repeat(9_500_000)}"`)).toBeUndefined();
    expect(splitDottedKey('tool."poetry".dependencies')).toEqual(['tool', 'poetry', 'dependencies']);
  });
});
