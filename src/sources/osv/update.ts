/**
 * `pyward db update`: keeps a local store in step with OSV's PyPI export
 * (https://osv-vulnerabilities.storage.googleapis.com/PyPI/).
 *
 * The export offers `all.zip` (every record), `<ID>.json` (one record) and `modified_id.csv`, one line
 * per record, `<RFC 3339 modified>,<ID>`, newest first. The first update downloads all.zip. Later ones
 * read modified_id.csv and fetch only the records modified since the store's newest `modified`
 * marker; when the marker is missing or too much has changed, one all.zip download (conditional on
 * its ETag) is cheaper and is used instead.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { downloadToFile, getJson, httpRequest, mapLimit, type FetchLike, type HttpOptions } from '../http.js';
import { DEFAULT_LIMITS, readOsvSource, type ImportLimits } from './import.js';
import type { OsvRecord } from './schema.js';
import { AdvisoryStore, type RecordTransform, type SeverityScorer } from './store.js';
import { isValidId, modifiedKey, toOsvRecord } from './validate.js';
import { trimTrailingSlashes } from '../../core/text.js';

export const DEFAULT_OSV_EXPORT = 'https://osv-vulnerabilities.storage.googleapis.com/PyPI';

/** Past this many changed records one archive download beats fetching them one by one. */
const DEFAULT_MAX_INCREMENTAL = 1000;
const DEFAULT_CONCURRENCY = 8;
/** A per-ecosystem modified_id.csv is ~1 MB for PyPI; this leaves room for growth, not for abuse. */
const MAX_CSV_BYTES = 64 * 1024 * 1024;
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
/** all.zip keeps arriving for minutes on a slow line; what matters is that bytes keep coming. */
const ZIP_IDLE_TIMEOUT_MS = 60_000;

export interface UpdateOptions extends Omit<HttpOptions, 'fetchImpl'> {
  maxIncremental?: number;
  concurrency?: number;
  limits?: Partial<ImportLimits>;
  /** Download all.zip even if an incremental update is possible. */
  full?: boolean;
  /** Progress lines for stderr (never stdout). */
  onProgress?: (message: string) => void;
  /** Applied to every record stored, by a full or an incremental update (see RecordTransform). */
  transform?: RecordTransform;
  /** Scores the severity entries of every record stored (see SeverityScorer). */
  scorer?: SeverityScorer;
}

export interface UpdateResult {
  /** What happened: a new store from all.zip, records applied from modified_id.csv, or nothing new. */
  mode: 'full' | 'incremental' | 'unchanged';
  /** Records in the store afterwards. */
  records: number;
  /** Records downloaded and applied by this update (all of them for `full`). */
  changed: number;
  diagnostics: Diagnostic[];
}

interface CsvEntry {
  modified: string;
  key: string;
  id: string;
}

/** Parses modified_id.csv; tolerates the `<ECOSYSTEM>/<ID>` form of the bucket-wide file and CRLF. */
export function parseModifiedIdCsv(text: string): { entries: CsvEntry[]; bad: number } {
  const entries: CsvEntry[] = [];
  let bad = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const comma = line.indexOf(',');
    const modified = comma < 0 ? '' : line.slice(0, comma).trim();
    let id = comma < 0 ? '' : line.slice(comma + 1).trim();
    id = id.slice(id.lastIndexOf('/') + 1);
    const key = modifiedKey(modified);
    if (key === undefined || !isValidId(id)) {
      bad++;
      continue;
    }
    entries.push({ modified, key, id });
  }
  return { entries, bad };
}

/**
 * Brings `dbFile` up to date from an OSV export directory (`baseUrl`, PyPI by default). Network
 * failures raise SourceError 'source-unreachable' naming the URL; the existing store is left as it was.
 */
export async function updateDatabase(
  dbFile: string,
  baseUrl: string = DEFAULT_OSV_EXPORT,
  fetchImpl?: FetchLike,
  options: UpdateOptions = {},
): Promise<UpdateResult> {
  const base = trimTrailingSlashes(baseUrl);
  const http: HttpOptions = { ...options, ...(fetchImpl ? { fetchImpl } : {}) };
  let store: AdvisoryStore | undefined;
  try {
    store = AdvisoryStore.open(dbFile, { writable: true });
  } catch (e) {
    // No store yet, or one we cannot use: a full download replaces it.
    if (!(e instanceof SourceError)) throw e;
  }
  try {
    const sameSource = store?.meta('update_base') === base;
    let knownChanged = false;
    if (store && sameSource && !options.full && store.status().newestModified) {
      const result = await incrementalUpdate(store, base, http, options);
      if (result !== 'too-many' && result !== undefined) return result;
      knownChanged = result === 'too-many';
    }
    // Conditional unless modified_id.csv already told us much has changed (a stale all.zip ETag
    // must not turn "many changes" into "unchanged").
    const conditional =
      store && sameSource && !knownChanged ? { etag: store.meta('etag'), lastModified: store.meta('last_modified') } : {};
    return await fullUpdate(dbFile, base, http, options, conditional, store);
  } finally {
    store?.close();
  }
}

