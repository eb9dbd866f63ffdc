/**
 * PyPI's Integrity API (https://docs.pypi.org/api/integrity/): the PEP 740 provenance of one file,
 * `GET {base}/integrity/{project}/{version}/{filename}/provenance`, answered with
 * `application/vnd.pypi.integrity.v1+json` (`{"version": 1, "attestation_bundles": [...]}`).
 * A 404 is an answer: the file has no provenance (or does not exist, which the caller knows from
 * the index listing).
 *
 * The same object is reachable through the URL a PEP 691 page gives as a file's `provenance`,
 * which is what an index that is not PyPI may use; `provenanceAt` fetches that.
 *
 * Nothing here judges the attestations: the body is returned as parsed JSON, and
 * checks/provenance verifies it. It is cached as is: PyPI accepts attestations only with the upload,
 * so a file's provenance does not change once it exists; "none" is cached for less, because a
 * private index might attach provenance later.
 *
 * Offline: answers come only from the cache, and a miss is a `source-unreachable` error.
 */
import { join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import { normalizeName } from '../../core/names.js';
import { JsonCache } from '../cache.js';
import { cachedGet, Memo, redactCredentials, splitCredentials } from '../conditional.js';
import type { HttpOptions, HttpResponse } from '../http.js';
import { Throttle, type ThrottleOptions } from '../throttle.js';
import { trimTrailingSlashes } from '../../core/text.js';

export const INTEGRITY_JSON = 'application/vnd.pypi.integrity.v1+json';
/** The API's own type first; plain JSON for proxies that rewrite the content type. */
const ACCEPT = `${INTEGRITY_JSON}, application/json;q=0.5`;
/** One file's provenance is a few kilobytes per attestation; 8 MB is far beyond any real one. */
const MAX_PROVENANCE_BYTES = 8 * 1024 * 1024;
const DEFAULT_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_MISSING_TTL_MS = 60 * 60 * 1000;
const CACHE_VERSION = 'v1';

export interface IntegrityClientOptions extends HttpOptions, ThrottleOptions {
  cacheDir?: string;
  /** How long found provenance is used without asking again (default 30 days). */
  ttlMs?: number;
  /** How long "no provenance" is believed (default 1 hour). */
  missingTtlMs?: number;
  offline?: boolean;
  now?: () => number;
  throttle?: Throttle;
}

export type ProvenanceAnswer =
  /** `body` is the parsed JSON, or `undefined` with `unparsable` when the index served something else. */
  | { found: true; url: string; body: unknown; unparsable?: string }
  | { found: false; url: string };

/** `{base}/integrity/{project}/{version}/{filename}/provenance`, each segment escaped. */
export function integrityUrl(base: string, project: string, version: string, filename: string): string {
  const seg = encodeURIComponent;
  return `${trimTrailingSlashes(base)}/integrity/${seg(normalizeName(project))}/${seg(version)}/${seg(filename)}/provenance`;
}

function isAnswer(v: unknown): ProvenanceAnswer | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['url'] !== 'string' || typeof o['found'] !== 'boolean') return undefined;
  return o as unknown as ProvenanceAnswer;
}

function contentType(res: HttpResponse): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A final response for a provenance URL, as an answer. */
export function interpretProvenanceResponse(shown: string, res: HttpResponse): ProvenanceAnswer {
  if (res.status === 404 || res.status === 410) return { found: false, url: shown };
  if (res.status === 401 || res.status === 403) {
    throw new SourceError('source-bad-response', `${shown} answered HTTP ${res.status}: the index needs credentials (put them in the index URL)`);
  }
  if (res.status !== 200) throw new SourceError('source-bad-response', `${shown} answered HTTP ${res.status}`);
  const type = contentType(res);
  if (type !== INTEGRITY_JSON && type !== 'application/json' && type !== '') {
    // An HTML error page from a proxy is not provenance; saying so beats a JSON parse error.
    return { found: true, url: shown, body: undefined, unparsable: `the index answered with ${type}, not ${INTEGRITY_JSON}` };
  }
  try {
    return { found: true, url: shown, body: JSON.parse(res.body.toString('utf8')) as unknown };
  } catch (err) {
    // Served as provenance but not JSON: a verdict about this file's provenance, not an outage.
    return { found: true, url: shown, body: undefined, unparsable: `not JSON: ${(err as Error).message}` };
  }
}

/** One client per run: one cache, one throttle, and one request per URL however often it is asked. */
export class IntegrityClient {
  private readonly options: IntegrityClientOptions;
  private readonly cache: JsonCache | undefined;
  private readonly throttle: Throttle;
  private readonly memo: Memo<ProvenanceAnswer>;

  constructor(options: IntegrityClientOptions = {}) {
    this.options = options;
    this.cache = options.cacheDir ? new JsonCache(join(options.cacheDir, 'pypi-integrity')) : undefined;
    this.throttle = options.throttle ?? new Throttle(options);
    this.memo = new Memo(Math.min(options.missingTtlMs ?? DEFAULT_MISSING_TTL_MS, options.ttlMs ?? DEFAULT_TTL_MS), options.now);
  }

  /** The provenance of a file through the Integrity API under `base` (e.g. https://pypi.org). */
  provenance(base: string, project: string, version: string, filename: string): Promise<ProvenanceAnswer> {
    const { url, headers } = splitCredentials(base);
    return this.get(integrityUrl(url, project, version, filename), headers);
  }

  /**
   * The provenance at a URL an index page gave (PEP 691 `provenance`). The index's credentials go
   * along only to the index's own origin: a page must not be able to send them elsewhere.
   */
  provenanceAt(url: string, index?: string): Promise<ProvenanceAnswer> {
    let auth: Record<string, string> = {};
    if (index !== undefined) {
      const split = splitCredentials(index);
      try {
        if (new URL(split.url).origin === new URL(url).origin) auth = split.headers;
      } catch {
        // An unparsable URL gets no credentials; the request itself reports the problem.
      }
    }
    return this.get(url, auth);
  }

  private get(url: string, auth: Record<string, string>): Promise<ProvenanceAnswer> {
    const shown = redactCredentials(url);
    const key = `${CACHE_VERSION}:${shown}`;
    return this.memo.get(key, () =>
      cachedGet(
        { url, key, headers: { accept: ACCEPT, ...auth }, maxBytes: MAX_PROVENANCE_BYTES, what: `the provenance at ${shown}` },
        (res) => interpretProvenanceResponse(shown, res),
        isAnswer,
        {
          ...this.options,
          cache: this.cache,
          throttle: this.throttle,
          // A garbled answer (a proxy's error page) is kept no longer than "none": it may be transient.
          ttlMs: (v) => {
            const a = v as ProvenanceAnswer;
            return a.found && a.unparsable === undefined ? (this.options.ttlMs ?? DEFAULT_TTL_MS) : (this.options.missingTtlMs ?? DEFAULT_MISSING_TTL_MS);
          },
          unreachableHint: this.options.unreachableHint ?? 'check the index URL, the network or proxy settings, or run with --offline to use what is cached',
        },
      ),
    );
  }
}
