/**
 * Wheels and zip sdists. The whole file is in memory (bounded by maxArchiveBytes); members are
 * inflated only when inspection asks, each capped at its declared size and CRC-checked, so the
 * declared sizes the limits are checked against are also the most any member can produce.
 */
import { Collector } from './collector.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { readDirectory, readMember, readMemberHead, ZipFormatError, type ZipLoader, type ZipMember } from './zip.js';
import { ArchiveReadError, HEAD_BYTES, type Archive, type ArchiveKind, type ReadOptions } from './types.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const UNIX = 3;

/** Pages of a lazily read zip file (see lazyZipFile). */
const PAGE_BITS = 16;

/**
 * A big zip file as a buffer of its size that is read from the file as the reader looks at it, in
 * 64 KiB pages: the end record and central directory, then the members inspection asks for. A
 * wheel of native libraries is mostly bytes no rule reads; reading them all cost more system time
 * than anything else done with them. The buffer starts zeroed (never stale memory), and a file
 * that changes between reads can only fail the checks a damaged member fails (sizes, CRC).
 */
export function lazyZipFile(file: string, size: number): { buf: Buffer; load: ZipLoader } {
  const buf = Buffer.alloc(size);
  const loaded = new Uint8Array(Math.ceil(size / (1 << PAGE_BITS)));
  const load: ZipLoader = (start, end) => {
    const from = Math.max(0, start) >> PAGE_BITS;
    const to = (Math.min(end, size) - 1) >> PAGE_BITS;
    let fd: number | undefined;
    try {
      for (let p = from; p <= to; p++) {
        if (loaded[p] === 1) continue;
        // one read for a run of pages not loaded yet
        let q = p;
        while (q + 1 <= to && loaded[q + 1] === 0) q++;
        fd ??= openSync(file, 'r');
        const at = p << PAGE_BITS;
        const length = Math.min(size, (q + 1) << PAGE_BITS) - at;
        for (let got = 0; got < length; ) {
          const n = readSync(fd, buf, at + got, length - got, at + got);
          if (n === 0) break;
          got += n;
        }
        loaded.fill(1, p, q + 1);
        p = q;
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  return { buf, load };
}

export function readZipArchive(buf: Buffer, path: string, name: string, kind: ArchiveKind, options: ReadOptions = {}, load?: ZipLoader): Archive {
  const c = new Collector(options);
  const { limits } = c;
  let listing;
  try {
    listing = readDirectory(buf, { maxEntries: limits.maxMembers, truncate: true, ...(load ? { load } : {}) });
  } catch (e) {
    if (!(e instanceof ZipFormatError)) throw e;
    c.stop('damaged', `unreadable zip structure: ${e.message}`);
    return c.finish(kind, path, name);
  }
  if (listing.declared > listing.members.length) {
    c.stop('too-many-members', `${listing.declared} members, more than the limit of ${limits.maxMembers}; the rest were not read`);
  }

  // Overlapping-member bombs point many entries at the same compressed data, so no single member
  // looks odd; the sum of what they claim against the file's size gives them away.
  const declaredTotal = listing.members.reduce((sum, m) => sum + m.size, 0);
  if (declaredTotal > limits.ratioFloorBytes && declaredTotal / Math.max(buf.length, 1) > limits.maxRatio) {
    c.stop(
      'compression-ratio',
      `members claim ${declaredTotal} bytes from a ${buf.length}-byte archive (over ${limits.maxRatio}x); not read`,
    );
    return c.finish(kind, path, name);
  }

  for (const m of listing.members) {
    const mode = m.madeBy === UNIX ? (m.externalAttributes >>> 16) & S_IFMT : 0;
    if (mode === S_IFDIR) continue;
    if (mode === S_IFLNK) {
      c.anomaly('symlink', m.name, `symbolic link to ${JSON.stringify(linkTarget(buf, m, load))}; not followed`);
      continue;
    }
    if (mode !== 0 && mode !== S_IFREG) {
      c.anomaly('special-file', m.name, `special file (mode ${mode.toString(8)}); not read`);
      continue;
    }
    const admitted = c.admit(m.name);
    if (!admitted) {
      if (c.truncated) break;
      continue;
    }
    if (c.total + m.size > limits.maxTotalBytes) {
      c.stop('total-size', `members add up to more than ${limits.maxTotalBytes} bytes; the rest were not read`);
      break;
    }
    let readable = !m.encrypted && (m.method === 0 || m.method === 8);
    if (m.encrypted) c.anomaly('encrypted-member', m.name, 'encrypted member; not read');
    else if (!readable) c.anomaly('damaged', m.name, `unsupported compression method ${m.method}; not read`);
    if (readable && m.size >= limits.ratioFloorBytes && m.size / Math.max(m.compressedSize, 1) > limits.maxRatio) {
      c.anomaly(
        'compression-ratio',
        m.name,
        `${m.compressedSize} bytes inflate to ${m.size} (over ${limits.maxRatio}x); not read`,
      );
      readable = false;
    }
    if (readable) readable = c.keep(m.name, admitted.path, m.size);
    if (readable) c.total += m.size;
    c.add(zipMember(buf, m, admitted.path, admitted.rawPath, readable, load));
  }
  return c.finish(kind, path, name);
}

function zipMember(buf: Buffer, m: ZipMember, path: string, rawPath: string | undefined, readable: boolean, load: ZipLoader | undefined) {
  const member = {
    path,
    size: m.size,
    readable,
    bytes(): Uint8Array {
      if (!readable) throw new ArchiveReadError(path, 'content not read (see the archive anomalies)');
      try {
        return readMember(buf, m, load);
      } catch (e) {
        if (e instanceof ZipFormatError) throw new ArchiveReadError(path, e.message);
        throw e;
      }
    },
    head(n: number): Uint8Array {
      if (m.encrypted || m.size === 0) return new Uint8Array(0);
      try {
        return readMemberHead(buf, m, Math.min(n, Math.max(HEAD_BYTES, n)), load);
      } catch {
        return new Uint8Array(0);
      }
    },
  };
  return rawPath === undefined ? member : { ...member, rawPath };
}

/** A zip symlink's content is its target; read only a short, honest one. */
function linkTarget(buf: Buffer, m: ZipMember, load: ZipLoader | undefined): string {
  if (m.size > 4096 || m.encrypted) return '?';
  try {
    return readMember(buf, m, load).toString('utf8');
  } catch {
    return '?';
  }
}
