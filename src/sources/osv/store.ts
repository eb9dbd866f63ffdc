/**
 * The local advisory index: one SQLite file (node:sqlite, no native addon) holding validated OSV
 * records and the PEP 503 names they affect, so an audit answers "which advisories name these
 * packages?" with one indexed query instead of parsing thousands of files.
 *
 * Tables:
 *   records  (id, modified, modified_key, withdrawn, json)  one row per advisory, json = validated record
 *   packages (name, id)                                       normalized PyPI name -> advisory id
 *   aliases  (alias, id)                                      CVE/GHSA/PYSEC alias -> advisory id
 *   meta     (key, value)                                     format, source, built_at, counts, update markers
 *
 * A store is built whole into a temporary file and renamed into place, so readers never see half a
 * database and a failed import leaves the previous one untouched. `upsert` applies incremental
 * updates in one transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { newStats, readOsvSource, sourceFingerprint, type ImportLimits, type ImportStats } from './import.js';
import type { OsvRecord } from './schema.js';
import { isPypiRecord, modifiedKey, pypiNames } from './validate.js';

/** Bumped whenever the schema or the validation rules change, so cached indexes get rebuilt. */
export const STORE_FORMAT = 'pyward-osv-index/1';

/** At most this many import diagnostics are kept in the store (the count is always kept). */
const MAX_STORED_DIAGNOSTICS = 500;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  modified_key TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE packages (name TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (name, id)) WITHOUT ROWID;
CREATE INDEX packages_by_id ON packages (id);
CREATE TABLE aliases (alias TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (alias, id)) WITHOUT ROWID;
CREATE INDEX aliases_by_id ON aliases (id);
`;

/**
 * Runs `fn` with the "SQLite is an experimental feature" warning suppressed. Node 22 prints
 * "ExperimentalWarning: SQLite is an experimental feature and might change at any time" when
 * node:sqlite is first loaded (Node 24 no longer does); it would land on the user's stderr on every
 * audit. Node emits it synchronously through process.emitWarning while the module loads, so the
 * function is wrapped for exactly that call, and only that one warning is dropped.
 */
export function withoutSqliteWarning<T>(fn: () => T): T {
  const original = process.emitWarning;
  const filtered = function (warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === 'string' ? type : warning.name;
    const message = typeof warning === 'string' ? warning : warning.message;
    if (name === 'ExperimentalWarning' && /\bSQLite\b/i.test(message)) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = original;
  }
}

type SqliteModule = typeof import('node:sqlite');
let sqliteModule: SqliteModule | undefined;

/** node:sqlite, loaded on first use (not at import time) so the warning filter can wrap the load. */
function sqlite(): SqliteModule {
  sqliteModule ??= withoutSqliteWarning(() => process.getBuiltinModule('node:sqlite'));
  return sqliteModule;
}

export interface BuildMeta {
  /** What the store was built from: a path, or a URL for downloaded databases. */
  source: string;
  /** Extra meta entries (update markers, source fingerprints). */
  extra?: Record<string, string>;
  /** Import diagnostics to keep with the store; read after the records are consumed. */
  diagnostics?: Diagnostic[];
}

export interface StoreStatus {
  source: string;
  builtAt: string;
  /** Advisories in the store, withdrawn ones included. */
  records: number;
  /** Of which withdrawn. */
  withdrawn: number;
  /** Distinct normalized package names. */
  packages: number;
  /** The latest `modified` timestamp of any record: the marker incremental updates start from. */
  newestModified?: string;
  /** When `upsert` last changed the store. */
  updatedAt?: string;
}

interface Row {
  [key: string]: unknown;
}

function isSqliteFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    return head.toString('latin1') === 'SQLite format 3\u0000';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const HOW_TO_FIX = 'run `pyward db update` to download the OSV database, or `pyward db import <all.zip|directory>` to build one from local files';

/** Writes records into an open database; shared by `build` and `upsert`. */
class Writer {
  private readonly db: DatabaseSync;
  private readonly existing: StatementSync;
  private readonly del: StatementSync[];
  private readonly insRecord: StatementSync;
  private readonly insPackage: StatementSync;
  private readonly insAlias: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.existing = db.prepare('SELECT modified_key FROM records WHERE id = ?');
    this.del = [
      db.prepare('DELETE FROM packages WHERE id = ?'),
      db.prepare('DELETE FROM aliases WHERE id = ?'),
      db.prepare('DELETE FROM records WHERE id = ?'),
    ];
    this.insRecord = db.prepare('INSERT INTO records (id, modified, modified_key, withdrawn, json) VALUES (?, ?, ?, ?, ?)');
    this.insPackage = db.prepare('INSERT OR IGNORE INTO packages (name, id) VALUES (?, ?)');
    this.insAlias = db.prepare('INSERT OR IGNORE INTO aliases (alias, id) VALUES (?, ?)');
  }

  /**
   * Adds or replaces a record. An older copy never replaces a newer one (OSV: the later `modified`
   * is authoritative), which also settles duplicates within one source. Returns false when kept out.
   */
  write(record: OsvRecord): boolean {
    const key = modifiedKey(record.modified) ?? '';
    const old = this.existing.get(record.id) as Row | undefined;
    if (old && String(old['modified_key']) > key) return false;
    if (old) this.remove(record.id);
    if (!isPypiRecord(record)) return false;
    this.insRecord.run(record.id, record.modified, key, record.withdrawn !== undefined ? 1 : 0, JSON.stringify(record));
    for (const name of pypiNames(record)) this.insPackage.run(name, record.id);
    for (const alias of record.aliases ?? []) if (alias !== record.id) this.insAlias.run(alias, record.id);
    return true;
  }

  remove(id: string): void {
    for (const stmt of this.del) stmt.run(id);
  }

  /** Recomputes the counts and the newest-modified marker kept in meta. */
  refreshMeta(): void {
    const one = (sql: string): unknown => (this.db.prepare(sql).get() as Row | undefined)?.['v'];
    const set = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    set.run('records', String(one('SELECT COUNT(*) AS v FROM records')));
    set.run('withdrawn', String(one('SELECT COUNT(*) AS v FROM records WHERE withdrawn = 1')));
    set.run('packages', String(one('SELECT COUNT(DISTINCT name) AS v FROM packages')));
    const newest = one('SELECT modified AS v FROM records ORDER BY modified_key DESC LIMIT 1');
    if (typeof newest === 'string') set.run('newest_modified', newest);
  }
}

export class AdvisoryStore {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly writable: boolean;
  private lookupStmt: StatementSync | undefined;
  private metaCache: Map<string, string> | undefined;

  private constructor(file: string, db: DatabaseSync, writable: boolean) {
    this.file = file;
    this.db = db;
    this.writable = writable;
  }

  /**
   * Opens a store built by pyward. Read-only unless `writable` (only `pyward db update` writes).
   * Throws SourceError `db-missing` or `db-corrupt`, each saying how to get a good database.
   */
  static open(dbFile: string, options: { writable?: boolean } = {}): AdvisoryStore {
    let st;
    try {
      st = statSync(dbFile);
    } catch {
      throw new SourceError('db-missing', `no advisory database at ${dbFile}: ${HOW_TO_FIX}`);
    }
    if (!st.isFile() || !isSqliteFile(dbFile)) {
      throw new SourceError('db-corrupt', `${dbFile} is not a pyward advisory database: ${HOW_TO_FIX}`);
    }
    const { DatabaseSync } = sqlite();
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(dbFile, { readOnly: !options.writable });
      const row = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as Row | undefined;
      if (row?.['value'] !== STORE_FORMAT) {
        throw new Error(row ? `format ${String(row['value'])}, this pyward reads ${STORE_FORMAT}` : 'no format marker');
      }
    } catch (e) {
      try {
        db?.close();
      } catch {
        // already failing; the close error adds nothing
      }
      throw new SourceError('db-corrupt', `${dbFile} is not a usable pyward advisory database (${(e as Error).message}): ${HOW_TO_FIX}`);
    }
    return new AdvisoryStore(dbFile, db, options.writable ?? false);
  }

  /**
   * Builds a new store at `dbFile` from `records` (consumed once, lazily), replacing any previous
   * file atomically. Records that affect no PyPI package are left out.
   */
  static build(dbFile: string, records: Iterable<OsvRecord>, meta: BuildMeta): { records: number } {
    const { DatabaseSync } = sqlite();
    mkdirSync(dirname(resolve(dbFile)), { recursive: true });
    const tmp = `${dbFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const db = new DatabaseSync(tmp);
    try {
      // A private temporary file needs no journal or fsync per statement; the rename is the commit.
      db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
      db.exec(SCHEMA);
      db.exec('BEGIN');
      const writer = new Writer(db);
      for (const record of records) writer.write(record);
      writer.refreshMeta();
      const set = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      set.run('format', STORE_FORMAT);
      set.run('source', meta.source);
      set.run('built_at', new Date().toISOString());
      const diags = meta.diagnostics ?? [];
      set.run('diagnostics_count', String(diags.length));
      set.run('diagnostics', JSON.stringify(diags.slice(0, MAX_STORED_DIAGNOSTICS)));
      for (const [k, v] of Object.entries(meta.extra ?? {})) set.run(k, v);
      db.exec('COMMIT');
      const count = Number((db.prepare('SELECT COUNT(*) AS n FROM records').get() as Row)['n']);
      db.close();
      renameSync(tmp, dbFile);
      return { records: count };
    } catch (e) {
      try {
        if (db.isOpen) db.close();
      } catch {
        // the original error is the one worth reporting
      }
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  /**
   * The advisories that name each package, keyed by normalized name; names without advisories are
   * absent. Withdrawn advisories are included with `withdrawn` set: matchers must skip them.
   * One query for any number of names. Records are shared between names: treat them as read-only.
   */
  lookup(names: readonly string[]): Map<string, OsvRecord[]> {
    const out = new Map<string, OsvRecord[]>();
    const wanted = [...new Set(names.map(normalizeName))];
    if (wanted.length === 0) return out;
    this.lookupStmt ??= this.db.prepare(
      `SELECT p.name AS name, r.id AS id, r.json AS json
         FROM json_each(?) AS w
         JOIN packages AS p ON p.name = w.value
         JOIN records AS r ON r.id = p.id
        ORDER BY p.name, r.id`,
    );
    const parsed = new Map<string, OsvRecord>();
    for (const row of this.lookupStmt.all(JSON.stringify(wanted)) as Row[]) {
      const id = row['id'] as string;
      let record = parsed.get(id);
      if (!record) {
        record = this.parse(row['json'], id);
        parsed.set(id, record);
      }
      const name = row['name'] as string;
      const list = out.get(name);
      if (list) list.push(record);
      else out.set(name, [record]);
    }
    return out;
  }

  /** The advisory with this id, or else the first one that lists it as an alias (e.g. a CVE id). */
  get(id: string): OsvRecord | undefined {
    const row =
      (this.db.prepare('SELECT id, json FROM records WHERE id = ?').get(id) as Row | undefined) ??
      (this.db
        .prepare('SELECT r.id AS id, r.json AS json FROM aliases a JOIN records r ON r.id = a.id WHERE a.alias = ? ORDER BY r.id LIMIT 1')
        .get(id) as Row | undefined);
    return row ? this.parse(row['json'], row['id'] as string) : undefined;
  }

  /**
   * Every other id known for the same vulnerability: the aliases the record lists and the records
   * that list this id (or one of its aliases) as an alias. Sorted, without `id` itself.
   */
  aliasesOf(id: string): string[] {
    const rows = this.db
      .prepare(
        `WITH ids(x) AS (SELECT ?1 UNION SELECT alias FROM aliases WHERE id = ?1 UNION SELECT id FROM aliases WHERE alias = ?1)
         SELECT x AS v FROM ids
         UNION SELECT id FROM aliases WHERE alias IN (SELECT x FROM ids)
         UNION SELECT alias FROM aliases WHERE id IN (SELECT x FROM ids)`,
      )
      .all(id) as Row[];
    return rows
      .map((r) => r['v'] as string)
      .filter((v) => v !== id)
      .sort();
  }

  status(): StoreStatus {
    const m = this.allMeta();
    const status: StoreStatus = {
      source: m.get('source') ?? '',
      builtAt: m.get('built_at') ?? '',
      records: Number(m.get('records') ?? 0),
      withdrawn: Number(m.get('withdrawn') ?? 0),
      packages: Number(m.get('packages') ?? 0),
    };
    const newest = m.get('newest_modified');
    if (newest) status.newestModified = newest;
    const updated = m.get('updated_at');
    if (updated) status.updatedAt = updated;
    return status;
  }

  /** A meta value (update markers such as `etag`, `update_base`). */
  meta(key: string): string | undefined {
    return this.allMeta().get(key);
  }

  /** The diagnostics recorded when the store was built (at most 500) and how many there were. */
  importDiagnostics(): { count: number; diagnostics: Diagnostic[] } {
    const m = this.allMeta();
    let diagnostics: Diagnostic[] = [];
    try {
      const parsed: unknown = JSON.parse(m.get('diagnostics') ?? '[]');
      if (Array.isArray(parsed)) diagnostics = parsed as Diagnostic[];
    } catch {
      // diagnostics are informational; a damaged copy is not worth failing an audit over
    }
    return { count: Number(m.get('diagnostics_count') ?? diagnostics.length), diagnostics };
  }

  /** The `modified` timestamp stored for an id (to skip refetching unchanged records). */
  modifiedOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT modified FROM records WHERE id = ?').get(id) as Row | undefined;
    return row ? (row['modified'] as string) : undefined;
  }

  /**
   * Adds or replaces records (incremental update), in one transaction. A record that no longer
   * affects any PyPI package is removed; an older copy never replaces a newer one.
   */
  upsert(records: readonly OsvRecord[], meta: Record<string, string> = {}): void {
    if (!this.writable) throw new Error('AdvisoryStore.upsert on a store opened read-only');
    const writer = new Writer(this.db);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const record of records) writer.write(record);
      writer.refreshMeta();
      const set = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      set.run('updated_at', new Date().toISOString());
      for (const [k, v] of Object.entries(meta)) set.run(k, v);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.metaCache = undefined;
    }
  }

  /** Sets meta values without touching records (e.g. a new ETag after a 304). */
  setMeta(meta: Record<string, string>): void {
    if (!this.writable) throw new Error('AdvisoryStore.setMeta on a store opened read-only');
    const set = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    for (const [k, v] of Object.entries(meta)) set.run(k, v);
    this.metaCache = undefined;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private allMeta(): Map<string, string> {
    if (!this.metaCache) {
      const rows = this.db.prepare('SELECT key, value FROM meta').all() as Row[];
      this.metaCache = new Map(rows.map((r) => [r['key'] as string, r['value'] as string]));
    }
    return this.metaCache;
  }

  private parse(json: unknown, id: string): OsvRecord {
    try {
      return JSON.parse(json as string) as OsvRecord;
    } catch {
      throw new SourceError('db-corrupt', `${this.file}: record ${id} is damaged: ${HOW_TO_FIX}`);
    }
  }
}

