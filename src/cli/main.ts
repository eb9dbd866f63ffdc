/**
 * Entry point: runs the command and turns errors into exit codes (0 clean, 1 findings, 2 usage or
 * input error, 3 a source could not be used). Commands load their modules lazily so that
 * `pyward --help` and warm runs start fast, and a plain `pyward audit` command line is read without
 * commander at all (audit-run.ts); anything else goes through the command tree (program.ts).
 */
import { PywardError, SourceError } from '../core/errors.js';
import { EXIT } from './exit.js';

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'audit') {
      const { quickAuditArgs, runAudit } = await import('./audit-run.js');
      const quick = quickAuditArgs(argv.slice(1));
      if (quick) return await runAudit(quick.paths, quick.flags);
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv);
  } catch (err) {
    if (err instanceof PywardError) {
      process.stderr.write(`pyward: ${err.describe()}\n`);
      return err instanceof SourceError ? EXIT.source : EXIT.usage;
    }
    throw err;
  }
}
