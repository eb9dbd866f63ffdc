/** `pyward audit` under commander: its options (from audit-run.ts's table) and its action. */
import type { Command } from 'commander';
import { AUDIT_OPTIONS, runAudit, type AuditFlags } from './audit-run.js';
import { collect, oneOf } from './options.js';

export function registerAudit(
  program: Command,
  setCode: (code: number) => void,
  run: (paths: string[], flags: AuditFlags) => Promise<number> = runAudit,
): void {
  const command = program
    .command('audit')
    .description('find known vulnerabilities in requirements, lockfiles and environments')
    .argument('[paths...]', 'files or directories to audit (format detected from the name)');
  for (const o of AUDIT_OPTIONS) {
    if (o.repeatable) command.option(o.flags, o.description, collect);
    else if (o.choices) command.option(o.flags, o.description, oneOf(o.choices), o.default);
    else command.option(o.flags, o.description, o.default);
  }
  command.action(async (paths: string[], flags: AuditFlags) => setCode(await run(paths, flags)));
}
