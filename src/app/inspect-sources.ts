/**
 * What `pyward inspect` reads when it is not given a file: `NAME==VERSION` (or a bare `NAME`, its
 * newest release) and the pinned entries of requirements files and lockfiles, each turned into
 * distribution files downloaded from the index into pyward's cache, their sha256 checked before
 * anything reads them. Nothing is installed or built, and no resolver runs: an entry that is not
 * pinned to one version is listed as not inspected, with the reason.
 *
 * Which files: by default a release's sdist and one wheel (a pure-Python one if there is one, else
 * the first listed), so that the wheel is also compared with the sdist; `allFiles` takes them all.
 * A lockfile or hashed requirement narrows the release to the files whose sha256 it records, so
 * exactly the locked file is read.
 *
 * Online, the index's JSON API adds what it knows of the project (description, releases, e-mail
 * addresses, links) for the `index` rules; offline, that is skipped and said.
 */
import { formatLocation, InputError, PywardError, SourceError } from '../core/errors.js';
import { parseWheelFilename } from '../core/filename.js';
import type { Diagnostic, Location, Package } from '../core/model.js';
import { normalizeName } from '../core/names.js';
import { compareVersions, parseVersion } from '../core/version.js';
import { emailAddresses } from '../checks/names/publisher.js';
import { projectFindings } from '../inspect/engine.js';
import type { Finding, PackageOrigin, ProjectSignals, SkippedInput } from '../inspect/types.js';
import { readInputs } from '../inputs/registry.js';
import { redactCredentials } from '../sources/conditional.js';
import { mapLimit } from '../sources/http.js';
import { fetchDistribution, isDistributionFilename, type DistributionRef } from '../sources/pypi/download.js';
import { jsonApiBase, PYPI_SIMPLE } from '../sources/pypi/indexes.js';
import { readPipConfig } from '../sources/pypi/pipconfig.js';
import { PypiJsonClient, type ProjectInfo } from '../sources/pypi/project.js';
import { fileVersion, highestVersion, pageVersions, SimpleIndexClient, type SimpleFile, type SimpleProjectPage } from '../sources/pypi/simple.js';
import { packageFromName } from './check.js';

export interface SourceOptions {
  cacheDir: string;
  offline?: boolean;
  /** `--index-url`: the index for names, and for lockfile entries instead of the one they name. */
  indexUrl?: string;
  /** Every file of a release, not just its sdist and one wheel. */
  allFiles?: boolean;
  maxBytes?: number;
  timeoutMs?: number;
  /** Skip the index's metadata even online. */
  noMetadata?: boolean;
  now?: () => number;
}

/** A downloaded file ready to inspect, and what the index said about its project. */
export interface Download {
  path: string;
  origin: PackageOrigin;
  /** Findings of the `index` rules, when the metadata was checked. */
  metadata: Finding[];
}

export interface Fetched {
  downloads: Download[];
  diagnostics: Diagnostic[];
  skipped: SkippedInput[];
}

/** One release to fetch files of. */
interface Target {
  name: string;
  /** Undefined: the newest release. */
  version?: string;
  /** Indexes to try in order (the first that has the release). */
  indexUrls: string[];
  /** Only these files (a lockfile's or `--hash` digests). */
  sha256s?: Set<string>;
  /** `idna==3.4` or `uv.lock:12`, for messages and origins. */
  requested: string;
  location: Location;
}

interface Context {
  opts: SourceOptions;
  simple: SimpleIndexClient;
  json: Map<string, PypiJsonClient>;
  metadata: Map<string, Promise<{ findings: Finding[]; status: string }>>;
  out: Fetched;
}

function context(opts: SourceOptions): Context {
  const http = { cacheDir: opts.cacheDir, offline: opts.offline === true, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) };
  return { opts, simple: new SimpleIndexClient(http), json: new Map(), metadata: new Map(), out: { downloads: [], diagnostics: [], skipped: [] } };
}

/** The indexes pip would ask: `--index-url`, else pip's configured index and extra indexes, else PyPI. */
function defaultIndexes(opts: SourceOptions): string[] {
  if (opts.indexUrl !== undefined) return [opts.indexUrl];
  const pip = readPipConfig();
  return [pip.indexUrl ?? PYPI_SIMPLE, ...pip.extraIndexUrls];
}

