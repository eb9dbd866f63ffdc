/**
 * poetry.lock, lock-version 1.x (Poetry < 1.3: hashes in `[metadata.files]`, `category`) and 2.x
 * (Poetry >= 1.3: per-package `files`; 2.1 adds `groups` and per-package `markers`).
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Inventory, Package, PackageSource } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { checkedVersion, isHash } from '../package.js';
import { fileFormat } from '../read.js';
import { vcsUrl } from '../source.js';
import { isTable, parseToml, type TomlTable } from '../toml.js';

export const FORMAT = 'poetry-lock';

/** The newest lock-version major we know the layout of; newer ones are read best-effort. */
const KNOWN_LOCK_MAJOR = 2;

export const poetryLock = fileFormat(FORMAT, (name) => name === 'poetry.lock', parsePoetryLock);

/** Parses poetry.lock text. Throws InputError only when the text is not TOML at all. */
export function parsePoetryLock(text: string, file: string): Inventory {
  const inventory: Inventory = { format: FORMAT, path: file, packages: [], diagnostics: [] };
  const diagnostics = inventory.diagnostics;
  if (text.trim() === '') {
    diagnostics.push({
      severity: 'warning',
      code: 'empty-input',
      message: `${file} is empty: no packages to read (run \`poetry lock\` to create it)`,
      location: { file },
    });
    return inventory;
  }

  const doc = parseToml(text, file, 'regenerate it with `poetry lock`');

  const metadata = isTable(doc['metadata']) ? doc['metadata'] : undefined;
  checkLockVersion(metadata, file, diagnostics);

  const rawPackages = doc['package'];
  if (rawPackages === undefined) {
    if (metadata === undefined) {
      throw new InputError(
        'input-unknown-format',
        'neither [[package]] nor [metadata] found: this TOML file is not a poetry.lock',
        { file, line: 1 },
      );
    }
    return inventory;
  }
  if (!Array.isArray(rawPackages)) {
    diagnostics.push({
      severity: 'error',
      code: 'invalid-entry',
      message: '`package` is not an array of tables; no packages read',
      location: { file, line: packageKeyLine(text) },
    });
    return inventory;
  }

  // Lock-version 1.x keeps hashes apart from the packages, keyed by name.
  const legacyFiles = new Map<string, unknown[]>();
  const metadataFiles = metadata?.['files'];
  if (isTable(metadataFiles)) {
    for (const [name, files] of Object.entries(metadataFiles)) {
      if (Array.isArray(files)) legacyFiles.set(normalizeName(name), files);
    }
  }

  const extrasOf = extrasByPackage(doc['extras']);
  const lines = packageLines(text, rawPackages);
  const indexUrls: string[] = [];

  rawPackages.forEach((entry: unknown, i: number) => {
    const location = { file, line: lines[i] ?? 1 };
    if (!isTable(entry)) {
      diagnostics.push({ severity: 'error', code: 'invalid-entry', message: '[[package]] entry is not a table; skipped', location });
      return;
    }
    const rawName = entry['name'];
    if (typeof rawName !== 'string' || !isValidName(rawName)) {
      diagnostics.push({
        severity: 'error',
        code: 'invalid-entry',
        message: `[[package]] has ${typeof rawName === 'string' ? `an invalid name ${JSON.stringify(rawName)}` : 'no name'}; skipped`,
        location,
      });
      return;
    }
    const name = normalizeName(rawName);
    const pkg: Package = { name, rawName, source: { kind: 'registry' }, location };

    const rawVersion = entry['version'];
    if (typeof rawVersion === 'string') {
      const version = checkedVersion(rawVersion, rawName, location, 'warning', diagnostics);
      if (version !== undefined) pkg.version = version;
    } else {
      diagnostics.push({ severity: 'warning', code: 'invalid-version', message: `${rawName}: no version`, location });
    }

    const source = readSource(entry, rawName, location, diagnostics);
    pkg.source = source;
    if (source.kind === 'registry' && source.url !== undefined && !indexUrls.includes(source.url)) {
      indexUrls.push(source.url);
    }

    const marker = readMarkers(entry['markers']);
    if (marker !== undefined) pkg.marker = marker;

    const groups = readGroups(entry);
    if (entry['optional'] === true) {
      // Prefixed so an extra never reads as a same-named dependency group.
      for (const extra of extrasOf.get(name) ?? []) groups.push(`extra:${extra}`);
    }
    if (groups.length > 0) pkg.groups = groups;

    const files = Array.isArray(entry['files']) ? entry['files'] : legacyFiles.get(name);
    const hashes = readHashes(files, rawName, location, diagnostics);
    if (hashes.length > 0) pkg.hashes = hashes;

    const dependencies = readDependencies(entry['dependencies']);
    if (dependencies.length > 0) pkg.dependencies = dependencies;

    inventory.packages.push(pkg);
  });

  if (indexUrls.length > 0) inventory.indexUrls = indexUrls;
  return inventory;
}

