/** `pyward inspect`: flags -> app/inspect -> reporter -> exit code. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { EXIT } from './exit.js';
import { collect, defaultCacheDir, oneOf, useColor } from './options.js';

const FORMATS = ['table', 'json', 'sarif', 'markdown'] as const;
const FAIL_ON = ['suspicious', 'malicious'] as const;

interface InspectFlags {
  format: (typeof FORMATS)[number];
  explain?: string;
  failOn: (typeof FAIL_ON)[number];
  output?: string;
  color: boolean;
  requirement?: string[];
  indexUrl?: string;
  offline?: boolean;
  allFiles?: boolean;
  metadata: boolean;
  cacheDir?: string;
  maxDownloadMb?: string;
}

export function registerInspect(program: Command, setCode: (code: number) => void): void {
  program
    .command('inspect')
    .description('find malicious code in wheels, sdists, unpacked packages, releases on an index and lockfiles, without running them')
    .argument('[inputs...]', 'wheels (.whl), sdists (.tar.gz, .zip), directories, NAME==VERSION (or NAME: the newest release), requirements files or lockfiles')
    .option('-r, --requirement <file>', 'a requirements file, whatever its name (repeatable)', collect)
    .option('--index-url <url>', 'the simple index to download from (default: from pip configuration, else https://pypi.org/simple/)')
    .option('--all-files', 'download every file of a release (default: its sdist and one wheel, pure-Python first)')
    .option('--offline', "no network: releases and lockfile entries only from pyward's cache; no index metadata")
    .option('--no-metadata', "do not judge the index's metadata of downloaded projects (description, releases, e-mail, links)")
    .option('--max-download-mb <n>', 'refuse distribution files larger than this (default 1024)')
    .option('--cache-dir <dir>', 'cache directory (default: $PYWARD_CACHE_DIR or ~/.cache/pyward)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, oneOf(FORMATS), 'table')
    .option('--explain <rule>', 'describe a rule (what it looks for, when honest code does it too) and exit')
    .option('--fail-on <verdict>', `exit 1 when a package is at least: ${FAIL_ON.join(', ')}`, oneOf(FAIL_ON), 'suspicious')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-color', 'no ANSI colors (also when NO_COLOR is set or output is not a terminal)')
    .action(async (paths: string[], flags: InspectFlags) => setCode(await runInspect(paths, flags)));
}

async function runInspect(paths: string[], flags: InspectFlags): Promise<number> {
  if (flags.explain !== undefined) {
    const { explainRule } = await import('../inspect/docs.js');
    const text = explainRule(flags.explain);
    if (text === undefined) throw new UsageError(`unknown rule ${JSON.stringify(flags.explain)}; \`pyward inspect --explain list\` lists them`);
    process.stdout.write(text);
    return EXIT.clean;
  }
  const requirementFiles = flags.requirement ?? [];
  if (paths.length === 0 && requirementFiles.length === 0) {
    throw new UsageError('nothing to inspect: give a wheel, an sdist, a directory, NAME==VERSION or a requirements file or lockfile');
  }
  const maxMb = flags.maxDownloadMb === undefined ? undefined : Number(flags.maxDownloadMb);
  if (maxMb !== undefined && !(Number.isFinite(maxMb) && maxMb > 0)) throw new UsageError('--max-download-mb takes a positive number of megabytes, e.g. 512');

  const { inspect } = await import('../app/inspect.js');
  const { inspectReporters } = await import('../reporters/inspect/index.js');
  const progress = process.stderr.isTTY === true && paths.length + requirementFiles.length > 1;
  const report = await inspect({
    paths,
    requirementFiles,
    sources: {
      cacheDir: flags.cacheDir ?? defaultCacheDir(),
      offline: flags.offline === true,
      allFiles: flags.allFiles === true,
      noMetadata: !flags.metadata,
      ...(flags.indexUrl !== undefined ? { indexUrl: flags.indexUrl } : {}),
      ...(maxMb !== undefined ? { maxBytes: Math.floor(maxMb * 1024 * 1024) } : {}),
    },
    ...(progress ? { onPackage: (done: number, total: number) => process.stderr.write(`\rinspected ${done}/${total}`) } : {}),
  });
  if (progress) process.stderr.write('\n');
  const out = flags.output ? undefined : process.stdout;
  const text = inspectReporters[flags.format](report, { color: out ? useColor(flags.color, out) : false });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  for (const d of report.diagnostics) process.stderr.write(`pyward: ${d.location?.file ? `${d.location.file}: ` : ''}${d.message}\n`);

  // An input that could not be read outranks findings: half an inspection is not a clean one. A
  // file the index could not serve as listed (unreachable, or a digest that does not match) is 3.
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (errors.some((d) => !d.code.startsWith('source-'))) return EXIT.usage;
  if (errors.length > 0) return EXIT.source;
  const failing = report.packages.some((p) => p.verdict === 'malicious' || (flags.failOn === 'suspicious' && p.verdict === 'suspicious'));
  return failing ? EXIT.findings : EXIT.clean;
}
