/** `pyward inspect`: flags -> app/inspect -> reporter -> exit code. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { EXIT } from './exit.js';
import { oneOf, useColor } from './options.js';

const FORMATS = ['table', 'json', 'sarif', 'markdown'] as const;
const FAIL_ON = ['suspicious', 'malicious'] as const;

interface InspectFlags {
  format: (typeof FORMATS)[number];
  explain?: string;
  failOn: (typeof FAIL_ON)[number];
  output?: string;
  color: boolean;
}

export function registerInspect(program: Command, setCode: (code: number) => void): void {
  program
    .command('inspect')
    .description('find malicious code in wheels, sdists and unpacked packages without running them (offline)')
    .argument('[paths...]', 'wheels (.whl), sdists (.tar.gz, .zip) or directories')
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
  if (paths.length === 0) throw new UsageError('nothing to inspect: give a wheel, an sdist or a directory');

  const { inspect } = await import('../app/inspect.js');
  const { inspectReporters } = await import('../reporters/inspect/index.js');
  const progress = process.stderr.isTTY === true && paths.length > 1;
  const report = await inspect({
    paths,
    ...(progress ? { onPackage: (done: number, total: number) => process.stderr.write(`\rinspected ${done}/${total}`) } : {}),
  });
  if (progress) process.stderr.write('\n');
  const out = flags.output ? undefined : process.stdout;
  const text = inspectReporters[flags.format](report, { color: out ? useColor(flags.color, out) : false });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  for (const d of report.diagnostics) process.stderr.write(`pyward: ${d.location?.file ?? ''}: ${d.message}\n`);

  // An input that could not be read outranks findings: half an inspection is not a clean one.
  if (report.diagnostics.some((d) => d.severity === 'error')) return EXIT.usage;
  const failing = report.packages.some((p) => p.verdict === 'malicious' || (flags.failOn === 'suspicious' && p.verdict === 'suspicious'));
  return failing ? EXIT.findings : EXIT.clean;
}
