/**
 * Pipfile.lock (pipfile-spec 6), written by pipenv: JSON with `_meta` (sources, hash) and one
 * object per package category: `default`, `develop`, and any custom category pipenv >= 2023 allows.
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Inventory, Location, Package, PackageSource } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { canonicalVersion } from '../../core/version.js';
import { isHash } from '../package.js';
import { fileFormat } from '../read.js';
import { VCS_NAMES, vcsUrl } from '../source.js';

export const FORMAT = 'pipfile-lock';

export const pipfileLock = fileFormat(FORMAT, (name) => name === 'Pipfile.lock', parsePipfileLock);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses Pipfile.lock text. Throws InputError only when the text is not JSON or not a Pipfile.lock. */
export function parsePipfileLock(text: string, file: string): Inventory {
  const inventory: Inventory = { format: FORMAT, path: file, packages: [], diagnostics: [] };
  const diagnostics = inventory.diagnostics;
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') {
    diagnostics.push({
      severity: 'warning',
      code: 'empty-input',
      message: `${file} is empty: no packages to read (run \`pipenv lock\` to create it)`,
      location: { file },
    });
    return inventory;
  }

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const at = scanJson(text).errorAt ?? jsonErrorOffset((err as Error).message, text);
    const { line, column } = lineColumn(text, at);
    throw new InputError(
      'input-parse',
      `not valid JSON (${(err as Error).message.split('\n')[0]}); regenerate it with \`pipenv lock\``,
      { file, line, column },
    );
  }
  if (!isObject(doc)) {
    throw new InputError('input-unknown-format', 'a Pipfile.lock is a JSON object with _meta, default and develop; this JSON is not', { file, line: 1 });
  }
  const sectionNames = Object.keys(doc).filter((k) => k !== '_meta');
  if (!('_meta' in doc) && !('default' in doc) && !('develop' in doc) && sectionNames.length > 0) {
    throw new InputError('input-unknown-format', 'no _meta, default or develop key: this JSON is not a Pipfile.lock', { file, line: 1 });
  }

  const lines = scanJson(text).keyLines;
  const sources = readSources(doc['_meta'], file, lines, diagnostics);
  if (sources.urls.length > 0) inventory.indexUrls = sources.urls;

  for (const section of sectionNames) {
    const entries = doc[section];
    const sectionLine = lines.get('')?.get(section) ?? 1;
    if (!isObject(entries)) {
      diagnostics.push({
        severity: 'warning',
        code: 'invalid-entry',
        message: `"${section}" is not an object of packages; skipped`,
        location: { file, line: sectionLine },
      });
      continue;
    }
    for (const [rawName, entry] of Object.entries(entries)) {
      const location: Location = { file, line: lines.get(section)?.get(rawName) ?? sectionLine };
      const pkg = readEntry(rawName, entry, section, location, sources.byName, diagnostics);
      if (pkg !== undefined) inventory.packages.push(pkg);
    }
  }
  return inventory;
}

interface Sources {
  urls: string[];
  byName: Map<string, string>;
}

function readSources(meta: unknown, file: string, lines: KeyLines, diagnostics: Diagnostic[]): Sources {
  const result: Sources = { urls: [], byName: new Map() };
  if (!isObject(meta)) return result;
  const sources = meta['sources'];
  if (sources === undefined) return result;
  const location = { file, line: lines.get('_meta')?.get('sources') ?? lines.get('')?.get('_meta') ?? 1 };
  if (!Array.isArray(sources)) {
    diagnostics.push({ severity: 'warning', code: 'invalid-source', message: '_meta.sources is not an array; index URLs unknown', location });
    return result;
  }
  for (const source of sources) {
    const url = isObject(source) && typeof source['url'] === 'string' && source['url'] !== '' ? source['url'] : undefined;
    if (url === undefined) {
      diagnostics.push({ severity: 'warning', code: 'invalid-source', message: 'a _meta.sources entry has no url; skipped', location });
      continue;
    }
    if (!result.urls.includes(url)) result.urls.push(url);
    const name = isObject(source) && typeof source['name'] === 'string' ? source['name'] : undefined;
    if (name !== undefined && !result.byName.has(name)) result.byName.set(name, url);
    // Without TLS verification anyone on the path can swap the packages, hashes or not for new ones.
    if (isObject(source) && source['verify_ssl'] === false) {
      diagnostics.push({
        severity: 'warning',
        code: 'insecure-index',
        message: `index ${url} is used with verify_ssl = false; set it to true in the Pipfile`,
        location,
      });
    } else if (url.toLowerCase().startsWith('http://')) {
      diagnostics.push({
        severity: 'warning',
        code: 'insecure-index',
        message: `index ${url} is plain HTTP; use its https:// URL in the Pipfile`,
        location,
      });
    }
  }
  return result;
}

