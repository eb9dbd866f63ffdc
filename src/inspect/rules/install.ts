/**
 * Code that runs while pip installs: setup.py (every sdist install runs it), setuptools command
 * overrides, in-tree build backends, and `.pth` files (run at every interpreter start once
 * installed). Honest build scripts run compilers and git; they do not fetch URLs or exec strings.
 */
import { constValue, valuesOf, type Expr, type PyCall } from '../python.js';
import type { Evidence, FileContext, PackageContext, Rule } from '../types.js';
import {
  DECODE_CALLS,
  EXEC_CALLS,
  FETCH_CALLS,
  NETWORK_CALLS,
  PROCESS_CALLS,
  at,
  atCall,
  callsTo,
  containsCall,
  dedupe,
  phaseOf,
} from './util.js';

const installTime = (ctx: FileContext): boolean =>
  ctx.role === 'setup' || ctx.role === 'build-backend' || ctx.role === 'pth';

/** Calls of install-time code that run while pip installs (not a custom command nobody runs). */
function installCalls(ctx: FileContext, set: Set<string>): PyCall[] {
  if (!installTime(ctx)) return [];
  return callsTo(ctx, set).filter((c) => phaseOf(ctx, c) === 'install');
}

const OPENS = (o: PyCall): boolean => o.callee === 'open' || o.callee === 'io.open' || o.callee === 'codecs.open' || o.callee.endsWith('.open');

/**
 * `exec(open('pkg/version.py').read())`, `eval(line.split('=')[-1])` over the lines of a file,
 * `runpy.run_path('pkg/version.py')`: the classic ways setup.py reads its version from its own
 * tree. The file itself is in the package and scanned (run_path targets as install-time code).
 */
function readsLocalFile(ctx: FileContext, call: PyCall): boolean {
  const a = call.args[0];
  if (!a) return false;
  if ((call.callee === 'runpy.run_path' || call.callee === 'runpy.run_module') && constValue(a) !== undefined) return true;
  return containsCall(ctx, a, (c) =>
    OPENS(c) || c.callee === '.read_text' || c.callee.endsWith('.read_text') || c.callee === '.readlines' ||
    ((c.callee === '.read' || c.callee === '.readline') && c.receiver !== undefined && readsFromFile(ctx, c.receiver)),
  3);
}

/**
 * The object `.read()` is called on is a file: opened here, or bound by `with helper(...) as f`
 * to what a local helper returns (pdfplumber's `_open`). A network response is not a file.
 */
function readsFromFile(ctx: FileContext, receiver: Expr): boolean {
  if (containsCall(ctx, receiver, OPENS, 2)) return true;
  if (containsCall(ctx, receiver, (c) => NETWORK_CALLS.has(c.callee) || FETCH_CALLS.has(c.callee), 2)) return false;
  return receiver.k === 'name' && ctx.py !== undefined && valuesOf(ctx.py, receiver).some((v) => v.k === 'call' && /^[A-Za-z_]\w*$/.test(v.call.callee));
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
    return dedupe(installCalls(ctx, PROCESS_CALLS).map((c) => atCall(ctx, c, `${c.callee} at install time`)));
  },
};

