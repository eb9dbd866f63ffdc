/**
 * A minimal, defensive zip reader for hostile archives: OSV advisory exports, wheels and zip sdists.
 * It never extracts to disk: it reads the
 * central directory, lets the caller refuse the archive from the declared sizes before anything is
 * inflated, and inflates one member at a time with a hard output cap and a CRC check, so a member
 * whose header lies about its size cannot blow up memory or slip through truncated.
 *
 * Why not fflate's `unzipSync`: it inflates every member at once and silently truncates output to
 * the declared size, which hides exactly the lies we want to catch. node:zlib's `maxOutputLength`
 * gives a real cap and `crc32` a real integrity check.
 */
import { constants as zlibConstants, crc32, inflateRawSync } from 'node:zlib';

export interface ZipMember {
  /** The name as stored (untrusted: may contain `../`, absolute paths or control characters). */
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
  /** High byte of "version made by": 3 is Unix, whose external attributes carry a file mode. */
  madeBy: number;
  /** External attributes; for Unix-made archives the high 16 bits are st_mode (symlinks live here). */
  externalAttributes: number;
}

export class ZipFormatError extends Error {}

/**
 * Makes bytes `start` to `end` of the archive's buffer hold the file's bytes, for a buffer that is
 * filled as it is read (see lazyZipFile); absent, the buffer holds the whole file already.
 */
export type ZipLoader = (start: number, end: number) => void;

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_COMMENT = 0xffff;

/** True when the bytes start like a zip (a local header, or the end record of an empty archive). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6);
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip64 size or offset out of range');
  return Number(v);
}

/** Reads the central directory. Throws ZipFormatError when the archive structure is unusable. */
export function readCentralDirectory(buf: Buffer, maxEntries: number): ZipMember[] {
  return readDirectory(buf, { maxEntries, truncate: false }).members;
}

export interface DirectoryListing {
  members: ZipMember[];
  /** How many members the end record declares; more than members.length when truncated. */
  declared: number;
}

/**
 * The central directory, optionally cut at maxEntries instead of refused, so that a package with
 * too many members can still be partly inspected (and the excess reported) rather than skipped.
 */
export function readDirectory(buf: Buffer, opts: { maxEntries: number; truncate: boolean; load?: ZipLoader }): DirectoryListing {
  const maxEntries = opts.maxEntries;
  const load: ZipLoader = opts.load ?? (() => {});
  if (buf.length < 22) throw new ZipFormatError('too short to be a zip archive');
  let eocd = -1;
  const stop = Math.max(0, buf.length - 22 - MAX_COMMENT);
  load(stop, buf.length);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record (truncated or not a zip)');
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipFormatError('multi-disk archives are not supported');
  }
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc >= 0) load(loc, loc + 20);
    if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR_SIG) throw new ZipFormatError('zip64 locator missing');
    const z = u64(buf, loc + 8);
    if (z + 56 <= buf.length) load(z, z + 56);
    if (z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD_SIG) throw new ZipFormatError('zip64 end record missing');
    count = u64(buf, z + 32);
    cdSize = u64(buf, z + 40);
    cdOffset = u64(buf, z + 48);
  }
  if (count > maxEntries && !opts.truncate) {
    throw new ZipFormatError(`${count} members is more than the limit of ${maxEntries}`);
  }
  if (cdOffset + cdSize > buf.length) throw new ZipFormatError('central directory lies outside the file');
  load(cdOffset, cdOffset + cdSize);

  const members: ZipMember[] = [];
  let p = cdOffset;
  const take = Math.min(count, maxEntries);
  for (let i = 0; i < take; i++) {
    // (entries are read where they are, even past the declared directory size)
    if (p + 46 <= buf.length) load(p, p + 46);
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL_SIG) {
      throw new ZipFormatError(`central directory entry ${i} is damaged`);
    }
    const madeBy = buf.readUInt8(p + 5);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const externalAttributes = buf.readUInt32LE(p + 38);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const nameEnd = p + 46 + nameLen;
    if (nameEnd + extraLen + commentLen > buf.length) throw new ZipFormatError(`central directory entry ${i} is damaged`);
    load(p + 46, nameEnd + extraLen + commentLen);
    // Bit 11 says UTF-8; otherwise CP437, which latin1 approximates well enough for names we only display.
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, nameEnd);
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      let e = nameEnd;
      const extraEnd = nameEnd + extraLen;
      while (e + 4 <= extraEnd) {
        const id = buf.readUInt16LE(e);
        const len = buf.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const end = Math.min(e + 4 + len, extraEnd);
          // The zip64 field holds only the values that overflowed, in this fixed order.
          if (size === 0xffffffff && q + 8 <= end) {
            size = u64(buf, q);
            q += 8;
          }
          if (compressedSize === 0xffffffff && q + 8 <= end) {
            compressedSize = u64(buf, q);
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff && q + 8 <= end) localHeaderOffset = u64(buf, q);
          break;
        }
        e += 4 + len;
      }
    }
    members.push({
      name,
      method,
      encrypted: (flags & 1) === 1,
      compressedSize,
      size,
      crc,
      localHeaderOffset,
      madeBy,
      externalAttributes,
    });
    p = nameEnd + extraLen + commentLen;
  }
  return { members, declared: count };
}

