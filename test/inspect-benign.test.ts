/**
 * Honest code that pyward once judged suspicious or malicious, found by scanning the benign corpus
 * of bench/inspect (the 1,000 most downloaded PyPI projects and Debian's python3-* packages). Each
 * case is a small synthetic snippet written here with the shape of what the project does, not its
 * code, and must stay clean. A rule change that brings one back is a false positive on a popular
 * package.
 */
import { describe, expect, it } from 'vitest';
import type { ArchiveKind } from '../src/archive/index.js';
import { scan } from '../src/inspect/testing.js';

const lines = (...l: string[]): string => l.join('\n') + '\n';
const PE = new Uint8Array([0x4d, 0x5a, ...new Array(126).fill(0)]);

interface Case {
  /** The kind of project it came from, and what it does honestly. */
  what: string;
  files: Record<string, string | Uint8Array>;
  kind?: ArchiveKind;
  archive?: string;
}

const CASES: Case[] = [
  {
    what: 'py2/py3 compatibility layers spell exec through getattr (future, SQLAlchemy, mpmath, wrapt, reportlab)',
    files: { 'demo/compat.py': lines('import builtins', 'exec_ = getattr(builtins, "exec")', 'def run(code, ns):', '    exec_(code, ns)') },
    kind: 'wheel',
  },
  {
    what: 'deep-learning frameworks rebuild a saved Lambda layer from the model file (keras, TensorFlow)',
    files: {
      'demo/utils.py': lines(
        'import codecs, marshal, types',
        'def func_load(code, globs):',
        '    try:',
        "        raw = codecs.decode(code.encode('ascii'), 'base64')",
        '    except UnicodeEncodeError:',
        "        raw = code.encode('raw_unicode_escape')",
        '    return types.FunctionType(marshal.loads(raw), globs)',
      ),
    },
    kind: 'wheel',
  },
  {
    what: "a kernel client looks up its own host's addresses, mDNS included (jupyter_client)",
    files: {
      'demo/net.py': lines('import socket', 'def public_ips():', "    ips = socket.gethostbyname_ex(socket.gethostname() + '.local')[2]", '    return ips + [socket.gethostbyname(socket.gethostname())]'),
    },
    kind: 'wheel',
  },
  {
    what: 'finding the local address with a UDP socket aimed at a public resolver (sglang)',
    files: { 'demo/net.py': lines('import socket', 'def local_ip():', '    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)', "    s.connect(('8.8.8.8', 80))", '    return s.getsockname()[0]') },
    kind: 'wheel',
  },
  {
    what: 'a security test suite quotes hostile input, and an app embeds its icons in base64 (nltk)',
    files: {
      'demo-1.0/demo/__init__.py': '',
      'demo-1.0/demo/app.py': lines(`ICON = "R0lGODlh${'AAAA'.repeat(600)}${'Qk1x'.repeat(10)}"`),
      'demo-1.0/demo/test/__init__.py': '',
      'demo-1.0/demo/test/test_injection.py': lines(
        'HOSTILE = ["9000; rm -rf /", "/etc/cron.d/evil"]',
        'SSRF = ["http://100.64.0.1/", "http://93.184.216.34/"]',
        'SHORT = "http://t.co/x"',
        'assert open is __builtins__["open"]',
      ),
    },
  },
  {
    what: 'installer launchers shipped in a pure wheel (setuptools, distlib)',
    files: { 'demo/cli-64.exe': PE, 'demo/gui-64.exe': PE, 'demo/__init__.py': '' },
    kind: 'wheel',
  },
  {
    what: "a coverage hook in a .pth execs quoted code that starts measuring when asked (coverage)",
    files: { 'a1_demo.pth': "import sys; exec('import os\\nif os.getenv(\"DEMO_PROCESS_START\"):\\n    import demo\\n    demo.process_startup()\\n')\n" },
    kind: 'wheel',
  },
  {
    what: "setuptools' generated namespace-package .pth (google-cloud-*)",
    files: {
      'demo_ns-1.0-py3.11-nspkg.pth':
        "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('demo',));importlib = __import__('importlib.util');__import__('importlib.machinery');m = sys.modules.setdefault('demo', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('demo', [os.path.dirname(p)])));m = m or sys.modules.setdefault('demo', types.ModuleType('demo'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)\n",
    },
    kind: 'wheel',
  },
  {
    what: 'a CLI offers to install its standalone build and runs the command it built (huggingface_hub)',
    files: {
      'demo/install.py': lines(
        'import subprocess',
        'def install_command():',
        '    return ["bash", "-c", "curl -LsSf https://demo.example.com/install.sh | bash"]',
        'def install():',
        '    subprocess.run(install_command(), check=True)',
        'HELP = "Run `curl -LsSf https://demo.example.com/install.sh | bash` to install the CLI"',
      ),
    },
    kind: 'wheel',
  },
  {
    what: 'browser automation copies a profile folder (browser-use, playwright)',
    files: { 'demo/profile.py': lines('from pathlib import Path', 'def copy_profile(src: Path, dst: Path):', "    (dst / 'Local State').write_text((src / 'Local State').read_text())") },
    kind: 'wheel',
  },
  {
    what: 'registering an interpreter under PEP 514 writes the registry (findpython)',
    files: { 'demo/registry.py': lines('import winreg', 'def register(tag):', "    key = winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, 'Software\\\\Python\\\\Demo\\\\' + tag)", "    winreg.SetValueEx(key, 'DisplayName', 0, winreg.REG_SZ, tag)") },
    kind: 'wheel',
  },
  {
    what: 'setup.py serves a coverage report when run as `setup.py coverage` (configargparse)',
    files: {
      'demo-1.0/setup.py': lines(
        'import socket, sys',
        'from setuptools import setup',
        'def serve(directory):',
        '    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
        "    s.bind(('localhost', 8000))",
        "    print('report at http://%s:8000' % socket.gethostname())",
        'command = sys.argv[-1]',
        "if command == 'coverage':",
        "    serve('htmlcov')",
        "elif command == 'publish':",
        "    import os; os.system('twine upload dist/*')",
        "setup(name='demo')",
      ),
      'demo-1.0/demo.py': lines('X = 1'),
    },
  },
  {
    what: 'setup.py reads its version by exec of a file opened through a helper (pdfplumber) or eval of a line (pyflakes)',
    files: {
      'demo-1.0/setup.py': lines(
        'import os',
        'from setuptools import setup',
        'def _open(sub):',
        '    return open(os.path.join(os.path.dirname(__file__), sub))',
        'ns = {}',
        "with _open('demo/_version.py') as f:",
        '    exec(f.read(), {}, ns)',
        'def get_version():',
        "    with open('demo/__init__.py') as f:",
        '        for line in f:',
        "            if line.startswith('__version__'):",
        "                return eval(line.split('=')[-1])",
        "setup(name='demo', version=get_version())",
      ),
      'demo-1.0/demo/__init__.py': lines("__version__ = '1.0'"),
      'demo-1.0/demo/_version.py': lines("version = '1.0'"),
    },
  },
  {
    what: 'a universal wheel carries its helper binary for every platform and starts it without a console window (selenium)',
    files: {
      'demo/windows/demo-manager.exe': PE,
      'demo/manager.py': lines('import subprocess, sys', 'def run(args):', "    flags = subprocess.CREATE_NO_WINDOW if sys.platform == 'win32' else 0", '    return subprocess.run(args, capture_output=True, creationflags=flags)'),
    },
    kind: 'wheel',
  },
  {
    what: 'setup.py prepares a compiler environment (Pillow, lupa)',
    files: {
      'demo-1.0/setup.py': lines(
        'import os, subprocess',
        'from setuptools import setup',
        "machine = os.uname()[4]",
        'env = dict(os.environ)',
        "env['CFLAGS'] = '-O2'",
        "subprocess.check_call(['make'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)",
        "setup(name='demo')",
      ),
    },
  },
  {
    what: 'an in-tree build backend downloads the native sources it builds (cmake, MuPDF)',
    files: {
      'demo-1.0/pyproject.toml': lines('[build-system]', 'requires = []', 'build-backend = "backend"', 'backend-path = ["_build_backend"]'),
      'demo-1.0/_build_backend/backend.py': lines('import urllib.request', 'def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):', "    urllib.request.urlretrieve('https://demo.example.com/src.tar.gz', 'src.tar.gz')"),
    },
  },
  {
    what: 'CI and release scripts outside the package install their tools with curl | sh (ddtrace, pymongo, gcsfs)',
    files: {
      'demo-1.0/demo/__init__.py': '',
      'demo-1.0/.evergreen/scripts/setup.sh': lines('curl -LsSf https://demo.example.com/install.sh | sh'),
      // A CI helper package that names the script: still CI, nothing imports a dotted folder.
      'demo-1.0/.evergreen/scripts/__init__.py': '',
      'demo-1.0/.evergreen/scripts/run.py': lines('import subprocess', "subprocess.run(['bash', '.evergreen/scripts/setup.sh'])"),
      'demo-1.0/dev/install.ps1': lines('(New-Object System.Net.WebClient).DownloadFile($url, $out)'),
      'demo-1.0/scripts/release.py': lines('import requests', "info = requests.get('https://pypi.org/pypi/demo/json').json()"),
    },
  },
  {
    what: 'a security linter documents Trojan Source with an example in its docstring (bandit)',
    files: {
      'demo/plugins/trojansource.py': lines('r"""Detects bidirectional control characters.', '', 'Example::', '', "    if access_level != 'none\u202e\u2066': # Check if admin \u2069\u2066' and access_level != 'user':", '', '"""  # noqa: E501', 'BIDI = set()'),
    },
    kind: 'wheel',
  },
  {
    what: "two functions reuse a loop variable's name; the environment in one is not the request body of the other (plotly)",
    files: {
      'demo/orca.py': lines(
        'import os',
        'from requests import post',
        'def env_without_display():',
        '    out = {}',
        '    for k, v in os.environ.items():',
        "        if k != 'DISPLAY':",
        '            out[k] = v',
        '    return out',
        'def request_image(url, **kwargs):',
        '    params = {k: v for k, v in kwargs.items() if v is not None}',
        '    return post(url, json=params)',
      ),
    },
    kind: 'wheel',
  },
  {
    what: 'a registry-login tool configures pip, npm and twine (awscli codeartifact)',
    files: { 'demo/login.py': lines('import os', "PYPIRC = os.path.expanduser('~/.pypirc')", "NETRC = os.path.expanduser('~/.netrc')", "NPMRC = os.path.expanduser('~/.npmrc')") },
    kind: 'wheel',
  },
  {
    what: 'a lazy ctypes import probes a CPU feature (faiss)',
    files: { 'demo/loader.py': lines('def has_avx512():', '    return bool(__import__("ctypes").CDLL(None).getauxval(16) & (1 << 22))') },
    kind: 'wheel',
  },
  {
    what: 'a debugger reads other processes and sets thread registers (debugpy vendors winappdbg)',
    files: { 'demo/process.py': lines('import ctypes', 'k = ctypes.windll.kernel32', 'def peek(h, addr, n, buf):', '    k.ReadProcessMemory(h, addr, buf, n, None)', 'def set_ctx(t, c):', '    k.SetThreadContext(t, c)') },
    kind: 'wheel',
  },
  {
    what: 'an example address in a docstring, a shortener in a field description (requests-toolbelt, google-cloud-aiplatform)',
    files: {
      'demo/adapters.py': lines('"""Connect to an address directly.', '', '    s.mount("https://93.184.216.34", Adapter())', '"""', 'X = 1'),
      'demo/types.py': lines('labels = Field(description="""The labels with user-defined metadata to organize your resources, see https://goo.gl/xmQnxf for more information and examples.""")'),
    },
    kind: 'wheel',
  },
  {
    what: 'an error message points to a shortened link, split across string parts (setuptools)',
    files: {
      'demo/index.py': lines('def check(url):', '    msg = (', '        "\\nNote: Bypassing %s (disallowed host; see "', '        "http://bit.ly/2hrImnY for details).\\n"', '    )', '    return msg % url'),
    },
    kind: 'wheel',
  },
  {
    what: 'optimized bytecode beside its source (thrift)',
    files: { 'demo/Thrift.py': lines('X = 1'), 'demo/__pycache__/Thrift.cpython-311.opt-1.pyc': new Uint8Array(16) },
    kind: 'wheel',
  },
];

describe('honest patterns from popular packages stay clean', () => {
  it.each(CASES.map((c) => [c.what, c] as [string, Case]))('%s', async (_what, c) => {
    const r = await scan(c.files, c.kind, c.archive);
    const threats = r.findings.filter((f) => f.severity !== 'low').map((f) => `${f.rule} ${f.file}:${f.line ?? ''}`);
    expect({ verdict: r.verdict, score: r.score, threats }).toMatchObject({ verdict: 'clean' });
  });
});
