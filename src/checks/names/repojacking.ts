/**
 * Repojacking: a repository URL whose owner was renamed or deleted can be taken over by whoever
 * registers the old account name; GitHub's redirect from the old name then stops and the newcomer's
 * code is served instead. Two kinds of URL matter:
 * - direct requirements (`pkg @ git+https://github.com/o/r`): pip fetches and builds that code, so
 *   a takeover is code execution at install time (critical);
 * - a project's links on PyPI (Source, Homepage, ...): what users and tools follow to find, audit
 *   or build the project (high).
 * A repository renamed under the same owner is not reported: only that owner can reuse the name.
 */
import type { NameFinding, Package, Risk } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { GitHubClient, type GitHubOptions, type RepoStatus } from '../../sources/codehost/github.js';
import { parseRepoUrl, repoKey, type RepoRef } from '../../sources/codehost/repo-url.js';
import { PypiJsonClient, type PublisherMetadata, type PypiClientOptions } from '../../sources/pypi/project.js';
import { addSkipped, emptyResult, offlineResult, publicRegistryPackages, where, type NameCheckResult } from './online.js';

export interface RepojackingOptions {
  pypi?: PypiJsonClient;
  pypiOptions?: PypiClientOptions;
  github?: GitHubClient;
  githubOptions?: GitHubOptions;
  offline?: boolean;
  /** Names known to live on a private index: PyPI's page for them is someone else's project. */
  privateNames?: Iterable<string>;
}

/** A repository reference found somewhere, and what pointed at it. */
export interface RepoMention {
  ref: RepoRef;
  /** `requirement` for a direct VCS requirement, else the metadata field (`project_urls "Source"`). */
  via: string;
  direct: boolean;
}

/** The repositories a release's metadata links, one mention per repository. */
export function repositoryMentions(meta: PublisherMetadata): RepoMention[] {
  const out = new Map<string, RepoMention>();
  const add = (url: string | undefined, via: string): void => {
    const ref = url ? parseRepoUrl(url) : undefined;
    if (ref && !out.has(repoKey(ref))) out.set(repoKey(ref), { ref, via, direct: false });
  };
  for (const [label, url] of Object.entries(meta.projectUrls)) add(url, `project URL "${label}"`);
  add(meta.homePage, 'home page');
  add(meta.downloadUrl, 'download URL');
  return [...out.values()];
}

/** The repository a direct VCS/URL requirement installs from, if any. */
export function requirementMention(pkg: Package): RepoMention | undefined {
  if ((pkg.source.kind !== 'vcs' && pkg.source.kind !== 'url') || !pkg.source.url) return undefined;
  const ref = parseRepoUrl(pkg.source.url);
  return ref ? { ref, via: 'requirement', direct: true } : undefined;
}

function takeoverFinding(pkg: Package, mention: RepoMention, status: RepoStatus): Omit<NameFinding, 'location'> | undefined {
  const name = normalizeName(pkg.name);
  const { ref, direct } = mention;
  const subject = direct ? `the requirement installs from ${ref.url}` : `its ${mention.via} is ${ref.url}`;
  const fix = (to?: RepoRef): string =>
    direct
      ? to
        ? `point the requirement at ${to.url} and pin a commit hash (git+${to.url}@<sha>)`
        : `stop installing from ${ref.url}; find where the project lives now and pin a commit hash`
      : `do not trust ${ref.url} as this project's source${to ? ` (it lives at ${to.url})` : ''}; ask the maintainers to update the project URLs`;

  if (status.state === 'moved' && status.ownerChanged) {
    const evidence = [subject, `${ref.url} now redirects to ${status.current.url}`];
    let risk: Risk;
    if (status.oldOwnerExists === false) {
      risk = direct ? 'critical' : 'high';
      evidence.push(`the GitHub account '${ref.owner}' no longer exists: anyone can register it and create ${ref.owner}/${ref.repo}, which replaces the redirect`);
    } else if (status.oldOwnerExists === true) {
      risk = direct ? 'medium' : 'low';
      evidence.push(`the account '${ref.owner}' still exists, so only it can re-create ${ref.owner}/${ref.repo} and end the redirect`);
    } else {
      risk = direct ? 'high' : 'medium';
      evidence.push(`could not tell whether the account '${ref.owner}' still exists`);
    }
    return { kind: 'repojacking', name, risk, target: status.current.url, evidence, suggestion: fix(status.current) };
  }
  if (status.state === 'missing' && status.ownerExists === false) {
    return {
      kind: 'repojacking',
      name,
      risk: direct ? 'critical' : 'high',
      evidence: [subject, `neither ${ref.owner}/${ref.repo} nor the GitHub account '${ref.owner}' exists: anyone can register '${ref.owner}' and publish code at this URL`],
      suggestion: fix(),
    };
  }
  if (status.state === 'missing' && direct) {
    return {
      kind: 'repojacking',
      name,
      risk: 'low',
      evidence: [subject, `${ref.owner}/${ref.repo} does not exist (deleted or private); the account '${ref.owner}' can re-create it with any content`],
      suggestion: fix(),
    };
  }
  return undefined;
}

/**
 * Checks the repositories that direct requirements install from, and those that public projects
 * link on PyPI, for owners that were renamed or deleted.
 */
export async function checkRepojacking(packages: readonly Package[], options: RepojackingOptions = {}): Promise<NameCheckResult> {
  if (options.offline) return offlineResult(['repository ownership']);
  const pypi = options.pypi ?? new PypiJsonClient(options.pypiOptions);
  const github = options.github ?? new GitHubClient(options.githubOptions);
  const result = emptyResult();

  const mentions: { pkg: Package; mention: RepoMention }[] = [];
  for (const pkg of packages) {
    const m = requirementMention(pkg);
    if (m) mentions.push({ pkg, mention: m });
  }
  const projects = await Promise.all(
    publicRegistryPackages(packages, options.privateNames).map(async (pkg) => {
      try {
        return { pkg, project: await pypi.project(pkg.name) };
      } catch (e) {
        if ((e as { code?: string }).code !== 'source-bad-response') throw e;
        addSkipped(result, { check: 'repository ownership', reason: (e as Error).message, names: [normalizeName(pkg.name)] });
        return undefined;
      }
    }),
  );
  for (const a of projects) {
    if (a?.project.exists) for (const mention of repositoryMentions(a.project)) mentions.push({ pkg: a.pkg, mention });
  }

  // Each repository is asked about once, however many packages point at it.
  const statuses = new Map<string, Promise<RepoStatus>>();
  for (const { mention } of mentions) {
    const key = repoKey(mention.ref);
    // GitHub is a second opinion, not the run's backbone: if it cannot be reached, say what was not checked.
    if (!statuses.has(key)) {
      statuses.set(key, github.repository(mention.ref).catch((e: unknown): RepoStatus => ({ state: 'unknown', ref: mention.ref, reason: (e as Error).message })));
    }
  }
  for (const { pkg, mention } of mentions) {
    const status = await statuses.get(repoKey(mention.ref))!;
    if (status.state === 'unknown') {
      addSkipped(result, { check: 'repository ownership', reason: status.reason, names: [normalizeName(pkg.name)] });
      continue;
    }
    const finding = takeoverFinding(pkg, mention, status);
    if (finding) result.findings.push({ ...finding, ...where(pkg) });
  }
  return result;
}
