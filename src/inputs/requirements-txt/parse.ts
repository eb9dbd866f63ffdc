/**
 * requirements.txt (and constraints files, pip-compile `.in` files) read the way pip reads them:
 * line joining, comments, `${VAR}`, nested `-r`/`-c`, per-requirement `--hash`, and the forms a
 * requirement can take (name and specifier, `name @ url`, bare URL or path, VCS, editable, wheel
 * file). Bad lines become diagnostics with file and line; the rest of the file is still read.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, formatLocation } from '../../core/errors.js';
import type { Diagnostic, Inventory, Location, Package, SourceKind } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { parseRequirement } from '../../core/requirement.js';
import { canonicalVersion } from '../../core/version.js';
import { parseWheelFilename } from '../../core/filename.js';
import { tomlParser } from '../toml.js';
import type { InputFormat } from '../types.js';
import {
  eggFragment,
  fileName,
  isArchive,
  isImmutableRevision,
  isUrl,
  isVcsUrl,
  looksLikePath,
  normalizeEditableUrl,
  redactUrl,
  stripExtras,
  urlHash,
  urlScheme,
  vcsRevision,
} from './links.js';
import { logicalLines, splitArgsOptions, stripComment } from './lines.js';
import { parseOptionWords, shlexSplit, type ParsedOption } from './options.js';

export const FORMAT = 'requirements-txt';

export interface RequirementsFileOption {
  /** Canonical long name: `--index-url` also for `-i` and `--pypi-url`. */
  option: string;
  /** The value, with any password in a URL replaced by `****`. */
  value?: string;
  location: Location;
  /** For options that belong to one requirement (`--config-settings`, `--global-option`): its normalized name. */
  requirement?: string;
}

export interface RequirementsFileInventory extends Inventory {
  format: typeof FORMAT;
  indexUrls: string[];
  /**
   * Entries of `-c` files. A constraint only limits which version pip may choose and installs
   * nothing by itself, so constraints stay out of `packages`, as pip-audit leaves them out:
   * auditing them would report packages that are never installed. They are kept here (with groups
   * ['constraint']) for whoever wants to know what a constraint pins.
   */
  constraints: Package[];
  /** Every pip option met, in file order, including `-r`/`-c` and per-requirement ones. */
  options: RequirementsFileOption[];
  /** Every file read: the given one, then included ones in the order pip reads them. */
  files: string[];
}

