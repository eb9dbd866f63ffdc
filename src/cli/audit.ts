/** `pyward audit`: flags -> app/audit -> reporter -> exit code. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SEVERITY_ORDER, type AuditReport, type Severity } from '../core/model.js';
import { UsageError } from '../core/errors.js';
import { collect, defaultCacheDir, defaultDbFile, oneOf, useColor } from './options.js';
import { EXIT } from './exit.js';

const FORMATS = ['table', 'json', 'sarif', 'markdown', 'cyclonedx'] as const;
const SOURCES = ['local', 'osv', 'pypi'] as const;
const DEFAULT_PYPI = 'https://pypi.org';

interface AuditFlags {
  requirement?: string[];
  inputFormat?: string;
  db?: string;
  source: (typeof SOURCES)[number];
  osvUrl?: string;
  pypiUrl?: string;
  format: (typeof FORMATS)[number];
  output?: string;
  ignoreVuln?: string[];
  ignoreFile?: string;
  failOn?: Severity;
  fix?: boolean;
  dryRun?: boolean;
  resolve: 'auto' | 'always' | 'never';
  resolver?: 'uv' | 'pip';
  pythonVersion?: string;
  offline?: boolean;
  /** `offline` (default), `online`, or false for --no-name-checks. */
  nameChecks?: 'offline' | 'online' | false;
  allowName?: string[];
  cacheDir?: string;
  color: boolean;
}

