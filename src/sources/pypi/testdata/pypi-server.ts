/**
 * A PyPI stand-in for tests, over the recorded-shape fixtures in json/ and simple/: the JSON API
 * (`/pypi/{name}/json`, `/pypi/{name}/{version}/json`) and the Simple API (`/simple/{name}/`) with
 * content negotiation, ETags and 304s as Warehouse serves them. Each request's arrival time is kept
 * so tests can measure pacing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply } from '../../osv/testdata/server.js';

export const PYPI_TESTDATA = fileURLToPath(new URL('./', import.meta.url));

export interface PypiState {
  /** Answer this many requests with 503 first (Fastly's "backend unavailable"). */
  fail503: number;
  /** Serve only the PEP 503 HTML form, like an index that predates PEP 691. */
  htmlOnly?: boolean;
  /** Overrides by path, e.g. a modified project for "the project changed" tests. */
  override?: Map<string, unknown>;
  /** `performance.now()` of each request's arrival. */
  arrivals: number[];
  /** Requests currently being answered, and the most seen at once. */
  inFlight: number;
  maxInFlight: number;
  /** Delay each answer by this many ms (to observe concurrency). */
  delayMs?: number;
  /** How many 304s were sent. */
  notModified: number;
}

export function newPypiState(): PypiState {
  return { fail503: 0, arrivals: [], inFlight: 0, maxInFlight: 0, notModified: 0 };
}

function etagOf(body: string): string {
  // Warehouse's ETags are quoted base64 digests; any opaque token shows the same behavior.
  return `"${createHash('md5').update(body).digest('base64').replace(/=+$/, '')}"`;
}

function withEtag(state: PypiState, req: IncomingMessage, body: string, contentType: string): Reply {
  const etag = etagOf(body);
  if (req.headers['if-none-match'] === etag) {
    state.notModified++;
    return { status: 304, headers: { etag } };
  }
  return { status: 200, headers: { 'content-type': contentType, etag, 'x-pypi-last-serial': '23802134' }, body };
}

function read(rel: string): string | undefined {
  const file = join(PYPI_TESTDATA, rel);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The release JSON for versions without their own fixture: the project's file with `urls` swapped in. */
function releaseFromProject(name: string, version: string): string | undefined {
  const project = read(`json/${name}.json`);
  if (!project) return undefined;
  const p = JSON.parse(project) as { info: Record<string, unknown>; releases?: Record<string, unknown[]> };
  const files = p.releases?.[version];
  if (!files) return undefined;
  const { releases: _ignored, ...rest } = p;
  return JSON.stringify({ ...rest, info: { ...p.info, version }, urls: files });
}

const NOT_FOUND_HTML = '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br/><br/>\n\n\n </body>\n</html>';

export function pypiHandler(state: PypiState) {
  return async (req: IncomingMessage): Promise<Reply> => {
    state.arrivals.push(performance.now());
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    try {
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.fail503 > 0) {
        state.fail503--;
        return { status: 503, headers: { 'content-type': 'text/plain', 'retry-after': '0' }, body: 'Backend is unhealthy' };
      }
      const path = (req.url ?? '').split('?')[0]!;
      const over = state.override?.get(path);
      if (over !== undefined) return withEtag(state, req, JSON.stringify(over), 'application/json');

      let m = /^\/pypi\/([^/]+)\/json$/.exec(path);
      if (m) {
        const body = read(`json/${decodeURIComponent(m[1]!)}.json`);
        return body ? withEtag(state, req, body, 'application/json') : { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message": "Not Found"}' };
      }
      m = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(path);
      if (m) {
        const [name, version] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
        const body = read(`json/${name}-${version}.json`) ?? releaseFromProject(name, version);
        return body ? withEtag(state, req, body, 'application/json') : { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message": "Not Found"}' };
      }
      m = /^\/simple\/([^/]+)\/$/.exec(path);
      if (m) {
        const name = decodeURIComponent(m[1]!);
        const wantsJson = !state.htmlOnly && String(req.headers['accept'] ?? '').includes('application/vnd.pypi.simple.v1+json');
        const jsonBody = read(`simple/${name}.json`);
        const htmlBody = read(`simple/${name}.html`);
        if (wantsJson && jsonBody) return withEtag(state, req, jsonBody, 'application/vnd.pypi.simple.v1+json');
        if (htmlBody) return withEtag(state, req, htmlBody, state.htmlOnly ? 'text/html' : 'application/vnd.pypi.simple.v1+html');
        if (jsonBody && !state.htmlOnly) return withEtag(state, req, jsonBody, 'application/vnd.pypi.simple.v1+json');
        return { status: 404, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: NOT_FOUND_HTML };
      }
      // Warehouse redirects a non-normalized project URL to the normalized one.
      m = /^\/simple\/([^/]+)$/.exec(path);
      if (m) return { status: 301, headers: { location: `/simple/${m[1]}/` } };
      return { status: 404, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: NOT_FOUND_HTML };
    } finally {
      state.inFlight--;
    }
  };
}