export interface ParseOptions {
  /** Reads a file as text; throws an error with `code: 'ENOENT'` for a missing one. Default: the disk. */
  readFile?: (path: string) => string;
  /** The variables `${VAR}` expands from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** pip's `STRONG_HASHES`: it refuses `--hash` with any other algorithm. */
const HASH_OPTION = /^(sha256|sha384|sha512):(.+)$/;

/** pip's `ENV_VAR_RE`: only `${NAME}` with upper-case letters, digits and `_` is expanded. */
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

/** Real files, even hashed ones for large projects, are well under a megabyte; this bounds the work on hostile ones. */
const MAX_TEXT_LENGTH = 16 * 1024 * 1024;

/** A guard against include chains that loop through symlinks, which path comparison cannot see. */
const MAX_INCLUDE_DEPTH = 64;

interface Frame {
  abs: string;
  display: string;
  /** The line of this file that includes the next frame. */
  line?: number;
}

interface Context {
  readFile: (path: string) => string;
  env: Readonly<Record<string, string | undefined>>;
  inventory: RequirementsFileInventory;
  /** Files already read, per mode: a file included twice (a diamond, not a cycle) is read once. */
  read: Set<string>;
  /** inventory.indexUrls as a set: a search of the list per option was quadratic in a file of many. */
  indexUrls: Set<string>;
  requireHashes?: Location;
  /**
   * The first requirement with `--hash`: from then on pip checks every hash. A `#sha256=` URL
   * fragment is checked too but does not switch that mode on, so it does not count here.
   */
  hashedBy?: Package;
}

/** Decodes a requirements file as pip's `auto_decode` does: BOM first, then a `coding:` comment, else UTF-8. */
export function decodeRequirementsBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  // `pip freeze > requirements.txt` in Windows PowerShell writes UTF-16 with a BOM.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).split(/\r\n|\n|\r/).slice(0, 2);
  for (const line of head) {
    const m = /^#.*coding[:=]\s*([-\w.]+)/.exec(line);
    if (!m) continue;
    // Python spells `latin-1` where the WHATWG labels TextDecoder knows say `latin1`.
    for (const label of [m[1]!, m[1]!.replace(/[-_]/g, '')]) {
      try {
        return new TextDecoder(label).decode(bytes);
      } catch {
        // Not a label TextDecoder knows; after both spellings, fall back to UTF-8 like a modern locale.
      }
    }
    break;
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function readFromDisk(path: string): string {
  return decodeRequirementsBytes(readFileSync(path));
}

/** The path of a `file://` URL on this machine; undefined for one that names another host or is malformed. */
function localPath(url: string): string | undefined {
  if (!url.toLowerCase().startsWith('file://')) return undefined;
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

export function parseRequirementsFile(path: string, options: ParseOptions = {}): RequirementsFileInventory {
  const ctx: Context = {
    readFile: options.readFile ?? readFromDisk,
    env: options.env ?? process.env,
    inventory: {
      format: FORMAT,
      path,
      packages: [],
      diagnostics: [],
      indexUrls: [],
      constraints: [],
      options: [],
      files: [],
    },
    read: new Set(),
    indexUrls: new Set(),
  };
  readInto(ctx, path, false, [], undefined);
  finish(ctx);
  return ctx.inventory;
}

function readInto(ctx: Context, display: string, constraint: boolean, stack: Frame[], from: Location | undefined): void {
  const abs = resolve(display);
  const key = `${constraint ? 'c' : 'r'}:${abs}`;
  if (ctx.read.has(key)) return;
  ctx.read.add(key);
  if (!ctx.inventory.files.includes(display)) ctx.inventory.files.push(display);

  let text: string;
  try {
    text = ctx.readFile(display);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = errnoCode(e);
    const where = from ?? { file: display };
    const what = from ? `${display}, included here,` : 'this file';
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError(
        'input-not-found',
        `${what} does not exist${from ? ' (an include is relative to the file that includes it)' : ''}`,
        where,
      );
    }
    const reason = e instanceof Error ? e.message : String(e);
    throw new InputError('input-unreadable', `cannot read ${what}: ${reason}`, where);
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.length > MAX_TEXT_LENGTH) {
    throw new InputError('input-parse', `larger than ${MAX_TEXT_LENGTH / 1024 / 1024} MiB, which no requirements file is; check the path`, from ?? { file: display });
  }
  if (text.includes('\u0000')) {
    throw new InputError(
      'input-unknown-format',
      'not a requirements file: it holds binary data (NUL bytes); a UTF-16 file needs its BOM',
      from ?? { file: display },
    );
  }
  for (const logical of logicalLines(text, { offsets: false })) {
    handleLine(ctx, { abs, display }, logical.line, stripComment(logical).text, constraint, stack);
  }
}

/** Messages quote lines after `${VAR}` expansion, so credentials in their URLs are masked here, once for all. */
function addDiagnostic(ctx: Context, severity: Diagnostic['severity'], code: string, message: string, location: Location): void {
  ctx.inventory.diagnostics.push({ severity, code, message: redactUrl(message), location });
}

/** pip's `expand_env_variables`: each `${VAR}` that is set and non-empty is replaced; others stay as written. */
function expandEnv(ctx: Context, line: string, location: Location): string {
  if (!line.includes('${')) return line;
  let out = line;
  const warned = new Set<string>();
  for (const m of line.matchAll(ENV_VAR)) {
    const [written, name] = m as unknown as [string, string];
    const value = ctx.env[name];
    if (value) {
      out = out.split(written).join(value);
    } else if (!warned.has(name)) {
      warned.add(name);
      addDiagnostic(ctx, 'warning', 'undefined-env-var', `${written} is not set (or empty), so pip would read it literally; set ${name} or remove it`, location);
    }
  }
  return out;
}

function handleLine(ctx: Context, file: Frame, line: number, content: string, constraint: boolean, stack: Frame[]): void {
  if (content === '') return;
  const location: Location = { file: file.display, line };
  const expanded = expandEnv(ctx, content, location);
  const { args, options } = splitArgsOptions(expanded);

  let words: string[] = [];
  try {
    words = shlexSplit(options);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    addDiagnostic(ctx, 'error', 'invalid-option', `cannot split the options ${JSON.stringify(options)}: ${reason} (pip would reject it too)`, location);
  }
  const parsed = parseOptionWords(words);
  if (parsed.problem) addDiagnostic(ctx, 'error', parsed.problem.code, parsed.problem.message, location);
  if (parsed.positionals.length > 0) {
    addDiagnostic(
      ctx,
      'warning',
      'ignored-argument',
      `pip ignores ${parsed.positionals.join(' ')} after the options; put each requirement on a line of its own`,
      location,
    );
  }

  if (args.trim() !== '') {
    for (const o of parsed.options) if (o.spec.scope === 'file') ignoredOption(ctx, o, 'on a requirement line', location);
    handleRequirement(ctx, args.trim(), parsed.options.filter((o) => o.spec.scope === 'requirement'), location, constraint);
    return;
  }
  const editable = parsed.options.find((o) => o.spec.name === '--editable');
  if (editable) {
    // pip takes the first -e of the line and, for editables, no other option.
    for (const o of parsed.options) if (o !== editable) ignoredOption(ctx, o, 'on an editable (-e) line', location);
    handleEditable(ctx, editable.value ?? '', location, constraint);
    return;
  }
  handleOptionLine(ctx, file, line, parsed.options, constraint, stack);
}

function ignoredOption(ctx: Context, o: ParsedOption, where: string, location: Location): void {
  const fix = o.spec.scope === 'file' ? 'put it on a line of its own' : 'put it on the line of the requirement it is for';
  addDiagnostic(ctx, 'warning', 'ignored-option', `pip ignores ${o.written} ${where}; ${fix}`, location);
}

function recordOption(ctx: Context, o: ParsedOption, location: Location, requirement?: string): void {
  const entry: RequirementsFileOption = { option: o.spec.name, location };
  if (o.value !== undefined) entry.value = redactUrl(o.value);
  if (requirement !== undefined) entry.requirement = requirement;
  ctx.inventory.options.push(entry);
}

function warnIfInsecure(ctx: Context, o: ParsedOption, location: Location): void {
  if (o.value !== undefined && urlScheme(o.value) === 'http') {
    addDiagnostic(
      ctx,
      'warning',
      'insecure-index-url',
      `${o.spec.name} ${redactUrl(o.value)} is plain http: anyone on the network path can swap the packages; use https`,
      location,
    );
  }
}

function handleOptionLine(ctx: Context, file: Frame, line: number, opts: ParsedOption[], constraint: boolean, stack: Frame[]): void {
  const location: Location = { file: file.display, line };
  // pip follows the first -r of a line, or else its first -c, and drops the line's other options.
  const include = opts.find((o) => o.spec.name === '--requirement') ?? opts.find((o) => o.spec.name === '--constraint');
  for (const o of opts) {
    if (include && o !== include) {
      ignoredOption(ctx, o, `on the line of ${include.written} ${include.value ?? ''}`, location);
      continue;
    }
    if (o.spec.scope === 'requirement') {
      if (o.spec.name === '--hash') {
        addDiagnostic(ctx, 'warning', 'hash-without-requirement', `--hash ${o.value ?? ''} has no requirement on its line, so pip ignores it; join it to its requirement`, location);
      } else {
        ignoredOption(ctx, o, 'without a requirement', location);
      }
      continue;
    }
    recordOption(ctx, o, location);
    switch (o.spec.name) {
      case '--index-url':
      case '--extra-index-url': {
        const url = redactUrl(o.value ?? '');
        if (!ctx.indexUrls.has(url)) {
          ctx.indexUrls.add(url);
          ctx.inventory.indexUrls.push(url);
        }
        warnIfInsecure(ctx, o, location);
        break;
      }
      case '--find-links':
        warnIfInsecure(ctx, o, location);
        break;
      case '--trusted-host':
        addDiagnostic(
          ctx,
          'warning',
          'trusted-host',
          `--trusted-host ${o.value ?? ''} turns off TLS checks for that host: a network attacker can serve any package; remove it and fix the certificate`,
          location,
        );
        break;
      case '--require-hashes':
        ctx.requireHashes ??= location;
        break;
      default:
        break;
    }
  }
  if (include) includeFile(ctx, file, line, include, stack);
}

function includeFile(ctx: Context, file: Frame, line: number, o: ParsedOption, stack: Frame[]): void {
  const location: Location = { file: file.display, line };
  const ref = o.value ?? '';
  const nestedConstraint = o.spec.name === '--constraint';
  let target: string;
  const scheme = urlScheme(ref);
  const local = scheme === 'file' ? localPath(ref) : undefined;
  if (local !== undefined) {
    target = local;
  } else if (scheme === 'http' || scheme === 'https' || scheme === 'file') {
    addDiagnostic(
      ctx,
      'warning',
      'remote-include',
      `${o.written} ${redactUrl(ref)} is not read: pyward reads local files only; download it and audit it too`,
      location,
    );
    return;
  } else {
    // Like pip: relative to the including file's directory (unlike requirement paths, which are relative to the cwd).
    target = isAbsolute(ref) ? ref : join(dirname(file.display), ref);
  }
  const here: Frame = { ...file, line };
  const chain = [...stack, here];
  const abs = resolve(target);
  const start = chain.findIndex((f) => f.abs === abs);
  if (start >= 0) {
    const path = chain
      .slice(start)
      .map((f) => `${f.display}:${f.line}`)
      .concat(target)
      .join(' -> ');
    throw new InputError('include-cycle', `requirements files include each other: ${path}; remove one of these includes`, location);
  }
  if (chain.length >= MAX_INCLUDE_DEPTH) {
    throw new InputError(
      'include-cycle',
      `includes nest more than ${MAX_INCLUDE_DEPTH} files deep (a cycle through a symlink?): ${chain.map((f) => `${f.display}:${f.line}`).join(' -> ')}`,
      location,
    );
  }
  // pip reads `-r` inside a constraints file as requirements again: only `-c` makes constraints.
  readInto(ctx, target, nestedConstraint, chain, location);
}

/** What a requirement line asks pip to install, before it becomes a Package. */
interface Target {
  rawName?: string;
  extras: string[];
  marker?: string;
  kind: SourceKind;
  /** The URL or path as written, for everything but registry requirements. */
  url?: string;
  /** The specifier set, for registry requirements. */
  specifier?: string;
  /** The version a wheel file name states. */
  version?: string;
  /** What to say when the name cannot be known. */
  unnamedHint?: string;
}

/** pip installs a wheel file as `name==version` of its file name; the core parser checks the name. */
function wheelName(file: string): { rawName: string; version: string } | { error: string } {
  try {
    const wheel = parseWheelFilename(file);
    return { rawName: file.split('-')[0]!, version: wheel.version };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

function urlKind(url: string): SourceKind {
  if (isVcsUrl(url)) return 'vcs';
  return urlScheme(url) === 'file' ? 'path' : 'url';
}

/** Why pip would refuse a requirement, with pip's own hints where it gives one. */
function invalidRequirement(ctx: Context, text: string, reason: string, location: Location): undefined {
  let hint = '';
  if (/\t-/.test(text)) hint = '; separate options from the requirement with a space, not a tab';
  else if (text.includes('=') && !/(===|==|!=|~=|>=|<=|<|>)/.test(text)) hint = '; = is not a valid operator, did you mean == ?';
  addDiagnostic(ctx, 'error', 'invalid-requirement', `invalid requirement ${JSON.stringify(text)}: ${reason}${hint}`, location);
  return undefined;
}

function errorMessage(e: unknown): string {
  if (e instanceof InputError) return e.message;
  throw e;
}

/** A marker of a URL or path requirement, checked by the one PEP 508 parser we have. */
function checkMarker(ctx: Context, text: string, marker: string | undefined, location: Location): boolean {
  if (marker === undefined) return true;
  try {
    parseRequirement(`placeholder ; ${marker}`);
    return true;
  } catch (e) {
    invalidRequirement(ctx, text, errorMessage(e), location);
    return false;
  }
}

/**
 * The name of a local project, read from its pyproject.toml or setup.cfg without running anything.
 * Like pip, a relative path is taken from the current directory, not from the requirements file.
 */
function localProjectName(ctx: Context, path: string): string | undefined {
  const dir = urlScheme(path) === 'file' ? localPath(path) : path;
  if (dir === undefined) return undefined;
  try {
    const doc = tomlParser().parse(ctx.readFile(join(dir, 'pyproject.toml')));
    const project = doc['project'];
    if (typeof project === 'object' && project !== null && !Array.isArray(project)) {
      const name = (project as Record<string, unknown>)['name'];
      if (typeof name === 'string' && isValidName(name)) return name;
    }
  } catch {
    // No readable pyproject.toml with a static name: try setup.cfg.
  }
  try {
    let inMetadata = false;
    for (const raw of ctx.readFile(join(dir, 'setup.cfg')).split(/\r\n|\n|\r/)) {
      const section = /^\s*\[([^\]]+)\]/.exec(raw);
      if (section) inMetadata = section[1]!.trim() === 'metadata';
      const m = /^\s*name\s*[=:]\s*(\S+)\s*$/.exec(raw);
      if (inMetadata && m && isValidName(m[1]!)) return m[1];
    }
  } catch {
    // Neither file: the name is known only to the project's build, which we never run.
  }
  return undefined;
}

function resolveUrl(ctx: Context, text: string, location: Location): Target | undefined {
  // pip splits a URL from its marker at "; " only, since a bare ";" can be part of a URL.
  const sep = text.indexOf('; ');
  const url = (sep < 0 ? text : text.slice(0, sep)).trim();
  const marker = sep < 0 ? undefined : text.slice(sep + 2).trim() || undefined;
  if (!checkMarker(ctx, text, marker, location)) return undefined;
  const kind = urlKind(url);
  const target: Target = { kind, url, extras: [], marker };
  if (kind !== 'vcs' && fileName(url).toLowerCase().endsWith('.whl')) {
    const wheel = wheelName(fileName(url));
    if ('error' in wheel) return invalidRequirement(ctx, text, wheel.error, location);
    return { ...target, rawName: wheel.rawName, version: wheel.version };
  }
  const egg = eggFragment(url);
  if (egg && !egg.valid) {
    return invalidRequirement(ctx, text, `#egg=${egg.rawName} is not a project name; write the requirement as name @ URL`, location);
  }
  return {
    ...target,
    rawName: egg?.rawName,
    extras: egg?.extras ?? [],
    unnamedHint: 'add #egg=name to the URL, or write the requirement as name @ URL',
  };
}

function resolvePath(ctx: Context, text: string, path: string, extras: string[], marker: string | undefined, location: Location): Target | undefined {
  if (!checkMarker(ctx, text, marker, location)) return undefined;
  const target: Target = { kind: 'path', url: path, extras, marker };
  if (path.toLowerCase().endsWith('.whl')) {
    const wheel = wheelName(fileName(path));
    if ('error' in wheel) return invalidRequirement(ctx, text, wheel.error, location);
    return { ...target, rawName: wheel.rawName, version: wheel.version };
  }
  if (isArchive(path)) return { ...target, unnamedHint: 'write it as name @ file:///absolute/path, or install a wheel' };
  return {
    ...target,
    rawName: localProjectName(ctx, path),
    unnamedHint: `no static name in ${path}/pyproject.toml or setup.cfg (paths are relative to the current directory, as in pip)`,
  };
}

/** Follows pip's `parse_req_from_line`, deciding from the text alone where pip would look at the disk. */
function resolveTarget(ctx: Context, text: string, location: Location): Target | undefined {
  if (isUrl(text)) return resolveUrl(ctx, text, location);
  const semi = text.indexOf(';');
  const beforeMarker = (semi < 0 ? text : text.slice(0, semi)).trim();
  const at = beforeMarker.indexOf('@');
  const namedUrl = at >= 0 && !looksLikePath(beforeMarker.slice(0, at));
  const { path, extras } = stripExtras(beforeMarker);
  if (!namedUrl && (isArchive(path) || looksLikePath(path))) {
    const marker = semi < 0 ? undefined : text.slice(semi + 1).trim() || undefined;
    return resolvePath(ctx, text, path, extras, marker, location);
  }
  let req;
  try {
    req = parseRequirement(text);
  } catch (e) {
    return invalidRequirement(ctx, text, errorMessage(e), location);
  }
  const target: Target = { rawName: req.rawName, extras: [...req.extras], marker: req.markerText, kind: 'registry' };
  if (req.url === undefined) return { ...target, specifier: req.specifier };
  const wheel = fileName(req.url).toLowerCase().endsWith('.whl') ? wheelName(fileName(req.url)) : undefined;
  return { ...target, kind: urlKind(req.url), url: req.url, version: wheel && 'version' in wheel ? wheel.version : undefined };
}

/**
 * The version a specifier set pins, if any. `===X` is arbitrary equality, compared as a string,
 * so it is kept as written; `==X` (no wildcard) is canonicalized. Another clause next to a pin can
 * only narrow it further, so the pin is still what pip installs.
 */
export function pinnedVersion(specifier: string): string | undefined {
  for (const clause of specifier.split(',')) {
    const c = clause.trim();
    const arbitrary = /^===\s*(\S.*)$/.exec(c);
    if (arbitrary) return arbitrary[1]!.trim();
    const exact = /^==\s*([^\s*]+)$/.exec(c);
    if (exact) return canonicalVersion(exact[1]!);
  }
  return undefined;
}

function requirementHashes(ctx: Context, opts: ParsedOption[], location: Location): string[] {
  const hashes: string[] = [];
  for (const o of opts) {
    if (o.spec.name !== '--hash') continue;
    const m = HASH_OPTION.exec(o.value ?? '');
    if (m) hashes.push(`${m[1]}:${m[2]}`);
    else {
      addDiagnostic(
        ctx,
        'error',
        'invalid-option',
        `--hash=${o.value ?? ''} is not sha256:, sha384: or sha512: followed by the digest (pip would reject it too)`,
        location,
      );
    }
  }
  return hashes;
}

function sourceWarning(ctx: Context, pkg: Package, location: Location): void {
  const url = pkg.source.url ?? '';
  const label = pkg.source.kind === 'editable' ? `-e ${url}` : url;
  if (pkg.source.kind === 'vcs' || (pkg.source.kind === 'editable' && isVcsUrl(url))) {
    const rev = vcsRevision(url);
    const pinned = rev === undefined
      ? 'it follows the default branch, which can change at any time; pin a full commit id'
      : isImmutableRevision(rev)
        ? 'it is pinned to a commit'
        : `its ref ${rev} is a branch or tag that can be moved; pin a full commit id`;
    addDiagnostic(ctx, 'warning', 'vcs-requirement', `${pkg.rawName} comes from ${label}, not an index, so it cannot be audited by version; ${pinned}`, location);
    return;
  }
  const what = { url: 'a URL', path: 'a local path', editable: 'an editable local project', registry: '' }[pkg.source.kind];
  const unhashed = pkg.source.kind === 'url' && !pkg.hashes ? '; add --hash so its content cannot change' : '';
  addDiagnostic(
    ctx,
    'warning',
    `${pkg.source.kind}-requirement`,
    `${pkg.rawName} comes from ${what} (${label}), not an index, so it cannot be audited by version${unhashed}`,
    location,
  );
}

function addPackage(ctx: Context, target: Target, text: string, hashes: string[], location: Location, constraint: boolean): Package | undefined {
  if (target.rawName === undefined) {
    addDiagnostic(
      ctx,
      'warning',
      'unnamed-requirement',
      `pyward cannot tell which project ${text} installs without building it: ${target.unnamedHint ?? 'name it'}`,
      location,
    );
    return undefined;
  }
  const pkg: Package = {
    name: normalizeName(target.rawName),
    rawName: target.rawName,
    source: { kind: target.kind },
    direct: true,
    location,
  };
  if (target.kind === 'registry') {
    const version = pinnedVersion(target.specifier ?? '');
    if (version !== undefined) pkg.version = version;
    else pkg.specifier = target.specifier ?? '';
  } else {
    pkg.source.url = redactUrl(target.url ?? '');
    if (target.version !== undefined) pkg.version = canonicalVersion(target.version) ?? target.version;
  }
  if (target.extras.length > 0) pkg.extras = target.extras;
  if (target.marker !== undefined) pkg.marker = target.marker;
  const fragmentHash = target.url === undefined ? undefined : urlHash(target.url);
  const allHashes = fragmentHash && !hashes.includes(fragmentHash) ? [...hashes, fragmentHash] : hashes;
  if (allHashes.length > 0) pkg.hashes = allHashes;

  if (constraint) {
    // pip's resolver takes constraints only as a name, a specifier and a marker.
    if (target.kind !== 'registry' || target.extras.length > 0) {
      const form = target.kind !== 'registry' ? `a ${target.kind} reference` : 'extras';
      addDiagnostic(ctx, 'error', 'invalid-constraint', `constraint ${text} has ${form}, which pip rejects: a constraint is only a name, a version specifier and a marker`, location);
      return undefined;
    }
    pkg.groups = ['constraint'];
    ctx.inventory.constraints.push(pkg);
    return pkg;
  }
  ctx.inventory.packages.push(pkg);
  if (target.kind !== 'registry') sourceWarning(ctx, pkg, location);
  else if (pkg.version === undefined) {
    const spec = pkg.specifier === '' ? 'has no version specifier' : `is only constrained by ${pkg.specifier}`;
    addDiagnostic(ctx, 'warning', 'unpinned', `${pkg.rawName} ${spec}, so any matching version may be installed; pin it with == (e.g. pip-compile)`, location);
  }
  return pkg;
}

function handleRequirement(ctx: Context, text: string, opts: ParsedOption[], location: Location, constraint: boolean): void {
  const hashes = requirementHashes(ctx, opts, location);
  const target = resolveTarget(ctx, text, location);
  const pkg = target && addPackage(ctx, target, text, hashes, location, constraint);
  if (pkg && !constraint && hashes.length > 0) ctx.hashedBy ??= pkg;
  for (const o of opts) {
    if (o.spec.name === '--hash') continue;
    if (o.spec.name === '--config-settings' && !(o.value ?? '').includes('=')) {
      addDiagnostic(ctx, 'error', 'invalid-option', `${o.written} ${o.value ?? ''} must be KEY=VALUE (pip would reject it too)`, location);
      continue;
    }
    recordOption(ctx, o, location, pkg?.name);
  }
}

/** pip's `parse_editable`: a local project directory, a `file:` URL, or a VCS URL with `#egg=`. */
function handleEditable(ctx: Context, value: string, location: Location, constraint: boolean): void {
  const text = `-e ${value}`;
  if (constraint) {
    addDiagnostic(ctx, 'error', 'invalid-constraint', `constraint ${text} is editable, which pip rejects: a constraint is only a name, a version specifier and a marker`, location);
    return;
  }
  const { path, extras } = stripExtras(value);
  let target: Target;
  if (path.toLowerCase().startsWith('file:')) {
    const egg = eggFragment(path);
    target = { kind: 'editable', url: path, extras, rawName: egg?.rawName ?? localProjectName(ctx, path) };
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || isUrl(normalizeEditableUrl(value))) {
    const url = normalizeEditableUrl(value);
    if (!isVcsUrl(url)) {
      invalidRequirement(ctx, text, 'an editable must be a local project directory or a VCS URL (git+https://...)', location);
      return;
    }
    const egg = eggFragment(url);
    if (!egg) {
      invalidRequirement(ctx, text, 'pip cannot tell the project name of an editable VCS URL: add #egg=name', location);
      return;
    }
    if (!egg.valid) {
      invalidRequirement(ctx, text, `#egg=${egg.rawName} is not a project name`, location);
      return;
    }
    target = { kind: 'editable', url, extras: egg.extras, rawName: egg.rawName };
  } else {
    target = {
      kind: 'editable',
      url: path,
      extras,
      rawName: localProjectName(ctx, path),
      unnamedHint: `no static name in ${path}/pyproject.toml or setup.cfg (paths are relative to the current directory, as in pip)`,
    };
  }
  addPackage(ctx, target, text, [], location, false);
}

/** Checks that need the whole file set: duplicates, hash-checking mode, the one index. */
function finish(ctx: Context): void {
  const inv = ctx.inventory;
  // The first package of each name and marker: a map, since searching and copying a list of the
  // earlier ones per package was quadratic in a hostile file naming one project 100,000 times.
  const firstOf = new Map<string, Package>();
  for (const pkg of inv.packages) {
    // The same name under different markers is the usual way to pick versions per environment.
    const key = `${pkg.name}\n${pkg.marker ?? ''}`;
    const earlier = firstOf.get(key);
    if (earlier) {
      const at = formatLocation(earlier.location);
      if (earlier.version !== undefined && pkg.version !== undefined && earlier.version !== pkg.version) {
        addDiagnostic(ctx, 'error', 'conflicting-requirements', `${pkg.rawName}==${pkg.version} conflicts with ${earlier.rawName}==${earlier.version} at ${at}: pip cannot install both; keep one`, pkg.location);
      } else {
        addDiagnostic(ctx, 'warning', 'duplicate-requirement', `${pkg.rawName} is also required at ${at}; pip combines both, keep one`, pkg.location);
      }
    } else firstOf.set(key, pkg);
  }

  // Once any requirement has a hash (or --require-hashes is given), pip checks hashes for all of them.
  const hashed = ctx.hashedBy;
  if (ctx.requireHashes || hashed) {
    const why = ctx.requireHashes
      ? `--require-hashes is set at ${formatLocation(ctx.requireHashes)}`
      : `${hashed!.rawName} has --hash (${formatLocation(hashed!.location)})`;
    for (const pkg of inv.packages) {
      if (pkg.hashes !== undefined || pkg.source.kind === 'editable') continue;
      addDiagnostic(ctx, 'warning', 'missing-hash', `${pkg.rawName} has no --hash but ${why}, so pip will refuse to install it; add its hashes (pip-compile --generate-hashes)`, pkg.location);
    }
  }

  // Registry packages come from the index only when exactly one is in play.
  const noIndex = inv.options.some((o) => o.option === '--no-index');
  const indexes = inv.options.filter((o) => o.option === '--index-url');
  const extras = inv.options.some((o) => o.option === '--extra-index-url');
  const index = indexes.at(-1)?.value;
  if (!noIndex && !extras && index !== undefined) {
    for (const pkg of [...inv.packages, ...inv.constraints]) if (pkg.source.kind === 'registry') pkg.source.url = index;
  }
}

const NOT_REQUIREMENTS_IN = new Set(['manifest', 'makefile', 'gnumakefile', 'configure', 'doxyfile']);
/** `config.h.in`, `setup.py.in`, ...: templates for other tools, not pip-compile inputs. */
const TEMPLATE_IN = /\.(h|hpp|c|cc|cpp|py|cfg|ini|toml|json|ya?ml|xml|sh|cmake|pc|spec|service|desktop|txt)$/;

export const requirementsTxt: InputFormat = {
  name: FORMAT,
  matches(path: string, isDirectory: boolean): boolean {
    if (isDirectory) return false;
    const parts = path.split(/[\\/]/);
    const base = (parts.at(-1) ?? '').toLowerCase();
    const parent = (parts.at(-2) ?? '').toLowerCase();
    if (base.endsWith('.txt')) {
      return base.startsWith('requirements') || base.startsWith('constraints') || parent === 'requirements';
    }
    if (base.endsWith('.in')) {
      const stem = base.slice(0, -3);
      return stem !== '' && !NOT_REQUIREMENTS_IN.has(stem) && !TEMPLATE_IN.test(stem);
    }
    return false;
  },
  async read(path: string): Promise<Inventory> {
    return parseRequirementsFile(path);
  },
};
