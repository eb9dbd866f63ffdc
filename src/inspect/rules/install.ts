/**
 * Code that runs while pip installs: setup.py (every sdist install runs it), setuptools command
 * overrides, in-tree build backends, and `.pth` files (run at every interpreter start once
 * installed). Honest build scripts run compilers and git; they do not fetch URLs or exec strings.
 */
import { constValue, type PyCall } from '../python.js';
import type { Evidence, FileContext, PackageContext, Rule } from '../types.js';
import {
  DECODE_CALLS,
  EXEC_CALLS,
  NETWORK_CALLS,
  PROCESS_CALLS,
  at,
  atCall,
  callsTo,
  containsCall,
  dedupe,
} from './util.js';

const installTime = (ctx: FileContext): boolean =>
  ctx.role === 'setup' || ctx.role === 'build-backend' || ctx.role === 'pth';

/** `exec(open('pkg/version.py').read())` and friends: the classic way setup.py reads its version. */
function readsLocalFile(ctx: FileContext, call: PyCall): boolean {
  const a = call.args[0];
  if (!a) return false;
  return containsCall(ctx, a, (c) =>
    c.callee === 'open' || c.callee === 'io.open' || c.callee === 'codecs.open' || c.callee === '.read_text' ||
    c.callee.endsWith('.read_text') || (c.callee === '.read' && c.receiver !== undefined && containsCall(ctx, c.receiver, (o) => o.callee === 'open' || o.callee === 'io.open' || o.callee === 'codecs.open' || o.callee.endsWith('.open'), 1)),
  1);
}

const installProcess: Rule = {
  id: 'install-process',
  description: 'install-time code (setup.py, a command override, an in-tree build backend, a .pth file) starts a process',
  severity: 'low',
  tags: ['process'],
  kind: 'capability',
  scope: 'file',
  explain:
    'Flags os.system, subprocess.*, os.exec*/spawn* and similar calls in code that pip runs while installing. ' +
    'Honest setup.py files do this to run git, compilers or cmake, so it counts only beside a download, obfuscation ' +
    'or evasion in the same file.',
  checkFile(ctx) {
    if (!installTime(ctx)) return [];
    return dedupe(callsTo(ctx, PROCESS_CALLS).map((c) => atCall(ctx, c, `${c.callee} at install time`)));
  },
};

