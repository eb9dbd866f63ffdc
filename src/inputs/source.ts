/**
 * Where a package comes from, spelled one way whichever input recorded it, so that a git
 * dependency locked by pipenv, Poetry, PDM or PEP 751 reads the same in every report.
 */

/** The VCS tools pip knows; lockfiles that key an entry by its tool use these keys. */
export const VCS_NAMES = ['git', 'hg', 'svn', 'bzr'] as const;

/**
 * The pip requirement URL of a VCS checkout: `git+https://host/repo.git@<ref>#subdirectory=<dir>`.
 * `repository` may already carry the `<vcs>+` prefix. A missing or empty ref or subdirectory is
 * left out: the URL then names a branch head, which the caller warns about where it matters.
 */
export function vcsUrl(vcs: string, repository: string, ref?: string, subdirectory?: string): string {
  let url = repository.startsWith(`${vcs}+`) ? repository : `${vcs}+${repository}`;
  if (ref) url += `@${ref}`;
  if (subdirectory) url += `#subdirectory=${subdirectory}`;
  return url;
}