export function registerAudit(program: Command, setCode: (code: number) => void): void {
  program
    .command('audit')
    .description('find known vulnerabilities in requirements, lockfiles and environments')
    .argument('[paths...]', 'files or directories to audit (format detected from the name)')
    .option('-r, --requirement <file>', 'a requirements file (repeatable)', collect)
    .option('--input-format <name>', 'read every path as this format instead of detecting it')
    .option('--db <path>', 'advisory database: a pyward db, an OSV directory or an OSV all.zip (default: the one `pyward db update` keeps)')
    .option('--source <name>', `where advisories come from: ${SOURCES.join(', ')}`, oneOf(SOURCES), 'local')
    .option('--osv-url <url>', 'OSV API base URL for --source osv', 'https://api.osv.dev')
    .option('--pypi-url <url>', 'PyPI base URL for --source pypi and --name-checks online', DEFAULT_PYPI)
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, oneOf(FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--ignore-vuln <id>', 'ignore a vulnerability by any of its ids (repeatable)', collect)
    .option('--ignore-file <file>', 'TOML file of [[ignore]] entries with id, reason and optional expires')
    .option('--fail-on <severity>', 'exit 1 only for findings at or above: low, medium, high, critical (unscored findings always count)',
      oneOf(SEVERITY_ORDER.filter((s) => s !== 'unknown')))
    .option('--fix', 'rewrite pins in requirements files to the smallest version that clears every finding')
    .option('--dry-run', 'with --fix: print the changes without writing them')
    .option('--resolve <mode>', 'resolve unpinned requirements with uv or pip: auto (when needed), always (also transitive deps), never',
      oneOf(['auto', 'always', 'never'] as const), 'auto')
    .option('--resolver <name>', 'force the resolver: uv or pip', oneOf(['uv', 'pip'] as const))
    .option('--python-version <version>', 'target Python version for resolution')
    .option('--offline', 'use no network: no resolver, local database only')
    .option('--name-checks <which>', 'name checks of every dependency: offline (typosquats, combosquats against the popular list; the default) or online (also existence, age, repository ownership, publishers, dependency confusion: asks PyPI and GitHub about each dependency)',
      oneOf(['offline', 'online'] as const))
    .option('--no-name-checks', 'only vulnerabilities: no typosquat or other name checks')
    .option('--allow-name <name>', 'never report a name risk for this project (repeatable), e.g. your own package that resembles a popular one', collect)
    .option('--cache-dir <dir>', 'cache directory (default: $PYWARD_CACHE_DIR or ~/.cache/pyward)')
    .option('--no-color', 'no ANSI colors (also when NO_COLOR is set or output is not a terminal)')
    .action(async (paths: string[], flags: AuditFlags) => setCode(await runAudit(paths, flags)));
}

async function runAudit(paths: string[], flags: AuditFlags): Promise<number> {
  const inputs = [...paths, ...(flags.requirement ?? [])].map((path) => ({
    path,
    format: flags.requirement?.includes(path) && !paths.includes(path) ? 'requirements-txt' : flags.inputFormat,
  }));
  if (inputs.length === 0) throw new UsageError('nothing to audit: give a path or -r requirements.txt');
  if (flags.dryRun && !flags.fix) throw new UsageError('--dry-run goes with --fix');
  if (flags.offline && flags.source !== 'local') throw new UsageError(`--offline cannot use --source ${flags.source}; drop one of them`);
  if (flags.offline && flags.nameChecks === 'online') throw new UsageError('--offline cannot run --name-checks online; drop one of them');

  const { audit } = await import('../app/audit.js');
  const { openAdvisorySource } = await import('../app/advisories.js');
  const cacheDir = flags.cacheDir ?? defaultCacheDir();
  const source = await openAdvisorySource({
    kind: flags.source,
    db: flags.db ?? defaultDbFile(cacheDir),
    dbGiven: flags.db !== undefined,
    cacheDir,
    osvUrl: flags.osvUrl,
    pypiUrl: flags.pypiUrl,
  });
  let report: AuditReport;
  try {
    report = await audit({
      inputs,
      source,
      ignoreIds: flags.ignoreVuln,
      ignoreFile: flags.ignoreFile,
      resolve: flags.offline ? 'never' : flags.resolve,
      resolver: flags.resolver,
      pythonVersion: flags.pythonVersion,
      ...(flags.nameChecks !== false
        ? {
            names: {
              offline: flags.nameChecks !== 'online',
              cacheDir,
              ...(flags.pypiUrl && flags.pypiUrl !== DEFAULT_PYPI ? { pypiUrl: flags.pypiUrl } : {}),
              ...(flags.allowName ? { allow: flags.allowName } : {}),
            },
          }
        : {}),
    });
  } finally {
    source.close();
  }

  let fixed = new Set<string>();
  if (flags.fix) {
    const { applyFixes } = await import('../app/fix.js');
    fixed = applyFixes(report, { dryRun: flags.dryRun === true, log: (line) => process.stderr.write(line + '\n') });
  }

  const { loadReporter } = await import('../reporters/load.js');
  const render = await loadReporter(flags.format);
  const out = flags.output ? undefined : process.stdout;
  const text = render(report, { color: out ? useColor(flags.color, out) : false, cwd: process.cwd() });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  return exitCode(report, flags.failOn, fixed);
}

/** Input errors outrank findings: an audit of half a file is not a clean audit. */
export function exitCode(report: AuditReport, failOn: Severity | undefined, fixed: Set<string>): number {
  if (report.diagnostics.some((d) => d.severity === 'error')) return EXIT.usage;
  const threshold = failOn ? SEVERITY_ORDER.indexOf(failOn) : 0;
  // A name risk counts like a vulnerability of the same level (risks are low..critical too).
  if (report.names?.findings.some((f) => SEVERITY_ORDER.indexOf(f.risk) >= threshold)) return EXIT.findings;
  const failing = report.findings.some((f) => {
    if (fixed.has(`${f.package.location.file}:${f.package.location.line}`)) return false;
    const level = f.vulnerability.severity?.level ?? 'unknown';
    // No score is not a low score: an unscored finding fails at every threshold.
    return level === 'unknown' || SEVERITY_ORDER.indexOf(level) >= threshold;
  });
  return failing ? EXIT.findings : EXIT.clean;
}
