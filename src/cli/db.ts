/** `pyward db import|update|status`: manage the local advisory database. */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { defaultCacheDir, defaultDbFile } from './options.js';
import { EXIT } from './exit.js';

interface DbFlags {
  db?: string;
  cacheDir?: string;
  url?: string;
  popular?: boolean;
  pypiNames?: boolean;
  format?: 'table' | 'json';
}

const OSV_EXPORT = 'https://osv-vulnerabilities.storage.googleapis.com/PyPI';

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

  common(
    db
      .command('update')
      .description('download the PyPI advisories from the OSV export (incremental after the first time); with --popular or --pypi-names, a list the name checks use'),
  )
    .option(
      '--url <url>',
      `base URL of the OSV PyPI export (default ${OSV_EXPORT}); with --popular, the list's URL (default: hugovk's top-pypi-packages.min.json); with --pypi-names, the Simple API index (default https://pypi.org/simple/)`,
    )
    .option('--popular', 'refresh the list of the most downloaded PyPI projects that the name checks compare with (kept in the cache directory)')
    .option('--pypi-names', "download the names of all PyPI projects (one request, ~40 MB): check then finds missing names offline and suggests the existing one meant")
    .action(async (flags: DbFlags) => {
      const { updateDatabase, updatePopular, updateProjectList } = await import('../app/db.js');
      if (flags.popular && flags.pypiNames) throw new UsageError('--popular and --pypi-names update different lists: run them one at a time');
      if (flags.pypiNames) {
        const r = await updateProjectList(flags.cacheDir ?? defaultCacheDir(), flags.url, warn);
        process.stderr.write(`${r.summary}\n`);
        setCode(EXIT.clean);
        return;
      }
      if (flags.popular) {
        const r = await updatePopular(flags.cacheDir ?? defaultCacheDir(), flags.url, warn);
        process.stderr.write(`${r.summary}\n`);
        setCode(EXIT.clean);
        return;
      }
      const r = await updateDatabase(dbFile(flags), flags.url ?? OSV_EXPORT, warn);
      process.stderr.write(`${r.summary}\n`);
      setCode(EXIT.clean);
    });

  common(db.command('status').description('show the database age and counts'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: DbFlags) => {
      const { databaseStatus, popularStatus, projectListStatus } = await import('../app/db.js');
      const { PywardError } = await import('../core/errors.js');
      // The lists are shown even without an advisory database (a fresh machine has none yet); the
      // missing database is then its own line, and the exit code (3) says it is missing.
      let s: ReturnType<typeof databaseStatus> | undefined;
      let missing: InstanceType<typeof PywardError> | undefined;
      try {
        s = databaseStatus(dbFile(flags));
      } catch (e) {
        if (!(e instanceof PywardError) || e.code !== 'db-missing') throw e;
        missing = e;
      }
      const p = await popularStatus(flags.cacheDir ?? defaultCacheDir());
      const n = await projectListStatus(flags.cacheDir ?? defaultCacheDir());
      if (flags.format === 'json') process.stdout.write(JSON.stringify({ ...(s ?? { file: dbFile(flags), missing: true }), popular: p, pypiNames: n ?? null }, null, 2) + '\n');
      else
        process.stdout.write(
          [
            `database:   ${dbFile(flags)}`,
            ...(s
              ? [
                  `source:     ${s.source}`,
                  `built:      ${s.builtAt}${s.ageDays !== undefined ? ` (${s.ageDays} days ago)` : ''}`,
                  `advisories: ${s.records}`,
                  `packages:   ${s.packages}`,
                  ...(s.newestModified ? [`newest:     ${s.newestModified}`] : []),
                  ...(s.recordTransform ? [`stored as:  ${s.recordTransform} (listed versions that a record's own ranges cover are left out)`] : []),
                ]
              : ['advisories: none (`pyward db update` downloads them, `pyward db import PATH` builds them from local files)']),
            `popular:    ${p.projects} projects in ${p.file}${p.shipped ? ' (shipped with pyward; `pyward db update --popular` refreshes it)' : ''}`,
            ...(p.fetchedAt ? [`            fetched ${p.fetchedAt} (${p.ageDays} days ago)${p.dataOf ? `, data of ${p.dataOf}` : ''} from ${p.url}`] : []),
            n
              ? `pypi names: ${n.projects} projects in ${n.file}, fetched ${n.fetchedAt} (${n.ageDays} days ago) from ${n.url}`
              : 'pypi names: none (`pyward db update --pypi-names` fetches them for the offline existence check)',
          ].join('\n') + '\n',
        );
      if (missing) {
        process.stderr.write(`pyward: ${missing.describe()}\n`);
        setCode(EXIT.source);
        return;
      }
      setCode(EXIT.clean);
    });
}

function dbFile(flags: DbFlags): string {
  return flags.db ?? defaultDbFile(flags.cacheDir ?? defaultCacheDir());
}

function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}