const installNetwork: Rule = {
  id: 'install-network',
  description: 'install-time code opens network connections',
  severity: 'low',
  tags: ['network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags HTTP clients, sockets, DNS lookups and similar calls in setup.py, in-tree build backends and .pth files. ' +
    'Installing a package should need no network beyond what pip itself fetches, yet some honest builds download ' +
    'their native sources (cmake, MuPDF, ddtrace), so it is low and counts alone only a little: droppers and ' +
    'stealers are caught by what they do with the connection (download-executable, exec-remote, exfiltration).',
  checkFile(ctx) {
    return dedupe(installCalls(ctx, NETWORK_CALLS).map((c) => atCall(ctx, c, `${c.callee} at install time`)));
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
    return dedupe(
      installCalls(ctx, EXEC_CALLS)
        // An exec of quoted code was analysed as code: what it does is reported by the other rules.
        .filter((c) => c.args.length > 0 && !c.literalExec && !readsLocalFile(ctx, c) && c.callee !== 'compile')
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
  kind: 'capability',
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
  kind: 'capability',
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

/** A .pth import line that execs (other than quoted code, which is analysed), decodes, spawns or connects. */
function dangerousPthCall(ctx: FileContext, lineNo: number, text: string): string | undefined {
  if (!ctx.py) return /\bexec\b|\beval\b|base64|subprocess|socket|urlopen|os\.system/.test(text) ? 'code' : undefined;
  return ctx.py.calls.find((c) => c.line === lineNo && DANGEROUS_IN_PTH.has(c.callee) && !c.literalExec)?.callee;
}

const pthExec: Rule = {
  id: 'pth-exec',
  description: 'a .pth file runs code that execs, decodes, spawns a process or connects, at every interpreter start',
  severity: 'medium',
  tags: ['exec', 'persistence'],
  kind: 'threat',
  scope: 'file',
  explain:
    'site.py executes every line of a .pth file in site-packages that starts with `import`, on every Python start, ' +
    'before any user code. A line that also execs or evals something other than quoted code, decodes data, starts a ' +
    'process or opens a connection is how .pth persistence works (the 2026 litellm compromise); what it runs is ' +
    'reported with its own rules too, at install weight. Quoted code that a line execs (coverage, pytest-cov) is ' +
    'analysed as code.',
  checkFile(ctx) {
    if (ctx.role !== 'pth') return [];
    const out: Evidence[] = [];
    ctx.lines.forEach((l, i) => {
      if (!/^import[\s\t]/.test(l)) return;
      const bad = dangerousPthCall(ctx, i + 1, l);
      if (bad) out.push(at(ctx, i + 1, `runs at every interpreter start: ${bad}`, 'install'));
    });
    return dedupe(out);
  },
};

const pthImport: Rule = {
  id: 'pth-import',
  description: 'a .pth file imports a module at every interpreter start',
  severity: 'low',
  tags: ['persistence'],
  kind: 'threat',
  scope: 'file',
  explain:
    'An `import` line in a .pth file runs whenever Python starts. Coverage measurement, namespace-package shims, ' +
    'editable installs and virtualenv hooks do this honestly, so an import line that does nothing worse (pth-exec) ' +
    'is low; the module it imports is scanned like the rest of the package. The generated lines of setuptools ' +
    '(distutils-precedence, *-nspkg.pth namespace packages), editable finders and virtualenv are not reported.',
  checkFile(ctx) {
    if (ctx.role !== 'pth') return [];
    const out: Evidence[] = [];
    ctx.lines.forEach((l, i) => {
      if (!/^import[\s\t]/.test(l) || dangerousPthCall(ctx, i + 1, l) || isKnownHonestPth(l)) return;
      out.push(at(ctx, i + 1, 'runs at every interpreter start', 'install'));
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
    /^import _virtualenv$/.test(line.trim()) ||
    isNamespaceShim(line.trim())
  );
}

/**
 * The line setuptools writes into `<dist>-nspkg.pth` for each namespace package of a
 * `namespace_packages=` install: it only creates the namespace module and appends a path. Checked
 * statement by statement, so nothing but namespace names may differ from the template.
 */
function isNamespaceShim(line: string): boolean {
  const NAMES = String.raw`\*\(('[\w]+',\s*)*'[\w]+',?\)`;
  const NS = String.raw`'[\w.]+'`;
  const statements = line.split(';').map((s) => s.trim()).filter((s) => s !== '');
  const allowed = [
    /^import sys, types, os$/,
    /^has_mfs = sys\.version_info > \(3, 5\)$/,
    new RegExp(String.raw`^p = os\.path\.join\((sys\._getframe\(1\)\.f_locals\['sitedir'\]|os\.path\.dirname\(__file__\)), ${NAMES}\)$`),
    /^importlib = (has_mfs and )?__import__\('importlib\.util'\)$/,
    /^(has_mfs and )?__import__\('importlib\.machinery'\)$/,
    new RegExp(String.raw`^m = (has_mfs and )?sys\.modules\.setdefault\(${NS}, importlib\.util\.module_from_spec\(importlib\.machinery\.PathFinder\.find_spec\(${NS}, \[os\.path\.dirname\(p\)\]\)\)\)$`),
    new RegExp(String.raw`^m = m or sys\.modules\.setdefault\(${NS}, types\.ModuleType\(${NS}\)\)$`),
    /^mp = \(m or \[\]\) and m\.__dict__\.setdefault\('__path__',\s*\[\]\)$/,
    /^\(p not in mp\) and mp\.append\(p\)$/,
    new RegExp(String.raw`^((has_mfs|m) and )?setattr\(sys\.modules\[${NS}\], ${NS}, m\)$`),
  ];
  return statements.length >= 4 && statements[0] === 'import sys, types, os' && statements.every((s) => allowed.some((re) => re.test(s)));
}

const buildBackendInTree: Rule = {
  id: 'build-backend-in-tree',
  description: 'pyproject.toml points the build backend at code shipped in the sdist (backend-path), which pip runs to build',
  severity: 'low',
  tags: ['install-hook'],
  kind: 'capability',
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
  pthImport,
  buildBackendInTree,
];
