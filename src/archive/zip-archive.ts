/**
 * Wheels and zip sdists. The whole file is in memory (bounded by maxArchiveBytes); members are
 * inflated only when inspection asks, each capped at its declared size and CRC-checked, so the
 * declared sizes the limits are checked against are also the most any member can produce.
 */
import { Collector } from './collector.js';
import { readDirectory, readMember, readMemberHead, ZipFormatError, type ZipMember } from './zip.js';
import { ArchiveReadError, HEAD_BYTES, type Archive, type ArchiveKind, type ReadOptions } from './types.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const UNIX = 3;

export function readZipArchive(buf: Buffer, path: string, name: string, kind: ArchiveKind, options: ReadOptions = {}): Archive {
  const c = new Collector(options);
  const { limits } = c;
  let listing;
  try {
    listing = readDirectory(buf, { maxEntries: limits.maxMembers, truncate: true });
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
      c.anomaly('symlink', m.name, `symbolic link to ${JSON.stringify(linkTarget(buf, m))}; not followed`);
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
    c.add(zipMember(buf, m, admitted.path, admitted.rawPath, readable));
  }
  return c.finish(kind, path, name);
}

function zipMember(buf: Buffer, m: ZipMember, path: string, rawPath: string | undefined, readable: boolean) {
  const member = {
    path,
    size: m.size,
    readable,
    bytes(): Uint8Array {
      if (!readable) throw new ArchiveReadError(path, 'content not read (see the archive anomalies)');
      try {
        return readMember(buf, m);
      } catch (e) {
        if (e instanceof ZipFormatError) throw new ArchiveReadError(path, e.message);
        throw e;
      }
    },
    head(n: number): Uint8Array {
      if (m.encrypted || m.size === 0) return new Uint8Array(0);
      try {
        return readMemberHead(buf, m, Math.min(n, Math.max(HEAD_BYTES, n)));
      } catch {
        return new Uint8Array(0);
      }
    },
  };
  return rawPath === undefined ? member : { ...member, rawPath };
}

/** A zip symlink's content is its target; read only a short, honest one. */
function linkTarget(buf: Buffer, m: ZipMember): string {
  if (m.size > 4096 || m.encrypted) return '?';
  try {
    return readMember(buf, m).toString('utf8');
  } catch {
    return '?';
  }
}
