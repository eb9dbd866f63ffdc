/** The command tree under commander: every command's options, `--help` and `--version`. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../app/version.js';
import { registerAudit } from './audit.js';
import { registerCheck } from './check.js';
import { registerDb } from './db.js';
import { EXIT } from './exit.js';
import { registerInspect } from './inspect.js';
import { registerVerify } from './verify.js';

/** Parses `argv` and runs the command it names; usage errors become EXIT.usage, PywardErrors propagate. */
export async function runProgram(argv: string[]): Promise<number> {
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
    // --help and --version end here too, with exitCode 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.clean : EXIT.usage;
    throw err;
  }
}
