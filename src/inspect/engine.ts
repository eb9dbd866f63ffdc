/**
 * The inspection engine: an Archive in, a scored PackageResult out. It decides which members are
 * code and when each runs (setup.py and .pth at install, module top level at import), parses the
 * Python, runs every rule, and scores. A member that cannot be read or parsed becomes a finding or
 * a note; it never stops the scan of the rest.
 */
import { readArchive, type Archive, type ArchiveLimits, type ArchiveMember } from '../archive/index.js';
import { InputError } from '../core/errors.js';
import { parseSdistFilename, parseWheelFilename } from '../core/filename.js';
import { parseCoreMetadata } from '../core/metadata.js';
import { MAX_PARSE_BYTES, analyseWith, pythonParser, type PyAnalysis } from './python.js';
import { RULES } from './rules/index.js';
import { importStatements, parseMode, relevantRanges, shallowRanges, splitAs } from './prefilter.js';
import { score } from './score.js';
import type {
  Evidence,
  FileContext,
  FileRole,
  Finding,
  PackageContext,
  PackageResult,
  ProjectSignals,
  PyprojectBuildSystem,
  Rule,
  ScannedString,
  SourceDigests,
} from './types.js';
import { sourceDigests } from './rules/consistency.js';
import { isAuxiliaryPath, phaseOf } from './rules/util.js';
import { constValue, someExpr } from './python.js';

export interface InspectOptions {
  limits?: Partial<ArchiveLimits>;
  rules?: readonly Rule[];
  /** Keep the digests of the Python sources, for comparing a wheel with its sdist. */
  digests?: boolean;
  /**
   * Skip parsing modules whose text has nothing any threat rule looks for (default true; see
   * prefilter.ts). Off, every module is parsed and its capabilities are reported too.
   */
  prefilter?: boolean;
}

const PYTHON = /\.(py|pyw)$/i;
const SCRIPT = /\.(sh|bash|bat|cmd|ps1|vbs)$/i;
/** Text scanned line by line for strings: Cython and shell-like scripts. */
const TEXT_ONLY = /\.(pyx|pxd|pxi)$/i;
const METADATA_FILE = /(^|\/)(PKG-INFO|METADATA)$|(^|\/)pyproject\.toml$/;
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/** Whether the engine reads a member's content; everything else stays in the archive. */
export function wantMember(path: string, size: number): boolean {
  if (size > MAX_TEXT_BYTES) return false;
  return PYTHON.test(path) || path.endsWith('.pth') || SCRIPT.test(path) || TEXT_ONLY.test(path) || METADATA_FILE.test(path) || isWheelScript(path);
}

function isWheelScript(path: string): boolean {
  return /^[^/]+\.data\/scripts\/[^/]+$/.test(path);
}

export async function inspectPath(path: string, options: InspectOptions = {}): Promise<Inspected> {
  const archive = await readArchive(path, { ...(options.limits ? { limits: options.limits } : {}), want: wantMember });
  return inspectArchive(archive, options);
}

export interface Inspected {
  result: PackageResult;
  /** For pair rules (wheel vs sdist), when asked for with `digests`. */
  sources?: SourceDigests;
  /** The package's auxiliary files, to rescore after pair rules (with `digests`). */
  auxiliary?: string[];
}

