/**
 * Where advisories come from for an audit: the local store (default; an OSV directory or zip given to
 * --db is indexed and cached on first use), the OSV API, or PyPI's JSON API. All three hand back OSV
 * records per `name@version`, so one matcher decides what affects what.
 */
import { resolve } from 'node:path';
import type { AuditReport } from '../core/model.js';
import { SourceError } from '../core/errors.js';
import { AdvisoryStore, severityEntries } from '../sources/osv/store.js';
import { packageKey } from '../sources/osv/package-key.js';
import type { OsvRecord } from '../sources/osv/schema.js';
import type { Diagnostic } from '../core/model.js';
import { pruneVersionsTransform } from '../checks/vulns/prune.js';
import { primeSeverityScores, severityScorer, severityScorerId } from '../checks/vulns/severity.js';

export { packageKey };

export interface AdvisorySource {
  /**
   * Records that may affect each package, keyed by `packageKey(name, version)`. When the source
   * has `wholeRecords`, these hold only the fields matching reads (id, modified, withdrawn, aliases,
   * affected) and `wholeRecords` gives the rest for the ones that turn out to matter.
   */
  recordsFor(packages: { name: string; version: string }[], warn: (message: string) => void): Promise<Map<string, OsvRecord[]>>;
  /** The complete records with these ids (see `recordsFor`). */
  wholeRecords?(ids: string[]): Promise<Map<string, OsvRecord>>;
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
  if (opts.kind === 'local') return localSource(await openStore(opts));
  const onDiagnostic = (warn: (m: string) => void) => (d: Diagnostic) => warn(d.message);
  // The HTTP clients are loaded only for the online sources: a local audit never needs them.
  if (opts.kind === 'osv') {
    const { queryOsvApi } = await import('../sources/osv/api.js');
    return remoteSource(`OSV API ${opts.osvUrl}`, (pkgs, warn) =>
      queryOsvApi(pkgs, { baseUrl: opts.osvUrl, cacheDir: opts.cacheDir, onDiagnostic: onDiagnostic(warn) }),
    );
  }
  const { fetchPypiVulns } = await import('../sources/pypi/vulns.js');
  return remoteSource(`PyPI JSON API ${opts.pypiUrl}`, (pkgs, warn) =>
    fetchPypiVulns(pkgs, { baseUrl: opts.pypiUrl, cacheDir: opts.cacheDir, onDiagnostic: onDiagnostic(warn) }),
  );
}

async function openStore(opts: SourceOptions): Promise<AdvisoryStore> {
  try {
    // A pyward database opens as it is; only an OSV directory or zip needs the import machinery.
    if (!opts.dbGiven) return AdvisoryStore.open(opts.db);
    if (AdvisoryStore.isStoreFile(opts.db)) return AdvisoryStore.open(resolve(opts.db));
    const { openDatabase } = await import('../sources/osv/database.js');
    // An index built here stores records with the versions lists their ranges cover pruned away
    // (exact: see checks/vulns/prune.ts), so a run parses far less, and the scores of their
    // severity vectors, so a run need not load the CVSS calculator.
    return openDatabase(opts.db, opts.cacheDir, { transform: pruneVersionsTransform, scorer: severityScorer() });
  } catch (err) {
    if (err instanceof SourceError && err.code === 'db-missing' && !opts.dbGiven)
      throw new SourceError('db-missing', `no advisory database yet: run \`pyward db update\` (or pass --db PATH to an OSV directory or all.zip)`);
    throw err;
  }
}

function localSource(store: AdvisoryStore): AdvisorySource {
  return {
    async recordsFor(packages, warn) {
      const imported = store.importDiagnostics();
      if (imported.count > 0) warn(`${imported.count} malformed advisories were skipped when the database was built (pyward db status shows them)`);
      // Only what matching reads: most records a large audit looks up affect nothing, and their
      // details and references need not be read at all.
      const byName = store.lookup([...new Set(packages.map((p) => p.name))], { fields: 'matching' });
      return new Map(packages.map((p) => [packageKey(p.name, p.version), byName.get(p.name) ?? []]));
    },
    async wholeRecords(ids) {
      const records = store.records(ids);
      // The scores the database holds for these records' vectors, if it was built by this scoring.
      const entries = [...records.values()].flatMap(severityEntries);
      primeSeverityScores(store.severityScores(entries, severityScorerId()));
      return records;
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
