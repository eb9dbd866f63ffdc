/**
 * What the archive readers hand to inspection: a flat, in-memory list of regular-file members with
 * safe relative paths, and everything odd about the archive recorded as an anomaly instead of acted
 * on. Nothing here is ever written to disk, followed, executed or imported.
 */

export type ArchiveKind = 'wheel' | 'sdist' | 'zip' | 'directory';

export type AnomalyKind =
  /** A `..` segment that climbs above the archive root (zip-slip). */
  | 'path-traversal'
  /** A member name starting with `/`. */
  | 'absolute-path'
  /** A Windows drive letter (`C:`) or UNC prefix. */
  | 'drive-letter'
  /** A `\` in a member name: Windows extractors read it as a separator, Unix ones do not. */
  | 'backslash'
  /** A control character or NUL in a member name. */
  | 'control-character'
  /** Two members with the same path after normalization; extractors keep one, which one varies. */
  | 'duplicate-member'
  /** A symbolic link member; never followed. */
  | 'symlink'
  /** A hard link member; never followed. */
  | 'hardlink'
  /** A device, FIFO or other special member. */
  | 'special-file'
  /** A member larger than the per-member limit; its content was not read. */
  | 'oversized-member'
  /** A member (or the whole stream) that inflates far more than honest files do. */
  | 'compression-ratio'
  /** More members than the limit; the rest were not read. */
  | 'too-many-members'
  /** The uncompressed total passed the limit; the rest was not read. */
  | 'total-size'
  /** An encrypted zip member; unreadable without a password, which a package never needs. */
  | 'encrypted-member'
  /** A member or the archive structure is damaged (bad CRC, truncated stream, bad header). */
  | 'damaged';

export interface ArchiveAnomaly {
  kind: AnomalyKind;
  /** The member's name as stored (escaped for display), or '' for the archive as a whole. */
  member: string;
  detail: string;
}

export interface ArchiveMember {
  /** Normalized: relative, `/`-separated, no `.`/`..`/empty segments. */
  path: string;
  /** The stored name when normalization had to change it (escaped for display). */
  rawPath?: string;
  /** Uncompressed size in bytes (as declared for zip; as read for tar and directories). */
  size: number;
  /** False when the content was not kept (over the member limit, or not wanted): bytes() throws. */
  readable: boolean;
  /** The whole content. Throws ArchiveReadError when unreadable or damaged (bad CRC). */
  bytes(): Uint8Array;
  /** The first n bytes (n small), available even for members too large to read whole. */
  head(n: number): Uint8Array;
}

export interface Archive {
  kind: ArchiveKind;
  /** The file or directory read, as given. */
  path: string;
  /** Display name used as the root of member locations (`pkg-1.0.tar.gz`). */
  name: string;
  members: ArchiveMember[];
  anomalies: ArchiveAnomaly[];
  /** True when a limit stopped reading early: the member list is incomplete. */
  truncated: boolean;
}

export interface ArchiveLimits {
  /** The archive file itself (zips are read into memory). */
  maxArchiveBytes: number;
  /** One member's content; larger members are listed but not read. */
  maxMemberBytes: number;
  /** All members together, uncompressed; reading stops there. */
  maxTotalBytes: number;
  maxMembers: number;
  /**
   * Uncompressed/compressed, for one zip member or a whole gzip stream, checked once past
   * ratioFloorBytes: small files of repeated bytes compress absurdly well and are harmless.
   */
  maxRatio: number;
  ratioFloorBytes: number;
}

/**
 * Real wheels reach ~100k members and a few GiB uncompressed (CUDA builds of torch); real source
 * files compress 3-15x and tar padding up to ~60x, while a deflate bomb reaches ~1000x.
 */
export const DEFAULT_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 2 * 1024 * 1024 * 1024,
  maxMemberBytes: 64 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxMembers: 200_000,
  maxRatio: 200,
  ratioFloorBytes: 16 * 1024 * 1024,
};

export interface ReadOptions {
  limits?: Partial<ArchiveLimits>;
  /**
   * Whether to keep a member's content. Members it refuses are listed with their first bytes only,
   * which keeps memory to what inspection reads (sources), not what a package ships (binaries).
   */
  want?: (path: string, size: number) => boolean;
}

export class ArchiveReadError extends Error {
  readonly member: string;
  constructor(member: string, message: string) {
    super(message);
    this.name = 'ArchiveReadError';
    this.member = member;
  }
}

/** How many leading bytes readers keep of members whose content they do not keep. */
export const HEAD_BYTES = 64;