export async function inspectArchive(archive: Archive, options: InspectOptions = {}): Promise<Inspected> {
  const rules = options.rules ?? RULES;
  const parser = await pythonParser();
  if (parseToml === undefined && archive.members.some((m) => m.path.endsWith('pyproject.toml'))) parseToml = (await import('smol-toml')).parse;
  const pkg = packageContext(archive);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let bytes = 0;
  let pythonFiles = 0;
  let parseErrors = 0;
  const backendModules = backendModulePaths(pkg);
  const prefilter = options.prefilter ?? true;

  for (const m of archive.members) {
    const role = roleOf(pkg, m, backendModules);
    if (role === undefined) continue;
    if (!m.readable) {
      if (PYTHON.test(m.path) || m.path.endsWith('.pth')) pkg.unreadable.push({ path: m.path, reason: 'not read: over the member size limit or not extractable' });
      continue;
    }
    let data: Uint8Array;
    try {
      data = m.bytes();
    } catch (e) {
      pkg.unreadable.push({ path: m.path, reason: (e as Error).message });
      continue;
    }
    bytes += data.length;
    let text = decoder.decode(data);
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    const isPython = role !== 'script' && !TEXT_ONLY.test(m.path) && (PYTHON.test(m.path) || role === 'pth' || isPythonScript(m.path, text));
    const mode = isPython && prefilter && (role === 'module' || role === 'init') ? parseMode(text) : 'full';
    if (mode === 'skip') {
      pythonFiles++;
      pkg.files.push({ path: m.path, role, text, lines: [], strings: [], pkg, skipped: true });
      continue;
    }
    const lines = text.split(/\r\n|\r|\n/);
    let py: PyAnalysis | undefined;
    let strings: ScannedString[];
    if (isPython && data.length <= MAX_PARSE_BYTES) {
      pythonFiles++;
      // A .pth file is a list of paths; only its `import` lines are code.
      const source = role === 'pth' ? lines.map((l) => (/^import[\s\t]/.test(l) ? l : '')).join('\n') : text;
      try {
        // In a big module, only the top-level functions and classes that could matter are parsed
        // (for a shallow analysis, all but the plain functions, whose bodies it passes over).
        const partial = prefilter && (role === 'module' || role === 'init');
        const ranges = partial && mode === 'full' ? relevantRanges(source) : partial && mode === 'shallow' ? shallowRanges(source) : undefined;
        py = analyseWith(parser, source, 0, mode === 'shallow', ranges);
        if (py.hasErrors) parseErrors++;
        strings = py.strings;
      } catch {
        parseErrors++;
        strings = lineStrings(lines);
      }
    } else {
      if (isPython) pkg.unparsed.push(m.path);
      strings = lineStrings(lines);
    }
    const ctx: FileContext = { path: m.path, role: isPython || role !== 'module' ? role : 'script', text, lines, strings, pkg };
    if (py) ctx.py = py;
    pkg.files.push(ctx);
  }

  markInstallTime(pkg);
  propagateImportTime(pkg);
  const auxiliary = auxiliaryFiles(pkg);
  for (const ctx of pkg.files) ctx.auxiliary = auxiliary.has(ctx.path);
  const known = new Set(pkg.files.map((f) => f.path));
  const isAuxiliary = (file: string): boolean => auxiliary.has(file) || (!known.has(file) && isAuxiliaryPath(file));

  const findings: Finding[] = [];
  for (const ctx of pkg.files) {
    if (ctx.skipped) continue;
    for (const rule of rules) {
      if (rule.scope !== 'file' || !rule.checkFile) continue;
      for (const e of rule.checkFile(ctx)) findings.push(toFinding(rule, e, ctx.role));
    }
  }
  for (const rule of rules) {
    if (rule.scope !== 'package' || !rule.checkPackage) continue;
    for (const e of rule.checkPackage(pkg)) findings.push(toFinding(rule, e));
  }
  const s = score(findings, (id) => rules.find((r) => r.id === id), isAuxiliary);
  const result: PackageResult = {
    path: archive.path,
    archive: archive.name,
    kind: archive.kind,
    score: s.score,
    verdict: s.verdict,
    findings: sortFindings(findings),
    stats: { files: archive.members.length, bytes, pythonFiles, parseErrors },
    truncated: archive.truncated,
  };
  if (pkg.name !== undefined) result.name = pkg.name;
  if (pkg.version !== undefined) result.version = pkg.version;
  return options.digests ? { result, sources: sourceDigests(pkg), auxiliary: [...auxiliary] } : { result };
}

