/**
 * pdm.lock: PDM's lockfile. `[metadata]` names the lock format version and the groups that were
 * locked; each `[[package]]` carries its version, the groups that need it, its own marker, its
 * dependencies as PEP 508 strings and its files with hashes. A package locked with extras appears a
 * second time with `extras = [...]`; the two entries are one package here.
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Inventory, Location, Package, PackageSource } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { lockedVersion, namedEntry } from '../package.js';
import { fileFormat } from '../read.js';
import { VCS_NAMES, vcsUrl } from '../source.js';
import { asArray, asString, asStringArray, asTable, parseToml, TomlText, type TomlTable } from '../toml.js';

const FORMAT = 'pdm-lock';
/** Major `lock_version` this parser was written against (PDM 2.x writes 4.x). */
const SUPPORTED_MAJOR = 4;
/** The name that starts every PEP 508 requirement; the rest of the string is not needed here. */
const REQUIREMENT_NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

interface Entry {
  pkg: Package;
  /** Names from the entry's requirement strings, normalized; may name packages not in the lock. */
  requires: Set<string>;
  key: string;
}

export function parsePdmLock(text: string, file: string): Inventory {
  const doc = parseToml(text, file);
  const inventory: Inventory = { format: FORMAT, path: file, packages: [], diagnostics: [] };
  if (Object.keys(doc).length === 0) return inventory;
  // uv.lock also has [[package]] tables; its integer top-level `version` tells it apart.
  if (doc['metadata'] === undefined && (doc['package'] === undefined || typeof doc['version'] === 'number')) {
    throw new InputError(
      'input-unknown-format',
      `${file}: not a PDM lockfile (no [metadata] and no [[package]] tables); is it another tool's lockfile?`,
      { file },
    );
  }
  const toml = new TomlText(text);
  const diagnostics = inventory.diagnostics;
  checkLockVersion(asTable(doc['metadata']), toml, file, diagnostics);

  const items = asArray(doc['package']);
  const lines = toml.entryLines(['package'], items);
  const entries: Entry[] = [];
  const byKey = new Map<string, Entry>();
  items.forEach((value, index) => {
    const location: Location = { file, line: lines[index] ?? 1 };
    const entry = readEntry(value, location, diagnostics);
    if (!entry) return;
    const same = byKey.get(entry.key);
    if (same) {
      mergeInto(same, entry);
    } else {
      byKey.set(entry.key, entry);
      entries.push(entry);
    }
  });

  const locked = new Set(entries.map((entry) => entry.pkg.name));
  const required = new Set<string>();
  for (const entry of entries) {
    const dependencies = [...entry.requires].filter((name) => name !== entry.pkg.name && locked.has(name));
    for (const name of dependencies) required.add(name);
    if (dependencies.length > 0) entry.pkg.dependencies = dependencies;
  }
  for (const entry of entries) {
    // pdm.lock does not list the project's own requirements. It locks only what the project
    // needs, so a package no other locked package requires must be one the project asks for:
    // such packages are certainly direct. Any other may be direct too; that cannot be told.
    if (!required.has(entry.pkg.name)) entry.pkg.direct = true;
    inventory.packages.push(entry.pkg);
  }
  return inventory;
}

function checkLockVersion(
  metadata: TomlTable | undefined,
  toml: TomlText,
  file: string,
  diagnostics: Diagnostic[],
): void {
  const version = asString(metadata?.['lock_version']);
  if (version === undefined) return;
  const major = /^(\d+)(?:\.|$)/.exec(version);
  if (major && Number(major[1]) === SUPPORTED_MAJOR) return;
  diagnostics.push({
    severity: 'warning',
    code: 'unsupported-lock-version',
    message: `pdm.lock lock_version ${version} is not one pyward knows (${SUPPORTED_MAJOR}.x); packages are read as best it can`,
    location: { file, line: toml.keyPathLine(['metadata', 'lock_version']) ?? 1 },
  });
}

function readEntry(value: unknown, location: Location, diagnostics: Diagnostic[]): Entry | undefined {
  const named = namedEntry(value, '[[package]]', location, diagnostics);
  if (!named) return undefined;
  const { table, rawName } = named;
  const source = readSource(table);
  const pkg: Package = { name: normalizeName(rawName), rawName, source, location };
  const version = lockedVersion(table, rawName, source, location, diagnostics);
  if (version !== undefined) pkg.version = version;
  const extras = asStringArray(table['extras']);
  if (extras.length > 0) pkg.extras = extras;
  const marker = asString(table['marker']);
  if (marker !== undefined) pkg.marker = marker;
  const groups = asStringArray(table['groups']);
  if (groups.length > 0) pkg.groups = groups;
  const hashes = new Set<string>();
  for (const fileEntry of asArray(table['files'])) {
    const hash = asString(asTable(fileEntry)?.['hash']);
    if (hash) hashes.add(hash);
  }
  if (hashes.size > 0) pkg.hashes = [...hashes];
  const requires = new Set<string>();
  for (const requirement of asStringArray(table['dependencies'])) {
    const name = REQUIREMENT_NAME.exec(requirement)?.[1];
    if (name) requires.add(normalizeName(name));
  }
  return { pkg, requires, key: `${pkg.name}\u0000${pkg.version ?? ''}\u0000${source.kind}\u0000${source.url ?? ''}` };
}

function readSource(table: TomlTable): PackageSource {
  for (const vcs of VCS_NAMES) {
    const repo = asString(table[vcs]);
    if (repo === undefined) continue;
    // A locked VCS package is identified by its commit; `ref` (a branch or tag) can move.
    const revision = asString(table['revision']) ?? asString(table['ref']);
    return { kind: 'vcs', url: vcsUrl(vcs, repo, revision) };
  }
  const path = asString(table['path']);
  if (path !== undefined) return { kind: table['editable'] === true ? 'editable' : 'path', url: path };
  const url = asString(table['url']);
  if (url !== undefined) return { kind: 'url', url };
  // pdm.lock does not record which index a package came from.
  return { kind: 'registry' };
}

/** The `extras` copy of a package adds its extras, groups, requirements and any new hashes. */
function mergeInto(target: Entry, other: Entry): void {
  const union = (a: string[] | undefined, b: string[] | undefined): string[] | undefined => {
    const merged = [...new Set([...(a ?? []), ...(b ?? [])])];
    return merged.length > 0 ? merged : undefined;
  };
  const pkg = target.pkg;
  const extras = union(pkg.extras, other.pkg.extras);
  if (extras) pkg.extras = extras.sort();
  const groups = union(pkg.groups, other.pkg.groups);
  if (groups) pkg.groups = groups;
  const hashes = union(pkg.hashes, other.pkg.hashes);
  if (hashes) pkg.hashes = hashes;
  for (const name of other.requires) target.requires.add(name);
}

export const pdmLock = fileFormat(FORMAT, (name) => name === 'pdm.lock', parsePdmLock);
