/**
 * GET with a cache in front: a fresh entry answers without a request; a stale one is revalidated
 * with `If-None-Match` / `If-Modified-Since`, and a 304 renews it without sending the body again
 * (PyPI's project JSON of a big project is megabytes; GitHub does not count a 304 against the rate
 * limit). Offline, any cached answer is used whatever its age, and a miss is an error, never a guess.
 *
 * The caller's `interpret` turns a final response (200, 404, 301, ...) into the value that is cached,
 * so "this project does not exist" is cached like any other answer, under its own TTL.
 */
import { SourceError } from '../core/errors.js';
import type { JsonCache } from './cache.js';
import { httpRequest, type HttpOptions, type HttpResponse } from './http.js';
import type { Throttle } from './throttle.js';

export interface CachedGetOptions extends HttpOptions {
  cache?: JsonCache | undefined;
  /** How long an answer is used without asking again; may depend on the answer. */
  ttlMs: number | ((value: unknown) => number);
  offline?: boolean | undefined;
  now?: (() => number) | undefined;
  throttle?: Throttle | undefined;
}

export interface CachedGetRequest {
  url: string;
  /** Cache key; it should change whenever `interpret`'s output shape does. */
  key: string;
  headers?: Record<string, string>;
  maxBytes?: number;
  redirect?: 'follow' | 'manual';
  /** Named in the offline error, e.g. `PyPI's answer for requests`. */
  what?: string;
}

interface Stored {
  etag?: string;
  lastModified?: string;
  value: unknown;
}

function asStored(v: unknown): Stored | undefined {
  if (typeof v !== 'object' || v === null || !('value' in v)) return undefined;
  const o = v as Record<string, unknown>;
  return {
    value: o['value'],
    ...(typeof o['etag'] === 'string' ? { etag: o['etag'] } : {}),
    ...(typeof o['lastModified'] === 'string' ? { lastModified: o['lastModified'] } : {}),
  };
}

/**
 * The value for `req.url`: from the cache when fresh, else from the network through `interpret`.
 * `interpret` may throw (a bad answer is not cached); `validate` checks a cached value's shape, so
 * a cache written by another pyward version is a miss rather than a crash.
 */
export async function cachedGet<T>(
  req: CachedGetRequest,
  interpret: (res: HttpResponse) => T,
  validate: (cached: unknown) => T | undefined,
  opts: CachedGetOptions,
): Promise<T> {
  const now = opts.now ?? Date.now;
  const hit = opts.cache?.get(req.key);
  const stored = hit ? asStored(hit.value) : undefined;
  const cachedValue = stored ? validate(stored.value) : undefined;
  if (stored && cachedValue !== undefined) {
    const ttl = typeof opts.ttlMs === 'function' ? opts.ttlMs(cachedValue) : opts.ttlMs;
    if (opts.offline || now() - hit!.storedAt <= ttl) return cachedValue;
  }
  if (opts.offline) {
    throw new SourceError('source-unreachable', `offline, and ${req.what ?? req.url} is not in the cache: run once online to fill it`);
  }

  const headers: Record<string, string> = { ...req.headers };
  const revalidate = stored !== undefined && cachedValue !== undefined;
  if (revalidate && stored.etag) headers['if-none-match'] = stored.etag;
  if (revalidate && stored.lastModified) headers['if-modified-since'] = stored.lastModified;
  const send = (): Promise<HttpResponse> =>
    httpRequest(req.url, { headers, ...(req.maxBytes ? { maxBytes: req.maxBytes } : {}), ...(req.redirect ? { redirect: req.redirect } : {}) }, opts);
  const res = await (opts.throttle ? opts.throttle.run(send) : send());

  if (res.status === 304) {
    if (!revalidate) throw new SourceError('source-bad-response', `${req.url} answered 304 Not Modified to a request that had no validator`);
    opts.cache?.set(req.key, stored, now());
    return cachedValue;
  }
  const value = interpret(res);
  const entry: Stored = { value };
  // Validators belong to a 200's body; a 404 or 301 is re-asked plainly when its TTL runs out.
  if (res.status === 200) {
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    if (etag) entry.etag = etag;
    if (lastModified) entry.lastModified = lastModified;
  }
  opts.cache?.set(req.key, entry, now());
  return value;
}

/** JSON of a 200 answer, or a `source-bad-response` that names the URL. */
export function jsonBody(url: string, res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch (e) {
    throw new SourceError('source-bad-response', `${url} did not return valid JSON (${(e as Error).message})`);
  }
}

/**
 * A URL with its user-info moved into a Basic `authorization` header: fetch refuses URLs that
 * carry credentials, and the credentials must never reach a message, a cache key or a report.
 */
export function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers: {} };
  }
  if (!parsed.username && !parsed.password) return { url, headers: {} };
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } };
}

/** The URL as it may be shown: user-info replaced by `****`. */
export function redactCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '****';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//****@');
  }
}

/**
 * In-memory answers for one client's lifetime: concurrent asks share one request, and later asks
 * within `ttlMs` reuse the answer, so checks run one after another on the same client do not fetch
 * a project three times when there is no disk cache. Failures are forgotten at once.
 */
export class Memo<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  get(key: string, run: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at <= this.ttlMs) return hit.value;
    const value = run();
    const entry = { value, at: this.now() };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