function readEntry(
  rawName: string,
  entry: unknown,
  section: string,
  location: Location,
  indexes: Map<string, string>,
  diagnostics: Diagnostic[],
): Package | undefined {
  if (!isValidName(rawName)) {
    diagnostics.push({ severity: 'error', code: 'invalid-entry', message: `${JSON.stringify(rawName)} is not a valid package name; skipped`, location });
    return undefined;
  }
  if (!isObject(entry)) {
    diagnostics.push({ severity: 'error', code: 'invalid-entry', message: `${rawName}: entry is not an object; skipped`, location });
    return undefined;
  }
  const pkg: Package = { name: normalizeName(rawName), rawName, source: readSource(entry, rawName, location, indexes, diagnostics), groups: [section], location };

  const version = entry['version'];
  if (typeof version === 'string') {
    const pinned = /^\s*===?\s*(\S+)\s*$/.exec(version);
    const canonical = pinned?.[1] !== undefined ? canonicalVersion(pinned[1]) : undefined;
    if (canonical !== undefined) pkg.version = canonical;
    else {
      pkg.specifier = version === '*' ? '' : version;
      if (pkg.source.kind === 'registry') {
        diagnostics.push({
          severity: 'warning',
          code: pinned ? 'invalid-version' : 'unpinned',
          message: pinned
            ? `${rawName}: ${JSON.stringify(version)} is not a PEP 440 version; it cannot be matched against advisories`
            : `${rawName}: locked as ${JSON.stringify(version)}, not an exact version (pipenv could not resolve it for this platform); run \`pipenv lock\` again`,
          location,
        });
      }
    }
  } else if (pkg.source.kind === 'registry') {
    diagnostics.push({ severity: 'warning', code: 'unpinned', message: `${rawName}: no version in the lock file`, location });
  }

  const hashes = entry['hashes'];
  if (Array.isArray(hashes)) {
    const good = hashes.filter((h): h is string => typeof h === 'string' && isHash(h));
    if (good.length < hashes.length) {
      diagnostics.push({
        severity: 'warning',
        code: 'invalid-hash',
        message: `${rawName}: ${hashes.length - good.length} hash${hashes.length - good.length === 1 ? ' is' : 'es are'} not "<algorithm>:<hex>"`,
        location,
      });
    }
    if (good.length > 0) pkg.hashes = [...new Set(good)];
  }

  const markers = entry['markers'];
  if (typeof markers === 'string' && markers.trim() !== '') pkg.marker = markers;
  const extras = entry['extras'];
  if (Array.isArray(extras)) {
    const names = extras.filter((e): e is string => typeof e === 'string' && e !== '');
    if (names.length > 0) pkg.extras = names;
  }
  return pkg;
}

function readSource(entry: Json, rawName: string, location: Location, indexes: Map<string, string>, diagnostics: Diagnostic[]): PackageSource {
  // pipenv keys a VCS entry by its tool: `git = "<repository>"`.
  for (const vcs of VCS_NAMES) {
    const repo = entry[vcs];
    if (typeof repo !== 'string' || repo === '') continue;
    // `ref` is the commit pipenv resolved at lock time; without it the install can drift.
    const ref = typeof entry['ref'] === 'string' ? entry['ref'] : '';
    if (ref === '') {
      diagnostics.push({
        severity: 'warning',
        code: 'vcs-unpinned',
        message: `${rawName}: ${vcs} dependency without a locked ref; every install may fetch different code`,
        location,
      });
    }
    const subdirectory = typeof entry['subdirectory'] === 'string' ? entry['subdirectory'] : undefined;
    return { kind: 'vcs', url: vcsUrl(vcs, repo, ref, subdirectory) };
  }
  const path = entry['path'];
  if (typeof path === 'string' && path !== '') return { kind: entry['editable'] === true ? 'editable' : 'path', url: path };
  const fileRef = entry['file'];
  if (typeof fileRef === 'string' && fileRef !== '') {
    // `file` holds either a remote archive URL or a local archive path.
    const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(fileRef) && !fileRef.toLowerCase().startsWith('file:');
    return { kind: remote ? 'url' : 'path', url: fileRef };
  }
  const index = entry['index'];
  if (typeof index === 'string') {
    const url = indexes.get(index);
    if (url !== undefined) return { kind: 'registry', url };
    diagnostics.push({
      severity: 'warning',
      code: 'unknown-index',
      message: `${rawName}: index ${JSON.stringify(index)} is not among _meta.sources; the index it comes from is unknown`,
      location,
    });
  }
  return { kind: 'registry' };
}

