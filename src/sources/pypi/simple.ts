/**
 * The Simple Repository API (https://packaging.python.org/en/latest/specifications/simple-repository-api/)
 * for one project page: `GET {index}/{normalized-name}/`, asking for the PEP 691 JSON form first and
 * accepting the PEP 503 HTML form, which private indexes and older mirrors still serve.
 *
 * This is what pip itself reads, so it is the right source for "does this index have the name" and
 * "which versions does it offer" on any index, public or private. Pages are untrusted: a bad file
 * entry is dropped with a diagnostic, the rest of the page kept.
 */
import { join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import { parseSdistFilename, parseWheelFilename } from '../../core/filename.js';
import { normalizeName } from '../../core/names.js';
import { compareVersions, parseVersion, type Version } from '../../core/version.js';
import { JsonCache } from '../cache.js';
import { cachedGet, jsonBody, Memo, redactCredentials, splitCredentials } from '../conditional.js';
import type { HttpOptions, HttpResponse } from '../http.js';
import { Throttle, type ThrottleOptions } from '../throttle.js';
import { trimTrailingSlashes } from '../../core/text.js';

export interface SimpleFile {
  filename: string;
  /** Absolute URL (relative links are resolved against the page). */
  url: string;
  /** Hash name -> lower-case hex digest. */
  hashes: Record<string, string>;
  requiresPython?: string;
  yanked?: boolean;
  yankedReason?: string;
  /** PEP 700 `upload-time` (JSON pages only). */
  uploadTime?: string;
  size?: number;
  /** PEP 740 provenance URL, when the index publishes attestations for the file. */
  provenance?: string;
}

export interface SimpleProjectPage {
  /** Normalized name asked for. */
  name: string;
  exists: boolean;
  /** The page's URL, credentials redacted. */
  url: string;
  format?: 'json' | 'html';
  /** `meta.api-version` / `pypi:repository-version`. */
  apiVersion?: string;
  files: SimpleFile[];
  /** PEP 700 `versions` (JSON pages with api-version 1.1 or later). */
  versions?: string[];
  /** PEP 792 project status (`active`, `archived`, `quarantined`, `deprecated`). */
  status?: { status: string; reason?: string };
  /** Entries that were dropped or oddities worth telling, each naming the page. */
  warnings: string[];
}

export interface SimpleClientOptions extends HttpOptions, ThrottleOptions {
  cacheDir?: string;
  /** Default 1 hour: pages change with every upload. */
  ttlMs?: number;
  /** How long "not on this index" is believed (default 30 minutes). */
  missingTtlMs?: number;
  offline?: boolean;
  now?: () => number;
  throttle?: Throttle;
}

export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
/** JSON first; the HTML forms for indexes that only speak PEP 503 (as PEP 691 recommends). */
const ACCEPT = `${SIMPLE_JSON}, ${SIMPLE_HTML};q=0.2, text/html;q=0.01`;
const DEFAULT_TTL_MS = 60 * 60 * 1000;
const DEFAULT_MISSING_TTL_MS = 30 * 60 * 1000;
/** numpy's page lists thousands of files; 64 MB is far beyond any real page. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
const CACHE_VERSION = 'v1';

type Obj = Record<string, unknown>;
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The project page URL: `{index}/{normalized}/`, as pip builds it. */
export function projectPageUrl(indexUrl: string, name: string): string {
  return `${trimTrailingSlashes(indexUrl)}/${encodeURIComponent(normalizeName(name))}/`;
}

function resolveUrl(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).toString();
  } catch {
    return undefined;
  }
}

