/**
 * Where advisories come from for an audit: the local store (default; an OSV directory or zip given to
 * --db is indexed and cached on first use), the OSV API, or PyPI's JSON API. All three hand back OSV
 * records per `name@version`, so one matcher decides what affects what.
 */
import type { AuditReport } from '../core/model.js';
import { SourceError } from '../core/errors.js';
import { openDatabase, AdvisoryStore } from '../sources/osv/store.js';
import { packageKey, queryOsvApi } from '../sources/osv/api.js';
import { fetchPypiVulns } from '../sources/pypi/vulns.js';
import type { OsvRecord } from '../sources/osv/schema.js';
import type { Diagnostic } from '../core/model.js';

export { packageKey };

export interface AdvisorySource {
  /** Records that may affect each package, keyed by `packageKey(name, version)`. */
  recordsFor(packages: { name: string; version: string }[], warn: (message: string) => void): Promise<Map<string, OsvRecord[]>>;
  describe(): AuditReport['database'];
  close(): void;
}

export interface SourceOptions {
  kind: 'local' | 'osv' | 'pypi';
  db: string;
  /** True when the user named --db; otherwise a missing default database gets the `db update` hint. */
  dbGiven: boolean;
  cacheDir: string;
  osvUrl?: string;
  pypiUrl?: string;
}

export async function openAdvisorySource(opts: SourceOptions): Promise<AdvisorySource> {
  if (opts.kind === 'local') return localSource(opts);
  const onDiagnostic = (warn: (m: string) => void) => (d: Diagnostic) => warn(d.message);
  if (opts.kind === 'osv')
    return remoteSource(`OSV API ${opts.osvUrl}`, (pkgs, warn) =>
      queryOsvApi(pkgs, { baseUrl: opts.osvUrl, cacheDir: opts.cacheDir, onDiagnostic: onDiagnostic(warn) }),
    );
  return remoteSource(`PyPI JSON API ${opts.pypiUrl}`, (pkgs, warn) =>
    fetchPypiVulns(pkgs, { baseUrl: opts.pypiUrl, cacheDir: opts.cacheDir, onDiagnostic: onDiagnostic(warn) }),
  );
}

function localSource(opts: SourceOptions): AdvisorySource {
  let store: AdvisoryStore;
  try {
    store = opts.dbGiven ? openDatabase(opts.db, opts.cacheDir) : AdvisoryStore.open(opts.db);
  } catch (err) {
    if (err instanceof SourceError && err.code === 'db-missing' && !opts.dbGiven)
      throw new SourceError('db-missing', `no advisory database yet: run \`pyward db update\` (or pass --db PATH to an OSV directory or all.zip)`);
    throw err;
  }
  return {
    async recordsFor(packages, warn) {
      const imported = store.importDiagnostics();
      if (imported.count > 0) warn(`${imported.count} malformed advisories were skipped when the database was built (pyward db status shows them)`);
      const byName = store.lookup([...new Set(packages.map((p) => p.name))]);
      return new Map(packages.map((p) => [packageKey(p.name, p.version), byName.get(p.name) ?? []]));
    },
    describe() {
      const s = store.status();
      return { source: s.source, builtAt: s.builtAt, records: s.records };
    },
    close: () => store.close(),
  };
}

function remoteSource(
  label: string,
  query: (pkgs: { name: string; version: string }[], warn: (m: string) => void) => Promise<Map<string, OsvRecord[]>>,
): AdvisorySource {
  return {
    recordsFor: (packages, warn) => query(packages, warn),
    describe: () => ({ source: label }),
    close: () => {},
  };
}
