/**
 * Reads OSV advisories from an OSV export zip (`all.zip`, or any zip of `.json`/`.yaml` records), a
 * directory tree of records (such as a checkout of the PyPA advisory database), or a single record
 * file, and keeps the ones that affect PyPI packages.
 *
 * Everything read here is hostile until validated: sizes are bounded before parsing, archives are
 * never extracted to disk, symlinks are not followed, and a malformed file becomes a diagnostic
 * (file + reason) while the rest of the import goes on.
 */
import { closeSync, lstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, normalize, sep } from 'node:path';
import type { Tags } from 'yaml';
import { InputError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import type { OsvRecord } from './schema.js';
import { isPypiRecord, toOsvRecord } from './validate.js';
import { looksLikeZip, readCentralDirectory, readMember, ZipFormatError } from '../../archive/zip.js';

export interface ImportLimits {
  /** A single record file or zip member larger than this is skipped. */
  maxEntryBytes: number;
  /** Refuse an archive whose members add up to more than this, uncompressed. */
  maxTotalBytes: number;
  /** Refuse an archive that claims to expand more than this many times its own size. */
  maxRatio: number;
  /** Refuse an archive (or directory walk) with more members than this. */
  maxEntries: number;
  /** Refuse a zip file larger than this (it is read into memory). */
  maxZipBytes: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxEntryBytes: 8 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  // JSON advisories compress 5-20x; 100x is far past any honest export and well below a zip bomb.
  maxRatio: 100,
  maxEntries: 2_000_000,
  maxZipBytes: 1024 * 1024 * 1024,
};

export interface ImportStats {
  /** Record files or zip members read. */
  files: number;
  /** Records yielded (they affect PyPI). */
  records: number;
  /** Valid records that affect no PyPI package. */
  notPypi: number;
  /** Files or members skipped or rejected, each with a diagnostic. */
  skipped: number;
  /** Records yielded that are withdrawn (kept, flagged, ignored by matching). */
  withdrawn: number;
}

export interface ReadOptions {
  limits?: Partial<ImportLimits>;
  /** Receives one diagnostic per skipped file or dropped part of a record. */
  diagnostics?: Diagnostic[];
  stats?: ImportStats;
  /** What to call a zip in diagnostics (a URL for a downloaded all.zip, not its temporary file). */
  label?: string;
}

const RECORD_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

/**
 * YAML 1.2 would read an unquoted `2.10` in a versions list as the number 2.1, silently turning one
 * version into another. With int and float resolution removed every such scalar stays a string;
 * booleans and nulls keep their meaning. `maxAliasCount` (the library default) stops alias bombs.
 * Custom tags (`!!js/function` and friends) are never executed by this library, only ignored.
 */
const YAML_OPTIONS = {
  schema: 'core' as const,
  customTags: (tags: Tags): Tags =>
    tags.filter((t) => {
      const tag = typeof t === 'string' ? t : t.tag;
      return tag !== 'tag:yaml.org,2002:int' && tag !== 'tag:yaml.org,2002:float';
    }),
  maxAliasCount: 100,
  uniqueKeys: true,
  // The library reports warnings (unknown tags...) through process.emitWarning, i.e. straight to the
  // user's stderr; errors still throw and become diagnostics.
  logLevel: 'error' as const,
};

type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;

/**
 * The YAML parser, loaded on first use: it is the largest module pyward has, and an audit that
 * opens an existing index (the usual case) never parses YAML.
 */
function parseYaml(text: string, options: typeof YAML_OPTIONS): unknown {
  yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return yamlModule.parse(text, options);
}

export function newStats(): ImportStats {
  return { files: 0, records: 0, notPypi: 0, skipped: 0, withdrawn: 0 };
}

/** Untrusted names (zip members) in messages: no control characters, bounded length. */
function displayName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}

/**
 * Yields the PyPI records of an OSV source, lazily, so that a large archive streams straight into the
 * store. Throws InputError only when the source as a whole cannot be used (missing, unknown kind,
 * an archive that breaks the limits); per-file problems go to `diagnostics`.
 */
