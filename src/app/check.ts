/**
 * The check use case: names (from the command line, a names file, or any audit input) -> name and
 * publisher findings. Offline it runs the popular-names checks and lists every online check it skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { Diagnostic, Inventory, Location, NameFinding, Package } from '../core/model.js';
import { parseRequirement } from '../core/requirement.js';
import { canonicalVersion } from '../core/version.js';
import { readInputs } from '../inputs/registry.js';
import { offlineResult, type NameCheckResult, type SkippedCheck } from '../checks/names/online.js';
import { loadPopular, popularListFile } from '../sources/popular/popular.js';
import type { ProjectList } from '../sources/pypi/project-list.js';
import { VERSION } from './version.js';

export interface CheckOptions extends NameCheckOptions {
  /** Requirement strings as typed: `reqeusts`, `numpy==2.1`. */
  names: string[];
  /** A file of names, one per line (`#` comments allowed). */
  namesFile?: string;
  inputs: { path: string; format?: string }[];
}

/** What the name checks need besides the packages; `audit` passes the same. */
export interface NameCheckOptions {
  /** Only the checks against the popular list (typosquats, combosquats); the others are listed as skipped. */
  offline: boolean;
  cacheDir: string;
  pypiUrl?: string;
  githubApiUrl?: string;
  dnsServers?: string[];
  /** Extra private indexes to consider for dependency confusion. */
  indexUrls?: string[];
  youngDays?: number;
  popularFile?: string;
  /** Names the user vouches for: never reported. */
  allow?: string[];
  now?: Date;
}

export interface CheckedName {
  name: string;
  rawName: string;
  location?: Location;
  findings: NameFinding[];
}

export interface CheckReport {
  names: CheckedName[];
  /** Online checks that did not run, and why (offline, rate limit, ...). */
  skipped: SkippedCheck[];
  diagnostics: Diagnostic[];
  inputs: { path: string; format: string }[];
  tool: { name: 'pyward'; version: string };
}

const NAME_ARG = '<command line>';

export function packageFromName(text: string, location: Location): Package {
  let req;
  try {
    req = parseRequirement(text);
  } catch (err) {
    throw new InputError('invalid-requirement', `'${text}' is not a project name or requirement: ${(err as Error).message}`, location);
  }
  const pin = /^===?\s*([^,*]+)$/.exec(req.specifier.trim());
  const version = pin ? canonicalVersion(pin[1]!) : undefined;
  return {
    name: req.name,
    rawName: req.rawName,
    ...(version ? { version } : req.specifier ? { specifier: req.specifier } : {}),
    source: req.url ? { kind: 'url', url: req.url } : { kind: 'registry' },
    direct: true,
    location,
  };
}

/**
 * A names file's line without its comment: `(^|\s)#.*$` as a scan. That regex is quadratic on a
 * hostile line of many ` #` followed by a line separator (`.` stops there, so every start failed
 * only at the separator). Like it, the comment is the first `#` at the start or after whitespace
 * with no CR, U+2028 or U+2029 after it; the caller trims what is left.
 */
function withoutComment(line: string): string {
  let from = 0;
  for (const sep of ['\r', '\u2028', '\u2029']) from = Math.max(from, line.lastIndexOf(sep) + 1);
  let hash = line.indexOf('#', from);
  while (hash > 0 && !/\s/.test(line[hash - 1]!)) hash = line.indexOf('#', hash + 1);
  return hash < 0 ? line : line.slice(0, hash);
}

export function namesFromFile(file: string): Package[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('input-not-found', 'cannot read the names file (check the path given to --names)', { file });
  }
  return text.split(/\r?\n/).flatMap((line, i) => {
    const t = withoutComment(line).trim();
    return t ? [packageFromName(t, { file, line: i + 1 })] : [];
  });
}

