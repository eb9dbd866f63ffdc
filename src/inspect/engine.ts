/**
 * The inspection engine: an Archive in, a scored PackageResult out. It decides which members are
 * code and when each runs (setup.py and .pth at install, module top level at import), parses the
 * Python, runs every rule, and scores. A member that cannot be read or parsed becomes a finding or
 * a note; it never stops the scan of the rest.
 */
import { parse as parseToml } from 'smol-toml';
import { readArchive, type Archive, type ArchiveLimits, type ArchiveMember } from '../archive/index.js';
import { InputError } from '../core/errors.js';
import { parseSdistFilename, parseWheelFilename } from '../core/filename.js';
import { parseCoreMetadata } from '../core/metadata.js';
import { MAX_PARSE_BYTES, analyseWith, pythonParser, type PyAnalysis } from './python.js';
import { RULES } from './rules/index.js';
import { score } from './score.js';
import type {
  Evidence,
  FileContext,
  FileRole,
  Finding,
  PackageContext,
  PackageResult,
  PyprojectBuildSystem,
  Rule,
  ScannedString,
  SourceDigests,
} from './types.js';
import { sourceDigests } from './rules/consistency.js';

export interface InspectOptions {
  limits?: Partial<ArchiveLimits>;
  rules?: readonly Rule[];
  /** Keep the digests of the Python sources, for comparing a wheel with its sdist. */
  digests?: boolean;
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
}

export async function inspectArchive(archive: Archive, options: InspectOptions = {}): Promise<Inspected> {
  const rules = options.rules ?? RULES;
  const parser = await pythonParser();
  const pkg = packageContext(archive);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let bytes = 0;
  let pythonFiles = 0;
  let parseErrors = 0;
  const backendModules = backendModulePaths(pkg);

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
    const lines = text.split(/\r\n|\r|\n/);
    const isPython = role !== 'script' && !TEXT_ONLY.test(m.path) && (PYTHON.test(m.path) || role === 'pth' || isPythonScript(m.path, text));
    let py: PyAnalysis | undefined;
    let strings: ScannedString[];
    if (isPython && data.length <= MAX_PARSE_BYTES) {
      pythonFiles++;
      // A .pth file is a list of paths; only its `import` lines are code.
      const source = role === 'pth' ? lines.map((l) => (/^import[\s\t]/.test(l) ? l : '')).join('\n') : text;
      try {
        py = analyseWith(parser, source);
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

  const findings: Finding[] = [];
  for (const ctx of pkg.files) {
    for (const rule of rules) {
      if (rule.scope !== 'file' || !rule.checkFile) continue;
      for (const e of rule.checkFile(ctx)) findings.push(toFinding(rule, e, ctx.role));
    }
  }
  for (const rule of rules) {
    if (rule.scope !== 'package' || !rule.checkPackage) continue;
    for (const e of rule.checkPackage(pkg)) findings.push(toFinding(rule, e));
  }
  const s = score(findings, (id) => rules.find((r) => r.id === id));
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
  return options.digests ? { result, sources: sourceDigests(pkg) } : { result };
}

/** Runs the pair rules of a wheel against its sdist and rescores the wheel's result. */
export function comparePair(wheel: Inspected, sdist: Inspected, rules: readonly Rule[] = RULES): void {
  if (!wheel.sources || !sdist.sources) return;
  const added: Finding[] = [];
  for (const rule of rules) {
    if (rule.scope !== 'pair' || !rule.checkPair) continue;
    for (const e of rule.checkPair(wheel.sources, sdist.sources)) added.push(toFinding(rule, e));
  }
  if (added.length === 0) return;
  const findings = sortFindings([...wheel.result.findings, ...added]);
  const s = score(findings, (id) => rules.find((r) => r.id === id));
  wheel.result.findings = findings;
  wheel.result.score = s.score;
  wheel.result.verdict = s.verdict;
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

function pyproject(pkg: PackageContext): { data: Record<string, unknown>; text: string; path: string } | undefined {
  const m = pkg.archive.members.find((x) => x.path === `${pkg.root}pyproject.toml`);
  if (!m?.readable) return undefined;
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
    // The whole in-tree backend package runs at build time, not only its entry module.
    const top = module.split('/')[0]!;
    for (const m of pkg.archive.members) if (m.path.startsWith(`${base}${top}/`) && PYTHON.test(m.path)) out.add(m.path);
  }
  return out;
}

/** `pkg-1.0/` when every member of an sdist lives under one folder. */
function commonRoot(archive: Archive): string {
  if (archive.kind !== 'sdist' || archive.members.length === 0) return '';
  const first = archive.members[0]!.path.split('/')[0]!;
  return archive.members.every((m) => m.path.startsWith(first + '/')) ? first + '/' : '';
}
