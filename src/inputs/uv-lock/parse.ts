/**
 * uv.lock: uv's universal lockfile. Every `[[package]]` is a node of one resolution graph;
 * edges are `dependencies`, `optional-dependencies.<extra>` and, on workspace members only,
 * `dev-dependencies.<group>`. Entries may name `version` / `source` on an edge when the graph
 * holds two versions of one name (a forked resolution).
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Inventory, Location, Package, PackageSource } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { canonicalVersion } from '../../core/version.js';
import { DEFAULT_GROUP, lockedVersion, namedEntry } from '../package.js';
import { fileFormat } from '../read.js';
import { asArray, asString, asStringArray, asTable, parseToml, TomlText, type TomlTable } from '../toml.js';

const FORMAT = 'uv-lock';
/** The lockfile `version` this parser was written against; uv itself refuses any other. */
const SUPPORTED_LOCK_VERSION = 1;

interface Edge {
  name: string;
  version?: string;
  extras: string[];
  marker?: string;
}

interface Entry {
  table: TomlTable;
  rawName: string;
  name: string;
  version?: string;
  source: PackageSource;
  /** `virtual`/`editable` of `.`: the project at the lockfile's root. */
  atRoot: boolean;
  location: Location;
  dependencies: Edge[];
  optional: Map<string, Edge[]>;
  dev: Map<string, Edge[]>;
}

export function parseUvLock(text: string, file: string): Inventory {
  const doc = parseToml(text, file);
  const inventory: Inventory = { format: FORMAT, path: file, packages: [], diagnostics: [] };
  if (Object.keys(doc).length === 0) return inventory;
  if (doc['package'] === undefined && doc['version'] === undefined) {
    throw new InputError(
      'input-unknown-format',
      `${file}: not a uv lockfile (no \`version\` and no [[package]] tables); is it another tool's lockfile?`,
      { file },
    );
  }
  const diagnostics = inventory.diagnostics;
  const toml = new TomlText(text);
  const lockVersion = doc['version'];
  if (lockVersion !== undefined && lockVersion !== SUPPORTED_LOCK_VERSION) {
    diagnostics.push({
      severity: 'warning',
      code: 'unsupported-lock-version',
      message: `uv.lock version ${String(lockVersion)} is not the one pyward knows (${SUPPORTED_LOCK_VERSION}); packages are read as best it can`,
      location: { file, line: toml.keyPathLine(['version']) ?? 1 },
    });
  }

  const items = asArray(doc['package']);
  const lines = toml.entryLines(['package'], items);
  const entries: Entry[] = [];
  items.forEach((value, index) => {
    const location: Location = { file, line: lines[index] ?? 1 };
    const entry = readEntry(value, location, diagnostics);
    if (entry) entries.push(entry);
  });

  const registries = new Set<string>();
  for (const entry of entries) {
    if (entry.source.kind === 'registry' && entry.source.url) registries.add(entry.source.url);
  }
  if (registries.size > 0) inventory.indexUrls = [...registries];

  // The project itself (and every workspace member) is what is being scanned, not a dependency:
  // it comes from no index, so looking its name up in advisories would match whatever unrelated
  // PyPI project shares that name. Members are skipped; their edges define direct dependencies
  // and groups.
  const manifest = asTable(doc['manifest']);
  const members = new Set(asStringArray(manifest?.['members']).map((member) => normalizeName(member)));
  const roots = entries.filter((entry) => entry.atRoot || members.has(entry.name));
  const sections: Section[] = [];
  for (const root of roots) {
    sections.push({ group: DEFAULT_GROUP, from: root, edges: root.dependencies });
    for (const [extra, edges] of root.optional) sections.push({ group: extra, from: root, edges });
    for (const [group, edges] of root.dev) sections.push({ group, from: root, edges });
  }
  // A script's lock (`uv lock --script`) and a workspace without a root project have no root
  // entry: their own requirements are listed in [manifest] instead.
  const requirements = readEdges(manifest?.['requirements']);
  if (requirements.length > 0) {
    const from = { rawName: '[manifest]', location: { file, line: toml.keyPathLine(['manifest', 'requirements']) ?? 1 } };
    sections.push({ group: DEFAULT_GROUP, from, edges: requirements });
  }
  const walk = walkFromRoots(entries, roots, sections, diagnostics);
  const rootSet = new Set(roots);

  entries.forEach((entry, index) => {
    if (rootSet.has(entry)) return;
    const pkg: Package = {
      name: entry.name,
      rawName: entry.rawName,
      source: entry.source,
      location: entry.location,
    };
    if (entry.version !== undefined) pkg.version = entry.version;
    const hashes = collectHashes(entry.table);
    if (hashes.length > 0) pkg.hashes = hashes;
    const dependencies = new Set<string>();
    for (const edge of [...entry.dependencies, ...[...entry.optional.values()].flat()]) {
      if (edge.name !== entry.name) dependencies.add(edge.name);
    }
    if (dependencies.size > 0) pkg.dependencies = [...dependencies];
    if (sections.length > 0) pkg.direct = walk.direct.has(index);
    const groups = walk.groups.get(index);
    if (groups) pkg.groups = [...groups];
    const marker = combinedMarker(walk.markers.get(index));
    if (marker !== undefined) pkg.marker = marker;
    const extras = walk.extras.get(index);
    if (extras && extras.size > 0) pkg.extras = [...extras].sort();
    inventory.packages.push(pkg);
  });
  return inventory;
}

