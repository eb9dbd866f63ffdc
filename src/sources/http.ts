/**
 * The one way pyward's network sources talk HTTP: Node's fetch, an inactivity timeout that
 * covers the response body too, retries with exponential backoff on 5xx/429/network errors, and a
 * size cap on every body (a hostile or broken server must not fill memory or disk).
 * Failures become `SourceError`s that name the URL, which the CLI turns into exit code 3.
 */
import { createWriteStream } from 'node:fs';
import { SourceError } from '../core/errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetchImpl?: FetchLike;
  /** Give up on an attempt when no bytes arrive for this long (headers or body). */
  timeoutMs?: number;
  /** Attempts after the first one. */
  retries?: number;
  /** Delay before the first retry; doubles each time. */
  backoffMs?: number;
  signal?: AbortSignal;
  /** What to suggest when the source stays unreachable; the default suits the advisory sources. */
  unreachableHint?: string;
}

export interface RequestInitLite {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Largest body accepted, in bytes. */
  maxBytes?: number;
  /**
   * `manual` hands a 3xx back to the caller instead of following it, for APIs whose redirect is
   * itself the answer (GitHub's 301 for a renamed repository).
   */
  redirect?: 'follow' | 'manual';
}

export interface HttpResponse {
  status: number;
  /** The URL that answered, after redirects (relative links in the body resolve against it). */
  url: string;
  headers: Headers;
  body: Buffer;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;
const DEFAULT_BACKOFF_MS = 500;
const MAX_RETRY_AFTER_MS = 30_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const USER_AGENT = 'pyward (+https://pypi.org/project/pyward/)';

class RetryableError extends Error {}

/** Retries are for the server's bad moments; a 4xx other than 429 will not get better by asking again. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function retryAfterMs(headers: Headers): number | undefined {
  const v = headers.get('retry-after');
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(date - Date.now(), 0), MAX_RETRY_AFTER_MS);
}

function describeCause(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? String(e)} (${cause})` : (err.message ?? String(e));
}

/**
 * One attempt of a request: the inactivity timer is re-armed on every chunk so that a large download
 * that keeps moving is never cut, while a server that stalls is.
 */
async function attempt<T>(
  url: string,
  init: RequestInitLite,
  opts: HttpOptions,
  consume: (res: Response, chunks: AsyncIterable<Uint8Array>) => Promise<T>,
): Promise<T> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no response for ${timeoutMs} ms`));
    }, timeoutMs);
  };
  const onOuterAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  arm();
  try {
    const res = await fetchImpl(url, {
      method: init.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: controller.signal,
      redirect: init.redirect ?? 'follow',
    });
    arm();
    async function* chunks(): AsyncIterable<Uint8Array> {
      if (!res.body) return;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        arm();
        yield chunk;
      }
    }
    return await consume(res, chunks());
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    if (e instanceof SourceError || e instanceof RetryableError) throw e;
    throw new RetryableError(timedOut ? `no response for ${timeoutMs} ms` : describeCause(e));
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

async function withRetries<T>(url: string, opts: HttpOptions, run: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  let last = '';
  for (let i = 0; ; i++) {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof RetryableError)) throw e;
      last = e.message;
      if (i >= retries) break;
      const hinted = (e as RetryableError & { retryAfterMs?: number }).retryAfterMs;
      // Jitter spreads out many pyward processes that failed at the same moment (CI fan-out).
      const delay = hinted ?? backoff * 2 ** i * (0.8 + Math.random() * 0.4);
      await sleep(delay, opts.signal);
    }
  }
  throw new SourceError(
    'source-unreachable',
    `could not fetch ${url}: ${last} (tried ${retries + 1} times); ${opts.unreachableHint ?? 'check the network or proxy settings, or work offline with a local database (--db)'}`,
  );
}

function retryableStatus(res: Response): RetryableError {
  const err = new RetryableError(`HTTP ${res.status} ${res.statusText}`.trim()) as RetryableError & {
    retryAfterMs?: number;
  };
  const hinted = retryAfterMs(res.headers);
  if (hinted !== undefined) err.retryAfterMs = hinted;
  return err;
}

async function readCapped(url: string, chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new SourceError('source-bad-response', `${url}: response is larger than ${maxBytes} bytes; refusing it`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * Performs a request with retries and returns the status, headers and body for any final status
 * (callers decide what 404 or 304 means). 5xx and 429 are retried, then reported as unreachable.
 */
export function httpRequest(url: string, init: RequestInitLite = {}, opts: HttpOptions = {}): Promise<HttpResponse> {
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
  return withRetries(url, opts, () =>
    attempt(url, init, opts, async (res, chunks) => {
      if (isRetryableStatus(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        throw retryableStatus(res);
      }
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new SourceError('source-bad-response', `${url}: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
      }
      return { status: res.status, url: res.url || url, headers: res.headers, body: await readCapped(url, chunks, maxBytes) };
    }),
  );
}

/** GET that expects JSON; 404 comes back as undefined because "no such thing" is an answer. */
export async function getJson(url: string, opts: HttpOptions & { maxBytes?: number } = {}): Promise<unknown> {
  const res = await httpRequest(url, { headers: { accept: 'application/json' }, ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}) }, opts);
  if (res.status === 404) return undefined;
  return parseJsonResponse(url, res);
}

export function parseJsonResponse(url: string, res: HttpResponse): unknown {
  if (res.status !== 200) {
    throw new SourceError('source-bad-response', `${url} answered HTTP ${res.status}`);
  }
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch (e) {
    throw new SourceError('source-bad-response', `${url} did not return valid JSON (${(e as Error).message})`);
  }
}

export interface DownloadResult {
  status: number;
  headers: Headers;
  bytes: number;
}

/**
 * Streams a body to `file` (created or truncated) so large archives never sit in memory. Only a 200
 * writes the file; other final statuses (304, 404) are returned for the caller to interpret.
 */
export function downloadToFile(
  url: string,
  file: string,
  init: RequestInitLite = {},
  opts: HttpOptions = {},
): Promise<DownloadResult> {
  const maxBytes = init.maxBytes ?? DEFAULT_MAX_BYTES;
  return withRetries(url, opts, () =>
    attempt(url, init, opts, async (res, chunks) => {
      if (isRetryableStatus(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        throw retryableStatus(res);
      }
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        return { status: res.status, headers: res.headers, bytes: 0 };
      }
      const out = createWriteStream(file);
      const done = new Promise<void>((resolve, reject) => {
        out.on('error', reject);
        out.on('finish', resolve);
      });
      let bytes = 0;
      try {
        for await (const chunk of chunks) {
          bytes += chunk.byteLength;
          if (bytes > maxBytes) {
            throw new SourceError('source-bad-response', `${url}: download is larger than ${maxBytes} bytes; refusing it`);
          }
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
        }
      } finally {
        out.end();
        await done.catch(() => undefined);
      }
      await done;
      return { status: res.status, headers: res.headers, bytes };
    }),
  );
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    // After one failure the whole call fails; starting more requests would only waste them.
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  await Promise.all(workers);
  return results;
}
