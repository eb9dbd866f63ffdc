/** `pyward check`: names and publishers of dependencies, before anything is installed. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Risk } from '../core/model.js';
import { UsageError } from '../core/errors.js';
import { collect, defaultCacheDir, oneOf, useColor } from './options.js';
import { EXIT } from './exit.js';

const FORMATS = ['table', 'json', 'sarif', 'markdown'] as const;
const RISKS = ['low', 'medium', 'high', 'critical'] as const;

interface CheckFlags {
  names?: string;
  requirement?: string[];
  inputFormat?: string;
  offline?: boolean;
  format: (typeof FORMATS)[number];
  output?: string;
  failOn: Risk;
  pypiUrl?: string;
  githubApiUrl?: string;
  indexUrl?: string[];
  dnsServer?: string[];
  youngDays?: string;
  allow?: string[];
  cacheDir?: string;
  color: boolean;
}

export function registerCheck(program: Command, setCode: (code: number) => void): void {
  program
    .command('check')
    .description('find typosquats, slopsquats, repojacking and dependency confusion in names or any audit input')
    .argument('[names-or-paths...]', 'project names or requirements (reqeusts, numpy==2.1), or files/directories as for audit')
    .option('--names <file>', 'a file of names, one per line')
    .option('-r, --requirement <file>', 'a requirements file (repeatable)', collect)
    .option('--input-format <name>', 'read every path as this format')
    .option('--offline', 'only the checks that need no network (typosquats, combosquats); say what was skipped')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, oneOf(FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--fail-on <risk>', `exit 1 for findings at or above: ${RISKS.join(', ')}`, oneOf(RISKS), 'low')
    .option('--pypi-url <url>', 'PyPI base URL (default: from pip configuration, else https://pypi.org)')
    .option('--github-api-url <url>', 'GitHub API base URL', undefined)
    .option('--dns-server <ip[:port]>', 'DNS server for the e-mail domain check (repeatable; default: the system resolver)', collect)
    .option('--index-url <url>', 'a private index to check for dependency confusion (repeatable)', collect)
    .option('--young-days <n>', 'a project younger than this many days is young (default 30)')
    .option('--allow <name>', 'never report this name (repeatable)', collect)
    .option('--cache-dir <dir>', 'cache directory (default: $PYWARD_CACHE_DIR or ~/.cache/pyward)')
    .option('--no-color', 'no ANSI colors')
    .action(async (args: string[], flags: CheckFlags) => setCode(await runCheck(args, flags)));
}

async function runCheck(args: string[], flags: CheckFlags): Promise<number> {
  const { existsSync } = await import('node:fs');
  // An argument that names an existing file or directory is an input; anything else is a name.
  const paths = args.filter((a) => a.includes('/') || existsSync(a));
  const names = args.filter((a) => !paths.includes(a));
  const inputs = [
    ...paths.map((path) => ({ path, ...(flags.inputFormat ? { format: flags.inputFormat } : {}) })),
    ...(flags.requirement ?? []).map((path) => ({ path, format: 'requirements-txt' })),
  ];
  if (names.length === 0 && inputs.length === 0 && !flags.names) throw new UsageError('nothing to check: give names, --names FILE, or a path');
  const youngDays = flags.youngDays === undefined ? undefined : Number(flags.youngDays);
  if (youngDays !== undefined && !(Number.isInteger(youngDays) && youngDays > 0)) throw new UsageError('--young-days takes a whole number of days, e.g. 30');

  const { check } = await import('../app/check.js');
  const report = await check({
    names,
    ...(flags.names ? { namesFile: flags.names } : {}),
    inputs,
    offline: flags.offline === true,
    cacheDir: flags.cacheDir ?? defaultCacheDir(),
    ...(flags.pypiUrl ? { pypiUrl: flags.pypiUrl } : {}),
    ...(flags.githubApiUrl ? { githubApiUrl: flags.githubApiUrl } : {}),
    ...(flags.indexUrl ? { indexUrls: flags.indexUrl } : {}),
    ...(flags.dnsServer ? { dnsServers: flags.dnsServer } : {}),
    ...(youngDays ? { youngDays } : {}),
    ...(flags.allow ? { allow: flags.allow } : {}),
  });
  const { checkReporters, RISK_ORDER } = await import('../reporters/check.js');
  const text = checkReporters[flags.format](report, { color: flags.output ? false : useColor(flags.color, process.stdout), cwd: process.cwd() });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  if (report.diagnostics.some((d) => d.severity === 'error')) return EXIT.usage;
  const threshold = RISK_ORDER.indexOf(flags.failOn);
  return report.names.some((n) => n.findings.some((f) => RISK_ORDER.indexOf(f.risk) >= threshold)) ? EXIT.findings : EXIT.clean;
}
