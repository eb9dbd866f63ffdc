/** `pyward db ...` use cases over the local advisory store and the popular-projects list. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { importOsvSource } from '../sources/osv/database.js';
import { AdvisoryStore } from '../sources/osv/store.js';
import { updateDatabase as update } from '../sources/osv/update.js';
import { formatLocation, UsageError } from '../core/errors.js';
import type { Diagnostic } from '../core/model.js';
import { pruneVersionsTransform } from '../checks/vulns/prune.js';
import { severityScorer } from '../checks/vulns/severity.js';

function report(diagnostics: Diagnostic[], warn: (m: string) => void): void {
  const shown = diagnostics.slice(0, 20);
  for (const d of shown) warn(d.location ? `${formatLocation(d.location)}: ${d.message}` : d.message);
  if (diagnostics.length > shown.length) warn(`... and ${diagnostics.length - shown.length} more`);
}

export async function importDatabase(source: string, dbFile: string, warn: (m: string) => void): Promise<{ records: number }> {
  // Listed versions that the records' own ranges already cover are dropped as the store is built:
  // exact (checks/vulns/prune.ts), and it keeps every audit from parsing them.
  // The scores of the records' severity vectors are kept too, so audits need not compute them.
  const r = importOsvSource(source, dbFile, { transform: pruneVersionsTransform, scorer: severityScorer() });
  report(r.diagnostics, warn);
  return { records: r.records };
}

export async function updateDatabase(dbFile: string, baseUrl: string, warn: (m: string) => void): Promise<{ summary: string }> {
  const r = await update(dbFile, baseUrl, undefined, {
    onProgress: (m) => process.stderr.write(`${m}\n`),
    transform: pruneVersionsTransform,
    scorer: severityScorer(),
  });
  report(r.diagnostics, warn);
  const what = r.mode === 'full' ? `downloaded all advisories` : r.mode === 'incremental' ? `applied ${r.changed} changed advisories` : 'already up to date';
  return { summary: `${what}; ${r.records} advisories in ${dbFile}` };
}

export function databaseStatus(dbFile: string): ReturnType<AdvisoryStore['status']> & { ageDays?: number; malformedSkipped: number } {
  const store = AdvisoryStore.open(dbFile);
  try {
    const s = store.status();
    const built = Date.parse(s.updatedAt ?? s.builtAt);
    const ageDays = Number.isNaN(built) ? undefined : Math.floor((Date.now() - built) / 86_400_000);
    return { ...s, ...(ageDays !== undefined ? { ageDays } : {}), malformedSkipped: store.importDiagnostics().count };
  } finally {
    store.close();
  }
}

/**
 * `pyward db update --popular`: downloads the popular-projects list (hugovk/top-pypi-packages by
 * default) into the cache directory, where check and audit find it from then on, and compiles its
 * index there at once so the next check does not pay for it.
 */
export async function updatePopular(cacheDir: string, url: string | undefined, warn: (m: string) => void): Promise<{ summary: string }> {
  const [{ refreshPopular, DEFAULT_POPULAR_URL }, { loadPopular, refreshedPopularFile }] = await Promise.all([
    import('../sources/popular/refresh.js'),
    import('../sources/popular/popular.js'),
  ]);
  const file = refreshedPopularFile(cacheDir);
  makeCacheDir(dirname(file));
  const r = await refreshPopular(url ?? DEFAULT_POPULAR_URL, file, { onDiagnostic: (d) => warn(d.message) });
  loadPopular(file, { cacheDir });
  return { summary: `${r.projects} popular projects${r.lastUpdate ? ` (data of ${r.lastUpdate})` : ''} in ${file}` };
}

/**
 * `pyward db update --pypi-names`: downloads the Simple API's list of every PyPI project into the
 * cache directory, for the existence check offline and the nearest existing names of one missing.
 */
export async function updateProjectList(cacheDir: string, url: string | undefined, warn: (m: string) => void): Promise<{ summary: string }> {
  const { refreshProjectList, projectListFile, DEFAULT_SIMPLE_INDEX } = await import('../sources/pypi/project-list.js');
  const file = projectListFile(cacheDir);
  makeCacheDir(dirname(file));
  const list = await refreshProjectList(url ?? DEFAULT_SIMPLE_INDEX, file, { onWarning: warn });
  return { summary: `${list.size} PyPI project names from ${list.meta.url} in ${file}` };
}

/** Before a download, not after it: a cache directory that cannot be made is the user's to fix. */
function makeCacheDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create the cache directory ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass a writable --cache-dir or set PYWARD_CACHE_DIR`);
  }
}

export interface ProjectListStatus {
  file: string;
  projects: number;
  url: string;
  fetchedAt: string;
  ageDays: number;
  lastSerial?: number;
}

/** The cached list of PyPI's projects, or undefined when none was fetched. */
export async function projectListStatus(cacheDir: string): Promise<ProjectListStatus | undefined> {
  const { ProjectList, projectListFile } = await import('../sources/pypi/project-list.js');
  const file = projectListFile(cacheDir);
  const list = ProjectList.open(file);
  if (!list) return undefined;
  const { url, fetchedAt, lastSerial } = list.meta;
  return { file, projects: list.size, url, fetchedAt, ageDays: Math.floor((Date.now() - Date.parse(fetchedAt)) / 86_400_000), ...(lastSerial !== undefined ? { lastSerial } : {}) };
}

export interface PopularStatus {
  file: string;
  /** True for the snapshot shipped with pyward (no refresh yet). */
  shipped: boolean;
  projects: number;
  /** When the list was downloaded (refreshed lists), and its age in days. */
  fetchedAt?: string;
  ageDays?: number;
  /** The source's own date for its data, when it gave one. */
  dataOf?: string;
  url?: string;
}

/** Which popular-projects list check and audit use, how many projects it has, and how old it is. */
export async function popularStatus(cacheDir: string): Promise<PopularStatus> {
  const { DEFAULT_POPULAR_FILE, loadPopular, popularListFile } = await import('../sources/popular/popular.js');
  const file = popularListFile(cacheDir);
  const projects = loadPopular(file, { cacheDir }).size;
  // The first line of a refreshed list: `# N most downloaded PyPI projects from URL (data of D), fetched ISO`.
  const first = readFileSync(file, 'utf8').slice(0, 1000).split('\n')[0] ?? '';
  const m = /^# \d+ most downloaded PyPI projects from (\S+)(?: \(data of ([^)]+)\))?, fetched (\S+)$/.exec(first);
  const fetched = m ? Date.parse(m[3]!) : NaN;
  return {
    file,
    shipped: file === DEFAULT_POPULAR_FILE,
    projects,
    ...(m ? { url: m[1]!, ...(m[2] ? { dataOf: m[2] } : {}) } : {}),
    ...(!Number.isNaN(fetched) ? { fetchedAt: m![3]!, ageDays: Math.floor((Date.now() - fetched) / 86_400_000) } : {}),
  };
}