function readEntry(value: unknown, location: Location, diagnostics: Diagnostic[]): Entry | undefined {
  const named = namedEntry(value, '[[package]]', location, diagnostics);
  if (!named) return undefined;
  const { table, rawName } = named;
  const { source, atRoot } = readSource(asTable(table['source']));
  const entry: Entry = {
    table,
    rawName,
    name: normalizeName(rawName),
    source,
    atRoot,
    location,
    dependencies: readEdges(table['dependencies']),
    optional: readEdgeGroups(table['optional-dependencies']),
    dev: readEdgeGroups(table['dev-dependencies']),
  };
  const version = lockedVersion(table, rawName, source, location, diagnostics);
  if (version !== undefined) entry.version = version;
  return entry;
}

function readSource(source: TomlTable | undefined): { source: PackageSource; atRoot: boolean } {
  if (!source) return { source: { kind: 'registry' }, atRoot: false };
  const registry = asString(source['registry']);
  if (registry !== undefined) return { source: { kind: 'registry', url: registry }, atRoot: false };
  const git = asString(source['git']);
  if (git !== undefined) return { source: { kind: 'vcs', url: git }, atRoot: false };
  const url = asString(source['url']);
  if (url !== undefined) return { source: { kind: 'url', url }, atRoot: false };
  const editable = asString(source['editable']);
  if (editable !== undefined) return { source: { kind: 'editable', url: editable }, atRoot: editable === '.' };
  const virtual = asString(source['virtual']);
  if (virtual !== undefined) return { source: { kind: 'path', url: virtual }, atRoot: virtual === '.' };
  const path = asString(source['path']) ?? asString(source['directory']);
  if (path !== undefined) return { source: { kind: 'path', url: path }, atRoot: false };
  return { source: { kind: 'registry' }, atRoot: false };
}

function readEdges(value: unknown): Edge[] {
  const edges: Edge[] = [];
  for (const item of asArray(value)) {
    const table = asTable(item);
    const name = asString(table?.['name']);
    if (!table || !name) continue;
    const edge: Edge = { name: normalizeName(name), extras: asStringArray(table['extra']) };
    const version = asString(table['version']);
    if (version !== undefined) edge.version = canonicalVersion(version) ?? version;
    const marker = asString(table['marker']);
    if (marker !== undefined) edge.marker = marker;
    edges.push(edge);
  }
  return edges;
}

function readEdgeGroups(value: unknown): Map<string, Edge[]> {
  const groups = new Map<string, Edge[]>();
  const table = asTable(value);
  if (table) for (const [group, edges] of Object.entries(table)) groups.set(group, readEdges(edges));
  return groups;
}

function collectHashes(table: TomlTable): string[] {
  const hashes = new Set<string>();
  const add = (file: unknown): void => {
    const hash = asString(asTable(file)?.['hash']);
    if (hash) hashes.add(hash);
  };
  add(table['sdist']);
  for (const wheel of asArray(table['wheels'])) add(wheel);
  return [...hashes];
}

