import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerAudit } from './audit.js';
import { quickAuditArgs, type AuditFlags } from './audit-run.js';

/** What commander gives the audit action for this command line, or the error it stops with. */
async function underCommander(args: string[]): Promise<{ paths: string[]; flags: AuditFlags } | 'error'> {
  const program = new Command('pyward').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  let got: { paths: string[]; flags: AuditFlags } | undefined;
  registerAudit(program, () => {}, async (paths, flags) => {
    got = { paths, flags: { ...flags } };
    return 0;
  });
  try {
    await program.parseAsync(['audit', ...args], { from: 'user' });
  } catch {
    return 'error';
  }
  return got!;
}

describe('quickAuditArgs', () => {
  it('reads plain command lines exactly as commander does', async () => {
    const lines = [
      ['-r', 'bench/inputs/requirements-1000.txt', '--db', 'x', '--offline', '--format', 'json'],
      ['a.txt', 'uv.lock', '--ignore-vuln', 'X', '--ignore-vuln=Y', '-o', 'out.json', '--no-color', '--fail-on', 'high'],
      ['--requirement=r.txt', '-r', 'r2.txt', 'r.txt', '--resolve', 'never', '--resolver', 'uv', '--python-version', '3.11'],
      ['--cache-dir', 'c', '--fix', '--dry-run', '--input-format', 'requirements-txt', '--source', 'osv', '--osv-url', 'u'],
      ['--pypi-url', 'p', '--ignore-file', 'f.toml', '--db', 'a', '--db', 'b', '.'],
      ['--', '-a-path-with-a-dash', '--format'],
      ['-', '--format', 'sarif'],
      ['r.txt', '--no-name-checks'],
      ['r.txt', '--name-checks', 'online', '--allow-name', 'acme', '--allow-name=acme2'],
      ['r.txt', '--name-checks=offline'],
      [],
    ];
    for (const args of lines) {
      const quick = quickAuditArgs(args);
      expect(quick, args.join(' ')).toBeDefined();
      expect(quick, args.join(' ')).toEqual(await underCommander(args));
    }
  });

  it('leaves everything else to commander', async () => {
    const lines = [
      ['--help'],
      ['-h'],
      ['--color', 'x'],
      ['--format', 'xml', 'x'],
      ['--fail-on', 'unknown', 'x'],
      ['--db'],
      ['--db', '--offline', 'x'],
      ['--fix=yes', 'x'],
      ['-x', 'a'],
      ['--requirements', 'r.txt'],
      ['r.txt', '--name-checks', 'online', '--no-name-checks'],
    ];
    for (const args of lines) expect(quickAuditArgs(args), args.join(' ')).toBeUndefined();
    // commander refuses the mistakes; it reads `--db --offline` as the database `--offline`
    for (const args of lines.slice(2, 6)) expect(await underCommander(args), args.join(' ')).toBe('error');
    expect(await underCommander(['--db', '--offline', 'x'])).toMatchObject({ flags: { db: '--offline' } });
  });
});