/** Parses a PEP 691 JSON project page. */
export function parseSimpleJson(name: string, pageUrl: string, body: unknown): SimpleProjectPage {
  const shown = redactCredentials(pageUrl);
  if (!isObj(body) || !Array.isArray(body['files'])) {
    throw new SourceError('source-bad-response', `${shown}: not a PEP 691 project page (no "files" list)`);
  }
  const page: SimpleProjectPage = { name: normalizeName(name), exists: true, url: shown, format: 'json', files: [], warnings: [] };
  const meta = body['meta'];
  if (isObj(meta) && typeof meta['api-version'] === 'string') page.apiVersion = meta['api-version'];
  body['files'].forEach((f: unknown, i) => {
    const where = `${shown}: files[${i}]`;
    if (!isObj(f) || typeof f['filename'] !== 'string' || typeof f['url'] !== 'string' || !isObj(f['hashes'])) {
      page.warnings.push(`${where} lacks a filename, url or hashes; dropped`);
      return;
    }
    const url = resolveUrl(f['url'], pageUrl);
    if (url === undefined) {
      page.warnings.push(`${where} has an unusable url; dropped`);
      return;
    }
    const hashes: Record<string, string> = {};
    for (const [algo, digest] of Object.entries(f['hashes'])) {
      if (typeof digest === 'string' && /^[0-9a-f]+$/i.test(digest)) hashes[algo.toLowerCase()] = digest.toLowerCase();
    }
    const file: SimpleFile = { filename: f['filename'], url: redactCredentials(url), hashes };
    if (typeof f['requires-python'] === 'string') file.requiresPython = f['requires-python'];
    // `yanked` is a boolean or the reason as a string (a non-empty reason means yanked).
    const yanked = f['yanked'];
    if (yanked === true || (typeof yanked === 'string' && yanked !== '')) {
      file.yanked = true;
      if (typeof yanked === 'string') file.yankedReason = yanked;
    } else if (yanked === false || yanked === '') file.yanked = false;
    if (typeof f['upload-time'] === 'string' && !Number.isNaN(Date.parse(f['upload-time']))) file.uploadTime = f['upload-time'];
    if (typeof f['size'] === 'number' && Number.isSafeInteger(f['size']) && f['size'] >= 0) file.size = f['size'];
    if (typeof f['provenance'] === 'string') {
      const p = resolveUrl(f['provenance'], pageUrl);
      if (p !== undefined) file.provenance = redactCredentials(p);
    }
    page.files.push(file);
  });
  const versions = body['versions'];
  if (Array.isArray(versions)) page.versions = versions.filter((v): v is string => typeof v === 'string');
  const status = body['project-status'];
  if (isObj(status) && typeof status['status'] === 'string') {
    page.status = { status: status['status'], ...(typeof status['reason'] === 'string' ? { reason: status['reason'] } : {}) };
  }
  return page;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The HTML character references an index page really uses: named basics and numeric ones. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Attributes of one start tag; a bare attribute (`data-yanked`) has the value ''. */
function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of tag.matchAll(re)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

/**
 * `html` without its comments; an unclosed one runs to the end, as in a browser. A loop over
 * `indexOf` rather than a lazy regular expression, which rescans to the end after every unclosed
 * `<!--`: quadratic on a hostile page made of them.
 */
export function stripHtmlComments(html: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = html.indexOf('<!--', from);
    if (open < 0) return out + html.slice(from);
    out += html.slice(from, open);
    const close = html.indexOf('-->', open + 4);
    if (close < 0) return out;
    from = close + 3;
  }
}

/**
 * The matches of `/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi`, found with forward searches only. The regex
 * rescanned to the end of the page from every `<a` that no `</a>` followed: quadratic on a hostile
 * page of them. Once one `<a` has no `>` or no closing tag after it, no later one has either.
 */
function* anchors(html: string): Generator<[string, string, string]> {
  const open = /<a\b/gi;
  const close = /<\/a\s*>/gi;
  for (;;) {
    const start = open.exec(html);
    if (start === null) return;
    const gt = html.indexOf('>', start.index + 2);
    if (gt < 0) return;
    close.lastIndex = gt + 1;
    const end = close.exec(html);
    if (end === null) return;
    yield [html.slice(start.index, end.index + end[0].length), html.slice(start.index + 2, gt), html.slice(gt + 1, end.index)];
    open.lastIndex = end.index + end[0].length;
  }
}

/** `text.replace(/<[^>]*>/g, '')` on the part up to the last `>`: past it no tag can end, and each `<` there rescanned to the end. */
function withoutTags(text: string): string {
  const cut = text.lastIndexOf('>') + 1;
  return text.slice(0, cut).replace(/<[^>]*>/g, '') + text.slice(cut);
}

