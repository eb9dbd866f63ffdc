/**
 * Vulnerabilities as PyPI itself reports them: `GET {base}/pypi/{name}/{version}/json` carries a
 * `vulnerabilities` list for that exact release (PyPI feeds it from OSV). Each entry has `id`,
 * `aliases`, `details`, `summary`, `fixed_in`, `link`, `source` and `withdrawn`.
 *
 * They are turned into OSV-shaped records so the same matcher handles every source. What PyPI does
 * not say is where each vulnerable branch starts, so a record says exactly what PyPI said: this version
 * is affected (`versions: [version]`), and each `fixed_in` version ends a range. Such records are
 * scoped to the version that was asked about; PyPI gives no `modified` time, so it is ''.
 *
 * Answers are cached for a TTL under cacheDir; `offline` answers from the cache whatever its age and
 * treats a miss as an error rather than as "no vulnerabilities".
 */
import { join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { packageKey, type PackageVersion } from '../osv/api.js';
import { JsonCache } from '../cache.js';
import { httpRequest, mapLimit, parseJsonResponse, type HttpOptions } from '../http.js';
import type { OsvRange, OsvRecord } from '../osv/schema.js';
import { isValidId, modifiedKey, PYPI_ECOSYSTEM, quote } from '../osv/validate.js';
import { trimTrailingSlashes } from '../../core/text.js';

export const DEFAULT_PYPI_BASE = 'https://pypi.org';
export const DEFAULT_PYPI_TTL_MS = 12 * 60 * 60 * 1000;
const DEFAULT_CONCURRENCY = 8;
/** Release JSON includes the long description; a few MB is normal, tens are not. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface PypiVulnOptions extends HttpOptions {
  baseUrl?: string;
  cacheDir?: string;
  ttlMs?: number;
  concurrency?: number;
  offline?: boolean;
  onDiagnostic?: (d: Diagnostic) => void;
  now?: () => number;
}

/** What is cached per release: PyPI's own list, so a change in our conversion never needs a purge. */
type CachedAnswer = { status: 'found'; vulnerabilities: unknown } | { status: 'missing' };

/**
 * PyPI's view of each name@version, keyed by `packageKey` (normalized name). Every requested package
 * has an entry; a release PyPI does not know gives [] and a `not-on-pypi` diagnostic.
 */
export async function fetchPypiVulns(packages: readonly PackageVersion[], options: PypiVulnOptions = {}): Promise<Map<string, OsvRecord[]>> {
  const base = trimTrailingSlashes(options.baseUrl ?? DEFAULT_PYPI_BASE);
  const now = options.now ?? Date.now;
  const cache = options.cacheDir ? new JsonCache(join(options.cacheDir, 'pypi-json')) : undefined;
  const ttl = options.ttlMs ?? DEFAULT_PYPI_TTL_MS;
  const diag = (d: Diagnostic): void => options.onDiagnostic?.(d);

  const unique = new Map<string, PackageVersion>();
  for (const p of packages) unique.set(packageKey(p.name, p.version), { name: normalizeName(p.name), version: p.version });

  const answers = new Map<string, CachedAnswer>();
  const toFetch: [string, PackageVersion][] = [];
  for (const [key, p] of unique) {
    const hit = cache?.get(`${base}:${key}`, options.offline ? undefined : ttl, now());
    const answer = hit ? asCachedAnswer(hit.value) : undefined;
    if (answer) answers.set(key, answer);
    else if (options.offline) {
      throw new SourceError('source-unreachable', `offline, and no cached PyPI answer for ${key}: run once online, or audit against a local database (--db)`);
    } else toFetch.push([key, p]);
  }

  await mapLimit(toFetch, options.concurrency ?? DEFAULT_CONCURRENCY, async ([key, p]) => {
    const url = `${base}/pypi/${encodeURIComponent(p.name)}/${encodeURIComponent(p.version)}/json`;
    const res = await httpRequest(url, { headers: { accept: 'application/json' }, maxBytes: MAX_RESPONSE_BYTES }, options);
    let answer: CachedAnswer;
    if (res.status === 404) {
      answer = { status: 'missing' };
    } else {
      const json = parseJsonResponse(url, res);
      const vulnerabilities = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['vulnerabilities'] : undefined;
      answer = { status: 'found', vulnerabilities };
    }
    answers.set(key, answer);
    cache?.set(`${base}:${key}`, answer, now());
  });

  const out = new Map<string, OsvRecord[]>();
  for (const [key, p] of unique) {
    const answer = answers.get(key)!;
    const where = `${base}/pypi/${p.name}/${p.version}/json`;
    if (answer.status === 'missing') {
      diag({ severity: 'warning', code: 'not-on-pypi', message: `${p.name} ${p.version} is not on ${base} (404): no vulnerability data for it`, location: { file: where } });
      out.set(key, []);
      continue;
    }
    const { records, warnings } = pypiVulnsToOsv(p.name, p.version, answer.vulnerabilities);
    for (const w of warnings) diag({ severity: 'warning', code: 'bad-advisory', message: w, location: { file: where } });
    out.set(key, records);
  }
  return out;
}

function asCachedAnswer(v: unknown): CachedAnswer | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const status = (v as Record<string, unknown>)['status'];
  if (status === 'missing') return { status };
  if (status === 'found') return { status, vulnerabilities: (v as Record<string, unknown>)['vulnerabilities'] };
  return undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
}