export async function check(opts: CheckOptions): Promise<CheckReport> {
  const packages: Package[] = opts.names.map((n) => packageFromName(n, { file: NAME_ARG }));
  // Loops, not push(...list): spreading a hostile file's ~125,000 entries overflows the stack.
  if (opts.namesFile) for (const p of namesFromFile(opts.namesFile)) packages.push(p);
  const inventories = await readInputs(opts.inputs);
  for (const inv of inventories) for (const p of inv.packages) packages.push(p);
  const diagnostics = inventories.flatMap((inv) => inv.diagnostics.filter((d) => d.code !== 'unpinned'));

  const result = await checkNames(packages, inventories, opts);
  for (const d of result.diagnostics) diagnostics.push(d);
  const { findings, skipped } = result;

  return {
    names: groupByName(packages, findings),
    skipped,
    diagnostics,
    inputs: inventories.map((inv) => ({ path: inv.path, format: inv.format })),
    tool: { name: 'pyward', version: VERSION },
  };
}

const OFFLINE_SKIPPED = offlineResult(['existence', 'age', 'repository ownership', 'publisher continuity', 'e-mail domains', 'dependency confusion']).skipped;

/**
 * The name checks over packages from any input: the popular-list checks always, the online ones
 * (existence and age, repository ownership, publishers, dependency confusion) unless offline. Their
 * modules are loaded only when they run, so an offline caller (an audit) pays for the list alone.
 */
export async function checkNames(packages: readonly Package[], inventories: readonly Inventory[], opts: NameCheckOptions): Promise<NameCheckResult> {
  const popular = loadPopular(opts.popularFile ?? popularListFile(opts.cacheDir), { cacheDir: opts.cacheDir });
  const allow = new Set((opts.allow ?? []).map((n) => packageFromName(n, { file: '--allow' }).name));
  const findings: NameFinding[] = [];
  // A popular project is never a squat: only the other names need the rules (and their modules),
  // which spares an audit of well-known dependencies from loading them at all.
  const seenNames = new Set<string>();
  const rest: Package[] = [];
  for (const p of packages) {
    if (p.source.kind !== 'registry' || seenNames.has(p.name)) continue;
    seenNames.add(p.name);
    if (!popular.has(p.name)) rest.push(p);
  }
  if (rest.length > 0) {
    const { checkName } = await import('../checks/names/typosquat.js');
    // The raw spelling matters: a capital I for l (`jeIlyfish`) is only visible before normalization.
    for (const p of rest) findings.push(...checkName(p.rawName, popular, { allow }));
  }
  // PyPI's project list, when `pyward db update --pypi-names` fetched one: only names that are not
  // popular can be missing from it, so an audit of popular dependencies never reads its 16 MB.
  // The indexes the inputs and the command line name; pip's configuration adds its own.
  const inputIndexUrls = [...inventories.flatMap((inv) => inv.indexUrls ?? []), ...(opts.indexUrls ?? [])];
  const known = new Map<string, string>();
  for (const f of findings) if (f.target !== undefined && !known.has(f.name)) known.set(f.name, f.target);
  if (opts.offline) {
    const { list, diagnostics } = rest.length > 0 ? await openProjectList(opts.cacheDir) : { diagnostics: [] };
    const skipped = OFFLINE_SKIPPED.map((s) => ({ ...s }));
    const existence = skipped.find((s) => s.check === 'existence')!;
    if (!list) {
      if (rest.length > 0) existence.reason = "offline, and no copy of PyPI's project list (`pyward db update --pypi-names` keeps one)";
      return { findings, skipped, diagnostics };
    }
    const [{ privateIndexes }, { indexSetup, readPipConfig }] = await Promise.all([import('../sources/pypi/indexes.js'), import('../sources/pypi/pipconfig.js')]);
    const privates = privateIndexes(indexSetup(readPipConfig(), inputIndexUrls).indexUrls);
    if (privates.length > 0) {
      existence.reason = `offline, and a private index is configured (${privates.join(', ')}): a name missing from PyPI may be one of its own`;
      return { findings, skipped, diagnostics: [] };
    }
    const { addNearest, unknownOnList } = await import('../checks/names/unknown.js');
    const unknown = unknownOnList(rest, list, opts.now).filter((f) => !allow.has(f.name));
    addNearest(unknown, list, (n) => popular.rankOf(n), known);
    return { findings: [...findings, ...unknown], skipped: skipped.filter((s) => s !== existence), diagnostics: listAge(list, opts.now) };
  }

  const [{ checkConfusion }, { checkPublisher }, { checkRepojacking }, { checkSlopsquat }, { mergeResults }, { PypiJsonClient }, { indexSetup, pypiJsonBase, readPipConfig }, { GitHubClient }] =
    await Promise.all([
      import('../checks/names/confusion.js'),
      import('../checks/names/publisher.js'),
      import('../checks/names/repojacking.js'),
      import('../checks/names/slopsquat.js'),
      import('../checks/names/online.js'),
      import('../sources/pypi/project.js'),
      import('../sources/pypi/pipconfig.js'),
      import('../sources/codehost/github.js'),
    ]);
  const pip = readPipConfig();
  const setup = indexSetup(pip, inputIndexUrls);
  const pypi = new PypiJsonClient({ baseUrl: opts.pypiUrl ?? pypiJsonBase(pip).baseUrl, cacheDir: opts.cacheDir, ...(opts.now ? { now: () => opts.now!.getTime() } : {}) });
  const confusion = await checkConfusion(packages, { ...setup, simpleOptions: { cacheDir: opts.cacheDir } });
  const privateNames = confusion.privateNames;
  const github = new GitHubClient({ cacheDir: opts.cacheDir, ...(opts.githubApiUrl ? { apiUrl: opts.githubApiUrl } : {}) });
  const merged = mergeResults([
    confusion,
    await checkSlopsquat(packages, { pypi, privateNames, ...(opts.youngDays ? { youngDays: opts.youngDays } : {}), ...(opts.now ? { now: opts.now } : {}) }),
    await checkRepojacking(packages, { pypi, github, privateNames }),
    await checkPublisher(packages, { pypi, privateNames, ...(opts.dnsServers ? { dns: { servers: opts.dnsServers } } : {}) }),
  ]);
  const online = merged.findings.filter((f) => !allow.has(f.name));
  const { list, diagnostics } = online.some((f) => f.kind === 'not-found' || f.kind === 'slopsquat') ? await openProjectList(opts.cacheDir) : { diagnostics: [] };
  if (list) {
    const { addNearest } = await import('../checks/names/unknown.js');
    addNearest(online, list, (n) => popular.rankOf(n), known);
  }
  return { findings: [...findings, ...online], skipped: merged.skipped, diagnostics: [...merged.diagnostics, ...diagnostics] };
}

