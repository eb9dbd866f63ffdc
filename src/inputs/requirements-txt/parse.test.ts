import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test/support/inputs.js';
import type { Package } from '../../core/model.js';
import {
  decodeRequirementsBytes,
  parseRequirementsFile,
  pinnedVersion,
  requirementsTxt,
  type ParseOptions,
  type RequirementsFileInventory,
} from './parse.js';

const TESTDATA_ABS = fileURLToPath(new URL('./testdata/', import.meta.url));
/** Paths as a user gives them: relative to the current directory. */
const TESTDATA = relative(process.cwd(), TESTDATA_ABS);
const td = (name: string) => join(TESTDATA, name);

/**
 * The disk, as if the current directory were testdata/: pip takes requirement paths (`./pkg`,
 * `-e ./pkg`) from the current directory. Nothing outside testdata/ is visible, so a path that
 * happens to exist on this machine (`-e /tmp/localpkg`) cannot change a result.
 */
function readFile(p: string): string {
  const inTestdata = p === TESTDATA || p.startsWith(TESTDATA + sep);
  const abs = isAbsolute(p) || inTestdata ? resolve(p) : resolve(TESTDATA_ABS, p);
  if (!abs.startsWith(TESTDATA_ABS)) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
  return decodeRequirementsBytes(readFileSync(abs));
}

function parse(name: string, env: ParseOptions['env'] = {}): RequirementsFileInventory {
  return parseRequirementsFile(td(name), { readFile, env });
}

