/** `pyward db import|update|status`: manage the local advisory database. */
import type { Command } from 'commander';
import { defaultCacheDir, defaultDbFile } from './options.js';
import { EXIT } from './exit.js';

interface DbFlags {
  db?: string;
  cacheDir?: string;
  url?: string;
  format?: 'table' | 'json';
}

export function registerDb(program: Command, setCode: (code: number) => void): void {
  const db = program.command('db').description('manage the local vulnerability database');
  const common = (c: Command): Command =>
    c
      .option('--db <file>', 'database file (default: osv.db in the cache directory)')
      .option('--cache-dir <dir>', 'cache directory (default: $PYWARD_CACHE_DIR or ~/.cache/pyward)');

  common(db.command('import').description('build the database from an OSV all.zip or a directory of OSV JSON/YAML').argument('<path>'))
    .action(async (path: string, flags: DbFlags) => {
      const { importDatabase } = await import('../app/db.js');
      const r = await importDatabase(path, dbFile(flags), warn);
      process.stderr.write(`imported ${r.records} advisories from ${path} into ${dbFile(flags)}\n`);
      setCode(EXIT.clean);
    });

  common(db.command('update').description('download the PyPI advisories from the OSV export (incremental after the first time)'))
    .option('--url <base>', 'base URL of the OSV PyPI export', 'https://osv-vulnerabilities.storage.googleapis.com/PyPI')
    .action(async (flags: DbFlags) => {
      const { updateDatabase } = await import('../app/db.js');
      const r = await updateDatabase(dbFile(flags), flags.url!, warn);
      process.stderr.write(`${r.summary}\n`);
      setCode(EXIT.clean);
    });

  common(db.command('status').description('show the database age and counts'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: DbFlags) => {
      const { databaseStatus } = await import('../app/db.js');
      const s = databaseStatus(dbFile(flags));
      if (flags.format === 'json') process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else
        process.stdout.write(
          [
            `database:   ${dbFile(flags)}`,
            `source:     ${s.source}`,
            `built:      ${s.builtAt}${s.ageDays !== undefined ? ` (${s.ageDays} days ago)` : ''}`,
            `advisories: ${s.records}`,
            `packages:   ${s.packages}`,
            ...(s.newestModified ? [`newest:     ${s.newestModified}`] : []),
            ...(s.recordTransform ? [`stored as:  ${s.recordTransform} (listed versions that a record's own ranges cover are left out)`] : []),
          ].join('\n') + '\n',
        );
      setCode(EXIT.clean);
    });
}

function dbFile(flags: DbFlags): string {
  return flags.db ?? defaultDbFile(flags.cacheDir ?? defaultCacheDir());
}

function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}