function checkLockVersion(metadata: TomlTable | undefined, file: string, diagnostics: Diagnostic[]): void {
  const version = metadata?.['lock-version'];
  if (typeof version !== 'string') {
    diagnostics.push({
      severity: 'warning',
      code: 'unknown-lock-version',
      message: 'no [metadata] lock-version: read as a Poetry 2.x lock file',
      location: { file },
    });
    return;
  }
  const major = Number.parseInt(version, 10);
  if (!(major >= 1 && major <= KNOWN_LOCK_MAJOR)) {
    diagnostics.push({
      severity: 'warning',
      code: 'unknown-lock-version',
      message: `lock-version ${version} is newer than this pyward knows (up to ${KNOWN_LOCK_MAJOR}.x); read best-effort`,
      location: { file },
    });
  }
}

function readSource(entry: TomlTable, rawName: string, location: { file: string; line: number }, diagnostics: Diagnostic[]): PackageSource {
  const source = entry['source'];
  if (source === undefined) return { kind: 'registry' };
  if (!isTable(source)) {
    diagnostics.push({ severity: 'warning', code: 'invalid-source', message: `${rawName}: [package.source] is not a table`, location });
    return { kind: 'registry' };
  }
  const type = source['type'];
  const url = typeof source['url'] === 'string' && source['url'] !== '' ? source['url'] : undefined;
  const missingUrl = (): void => {
    diagnostics.push({
      severity: 'warning',
      code: 'invalid-source',
      message: `${rawName}: [package.source] of type ${String(type)} has no url`,
      location,
    });
  };
  switch (type) {
    case 'legacy':
      // A Simple-API index other than PyPI: a private index, a mirror or a proxy.
      if (url === undefined) missingUrl();
      return url === undefined ? { kind: 'registry' } : { kind: 'registry', url: url };
    case 'git': {
      if (url === undefined) {
        missingUrl();
        return { kind: 'vcs' };
      }
      // The resolved commit is what was locked; a branch or tag name can move later.
      const ref = firstString(source['resolved_reference'], source['reference']);
      return { kind: 'vcs', url: vcsUrl('git', url, ref, firstString(source['subdirectory'])) };
    }
    case 'url':
      if (url === undefined) missingUrl();
      return url === undefined ? { kind: 'url' } : { kind: 'url', url };
    case 'directory':
    case 'file': {
      if (url === undefined) missingUrl();
      const kind = type === 'directory' && entry['develop'] === true ? 'editable' : 'path';
      return url === undefined ? { kind } : { kind, url };
    }
    default:
      // Unknown kinds are not assumed to be from PyPI: matching them by version could mislead.
      diagnostics.push({
        severity: 'warning',
        code: 'unknown-source-type',
        message: `${rawName}: unknown [package.source] type ${JSON.stringify(type)}; treated as a direct URL`,
        location,
      });
      return url === undefined ? { kind: 'url' } : { kind: 'url', url };
  }
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/**
 * Poetry 2.1 writes `markers` as one string, or as a table of group -> marker when the groups
 * disagree; the package is installed when any of those holds.
 */
function readMarkers(markers: unknown): string | undefined {
  if (typeof markers === 'string') return markers === '' ? undefined : markers;
  if (!isTable(markers)) return undefined;
  const distinct = [...new Set(Object.values(markers).filter((m): m is string => typeof m === 'string' && m !== ''))];
  if (distinct.length === 0) return undefined;
  if (distinct.length === 1) return distinct[0];
  return distinct.map((m) => `(${m})`).join(' or ');
}

function readGroups(entry: TomlTable): string[] {
  const groups = entry['groups'];
  if (Array.isArray(groups)) return groups.filter((g): g is string => typeof g === 'string');
  // Before lock-version 2.1 the only grouping was `category`: main or dev.
  const category = entry['category'];
  return typeof category === 'string' ? [category] : [];
}

function extrasByPackage(extras: unknown): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  if (!isTable(extras)) return byPackage;
  for (const [extra, members] of Object.entries(extras)) {
    if (!Array.isArray(members)) continue;
    for (const member of members) {
      if (typeof member !== 'string') continue;
      // Old locks list requirement strings ("pyyaml (>=6)"); the name is the first word.
      const name = normalizeName(member.trim().split(/[\s([<>=!~;]/, 1)[0] ?? '');
      if (name === '') continue;
      const list = byPackage.get(name) ?? [];
      if (!list.includes(extra)) list.push(extra);
      byPackage.set(name, list);
    }
  }
  return byPackage;
}

function readHashes(files: unknown[] | undefined, rawName: string, location: { file: string; line: number }, diagnostics: Diagnostic[]): string[] {
  const hashes: string[] = [];
  if (files === undefined) return hashes;
  let bad = 0;
  for (const f of files) {
    const hash = isTable(f) ? f['hash'] : undefined;
    if (typeof hash === 'string' && isHash(hash)) {
      if (!hashes.includes(hash)) hashes.push(hash);
    } else bad++;
  }
  if (bad > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'invalid-hash',
      message: `${rawName}: ${bad} file entr${bad === 1 ? 'y has' : 'ies have'} no valid \`hash = "<algorithm>:<hex>"\``,
      location,
    });
  }
  return hashes;
}

