/**
 * Refreshes the popular-projects list from its public source, hugovk's top-pypi-packages (the most
 * downloaded PyPI projects of the last 30 days, rebuilt monthly from PyPI's BigQuery data). The JSON
 * is turned into the ranked TSV that `loadPopular` reads.
 *
 * Online only when called; nothing else in pyward needs the network for this source. The file is
 * replaced atomically and only by a list that looks complete, so a truncated or hostile response
 * never leaves pyward with a smaller popular set than it had.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { getJson, type HttpOptions } from '../http.js';

export const DEFAULT_POPULAR_URL = 'https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json';

/** The full list is about 1 MB; anything far larger is not this file. */
const MAX_BYTES = 32 * 1024 * 1024;

export interface RefreshOptions extends HttpOptions {
  /** Fewer valid rows than this means a broken response, not a smaller PyPI (the list has 15,000). */
  minRows?: number;
  onDiagnostic?: (d: Diagnostic) => void;
}

export interface RefreshResult {
  file: string;
  projects: number;
  /** The source's own date for the data, when it gives one. */
  lastUpdate?: string;
}

/**
 * Downloads the list at `url` (the `top-pypi-packages.min.json` shape: `{rows: [{project,
 * download_count}]}`) and writes it to `file` as `rank<TAB>name<TAB>download_count`, most downloaded
 * first. Rows without a valid name or count are dropped with a diagnostic.
 */
export async function refreshPopular(url: string, file: string, options: RefreshOptions = {}): Promise<RefreshResult> {
  const { minRows = 1000, onDiagnostic, ...http } = options;
  const body = await getJson(url, { ...http, maxBytes: MAX_BYTES });
  if (body === undefined) throw new SourceError('source-bad-response', `${url} answered 404; check the popular-list URL`);
  const rows = (body as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) {
    throw new SourceError('source-bad-response', `${url} is not a top-pypi-packages list (no 'rows' array)`);
  }

  const best = new Map<string, number>();
  let dropped = 0;
  for (const row of rows as unknown[]) {
    const project = (row as { project?: unknown } | null)?.project;
    const count = (row as { download_count?: unknown } | null)?.download_count;
    if (typeof project !== 'string' || !isValidName(project) || typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      dropped++;
      continue;
    }
    const name = normalizeName(project);
    best.set(name, Math.max(best.get(name) ?? 0, count));
  }
  if (dropped > 0) {
    onDiagnostic?.({ severity: 'warning', code: 'bad-popular-row', message: `${url}: dropped ${dropped} rows without a valid project name and download count` });
  }
  if (best.size < minRows) {
    throw new SourceError(
      'source-bad-response',
      `${url} lists only ${best.size} valid projects (expected at least ${minRows}); keeping the current list`,
    );
  }

  const ranked = [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const lastUpdate = typeof (body as { last_update?: unknown }).last_update === 'string' ? (body as { last_update: string }).last_update : undefined;
  const lines = [
    `# ${ranked.length} most downloaded PyPI projects from ${url}${lastUpdate ? ` (data of ${lastUpdate})` : ''}, fetched ${new Date().toISOString()}`,
    'rank\tname\tdownload_count',
    ...ranked.map(([name, count], i) => `${i + 1}\t${name}\t${count}`),
  ];
  // Write beside the target and rename over it: readers see the old list or the new one, never half.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${lines.join('\n')}\n`);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new SourceError('source-unreachable', `cannot write the popular-projects list ${file}: ${(e as Error).message}`);
  }
  return { file, projects: ranked.length, ...(lastUpdate ? { lastUpdate } : {}) };
}