/**
 * Converts PyPI's `vulnerabilities` list for one release into OSV records. Entries without a usable
 * id are dropped with a warning; wrongly typed optional fields are dropped, the entry kept.
 */
export function pypiVulnsToOsv(name: string, version: string, vulnerabilities: unknown): { records: OsvRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  const records: OsvRecord[] = [];
  if (vulnerabilities === undefined || vulnerabilities === null) {
    // Mirrors and older index servers serve the JSON API without this key: say so, do not imply "clean".
    warnings.push(`${name} ${version}: the response has no "vulnerabilities" list (a mirror without vulnerability data?)`);
    return { records, warnings };
  }
  if (!Array.isArray(vulnerabilities)) {
    warnings.push(`${name} ${version}: "vulnerabilities" is not a list`);
    return { records, warnings };
  }
  const normalized = normalizeName(name);
  vulnerabilities.forEach((v: unknown, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      warnings.push(`${name} ${version}: vulnerabilities[${i}] is not an object; dropped`);
      return;
    }
    const o = v as Record<string, unknown>;
    if (!isValidId(o['id'])) {
      warnings.push(`${name} ${version}: vulnerabilities[${i}] has no valid id ${quote(o['id'])}; dropped`);
      return;
    }
    const id = o['id'];
    const problems: string[] = [];
    const fixedIn = o['fixed_in'] === undefined || o['fixed_in'] === null ? [] : strings(o['fixed_in']);
    if (!fixedIn) problems.push('"fixed_in" is not a list of strings');
    const aliases = o['aliases'] === undefined || o['aliases'] === null ? [] : strings(o['aliases'])?.filter(isValidId);
    if (!aliases) problems.push('"aliases" is not a list of strings');

    // One range per fixed version: PyPI lists a fix per maintained branch (e.g. 2.2.18, 3.0.12, 3.1.6)
    // without saying where each branch starts, and several `fixed` events in one range would end the
    // range at the first of them.
    const ranges: OsvRange[] = (fixedIn ?? []).filter((f) => f !== '').map((f) => ({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: f }] }));
    const record: OsvRecord = {
      id,
      modified: '',
      affected: [
        {
          package: { ecosystem: PYPI_ECOSYSTEM, name: normalized, purl: `pkg:pypi/${normalized}` },
          versions: [version],
          ...(ranges.length ? { ranges } : {}),
        },
      ],
      database_specific: { source: 'pypi-json-api', ...(typeof o['source'] === 'string' ? { pypi_source: o['source'] } : {}) },
    };
    if (aliases?.length) record.aliases = aliases;
    if (typeof o['summary'] === 'string' && o['summary'] !== '') record.summary = o['summary'];
    if (typeof o['details'] === 'string' && o['details'] !== '') record.details = o['details'];
    if (typeof o['link'] === 'string' && /^https?:\/\//.test(o['link'])) record.references = [{ type: 'ADVISORY', url: o['link'] }];
    const withdrawn = o['withdrawn'];
    if (typeof withdrawn === 'string') {
      if (modifiedKey(withdrawn) === undefined) problems.push(`"withdrawn" is not an RFC 3339 timestamp ${quote(withdrawn)}`);
      record.withdrawn = withdrawn;
    } else if (withdrawn !== undefined && withdrawn !== null) {
      problems.push('"withdrawn" is neither null nor a timestamp');
    }
    if (problems.length) warnings.push(`${name} ${version}: ${id}: ${problems.join('; ')}`);
    records.push(record);
  });
  return { records, warnings };
}