// ---------------------------------------------------------------------------------------------
// Positions. JSON.parse gives values but not lines; this scanner walks the same text once to find
// the line of every key in the top two levels, and the offset of the first syntax error when
// JSON.parse refused the text (V8 does not always say where).

/** Object path ('' for the top level, else the top-level key) -> key -> 1-based line. */
type KeyLines = Map<string, Map<string, number>>;

interface Scan {
  keyLines: KeyLines;
  errorAt?: number;
}

/**
 * The end (after the closing quote) of the JSON string at `pos`, or -1 when there is none. A loop:
 * the equivalent regex kept a backtrack entry per character and overflowed V8's stack (RangeError)
 * on a string of about 9 MB.
 */
function stringEnd(text: string, pos: number): number {
  if (text.charCodeAt(pos) !== 0x22) return -1;
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c !== 0x5c) continue;
    const e = text[++i];
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return -1;
      i += 4;
    } else if (e === undefined || !'"\\/bfnrt'.includes(e)) return -1;
  }
  return -1;
}
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Iterative, so deep nesting in hostile input cannot overflow the stack. */
export function scanJson(text: string): Scan {
  const keyLines: KeyLines = new Map();
  // Each frame: container kind, what comes next, and the key path of this container.
  interface Frame {
    kind: 'object' | 'array';
    expect: 'first' | 'key' | 'colon' | 'value' | 'comma';
    path: string | undefined;
    key?: string;
  }
  const stack: Frame[] = [];
  let pos = 0;
  let line = 1;
  let done = false;

  const skipWs = (): void => {
    for (; pos < text.length; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
    }
  };
  const fail = (): Scan => ({ keyLines, errorAt: pos });

  // After a complete value, the enclosing container expects a comma or its end.
  const valueDone = (): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) done = true;
    else top.expect = 'comma';
  };

  for (;;) {
    skipWs();
    if (done) return pos < text.length ? fail() : { keyLines };
    if (pos >= text.length) return fail();
    const top = stack[stack.length - 1];
    const c = text[pos];

    if (top?.kind === 'object' && (top.expect === 'first' || top.expect === 'key')) {
      if (c === '}' && top.expect === 'first') {
        pos++;
        stack.pop();
        valueDone();
        continue;
      }
      const end = stringEnd(text, pos);
      if (end < 0) return fail();
      const key = JSON.parse(text.slice(pos, end)) as string;
      top.key = key;
      // Record keys of the top-level object and of each object directly under it.
      if (top.path !== undefined && stack.length <= 2) {
        let map = keyLines.get(top.path);
        if (map === undefined) keyLines.set(top.path, (map = new Map()));
        map.set(key, line);
      }
      pos = end;
      top.expect = 'colon';
      continue;
    }
    if (top?.expect === 'colon') {
      if (c !== ':') return fail();
      pos++;
      top.expect = 'value';
      continue;
    }
    if (top?.expect === 'comma') {
      if (c === ',') {
        pos++;
        top.expect = top.kind === 'object' ? 'key' : 'value';
        continue;
      }
      if ((c === '}' && top.kind === 'object') || (c === ']' && top.kind === 'array')) {
        pos++;
        stack.pop();
        valueDone();
        continue;
      }
      return fail();
    }
    if (top?.kind === 'array' && top.expect === 'first' && c === ']') {
      pos++;
      stack.pop();
      valueDone();
      continue;
    }

    // A value is expected here.
    if (c === '{' || c === '[') {
      let path: string | undefined;
      if (top === undefined) path = '';
      else if (top.kind === 'object' && stack.length === 1) path = top.key;
      pos++;
      stack.push({ kind: c === '{' ? 'object' : 'array', expect: 'first', path });
      continue;
    }
    if (c === '"') {
      const end = stringEnd(text, pos);
      if (end < 0) return fail();
      pos = end;
    } else if (text.startsWith('true', pos)) pos += 4;
    else if (text.startsWith('false', pos)) pos += 5;
    else if (text.startsWith('null', pos)) pos += 4;
    else {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (m === null) return fail();
      pos += m[0].length;
    }
    valueDone();
  }
}

/** V8 says `at position N` for most syntax errors; used only if the scanner found none. */
function jsonErrorOffset(message: string, text: string): number {
  const m = /at position (\d+)/.exec(message);
  return m?.[1] !== undefined ? Number(m[1]) : text.length;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
