/**
 * pyproject.toml: what a project *asks for*, before any resolver ran. Read from PEP 621
 * `[project]` (dependencies and optional-dependencies), PEP 735 `[dependency-groups]`, and
 * Poetry's `[tool.poetry.*dependencies]`. `[tool.uv.sources]` redirects a name to git, a path or
 * a URL, which changes what can be audited, so it is applied too.
 *
 * These are requirements, not locked versions: only an exact pin gives a `version`; anything else
 * keeps its specifier and gets an `unpinned` warning, because which version gets installed is
 * decided later by a resolver that pyward does not run here.
 */
import { InputError } from '../../core/errors.js';
import type { Diagnostic, Inventory, Location, Package, PackageSource } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { parseRequirement, type Requirement } from '../../core/requirement.js';
import { canonicalVersion } from '../../core/version.js';
import { DEFAULT_GROUP } from '../package.js';
import { fileFormat } from '../read.js';
import { vcsUrl } from '../source.js';
import { asArray, asString, asStringArray, asTable, parseToml, TomlText, type TomlTable } from '../toml.js';
import { pythonConstraintMarker, translatePoetryConstraint } from './poetry.js';

const FORMAT = 'pyproject';
const KNOWN_TOP_LEVEL = ['project', 'tool', 'build-system', 'dependency-groups'];
const VCS_SCHEMES = /^(git|hg|svn|bzr)\+/;

class Reader {
  readonly inventory: Inventory;
  readonly diagnostics: Diagnostic[];
  readonly toml: TomlText;
  readonly file: string;
  /** `[tool.uv.sources]`, by normalized name. */
  readonly uvSources = new Map<string, TomlTable>();
  /** Named indexes (`[[tool.uv.index]]`, `[[tool.poetry.source]]`), by name. */
  readonly namedIndexes = new Map<string, string>();

  constructor(text: string, file: string) {
    this.file = file;
    this.toml = new TomlText(text);
    this.inventory = { format: FORMAT, path: file, packages: [], diagnostics: [] };
    this.diagnostics = this.inventory.diagnostics;
  }

  location(line: number | undefined): Location {
    return { file: this.file, line: line ?? 1 };
  }

  /**
   * Walks an array of requirement strings written at `keyPath`, calling `visit` with each item and
   * the line it is on. Lines are found by searching forward from the key for each literal, so
   * repeated strings land on successive lines.
   */
  forEachItem(keyPath: string[], items: unknown[], visit: (item: unknown, line: number) => void): void {
    const keyLine = this.toml.keyPathLine(keyPath) ?? 1;
    const end = this.toml.bodyEnd(keyLine);
    let cursor = keyLine;
    for (const item of items) {
      const text = typeof item === 'string' ? item : asString(asTable(item)?.['include-group']);
      const line = text === undefined ? undefined : this.toml.findStringLine(text, cursor, end);
      if (line !== undefined) cursor = line;
      visit(item, line ?? cursor);
    }
  }

  /** A PEP 508 string from [project] or [dependency-groups]. */
  addRequirement(text: string, groups: string[], line: number): void {
    const location = this.location(line);
    let requirement: Requirement;
    try {
      requirement = parseRequirement(text);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.diagnostics.push({
        severity: 'error',
        code: 'invalid-requirement',
        message: `not a valid PEP 508 requirement (pip would reject it too): ${error.message}`,
        location,
      });
      return;
    }
    const pkg: Package = {
      name: requirement.name,
      rawName: requirement.rawName,
      source: requirement.url !== undefined ? urlSource(requirement.url) : this.uvSource(requirement.name),
      direct: true,
      groups,
      location,
    };
    if (requirement.extras.length > 0) pkg.extras = requirement.extras;
    if (requirement.markerText !== undefined) pkg.marker = requirement.markerText;
    this.setVersion(pkg, requirement.specifier, `${requirement.rawName}${requirement.specifier}`);
    this.inventory.packages.push(pkg);
  }

  /** Pinned (`==X`, `===X`) gives `version`; anything else for an index package is `unpinned`. */
  setVersion(pkg: Package, specifier: string | undefined, written: string): void {
    if (pkg.source.kind !== 'registry') return;
    const pin = /^\s*===?\s*([^\s,*]+)\s*$/.exec(specifier ?? '');
    const version = pin ? canonicalVersion(pin[1]!) : undefined;
    if (version !== undefined) {
      pkg.version = version;
      return;
    }
    pkg.specifier = specifier ?? '';
    this.diagnostics.push({
      severity: 'warning',
      code: 'unpinned',
      message: `${written} is not pinned to one version: a resolver picks the version at install time; audit the lockfile (uv.lock, poetry.lock, pdm.lock, pylock.toml) for the exact versions`,
      location: pkg.location,
    });
  }

