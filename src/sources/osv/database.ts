/**
 * Building and finding advisory stores from OSV sources: `pyward db import` (importOsvSource) and
 * `--db PATH` (openDatabase), which indexes an OSV directory or zip into a cached store on first use.
 * Kept apart from store.ts so that opening an existing store loads none of the import machinery
 * (YAML, zip, the directory walk).
 */
import { lstatSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { newStats, readOsvSource, sourceListing, unchangedSince, type ImportLimits, type ImportStats, type SourceListing } from './import.js';
import { AdvisoryStore, HOW_TO_FIX, isSqliteFile, STORE_FORMAT, type RecordTransform, type SeverityScorer } from './store.js';

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
  options: {
    limits?: Partial<ImportLimits>;
    label?: string;
    meta?: Record<string, string>;
    transform?: RecordTransform;
    scorer?: SeverityScorer;
  } = {},
): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const stats = newStats();
  const records = readOsvSource(source, { ...(options.limits ? { limits: options.limits } : {}), diagnostics, stats });
  const built = AdvisoryStore.build(dbFile, records, {
    source: options.label ?? source,
    ...(options.meta ? { extra: options.meta } : {}),
    ...(options.transform ? { transform: options.transform } : {}),
    ...(options.scorer ? { scorer: options.scorer } : {}),
    diagnostics,
  });
  return { records: built.records, stats, diagnostics };
}

/**
 * Opens what `--db` names: a pyward store as is; an OSV directory, zip or record file through an index
 * cached under `cacheDir` (keyed by the source's absolute path). The index is rebuilt only when the
 * source's files change (names, sizes, mtimes), so the first audit pays for the import and later ones
 * open in milliseconds. The index also records its directories' mtimes, so that while none of them
 * changed a later run checks the recorded files (one lstat each) without listing a directory.
 * Import diagnostics are available from `store.importDiagnostics()`. A cached index is built
 * through `transform` and `scorer`, and rebuilt when it was made with others.
 */
export function openDatabase(
  pathOrDb: string,
  cacheDir: string,
  options: { limits?: Partial<ImportLimits>; transform?: RecordTransform; scorer?: SeverityScorer } = {},
): AdvisoryStore {
  const abs = resolve(pathOrDb);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new SourceError('db-missing', `--db ${pathOrDb}: no such file or directory; ${HOW_TO_FIX}`);
  }
  if (st.isFile() && isSqliteFile(abs)) return AdvisoryStore.open(abs);

  const prefix = `${STORE_FORMAT}:${options.transform?.id ?? 'as-is'}:${options.scorer?.id ?? 'unscored'}:`;
  // The full listing is made only when the quick check cannot vouch for a cached index.
  let listing: SourceListing | undefined;
  const current = (): SourceListing => (listing ??= sourceListing(abs));
  const fresh = (cached: AdvisoryStore): boolean => {
    if (cached.meta('source_path') !== abs) return false;
    const stored = cached.meta('source_fingerprint');
    if (stored === undefined || !stored.startsWith(prefix)) return false;
    if (listing === undefined && unchangedSince(abs, cached.meta('source_dirs') ?? '', stored.slice(prefix.length))) return true;
    return stored === prefix + current().fingerprint;
  };
  const key = `${pathKey(abs)}.db`;
  const meta = (): Record<string, string> => ({
    source_path: abs,
    source_fingerprint: prefix + current().fingerprint,
    source_dirs: current().dirs,
  });
  const build = {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.transform ? { transform: options.transform } : {}),
    ...(options.scorer ? { scorer: options.scorer } : {}),
  };

  // The private temporary directory is made (and checked) only when the cache directory fails.
  for (const candidate of [() => join(cacheDir, 'osv-index'), privateTmpDir]) {
    const dir = candidate();
    if (dir === undefined) continue;
    const file = join(dir, key);
    try {
      const cached = AdvisoryStore.open(file);
      if (fresh(cached)) return cached;
      cached.close();
    } catch (e) {
      // A missing or damaged cache entry is simply rebuilt.
      if (!(e instanceof SourceError)) throw e;
    }
    try {
      importOsvSource(abs, file, { label: abs, meta: meta(), ...build });
      return AdvisoryStore.open(file);
    } catch (e) {
      // An unwritable cache directory (read-only home in CI) costs speed, not the audit.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM' && code !== 'ENOTDIR') throw e;
    }
  }
  // Nowhere to keep an index: build a throwaway one.
  const scratch = mkdtempSync(join(tmpdir(), 'pyward-osv-'));
  importOsvSource(abs, join(scratch, key), { label: abs, meta: meta(), ...build });
  return AdvisoryStore.open(join(scratch, key));
}

/**
 * A file name for the index of a source path: two FNV-1a hashes of it, 16 hex digits. Not a
 * cryptographic hash, and it need not be one: an index records the path it was built from and is
 * used only for that path, so two paths that shared a name would only rebuild each other's index.
 */
function pathKey(path: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x811c9dc5 | 1);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
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