/**
 * Parses a PEP 503 HTML project page: every `<a href>` is a file; the URL fragment carries the hash
 * (`#sha256=...`), `data-requires-python` the Python requirement, `data-yanked` (present, maybe
 * empty) marks a yanked file, `data-provenance` points at PEP 740 attestations. A `<base href>`
 * changes what relative links resolve against, as in a browser (and in pip).
 */
export function parseSimpleHtml(name: string, pageUrl: string, html: string): SimpleProjectPage {
  const shown = redactCredentials(pageUrl);
  const page: SimpleProjectPage = { name: normalizeName(name), exists: true, url: shown, format: 'html', files: [], warnings: [] };
  // Comments could hide or fake links; browsers and pip's parser ignore what is inside them.
  const body = stripHtmlComments(html);
  let base = pageUrl;
  // Cut after the last `>`: a tag cannot end later, and without that cut every `<base` with no `>`
  // after it scanned to the end of the page, quadratic on a hostile page of them.
  for (const m of body.slice(0, body.lastIndexOf('>') + 1).matchAll(/<(base|meta)\b([^>]*)>/gi)) {
    const attrs = attributes(m[2]!);
    if (m[1]!.toLowerCase() === 'base' && attrs.get('href')) base = resolveUrl(attrs.get('href')!, pageUrl) ?? base;
    if (attrs.get('name') === 'pypi:repository-version' && attrs.get('content')) page.apiVersion = attrs.get('content')!;
  }
  for (const m of anchors(body)) {
    const attrs = attributes(m[1]!);
    const href = attrs.get('href');
    if (!href) continue;
    const resolved = resolveUrl(href, base);
    if (resolved === undefined) {
      page.warnings.push(`${shown}: link ${JSON.stringify(href.slice(0, 200))} is not a URL; dropped`);
      continue;
    }
    const u = new URL(resolved);
    const hashes: Record<string, string> = {};
    const frag = /^#([a-z0-9]+)=([0-9a-f]+)$/i.exec(u.hash);
    if (frag) hashes[frag[1]!.toLowerCase()] = frag[2]!.toLowerCase();
    u.hash = '';
    // The file name is the link text per PEP 503; fall back to the URL's last path segment.
    const textName = decodeEntities(withoutTags(m[2]!)).trim();
    const filename = textName || decodeURIComponent(u.pathname.split('/').pop() ?? '');
    if (!filename) continue;
    const file: SimpleFile = { filename, url: redactCredentials(u.toString()), hashes };
    const rp = attrs.get('data-requires-python');
    if (rp) file.requiresPython = rp;
    if (attrs.has('data-yanked')) {
      file.yanked = true;
      const reason = attrs.get('data-yanked');
      if (reason) file.yankedReason = reason;
    } else file.yanked = false;
    const prov = attrs.get('data-provenance');
    if (prov) {
      const p = resolveUrl(prov, base);
      if (p !== undefined) file.provenance = redactCredentials(p);
    }
    page.files.push(file);
  }
  return page;
}

/** The version a file name carries, or undefined for names that are neither wheel nor sdist. */
export function fileVersion(filename: string): string | undefined {
  try {
    return filename.endsWith('.whl') ? parseWheelFilename(filename).version : parseSdistFilename(filename, { legacy: true }).version;
  } catch {
    return undefined;
  }
}

/**
 * The versions a page offers: PEP 700's `versions` when given, else read from the file names.
 * Only versions with at least one installable (non-yanked) file count when `installable` is set,
 * which is what pip sees for an unpinned requirement.
 */
export function pageVersions(page: SimpleProjectPage, options: { installable?: boolean } = {}): string[] {
  const found = new Set<string>();
  if (page.versions && !options.installable) {
    for (const v of page.versions) found.add(v);
  }
  for (const f of page.files) {
    if (options.installable && f.yanked) continue;
    const v = fileVersion(f.filename);
    if (v !== undefined) found.add(v);
  }
  return [...found];
}

/** The highest PEP 440 version among `versions`, ignoring ones that do not parse. */
export function highestVersion(versions: readonly string[], options: { prereleases?: boolean } = {}): string | undefined {
  let best: Version | undefined;
  let bestText: string | undefined;
  for (const text of versions) {
    const v = parseVersion(text);
    if (!v) continue;
    if (!options.prereleases && (v.pre !== undefined || v.dev !== undefined)) continue;
    if (!best || compareVersions(v, best) > 0) {
      best = v;
      bestText = text;
    }
  }
  return bestText;
}

