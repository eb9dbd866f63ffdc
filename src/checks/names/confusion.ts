/**
 * Dependency confusion: pip treats every configured index alike (`--index-url` plus each
 * `--extra-index-url`), merges their candidates and installs the highest version. A private
 * package whose name also exists on pypi.org is therefore installed from whoever owns that name
 * there, as soon as they publish a higher version; a private name that is free on pypi.org is one
 * registration away from the same.
 *
 * For each name being checked, each private index's Simple API page is read; only names found
 * there are then looked up on the public index. A private index that mirrors pypi.org shows the
 * same files (same sha256) for public projects: such a name is the public project, not a private
 * one, and is not reported. A page that mixes its own files with pypi.org's shows an index that
 * merges pypi.org itself, which is confusion-prone even without `--extra-index-url`.
 */
import type { NameFinding, Package, Risk } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { compareVersions, parseVersion } from '../../core/version.js';
import { redactCredentials } from '../../sources/conditional.js';
import { indexKey, isPublicIndex, PYPI_SIMPLE } from '../../sources/pypi/indexes.js';
import { fileVersion, highestVersion, pageVersions, SimpleIndexClient, type SimpleClientOptions, type SimpleFile, type SimpleProjectPage } from '../../sources/pypi/simple.js';
import { addSkipped, emptyResult, offlineResult, where, type NameCheckResult } from './online.js';

export interface ConfusionOptions {
  /**
   * Every index pip would consult, credentials included where the index needs them: pip.conf and
   * the environment (`indexSetup` in sources/pypi/pipconfig.ts), and the input's own `--index-url`/`--extra-index-url`.
   */
  indexUrls: readonly string[];
  /** pip's primary index when it is not pypi.org (`index-url`); then pypi.org is consulted only if listed. */
  primaryIndexUrl?: string;
  /** Overrides the guess of whether pip also consults the public index. */
  publicConsulted?: boolean;
  /** Default https://pypi.org/simple/. */
  publicIndexUrl?: string;
  simple?: SimpleIndexClient;
  simpleOptions?: SimpleClientOptions;
  offline?: boolean;
}

export interface ConfusionResult extends NameCheckResult {
  /** Names found on a private index; other checks should not judge them by their PyPI page. */
  privateNames: string[];
}


function sha256Of(f: SimpleFile): string | undefined {
  return f.hashes['sha256'];
}

/** Files of `page` that the public page does not have: the private index's own uploads. */
function ownFiles(page: SimpleProjectPage, publicPage: SimpleProjectPage): SimpleFile[] {
  const hashes = new Set(publicPage.files.map(sha256Of).filter((h): h is string => h !== undefined));
  const names = new Set(publicPage.files.map((f) => f.filename));
  return page.files.filter((f) => {
    const h = sha256Of(f);
    return h !== undefined ? !hashes.has(h) : !names.has(f.filename);
  });
}

function higher(a: string | undefined, b: string | undefined): boolean {
  const va = a !== undefined ? parseVersion(a) : undefined;
  const vb = b !== undefined ? parseVersion(b) : undefined;
  if (!va) return false;
  if (!vb) return true;
  return compareVersions(va, vb) > 0;
}

function best(versions: string[]): string | undefined {
  return highestVersion(versions) ?? highestVersion(versions, { prereleases: true });
}

interface Judged {
  pkg: Package;
  privatePages: SimpleProjectPage[];
  publicPage: SimpleProjectPage;
  publicConsulted: boolean;
}

