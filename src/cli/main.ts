/**
 * Entry point: builds the command tree, runs it, and turns errors into exit codes
 * (0 clean, 1 findings, 2 usage or input error, 3 a source could not be used).
 * Commands load their modules lazily so that `pyward --help` and warm runs start fast.
 */
import { Command, CommanderError } from 'commander';
import { PywardError, SourceError } from '../core/errors.js';
import { VERSION } from '../app/version.js';
import { registerAudit } from './audit.js';
import { registerCheck } from './check.js';
import { registerDb } from './db.js';
import { EXIT } from './exit.js';
import { registerInspect } from './inspect.js';
import { registerVerify } from './verify.js';



export async function main(argv: string[]): Promise<number> {
  const program = new Command('pyward')
    .description('Stops Python supply-chain attacks: is each dependency safe to install?')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code: number = EXIT.clean;
  const setCode = (c: number): void => void (code = c);
  registerAudit(program, setCode);
  registerCheck(program, setCode);
  registerDb(program, setCode);
  registerInspect(program, setCode);
  registerVerify(program, setCode);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exitCode 0.
      return err.exitCode === 0 ? EXIT.clean : EXIT.usage;
    }
    if (err instanceof PywardError) {
      process.stderr.write(`pyward: ${err.describe()}\n`);
      return err instanceof SourceError ? EXIT.source : EXIT.usage;
    }
    throw err;
  }
}
