/**
 * The local advisory index: one SQLite file (node:sqlite, no native addon) holding validated OSV
 * records and the PEP 503 names they affect, so an audit answers "which advisories name these
 * packages?" with one indexed query instead of parsing thousands of files.
 *
 * Tables:
 *   records  (id, modified, modified_key, withdrawn, matching, json)
 *            one row per advisory: json = the validated record, matching = the part of it that
 *            matching reads (MATCHING_FIELDS), so an audit can parse the rest only for the advisories
 *            that turn out to affect something. `matching` comes before `json` in the row: SQLite
 *            reads a row's columns in order, through the overflow pages of long ones, so reading
 *            `matching` never touches the long text behind it.
 *   packages (name, id)                                       normalized PyPI name -> advisory id
 *   aliases  (alias, id)                                      CVE/GHSA/PYSEC alias -> advisory id
 *   severity_scores (type, vector, score)                  the score of each severity entry of the records,
 *                                                            made by the app's scorer when built (see SeverityScorer)
 *   meta     (key, value)                                     format, source, built_at, counts, update markers
 *
 * A store is built whole into a temporary file and renamed into place, so readers never see half a
 * database and a failed import leaves the previous one untouched. `upsert` applies incremental
 * updates in one transaction.
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import type { OsvAffected, OsvRecord, OsvSeverity } from './schema.js';
import { isPypiRecord, modifiedKey, pypiNames } from './validate.js';

/**
 * Bumped whenever the schema, the validation rules or what the stored records may omit change, so
 * cached indexes get rebuilt. 2: records may be stored through a transform (see RecordTransform),
 * and each has a `matching` column.
 */
export const STORE_FORMAT = 'pyward-osv-index/2';

/**
 * The fields of a record that deciding what it affects reads: the matcher (`affected`), the
 * choice between two copies of one id (`modified`, `withdrawn`) and the grouping of aliases
 * (`id`, `aliases`). `lookup(names, { fields: 'matching' })` returns records with only these.
 */
export const MATCHING_FIELDS = ['id', 'modified', 'withdrawn', 'aliases', 'affected'] as const;

function matchingPart(record: OsvRecord): Partial<OsvRecord> {
  const out: Record<string, unknown> = {};
  for (const key of MATCHING_FIELDS) if (record[key] !== undefined) out[key] = record[key];
  return out as Partial<OsvRecord>;
}

/** At most this many import diagnostics are kept in the store (the count is always kept). */
const MAX_STORED_DIAGNOSTICS = 500;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  modified_key TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  matching TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE packages (name TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (name, id)) WITHOUT ROWID;
CREATE INDEX packages_by_id ON packages (id);
CREATE TABLE aliases (alias TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (alias, id)) WITHOUT ROWID;
CREATE INDEX aliases_by_id ON aliases (id);
CREATE TABLE severity_scores (type TEXT NOT NULL, vector TEXT NOT NULL, score TEXT NOT NULL, PRIMARY KEY (type, vector)) WITHOUT ROWID;
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

/**
 * A rewrite applied to each record as it is stored, such as dropping `versions` entries the
 * record's own ranges already cover. It must not change any matching answer: the store keeps only
 * what it returns. The store records its `id` in meta (`record_transform`) while every record in it
 * went through it, and `openDatabase` rebuilds a cached index made with a different one.
 */
export interface RecordTransform {
  readonly id: string;
  apply(record: OsvRecord): OsvRecord;
}

/**
 * Scores a record's severity entries (`severity[]` and `affected[].severity[]`) as the store is
 * built, so that an audit reads the score of each entry instead of loading a CVSS calculator. The
 * store keeps `score(entry)` as JSON, one per distinct (type, vector), and its `id` in meta
 * (`severity_scorer`); `severityScores` answers only a caller that asks with the same id, so a
 * store built by another scorer (another calculator version) is simply not used for scores.
 */
export interface SeverityScorer {
  readonly id: string;
  score(entry: OsvSeverity): unknown;
}

/** The severity entries of a record, top-level and per package, as the database wrote them. */
export function severityEntries(record: OsvRecord): OsvSeverity[] {
  const out: OsvSeverity[] = [];
  const add = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const e of list as unknown[]) {
      const entry = e as Partial<OsvSeverity> | null;
      if (entry && typeof entry.type === 'string' && typeof entry.score === 'string') out.push(entry as OsvSeverity);
    }
  };
  add(record.severity);
  if (Array.isArray(record.affected)) for (const a of record.affected as unknown[]) if (a && typeof a === 'object') add((a as OsvAffected).severity);
  return out;
}

