/**
 * Resolves unpinned requirements with a real resolver (uv or pip) so that they can be audited at
 * the versions that would really be installed. pyward never guesses a version itself.
 *
 * Neither resolver may run package code: uv gets `--no-build` and pip `--only-binary=:all:`, so an
 * sdist-only dependency makes resolution fail (reported as a warning) instead of running its setup.py.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalVersion } from '../../core/version.js';
import { normalizeName } from '../../core/names.js';

export type ResolverName = 'uv' | 'pip';

export interface ResolvedPackage {
  name: string;
  version: string;
  /** True when the requirement named it directly, false when it came in as a dependency. */
  requested: boolean;
}

export interface ResolveOptions {
  /** Which resolver; by default uv when it is on the PATH, else `python3 -m pip`. */
  resolver?: ResolverName;
  pythonVersion?: string;
  indexUrls?: string[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export class ResolveError extends Error {}

const MAX_OUTPUT = 64 * 1024 * 1024;

function run(cmd: string, args: string[], opts: ResolveOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 300_000, maxBuffer: MAX_OUTPUT, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        if (err) {
          const detail = (stderr || err.message).trim().split('\n').slice(-3).join(' ');
          reject(new ResolveError(`${cmd} ${args[0] ?? ''} failed: ${detail}`));
        } else resolvePromise(stdout);
      },
    );
  });
}

async function available(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await run(cmd, args, { timeoutMs: 20_000, env });
    return true;
  } catch {
    return false;
  }
}

export async function pickResolver(preferred?: ResolverName, env?: NodeJS.ProcessEnv): Promise<ResolverName | undefined> {
  if (preferred) return preferred;
  if (await available('uv', ['--version'], env)) return 'uv';
  if (await available('python3', ['-m', 'pip', '--version'], env)) return 'pip';
  return undefined;
}

/**
 * Resolves the requirements file at `file` (pip syntax: nested -r/-c and index options are
 * honoured by the resolver itself) and returns every package of the resolved set.
 */
export async function resolveRequirements(file: string, opts: ResolveOptions = {}): Promise<ResolvedPackage[]> {
  const resolver = await pickResolver(opts.resolver, opts.env);
  if (!resolver) throw new ResolveError('no resolver found: install uv or pip to audit unpinned requirements');
  const indexArgs = (opts.indexUrls ?? []).flatMap((url, i) => [i === 0 ? '--index-url' : '--extra-index-url', url]);
  if (resolver === 'uv') {
    const args = ['pip', 'compile', file, '--no-build', '--quiet', '--no-header', '--no-annotate', ...indexArgs];
    if (opts.pythonVersion) args.push('--python-version', opts.pythonVersion);
    const out = await run('uv', args, opts);
    const direct = new Set(requestedNames(file));
    return parsePinnedLines(out).map((p) => ({ ...p, requested: direct.has(p.name) }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'pyward-resolve-'));
  try {
    const reportFile = join(dir, 'report.json');
    const args = ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--disable-pip-version-check',
      '--only-binary=:all:', '--report', reportFile, '-r', file, ...indexArgs];
    // pip accepts a foreign --python-version only together with --target.
    if (opts.pythonVersion) args.push('--python-version', opts.pythonVersion, '--target', join(dir, 'target'));
    await run('python3', args, opts);
    return parsePipReport(readFileSync(reportFile, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes requirement lines to a temporary file and resolves them (for pyproject.toml and the like). */
export async function resolveRequirementLines(lines: string[], opts: ResolveOptions = {}): Promise<ResolvedPackage[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pyward-resolve-'));
  try {
    const file = join(dir, 'requirements.in');
    writeFileSync(file, lines.join('\n') + '\n');
    return await resolveRequirements(file, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `name==version` lines, as `uv pip compile` prints them; markers and comments are dropped. */
export function parsePinnedLines(text: string): Omit<ResolvedPackage, 'requested'>[] {
  const out: Omit<ResolvedPackage, 'requested'>[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s#.*$/, '').trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\]+)/.exec(line);
    if (!m) continue;
    const version = canonicalVersion(m[2]!);
    if (version) out.push({ name: normalizeName(m[1]!), version });
  }
  return out;
}

/** pip's installation report (https://pip.pypa.io/en/stable/reference/installation-report/). */
export function parsePipReport(text: string): ResolvedPackage[] {
  const report = JSON.parse(text) as { install?: { requested?: boolean; metadata?: { name?: string; version?: string } }[] };
  const out: ResolvedPackage[] = [];
  for (const item of report.install ?? []) {
    const name = item.metadata?.name;
    const version = item.metadata?.version && canonicalVersion(item.metadata.version);
    if (typeof name === 'string' && version) out.push({ name: normalizeName(name), version, requested: item.requested === true });
  }
  return out;
}

/** The names a requirements file asks for directly (top level only; good enough to mark direct deps). */
function requestedNames(file: string): string[] {
  const names: string[] = [];
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (m && !line.trimStart().startsWith('-')) names.push(normalizeName(m[1]!));
  }
  return names;
}