/** Runs the pair rules of a wheel against its sdist and rescores the wheel's result. */
export function comparePair(wheel: Inspected, sdist: Inspected, rules: readonly Rule[] = RULES): void {
  if (!wheel.sources || !sdist.sources) return;
  const added: Finding[] = [];
  for (const rule of rules) {
    if (rule.scope !== 'pair' || !rule.checkPair) continue;
    for (const e of rule.checkPair(wheel.sources, sdist.sources)) added.push(toFinding(rule, e));
  }
  addFindings(wheel, added, rules);
}

/** The `index` rules on what the index says about a project; package-wide findings. */
export function projectFindings(project: ProjectSignals, rules: readonly Rule[] = RULES): Finding[] {
  const out: Finding[] = [];
  for (const rule of rules) {
    if (rule.scope !== 'index' || !rule.checkProject) continue;
    for (const e of rule.checkProject(project)) out.push(toFinding(rule, e));
  }
  return out;
}

/**
 * Adds findings made outside the archive (a pair comparison, the index's metadata) to a result and
 * rescores it. Auxiliary files are known when the package was inspected with `digests`; otherwise
 * they are told by path, as for a file the engine did not read.
 */
export function addFindings(target: Inspected, added: Finding[], rules: readonly Rule[] = RULES): void {
  if (added.length === 0) return;
  const findings = sortFindings([...target.result.findings, ...added]);
  const aux = target.auxiliary ? new Set(target.auxiliary) : undefined;
  const s = score(findings, (id) => rules.find((r) => r.id === id), aux ? (file) => aux.has(file) : isAuxiliaryPath);
  target.result.findings = findings;
  target.result.score = s.score;
  target.result.verdict = s.verdict;
}

/** Command bases whose `run` pip reaches while installing from an sdist (PEP 517 builds a wheel). */
const INSTALL_COMMAND_BASE = /(^|\.)(install|develop|egg_info|easy_install|bdist_egg|install_lib|install_scripts|install_data|bdist_wheel|build|build_ext|build_py|build_clib|build_scripts|editable_wheel|sdist)$/;
const INSTALL_COMMAND_KEY = /^(install|develop|egg_info|easy_install|bdist_egg|install_lib|install_scripts|install_data|bdist_wheel|build|build_ext|build_py|build_clib|build_scripts|editable_wheel|sdist)$/;

/**
 * What else runs at install: in setup.py, the command classes an install runs (by base class, by
 * their key in `cmdclass`, or deriving from such a class in the file), whose methods then run at
 * install; and the files setup.py runs itself (`runpy.run_path('find_version.py')`,
 * `exec(open('pkg/version.py').read())`), which become install-time code.
 */