/** PyPI's project list from the cache: none when none was fetched, and a warning when the file is damaged. */
async function openProjectList(cacheDir: string): Promise<{ list?: ProjectList; diagnostics: Diagnostic[] }> {
  const { ProjectList, projectListFile } = await import('../sources/pypi/project-list.js');
  const file = projectListFile(cacheDir);
  const list = ProjectList.open(file);
  if (list) return { list, diagnostics: [] };
  if (!existsSync(file)) return { diagnostics: [] };
  return {
    diagnostics: [
      { severity: 'warning', code: 'project-list-damaged', message: `${file} is not a readable PyPI project list, so it was not used; fetch it again with \`pyward db update --pypi-names\`` },
    ],
  };
}

/** After this many days the offline existence check warns that its list is getting old. */
const LIST_MAX_AGE_DAYS = 30;

function listAge(list: ProjectList, now?: Date): Diagnostic[] {
  const age = ((now?.getTime() ?? Date.now()) - Date.parse(list.meta.fetchedAt)) / 86_400_000;
  if (!(age > LIST_MAX_AGE_DAYS)) return [];
  return [
    {
      severity: 'warning',
      code: 'project-list-old',
      message: `PyPI's project list is ${Math.floor(age)} days old: projects registered since then look missing; refresh it with \`pyward db update --pypi-names\``,
    },
  ];
}

/** One entry per distinct name, in input order, with every finding about it (de-duplicated). */
function groupByName(packages: Package[], findings: NameFinding[]): CheckedName[] {
  const out = new Map<string, CheckedName>();
  for (const p of packages) {
    if (!out.has(p.name))
      out.set(p.name, { name: p.name, rawName: p.rawName, ...(p.location.file !== NAME_ARG ? { location: p.location } : {}), findings: [] });
  }
  const seen = new Set<string>();
  for (const f of findings) {
    const key = `${f.name}|${f.kind}|${f.target ?? ''}|${f.evidence.join(';')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.get(f.name)?.findings.push(f);
  }
  return [...out.values()];
}
