/**
 * Every project name on PyPI, from the Simple API's root page (PEP 503 HTML or PEP 691 JSON), kept
 * in the cache directory. With it the existence check works offline, and a name that does not exist
 * can be matched to the existing names it is a slip away from (`opnsea` -> `opensea`), even when
 * those are not among the popular projects.
 *
 * The list is fetched in one request for the whole index, only by `pyward db update --pypi-names`:
 * asking the registry about each guessed neighbour would tell whoever watches its logs which names
 * to register.
 *
 * Saved as sorted normalized names in typed arrays (`packArrays`): 900,000 names are about 14 MB,
 * read in one call and searched in place, without building a JavaScript string per name.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { redactCredentials, splitCredentials } from '../conditional.js';
import { httpRequest, type HttpOptions } from '../http.js';
import { packArrays, readPacked, stringAt, stringList, type StringList } from '../popular/compact.js';
import { decodeEntities, SIMPLE_HTML, SIMPLE_JSON, stripHtmlComments } from './simple.js';

export const DEFAULT_SIMPLE_INDEX = 'https://pypi.org/simple/';
/**
 * PyPI's root page is about 40 MB of HTML today; this leaves room for growth, not for abuse, and
 * keeps the body within V8's longest string (about 512 MB) when it is decoded.
 */
const MAX_BYTES = 256 * 1024 * 1024;
const FORMAT = 1;
const ACCEPT = `${SIMPLE_JSON}, ${SIMPLE_HTML};q=0.2, text/html;q=0.01`;

export function projectListFile(cacheDir: string): string {
  return join(cacheDir, 'pypi-names.bin');
}

export interface ProjectListMeta {
  /** The index page the names came from. */
  url: string;
  /** When it was fetched (ISO 8601). */
  fetchedAt: string;
  /** PyPI's event serial at that moment (PEP 691 `_last-serial`), when the index gave one. */
  lastSerial?: number;
}

/** Sorted, unique, PEP 503-normalized project names. */
export class ProjectList {
  readonly meta: ProjectListMeta;
  private readonly names: StringList;

  private constructor(names: StringList, meta: ProjectListMeta) {
    this.names = names;
    this.meta = meta;
  }

  /** A list of the given names (normalized, deduplicated and sorted here). */
  static from(names: Iterable<string>, meta: ProjectListMeta): ProjectList {
    const sorted = [...new Set([...names].map(normalizeName))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return new ProjectList(stringList(sorted), meta);
  }

  /** The list saved at `file`, or undefined when there is none (or it is not one). */
  static open(file: string): ProjectList | undefined {
    const packed = readPacked(file);
    if (!packed || packed.header['format'] !== FORMAT) return undefined;
    const { chars, start } = packed.arrays;
    const meta = packed.header['meta'] as ProjectListMeta | undefined;
    if (!(chars instanceof Uint8Array) || !(start instanceof Uint32Array) || typeof meta?.url !== 'string') return undefined;
    return new ProjectList({ chars, start }, meta);
  }

  get size(): number {
    return this.names.start.length - 1;
  }

  at(i: number): string {
    return stringAt(this.names, i);
  }

  /** True when the normalized `name` is on the list. */
  has(name: string): boolean {
    const i = this.lowerBound(name);
    return i < this.size && this.compareAt(i, name) === 0;
  }

  /** Index of the first name that is not below `s`. */
  lowerBound(s: string): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, s) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Code-unit order of name `i` against `s`, without making a string of name `i`. */
  private compareAt(i: number, s: string): number {
    const { chars, start } = this.names;
    const a = start[i]!;
    const n = start[i + 1]! - a;
    const m = Math.min(n, s.length);
    for (let k = 0; k < m; k++) {
      const d = chars[a + k]! - s.charCodeAt(k);
      if (d !== 0) return d;
    }
    return n - s.length;
  }

  /** Length of name `i`, for callers that scan a range and want to skip names by length. */
  lengthAt(i: number): number {
    return this.names.start[i + 1]! - this.names.start[i]!;
  }

  save(file: string): void {
    const bytes = packArrays({ format: FORMAT, meta: this.meta }, { chars: this.names.chars, start: this.names.start });
    // Written beside the target and renamed over it: a reader sees the old list or the new one.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new SourceError('source-unreachable', `cannot write PyPI's project list to ${file}: ${(e as Error).message}`);
    }
  }
}

export interface ParsedRoot {
  names: string[];
  lastSerial?: number;
  /** Entries that are not valid project names, skipped. */
  skipped: number;
}

/**
 * The project names of a Simple API root page: PEP 691 JSON (`{meta, projects: [{name}]}`) or
 * PEP 503 HTML (one `<a>` per project, the link text being the name).
 */