function error(ctx: Context, e: unknown, location: Location): void {
  if (!(e instanceof PywardError)) throw e;
  // Offline, a page that is not cached is an input that cannot be read here, not a failed source.
  const offlineMiss = ctx.opts.offline === true && e.code === 'source-unreachable';
  ctx.out.diagnostics.push({
    severity: 'error',
    code: offlineMiss ? 'input-not-found' : e.code,
    message: e.message,
    location: e.location ?? location,
  });
}

/** `NAME==VERSION` / `NAME` arguments. */
export async function fetchRequirements(args: string[], opts: SourceOptions): Promise<Fetched> {
  const ctx = context(opts);
  const targets: Target[] = [];
  for (const arg of args) {
    const location = { file: arg };
    try {
      const pkg = packageFromName(arg, location);
      if (pkg.source.kind !== 'registry') throw new InputError('invalid-requirement', `a direct URL; download the file and inspect it, or name the release as NAME==VERSION`, location);
      if (pkg.version === undefined && pkg.specifier) {
        throw new InputError('invalid-requirement', `give one release (NAME==VERSION), or a bare NAME for its newest release; ranges are not inspected`, location);
      }
      targets.push({ name: pkg.name, ...(pkg.version !== undefined ? { version: pkg.version } : {}), indexUrls: defaultIndexes(opts), requested: arg, location });
    } catch (e) {
      error(ctx, e, location);
    }
  }
  await runTargets(ctx, targets);
  return ctx.out;
}

/** Requirements files and lockfiles: every pinned registry entry, or a direct URL with a sha256. */
export async function fetchInputs(inputs: { path: string; format?: string }[], opts: SourceOptions): Promise<Fetched> {
  const ctx = context(opts);
  const inventories = await readInputs(inputs);
  const targets = new Map<string, Target>();
  const direct: { pkg: Package; sha256: string }[] = [];
  for (const inv of inventories) {
    for (const d of inv.diagnostics) if (d.code !== 'unpinned') ctx.out.diagnostics.push(d);
    for (const pkg of inv.packages) {
      const location = formatLocation(pkg.location);
      const skip = (reason: string): void =>
        void ctx.out.skipped.push({ name: pkg.name, ...(pkg.version !== undefined ? { version: pkg.version } : {}), reason, location });
      const sha256s = (pkg.hashes ?? []).filter((h) => /^sha256:[0-9a-f]{64}$/i.test(h)).map((h) => h.slice(7).toLowerCase());
      if (pkg.source.kind === 'url' && pkg.source.url) {
        if (sha256s.length === 0) skip(`a direct URL without a sha256 (${redactCredentials(pkg.source.url)}): pyward downloads only what it can check`);
        else direct.push({ pkg, sha256: sha256s[0]! });
        continue;
      }
      if (pkg.source.kind !== 'registry') {
        skip(`a ${pkg.source.kind} dependency${pkg.source.url ? ` (${redactCredentials(pkg.source.url)})` : ''}: not on an index; inspect its checkout or file as a path`);
        continue;
      }
      if (pkg.version === undefined) {
        skip(`not pinned to one version${pkg.specifier ? ` (${pkg.specifier})` : ''}: pin it or lock it (uv lock, pip-compile) to inspect what would be installed`);
        continue;
      }
      const indexUrls = opts.indexUrl !== undefined ? [opts.indexUrl] : pkg.source.url ? [pkg.source.url] : inv.indexUrls?.length ? inv.indexUrls : defaultIndexes(opts);
      const key = `${indexUrls.join(' ')}|${pkg.name}|${pkg.version}`;
      const existing = targets.get(key);
      if (existing) {
        // The same release twice (two lockfiles, or per-platform entries): the union of their files.
        if (existing.sha256s && sha256s.length > 0) for (const s of sha256s) existing.sha256s.add(s);
        else delete existing.sha256s;
        continue;
      }
      targets.set(key, {
        name: pkg.name,
        version: pkg.version,
        indexUrls,
        ...(sha256s.length > 0 ? { sha256s: new Set(sha256s) } : {}),
        requested: `${pkg.name}==${pkg.version} (${location})`,
        location: pkg.location,
      });
    }
  }
  await runTargets(ctx, [...targets.values()]);
  for (const { pkg, sha256 } of direct) await fetchDirect(ctx, pkg, sha256);
  return ctx.out;
}