export function* readOsvSource(source: string, options: ReadOptions = {}): Generator<OsvRecord> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const diagnostics = options.diagnostics ?? [];
  const stats = options.stats ?? newStats();
  let st;
  try {
    st = statSync(source);
  } catch {
    throw new InputError('input-not-found', `${source}: no such file or directory`);
  }
  const ctx: Ctx = { limits, diagnostics, stats, label: options.label ?? source };
  if (st.isDirectory()) {
    yield* readDirectory(source, ctx);
  } else if (st.isFile()) {
    if (looksLikeZip(readHead(source))) {
      yield* readZip(source, st.size, ctx);
    } else if (RECORD_EXTENSIONS.has(extname(source).toLowerCase())) {
      yield* readRecordFile(source, source, ctx);
    } else {
      throw new InputError(
        'input-unknown-format',
        `${source}: not an OSV source (expected a zip such as all.zip, a directory of OSV records, or a .json/.yaml record)`,
      );
    }
  } else {
    throw new InputError('input-unknown-format', `${source}: not a regular file or directory`);
  }
}

interface Ctx {
  limits: ImportLimits;
  diagnostics: Diagnostic[];
  stats: ImportStats;
  label: string;
}

function readHead(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(4);
    readSync(fd, head, 0, 4, 0);
    return head;
  } finally {
    closeSync(fd);
  }
}

function warn(ctx: Ctx, code: string, file: string, message: string): void {
  // Parser messages quote the input they choke on; that input is untrusted and goes to a terminal.
  // eslint-disable-next-line no-control-regex
  const clean = message.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
  ctx.diagnostics.push({ severity: 'warning', code, message: clean, location: { file } });
}

interface WalkEntry {
  path: string;
  /** The path below the root, as `path.relative(root, path)` gives it. */
  rel: string;
  symlink: boolean;
}

/**
 * The candidate record files under `root`, depth-first in sorted order (so imports and their
 * diagnostics are reproducible). Hidden entries (.git, .github) are skipped; symbolic links are
 * reported but never followed: a link could point anywhere on the machine.
 */
