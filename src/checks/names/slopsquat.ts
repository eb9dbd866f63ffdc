/**
 * Slopsquatting: AI assistants invent plausible package names, and attackers register the ones
 * that get suggested. Most invented names are nowhere near a real one in edit distance, so this is
 * judged from the index itself:
 * - the name does not exist: `not-found`, high, because the install fails today and installs
 *   whoever registers the name tomorrow;
 * - the name exists but is young (first upload within `youngDays`): `slopsquat`, with a risk that
 *   grows with each further sign of a throwaway project: a single release, no source repository or
 *   project links, and next to no description.
 * An old project is never reported here, however thin it looks: age is what separates a squat
 * registered for a hallucination from an abandoned hobby project.
 */
import type { NameFinding, Package, Risk } from '../../core/model.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { parseRepoUrl } from '../../sources/codehost/repo-url.js';
import { isPublicIndex } from '../../sources/pypi/indexes.js';
import { PypiJsonClient, type ProjectInfo, type PypiClientOptions } from '../../sources/pypi/project.js';
import { addSkipped, days, emptyResult, nowMs, offlineResult, publicRegistryPackages, where, type NameCheckResult } from './online.js';

export interface SlopsquatOptions {
  /** The PyPI client to ask (shared with the other checks so answers are fetched once). */
  pypi?: PypiJsonClient;
  /** Used to build a client when `pypi` is not given. */
  pypiOptions?: PypiClientOptions;
  now?: number | Date | (() => number);
  /** A project whose first upload is younger than this many days is young (default 30). */
  youngDays?: number;
  /** A long description shorter than this many characters counts as "little history" (default 200). */
  minDescriptionLength?: number;
  offline?: boolean;
  /** Names known to live on a private index (from the confusion check): their absence from PyPI is expected. */
  privateNames?: Iterable<string>;
}

export const DEFAULT_YOUNG_DAYS = 30;
export const DEFAULT_MIN_DESCRIPTION = 200;

export interface ProjectJudgement {
  now: number;
  youngDays: number;
  minDescriptionLength: number;
}

/** True when the project links a source repository or at least some page of its own. */
function repositoryLinks(project: ProjectInfo): { repos: number; links: number } {
  const urls = [...Object.values(project.projectUrls), project.homePage, project.downloadUrl].filter((u): u is string => u !== undefined);
  return { repos: urls.filter((u) => parseRepoUrl(u) !== undefined).length, links: urls.length };
}

/** A name that `source` does not have: high, because anyone may register it. */
export function notFoundFinding(name: string, source: string): Omit<NameFinding, 'location'> {
  return {
    kind: 'not-found',
    name,
    risk: 'high',
    evidence: [`'${name}' does not exist on ${source}`, "installing it fails today and runs an attacker's code tomorrow if someone registers it"],
    suggestion: `check where the name came from (AI assistants invent package names); find the real project and fix the requirement, and do not retry the install until '${name}' is confirmed`,
  };
}

/** The finding for one project PyPI answered about, or undefined when nothing is suspicious. */
export function judgeProject(project: ProjectInfo, source: string, j: ProjectJudgement): Omit<NameFinding, 'location'> | undefined {
  const name = project.name;
  if (!project.exists) return notFoundFinding(name, source);
  const withFiles = project.releases.filter((r) => r.files.length > 0);
  if (withFiles.length === 0) {
    return {
      kind: 'slopsquat',
      name,
      risk: 'medium',
      evidence: [`'${name}' exists on ${source} but has no files to install`, 'its owner can upload anything under this name at any time'],
      suggestion: `make sure '${name}' is the project you meant; a name with nothing in it is a placeholder, not a dependency`,
    };
  }
  if (project.firstUpload === undefined) return undefined;
  const age = j.now - Date.parse(project.firstUpload);
  if (age > j.youngDays * 86_400_000) return undefined;

  const evidence = [`first upload ${project.firstUpload.slice(0, 10)}, ${days(age)} ago (younger than ${j.youngDays} days)`];
  let signals = 0;
  // A truncated history (no `releases` key) cannot prove there is only one release.
  if (project.releasesListed && withFiles.length === 1) {
    signals++;
    evidence.push(`a single release (${withFiles[0]!.version})`);
  }
  const { repos, links } = repositoryLinks(project);
  if (repos === 0) {
    signals++;
    evidence.push(links === 0 ? 'no project URLs, home page or source repository' : `no source repository among its ${links} link${links === 1 ? '' : 's'}`);
  }
  if (project.descriptionLength < j.minDescriptionLength) {
    signals++;
    evidence.push(project.descriptionLength === 0 ? 'no description' : `a description of only ${project.descriptionLength} characters`);
  }
  const risk: Risk = signals === 0 ? 'low' : signals === 1 ? 'medium' : 'high';
  return {
    kind: 'slopsquat',
    name,
    risk,
    evidence,
    suggestion:
      risk === 'low'
        ? `'${name}' is new; make sure it is the project you meant before depending on it`
        : `verify that '${name}' is the project you meant (AI assistants invent names that others then register); prefer an established project, or pin a reviewed version with hashes`,
  };
}

/** Checks every public registry package of `packages` for absence and slopsquat signs. */
export async function checkSlopsquat(packages: readonly Package[], options: SlopsquatOptions = {}): Promise<NameCheckResult> {
  if (options.offline) return offlineResult(['existence', 'age']);
  const pypi = options.pypi ?? new PypiJsonClient(options.pypiOptions);
  const judgement: ProjectJudgement = {
    now: nowMs(options.now),
    youngDays: options.youngDays ?? DEFAULT_YOUNG_DAYS,
    minDescriptionLength: options.minDescriptionLength ?? DEFAULT_MIN_DESCRIPTION,
  };
  const result = emptyResult();
  for (const p of packages) {
    if (p.source.kind === 'registry' && !isValidName(p.name)) {
      result.diagnostics.push({ severity: 'warning', code: 'invalid-name', message: `'${p.rawName}' is not a valid project name; not looked up`, location: p.location });
    }
  }
  const targets = publicRegistryPackages(packages, options.privateNames);
  const answers = await Promise.all(
    targets.map(async (pkg) => {
      try {
        return { pkg, project: await pypi.project(pkg.name) };
      } catch (e) {
        // One bad answer costs one name; an unreachable PyPI fails the run (exit 3).
        if ((e as { code?: string }).code === 'source-bad-response') return { pkg, error: (e as Error).message };
        throw e;
      }
    }),
  );
  // A mirror without the JSON API answers 404 for everything; that is a setup problem, not a hundred squats.
  const missing = answers.filter((a) => 'project' in a && a.project !== undefined && !a.project.exists).length;
  if (missing >= 3 && missing === answers.length && !isPublicIndex(pypi.baseUrl)) {
    result.diagnostics.push({
      severity: 'warning',
      code: 'index-without-json-api',
      message: `none of the ${missing} names exists on ${pypi.displayUrl}: if it is a mirror without PyPI's JSON API, point the check at https://pypi.org instead`,
    });
  }
  for (const a of answers) {
    if ('error' in a) {
      addSkipped(result, { check: 'existence', reason: a.error ?? 'bad answer', names: [normalizeName(a.pkg.name)] });
      continue;
    }
    const finding = judgeProject(a.project, pypi.displayUrl, judgement);
    if (finding) result.findings.push({ ...finding, ...where(a.pkg) });
  }
  return result;
}