function markInstallTime(pkg: PackageContext): void {
  const byPath = new Map(pkg.files.map((f) => [f.path, f]));
  for (const f of pkg.files) {
    if (f.role !== 'setup' || !f.py) continue;
    const registered = new Set<string>();
    for (const c of f.py.calls) {
      if (!/(^|\.)setup$/.test(c.callee)) continue;
      const cmd = c.kwargs.get('cmdclass');
      if (cmd?.k !== 'dict') continue;
      for (const e of cmd.entries) {
        const key = e.key ? constValue(e.key) : undefined;
        if (key !== undefined && INSTALL_COMMAND_KEY.test(key) && e.value.k === 'name') registered.add(e.value.name);
      }
    }
    const install = new Set(f.py.classes.filter((k) => registered.has(k.name) || k.bases.some((b) => INSTALL_COMMAND_BASE.test(b))));
    for (let grew = true; grew; ) {
      grew = false;
      for (const k of f.py.classes) {
        if (!install.has(k) && k.bases.some((b) => [...install].some((i) => i.name === b))) {
          install.add(k);
          grew = true;
        }
      }
    }
    f.installClasses = install;
    const dir = f.path.slice(0, f.path.lastIndexOf('/') + 1);
    const runs = (p: string | undefined): void => {
      if (p === undefined || !/\.pyw?$/.test(p)) return;
      const other = byPath.get(dir + p.replace(/^\.\//, ''));
      if (other && other.role === 'module') other.role = 'setup';
    };
    for (const c of f.py.calls) {
      if (phaseOf(f, c) !== 'install' || !c.args[0]) continue;
      if (c.callee === 'runpy.run_path') runs(constValue(c.args[0]));
      if (c.callee === 'exec' || c.callee === 'eval' || c.callee === 'execfile') {
        if (c.callee === 'execfile') runs(constValue(c.args[0]));
        someExpr(c.args[0], f.py, (x) => {
          if (x.k === 'call' && (x.call.callee === 'open' || x.call.callee === 'io.open' || x.call.callee === 'codecs.open') && x.call.args[0]) runs(constValue(x.call.args[0]));
          return false;
        }, 3);
      }
    }
  }
}

/**
 * Which functions run on import, across the package: `__init__.py` doing
 * `from .utils.downloads import check_environment; check_environment()` runs check_environment on
 * import, and whatever that calls in its own module too. Each file's analysis only knows its own
 * top level, so the calls are followed here, to a fixed point, and each file's `calledAtTopLevel`
 * grows with the functions other files (or its own import-time functions) call on import.
 */
function propagateImportTime(pkg: PackageContext): void {
  const modules = new Map<string, FileContext>();
  for (const f of pkg.files) if (f.py) modules.set(moduleName(pkg, f.path), f);
  for (let round = 0, changed = true; changed && round < 10; round++) {
    changed = false;
    for (const f of pkg.files) {
      const py = f.py;
      if (!py) continue;
      const here = moduleName(pkg, f.path);
      const isPackage = /(^|\/)__init__\.pyw?$/.test(f.path);
      const imported = new Map<string, { module: string; name: string }>();
      for (const i of py.imports) if (i.name !== undefined && i.name !== '*') imported.set(`${i.module}.${i.name}`, { module: i.module, name: i.name });
      for (const c of py.calls) {
        const atImport =
          f.role === 'setup' || f.role === 'build-backend'
            ? phaseOf(f, c) === 'install'
            : c.mainGuard
              ? false
              : c.func === undefined
                ? c.topLevel
                : c.cls === undefined && py.calledAtTopLevel.has(c.func);
        if (!atImport) continue;
        // A local function called by an import-time function runs on import too.
        if (c.func !== undefined && /^[A-Za-z_]\w*$/.test(c.callee) && !py.calledAtTopLevel.has(c.callee)) {
          py.calledAtTopLevel.add(c.callee);
          changed = true;
        }
        const imp = imported.get(c.callee);
        if (!imp) continue;
        const target = modules.get(resolveModule(here, isPackage, imp.module));
        if (target?.py && !target.py.calledAtTopLevel.has(imp.name)) {
          target.py.calledAtTopLevel.add(imp.name);
          changed = true;
        }
      }
    }
  }
}

const SCRIPT_EXT = /\.(?:sh|bash|bat|cmd|ps1|vbs)\b/gi;

/**
 * `from` and `import` are separated by blanks, a module name and blanks, or (in broken code such as
 * `from  import x`, where the module is '') blanks alone. Written as `[ \t]+([\w.]*)[ \t]+`, those two
 * blank runs could split one run every way: quadratic on a line of many blanks that is no import.
 */
const IMPORT_STMT = /^[ \t]*(?:from[ \t]+(?:([\w.]+)[ \t]+|(?<=[ \t][ \t]))import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))/gmy;

/** A name before ` as alias` (splitAs: `split(/\s+as\s+/)` was quadratic on a long run of blanks). */
function beforeAlias(part: string): string {
  return splitAs(part.trim())[0]!.trim();
}

/** The modules a file imports, from its text (skipped files have no analysis), relative ones resolved. */
function importedModules(f: FileContext, here: string): string[] {
  const out: string[] = [];
  const isPackage = /(^|\/)__init__\.pyw?$/.test(f.path);
  for (const m of importStatements(f.text, IMPORT_STMT)) {
    if (m[3] !== undefined) {
      for (const part of m[3].split(',')) {
        const name = beforeAlias(part);
        if (/^[\w.]+$/.test(name)) out.push(name);
      }
      continue;
    }
    const base = resolveModule(here, isPackage, m[1] ?? '');
    out.push(base);
    for (const part of m[2]!.replace(/[()\\]/g, ' ').split(',')) {
      const name = beforeAlias(part);
      if (/^\w+$/.test(name)) out.push(base === '' ? name : `${base}.${name}`);
    }
    if (out.length > 2000) break;
  }
  return out;
}

/**
 * Files whose findings weigh less (score.ts TEST_MULTIPLIER): tests, docs, examples and benchmarks
 * (isAuxiliaryPath), shell and batch scripts, and in an sdist or source tree the Python files
 * outside any package (a `scripts/` or `ci/` folder without __init__.py: nothing imports them by
 * installing). Anything the package's own code imports, or a script it names, is taken back, so a
 * payload cannot be parked in tests/ and imported from setup.py or __init__.py at full strength.
 */
function auxiliaryFiles(pkg: PackageContext): Set<string> {
  const members = new Set(pkg.archive.members.map((m) => m.path));
  const source = pkg.archive.kind !== 'wheel';
  const outsidePackage = (path: string): boolean => {
    if (!source || !PYTHON.test(path)) return false;
    const rel = pkg.root !== '' && path.startsWith(pkg.root) ? path.slice(pkg.root.length) : path;
    const slash = path.lastIndexOf('/');
    if (!rel.includes('/') || slash < 0) return false;
    // `.evergreen/scripts/__init__.py` makes a package of CI helpers, but no import reaches a
    // dotted folder: hidden folders are outside the package whatever they hold.
    if (rel.split('/').slice(0, -1).some((d) => d.startsWith('.'))) return true;
    return !members.has(`${path.slice(0, slash)}/__init__.py`);
  };
  const aux = new Set<string>();
  for (const f of pkg.files) {
    if (f.role === 'setup' || f.role === 'pth' || f.role === 'build-backend') continue;
    if (isAuxiliaryPath(f.path) || f.role === 'script' || outsidePackage(f.path)) aux.add(f.path);
  }
  if (aux.size === 0) return aux;
  const byModule = new Map<string, string>();
  for (const f of pkg.files) if (PYTHON.test(f.path)) byModule.set(moduleName(pkg, f.path), f.path);
  // Script names, to find where the package's code names one (`subprocess.call(['sh', 'build.sh'])`).
  const scripts = new Map<string, string[]>();
  for (const f of pkg.files) {
    if (f.role !== 'script' || !aux.has(f.path)) continue;
    const base = f.path.slice(f.path.lastIndexOf('/') + 1);
    scripts.set(base, [...(scripts.get(base) ?? []), f.path]);
  }
  const done = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of pkg.files) {
      if (aux.has(f.path) || done.has(f.path) || (!PYTHON.test(f.path) && f.role !== 'pth')) continue;
      done.add(f.path);
      for (const mod of importedModules(f, moduleName(pkg, f.path))) {
        const target = byModule.get(mod);
        if (target !== undefined && aux.delete(target)) grew = true;
      }
      if (scripts.size > 0) {
        // Find the extension, then read the name back from it (a pattern that starts with the
        // name would retry at every character of every word).
        for (const m of f.text.matchAll(SCRIPT_EXT)) {
          let start = m.index;
          while (start > 0 && /[\w.-]/.test(f.text[start - 1]!)) start--;
          const name = f.text.slice(start, m.index + m[0].length);
          for (const path of scripts.get(name) ?? []) if (aux.delete(path)) grew = true;
        }
      }
    }
  }
  return aux;
}