/** Whatever declares an edge: an entry, or the [manifest] of a script's lock. */
interface Origin {
  rawName: string;
  location: Location;
}

/** One section of requirements of the project: its main dependencies, an extra, or a group. */
interface Section {
  group: string;
  from: Origin;
  edges: Edge[];
}

interface Walk {
  /** Indexes of entries that a root depends on in any section. */
  direct: Set<number>;
  groups: Map<number, Set<string>>;
  /** Markers of every edge that reached an entry; `null` for an unconditional edge. */
  markers: Map<number, Set<string | null>>;
  /** Extras of an entry that some edge activated. */
  extras: Map<number, Set<string>>;
}

/**
 * Follows edges from the roots, one walk per root section, so that each package learns which
 * groups pull it in (`default`, an extra's name, a dev group's name) and under which markers.
 */
function walkFromRoots(entries: Entry[], roots: Entry[], sections: Section[], diagnostics: Diagnostic[]): Walk {
  const walk: Walk = { direct: new Set(), groups: new Map(), markers: new Map(), extras: new Map() };
  const byName = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    const list = byName.get(entry.name) ?? [];
    list.push(index);
    byName.set(entry.name, list);
  });
  const rootIndexes = new Set(roots.map((root) => entries.indexOf(root)));
  const unresolved = new Set<string>();
  const targets = (edge: Edge, from: Origin): number[] => {
    const candidates = byName.get(edge.name) ?? [];
    const matching = edge.version === undefined
      ? candidates
      : candidates.filter((index) => entries[index]!.version === edge.version);
    if (matching.length === 0 && !unresolved.has(edge.name)) {
      unresolved.add(edge.name);
      diagnostics.push({
        severity: 'warning',
        code: 'unresolved-dependency',
        message: `${from.rawName} depends on ${edge.name}${edge.version ? ` ${edge.version}` : ''}, which has no [[package]] entry; the lockfile may have been edited by hand (run \`uv lock\` to repair it)`,
        location: from.location,
      });
    }
    return matching;
  };

  for (const { from, edges } of sections) {
    for (const edge of edges) {
      for (const index of targets(edge, from)) if (!rootIndexes.has(index)) walk.direct.add(index);
    }
  }

  for (const { group, from: start, edges } of sections) {
    // A node is visited once per activated extra ('' for its plain dependencies).
    const seen = new Set<string>();
    const queue: { edge: Edge; from: Origin }[] = edges.map((edge) => ({ edge, from: start }));
    for (let next = 0; next < queue.length; next++) {
      const { edge, from } = queue[next]!;
      for (const index of targets(edge, from)) {
        const entry = entries[index]!;
        if (!rootIndexes.has(index)) {
          addTo(walk.groups, index, group);
          addTo(walk.markers, index, edge.marker ?? null);
          for (const extra of edge.extras) addTo(walk.extras, index, extra);
        }
        for (const extra of ['', ...edge.extras]) {
          const key = `${index}\u0000${extra}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const children = extra === '' ? entry.dependencies : (entry.optional.get(extra) ?? []);
          for (const child of children) queue.push({ edge: child, from: entry });
        }
      }
    }
  }
  return walk;
}

function addTo<T>(map: Map<number, Set<T>>, key: number, value: T): void {
  const set = map.get(key) ?? new Set<T>();
  set.add(value);
  map.set(key, set);
}

/**
 * A package reached only through conditional edges applies only where one of those markers holds.
 * The parent's own condition is not folded in, so the result can be broader than the truth, never
 * narrower: a check that honours it may look at a package needlessly but never skip one that applies.
 */
function combinedMarker(markers: Set<string | null> | undefined): string | undefined {
  if (!markers || markers.size === 0 || markers.has(null)) return undefined;
  const list = [...(markers as Set<string>)].sort();
  return list.length === 1 ? list[0] : list.map((marker) => `(${marker})`).join(' or ');
}

// `uv lock --script demo.py` writes `demo.py.lock` beside the script.
export const uvLock = fileFormat(FORMAT, (name) => name === 'uv.lock' || name.endsWith('.py.lock'), parseUvLock);