const installNetwork: Rule = {
  id: 'install-network',
  description: 'install-time code opens network connections',
  severity: 'medium',
  tags: ['network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags HTTP clients, sockets, DNS lookups and similar calls in setup.py, in-tree build backends and .pth files. ' +
    'Installing a package should need no network beyond what pip itself fetches; droppers and data stealers start here.',
  checkFile(ctx) {
    if (!installTime(ctx)) return [];
    return dedupe(callsTo(ctx, NETWORK_CALLS).map((c) => atCall(ctx, c, `${c.callee} at install time`)));
  },
};

const installExec: Rule = {
  id: 'install-exec',
  description: 'install-time code executes dynamically built code (exec/eval/compile of something other than a local file)',
  severity: 'medium',
  tags: ['exec'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags exec, eval and compile in setup.py, in-tree build backends and .pth files, except the common honest ' +
    "pattern of exec'ing a file read from the source tree (`exec(open('pkg/__version__.py').read())`).",
  checkFile(ctx) {
    if (!installTime(ctx)) return [];
    return dedupe(
      callsTo(ctx, EXEC_CALLS)
        .filter((c) => c.args.length > 0 && !readsLocalFile(ctx, c) && c.callee !== 'compile')
        .map((c) => atCall(ctx, c, `${c.callee} at install time`)),
    );
  },
};

/** Modules with no business in a build script. */
const SUSPICIOUS_SETUP_IMPORTS = new Set([
  'socket', 'requests', 'urllib.request', 'urllib2', 'http.client', 'httplib', 'base64', 'ctypes', 'winreg', '_winreg',
  'pyperclip', 'smtplib', 'ftplib', 'telnetlib', 'getpass', 'browser_cookie3', 'Crypto', 'Cryptodome', 'win32crypt',
  'pynput', 'marshal', 'discord_webhook', 'telebot', 'paramiko', 'pty',
]);

const setupSuspiciousImport: Rule = {
  id: 'setup-suspicious-import',
  description: 'setup.py imports a network, encoding, credential or OS-automation module that a build has no use for',
  severity: 'low',
  tags: ['install-hook'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags imports of socket, requests, urllib.request, base64, ctypes, winreg, getpass, pyperclip and similar in setup.py ' +
    '(including __import__ and importlib). A few honest setup.py files use urllib to fetch a prebuilt library; most never do.',
  checkFile(ctx) {
    if (ctx.role !== 'setup' || !ctx.py) return [];
    return dedupe(
      ctx.py.imports
        .filter((i) => {
          const full = i.name && i.name !== '*' ? `${i.module}.${i.name}` : i.module;
          return [...SUSPICIOUS_SETUP_IMPORTS].some((m) => full === m || full.startsWith(m + '.') || i.module === m);
        })
        .map((i) => at(ctx, i.line, `imports ${i.module}${i.name ? '.' + i.name : ''}`, 'install')),
    );
  },
};

/** Commands pip or setuptools run during an install, whose override runs attacker code then. */
const INSTALL_COMMANDS = new Set(['install', 'develop', 'egg_info', 'easy_install', 'bdist_egg', 'install_lib', 'install_scripts', 'install_egg_info', 'bdist_wheel', 'build']);
const COMMAND_BASES = /(^|\.)(install|develop|egg_info|easy_install|bdist_egg|install_lib|install_scripts|bdist_wheel|build)$/;

const cmdclassOverride: Rule = {
  id: 'cmdclass-override',
  description: "setup.py replaces an install-time setuptools command (install, develop, egg_info, ...) with its own class",
  severity: 'low',
  tags: ['install-hook'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags setup(cmdclass={...}) entries for install, develop, egg_info, bdist_egg, bdist_wheel and build, and classes ' +
    "deriving from those commands that define run(). It is how install-time payloads hook in; honest projects override " +
    'build_ext or build_py far more often than install, and those are not flagged.',
  checkFile(ctx) {
    if (ctx.role !== 'setup' || !ctx.py) return [];
    const out: Evidence[] = [];
    for (const c of ctx.py.calls) {
      if (!/(^|\.)setup$/.test(c.callee)) continue;
      const cmd = c.kwargs.get('cmdclass');
      if (cmd?.k !== 'dict') continue;
      for (const e of cmd.entries) {
        const key = e.key ? constValue(e.key) : undefined;
        if (key !== undefined && INSTALL_COMMANDS.has(key)) out.push(at(ctx, e.value.line, `cmdclass overrides '${key}'`, 'install'));
      }
    }
    for (const cls of ctx.py.classes) {
      if (cls.methods.includes('run') && cls.bases.some((b) => COMMAND_BASES.test(b))) {
        out.push(at(ctx, cls.line, `class ${cls.name}(${cls.bases.join(', ')}) overrides run()`, 'install'));
      }
    }
    return dedupe(out);
  },
};

const DANGEROUS_IN_PTH = new Set([...EXEC_CALLS, ...PROCESS_CALLS, ...NETWORK_CALLS, ...DECODE_CALLS]);

const pthExec: Rule = {
  id: 'pth-exec',
  description: 'a .pth file has import lines, which Python executes at every interpreter start',
  severity: 'medium',
  tags: ['exec', 'persistence'],
  kind: 'threat',
  scope: 'file',
  explain:
    'site.py executes every line of a .pth file in site-packages that starts with `import`, on every Python start, ' +
    'before any user code. Honest uses are rare and short (setuptools distutils-precedence.pth, editable-install ' +
    'finders); a line that also execs, decodes, spawns or connects is reported with its own rules too, at install weight.',
  checkFile(ctx) {
    if (ctx.role !== 'pth') return [];
    const out: Evidence[] = [];
    ctx.lines.forEach((l, i) => {
      if (!/^import[\s\t]/.test(l)) return;
      const bad = ctx.py?.calls.find((c) => c.line === i + 1 && DANGEROUS_IN_PTH.has(c.callee));
      if (bad || /\bexec\b|\beval\b|base64|subprocess|socket|urlopen|os\.system/.test(l)) {
        out.push(at(ctx, i + 1, `runs at every interpreter start${bad ? `: ${bad.callee}` : ''}`, 'install'));
      } else if (!isKnownHonestPth(l)) {
        out.push(at(ctx, i + 1, 'runs at every interpreter start', 'install'));
      }
    });
    return dedupe(out);
  },
};

/**
 * The two .pth lines found in popular wheels: setuptools' distutils shim and editable-install
 * finders. Matching the whole line keeps an attacker from borrowing the name alone.
 */
function isKnownHonestPth(line: string): boolean {
  return (
    /^import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os\.environ\.get\(var, 'local'\) == 'local'; enabled and __import__\('_distutils_hack'\)\.add_shim\(\); *$/.test(line.trimEnd()) ||
    /^import __editable___[\w]+_finder; __editable___[\w]+_finder\.install\([^()]*\)$/.test(line.trim()) ||
    /^import _virtualenv$/.test(line.trim())
  );
}

const buildBackendInTree: Rule = {
  id: 'build-backend-in-tree',
  description: 'pyproject.toml points the build backend at code shipped in the sdist (backend-path), which pip runs to build',
  severity: 'low',
  tags: ['install-hook'],
  kind: 'threat',
  scope: 'package',
  explain:
    'PEP 517 `backend-path` makes pip import the build backend from the sdist itself, so its code runs at install ' +
    'like setup.py does. Some projects build themselves this way (flit_core, setuptools, PyYAML), so alone it is low; ' +
    'what matters is what the backend does, and its modules are scanned as install-time code.',
  checkPackage(pkg: PackageContext) {
    const b = pkg.buildSystem;
    if (!b?.backendPath || b.backendPath.length === 0) return [];
    const e: Evidence = {
      file: b.file,
      detail: `build-backend ${JSON.stringify(b.backend ?? '?')} from backend-path ${JSON.stringify(b.backendPath)}`,
      phase: 'install',
    };
    if (b.line !== undefined) e.line = b.line;
    return [e];
  },
};

export const installRules: Rule[] = [
  installProcess,
  installNetwork,
  installExec,
  setupSuspiciousImport,
  cmdclassOverride,
  pthExec,
  buildBackendInTree,
];
