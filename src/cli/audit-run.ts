/**
 * `pyward audit` without commander: the command's options (one table, which audit.ts registers with
 * commander), the run itself (flags -> app/audit -> reporter -> exit code), and a quick reading of
 * an ordinary command line with node:util's parseArgs. main.ts tries the quick reading first and
 * hands anything it does not accept (help, a typo, an ambiguous or invalid value) to commander,
 * which then parses the whole command line as it always did, errors and all; so both readings
 * agree on every command line the quick one accepts, and a plain audit does not load commander
 * (about 10 ms of a warm run).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SEVERITY_ORDER, type AuditReport, type Severity } from '../core/model.js';
import { UsageError } from '../core/errors.js';
import { defaultCacheDir, defaultDbFile, useColor } from './env.js';
import { EXIT } from './exit.js';

const FORMATS = ['table', 'json', 'sarif', 'markdown', 'cyclonedx'] as const;
const SOURCES = ['local', 'osv', 'pypi'] as const;
const DEFAULT_PYPI = 'https://pypi.org';

export interface AuditFlags {
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

export interface AuditOption {
  /** Commander's syntax: `-r, --requirement <file>`, `--fix`, `--no-color`. */
  flags: string;
  description: string;
  /** The values allowed (checked by `oneOf` under commander). */
  choices?: readonly string[];
  default?: string;
  /** Given more than once, the values are collected into a list. */
  repeatable?: boolean;
}

/** The options of `pyward audit`, in the order `--help` lists them. */
export const AUDIT_OPTIONS: readonly AuditOption[] = [
  { flags: '-r, --requirement <file>', description: 'a requirements file (repeatable)', repeatable: true },
  { flags: '--input-format <name>', description: 'read every path as this format instead of detecting it' },
  { flags: '--db <path>', description: 'advisory database: a pyward db, an OSV directory or an OSV all.zip (default: the one `pyward db update` keeps)' },
  { flags: '--source <name>', description: `where advisories come from: ${SOURCES.join(', ')}`, choices: SOURCES, default: 'local' },
  { flags: '--osv-url <url>', description: 'OSV API base URL for --source osv', default: 'https://api.osv.dev' },
  { flags: '--pypi-url <url>', description: 'PyPI base URL for --source pypi and --name-checks online', default: DEFAULT_PYPI },
  { flags: '--format <format>', description: `output format: ${FORMATS.join(', ')}`, choices: FORMATS, default: 'table' },
  { flags: '-o, --output <file>', description: 'write the report to a file instead of stdout' },
  { flags: '--ignore-vuln <id>', description: 'ignore a vulnerability by any of its ids (repeatable)', repeatable: true },
  { flags: '--ignore-file <file>', description: 'TOML file of [[ignore]] entries with id, reason and optional expires' },
  {
    flags: '--fail-on <severity>',
    description: 'exit 1 only for findings at or above: low, medium, high, critical (unscored findings always count)',
    choices: SEVERITY_ORDER.filter((s) => s !== 'unknown'),
  },
  { flags: '--fix', description: 'rewrite pins in requirements files to the smallest version that clears every finding' },
  { flags: '--dry-run', description: 'with --fix: print the changes without writing them' },
  {
    flags: '--resolve <mode>',
    description: 'resolve unpinned requirements with uv or pip: auto (when needed), always (also transitive deps), never',
    choices: ['auto', 'always', 'never'],
    default: 'auto',
  },
  { flags: '--resolver <name>', description: 'force the resolver: uv or pip', choices: ['uv', 'pip'] },
  { flags: '--python-version <version>', description: 'target Python version for resolution' },
  { flags: '--offline', description: 'use no network: no resolver, local database only' },
  {
    flags: '--name-checks <which>',
    description:
      'name checks of every dependency: offline (typosquats, combosquats against the popular list; the default) or online (also existence, age, repository ownership, publishers, dependency confusion: asks PyPI and GitHub about each dependency)',
    choices: ['offline', 'online'],
  },
  { flags: '--no-name-checks', description: 'only vulnerabilities: no typosquat or other name checks' },
  {
    flags: '--allow-name <name>',
    description: 'never report a name risk for this project (repeatable), e.g. your own package that resembles a popular one',
    repeatable: true,
  },
  { flags: '--cache-dir <dir>', description: 'cache directory (default: $PYWARD_CACHE_DIR or ~/.cache/pyward)' },
  { flags: '--no-color', description: 'no ANSI colors (also when NO_COLOR is set or output is not a terminal)' },
];

const FLAGS = /^(?:-([a-zA-Z]), )?--([a-z][a-z-]*)(?: <[a-z-]+>)?$/;
const camel = (long: string): string => long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The paths and flags of `pyward audit ARGS` as commander would give them, or undefined when the
 * command line is anything but plain (unknown options, `--help`, a value that looks like an option
 * or is not among the choices): commander then reads it, and reports what is wrong.
 */
export function quickAuditArgs(args: readonly string[]): { paths: string[]; flags: AuditFlags } | undefined {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of AUDIT_OPTIONS) {
    const m = FLAGS.exec(o.flags);
    if (!m) return undefined;
    config[m[2]!] = { type: o.flags.endsWith('>') ? 'string' : 'boolean', ...(m[1] ? { short: m[1] } : {}), ...(o.repeatable ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true });
  } catch {
    return undefined;
  }
  const flags: Record<string, unknown> = {};
  for (const o of AUDIT_OPTIONS) {
    const long = FLAGS.exec(o.flags)![2]!;
    const value = parsed.values[long] ?? o.default;
    if (long.startsWith('no-')) {
      // As commander: `--no-x` sets x to false; without a positive `--x` option, x defaults to true.
      const positive = long.slice(3);
      const hasPositive = AUDIT_OPTIONS.some((p) => FLAGS.exec(p.flags)?.[2] === positive);
      // Both given: commander lets the later one win; leave that reading to it.
      if (value === true && hasPositive && parsed.values[positive] !== undefined) return undefined;
      if (value === true) flags[camel(positive)] = false;
      else if (!hasPositive) flags[camel(positive)] = true;
      continue;
    }
    if (value === undefined) continue;
    if (o.choices && !o.choices.includes(value as string)) return undefined;
    flags[camel(long)] = value;
  }
  return { paths: parsed.positionals, flags: flags as unknown as AuditFlags };
}

export async function runAudit(paths: string[], flags: AuditFlags): Promise<number> {
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