/** `pkg/sub/mod.py` -> `pkg.sub.mod`, `pkg/__init__.py` -> `pkg` (sdist root and `src/` removed). */
function moduleName(pkg: PackageContext, path: string): string {
  let rel = pkg.root !== '' && path.startsWith(pkg.root) ? path.slice(pkg.root.length) : path;
  if (rel.startsWith('src/')) rel = rel.slice(4);
  return rel.replace(/\.pyw?$/, '').replace(/\/__init__$/, '').replace(/^__init__$/, '').split('/').join('.');
}

/** The absolute module a `from X import` names, relative imports resolved against the importing module. */
function resolveModule(here: string, isPackage: boolean, module: string): string {
  const dots = /^\.*/.exec(module)![0].length;
  if (dots === 0) return module;
  const parts = here === '' ? [] : here.split('.');
  // From a package's __init__, `.` is the package itself; from a module, its parent.
  const base = parts.slice(0, Math.max(0, parts.length - (isPackage ? 0 : 1) - (dots - 1)));
  const rest = module.slice(dots);
  return [...base, ...(rest ? [rest] : [])].join('.');
}

function toFinding(rule: Rule, e: Evidence, role?: FileRole): Finding {
  const f: Finding = { rule: rule.id, severity: rule.severity, file: e.file };
  if (e.line !== undefined) f.line = e.line;
  if (e.snippet !== undefined) f.snippet = e.snippet;
  if (e.detail !== undefined) f.detail = e.detail;
  // Evidence without its own timing (a string, an import) runs when its file runs.
  const phase = e.phase ?? (role === 'setup' || role === 'pth' || role === 'build-backend' ? 'install' : undefined);
  if (phase !== undefined) f.phase = phase;
  return f;
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

function lineStrings(lines: string[]): ScannedString[] {
  const out: ScannedString[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() !== '') out.push({ value: l.length > 100_000 ? l.slice(0, 100_000) : l, line: i + 1, via: 'literal' });
  }
  return out;
}