export function parseRootPage(url: string, contentType: string, body: Buffer): ParsedRoot {
  const out: ParsedRoot = { names: [], skipped: 0 };
  const add = (name: unknown): void => {
    if (typeof name === 'string' && isValidName(name)) out.names.push(normalizeName(name));
    else out.skipped++;
  };
  if (contentType === SIMPLE_JSON || contentType === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new SourceError('source-bad-response', `${url} did not return valid JSON (${(e as Error).message})`);
    }
    const projects = (json as { projects?: unknown } | null)?.projects;
    if (!Array.isArray(projects)) throw new SourceError('source-bad-response', `${url} is not a Simple API root page (no 'projects' array)`);
    for (const p of projects as unknown[]) add((p as { name?: unknown } | null)?.name);
    const serial = (json as { meta?: { '_last-serial'?: unknown } }).meta?.['_last-serial'];
    if (typeof serial === 'number' && Number.isSafeInteger(serial)) out.lastSerial = serial;
    return out;
  }
  if (contentType === SIMPLE_HTML || contentType === 'text/html' || contentType === '') {
    const html = stripHtmlComments(body.toString('utf8'));
    for (const text of anchorTexts(html)) add(decodeEntities(text).trim());
    return out;
  }
  throw new SourceError('source-bad-response', `${url} answered with ${contentType}, which is neither PEP 691 JSON nor PEP 503 HTML`);
}

export interface RefreshListOptions extends HttpOptions {
  /** Fewer names than this means a broken or partial answer, not a smaller PyPI. */
  minNames?: number;
  now?: () => number;
  onWarning?: (message: string) => void;
}

/**
 * Downloads the root page of the index at `indexUrl` and saves its names to `file`. A list that
 * looks incomplete is refused and the old one kept, so a truncated answer never makes every name
 * look missing.
 */
export async function refreshProjectList(indexUrl: string, file: string, options: RefreshListOptions = {}): Promise<ProjectList> {
  const { minNames = 100_000, now = Date.now, onWarning, ...http } = options;
  // Credentials in the URL (a mirror that needs them) go into a header; messages and the saved
  // list show the URL without them.
  const full = indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`;
  const { url: plain, headers: auth } = splitCredentials(full);
  const url = redactCredentials(full);
  const res = await httpRequest(plain, { headers: { accept: ACCEPT, ...auth }, maxBytes: MAX_BYTES }, {
    unreachableHint: 'check the index URL (--url) and the network',
    ...http,
  });
  if (res.status !== 200) throw new SourceError('source-bad-response', `${url} answered HTTP ${res.status}; expected the Simple API's list of projects`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const parsed = parseRootPage(url, type, res.body);
  // PyPI sends its serial as a header with either format; the JSON form also has it in `meta`.
  const serial = Number(res.headers.get('x-pypi-last-serial') ?? NaN);
  if (parsed.lastSerial === undefined && Number.isSafeInteger(serial)) parsed.lastSerial = serial;
  if (parsed.skipped > 0) onWarning?.(`${url}: skipped ${parsed.skipped === 1 ? '1 entry that is not a valid project name' : `${parsed.skipped} entries that are not valid project names`}`);
  const list = ProjectList.from(parsed.names, {
    url,
    fetchedAt: new Date(now()).toISOString(),
    ...(parsed.lastSerial !== undefined ? { lastSerial: parsed.lastSerial } : {}),
  });
  if (list.size < minNames) {
    throw new SourceError('source-bad-response', `${url} lists only ${list.size} projects (expected at least ${minNames}); keeping the current list`);
  }
  list.save(file);
  return list;
}

/**
 * The captures of `/<a\b[^>]*>([^<]*)<\/a\s*>/gi`, found with forward searches only: the regex
 * rescanned to the end of the page from every `<a` that no `>` followed, quadratic on a hostile
 * page. A failed `<a` (text not followed by `</a>`) is skipped past its text, where every later
 * `<a` before it would fail the same way.
 */
function* anchorTexts(html: string): Generator<string> {
  const open = /<a\b/gi;
  const close = /<\/a\s*>/iy;
  for (;;) {
    const start = open.exec(html);
    if (start === null) return;
    const gt = html.indexOf('>', start.index + 2);
    if (gt < 0) return;
    const lt = html.indexOf('<', gt + 1);
    if (lt < 0) return;
    close.lastIndex = lt;
    const end = close.exec(html);
    if (end !== null) yield html.slice(gt + 1, lt);
    open.lastIndex = end !== null ? lt + end[0].length : lt;
  }
}