async function runTargets(ctx: Context, targets: Target[]): Promise<void> {
  const results = await mapLimit(targets, 4, async (t) => {
    try {
      return await fetchTarget(ctx, t);
    } catch (e) {
      error(ctx, e, t.location);
      return [];
    }
  });
  ctx.out.downloads.push(...results.flat());
  if (ctx.opts.offline && ctx.out.downloads.length > 0) {
    ctx.out.diagnostics.push({
      severity: 'warning',
      code: 'metadata-skipped',
      message: "--offline: the index's metadata (description, releases, e-mail, links: the metadata-* rules) was not checked",
    });
  }
}

function sameVersion(a: string | undefined, b: string): boolean {
  const va = a === undefined ? undefined : parseVersion(a);
  const vb = parseVersion(b);
  return va !== undefined && vb !== undefined && compareVersions(va, vb) === 0;
}

/** The first of the indexes that lists the project (and the release, when one is asked for). */
async function findPage(ctx: Context, t: Target): Promise<{ page: SimpleProjectPage; index: string } | undefined> {
  let first: { page: SimpleProjectPage; index: string } | undefined;
  for (const index of t.indexUrls) {
    const page = await ctx.simple.projectPage(index, t.name);
    for (const w of page.warnings) ctx.out.diagnostics.push({ severity: 'warning', code: 'index-warning', message: w });
    if (!page.exists) continue;
    first ??= { page, index };
    if (t.version === undefined || page.files.some((f) => sameVersion(fileVersion(f.filename), t.version!))) return { page, index };
  }
  return first;
}

/** The newest release pip would pick for a bare name: the highest final version with installable files. */
function newestVersion(page: SimpleProjectPage): string | undefined {
  const versions = pageVersions(page, { installable: true });
  return highestVersion(versions) ?? highestVersion(versions, { prereleases: true });
}

/** An sdist and one wheel: the pure-Python wheel if there is one (it runs everywhere), else the first. */
export function defaultSelection(files: SimpleFile[]): SimpleFile[] {
  const sdists = files.filter((f) => !f.filename.endsWith('.whl'));
  const wheels = files.filter((f) => f.filename.endsWith('.whl'));
  const sdist = sdists.find((f) => f.filename.endsWith('.tar.gz')) ?? sdists[0];
  const pure = wheels.find((f) => {
    try {
      return parseWheelFilename(f.filename).tags.every((t) => t.abi === 'none' && t.platform === 'any');
    } catch {
      return false;
    }
  });
  const wheel = pure ?? wheels[0];
  return [sdist, wheel].filter((f): f is SimpleFile => f !== undefined);
}

async function fetchTarget(ctx: Context, t: Target): Promise<Download[]> {
  const found = await findPage(ctx, t);
  const indexes = t.indexUrls.map(redactCredentials).join(', ');
  if (!found) throw new InputError('input-not-found', `${t.name} is not on ${indexes} (check the name, or the index with --index-url)`, t.location);
  const { page, index } = found;
  const version = t.version ?? newestVersion(page);
  if (version === undefined) throw new InputError('input-not-found', `${page.url} lists no installable release of ${t.name}`, t.location);
  const requested = t.version === undefined ? `${t.requested} (newest: ${version})` : t.requested;
  let files = page.files.filter((f) => sameVersion(fileVersion(f.filename), version) && isDistributionFilename(f.filename));
  if (files.length === 0) {
    const newest = newestVersion(page);
    throw new InputError('input-not-found', `${page.url} has no files of ${t.name} ${version}${newest ? ` (newest: ${newest})` : ''}`, t.location);
  }
  if (t.sha256s) {
    const listed = files;
    files = listed.filter((f) => f.hashes['sha256'] !== undefined && t.sha256s!.has(f.hashes['sha256']));
    if (files.length === 0) {
      throw new InputError(
        'input-not-found',
        `${t.name} ${version}: none of the ${t.sha256s.size} sha256 hash(es) recorded for it is a file ${page.url} lists ` +
          `(${listed.map((f) => `${f.filename} ${f.hashes['sha256'] ?? 'without sha256'}`).slice(0, 4).join(', ')}); pip --require-hashes would refuse it too`,
        t.location,
      );
    }
  }
  const chosen = ctx.opts.allFiles ? files : defaultSelection(files);
  const metadata = await projectMetadata(ctx, index, t.name);
  const out: Download[] = [];
  for (const f of chosen) {
    const ref: DistributionRef = { filename: f.filename, url: f.url, sha256: f.hashes['sha256'] ?? '', ...(f.size !== undefined ? { size: f.size } : {}) };
    try {
      const got = await fetchDistribution(ref, fetchOptions(ctx));
      out.push({
        path: got.path,
        origin: { requested, index: redactCredentials(index), url: redactCredentials(f.url), sha256: ref.sha256, cached: got.cached, metadata: metadata.status },
        metadata: metadata.findings,
      });
    } catch (e) {
      error(ctx, e, t.location);
    }
  }
  return out;
}