/** `[package.dependencies]`: name -> constraint, table, or list of either (one per marker). */
function readDependencies(dependencies: unknown): string[] {
  if (!isTable(dependencies)) return [];
  const names: string[] = [];
  for (const [name, spec] of Object.entries(dependencies)) {
    const specs = Array.isArray(spec) ? spec : [spec];
    // An optional dependency is installed only through one of the package's extras.
    const required = specs.some((s) => !(isTable(s) && s['optional'] === true));
    const normalized = normalizeName(name);
    if (required && !names.includes(normalized)) names.push(normalized);
  }
  return names;
}

/**
 * The line of each `[[package]]` header, in order: smol-toml keeps array order, so the i-th header
 * belongs to the i-th entry. When the counts disagree (packages written as an inline array, a header
 * hidden in a multi-line string), fall back to the line of each entry's `name = ...`.
 */
function packageLines(text: string, packages: unknown[]): number[] {
  const headers: number[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (/^\s*\[\[\s*package\s*\]\]\s*(#.*)?\r?$/.test(line)) headers.push(i + 1);
  });
  if (headers.length === packages.length) return headers;
  const result: number[] = [];
  let from = 0;
  // A name not found was searched for to the end, once per entry: quadratic on a hostile file of
  // them. Real files stay far below this many characters read; past it, an entry keeps the cursor.
  let budget = 64 * text.length + 16_000_000;
  for (const entry of packages) {
    const name = isTable(entry) && typeof entry['name'] === 'string' ? entry['name'] : undefined;
    let found = -1;
    if (name !== undefined) {
      for (let i = from; i < lines.length && (budget -= lines[i]!.length + 1) >= 0; i++) {
        if (lines[i]?.includes(name) && /\bname\s*=/.test(lines[i] ?? '')) {
          found = i;
          break;
        }
      }
    }
    if (found >= 0) {
      result.push(found + 1);
      from = found + 1;
    } else result.push(from + 1);
  }
  return result;
}

/**
 * The line `/^\s*package\s*=/m` matched at: the first of the blank lines before the key, or the
 * key's own. Line by line, since that pattern's `\s*` rescanned every blank line below each line
 * start: quadratic on a hostile file of blank lines without the key.
 */
function packageKeyLine(text: string): number {
  const lines = text.split('\n');
  let blankFrom = -1;
  for (let i = 0; i < lines.length; i++) {
    const rest = lines[i]!.trimStart();
    if (rest === '') {
      if (blankFrom < 0) blankFrom = i;
      continue;
    }
    if (/^package\s*=/.test(rest)) return (blankFrom < 0 ? i : blankFrom) + 1;
    blankFrom = -1;
  }
  return 1;
}