export interface ImportResult {
  records: number;
  stats: ImportStats;
  diagnostics: Diagnostic[];
}

/**
 * `pyward db import`: builds a store at `dbFile` from an OSV zip, directory or record file. The
 * previous store stays in place if the import fails.
 */
export function importOsvSource(
  source: string,
  dbFile: string,
  options: { limits?: Partial<ImportLimits>; label?: string; meta?: Record<string, string> } = {},
): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const stats = newStats();
  const records = readOsvSource(source, { ...(options.limits ? { limits: options.limits } : {}), diagnostics, stats });
  const built = AdvisoryStore.build(dbFile, records, {
    source: options.label ?? source,
    ...(options.meta ? { extra: options.meta } : {}),
    diagnostics,
  });
  return { records: built.records, stats, diagnostics };
}

/**
 * Opens what `--db` names: a pyward store as is; an OSV directory, zip or record file through an index
 * cached under `cacheDir` (keyed by the source's absolute path). The index is rebuilt only when the
 * source's files change (names, sizes, mtimes), so the first audit pays for the import and later ones
 * open in milliseconds. Import diagnostics are available from `store.importDiagnostics()`.
 */
export function openDatabase(pathOrDb: string, cacheDir: string, options: { limits?: Partial<ImportLimits> } = {}): AdvisoryStore {
  const abs = resolve(pathOrDb);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new SourceError('db-missing', `--db ${pathOrDb}: no such file or directory; ${HOW_TO_FIX}`);
  }
  if (st.isFile() && isSqliteFile(abs)) return AdvisoryStore.open(abs);

  const fingerprint = `${STORE_FORMAT}:${sourceFingerprint(abs)}`;
  const key = `${createHash('sha256').update(abs).digest('hex').slice(0, 24)}.db`;
  const meta = { source_path: abs, source_fingerprint: fingerprint };
  const limits = options.limits ? { limits: options.limits } : {};

  for (const dir of [join(cacheDir, 'osv-index'), privateTmpDir()]) {
    if (dir === undefined) continue;
    const file = join(dir, key);
    try {
      const cached = AdvisoryStore.open(file);
      if (cached.meta('source_path') === abs && cached.meta('source_fingerprint') === fingerprint) return cached;
      cached.close();
    } catch (e) {
      // A missing or damaged cache entry is simply rebuilt.
      if (!(e instanceof SourceError)) throw e;
    }
    try {
      importOsvSource(abs, file, { label: abs, meta, ...limits });
      return AdvisoryStore.open(file);
    } catch (e) {
      // An unwritable cache directory (read-only home in CI) costs speed, not the audit.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM' && code !== 'ENOTDIR') throw e;
    }
  }
  // Nowhere to keep an index: build a throwaway one.
  const scratch = mkdtempSync(join(tmpdir(), 'pyward-osv-'));
  importOsvSource(abs, join(scratch, key), { label: abs, meta, ...limits });
  return AdvisoryStore.open(join(scratch, key));
}

/**
 * A per-user directory under the system temp dir, or undefined when it cannot be trusted. /tmp is
 * shared: another user who could plant an index there could hide advisories from us, so the
 * directory must be ours and writable by no one else.
 */
function privateTmpDir(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = join(tmpdir(), `pyward-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    return join(dir, 'osv-index');
  } catch {
    return undefined;
  }
}
