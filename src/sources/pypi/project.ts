/**
 * PyPI's JSON API (https://docs.pypi.org/api/json/) for a project's history and publisher:
 * `GET {base}/pypi/{name}/json` (latest release's metadata, every release's files and upload times)
 * and `GET {base}/pypi/{name}/{version}/json` (one release's metadata, as uploaded then).
 *
 * The response is large and untrusted, so it is reduced to the facts the checks use and each field
 * is type-checked on its own: a wrongly typed field is dropped, the rest kept. What is cached is
 * that reduced form (a few kilobytes instead of megabytes), revalidated with PyPI's ETag.
 *
 * A 404 is an answer: the project does not exist (cached for a shorter time, since a free name can
 * be registered at any moment).
 */
import { join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import { normalizeName } from '../../core/names.js';
import { compareVersions, parseVersion } from '../../core/version.js';
import { JsonCache } from '../cache.js';
import { cachedGet, jsonBody, Memo, redactCredentials, splitCredentials } from '../conditional.js';
import type { HttpOptions, HttpResponse } from '../http.js';
import { Throttle, type ThrottleOptions } from '../throttle.js';
import { PYPI_BASE } from './indexes.js';
import { trimTrailingSlashes } from '../../core/text.js';

export interface ReleaseFile {
  filename: string;
  sha256?: string;
  /** ISO 8601, as PyPI's `upload_time_iso_8601`. */
  uploadTime?: string;
  yanked: boolean;
}

export interface ReleaseSummary {
  version: string;
  /** The earliest upload among the release's files; undefined for a release with no files. */
  uploadTime?: string;
  /** True when every file is yanked (PyPI yanks whole releases). */
  yanked: boolean;
  files: ReleaseFile[];
}

/** The people and links a release names, as its uploader wrote them. */
export interface PublisherMetadata {
  projectUrls: Record<string, string>;
  homePage?: string;
  downloadUrl?: string;
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  maintainerEmail?: string;
}

export interface ProjectInfo extends PublisherMetadata {
  /** The normalized name that was asked for. */
  name: string;
  exists: boolean;
  /** The project's own spelling (`info.name`). */
  displayName?: string;
  /** The release `info` describes (PyPI's latest non-prerelease, usually). */
  latestVersion?: string;
  /** Every release, oldest version first (PEP 440 order; unparseable versions first). */
  releases: ReleaseSummary[];
  /**
   * False when the response had no `releases` key (PyPI has deprecated it; mirrors may drop it):
   * then `releases` holds only the latest release, and history-based rules must not count it.
   */
  releasesListed: boolean;
  /** The earliest file upload of any release. */
  firstUpload?: string;
  summary?: string;
  /** Length of the long description in characters; how much the publisher bothered to write. */
  descriptionLength: number;
  /** PyPI's `ownership` (organization and roles), when the index gives it. */
  ownership?: { organization?: string; roles: { role: string; user: string }[] };
  /** The URL that answered (credentials redacted). */
  source: string;
}

export interface ReleaseMetadata extends PublisherMetadata {
  name: string;
  version: string;
  /** The earliest upload among this release's files. */
  uploadTime?: string;
  yanked: boolean;
}

export interface PypiClientOptions extends HttpOptions, ThrottleOptions {
  /** JSON API base, default https://pypi.org (see `jsonApiBase` to derive one from pip's index-url). */
  baseUrl?: string;
  cacheDir?: string;
  /** How long a project answer is used before it is revalidated (default 6 hours). */
  ttlMs?: number;
  /** How long "no such project" is believed (default 1 hour). */
  missingTtlMs?: number;
  /** Per-release metadata barely changes once uploaded (default 7 days; yanking is what changes). */
  releaseTtlMs?: number;
  /** Answer only from the cache; a miss is a `source-unreachable` error. */
  offline?: boolean;
  now?: () => number;
  /** Share one throttle between clients of the same host. */
  throttle?: Throttle;
}

export const DEFAULT_PROJECT_TTL_MS = 6 * 60 * 60 * 1000;
export const DEFAULT_MISSING_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_RELEASE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Projects with thousands of releases (botocore) send tens of megabytes of JSON. */
const MAX_PROJECT_BYTES = 96 * 1024 * 1024;
const MAX_RELEASE_BYTES = 32 * 1024 * 1024;
/** Bumped whenever the cached shape changes, so old entries become misses. */
const CACHE_VERSION = 'v1';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, or undefined: PyPI writes `""`, `null` and `"UNKNOWN"` for "not given". */
function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' || t === 'UNKNOWN' ? undefined : t;
}

function isoTime(v: unknown): string | undefined {
  const t = text(v);
  return t !== undefined && !Number.isNaN(Date.parse(t)) ? t : undefined;
}

function earliest(times: (string | undefined)[]): string | undefined {
  let best: string | undefined;
  let bestMs = Infinity;
  for (const t of times) {
    if (t === undefined) continue;
    const ms = Date.parse(t);
    if (ms < bestMs) {
      bestMs = ms;
      best = t;
    }
  }
  return best;
}