  /** The source `[tool.uv.sources]` gives a name, else the default index. */
  uvSource(name: string): PackageSource {
    const source = this.uvSources.get(name);
    if (!source) return { kind: 'registry' };
    const direct = directSource(source, 'editable');
    if (direct) return direct;
    // A workspace member is the project's own code, not something from an index.
    if (source['workspace'] === true) return { kind: 'path' };
    return this.indexSource(asString(source['index']));
  }

  /** A package from the index of that name, or from the default index when none is named or known. */
  indexSource(indexName: string | undefined): PackageSource {
    const indexUrl = indexName === undefined ? undefined : this.namedIndexes.get(indexName);
    return indexUrl === undefined ? { kind: 'registry' } : { kind: 'registry', url: indexUrl };
  }
}

/**
 * What `[tool.uv.sources]` and a Poetry dependency table write alike: a git repository (at a rev,
 * tag or branch), a local path, or a URL; undefined when the spec names none of them. Only the key
 * that makes a path editable differs: `editable` for uv, `develop` for Poetry.
 */
function directSource(spec: TomlTable, editableKey: 'editable' | 'develop'): PackageSource | undefined {
  const git = asString(spec['git']);
  if (git !== undefined) {
    const revision = asString(spec['rev']) ?? asString(spec['tag']) ?? asString(spec['branch']);
    return { kind: 'vcs', url: vcsUrl('git', git, revision) };
  }
  const path = asString(spec['path']);
  if (path !== undefined) return { kind: spec[editableKey] === true ? 'editable' : 'path', url: path };
  const url = asString(spec['url']);
  if (url !== undefined) return { kind: 'url', url };
  return undefined;
}

export function parsePyproject(text: string, file: string): Inventory {
  const doc = parseToml(text, file);
  const reader = new Reader(text, file);
  const keys = Object.keys(doc);
  if (keys.length === 0) return reader.inventory;
  if (!keys.some((key) => KNOWN_TOP_LEVEL.includes(key))) {
    throw new InputError(
      'input-unknown-format',
      `${file}: not a pyproject.toml (none of [project], [tool], [build-system], [dependency-groups])`,
      { file },
    );
  }
  const tool = asTable(doc['tool']);
  readIndexes(reader, tool);
  readProject(reader, asTable(doc['project']));
  readDependencyGroups(reader, asTable(doc['dependency-groups']));
  readPoetry(reader, asTable(tool?.['poetry']), asTable(doc['project']));
  // Sections are read by kind, not in the order the file has them; report in file order.
  const line = (location: Location | undefined): number => location?.line ?? 0;
  reader.inventory.packages.sort((a, b) => line(a.location) - line(b.location));
  reader.diagnostics.sort((a, b) => line(a.location) - line(b.location));
  return reader.inventory;
}

function readIndexes(reader: Reader, tool: TomlTable | undefined): void {
  const urls = new Set<string>();
  const uv = asTable(tool?.['uv']);
  const named = (entries: unknown): void => {
    for (const entry of asArray(entries)) {
      const table = asTable(entry);
      const url = asString(table?.['url']);
      if (!table || url === undefined) continue;
      urls.add(url);
      const name = asString(table['name']);
      if (name !== undefined) reader.namedIndexes.set(name, url);
    }
  };
  named(uv?.['index']);
  named(asTable(tool?.['poetry'])?.['source']);
  named(asTable(tool?.['pdm'])?.['source']);
  const indexUrl = asString(uv?.['index-url']);
  if (indexUrl !== undefined) urls.add(indexUrl);
  for (const url of asStringArray(uv?.['extra-index-url'])) urls.add(url);
  if (urls.size > 0) reader.inventory.indexUrls = [...urls];

  const sources = asTable(uv?.['sources']);
  for (const [name, value] of Object.entries(sources ?? {})) {
    // A list of sources picks one per marker; they are the same kind in practice, take the first.
    const source = Array.isArray(value) ? asTable(value[0]) : asTable(value);
    if (source) reader.uvSources.set(normalizeName(name), source);
  }
}

function readProject(reader: Reader, project: TomlTable | undefined): void {
  if (!project) return;
  const dynamic = asStringArray(project['dynamic']);
  for (const field of ['dependencies', 'optional-dependencies']) {
    if (!dynamic.includes(field)) continue;
    reader.diagnostics.push({
      severity: 'warning',
      code: 'dynamic-dependencies',
      message: `[project] ${field} is dynamic: the build backend computes it, and pyward never runs builds; audit a lockfile instead`,
      location: reader.location(reader.toml.keyPathLine(['project', 'dynamic'])),
    });
  }
  reader.forEachItem(['project', 'dependencies'], asArray(project['dependencies']), (item, line) => {
    if (typeof item === 'string') reader.addRequirement(item, [DEFAULT_GROUP], line);
  });
  for (const [extra, items] of Object.entries(asTable(project['optional-dependencies']) ?? {})) {
    reader.forEachItem(['project', 'optional-dependencies', extra], asArray(items), (item, line) => {
      if (typeof item === 'string') reader.addRequirement(item, [extra], line);
    });
  }
}

