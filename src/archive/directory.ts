/**
 * An unpacked package on disk. The walk uses lstat and never follows a link: a symlink is recorded
 * (with whether it points out of the root) and skipped, so a directory cannot make pyward read
 * ~/.ssh. Files are opened with O_NOFOLLOW and re-checked after opening, so a file swapped for a
 * link between the walk and the read is refused too.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Collector } from './collector.js';
import { escapes } from './paths.js';
import { ArchiveReadError, type Archive, type ReadOptions } from './types.js';

/** Version-control metadata is not package content and can dwarf it. */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn']);

export function readDirectoryArchive(root: string, options: ReadOptions = {}): Archive {
  const c = new Collector(options);
  const stack: string[] = [''];
  walk: while (stack.length > 0) {
    const rel = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch (e) {
      c.anomaly('damaged', rel, `cannot list directory: ${(e as Error).message}`);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const entry of entries) {
      const memberPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = join(root, memberPath);
      if (entry.isSymbolicLink()) {
        let target = '?';
        try {
          target = readlinkSync(full);
        } catch {
          // unreadable link: still recorded
        }
        c.anomaly('symlink', memberPath, `symbolic link to ${JSON.stringify(target)}${escapes(memberPath, target) ? ', outside the directory' : ''}; not followed`);
        continue;
      }
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) stack.push(memberPath);
        continue;
      }
      if (!entry.isFile()) {
        c.anomaly('special-file', memberPath, 'not a regular file; not read');
        continue;
      }
      const admitted = c.admit(memberPath);
      if (!admitted) {
        if (c.truncated) break walk;
        continue;
      }
      let size = 0;
      try {
        size = lstatSync(full).size;
      } catch {
        // vanished between listing and stat: listed as empty and unreadable below
      }
      const keep = c.keep(memberPath, admitted.path, size);
      if (keep && c.total + size > c.limits.maxTotalBytes) {
        c.stop('total-size', `files add up to more than ${c.limits.maxTotalBytes} bytes; the rest were not read`);
        break walk;
      }
      if (keep) c.total += size;
      const limit = c.limits.maxMemberBytes;
      c.add({
        path: admitted.path,
        size,
        readable: keep,
        bytes(): Uint8Array {
          if (!keep) throw new ArchiveReadError(admitted.path, 'content not read (see the archive anomalies)');
          return readNoFollow(full, admitted.path, limit);
        },
        head(n: number): Uint8Array {
          try {
            return readNoFollow(full, admitted.path, n, true);
          } catch {
            return new Uint8Array(0);
          }
        },
      });
    }
  }
  // Sorting by path keeps reports stable whatever order the file system lists entries in.
  c.members.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return c.finish('directory', root, basename(root.replace(/[/\\]+$/, '')) || root);
}

function readNoFollow(full: string, path: string, limit: number, prefix = false): Uint8Array {
  let fd: number;
  try {
    fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw new ArchiveReadError(path, `cannot open without following links: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ArchiveReadError(path, 'no longer a regular file');
    if (st.size > limit && !prefix) throw new ArchiveReadError(path, `grew past the ${limit}-byte member limit`);
    const want = prefix ? Math.min(limit, st.size) : st.size;
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
