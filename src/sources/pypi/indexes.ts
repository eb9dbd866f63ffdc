/**
 * Index URLs: which one is the public PyPI, where an index's JSON API lives, and how to compare
 * two spellings of the same index (`https://pypi.org/simple` and `https://PyPI.org/simple/`).
 */
import { trimTrailingSlashes } from '../../core/text.js';

export const PYPI_BASE = 'https://pypi.org';
export const PYPI_SIMPLE = 'https://pypi.org/simple/';

/** Hosts that serve the public PyPI; anything else is an index the user chose (private or a mirror). */
const PUBLIC_HOSTS = new Set(['pypi.org', 'www.pypi.org', 'pypi.python.org']);

/** A comparable form: lower-case scheme and host, no credentials, no trailing slash, no query. */
export function indexKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host.toLowerCase()}${trimTrailingSlashes(u.pathname)}`;
  } catch {
    return trimTrailingSlashes(url);
  }
}

export function isPublicIndex(url: string): boolean {
  try {
    return PUBLIC_HOSTS.has(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * The base of the PyPI-style JSON API (`{base}/pypi/{name}/json`) that goes with a simple index URL:
 * `https://pypi.org/simple/` -> `https://pypi.org`, and the same for devpi and other indexes that
 * mount the simple API under `/simple`. Undefined when the URL does not end in `/simple`, because
 * then nothing says where a JSON API would be.
 */
export function jsonApiBase(indexUrl: string): string | undefined {
  let u: URL;
  try {
    u = new URL(indexUrl);
  } catch {
    return undefined;
  }
  const path = trimTrailingSlashes(u.pathname);
  if (!/\/simple$/i.test(path)) return undefined;
  u.pathname = path.slice(0, -'/simple'.length) || '/';
  u.search = '';
  u.hash = '';
  return trimTrailingSlashes(u.toString());
}

/** The distinct indexes among `urls` that are not the public PyPI, credentials removed, for messages. */
export function privateIndexes(urls: readonly string[]): string[] {
  return [...new Set(urls.filter((u) => !isPublicIndex(u)).map(indexKey))];
}
