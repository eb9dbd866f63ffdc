/**
 * Opens a wheel, an sdist or an unpacked directory as an Archive. The format comes from the file's
 * first bytes, checked against its name: a `.whl` that is not a zip is damaged, and a `.tar.gz`
 * that is really a zip is read as what it is.
 */
import { closeSync, lstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../core/errors.js';
import { readDirectoryArchive } from './directory.js';
import { DEFAULT_LIMITS, type Archive, type ArchiveKind, type ReadOptions } from './types.js';
import { looksLikeZip } from './zip.js';
import { lazyZipFile, readZipArchive } from './zip-archive.js';

/** Zip files above this size are read as they are looked at (lazyZipFile); smaller ones in one read. */
const LAZY_ZIP_BYTES = 4 * 1024 * 1024;

export * from './types.js';
export { escapeForDisplay, isInvisibleOrBidi, normalizeMemberPath } from './paths.js';

export type ArchiveFormat = 'zip' | 'gzip' | 'tar' | 'bzip2' | 'xz' | 'unknown';

export function sniffFormat(head: Uint8Array): ArchiveFormat {
  if (looksLikeZip(head)) return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58) return 'xz';
  // ustar (POSIX and GNU) puts its magic at offset 257.
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return 'unknown';
}

function kindFor(name: string, format: ArchiveFormat): ArchiveKind {
  if (name.endsWith('.whl')) return 'wheel';
  if (format === 'zip' && !/\.zip$/i.test(name)) return 'zip';
  return 'sdist';
}

/** Reads a wheel, an sdist (.tar.gz, .tgz, .tar, .zip) or a directory. Throws InputError when it is none of them. */
export async function readArchive(path: string, options: ReadOptions = {}): Promise<Archive> {
  let st;
  try {
    st = lstatSync(path);
    // The path the user named may itself be a link (a CI cache, say): that one is followed,
    // since the user chose it; links inside it are not.
    if (st.isSymbolicLink()) st = statSync(path);
  } catch {
    throw new InputError('input-not-found', `${path}: no such file or directory`, { file: path });
  }
  if (st.isDirectory()) return readDirectoryArchive(path, options);
  if (!st.isFile()) throw new InputError('input-unreadable', `${path}: not a file or directory`, { file: path });
  const max = options.limits?.maxArchiveBytes ?? DEFAULT_LIMITS.maxArchiveBytes;
  if (st.size > max) {
    throw new InputError('input-unreadable', `${path}: ${st.size} bytes, over the ${max}-byte archive limit`, { file: path });
  }
  const name = basename(path);
  const head = readHead(path, 512);
  const format = sniffFormat(head);
  return readArchiveData(format, path, name, path, options, st.size);
}

/** The same for an archive already in memory (downloaded, or a test's), named `name`. */
export async function readArchiveBuffer(buf: Buffer, name: string, options: ReadOptions = {}): Promise<Archive> {
  return readArchiveData(sniffFormat(buf.subarray(0, 512)), name, name, buf, options);
}

async function readArchiveData(
  format: ArchiveFormat,
  path: string,
  name: string,
  /** A file to read (streamed for tar), or the bytes themselves. */
  source: string | Buffer,
  options: ReadOptions,
  /** The file's size as checked against the archive limit (a zip is read up to it, never further). */
  size = 0,
): Promise<Archive> {
  const kind = kindFor(name, format);
  switch (format) {
    case 'zip':
      if (typeof source === 'string') {
        if (size > LAZY_ZIP_BYTES) {
          const { buf, load } = lazyZipFile(source, size);
          return readZipArchive(buf, path, name, kind, options, load);
        }
        return readZipArchive(readFileSync(source), path, name, kind, options);
      }
      return readZipArchive(source, path, name, kind, options);
    case 'gzip':
    case 'tar':
      if (kind === 'wheel') break;
      // Loaded when first needed: a run over wheels does without tar-stream and its dependencies.
      return (await import('./tar-archive.js')).readTarArchive(source, format === 'gzip' ? 'gzip' : 'none', path, name, kind, options);
    case 'bzip2':
    case 'xz':
      throw new InputError(
        'input-unreadable',
        `${path}: ${format} compression is not supported (Node has no ${format} decoder); unpack it and inspect the directory`,
        { file: path },
      );
    case 'unknown':
      break;
  }
  throw new InputError(
    'input-unknown-format',
    `${path}: not a wheel, sdist or zip (the file does not start like a zip, gzip or tar archive)`,
    { file: path },
  );
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