/** The publisher fields of an `info` object, each kept only when it has the right type. */
export function publisherMetadata(info: Obj): PublisherMetadata {
  const projectUrls: Record<string, string> = {};
  const urls = info['project_urls'];
  if (isObj(urls)) {
    for (const [label, url] of Object.entries(urls)) {
      const u = text(url);
      if (u !== undefined) projectUrls[label] = u;
    }
  }
  const out: PublisherMetadata = { projectUrls };
  const set = (key: keyof Omit<PublisherMetadata, 'projectUrls'>, field: string): void => {
    const v = text(info[field]);
    if (v !== undefined) out[key] = v;
  };
  set('homePage', 'home_page');
  set('downloadUrl', 'download_url');
  set('author', 'author');
  set('authorEmail', 'author_email');
  set('maintainer', 'maintainer');
  set('maintainerEmail', 'maintainer_email');
  return out;
}

function parseFiles(v: unknown): ReleaseFile[] {
  if (!Array.isArray(v)) return [];
  const files: ReleaseFile[] = [];
  for (const f of v) {
    if (!isObj(f)) continue;
    const filename = text(f['filename']);
    if (filename === undefined) continue;
    const file: ReleaseFile = { filename, yanked: f['yanked'] === true };
    const digests = f['digests'];
    const sha256 = isObj(digests) ? text(digests['sha256']) : undefined;
    if (sha256 !== undefined && /^[0-9a-f]{64}$/i.test(sha256)) file.sha256 = sha256.toLowerCase();
    // `upload_time` has no zone (it is UTC); the ISO field says so, so prefer it.
    const uploadTime = isoTime(f['upload_time_iso_8601']) ?? (isoTime(f['upload_time']) !== undefined ? `${text(f['upload_time'])}Z` : undefined);
    if (uploadTime !== undefined) file.uploadTime = uploadTime;
    files.push(file);
  }
  return files;
}

function summarize(version: string, files: ReleaseFile[]): ReleaseSummary {
  const r: ReleaseSummary = { version, yanked: files.length > 0 && files.every((f) => f.yanked), files };
  const uploadTime = earliest(files.map((f) => f.uploadTime));
  if (uploadTime !== undefined) r.uploadTime = uploadTime;
  return r;
}

function byVersion(a: ReleaseSummary, b: ReleaseSummary): number {
  const va = parseVersion(a.version);
  const vb = parseVersion(b.version);
  if (va && vb) return compareVersions(va, vb);
  if (!va && !vb) return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
  return va ? 1 : -1;
}

/** Reduces a `/pypi/{name}/json` body to ProjectInfo. Throws only when the body is not an object. */
export function parseProjectJson(name: string, source: string, body: unknown): ProjectInfo {
  if (!isObj(body) || !isObj(body['info'])) {
    throw new SourceError('source-bad-response', `${source}: not a PyPI JSON API project (no "info" object)`);
  }
  const info = body['info'];
  const project: ProjectInfo = {
    name: normalizeName(name),
    exists: true,
    ...publisherMetadata(info),
    releases: [],
    releasesListed: isObj(body['releases']),
    // setuptools writes "UNKNOWN" when there is no description; that is none.
    descriptionLength: text(info['description'])?.length ?? 0,
    source,
  };
  const displayName = text(info['name']);
  if (displayName !== undefined) project.displayName = displayName;
  const latest = text(info['version']);
  if (latest !== undefined) project.latestVersion = latest;
  const summary = text(info['summary']);
  if (summary !== undefined) project.summary = summary;

  const releases = body['releases'];
  if (isObj(releases)) {
    for (const [version, files] of Object.entries(releases)) project.releases.push(summarize(version, parseFiles(files)));
  } else if (latest !== undefined) {
    project.releases.push(summarize(latest, parseFiles(body['urls'])));
  }
  project.releases.sort(byVersion);
  const first = earliest(project.releases.map((r) => r.uploadTime));
  if (first !== undefined) project.firstUpload = first;

  const ownership = body['ownership'];
  if (isObj(ownership)) {
    const roles = Array.isArray(ownership['roles'])
      ? ownership['roles'].flatMap((r) => (isObj(r) && typeof r['role'] === 'string' && typeof r['user'] === 'string' ? [{ role: r['role'], user: r['user'] }] : []))
      : [];
    const organization = text(ownership['organization']);
    project.ownership = { roles, ...(organization !== undefined ? { organization } : {}) };
  }
  return project;
}

/** Reduces a `/pypi/{name}/{version}/json` body to ReleaseMetadata. */
export function parseReleaseJson(name: string, version: string, source: string, body: unknown): ReleaseMetadata {
  if (!isObj(body) || !isObj(body['info'])) {
    throw new SourceError('source-bad-response', `${source}: not a PyPI JSON API release (no "info" object)`);
  }
  const info = body['info'];
  const files = parseFiles(body['urls']);
  const release: ReleaseMetadata = {
    name: normalizeName(name),
    version: text(info['version']) ?? version,
    ...publisherMetadata(info),
    yanked: info['yanked'] === true,
  };
  const uploadTime = earliest(files.map((f) => f.uploadTime));
  if (uploadTime !== undefined) release.uploadTime = uploadTime;
  return release;
}

