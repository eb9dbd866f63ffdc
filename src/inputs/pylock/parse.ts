/**
 * PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`): the standard lock format that uv and
 * PDM export. Each `[[packages]]` has a name, usually a version, an optional marker and exactly
 * one kind of source: `vcs`, `directory`, `archive`, or an index's `sdist` / `wheels`.
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Inventory, Location, Package, PackageSource } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { canonicalVersion } from '../../core/version.js';
import { checkedVersion, namedEntry } from '../package.js';
import { baseName, fileFormat } from '../read.js';
import { vcsUrl } from '../source.js';
import { asArray, asString, asTable, isTable, parseToml, TomlText, type TomlTable } from '../toml.js';

const FORMAT = 'pylock';
/** PEP 751: a tool MUST refuse a lock file whose major version it does not know. */
const SUPPORTED_MAJOR = 1;
const FILE_NAME = /^pylock\.([^.]+\.)?toml$/;
/** `"dev" in dependency_groups`, `'socks' in extras`: how a lock file scopes a package. */
const SCOPE_MARKER = /(["'])([^"']+)\1\s+in\s+(extras|dependency_groups)\b/g;

export function parsePylock(text: string, file: string): Inventory {
  const doc = parseToml(text, file);
  const inventory: Inventory = { format: FORMAT, path: file, packages: [], diagnostics: [] };
  if (Object.keys(doc).length === 0) return inventory;
  if (doc['lock-version'] === undefined && doc['packages'] === undefined) {
    throw new InputError(
      'input-unknown-format',
      `${file}: not a PEP 751 lock file (no \`lock-version\` and no [[packages]] tables)`,
      { file },
    );
  }
  const toml = new TomlText(text);
  const diagnostics = inventory.diagnostics;
  const lockVersion = doc['lock-version'];
  const versionLine: Location = { file, line: toml.keyPathLine(['lock-version']) ?? 1 };
  if (lockVersion === undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'missing-lock-version',
      message: 'no `lock-version` (PEP 751 requires it); packages are read as version 1.0',
      location: versionLine,
    });
  } else {
    const major = typeof lockVersion === 'string' ? /^(\d+)\.\d+$/.exec(lockVersion)?.[1] : undefined;
    if (major === undefined || Number(major) !== SUPPORTED_MAJOR) {
      // The format may have changed in any way, so nothing in it can be trusted to mean what
      // version 1 means: report it and read no packages rather than guess.
      diagnostics.push({
        severity: 'error',
        code: 'unsupported-lock-version',
        message: `lock-version ${JSON.stringify(lockVersion)} is not supported (pyward reads ${SUPPORTED_MAJOR}.x); regenerate the lock file with a tool that writes lock-version 1.0, or upgrade pyward`,
        location: versionLine,
      });
      return inventory;
    }
  }

  const items = asArray(doc['packages']);
  const lines = toml.entryLines(['packages'], items);
  const indexes = new Set<string>();
  items.forEach((value, index) => {
    const location: Location = { file, line: lines[index] ?? 1 };
    const pkg = readPackage(value, location, diagnostics);
    if (!pkg) return;
    if (pkg.source.kind === 'registry' && pkg.source.url) indexes.add(pkg.source.url);
    inventory.packages.push(pkg);
  });
  if (indexes.size > 0) inventory.indexUrls = [...indexes];
  return inventory;
}

