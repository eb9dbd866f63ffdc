/**
 * Source repository references in package metadata and requirements: `https://github.com/o/r`,
 * `https://github.com/o/r/tree/main/docs`, `git+https://github.com/o/r.git@v1#egg=x`,
 * `git+ssh://git@github.com/o/r.git`, `git@github.com:o/r.git`, and raw file links
 * (`https://raw.githubusercontent.com/o/r/main/CHANGES.md`). Only links that name a repository
 * count; GitHub's own pages (`/sponsors/x`, `/orgs/x`, `/features`) do not.
 */

export interface RepoRef {
  host: 'github.com' | 'gitlab.com' | 'bitbucket.org';
  /** As written (GitHub logins are case-insensitive; compare with `repoKey`). */
  owner: string;
  repo: string;
  /** Canonical web URL: `https://github.com/{owner}/{repo}`. */
  url: string;
}

/** Case-insensitive identity of a repository, for de-duplication and comparison. */
export function repoKey(ref: RepoRef): string {
  return `${ref.host}/${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}`;
}

/** First path segments on github.com that are GitHub's own pages, not accounts. */
const GITHUB_RESERVED = new Set([
  'about', 'apps', 'blog', 'codespaces', 'collections', 'contact', 'customer-stories', 'dashboard', 'enterprise',
  'events', 'explore', 'features', 'issues', 'login', 'marketplace', 'new', 'notifications', 'orgs', 'organizations',
  'pricing', 'pulls', 'readme', 'search', 'security', 'settings', 'site', 'sponsors', 'stars', 'team', 'topics',
  'trending', 'users',
]);

/** GitHub logins: 1-39 letters, digits and single hyphens, not starting with a hyphen. */
const GITHUB_LOGIN = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i;
const REPO_NAME = /^[a-z0-9._-]{1,100}$/i;

const HOSTS: Record<string, RepoRef['host']> = {
  'github.com': 'github.com',
  'www.github.com': 'github.com',
  'raw.githubusercontent.com': 'github.com',
  'gitlab.com': 'gitlab.com',
  'www.gitlab.com': 'gitlab.com',
  'bitbucket.org': 'bitbucket.org',
  'www.bitbucket.org': 'bitbucket.org',
};

/** The repository a URL points at, or undefined when it does not name one on a known host. */
export function parseRepoUrl(raw: string): RepoRef | undefined {
  let text = raw.trim();
  if (text === '') return undefined;
  // scp-like git syntax: git@github.com:owner/repo.git
  const scp = /^([a-z0-9._-]+)@([a-z0-9.-]+):(?!\/\/)(.+)$/i.exec(text);
  if (scp) text = `ssh://${scp[1]}@${scp[2]}/${scp[3]}`;
  text = text.replace(/^git\+/i, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // `github.com/o/r` without a scheme, as people type it into metadata.
    if (/^(www\.)?(github\.com|gitlab\.com|bitbucket\.org)\//i.test(text)) text = `https://${text}`;
    else return undefined;
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) return undefined;
  const host = HOSTS[u.hostname.toLowerCase()];
  if (!host) return undefined;
  const segments = u.pathname.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  // GitLab nests groups (gitlab.com/group/sub/repo) and starts its own pages at `/-/`.
  const dash = segments.indexOf('-');
  const path = host === 'gitlab.com' ? (dash >= 0 ? segments.slice(0, dash) : segments) : segments.slice(0, 2);
  if (path.length < 2) return undefined;
  const owner = path.slice(0, -1).join('/');
  // pip's VCS form puts the revision after the last '@' of the path: /o/r.git@v1.2
  const repo = path.at(-1)!.split('@')[0]!.replace(/\.git$/i, '');
  if (host === 'github.com') {
    if (GITHUB_RESERVED.has(owner.toLowerCase()) || !GITHUB_LOGIN.test(owner)) return undefined;
  } else if (!owner.split('/').every((part) => /^[a-z0-9][a-z0-9._-]*$/i.test(part))) {
    return undefined;
  }
  if (!REPO_NAME.test(repo) || repo === '.' || repo === '..') return undefined;
  return { host, owner, repo, url: `https://${host}/${owner}/${repo}` };
}