/**
 * PEP 735 groups. A requirement belongs to the group it is written in and to every group that
 * includes that one, directly or not. Include cycles are errors (PEP 735 says tools must reject
 * them); the requirements are still listed.
 */
function readDependencyGroups(reader: Reader, table: TomlTable | undefined): void {
  if (!table) return;
  // Group names compare normalized, like project names (PEP 735).
  const written = new Map<string, string>();
  for (const group of Object.keys(table)) written.set(normalizeName(group), group);
  const includes = new Map<string, { target: string; location: Location }[]>();
  const requirements: { group: string; text: string; line: number }[] = [];

  for (const [group, items] of Object.entries(table)) {
    const edges: { target: string; location: Location }[] = [];
    includes.set(normalizeName(group), edges);
    reader.forEachItem(['dependency-groups', group], asArray(items), (item, line) => {
      if (typeof item === 'string') {
        requirements.push({ group, text: item, line });
        return;
      }
      const included = asString(asTable(item)?.['include-group']);
      const location = reader.location(line);
      if (included === undefined) {
        reader.diagnostics.push({
          severity: 'error',
          code: 'invalid-dependency-group',
          message: `dependency group "${group}" has an entry that is neither a requirement string nor {include-group = "..."}`,
          location,
        });
      } else if (!written.has(normalizeName(included))) {
        reader.diagnostics.push({
          severity: 'error',
          code: 'unknown-dependency-group',
          message: `dependency group "${group}" includes "${included}", which is not defined in [dependency-groups]`,
          location,
        });
      } else {
        edges.push({ target: normalizeName(included), location });
      }
    });
  }

  reportCycles(reader, includes, written);

  // Who includes whom, reversed, so each group can collect every group that pulls it in.
  // (Lists grown in place and a queue read by index: copying a list per edge, or shift(), was
  // quadratic in a hostile file of many groups including one.)
  const includedBy = new Map<string, string[]>();
  for (const [from, edges] of includes) {
    for (const { target } of edges) {
      const list = includedBy.get(target);
      if (list === undefined) includedBy.set(target, [from]);
      else list.push(from);
    }
  }
  const closure = (group: string): string[] => {
    const seen = new Set([group]);
    const queue = [group];
    for (let next = 0; next < queue.length; next++) {
      for (const parent of includedBy.get(queue[next]!) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
    return [...seen].map((name) => written.get(name) ?? name);
  };
  for (const { group, text, line } of requirements) {
    reader.addRequirement(text, closure(normalizeName(group)), line);
  }
}

function reportCycles(
  reader: Reader,
  includes: Map<string, { target: string; location: Location }[]>,
  written: Map<string, string>,
): void {
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  const visit = (group: string): void => {
    state.set(group, 'active');
    path.push(group);
    for (const { target, location } of includes.get(group) ?? []) {
      if (state.get(target) === 'active') {
        const cycle = [...path.slice(path.indexOf(target)), target].map((name) => written.get(name) ?? name);
        reader.diagnostics.push({
          severity: 'error',
          code: 'include-cycle',
          message: `dependency groups include each other in a cycle: ${cycle.join(' -> ')}; remove one of the include-group entries`,
          location,
        });
      } else if (state.get(target) === undefined) {
        visit(target);
      }
    }
    path.pop();
    state.set(group, 'done');
  };
  for (const group of includes.keys()) if (!state.has(group)) visit(group);
}

/** Poetry's tables: `dependencies` (main), `group.<name>.dependencies`, legacy `dev-dependencies`. */
function readPoetry(reader: Reader, poetry: TomlTable | undefined, project: TomlTable | undefined): void {
  if (!poetry) return;
  const extrasOf = new Map<string, string[]>();
  for (const [extra, names] of Object.entries(asTable(poetry['extras']) ?? {})) {
    for (const name of asStringArray(names)) {
      const key = normalizeName(name);
      extrasOf.set(key, [...(extrasOf.get(key) ?? []), extra]);
    }
  }
  // Poetry 2 reads [project] first and uses tool.poetry.dependencies only to add detail to the
  // same names; listing those names twice would double every finding.
  const fromProject = new Set(
    asStringArray(project?.['dependencies']).map((text) => /^\s*([A-Za-z0-9._-]+)/.exec(text)?.[1])
      .filter((name): name is string => name !== undefined)
      .map((name) => normalizeName(name)),
  );
  readPoetryTable(reader, ['tool', 'poetry', 'dependencies'], asTable(poetry['dependencies']), DEFAULT_GROUP, extrasOf, fromProject);
  readPoetryTable(reader, ['tool', 'poetry', 'dev-dependencies'], asTable(poetry['dev-dependencies']), 'dev', extrasOf, new Set());
  for (const [group, body] of Object.entries(asTable(poetry['group']) ?? {})) {
    const dependencies = asTable(asTable(body)?.['dependencies']);
    readPoetryTable(reader, ['tool', 'poetry', 'group', group, 'dependencies'], dependencies, group, extrasOf, new Set());
  }
}

function readPoetryTable(
  reader: Reader,
  keyPath: string[],
  table: TomlTable | undefined,
  group: string,
  extrasOf: Map<string, string[]>,
  skip: Set<string>,
): void {
  for (const [rawName, value] of Object.entries(table ?? {})) {
    // `python` states the interpreter the project supports; it is not a package.
    if (rawName.toLowerCase() === 'python') continue;
    const name = normalizeName(rawName);
    if (skip.has(name)) continue;
    const location = reader.location(reader.toml.keyPathLine([...keyPath, rawName]) ?? reader.toml.keyPathLine(keyPath));
    if (!isValidName(rawName)) {
      reader.diagnostics.push({
        severity: 'error',
        code: 'invalid-requirement',
        message: `"${rawName}" is not a valid package name`,
        location,
      });
      continue;
    }
    // A list holds alternatives for different environments, each with its own markers.
    for (const constraint of Array.isArray(value) ? value : [value]) {
      const spec: TomlTable | undefined = typeof constraint === 'string' ? { version: constraint } : asTable(constraint);
      if (!spec) {
        reader.diagnostics.push({
          severity: 'error',
          code: 'invalid-requirement',
          message: `${rawName}: a Poetry dependency is a version string or a table, not ${JSON.stringify(constraint)}`,
          location,
        });
        continue;
      }
      const optional = spec['optional'] === true;
      const groups = optional && group === DEFAULT_GROUP ? (extrasOf.get(name) ?? []) : [group];
      const pkg: Package = { name, rawName, source: poetrySource(reader, spec), direct: true, location };
      if (groups.length > 0) pkg.groups = groups;
      const extras = asStringArray(spec['extras']).map((extra) => normalizeName(extra));
      if (extras.length > 0) pkg.extras = extras;
      const marker = poetryMarker(spec);
      if (marker !== undefined) pkg.marker = marker;
      const version = asString(spec['version']);
      if (version !== undefined) {
        const translated = translatePoetryConstraint(version);
        if ('error' in translated) {
          // An unknown range: audit as if any version could be installed.
          reader.diagnostics.push({
            severity: 'warning',
            code: 'unsupported-constraint',
            message: `${rawName}: ${translated.error}; treated as any version`,
            location,
          });
          if (pkg.source.kind === 'registry') pkg.specifier = '';
        } else {
          reader.setVersion(pkg, translated.specifier, `${rawName} = "${version}"`);
        }
      } else {
        reader.setVersion(pkg, '', rawName);
      }
      reader.inventory.packages.push(pkg);
    }
  }
}

function poetrySource(reader: Reader, spec: TomlTable): PackageSource {
  return directSource(spec, 'develop') ?? reader.indexSource(asString(spec['source']));
}

/** `markers`, `python` and `platform` of a Poetry dependency, joined as one PEP 508 marker. */
function poetryMarker(spec: TomlTable): string | undefined {
  const parts: string[] = [];
  const markers = asString(spec['markers']);
  if (markers !== undefined && markers.trim() !== '') parts.push(markers.trim());
  const python = asString(spec['python']);
  const pythonMarker = python === undefined ? undefined : pythonConstraintMarker(python);
  if (pythonMarker !== undefined) parts.push(pythonMarker);
  const platform = asString(spec['platform']);
  if (platform !== undefined) parts.push(`sys_platform == "${platform}"`);
  if (parts.length <= 1) return parts[0];
  return parts.map((part) => (/\bor\b/.test(part) ? `(${part})` : part)).join(' and ');
}

function urlSource(url: string): PackageSource {
  if (VCS_SCHEMES.test(url)) return { kind: 'vcs', url };
  if (url.startsWith('file:')) return { kind: 'path', url };
  return { kind: 'url', url };
}

export const pyproject = fileFormat(FORMAT, (name) => name === 'pyproject.toml', parsePyproject);