async function incrementalUpdate(
  store: AdvisoryStore,
  base: string,
  http: HttpOptions,
  options: UpdateOptions,
): Promise<UpdateResult | 'too-many' | undefined> {
  const csvUrl = `${base}/modified_id.csv`;
  const res = await httpRequest(csvUrl, { maxBytes: MAX_CSV_BYTES }, http);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new SourceError('source-bad-response', `${csvUrl} answered HTTP ${res.status}`);
  const { entries, bad } = parseModifiedIdCsv(res.body.toString('utf8'));
  if (entries.length === 0 && bad > 0) {
    throw new SourceError('source-bad-response', `${csvUrl} is not a modified_id.csv (no "<timestamp>,<id>" lines)`);
  }
  const marker = modifiedKey(store.status().newestModified ?? '');
  if (marker === undefined) return undefined;

  // Everything at or after the marker whose timestamp differs from ours: `>=` rather than `>` so a
  // record published in the same instant as our newest one is not missed; the comparison with the
  // stored timestamp keeps that from refetching what we already have. The file is newest first, but
  // the whole of it is cheap to scan and we need not trust the order.
  const wanted = new Map<string, CsvEntry>();
  for (const e of entries) {
    if (e.key < marker) continue;
    const prev = wanted.get(e.id);
    if (prev && prev.key >= e.key) continue;
    const ours = store.modifiedOf(e.id);
    if (ours !== undefined && modifiedKey(ours) === e.key) continue;
    wanted.set(e.id, e);
  }
  const diagnostics: Diagnostic[] = [];
  if (wanted.size === 0) {
    store.setMeta({ checked_at: new Date().toISOString() });
    return { mode: 'unchanged', records: store.status().records, changed: 0, diagnostics };
  }
  const maxIncremental = options.maxIncremental ?? DEFAULT_MAX_INCREMENTAL;
  if (wanted.size > maxIncremental) {
    options.onProgress?.(`${wanted.size} advisories changed; downloading the whole database instead`);
    return 'too-many';
  }
  options.onProgress?.(`fetching ${wanted.size} changed advisor${wanted.size === 1 ? 'y' : 'ies'}`);
  const fetched = await mapLimit([...wanted.values()], options.concurrency ?? DEFAULT_CONCURRENCY, async (e) => {
    const url = `${base}/${encodeURIComponent(e.id)}.json`;
    const raw = await getJson(url, { ...http, maxBytes: MAX_RECORD_BYTES });
    if (raw === undefined) {
      diagnostics.push({ severity: 'warning', code: 'advisory-missing', message: `${e.id} is listed in modified_id.csv but ${url} is not found`, location: { file: url } });
      return undefined;
    }
    const { record, warning } = toOsvRecord(raw, url);
    if (warning) diagnostics.push({ severity: 'warning', code: 'bad-advisory', message: warning, location: { file: url } });
    if (record && record.id !== e.id) {
      diagnostics.push({ severity: 'warning', code: 'bad-advisory', message: `${url} holds ${record.id}, not ${e.id}; ignored`, location: { file: url } });
      return undefined;
    }
    return record;
  });
  const records = fetched.filter((r): r is OsvRecord => r !== undefined);
  store.upsert(records, { checked_at: new Date().toISOString() }, options.transform, options.scorer);
  return { mode: 'incremental', records: store.status().records, changed: records.length, diagnostics };
}

async function fullUpdate(
  dbFile: string,
  base: string,
  http: HttpOptions,
  options: UpdateOptions,
  conditional: { etag?: string | undefined; lastModified?: string | undefined },
  existing: AdvisoryStore | undefined,
): Promise<UpdateResult> {
  const url = `${base}/all.zip`;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  mkdirSync(dirname(resolve(dbFile)), { recursive: true });
  const tmpZip = `${dbFile}.${process.pid}.${randomBytes(4).toString('hex')}.download`;
  const headers: Record<string, string> = {};
  if (conditional.etag) headers['if-none-match'] = conditional.etag;
  else if (conditional.lastModified) headers['if-modified-since'] = conditional.lastModified;
  try {
    options.onProgress?.(`downloading ${url}`);
    const res = await downloadToFile(url, tmpZip, { headers, maxBytes: limits.maxZipBytes }, {
      ...http,
      timeoutMs: http.timeoutMs ?? ZIP_IDLE_TIMEOUT_MS,
    });
    if (res.status === 304 && existing) {
      existing.setMeta({ checked_at: new Date().toISOString() });
      return { mode: 'unchanged', records: existing.status().records, changed: 0, diagnostics: [] };
    }
    if (res.status !== 200) throw new SourceError('source-bad-response', `${url} answered HTTP ${res.status}`);
    const diagnostics: Diagnostic[] = [];
    const extra: Record<string, string> = { update_base: base, checked_at: new Date().toISOString() };
    const etag = res.headers.get('etag');
    if (etag) extra['etag'] = etag;
    const lastModified = res.headers.get('last-modified');
    if (lastModified) extra['last_modified'] = lastModified;
    let built: { records: number };
    try {
      built = AdvisoryStore.build(dbFile, readOsvSource(tmpZip, { limits, diagnostics, label: url }), {
        source: url,
        extra,
        diagnostics,
        ...(options.transform ? { transform: options.transform } : {}),
        ...(options.scorer ? { scorer: options.scorer } : {}),
      });
    } catch (e) {
      // A refused or unreadable archive is the server's fault here, not the user's input.
      if (e instanceof InputError) throw new SourceError('source-bad-response', e.message);
      throw e;
    }
    return { mode: 'full', records: built.records, changed: built.records, diagnostics };
  } finally {
    rmSync(tmpZip, { force: true });
  }
}