function missingProject(name: string, source: string): ProjectInfo {
  return { name: normalizeName(name), exists: false, projectUrls: {}, releases: [], releasesListed: true, descriptionLength: 0, source };
}

function isProjectInfo(v: unknown): ProjectInfo | undefined {
  return isObj(v) && typeof v['name'] === 'string' && typeof v['exists'] === 'boolean' && Array.isArray(v['releases']) && isObj(v['projectUrls'])
    ? (v as unknown as ProjectInfo)
    : undefined;
}

type CachedRelease = { found: true; release: ReleaseMetadata } | { found: false };

function isCachedRelease(v: unknown): CachedRelease | undefined {
  if (!isObj(v)) return undefined;
  if (v['found'] === false) return { found: false };
  return v['found'] === true && isObj(v['release']) && typeof v['release']['version'] === 'string' ? (v as unknown as CachedRelease) : undefined;
}

/**
 * A client for one JSON API base. Concurrent calls for the same project share one request, and
 * every request goes through the client's throttle.
 */
export class PypiJsonClient {
  readonly baseUrl: string;
  private readonly options: PypiClientOptions;
  private readonly cache: JsonCache | undefined;
  private readonly throttle: Throttle;
  private readonly auth: Record<string, string>;
  private readonly memo: Memo<unknown>;

  constructor(options: PypiClientOptions = {}) {
    const { url, headers } = splitCredentials(trimTrailingSlashes(options.baseUrl ?? PYPI_BASE));
    this.baseUrl = trimTrailingSlashes(url);
    this.auth = headers;
    this.options = options;
    this.cache = options.cacheDir ? new JsonCache(join(options.cacheDir, 'pypi-project')) : undefined;
    this.throttle = options.throttle ?? new Throttle(options);
    // The shortest TTL, so an in-memory answer never outlives what the disk cache would allow.
    this.memo = new Memo(Math.min(options.missingTtlMs ?? DEFAULT_MISSING_TTL_MS, options.ttlMs ?? DEFAULT_PROJECT_TTL_MS), options.now);
  }

  /** Where answers come from, fit to be shown. */
  get displayUrl(): string {
    return redactCredentials(this.baseUrl);
  }

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    return this.memo.get(key, run) as Promise<T>;
  }

  private http() {
    return {
      ...this.options,
      cache: this.cache,
      offline: this.options.offline,
      now: this.options.now,
      throttle: this.throttle,
      unreachableHint: this.options.unreachableHint ?? 'check the network or proxy settings, or run with --offline to skip the checks that need PyPI',
    };
  }

  /** The project's history and latest metadata; `exists: false` for a 404. */
  project(name: string): Promise<ProjectInfo> {
    const normalized = normalizeName(name);
    const url = `${this.baseUrl}/pypi/${encodeURIComponent(normalized)}/json`;
    const shown = redactCredentials(url);
    const key = `${CACHE_VERSION}:project:${this.displayUrl}:${normalized}`;
    return this.once(key, () =>
      cachedGet(
        { url, key, headers: { accept: 'application/json', ...this.auth }, maxBytes: MAX_PROJECT_BYTES, what: `PyPI's answer for ${normalized}` },
        (res: HttpResponse) => {
          if (res.status === 404 || res.status === 410) return missingProject(normalized, shown);
          if (res.status !== 200) throw new SourceError('source-bad-response', `${shown} answered HTTP ${res.status}`);
          return parseProjectJson(normalized, shown, jsonBody(shown, res));
        },
        isProjectInfo,
        {
          ...this.http(),
          ttlMs: (v) => ((v as ProjectInfo).exists ? (this.options.ttlMs ?? DEFAULT_PROJECT_TTL_MS) : (this.options.missingTtlMs ?? DEFAULT_MISSING_TTL_MS)),
        },
      ),
    );
  }

  /** One release's metadata as it was uploaded; undefined when PyPI does not have that release. */
  async release(name: string, version: string): Promise<ReleaseMetadata | undefined> {
    const normalized = normalizeName(name);
    const url = `${this.baseUrl}/pypi/${encodeURIComponent(normalized)}/${encodeURIComponent(version)}/json`;
    const shown = redactCredentials(url);
    const key = `${CACHE_VERSION}:release:${this.displayUrl}:${normalized}@${version}`;
    const answer = await this.once(key, () =>
      cachedGet<CachedRelease>(
        { url, key, headers: { accept: 'application/json', ...this.auth }, maxBytes: MAX_RELEASE_BYTES, what: `PyPI's answer for ${normalized} ${version}` },
        (res) => {
          if (res.status === 404 || res.status === 410) return { found: false };
          if (res.status !== 200) throw new SourceError('source-bad-response', `${shown} answered HTTP ${res.status}`);
          return { found: true, release: parseReleaseJson(normalized, version, shown, jsonBody(shown, res)) };
        },
        isCachedRelease,
        { ...this.http(), ttlMs: this.options.releaseTtlMs ?? DEFAULT_RELEASE_TTL_MS },
      ),
    );
    return answer.found ? answer.release : undefined;
  }
}