function fetchOptions(ctx: Context) {
  const o = ctx.opts;
  return {
    cacheDir: o.cacheDir,
    ...(o.offline ? { offline: true } : {}),
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  };
}

/** A lockfile's direct URL with its sha256: that file, from that URL. */
async function fetchDirect(ctx: Context, pkg: Package, sha256: string): Promise<void> {
  const url = pkg.source.url!;
  const requested = `${pkg.name}${pkg.version !== undefined ? `==${pkg.version}` : ''} (${formatLocation(pkg.location)})`;
  let filename = '';
  try {
    filename = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    // not a URL: refused below
  }
  if (!isDistributionFilename(filename)) {
    ctx.out.skipped.push({ name: pkg.name, reason: `${redactCredentials(url)} does not end in a wheel or sdist file name`, location: formatLocation(pkg.location) });
    return;
  }
  try {
    const got = await fetchDistribution({ filename, url, sha256 }, fetchOptions(ctx));
    ctx.out.downloads.push({
      path: got.path,
      origin: { requested, url: redactCredentials(url), sha256, cached: got.cached, metadata: 'not checked: a direct URL has no index' },
      metadata: [],
    });
  } catch (e) {
    error(ctx, e, pkg.location);
  }
}

/** What the index's JSON API says about the project, judged once per project. */
function projectMetadata(ctx: Context, index: string, name: string): Promise<{ findings: Finding[]; status: string }> {
  if (ctx.opts.offline) return Promise.resolve({ findings: [], status: 'not checked: --offline' });
  if (ctx.opts.noMetadata) return Promise.resolve({ findings: [], status: 'not checked: --no-metadata' });
  const base = jsonApiBase(index);
  if (base === undefined) {
    return Promise.resolve({ findings: [], status: `not checked: ${redactCredentials(index)} does not end in /simple, so its JSON API is unknown` });
  }
  const key = `${base}|${normalizeName(name)}`;
  let answer = ctx.metadata.get(key);
  if (!answer) {
    let client = ctx.json.get(base);
    if (!client) {
      client = new PypiJsonClient({ baseUrl: base, cacheDir: ctx.opts.cacheDir, ...(ctx.opts.timeoutMs !== undefined ? { timeoutMs: ctx.opts.timeoutMs } : {}) });
      ctx.json.set(base, client);
    }
    answer = client.project(name).then(
      (info) => {
        if (!info.exists) return { findings: [], status: `not checked: ${redactCredentials(base)} has no JSON API answer for ${name}` };
        return { findings: projectFindings(projectSignals(info, ctx.opts.now?.() ?? Date.now())), status: 'checked' };
      },
      (e: unknown) => {
        if (!(e instanceof SourceError)) throw e;
        // Metadata is extra evidence: without it the code is still inspected, and the report says so.
        ctx.out.diagnostics.push({ severity: 'warning', code: 'metadata-unavailable', message: `${name}: the index's metadata was not checked: ${e.message}` });
        return { findings: [], status: `not checked: ${e.message}` };
      },
    );
    ctx.metadata.set(key, answer);
  }
  return answer;
}

/** The JSON API's answer reduced to what the `index` rules judge. */
export function projectSignals(info: ProjectInfo, now: number): ProjectSignals {
  const urls: { label: string; url: string }[] = [];
  const seen = new Set<string>();
  const add = (label: string, url: string | undefined): void => {
    if (url === undefined || seen.has(url)) return;
    seen.add(url);
    urls.push({ label, url });
  };
  for (const [label, url] of Object.entries(info.projectUrls)) add(label, url);
  add('Homepage', info.homePage);
  add('Download', info.downloadUrl);
  const signals: ProjectSignals = {
    name: info.name,
    source: info.source,
    descriptionLength: info.descriptionLength,
    emails: [...new Set([...emailAddresses(info.authorEmail), ...emailAddresses(info.maintainerEmail)])],
    urls,
    now,
  };
  if (info.summary !== undefined) signals.summary = info.summary;
  if (info.releasesListed) signals.releaseCount = info.releases.filter((r) => r.files.length > 0).length;
  if (info.firstUpload !== undefined) signals.firstUpload = info.firstUpload;
  return signals;
}