/** A member's stored data; with a loader, only its first `needed` bytes are sure to be loaded. */
function memberData(buf: Buffer, m: ZipMember, load?: ZipLoader, needed = Infinity): Buffer {
  const h = m.localHeaderOffset;
  if (load && h + 30 <= buf.length) load(h, h + 30);
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOCAL_SIG) throw new ZipFormatError('local header missing');
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + m.compressedSize;
  if (end > buf.length) throw new ZipFormatError('member data runs past the end of the archive');
  if (load) load(start, Math.min(end, start + needed));
  return buf.subarray(start, end);
}

/**
 * The first bytes of a member without inflating the rest, for file-type sniffing of members too
 * large to read whole. No CRC check is possible on a prefix; the result is only ever a hint.
 */
export function readMemberHead(buf: Buffer, m: ZipMember, n: number, load?: ZipLoader): Buffer {
  // (what is read below: n stored bytes, or 1 KiB of deflate input)
  const raw = memberData(buf, m, load, m.method === 0 ? n : 1024);
  if (m.method === 0) return raw.subarray(0, n);
  if (m.method !== 8) throw new ZipFormatError(`unsupported compression method ${m.method}`);
  // A sync flush returns whatever the given input yields, so a short input gives a partial output;
  // 1 KiB of deflate input inflates to at most about 1 MiB, which bounds the work.
  try {
    const out = inflateRawSync(raw.subarray(0, Math.min(raw.length, 1024)), {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: 2 * 1024 * 1024,
    });
    return out.subarray(0, n);
  } catch (e) {
    throw new ZipFormatError(`cannot inflate (${(e as Error).message})`);
  }
}

/**
 * Inflates one member. The output is capped at the declared size, and the length and CRC must match
 * the central directory; anything else is reported as a damaged member.
 */
export function readMember(buf: Buffer, m: ZipMember, load?: ZipLoader): Buffer {
  const raw = memberData(buf, m, load);
  let out: Buffer;
  if (m.method === 0) {
    out = raw;
  } else if (m.method === 8) {
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
    } catch (e) {
      throw new ZipFormatError(
        (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
          ? 'inflates to more than its declared size'
          : `cannot inflate (${(e as Error).message})`,
      );
    }
  } else {
    throw new ZipFormatError(`unsupported compression method ${m.method}`);
  }
  if (out.length !== m.size) throw new ZipFormatError(`size ${out.length} does not match the declared ${m.size}`);
  if (crc32(out) >>> 0 !== m.crc >>> 0) throw new ZipFormatError('CRC mismatch (damaged or tampered)');
  return out;
}