function isPythonScript(path: string, text: string): boolean {
  return isWheelScript(path) && /^#!.*\bpython/.test(text);
}

function roleOf(pkg: PackageContext, m: ArchiveMember, backendModules: Set<string>): FileRole | undefined {
  const rel = pkg.root !== '' && m.path.startsWith(pkg.root) ? m.path.slice(pkg.root.length) : m.path;
  if (m.path.endsWith('.pth')) return 'pth';
  if (backendModules.has(m.path)) return 'build-backend';
  if (PYTHON.test(m.path)) {
    // setup.py runs on install only from an sdist (or a source tree); in a wheel it is inert.
    if (rel === 'setup.py' && pkg.archive.kind !== 'wheel') return 'setup';
    return /(^|\/)__init__\.pyw?$/.test(m.path) ? 'init' : 'module';
  }
  if (SCRIPT.test(m.path) || TEXT_ONLY.test(m.path)) return 'script';
  if (isWheelScript(m.path)) return 'module';
  return undefined;
}

function packageContext(archive: Archive): PackageContext {
  const pkg: PackageContext = { archive, pureWheel: false, root: commonRoot(archive), files: [], unparsed: [], unreadable: [] };
  try {
    if (archive.kind === 'wheel') {
      const w = parseWheelFilename(archive.name);
      pkg.name = w.name;
      pkg.version = w.version;
      pkg.pureWheel = w.tags.every((t) => t.abi === 'none' && t.platform === 'any');
    } else if (archive.kind === 'sdist') {
      const s = parseSdistFilename(archive.name, { legacy: true });
      pkg.name = s.name;
      pkg.version = s.version;
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
  if (pkg.name === undefined) fillFromMetadata(pkg);
  // An unpacked sdist is usually named like one: `pkg-1.0/`.
  if (pkg.name === undefined && archive.kind === 'directory') {
    try {
      const s = parseSdistFilename(`${archive.name}.tar.gz`);
      pkg.name = s.name;
      pkg.version = s.version;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  pkg.buildSystem = buildSystem(pkg);
  return pkg;
}

function fillFromMetadata(pkg: PackageContext): void {
  const decoder = new TextDecoder();
  const candidates = pkg.archive.members.filter((m) => m.path === `${pkg.root}PKG-INFO` || /^[^/]+\.dist-info\/METADATA$/.test(m.path) || m.path === 'PKG-INFO');
  for (const m of candidates) {
    if (!m.readable) continue;
    try {
      const md = parseCoreMetadata(decoder.decode(m.bytes()), m.path);
      pkg.name = md.name;
      pkg.version = md.version;
      return;
    } catch {
      // malformed metadata: fall through to pyproject or leave unnamed
    }
  }
  const py = pyproject(pkg);
  const project = py?.data['project'] as Record<string, unknown> | undefined;
  if (typeof project?.['name'] === 'string') pkg.name = project['name'].toLowerCase().replace(/[-_.]+/g, '-');
  if (typeof project?.['version'] === 'string') pkg.version = project['version'];
}

/** smol-toml's parse, loaded by inspectArchive when a package has a pyproject.toml (wheels do not). */
let parseToml: ((text: string) => unknown) | undefined;

function pyproject(pkg: PackageContext): { data: Record<string, unknown>; text: string; path: string } | undefined {
  const m = pkg.archive.members.find((x) => x.path === `${pkg.root}pyproject.toml`);
  if (!m?.readable || parseToml === undefined) return undefined;
  try {
    const text = new TextDecoder().decode(m.bytes());
    return { data: parseToml(text) as Record<string, unknown>, text, path: m.path };
  } catch {
    return undefined;
  }
}

function buildSystem(pkg: PackageContext): PyprojectBuildSystem | undefined {
  if (pkg.archive.kind === 'wheel') return undefined;
  const p = pyproject(pkg);
  const bs = p?.data['build-system'] as Record<string, unknown> | undefined;
  if (!p || !bs) return undefined;
  const out: PyprojectBuildSystem = { file: p.path };
  if (typeof bs['build-backend'] === 'string') out.backend = bs['build-backend'];
  if (Array.isArray(bs['backend-path'])) out.backendPath = bs['backend-path'].filter((x): x is string => typeof x === 'string');
  if (Array.isArray(bs['requires'])) out.requires = bs['requires'].filter((x): x is string => typeof x === 'string');
  const idx = p.text.split(/\r?\n/).findIndex((l) => /^\s*backend-path\s*=/.test(l));
  if (idx >= 0) out.line = idx + 1;
  return out;
}

/** Member paths of an in-tree backend's module (`backend-path = ["_build"]`, backend `backend:api`). */
function backendModulePaths(pkg: PackageContext): Set<string> {
  const out = new Set<string>();
  const b = pkg.buildSystem;
  if (!b?.backendPath || !b.backend) return out;
  const module = b.backend.split(':')[0]!.replace(/\./g, '/');
  for (const dir of b.backendPath) {
    const base = `${pkg.root}${dir.replace(/^\.\/?/, '').replace(/\/?$/, '/').replace(/^\/$/, '')}`;
    out.add(`${base}${module}.py`);
    out.add(`${base}${module}/__init__.py`);
    // Only the entry module is install-time code as a whole (its module level and its PEP 517
    // hooks); the rest of a self-building backend's package (setuptools, poetry-core, hatchling
    // build themselves this way) is ordinary package code, run when imported or called.
  }
  return out;
}

/** `pkg-1.0/` when every member of an sdist lives under one folder. */
function commonRoot(archive: Archive): string {
  if (archive.kind !== 'sdist' || archive.members.length === 0) return '';
  const first = archive.members[0]!.path.split('/')[0]!;
  return archive.members.every((m) => m.path.startsWith(first + '/')) ? first + '/' : '';
}