/** Parses text given inline, as `inline.txt` beside whatever files `others` adds. */
function parseText(text: string, others: Record<string, string> = {}, env: ParseOptions['env'] = {}): RequirementsFileInventory {
  const files: Record<string, string> = { 'inline.txt': text, ...others };
  return parseRequirementsFile('inline.txt', {
    env,
    readFile: (p) => {
      const content = files[p];
      if (content === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return content;
    },
  });
}

/** `line name version-or-specifier`, compact enough to compare whole files at a glance. */
const pins = (pkgs: Package[]) => pkgs.map((p) => `${p.location.line} ${p.name} ${p.version ?? `(${p.specifier ?? ''})`}`);
const diags = (inv: RequirementsFileInventory) => inv.diagnostics.map((d) => `${d.location?.line ?? '-'} ${d.severity} ${d.code}`);
const only = (inv: RequirementsFileInventory, code: string) => inv.diagnostics.filter((d) => d.code === code);

describe('empty and comment-only files', () => {
  it('reads an empty file as no packages and no diagnostics', () => {
    const inv = parse('empty.txt');
    expect(inv).toMatchObject({ format: 'requirements-txt', path: td('empty.txt'), packages: [], diagnostics: [], indexUrls: [] });
    expect(inv.files).toEqual([td('empty.txt')]);
  });

  it('reads a file of comments and blank lines as nothing', () => {
    const inv = parse('comments-only.txt');
    expect(inv.packages).toEqual([]);
    expect(inv.diagnostics).toEqual([]);
  });
});

describe('comments and line continuations', () => {
  it('strips comments after whitespace but keeps #egg= fragments, and a comment line ends a continuation', () => {
    const inv = parse('inline-comments.txt');
    // urllib3 (line 7) is gone: the backslash after the comment on line 6 joins it to that comment, as in pip.
    expect(pins(inv.packages)).toEqual(['1 requests 2.25.0', '2 flask 1.1.4', '3 pkg ()', '4 idna 2.10', '6 certifi 2020.12.5']);
    expect(inv.packages[2]!.source).toEqual({ kind: 'url', url: 'https://example.org/pkgs/pkg-1.0.tar.gz#egg=pkg' });
  });

  it('joins backslash continuations and reports the line the requirement starts on', () => {
    const inv = parse('continuation.txt');
    expect(pins(inv.packages)).toEqual(['1 requests 2.25.0', '3 django 3.2.25', '5 flask 1.1.4', '8 idna 2.10']);
    expect(inv.packages[1]!.marker).toBe('python_version >= "3.6"');
    expect(inv.packages[2]!.hashes).toEqual([
      'sha256:0fbeb6180d383a9186d0d6ed954e0042ad9f18e0e8de088b2b419d526927d196',
      'sha256:c34f04500f2cbbea882b1acb02002ad6fe6b7ffa64a6164577995657f50aed22',
    ]);
  });

  it('takes a backslash on the last line of the file as the end of that line', () => {
    const inv = parse('backslash-at-eof.txt');
    expect(pins(inv.packages)).toEqual(['1 certifi 2020.12.5', '2 chardet 3.0.4', '4 urllib3 1.26.2']);
    expect(inv.diagnostics).toEqual([]);
  });

  it('reads CRLF files with the same lines and no stray \\r in values', () => {
    const inv = parse('crlf.txt');
    expect(pins(inv.packages)).toEqual(['1 requests 2.25.0', '3 flask 1.1.4', '6 django 3.2.25']);
    expect(inv.packages[2]!.marker).toBe('python_version >= "3.6"');
    expect(inv.packages[1]!.hashes).toEqual(['sha256:0fbeb6180d383a9186d0d6ed954e0042ad9f18e0e8de088b2b419d526927d196']);
  });

  it("numbers lines like Python's splitlines (a form feed or lone CR is a line break)", () => {
    const inv = parseText('a==1\fb==2\rc==3\u2028d==4\n');
    expect(pins(inv.packages)).toEqual(['1 a 1', '2 b 2', '3 c 3', '4 d 4']);
  });
});

describe('nested -r and -c files', () => {
  it('follows includes relative to the including file, reads a diamond once and keeps constraints apart', () => {
    const inv = parse('nested/requirements.txt');
    const n = (f: string) => td(join('nested', f));
    expect(inv.packages.map((p) => `${p.location.file}:${p.location.line} ${p.name}`)).toEqual([
      `${n('base.txt')}:1 requests`,
      `${n('sub/dev.txt')}:3 pytest`,
      // pip reads `-r` inside a constraints file as requirements again.
      `${n('constraint-includes-requirements.txt')}:2 idna`,
      `${n('requirements.txt')}:5 flask`,
    ]);
    expect(inv.packages.every((p) => p.direct === true)).toBe(true);
    expect(inv.constraints.map((p) => `${p.location.file}:${p.location.line} ${p.name} ${p.version ?? p.specifier}`)).toEqual([
      `${n('constraints.txt')}:2 flask 1.1.4`,
      `${n('constraints.txt')}:3 werkzeug <2`,
    ]);
    expect(inv.constraints.every((p) => p.groups?.includes('constraint'))).toBe(true);
    expect(inv.files).toEqual([
      n('requirements.txt'),
      n('base.txt'),
      n('sub/dev.txt'),
      n('constraints.txt'),
      n('constraint-includes-requirements.txt'),
    ]);
    // Constraints are no reason to warn: flask's `unpinned` is about the requirement line only.
    expect(diags(inv)).toEqual(['5 warning unpinned']);
    expect(inv.options.filter((o) => o.option === '--requirement' || o.option === '--constraint').map((o) => `${o.option} ${o.value}`)).toEqual([
      '--requirement base.txt',
      '--requirement sub/dev.txt',
      '--requirement ../base.txt',
      '--constraint constraints.txt',
      '--requirement constraint-includes-requirements.txt',
    ]);
  });

  it('stops on a cycle with an include-cycle error naming the chain', () => {
    const e = thrown(() => parse('cycle-a.txt'));
    expect(e.code).toBe('include-cycle');
    expect(e.location).toEqual({ file: td('cycle-b.txt'), line: 1 });
    expect(e.message).toContain(`${td('cycle-a.txt')}:3 -> ${td('cycle-b.txt')}:1 -> ${td('cycle-a.txt')}`);
  });

  it('reports a file that includes itself', () => {
    const e = thrown(() => parseText('requests==2.25.0\n-r inline.txt\n'));
    expect(e.code).toBe('include-cycle');
    expect(e.describe()).toBe('inline.txt:2: requirements files include each other: inline.txt:2 -> inline.txt; remove one of these includes');
  });

  it('reports a missing included file at the line that includes it', () => {
    const e = thrown(() => parse('missing-include.txt'));
    expect(e.code).toBe('input-not-found');
    expect(e.location).toEqual({ file: td('missing-include.txt'), line: 2 });
    expect(e.message).toContain(td('does-not-exist.txt'));
  });

  it('reports a missing top-level file and an unreadable one', () => {
    expect(thrown(() => parse('no-such-file.txt'))).toMatchObject({ code: 'input-not-found', location: { file: td('no-such-file.txt') } });
    const denied = () =>
      parseRequirementsFile('secret.txt', {
        readFile: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
      });
    expect(thrown(denied)).toMatchObject({ code: 'input-unreadable' });
  });

  it('does not fetch remote includes but says so', () => {
    const inv = parse('remote-include.txt');
    expect(pins(inv.packages)).toEqual(['3 requests 2.25.0']);
    expect(only(inv, 'remote-include').map((d) => d.message)).toEqual([
      '-r https://example.org/requirements.txt is not read: pyward reads local files only; download it and audit it too',
      '-c https://user:****@example.org/constraints.txt is not read: pyward reads local files only; download it and audit it too',
    ]);
  });

  it('reads a file:// include from the disk', () => {
    const url = new URL('./testdata/nested/base.txt', import.meta.url).href;
    const inv = parseRequirementsFile('inline.txt', {
      env: {},
      readFile: (p) => (p === 'inline.txt' ? `-r ${url}\n` : readFile(p)),
    });
    expect(pins(inv.packages)).toEqual(['1 requests 2.25.0']);
  });

  it('refuses a binary file as not a requirements file', () => {
    expect(thrown(() => parse('binary.txt')).code).toBe('input-unknown-format');
  });
});

describe('hashes', () => {
  it('collects --hash options per requirement, including on continuation lines', () => {
    const inv = parse('hashes.txt');
    expect(inv.packages[0]!.hashes).toEqual([
      'sha256:7f1a0b932f4a60a1a65caa4263921bb7d9ee911957e0ae4a23a6dd08185ad5f8',
      'sha256:e786fa28d8c9154e6a4de5d46a1d921b8749f8b74e28bde23768e5e16eece998',
    ]);
    expect(inv.packages[1]!.hashes).toEqual([
      'sha256:0fbeb6180d383a9186d0d6ed954e0042ad9f18e0e8de088b2b419d526927d196',
      'sha512:c34f04500f2cbbea882b1acb02002ad6fe6b7ffa64a6164577995657f50aed22',
    ]);
    expect(diags(inv)).toEqual([
      '7 error invalid-option', // md5 is not a hash pip accepts
      '8 warning hash-without-requirement',
      '6 warning missing-hash', // hash-checking mode: every requirement needs hashes
      '7 warning missing-hash',
    ]);
    expect(only(inv, 'missing-hash')[0]!.message).toBe(
      `idna has no --hash but requests has --hash (${td('hashes.txt')}:2), so pip will refuse to install it; add its hashes (pip-compile --generate-hashes)`,
    );
  });

  it('turns on hash-checking mode with --require-hashes', () => {
    const inv = parse('require-hashes.txt');
    expect(diags(inv)).toEqual(['3 warning missing-hash']);
    expect(inv.options).toMatchObject([{ option: '--require-hashes', location: { line: 1 } }]);
  });
});

describe('URL, VCS, editable and path requirements', () => {
  it('reads VCS URLs with #egg= and name @ git+..., and says whether the ref can move', () => {
    const inv = parse('vcs.txt');
    expect(inv.packages.map((p) => `${p.location.line} ${p.name} ${p.source.kind}`)).toEqual([
      '1 requests vcs',
      '2 flask vcs',
      '3 django vcs',
      '4 django-debug-toolbar vcs',
      '5 hgpkg vcs',
      '6 private-pkg vcs',
    ]);
    // An ssh user name is an account, not a secret: it stays.
    expect(inv.packages[5]!.source.url).toBe('git+ssh://git@github.com/org/private.git@v1#egg=private-pkg');
    const messages = only(inv, 'vcs-requirement').map((d) => d.message);
    expect(messages[0]).toContain('its ref v2.25.0 is a branch or tag that can be moved; pin a full commit id');
    expect(messages[1]).toContain('it is pinned to a commit');
    expect(messages[2]).toContain('it follows the default branch');
    expect(only(inv, 'unnamed-requirement')).toMatchObject([{ location: { line: 7 } }]);
  });

  it('reads editables: VCS with #egg=, local projects by their static name, and refuses what pip refuses', () => {
    const inv = parse('editable.txt');
    expect(inv.packages.map((p) => `${p.location.line} ${p.name} ${p.source.kind} ${p.source.url}`)).toEqual([
      '2 requests editable git+https://github.com/psf/requests.git@v2.25.0#egg=requests',
      '3 flask editable git+https://github.com/pallets/flask.git#egg=flask[dotenv]',
      '4 local-pkg editable ./local-pkg', // name from local-pkg/pyproject.toml
      '5 setup-cfg-pkg editable setup-cfg-pkg', // name from setup-cfg-pkg/setup.cfg
    ]);
    expect(inv.packages[1]!.extras).toEqual(['dotenv']);
    expect(inv.packages[2]!.rawName).toBe('Local_Pkg');
    expect(diags(inv)).toEqual([
      '2 warning vcs-requirement',
      '3 warning vcs-requirement',
      '4 warning editable-requirement',
      '5 warning editable-requirement',
      '6 warning unnamed-requirement',
      '7 error invalid-requirement',
      '8 error invalid-requirement',
    ]);
    expect(only(inv, 'invalid-requirement')[1]!.message).toContain('add #egg=name');
  });

  it('reads URL requirements: name @ url, wheel file names, #egg=, #sha256= and redacted credentials', () => {
    const inv = parse('urls.txt');
    expect(inv.packages.map((p) => `${p.location.line} ${p.name} ${p.version ?? '-'} ${p.source.kind} ${p.source.url}`)).toEqual([
      '1 six 1.16.0 url https://files.pythonhosted.org/packages/py2.py3/s/six/six-1.16.0-py2.py3-none-any.whl',
      '2 idna - url https://files.pythonhosted.org/packages/source/i/idna/idna-2.10.tar.gz#egg=idna',
      '3 attrs 21.2.0 url https://example.org/pkgs/attrs-21.2.0-py2.py3-none-any.whl#sha256=2d27e3784d7a565d36ab851fe94887c5eccd6a463168875832a1be79c82828b4',
      '4 private-pkg 1.0 url https://user:****@private.example.org/pkgs/private_pkg-1.0-py3-none-any.whl',
      '5 tokenpkg - url https://****@private.example.org/pkgs/tokenpkg-2.0.tar.gz#egg=tokenpkg',
      '7 local-wheel 0.3 path file:///tmp/wheels/local_wheel-0.3-py3-none-any.whl',
    ]);
    expect(inv.packages[2]!.hashes).toEqual(['sha256:2d27e3784d7a565d36ab851fe94887c5eccd6a463168875832a1be79c82828b4']);
    expect(JSON.stringify(inv)).not.toContain('s3cret');
    expect(JSON.stringify(inv)).not.toContain('TOKEN123');
    expect(only(inv, 'unnamed-requirement')).toMatchObject([{ location: { line: 6 } }]);
    expect(only(inv, 'invalid-requirement')).toMatchObject([{ location: { line: 8 } }]);
    // A #sha256= fragment is checked by pip but does not switch on hash-checking mode.
    expect(only(inv, 'missing-hash')).toEqual([]);
  });

  it('reads local paths: wheel files give name and version, directories their static name', () => {
    const inv = parse('local-paths.txt');
    expect(inv.packages.map((p) => `${p.location.line} ${p.name} ${p.version ?? '-'} ${p.source.kind} ${p.source.url}`)).toEqual([
      '1 local-pkg - path ./local-pkg',
      '2 pyward-demo 0.1.0 path ./dist/pyward_demo-0.1.0-py3-none-any.whl',
      '3 pyward-demo 0.1.0+local path pyward_demo-0.1.0%2Blocal-py3-none-any.whl',
    ]);
    expect(only(inv, 'unnamed-requirement').map((d) => d.location?.line)).toEqual([4, 5]);
  });
});

describe('markers, extras and pins', () => {
  it('keeps markers as written, for names and URLs, and reports a bad marker', () => {
    const inv = parse('markers.txt');
    expect(inv.packages.map((p) => `${p.name} ${p.marker}`)).toEqual([
      'importlib-metadata python_version < "3.8"',
      'pywin32 sys_platform == "win32"',
      'numpy python_version < "3.8"',
      'numpy python_version >= "3.8"',
      'six python_version >= "3"',
    ]);
    // The same name under different markers is no duplicate.
    expect(diags(inv)).toEqual(['5 warning url-requirement', '6 error invalid-requirement']);
  });

  it('keeps extras of named and path requirements', () => {
    const inv = parse('extras.txt');
    expect(inv.packages.map((p) => `${p.name} ${p.extras?.join(',')}`)).toEqual(['requests security,socks', 'celery redis', 'local-pkg cli,tests']);
  });

  it('gives a version only for exact pins and warns about the rest', () => {
    const inv = parse('pins.txt');
    expect(pins(inv.packages)).toEqual([
      '1 a 1.0',
      '2 b 1.0-custom', // === is string equality: kept as written
      '3 c (==1.*)',
      '4 d (<2,>=1)',
      '5 e 1.0',
      '6 f 1.0.0', // canonical form of v1.0.0
      '7 g 1.0+local.7',
      '8 h ()',
      '9 i 2.0',
      '10 j (~=1.4)',
    ]);
    expect(only(inv, 'unpinned').map((d) => d.location?.line)).toEqual([3, 4, 8, 10]);
    expect(only(inv, 'unpinned')[0]!.message).toBe('c is only constrained by ==1.*, so any matching version may be installed; pin it with == (e.g. pip-compile)');
  });

  it('pinnedVersion reads == and === clauses only', () => {
    expect(pinnedVersion('==1.0')).toBe('1.0');
    expect(pinnedVersion('==01.0.0')).toBe('1.0.0');
    expect(pinnedVersion('===foo')).toBe('foo');
    expect(pinnedVersion('==1.0.*')).toBeUndefined();
    expect(pinnedVersion('>=1')).toBeUndefined();
    expect(pinnedVersion('')).toBeUndefined();
  });

  it('keeps duplicates with their lines and reports them, as an error when the pins conflict', () => {
    const inv = parse('duplicates.txt');
    expect(pins(inv.packages)).toHaveLength(8);
    expect(diags(inv)).toEqual([
      '7 warning unpinned',
      '8 warning unpinned',
      '3 warning duplicate-requirement',
      '4 error conflicting-requirements',
      '8 warning duplicate-requirement',
    ]);
    expect(only(inv, 'conflicting-requirements')[0]!.message).toBe(
      `flask==2.0.0 conflicts with flask==1.1.4 at ${td('duplicates.txt')}:2: pip cannot install both; keep one`,
    );
  });

  it('rejects constraints that are not a name, a specifier and a marker', () => {
    const inv = parse('with-invalid-constraints.txt');
    expect(pins(inv.constraints)).toEqual(['1 flask 1.1.4']);
    expect(only(inv, 'invalid-constraint').map((d) => d.location?.line)).toEqual([2, 3, 4]);
  });
});

describe('environment variables', () => {
  const env = { PYPI_USER: 'alice', PYPI_TOKEN: 'tok-3141', REQUESTS_VERSION: '2.25.0', lower_case: '9.9' };

  it('expands ${VAR} only, redacts secrets it put in URLs, and warns about unset ones', () => {
    const inv = parse('env-vars.txt', env);
    expect(pins(inv.packages)).toEqual(['3 requests 2.25.0', '4 flask 1.1.4']);
    expect(inv.indexUrls).toEqual(['https://alice:****@pypi.example.org/simple']);
    expect(inv.packages[0]!.source.url).toBe('https://alice:****@pypi.example.org/simple');
    expect(JSON.stringify(inv)).not.toContain('tok-3141');
    expect(diags(inv)).toEqual([
      '4 warning undefined-env-var',
      '5 error invalid-requirement',
      '6 error invalid-requirement',
      '7 warning unnamed-requirement',
      '8 error invalid-requirement',
    ]);
    // Messages quote the expanded line: the secret is masked there too.
    expect(only(inv, 'unnamed-requirement')[0]!.message).toContain('https://****@private.example.org/pkgs/unnamed-1.0.tar.gz');
    expect(inv.diagnostics[4]!.message).toContain('https://alice:****@private.example.org/broken');
    expect(only(inv, 'undefined-env-var')[0]!.message).toBe('${PY_MIN} is not set (or empty), so pip would read it literally; set PY_MIN or remove it');
  });

  it('reads process.env by default', () => {
    process.env['PYWARD_TEST_VERSION'] = '1.2.3';
    try {
      const inv = parseRequirementsFile('inline.txt', { readFile: () => 'foo==${PYWARD_TEST_VERSION}\n' });
      expect(pins(inv.packages)).toEqual(['1 foo 1.2.3']);
    } finally {
      delete process.env['PYWARD_TEST_VERSION'];
    }
  });

  it('treats an empty variable like an unset one, as pip does', () => {
    const inv = parseText('foo==1.0 ; python_version >= "${EMPTY}"\n', {}, { EMPTY: '' });
    expect(inv.packages[0]!.marker).toBe('python_version >= "${EMPTY}"');
    expect(diags(inv)).toEqual(['1 warning undefined-env-var']);
  });
});

describe('options', () => {
  it('reports an unknown option with its line and goes on', () => {
    const inv = parse('unknown-option.txt');
    expect(pins(inv.packages)).toEqual(['1 requests 2.25.0', '3 flask 1.1.4', '7 idna 2.10']);
    expect(inv.diagnostics.map((d) => `${d.location?.line} ${d.code}: ${d.message}`)).toEqual([
      '2 unsupported-option: unsupported option --foo (pip would reject it too)',
      '3 unsupported-option: unsupported option --install-option (pip would reject it too)',
      '5 invalid-option: ambiguous option --no: it could be --no-index, --no-binary; write it out',
      '6 unsupported-option: unsupported option -x (pip would reject it too)',
    ]);
    expect(inv.diagnostics[0]!.location).toEqual({ file: td('unknown-option.txt'), line: 2 });
    // `--index=` is an abbreviation optparse (so pip) accepts.
    expect(inv.indexUrls).toEqual(['https://pypi.example.org/simple']);
    expect(inv.packages[0]!.source.url).toBe('https://pypi.example.org/simple');
  });

  it('records every option pip allows, with index URLs in indexUrls', () => {
    const inv = parse('options.txt');
    expect(inv.options.map((o) => `${o.location.line} ${o.option} ${o.value ?? ''} ${o.requirement ?? ''}`.trim())).toEqual([
      '1 --index-url https://pypi.example.org/simple',
      '2 --extra-index-url https://extra.example.org/simple',
      '3 --extra-index-url http://insecure.example.org/simple',
      '4 --find-links https://example.org/wheels/',
      '5 --find-links ./wheels',
      '6 --no-index',
      '7 --trusted-host insecure.example.org',
      '8 --pre',
      '9 --prefer-binary',
      '10 --only-binary :all:',
      '11 --no-binary lxml,pillow',
      '12 --require-hashes',
      '13 --use-feature truststore',
      '14 --index-url https://other.example.org/simple',
      '15 --global-option build_ext psycopg2',
      '15 --config-settings --build-option=--plat-name psycopg2',
      '15 --config-settings key=value psycopg2',
      '17 --requirement options-included.txt',
    ]);
    expect(inv.indexUrls).toEqual([
      'https://pypi.example.org/simple',
      'https://extra.example.org/simple',
      'http://insecure.example.org/simple',
      'https://other.example.org/simple',
    ]);
    expect(pins(inv.packages)).toEqual(['15 psycopg2 2.9.3', '16 lxml 4.9.1', '1 six 1.16.0']);
    // --no-index: no index serves these, so none is named as their source.
    expect(inv.packages.every((p) => p.source.url === undefined)).toBe(true);
    expect(diags(inv)).toEqual([
      '3 warning insecure-index-url',
      '7 warning trusted-host',
      '16 error invalid-option', // -C needs KEY=VALUE
      '17 warning ignored-option', // pip drops other options on an -r line
    ]);
  });

  it('names the index as the source of registry packages only when it is the one index', () => {
    const one = parseText('-i https://mirror.example.org/simple\nrequests==2.25.0\n');
    expect(one.packages[0]!.source).toEqual({ kind: 'registry', url: 'https://mirror.example.org/simple' });
    const two = parseText('-i https://mirror.example.org/simple\n--extra-index-url https://other.example.org/simple\nrequests==2.25.0\n');
    expect(two.packages[0]!.source).toEqual({ kind: 'registry' });
  });

  it('warns about options pip ignores: file options on a requirement line, positional words', () => {
    const inv = parseText('requests==2.25.0 --index-url https://x.example.org/simple\n--pre stray\n');
    expect(inv.diagnostics.map((d) => `${d.location?.line} ${d.code}: ${d.message}`)).toEqual([
      '1 ignored-option: pip ignores --index-url on a requirement line; put it on a line of its own',
      '2 ignored-argument: pip ignores stray after the options; put each requirement on a line of its own',
    ]);
    expect(inv.indexUrls).toEqual([]);
  });

  it('accepts the spellings optparse accepts: -iURL, --opt=value, quoted values', () => {
    const inv = parseText(`-ihttps://a.example.org/simple\n--extra-index-url="https://b.example.org/simple"\n-r 'dir with space/more.txt'\n`, {
      'dir with space/more.txt': 'six==1.16.0\n',
    });
    expect(inv.indexUrls).toEqual(['https://a.example.org/simple', 'https://b.example.org/simple']);
    expect(pins(inv.packages)).toEqual(['1 six 1.16.0']);
    expect(inv.packages[0]!.location.file).toBe(join('dir with space', 'more.txt'));
  });
});

describe('invalid lines', () => {
  it('reports each bad line with the parser message and pip hints, and reads the rest', () => {
    const inv = parse('invalid-line.txt');
    expect(pins(inv.packages)).toEqual(['2 flask 1.1.4', '7 certifi 2020.12.5']);
    expect(diags(inv)).toEqual([
      '1 error invalid-requirement',
      '3 error invalid-requirement',
      '4 error invalid-requirement',
      '5 error invalid-option',
      '6 error invalid-option',
    ]);
    const [eq, , tab, noValue, quote] = inv.diagnostics.map((d) => d.message);
    expect(eq).toMatch(/^invalid requirement "requests = 2.25.0": .*; = is not a valid operator, did you mean == \?$/);
    expect(tab).toContain('separate options from the requirement with a space, not a tab');
    expect(noValue).toBe('option -e needs a value (pip would reject it too)');
    expect(quote).toContain('No closing quotation');
  });
});

describe('encodings', () => {
  it('reads UTF-16 with a BOM (PowerShell pip freeze >) and UTF-8 with a BOM', () => {
    expect(pins(parse('utf16-bom.txt').packages)).toEqual(['1 requests 2.25.0', '2 flask 1.1.4']);
    expect(pins(parse('utf8-bom.txt').packages)).toEqual(['1 requests 2.25.0', '2 flask 1.1.4']);
  });

  it('honours a coding: declaration in the first two lines, like pip', () => {
    expect(decodeRequirementsBytes(readFileSync(td('latin1-coding.txt')))).toContain('# café');
    expect(pins(parse('latin1-coding.txt').packages)).toEqual(['3 requests 2.25.0']);
  });
});

describe('files written by real tools', () => {
  const compiled = [
    'asgiref 3.13.0',
    'certifi 2026.10.19.post1',
    'chardet 3.0.4',
    'click 7.1.2',
    'django 3.2.25',
    'flask 1.1.4',
    'idna 2.10',
    'itsdangerous 1.1.0',
    'jinja2 2.11.3',
    'markupsafe 3.0.4',
    'pytz 2026.6',
    'requests 2.25.0',
    'sqlparse 0.6.1',
    'urllib3 1.26.20',
    'werkzeug 1.0.1',
  ];
  const nameVersion = (inv: RequirementsFileInventory) => inv.packages.map((p) => `${p.name} ${p.version}`);

  for (const file of ['pip-compile.txt', 'uv-pip-compile.txt']) {
    it(`reads ${file} as exact pins without a diagnostic`, () => {
      const inv = parse(file);
      expect(nameVersion(inv)).toEqual(compiled);
      expect(inv.diagnostics).toEqual([]);
      expect(inv.packages.every((p) => p.source.kind === 'registry' && p.direct === true)).toBe(true);
    });
  }

  for (const file of ['pip-compile-hashes.txt', 'uv-pip-compile-hashes.txt']) {
    it(`reads every hash of ${file}`, () => {
      const inv = parse(file);
      expect(nameVersion(inv)).toEqual(compiled);
      expect(inv.diagnostics).toEqual([]);
      const written = readFileSync(td(file), 'utf8').match(/--hash=sha256:[0-9a-f]{64}/g) ?? [];
      expect(inv.packages.flatMap((p) => p.hashes ?? [])).toEqual(written.map((h) => h.slice('--hash='.length)));
      const django = inv.packages.find((p) => p.name === 'django')!;
      expect(django.hashes).toEqual([
        'sha256:7ca38a78654aee72378594d63e51636c04b8e28574f5505dff630895b5472777',
        'sha256:a52ea7fcf280b16f7b739cec38fa6d3f8953a5456986944c3ca97e79882b4e38',
      ]);
    });
  }

  it('reads pip-compile-hashes.txt lines where each requirement starts', () => {
    const inv = parse('pip-compile-hashes.txt');
    const lines = readFileSync(td('pip-compile-hashes.txt'), 'utf8').split('\n');
    for (const pkg of inv.packages) expect(lines[pkg.location.line! - 1]).toMatch(new RegExp(`^${pkg.rawName}==`));
  });

  it('reads pip freeze output, keeping the names as written', () => {
    const inv = parse('pip-freeze.txt');
    expect(inv.packages.map((p) => `${p.rawName}==${p.version}`)).toEqual(readFileSync(td('pip-freeze.txt'), 'utf8').trim().split('\n'));
    expect(inv.packages.find((p) => p.rawName === 'Flask')!.name).toBe('flask');
    expect(inv.diagnostics).toEqual([]);
  });

  it('reads pip freeze output with an editable install and a file: wheel', () => {
    const inv = parse('pip-freeze-editable-and-file.txt');
    expect(inv.packages.map((p) => `${p.location.line} ${p.name} ${p.version} ${p.source.kind}`)).toEqual([
      '1 certifi 2026.10.19.post1 registry',
      '2 chardet 3.0.4 registry',
      '3 idna 2.10 registry',
      '6 pyward-wheel-demo 2.0.1 path',
      '7 requests 2.25.0 registry',
      '8 urllib3 1.26.20 registry',
    ]);
    expect(inv.packages[3]!.hashes).toEqual(['sha256:f6af24f41446df0f06df619107bd1c3612758953c45d10cee54243b0636e5eed']);
    // `-e /tmp/localpkg`: the project directory is not here, so its name cannot be read.
    expect(diags(inv)).toEqual(['5 warning unnamed-requirement', '6 warning path-requirement']);
  });

  it('reads the pip-compile input requirements.in, unpinned as it is', () => {
    const inv = parse('requirements.in');
    expect(pins(inv.packages)).toEqual(['1 requests 2.25.0', '2 flask (<2)', '3 django (<3.3,>=3.2)']);
    expect(only(inv, 'unpinned').map((d) => d.location?.line)).toEqual([2, 3]);
  });
});

describe('requirementsTxt input format', () => {
  it.each([
    ['requirements.txt', true],
    ['app/requirements-dev.txt', true],
    ['Requirements_test.txt', true],
    ['requirements/base.txt', true],
    ['C:\\proj\\requirements\\prod.txt', true],
    ['constraints.txt', true],
    ['ci/constraints-py311.txt', true],
    ['requirements.in', true],
    ['dev.in', true],
    ['MANIFEST.in', false],
    ['Makefile.in', false],
    ['config.h.in', false],
    ['notes.txt', false],
    ['docs/requirements', false],
    ['uv.lock', false],
  ])('%s -> %s', (path, expected) => {
    expect(requirementsTxt.matches(path, false)).toBe(expected);
  });

  it('never matches a directory', () => {
    expect(requirementsTxt.matches('requirements', true)).toBe(false);
    expect(requirementsTxt.matches('requirements.txt', true)).toBe(false);
  });

  it('reads from the disk', async () => {
    const inv = await requirementsTxt.read(td('pip-compile.txt'));
    expect(requirementsTxt.name).toBe('requirements-txt');
    expect(inv.packages).toHaveLength(15);
    expect(inv.packages[0]!.location).toEqual({ file: td('pip-compile.txt'), line: 7 });
  });
});

describe('hostile input', () => {
  it('reads long lines of spaces, brackets and letters in linear time', () => {
    const n = 200_000;
    const text = [`x${' '.repeat(n)}y`, `./p${'['.repeat(n)}]`, `${'a'.repeat(n)}==1`, `${'-'.repeat(n)}`, ''].join('\n');
    const started = performance.now();
    const inv = parseText(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(inv.diagnostics.length).toBeGreaterThan(0);
  });

  it('a file naming one project 100,000 times is checked for duplicates in one pass', () => {
    // Each requirement searched, then copied, the list of the earlier ones: 100,000 x 100,000.
    const inv = parseText('a\n'.repeat(100_000));
    expect(inv.packages).toHaveLength(100_000);
    const duplicates = inv.diagnostics.filter((d) => d.code === 'duplicate-requirement');
    expect(duplicates).toHaveLength(99_999);
    expect(duplicates[0]!.message).toBe('a is also required at inline.txt:1; pip combines both, keep one');
  });

  it('60,000 distinct index URLs are collected in one pass', () => {
    // Each was looked for in the list of those before it: 60,000 x 60,000.
    const inv = parseText(Array.from({ length: 60_000 }, (_, i) => `--extra-index-url https://x/${i}/\n`).join(''));
    expect(inv.indexUrls).toHaveLength(60_000);
  });

  it('refuses a file larger than any requirements file', () => {
    const e = thrown(() => parseRequirementsFile('big.txt', { readFile: () => '#'.repeat(16 * 1024 * 1024 + 1) }));
    expect(e.code).toBe('input-parse');
  });
});
