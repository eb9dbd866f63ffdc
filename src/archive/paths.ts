/**
 * Member names are attacker-chosen. Each one is turned into a safe relative path: pyward writes
 * nothing to disk, but it reports locations and compares wheel and sdist trees by path, and
 * `../../home/u/.bashrc` must neither reach a reporter as if it were inside the package nor hide
 * its intent. Anything changed is reported, because an honest build tool never writes such names.
 */
import { posix } from 'node:path';
import type { AnomalyKind } from './types.js';

export interface NormalizedPath {
  /** '' when nothing remains (the name was `/`, `..`, ...): the member is dropped. */
  path: string;
  problems: { kind: AnomalyKind; detail: string }[];
  /** True for names ending in `/`: directory entries, which carry no content. */
  directory: boolean;
}

/** Escapes control characters, bidi overrides and invisible characters so a name prints as written. */
export function escapeForDisplay(text: string, max = 300): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (isInvisibleOrBidi(c)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
    if (out.length >= max) return out.slice(0, max) + '…';
  }
  return out;
}

/** Bidirectional controls (Trojan Source, CVE-2021-42574) and zero-width characters. */
export function isInvisibleOrBidi(c: number): boolean {
  return (
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x200e ||
    c === 0x200f ||
    c === 0x061c ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2060 ||
    c === 0xfeff
  );
}

export function normalizeMemberPath(raw: string): NormalizedPath {
  const problems: NormalizedPath['problems'] = [];
  let name = raw;
  if (/[\x00-\x1f\x7f]/.test(name)) {
    problems.push({ kind: 'control-character', detail: 'control character in member name' });
    name = name.replace(/[\x00-\x1f\x7f]/g, '_');
  }
  if (name.includes('\\')) {
    problems.push({ kind: 'backslash', detail: 'backslash in member name (a path separator on Windows)' });
    name = name.replace(/\\/g, '/');
  }
  const directory = name.endsWith('/');
  // `C:foo`, `C:/foo` and `//server/share` all leave the extraction directory on Windows.
  const drive = /^(?:[A-Za-z]:|\/\/[^/]+\/[^/]+)/.exec(name);
  if (drive) {
    problems.push({ kind: 'drive-letter', detail: `Windows drive or UNC prefix ${JSON.stringify(drive[0])}` });
    name = name.slice(drive[0].length);
  }
  if (name.startsWith('/')) {
    problems.push({ kind: 'absolute-path', detail: 'absolute member path' });
  }
  const out: string[] = [];
  let escaped = false;
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) escaped = true;
      else out.pop();
      continue;
    }
    out.push(segment);
  }
  if (escaped) problems.push({ kind: 'path-traversal', detail: "'..' climbs above the archive root" });
  return { path: out.join('/'), problems, directory };
}

/** Whether a link target, resolved from the link's own directory, leaves the archive root. */
export function escapes(linkPath: string, target: string): boolean {
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target) || target.includes('\\')) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath.replace(/^\/+/, '')), target));
  return resolved === '..' || resolved.startsWith('../');
}