function* walkRecordFiles(
  root: string,
  onError: (dir: string, e: unknown) => void,
  onDir?: (dir: string, rel: string) => void,
): Generator<WalkEntry> {
  // Paths are put together by hand, not with join() and relative(), which cost more than the
  // readdir and lstat calls themselves on a tree of thousands of files. A name from readdir holds
  // no separator and is never `.` or `..`, so below a normalized directory `dir + sep + name` is
  // exactly what join() would give (below `.`, join() gives the bare name).
  const base = normalize(root);
  const under = (dir: string, name: string): string =>
    dir === '.' || dir === `.${sep}` ? name : dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
  const stack: [dir: string, rel: string][] = [[base, '']];
  while (stack.length) {
    const [dir, dirRel] = stack.pop()!;
    // Before the listing is read, so that a change made after it moves the directory's mtime on.
    onDir?.(dir, dirRel);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      onError(dir === base ? root : dir, e);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: [string, string][] = [];
    for (const ent of entries) {
      const name = ent.name;
      if (name.startsWith('.')) continue;
      const path = under(dir, name);
      const rel = dirRel === '' ? name : `${dirRel}${sep}${name}`;
      const isRecord = RECORD_EXTENSIONS.has(extname(name).toLowerCase());
      if (ent.isSymbolicLink()) {
        if (isRecord) yield { path, rel, symlink: true };
      } else if (ent.isDirectory()) {
        subdirs.push([path, rel]);
      } else if (ent.isFile() && isRecord) {
        yield { path, rel, symlink: false };
      }
    }
    // Reversed so that popping visits subdirectories in sorted order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function* readDirectory(root: string, ctx: Ctx): Generator<OsvRecord> {
  let seen = 0;
  const onError = (dir: string, e: unknown): void => warn(ctx, 'advisory-skipped', dir, `cannot read directory (${errCode(e)})`);
  for (const { path, rel, symlink } of walkRecordFiles(root, onError)) {
    if (symlink) {
      warn(ctx, 'advisory-skipped', path, 'symbolic link not followed');
      ctx.stats.skipped++;
      continue;
    }
    if (++seen > ctx.limits.maxEntries) {
      throw new InputError('input-unreadable', `${root}: more than ${ctx.limits.maxEntries} record files; refusing to import`);
    }
    yield* readRecordFile(path, rel || path, ctx, path);
  }
}

/**
 * Identifies the current content of an OSV source cheaply (names, sizes and mtimes, no reading), so
 * a cached index can be reused while the source is unchanged. For a directory every record file
 * counts: an edit deep in the tree does not change the top directory's mtime.
 *
 * `fingerprint` is the listing itself (one line per record file), not a hash of it: it is compared
 * for equality only, a comparison of even a large listing costs less than loading a hash function,
 * and no two different listings can compare equal. `dirs` has one line per directory walked with
 * its mtime (empty for a file source), which lets `unchangedSince` confirm a fingerprint later
 * without listing every directory again.
 */
export interface SourceListing {
  fingerprint: string;
  dirs: string;
}

export function sourceListing(source: string): SourceListing {
  const st = statSync(source);
  if (!st.isDirectory()) return { fingerprint: `file\0${st.size}\0${st.mtimeMs}\0${st.ino}`, dirs: '' };
  const lines: string[] = [];
  const dirs: string[] = [];
  const onDir = (dir: string, rel: string): void => {
    const d = statSync(dir, { throwIfNoEntry: false });
    dirs.push(`${rel}\0${d === undefined ? 'gone' : d.mtimeMs}\n`);
  };
  // A directory that cannot be listed may become listable without its mtime changing (chmod
  // changes only its ctime), so such a tree gets no `dirs`: every later check is a full listing.
  let unlisted = false;
  for (const { path, rel } of walkRecordFiles(source, () => void (unlisted = true), onDir)) lines.push(fileLine(path, rel));
  return { fingerprint: `dir\0${lines.length}\n${lines.join('')}`, dirs: unlisted ? '' : dirs.join('') };
}

function fileLine(path: string, rel: string): string {
  let f;
  try {
    f = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    f = undefined; // unreadable now: as good as gone
  }
  return f === undefined ? `${rel}\0gone\n` : `${rel}\0${f.size}\0${f.mtimeMs}\n`;
}

/**
 * True when `sourceListing(source).fingerprint` would still be `fingerprint`, given the `dirs` that
 * were recorded with it, found without listing any directory: a directory's mtime changes whenever
 * an entry is added to it, removed from it or renamed in it, so while every recorded directory
 * keeps its mtime the record files are the ones the fingerprint names, and only their sizes and
 * mtimes (an edit in place) need checking, one lstat each. False means "not shown unchanged": the
 * caller then computes the listing in full (anything unexpected here, such as a name the line
 * format cannot hold, lands there too). Timestamps are trusted to the same resolution as the
 * fingerprint's own file mtimes.
 */
export function unchangedSince(source: string, dirs: string, fingerprint: string): boolean {
  if (dirs === '' || !fingerprint.startsWith('dir\0')) return false;
  const base = normalize(source);
  const prefix = base.endsWith(sep) ? base : `${base}${sep}`;
  // The recorded numbers are compared as numbers: Number(`${x}`) === x for every double, so this
  // is the comparison of the lines sourceListing would write, without writing them.
  let i = 0;
  while (i < dirs.length) {
    const end = dirs.indexOf('\n', i);
    const nul = dirs.lastIndexOf('\0', end);
    if (end < 0 || nul < i) return false;
    const d = statSync(nul === i ? base : prefix + dirs.slice(i, nul), { throwIfNoEntry: false });
    if (d === undefined || !d.isDirectory() || end === nul + 1 || d.mtimeMs !== Number(dirs.slice(nul + 1, end))) return false;
    i = end + 1;
  }
  i = fingerprint.indexOf('\n') + 1;
  let count = 0;
  while (i < fingerprint.length) {
    const end = fingerprint.indexOf('\n', i);
    const nul = fingerprint.indexOf('\0', i);
    if (end < 0 || nul < 0 || nul > end) return false;
    let f;
    try {
      f = lstatSync(prefix + fingerprint.slice(i, nul), { throwIfNoEntry: false });
    } catch {
      f = undefined;
    }
    const second = fingerprint.indexOf('\0', nul + 1);
    if (f === undefined) {
      if (end !== nul + 5 || !fingerprint.startsWith('gone', nul + 1)) return false;
    } else if (
      second <= nul + 1 ||
      second >= end - 1 ||
      f.size !== Number(fingerprint.slice(nul + 1, second)) ||
      f.mtimeMs !== Number(fingerprint.slice(second + 1, end))
    ) {
      return false;
    }
    count++;
    i = end + 1;
  }
  return fingerprint.startsWith(`dir\0${count}\n`);
}

function* readRecordFile(path: string, where: string, ctx: Ctx, display: string = path): Generator<OsvRecord> {
  ctx.stats.files++;
  let size: number;
  try {
    size = lstatSync(path).size;
  } catch (e) {
    warn(ctx, 'advisory-skipped', display, `cannot read (${errCode(e)})`);
    ctx.stats.skipped++;
    return;
  }
  if (size > ctx.limits.maxEntryBytes) {
    warn(ctx, 'advisory-too-large', display, `skipped: ${size} bytes is over the ${ctx.limits.maxEntryBytes}-byte limit for one advisory`);
    ctx.stats.skipped++;
    return;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    warn(ctx, 'advisory-skipped', display, `cannot read (${errCode(e)})`);
    ctx.stats.skipped++;
    return;
  }
  yield* parseRecords(bytes, extname(path).toLowerCase(), where, display, ctx);
}

function* readZip(file: string, fileSize: number, ctx: Ctx): Generator<OsvRecord> {
  const { limits } = ctx;
  if (fileSize > limits.maxZipBytes) {
    throw new InputError('input-unreadable', `${ctx.label}: ${fileSize} bytes is over the ${limits.maxZipBytes}-byte limit for an advisory archive`);
  }
  const buf = readFileSync(file);
  let members;
  try {
    members = readCentralDirectory(buf, limits.maxEntries);
  } catch (e) {
    throw new InputError('input-unreadable', `${ctx.label}: not a readable zip archive (${(e as Error).message})`);
  }
  // Decide from the declared sizes before inflating anything: a bomb is refused whole, up front.
  let total = 0;
  for (const m of members) total += m.size;
  if (total > limits.maxTotalBytes) {
    throw new InputError('input-unreadable', `${ctx.label}: members add up to ${total} bytes uncompressed, over the ${limits.maxTotalBytes}-byte limit; refusing it`);
  }
  if (total > 1024 * 1024 && total / Math.max(fileSize, 1) > limits.maxRatio) {
    throw new InputError(
      'input-unreadable',
      `${ctx.label}: claims to expand ${Math.round(total / Math.max(fileSize, 1))} times its size (limit ${limits.maxRatio}); refusing a likely zip bomb`,
    );
  }
  for (const m of members) {
    // Member names are only labels here: nothing is written to disk, so `../` cannot escape anywhere.
    const name = displayName(m.name);
    const display = `${ctx.label}!/${name}`;
    if (m.name.endsWith('/')) continue;
    const ext = extname(m.name).toLowerCase();
    if (!RECORD_EXTENSIONS.has(ext)) continue;
    ctx.stats.files++;
    if (m.encrypted) {
      warn(ctx, 'advisory-skipped', display, 'skipped: encrypted member');
      ctx.stats.skipped++;
      continue;
    }
    if (m.size > limits.maxEntryBytes) {
      warn(ctx, 'advisory-too-large', display, `skipped: ${m.size} bytes is over the ${limits.maxEntryBytes}-byte limit for one advisory`);
      ctx.stats.skipped++;
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readMember(buf, m);
    } catch (e) {
      if (!(e instanceof ZipFormatError)) throw e;
      warn(ctx, 'bad-advisory', display, `skipped: damaged member (${e.message})`);
      ctx.stats.skipped++;
      continue;
    }
    yield* parseRecords(bytes, ext, name, display, ctx);
  }
}

function* parseRecords(bytes: Buffer, ext: string, where: string, display: string, ctx: Ctx): Generator<OsvRecord> {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = ext === '.json' ? JSON.parse(text) : parseYaml(text, YAML_OPTIONS);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    warn(ctx, 'bad-advisory', display, `skipped: not valid ${ext === '.json' ? 'JSON' : 'YAML'} (${msg})`);
    ctx.stats.skipped++;
    return;
  }
  // Some exports bundle many records into one JSON array; accept that shape too.
  const docs = Array.isArray(doc) ? doc : [doc];
  for (let i = 0; i < docs.length; i++) {
    const label = Array.isArray(doc) ? `${where}[${i}]` : where;
    const { record, warning } = toOsvRecord(docs[i], label);
    if (warning) {
      const message = warning.startsWith(`${label}: `) ? warning.slice(label.length + 2) : warning;
      warn(ctx, 'bad-advisory', Array.isArray(doc) ? `${display}[${i}]` : display, record ? message : `skipped: ${message}`);
    }
    if (!record) {
      ctx.stats.skipped++;
      continue;
    }
    if (!isPypiRecord(record)) {
      ctx.stats.notPypi++;
      continue;
    }
    ctx.stats.records++;
    if (record.withdrawn !== undefined) ctx.stats.withdrawn++;
    yield record;
  }
}