function missingPage(name: string, url: string): SimpleProjectPage {
  return { name: normalizeName(name), exists: false, url, files: [], warnings: [] };
}

function isPage(v: unknown): SimpleProjectPage | undefined {
  return isObj(v) && typeof v['name'] === 'string' && typeof v['exists'] === 'boolean' && Array.isArray(v['files']) && Array.isArray(v['warnings'])
    ? (v as unknown as SimpleProjectPage)
    : undefined;
}

function contentType(res: HttpResponse): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Interprets a final response for a project page. */
export function interpretSimpleResponse(name: string, pageUrl: string, res: HttpResponse): SimpleProjectPage {
  const shown = redactCredentials(pageUrl);
  if (res.status === 404 || res.status === 410) return missingPage(name, shown);
  if (res.status === 401 || res.status === 403) {
    throw new SourceError('source-bad-response', `${shown} answered HTTP ${res.status}: the index needs credentials (put them in the index URL in pip.conf or PIP_INDEX_URL)`);
  }
  if (res.status !== 200) throw new SourceError('source-bad-response', `${shown} answered HTTP ${res.status}`);
  const type = contentType(res);
  if (type === SIMPLE_JSON || type === 'application/json') return parseSimpleJson(name, pageUrl, jsonBody(shown, res));
  if (type === SIMPLE_HTML || type === 'text/html' || type === '') return parseSimpleHtml(name, pageUrl, res.body.toString('utf8'));
  throw new SourceError('source-bad-response', `${shown} answered with ${type}, which is neither PEP 691 JSON nor PEP 503 HTML`);
}

/** A Simple API client shared across indexes; each index gets the same throttle and cache. */
export class SimpleIndexClient {
  private readonly options: SimpleClientOptions;
  private readonly cache: JsonCache | undefined;
  private readonly throttle: Throttle;
  private readonly memo: Memo<SimpleProjectPage>;

  constructor(options: SimpleClientOptions = {}) {
    this.options = options;
    this.cache = options.cacheDir ? new JsonCache(join(options.cacheDir, 'pypi-simple')) : undefined;
    this.throttle = options.throttle ?? new Throttle(options);
    this.memo = new Memo(Math.min(options.missingTtlMs ?? DEFAULT_MISSING_TTL_MS, options.ttlMs ?? DEFAULT_TTL_MS), options.now);
  }

  /** The project's page on `indexUrl`; `exists: false` when the index answers 404. */
  projectPage(indexUrl: string, name: string): Promise<SimpleProjectPage> {
    const { url: index, headers: auth } = splitCredentials(indexUrl);
    const pageUrl = projectPageUrl(index, name);
    const shown = redactCredentials(projectPageUrl(indexUrl, name));
    const key = `${CACHE_VERSION}:${shown}`;
    return this.memo.get(key, () =>
      cachedGet(
        { url: pageUrl, key, headers: { accept: ACCEPT, ...auth }, maxBytes: MAX_PAGE_BYTES, what: `the page of ${normalizeName(name)} on ${redactCredentials(indexUrl)}` },
        (res) => {
          const page = interpretSimpleResponse(name, res.url || pageUrl, res);
          page.url = shown;
          return page;
        },
        isPage,
        {
          ...this.options,
          cache: this.cache,
          throttle: this.throttle,
          ttlMs: (v) => ((v as SimpleProjectPage).exists ? (this.options.ttlMs ?? DEFAULT_TTL_MS) : (this.options.missingTtlMs ?? DEFAULT_MISSING_TTL_MS)),
          unreachableHint: this.options.unreachableHint ?? 'check the index URL, the network or proxy settings, or run with --offline',
        },
      ),
    );
  }
}

/** One page without keeping a client around. */
export function projectPage(indexUrl: string, name: string, options: SimpleClientOptions = {}): Promise<SimpleProjectPage> {
  return new SimpleIndexClient(options).projectPage(indexUrl, name);
}
