/**
 * Distribution files fetched for reading, never for installing: each is streamed to a temporary
 * file in pyward's cache, its size bounded, its sha256 computed and compared with the digest the
 * index (or a lockfile) lists, and only then renamed into place. A file whose digest does not match
 * is deleted and refused: whatever served it, it is not the file that was published or locked.
 *
 * The cache is content-addressed (`dists/<sha256>/<filename>`), so a file is downloaded once
 * whatever index or lockfile names it, and offline runs read it from there. A cached file is hashed
 * again before it is used: the cache directory is not trusted more than the network.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, SourceError } from '../../core/errors.js';
import { parseSdistFilename, parseWheelFilename } from '../../core/filename.js';
import { redactCredentials, splitCredentials } from '../conditional.js';
import { downloadToFile, type HttpOptions } from '../http.js';

/** The largest file fetched by default: the 2 GiB archive limit would hold it, memory would not want more. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

export interface DistributionRef {
  filename: string;
  url: string;
  /** Lower-case hex. */
  sha256: string;
  /** The size the index declares, when it does. */
  size?: number;
}

export interface FetchOptions extends HttpOptions {
  cacheDir: string;
  offline?: boolean;
  maxBytes?: number;
}

export interface FetchedFile {
  path: string;
  /** Found in the cache (and its digest checked again), not downloaded now. */
  cached: boolean;
}

/** Whether a name is a wheel or sdist file name, and nothing that could be a path. */
export function isDistributionFilename(filename: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+!-]*$/.test(filename) || filename.includes('..')) return false;
  try {
    if (filename.endsWith('.whl')) parseWheelFilename(filename);
    else parseSdistFilename(filename, { legacy: true });
    return true;
  } catch {
    return false;
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where a file with this digest lives in the cache. */
export function cachedPath(cacheDir: string, ref: Pick<DistributionRef, 'filename' | 'sha256'>): string {
  return join(cacheDir, 'dists', ref.sha256, ref.filename);
}

/**
 * The file, from the cache or downloaded, with its sha256 checked. Throws SourceError when the
 * download fails or its digest or size do not match (exit 3: the source served something other than
 * what it listed), InputError when offline and not cached (exit 2: nothing to read without the network).
 */
export async function fetchDistribution(ref: DistributionRef, options: FetchOptions): Promise<FetchedFile> {
  const shownUrl = redactCredentials(ref.url);
  if (!isDistributionFilename(ref.filename)) {
    throw new SourceError('source-bad-response', `the index names a file ${JSON.stringify(ref.filename.slice(0, 200))}, which is not a wheel or sdist file name; refusing it`);
  }
  if (!/^[0-9a-f]{64}$/.test(ref.sha256)) {
    throw new SourceError('source-bad-response', `no usable sha256 for ${ref.filename}, so pyward cannot check what it would download; refusing it`);
  }
  const path = cachedPath(options.cacheDir, ref);
  if (existsSync(path)) {
    if ((await sha256File(path)) === ref.sha256) return { path, cached: true };
    rmSync(path, { force: true });
  }
  if (options.offline) {
    throw new InputError('input-not-found', `offline, and ${ref.filename} is not in pyward's cache; run once without --offline to download it`);
  }
  const max = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  if (ref.size !== undefined && ref.size > max) {
    throw new SourceError('source-bad-response', `${ref.filename} is ${ref.size} bytes, over the ${max}-byte download limit (--max-download-mb)`);
  }
  const dir = join(options.cacheDir, 'dists', ref.sha256);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.part`);
  try {
    const { url, headers } = splitCredentials(ref.url);
    const res = await downloadToFile(url, tmp, { headers, maxBytes: ref.size ?? max }, {
      ...options,
      unreachableHint: options.unreachableHint ?? 'check the index URL, the network or proxy settings; --offline inspects only what is cached',
    });
    if (res.status !== 200) throw new SourceError('source-bad-response', `${shownUrl} answered HTTP ${res.status}`);
    const got = await sha256File(tmp);
    if (got !== ref.sha256) {
      throw new SourceError(
        'source-bad-response',
        `${ref.filename} from ${shownUrl} has sha256 ${got}, not the ${ref.sha256} it is listed with; refusing it (changed on the index or in transit)`,
      );
    }
    renameSync(tmp, path);
    return { path, cached: false };
  } finally {
    rmSync(tmp, { force: true });
    // A refused file leaves no empty folder named for a digest nobody has.
    try {
      rmdirSync(dir);
    } catch {
      // not empty: the file is there
    }
  }
}
