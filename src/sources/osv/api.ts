/**
 * The OSV.dev API as an online alternative to a local store (https://google.github.io/osv.dev/api/):
 * `POST /v1/querybatch` answers which advisory ids affect each name@version (ids and `modified`
 * only, paginated per query with `next_page_token`), then `GET /v1/vulns/{id}` gives each record.
 *
 * Both answers are cached on disk: query results for a TTL (new advisories appear), records by
 * id + modified forever (a record with the same `modified` is the same record). With `offline` the
 * cache answers regardless of age and a miss is an error, never a silent "no vulnerabilities".
 */
import { join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { JsonCache } from '../cache.js';
import { getJson, httpRequest, mapLimit, parseJsonResponse, type HttpOptions } from '../http.js';
import { packageKey } from './package-key.js';
import type { OsvRecord } from './schema.js';
import { isValidId, PYPI_ECOSYSTEM, toOsvRecord } from './validate.js';
import { trimTrailingSlashes } from '../../core/text.js';

export const DEFAULT_OSV_API = 'https://api.osv.dev';
/** The API accepts at most 1000 queries per querybatch request. */
export const QUERYBATCH_LIMIT = 1000;
/** How long a "these ids affect name@version" answer is trusted. */
export const DEFAULT_QUERY_TTL_MS = 12 * 60 * 60 * 1000;
const DEFAULT_CONCURRENCY = 8;
/** Pagination is per query; a server that keeps sending tokens must not keep us looping. */
const MAX_PAGES = 100;
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export interface PackageVersion {
  name: string;
  version: string;
}

export interface OsvApiOptions extends HttpOptions {
  baseUrl?: string;
  /** Where answers are cached; without it nothing is cached. */
  cacheDir?: string;
  queryTtlMs?: number;
  concurrency?: number;
  /** Queries per querybatch request (at most 1000). */
  batchSize?: number;
  /** Answer from the cache only, whatever its age; a miss raises SourceError. */
  offline?: boolean;
  onDiagnostic?: (d: Diagnostic) => void;
  now?: () => number;
}

export { packageKey };

interface IdRef {
  id: string;
  modified: string;
}

interface Query {
  key: string;
  name: string;
  version: string;
  pageToken?: string;
  found: IdRef[];
}

/**
 * The advisories OSV.dev knows for each name@version, keyed by `packageKey`. Every requested
 * package has an entry (an empty list when nothing affects it). Withdrawn records carry `withdrawn`.
 */
export async function queryOsvApi(packages: readonly PackageVersion[], options: OsvApiOptions = {}): Promise<Map<string, OsvRecord[]>> {
  const base = trimTrailingSlashes(options.baseUrl ?? DEFAULT_OSV_API);
  const now = options.now ?? Date.now;
  const cache = options.cacheDir ? new JsonCache(join(options.cacheDir, 'osv-api')) : undefined;
  const ttl = options.queryTtlMs ?? DEFAULT_QUERY_TTL_MS;
  const diag = (d: Diagnostic): void => options.onDiagnostic?.(d);

  // 1. Which ids affect each package: from the cache when fresh, else from querybatch.
  const unique = new Map<string, PackageVersion>();
  for (const p of packages) unique.set(packageKey(p.name, p.version), { name: normalizeName(p.name), version: p.version });
  const idsByKey = new Map<string, IdRef[]>();
  const toQuery: Query[] = [];
  for (const [key, p] of unique) {
    const hit = cache?.get(`query:${base}:${key}`, options.offline ? undefined : ttl, now());
    const refs = hit ? idRefs(hit.value) : undefined;
    if (refs) idsByKey.set(key, refs);
    else if (options.offline) {
      throw new SourceError('source-unreachable', `offline, and no cached OSV answer for ${key}: run once online, or audit against a local database (--db)`);
    } else toQuery.push({ key, name: p.name, version: p.version, found: [] });
  }
  const batchSize = Math.min(Math.max(1, options.batchSize ?? QUERYBATCH_LIMIT), QUERYBATCH_LIMIT);
  for (let i = 0; i < toQuery.length; i += batchSize) {
    const batch = toQuery.slice(i, i + batchSize);
    await runBatch(base, batch, options, diag);
    for (const q of batch) {
      idsByKey.set(q.key, q.found);
      cache?.set(`query:${base}:${q.key}`, q.found, now());
    }
  }

  // 2. The records, each fetched once however many packages it affects.
  const wanted = new Map<string, IdRef>();
  for (const refs of idsByKey.values()) for (const r of refs) wanted.set(`${r.id}@${r.modified}`, r);
  const records = new Map<string, OsvRecord>();
  const missing: IdRef[] = [];
  for (const [k, ref] of wanted) {
    const hit = cache?.get(`vuln:${base}:${k}`);
    const rec = hit ? toOsvRecord(hit.value, 'cache').record : undefined;
    if (rec) records.set(k, rec);
    else if (options.offline) {
      throw new SourceError('source-unreachable', `offline, and advisory ${ref.id} is not cached: run once online, or audit against a local database (--db)`);
    } else missing.push(ref);
  }
  await mapLimit(missing, options.concurrency ?? DEFAULT_CONCURRENCY, async (ref) => {
    const url = `${base}/v1/vulns/${encodeURIComponent(ref.id)}`;
    const raw = await getJson(url, { ...options, maxBytes: MAX_RECORD_BYTES });
    if (raw === undefined) {
      diag({ severity: 'warning', code: 'advisory-missing', message: `OSV lists ${ref.id} but ${url} is not found`, location: { file: url } });
      return;
    }
    const { record, warning } = toOsvRecord(raw, url);
    if (warning) diag({ severity: 'warning', code: 'bad-advisory', message: warning, location: { file: url } });
    if (!record) return;
    records.set(`${ref.id}@${ref.modified}`, record);
    cache?.set(`vuln:${base}:${ref.id}@${ref.modified}`, record, now());
  });

  // 3. Assemble in input order, ids sorted for stable output.
  const out = new Map<string, OsvRecord[]>();
  for (const [key, refs] of idsByKey) {
    const list: OsvRecord[] = [];
    for (const r of [...refs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      const rec = records.get(`${r.id}@${r.modified}`);
      if (rec) list.push(rec);
    }
    out.set(key, list);
  }
  return out;
}

/** A cached or received list of `{id, modified}`; undefined when its shape is wrong. */
function idRefs(v: unknown): IdRef[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: IdRef[] = [];
  for (const item of v) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { id, modified } = item as Record<string, unknown>;
    if (!isValidId(id)) return undefined;
    out.push({ id, modified: typeof modified === 'string' ? modified : '' });
  }
  return out;
}

async function runBatch(base: string, batch: Query[], options: OsvApiOptions, diag: (d: Diagnostic) => void): Promise<void> {
  const url = `${base}/v1/querybatch`;
  let pending = batch;
  for (let page = 0; pending.length > 0; page++) {
    if (page >= MAX_PAGES) {
      for (const q of pending) {
        diag({ severity: 'warning', code: 'source-truncated', message: `OSV kept paginating results for ${q.key}; stopped after ${MAX_PAGES} pages`, location: { file: url } });
      }
      return;
    }
    const body = JSON.stringify({
      queries: pending.map((q) => ({
        package: { name: q.name, ecosystem: PYPI_ECOSYSTEM },
        version: q.version,
        ...(q.pageToken ? { page_token: q.pageToken } : {}),
      })),
    });
    const res = await httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body, maxBytes: MAX_RESPONSE_BYTES }, options);
    const json = parseJsonResponse(url, res) as { results?: unknown };
    const results = json?.results;
    if (!Array.isArray(results) || results.length !== pending.length) {
      throw new SourceError('source-bad-response', `${url}: expected ${pending.length} results, got ${Array.isArray(results) ? results.length : 'none'}`);
    }
    const next: Query[] = [];
    results.forEach((r: unknown, i) => {
      const q = pending[i]!;
      const obj = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
      // A query with no vulnerabilities comes back as {} (no "vulns" key at all).
      const vulns = obj['vulns'] === undefined ? [] : Array.isArray(obj['vulns']) ? obj['vulns'] : undefined;
      if (!vulns) {
        diag({ severity: 'warning', code: 'source-bad-response', message: `${url}: result for ${q.key} has no readable "vulns" list`, location: { file: url } });
        return;
      }
      for (const v of vulns) {
        const refs = idRefs([v]);
        if (refs) {
          // Pages should not overlap, but a repeated id must not become a repeated finding.
          for (const ref of refs) if (!q.found.some((f) => f.id === ref.id)) q.found.push(ref);
        }
        else diag({ severity: 'warning', code: 'source-bad-response', message: `${url}: ignored a malformed entry for ${q.key}`, location: { file: url } });
      }
      const token = obj['next_page_token'];
      if (typeof token === 'string' && token !== '') {
        q.pageToken = token;
        next.push(q);
      }
    });
    pending = next;
  }
}