export interface BuildMeta {
  /** What the store was built from: a path, or a URL for downloaded databases. */
  source: string;
  /** Extra meta entries (update markers, source fingerprints). */
  extra?: Record<string, string>;
  /** Import diagnostics to keep with the store; read after the records are consumed. */
  diagnostics?: Diagnostic[];
  /** Applied to each record before it is stored. */
  transform?: RecordTransform;
  /** Scores the stored records' severity entries (see SeverityScorer). */
  scorer?: SeverityScorer;
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
  /** The transform every stored record went through (e.g. `prune-covered-versions/1`), if any. */
  recordTransform?: string;
  /** The scorer whose scores of every record's severity entries the store holds, if any. */
  severityScorer?: string;
}

interface Row {
  [key: string]: unknown;
}

/** True when the file starts as every SQLite database does (a cheap check before opening it). */
export function isSqliteFile(file: string): boolean {
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

export const HOW_TO_FIX = 'run `pyward db update` to download the OSV database, or `pyward db import <all.zip|directory>` to build one from local files';

/** Writes records into an open database; shared by `build` and `upsert`. */
class Writer {
  private readonly db: DatabaseSync;
  private readonly existing: StatementSync;
  private readonly del: StatementSync[];
  private readonly insRecord: StatementSync;
  private readonly insPackage: StatementSync;
  private readonly insAlias: StatementSync;
  private readonly transform: RecordTransform | undefined;
  private readonly scorer: SeverityScorer | undefined;
  private readonly insScore: StatementSync | undefined;
  private readonly scored = new Set<string>();

  constructor(db: DatabaseSync, transform?: RecordTransform, scorer?: SeverityScorer) {
    this.db = db;
    this.transform = transform;
    this.scorer = scorer;
    if (scorer) this.insScore = db.prepare('INSERT OR IGNORE INTO severity_scores (type, vector, score) VALUES (?, ?, ?)');
    this.existing = db.prepare('SELECT modified_key FROM records WHERE id = ?');
    this.del = [
      db.prepare('DELETE FROM packages WHERE id = ?'),
      db.prepare('DELETE FROM aliases WHERE id = ?'),
      db.prepare('DELETE FROM records WHERE id = ?'),
    ];
    this.insRecord = db.prepare('INSERT INTO records (id, modified, modified_key, withdrawn, matching, json) VALUES (?, ?, ?, ?, ?, ?)');
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
    const stored = this.transform ? this.transform.apply(record) : record;
    this.insRecord.run(
      record.id,
      record.modified,
      key,
      record.withdrawn !== undefined ? 1 : 0,
      JSON.stringify(matchingPart(stored)),
      JSON.stringify(stored),
    );
    for (const name of pypiNames(record)) this.insPackage.run(name, record.id);
    for (const alias of record.aliases ?? []) if (alias !== record.id) this.insAlias.run(alias, record.id);
    if (this.scorer && this.insScore) {
      for (const entry of severityEntries(stored)) {
        const k = `${entry.type}\u0000${entry.score}`;
        if (this.scored.has(k)) continue;
        this.scored.add(k);
        this.insScore.run(entry.type, entry.score, JSON.stringify(this.scorer.score(entry)) ?? 'null');
      }
    }
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
  private readonly lookupStmts = new Map<string, StatementSync>();
  private recordsStmt: StatementSync | undefined;
  private scoresStmt: StatementSync | undefined;
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

  /** True when `path` is a file that `open` would try as a store (a SQLite file), as `--db` allows. */
  static isStoreFile(path: string): boolean {
    try {
      return statSync(path).isFile() && isSqliteFile(path);
    } catch {
      return false;
    }
  }

  /**
   * Builds a new store at `dbFile` from `records` (consumed once, lazily), replacing any previous
   * file atomically. Records that affect no PyPI package are left out.
   */
  static build(dbFile: string, records: Iterable<OsvRecord>, meta: BuildMeta): { records: number } {
    const { DatabaseSync } = sqlite();
    mkdirSync(dirname(resolve(dbFile)), { recursive: true });
    const tmp = `${dbFile}.${process.pid}.${process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')}.tmp`;
    const db = new DatabaseSync(tmp);
    try {
      // A private temporary file needs no journal or fsync per statement; the rename is the commit.
      db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
      db.exec(SCHEMA);
      db.exec('BEGIN');
      const writer = new Writer(db, meta.transform, meta.scorer);
      for (const record of records) writer.write(record);
      writer.refreshMeta();
      const set = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      set.run('format', STORE_FORMAT);
      if (meta.transform) set.run('record_transform', meta.transform.id);
      if (meta.scorer) set.run('severity_scorer', meta.scorer.id);
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
   * The advisories that name each package, keyed by normalized name (in name order, each name's
   * records by id); names without advisories are absent. Withdrawn advisories are included with
   * `withdrawn` set: matchers must skip them. One query for any number of names. Records are
   * shared between names: treat them as read-only.
   *
   * With `fields: 'matching'` each record holds only MATCHING_FIELDS, a fraction of the text to
   * read and parse; `records(ids)` then gives the whole of the ones that matter.
   */
  lookup(names: readonly string[], options: { fields?: 'all' | 'matching' } = {}): Map<string, OsvRecord[]> {
    const out = new Map<string, OsvRecord[]>();
    const wanted = [...new Set(names.map(normalizeName))];
    if (wanted.length === 0) return out;
    const column = options.fields === 'matching' ? 'matching' : 'json';
    // No ORDER BY: SQLite would sort the rows, record text and all, in a temporary b-tree, which
    // costs several times the query itself. The same order is made below on the small keys.
    let stmt = this.lookupStmts.get(column);
    if (!stmt) {
      stmt = this.db.prepare(
        `SELECT p.name AS name, r.id AS id, r.${column} AS json
           FROM json_each(?) AS w
           JOIN packages AS p ON p.name = w.value
           JOIN records AS r ON r.id = p.id`,
      );
      this.lookupStmts.set(column, stmt);
    }
    const parsed = new Map<string, OsvRecord>();
    const found = new Map<string, OsvRecord[]>();
    for (const row of stmt.all(JSON.stringify(wanted)) as Row[]) {
      const id = row['id'] as string;
      let record = parsed.get(id);
      if (!record) {
        record = this.parse(row['json'], id);
        parsed.set(id, record);
      }
      const name = row['name'] as string;
      const list = found.get(name);
      if (list) list.push(record);
      else found.set(name, [record]);
    }
    // Names in order, each name's records by id: code-unit order, which is SQLite's byte order for
    // the ASCII ids OSV uses.
    const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    for (const name of [...found.keys()].sort(byCodeUnits)) {
      out.set(name, found.get(name)!.sort((a, b) => byCodeUnits(a.id, b.id)));
    }
    return out;
  }

  /**
   * The stored scores of these severity entries, keyed `${type}\0${vector}` (as the JSON the
   * scorer's `score` returned), when the store was built by the scorer `scorerId`; otherwise, and
   * for entries it holds no score for, nothing.
   */
  severityScores(entries: readonly OsvSeverity[], scorerId: string): Map<string, unknown> {
    const out = new Map<string, unknown>();
    if (entries.length === 0 || this.allMeta().get('severity_scorer') !== scorerId) return out;
    this.scoresStmt ??= this.db.prepare(
      `SELECT s.type AS type, s.vector AS vector, s.score AS score
         FROM json_each(?) AS w
         JOIN severity_scores AS s ON s.type = json_extract(w.value, '$[0]') AND s.vector = json_extract(w.value, '$[1]')`,
    );
    const wanted = [...new Map(entries.map((e) => [`${e.type}\u0000${e.score}`, [e.type, e.score]])).values()];
    for (const row of this.scoresStmt.all(JSON.stringify(wanted)) as Row[]) {
      try {
        out.set(`${String(row['type'])}\u0000${String(row['vector'])}`, JSON.parse(row['score'] as string));
      } catch {
        // a damaged score is recomputed by the caller
      }
    }
    return out;
  }

  /** Whole records by id, in one query; ids the store does not hold are absent. */
  records(ids: readonly string[]): Map<string, OsvRecord> {
    const out = new Map<string, OsvRecord>();
    if (ids.length === 0) return out;
    this.recordsStmt ??= this.db.prepare('SELECT id, json FROM records WHERE id IN (SELECT value FROM json_each(?))');
    for (const row of this.recordsStmt.all(JSON.stringify([...new Set(ids)])) as Row[]) {
      const id = row['id'] as string;
      out.set(id, this.parse(row['json'], id));
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
    const transform = m.get('record_transform');
    if (transform) status.recordTransform = transform;
    const scorer = m.get('severity_scorer');
    if (scorer) status.severityScorer = scorer;
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
   * affects any PyPI package is removed; an older copy never replaces a newer one. Records go
   * through `transform` when given; a transform other than the store's own (or none, when the store
   * has one) leaves the store without a `record_transform` marker, since its records now differ.
   */
  upsert(records: readonly OsvRecord[], meta: Record<string, string> = {}, transform?: RecordTransform, scorer?: SeverityScorer): void {
    if (!this.writable) throw new Error('AdvisoryStore.upsert on a store opened read-only');
    const keepsMarker = records.length === 0 || this.allMeta().get('record_transform') === transform?.id;
    // New scores are added only by the scorer that made the ones already there; with any other
    // (or none) the scores would be incomplete or mixed, so they all go and the store has none.
    const sameScorer = scorer !== undefined && this.allMeta().get('severity_scorer') === scorer.id;
    const keepsScores = records.length === 0 || sameScorer;
    const writer = new Writer(this.db, transform, sameScorer ? scorer : undefined);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const record of records) writer.write(record);
      writer.refreshMeta();
      if (!keepsMarker) this.db.prepare("DELETE FROM meta WHERE key = 'record_transform'").run();
      if (!keepsScores) {
        this.db.prepare('DELETE FROM severity_scores').run();
        this.db.prepare("DELETE FROM meta WHERE key = 'severity_scorer'").run();
      }
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