function judge({ pkg, privatePages, publicPage, publicConsulted }: Judged): Omit<NameFinding, 'location'> | undefined {
  const name = normalizeName(pkg.name);
  const publicShown = redactCredentials(publicPage.url).replace(/\/[^/]+\/$/, '/');
  if (!publicPage.exists) {
    const where = privatePages.map((p) => p.url).join(', ');
    return {
      kind: 'dependency-confusion',
      name,
      risk: publicConsulted ? 'medium' : 'low',
      evidence: [
        `'${name}' is on ${where} and not on ${publicShown}`,
        publicConsulted
          ? 'pip also consults the public index: whoever registers the name there with a higher version is installed instead'
          : 'the name is free on the public index; it becomes a risk as soon as pip consults it (an --extra-index-url, or an index that merges pypi.org)',
      ],
      suggestion: `register '${name}' on pypi.org as an empty placeholder owned by your organization, or install private packages from a single index that serves them first (uv's default index strategy, or a proxy configured to prefer local packages)`,
    };
  }
  const own = privatePages.flatMap((p) => ownFiles(p, publicPage));
  if (own.length === 0) return undefined; // a mirror of the public project, not a private package
  const merges = privatePages.some((p) => ownFiles(p, publicPage).length < p.files.length);
  const consulted = publicConsulted || merges;
  const privateMax = best(own.filter((f) => !f.yanked).map((f) => fileVersion(f.filename)).filter((v): v is string => v !== undefined));
  const publicMax = best(pageVersions(publicPage, { installable: true }));
  const evidence = [
    `'${name}' has its own files on ${privatePages.map((p) => p.url).join(', ')}${privateMax ? ` (highest ${privateMax})` : ''}`,
    `'${name}' also exists on ${publicShown}${publicMax ? ` (highest ${publicMax})` : ''}, published by someone else`,
  ];
  if (merges) evidence.push('the private index also serves the public files of this name, so it merges pypi.org itself');
  let risk: Risk;
  if (!consulted) {
    risk = 'medium';
    evidence.push('safe only while pip never consults pypi.org for it: no --extra-index-url to pypi.org, and no index that merges pypi.org');
  } else if (higher(publicMax, privateMax)) {
    risk = 'critical';
    evidence.push(`pip merges every index and installs the highest version: an unpinned install takes the public ${publicMax}`);
  } else {
    risk = 'high';
    evidence.push('pip merges every index and installs the highest version: the public owner can take over by publishing a higher one');
  }
  const pinnedWithHashes = pkg.version !== undefined && (pkg.hashes?.length ?? 0) > 0;
  if (pinnedWithHashes && (risk === 'critical' || risk === 'high')) {
    risk = 'medium';
    evidence.push(`pinned to ${pkg.version} with hashes, so pip refuses any other file; an upgrade or a re-lock would still pick the public project`);
  }
  return {
    kind: 'dependency-confusion',
    name,
    risk,
    evidence,
    suggestion: `install '${name}' from one index only (--index-url to the private index, no --extra-index-url to pypi.org), pin it with --hash, or rename the private package to a name you own on pypi.org`,
  };
}

/** Private indexes for `pkg`: the configured ones, plus the one an input pinned it to. */
function privateIndexesFor(pkg: Package, configured: string[]): string[] {
  const out = [...configured];
  if (pkg.source.url && !isPublicIndex(pkg.source.url) && !out.some((u) => indexKey(u) === indexKey(pkg.source.url!))) out.push(pkg.source.url);
  return out;
}

/**
 * Checks the registry packages of `packages` against every private index in play. With no private
 * index there is nothing to confuse, and the result is empty.
 */
export async function checkConfusion(packages: readonly Package[], options: ConfusionOptions): Promise<ConfusionResult> {
  const privateIndexes = options.indexUrls.filter((u) => !isPublicIndex(u));
  const anyPinned = packages.some((p) => p.source.kind === 'registry' && p.source.url !== undefined && !isPublicIndex(p.source.url));
  if (privateIndexes.length === 0 && !anyPinned) return { ...emptyResult(), privateNames: [] };
  if (options.offline) return { ...offlineResult(['dependency confusion']), privateNames: [] };

  const simple = options.simple ?? new SimpleIndexClient(options.simpleOptions);
  const publicIndex = options.publicIndexUrl ?? PYPI_SIMPLE;
  const defaultConsulted =
    options.publicConsulted ??
    (options.primaryIndexUrl === undefined || isPublicIndex(options.primaryIndexUrl) || options.indexUrls.some(isPublicIndex));
  const result: ConfusionResult = { ...emptyResult(), privateNames: [] };

  const seen = new Set<string>();
  const targets = packages.filter((p) => {
    if (p.source.kind !== 'registry' || !isValidName(p.name)) return false;
    const n = normalizeName(p.name);
    if (seen.has(n)) return false;
    seen.add(n);
    return true;
  });

  const judged = await Promise.all(
    targets.map(async (pkg): Promise<Judged | undefined> => {
      const name = normalizeName(pkg.name);
      const pages: SimpleProjectPage[] = [];
      for (const index of privateIndexesFor(pkg, privateIndexes)) {
        try {
          const page = await simple.projectPage(index, name);
          if (page.exists) pages.push(page);
        } catch (e) {
          // A private index behind a VPN or a login is common; say what was not checked and go on.
          addSkipped(result, { check: 'dependency confusion', reason: redactCredentials((e as Error).message), names: [name] });
        }
      }
      if (pages.length === 0) return undefined;
      const publicPage = await simple.projectPage(publicIndex, name);
      // A name a private mirror merely copies from pypi.org is the public project, not a private one.
      if (!publicPage.exists || pages.some((p) => ownFiles(p, publicPage).length > 0)) result.privateNames.push(name);
      // An input that pinned this package to one private index consults nothing else for it,
      // unless pypi.org is configured as an extra index too.
      const pinnedPrivate = pkg.source.url !== undefined && !isPublicIndex(pkg.source.url);
      const publicConsulted = options.publicConsulted ?? (pinnedPrivate ? options.indexUrls.some(isPublicIndex) : defaultConsulted);
      return { pkg, privatePages: pages, publicPage, publicConsulted };
    }),
  );
  for (const j of judged) {
    if (!j) continue;
    const finding = judge(j);
    if (finding) result.findings.push({ ...finding, ...where(j.pkg) });
  }
  result.privateNames.sort();
  return result;
}