function readPackage(value: unknown, location: Location, diagnostics: Diagnostic[]): Package | undefined {
  const named = namedEntry(value, '[[packages]]', location, diagnostics);
  if (!named) return undefined;
  const { table, rawName } = named;
  const pkg: Package = { name: normalizeName(rawName), rawName, source: readSource(table), location };
  const version = table['version'];
  if (version !== undefined) {
    const canonical = checkedVersion(version, rawName, location, 'error', diagnostics);
    if (canonical !== undefined) pkg.version = canonical;
  } else if (pkg.source.kind === 'registry') {
    // `version` is optional in PEP 751, but a distribution file's name always carries it.
    const inferred = versionFromFileNames(table);
    if (inferred !== undefined) {
      pkg.version = inferred;
    } else {
      diagnostics.push({
        severity: 'warning',
        code: 'missing-version',
        message: `${rawName}: no \`version\` and no file name to take it from, so it cannot be checked for known vulnerabilities`,
        location,
      });
    }
  }
  const marker = asString(table['marker']);
  if (marker !== undefined) {
    pkg.marker = marker;
    const groups = [...new Set([...marker.matchAll(SCOPE_MARKER)].map((m) => m[2]!))];
    if (groups.length > 0) pkg.groups = groups;
  }
  const hashes = collectHashes(table);
  if (hashes.length > 0) pkg.hashes = hashes;
  const dependencies = new Set<string>();
  for (const dependency of asArray(table['dependencies'])) {
    const name = asString(asTable(dependency)?.['name']);
    if (name) dependencies.add(normalizeName(name));
  }
  dependencies.delete(pkg.name);
  if (dependencies.size > 0) pkg.dependencies = [...dependencies];
  return pkg;
}

function readSource(table: TomlTable): PackageSource {
  const vcs = asTable(table['vcs']);
  if (vcs) {
    const type = asString(vcs['type']) ?? 'git';
    const commit = asString(vcs['commit-id']);
    const url = asString(vcs['url']);
    if (url === undefined) return { kind: 'vcs', ...optionalUrl(asString(vcs['path'])) };
    return { kind: 'vcs', url: vcsUrl(type, url, commit) };
  }
  const directory = asTable(table['directory']);
  if (directory) {
    return { kind: directory['editable'] === true ? 'editable' : 'path', ...optionalUrl(asString(directory['path'])) };
  }
  const archive = asTable(table['archive']);
  if (archive) {
    const url = asString(archive['url']);
    if (url !== undefined) return { kind: 'url', url };
    return { kind: 'path', ...optionalUrl(asString(archive['path'])) };
  }
  return { kind: 'registry', ...optionalUrl(asString(table['index'])) };
}

function optionalUrl(url: string | undefined): { url?: string } {
  return url === undefined ? {} : { url };
}

/** Every file's `hashes` table (`{ sha256 = "..." }`) as `sha256:<hex>`, sdist first. */
function collectHashes(table: TomlTable): string[] {
  const hashes = new Set<string>();
  const add = (fileEntry: unknown): void => {
    const fileHashes = asTable(asTable(fileEntry)?.['hashes']);
    if (!fileHashes) return;
    for (const [algorithm, digest] of Object.entries(fileHashes)) {
      if (typeof digest === 'string') hashes.add(`${algorithm}:${digest}`);
    }
  };
  add(table['archive']);
  add(table['sdist']);
  for (const wheel of asArray(table['wheels'])) add(wheel);
  return [...hashes];
}

/**
 * The version from a wheel name (`name-1.0-py3-none-any.whl`: the second dash-separated field) or
 * an sdist name (`name-1.0.tar.gz`: after the last dash), each file's `name` or else its URL/path.
 */
function versionFromFileNames(table: TomlTable): string | undefined {
  const fileName = (entry: unknown): string | undefined => {
    if (!isTable(entry)) return undefined;
    const explicit = asString(entry['name']);
    if (explicit) return explicit;
    const location = asString(entry['url']) ?? asString(entry['path']);
    return location === undefined ? undefined : baseName(location.split(/[?#]/)[0]!);
  };
  for (const wheel of asArray(table['wheels'])) {
    const name = fileName(wheel);
    const version = name?.endsWith('.whl') ? name.split('-')[1] : undefined;
    const canonical = version === undefined ? undefined : canonicalVersion(version);
    if (canonical !== undefined) return canonical;
  }
  const sdist = fileName(table['sdist']);
  const stem = sdist?.replace(/\.(tar\.gz|zip)$/, '');
  if (stem !== undefined && stem !== sdist) {
    const version = stem.slice(stem.lastIndexOf('-') + 1);
    return canonicalVersion(version);
  }
  return undefined;
}

export const pylock = fileFormat(FORMAT, (name) => FILE_NAME.test(name), parsePylock);
