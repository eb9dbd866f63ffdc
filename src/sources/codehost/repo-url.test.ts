import { describe, expect, it } from 'vitest';
import { parseRepoUrl, repoKey } from './repo-url.js';

const psf = { host: 'github.com', owner: 'psf', repo: 'requests', url: 'https://github.com/psf/requests' };

describe('parseRepoUrl', () => {
  it.each([
    ['https://github.com/psf/requests'],
    ['https://github.com/psf/requests/'],
    ['http://www.github.com/psf/requests'],
    ['https://github.com/psf/requests.git'],
    ['https://github.com/psf/requests/tree/main/docs'],
    ['https://github.com/psf/requests/issues'],
    ['https://github.com/psf/requests/blob/main/HISTORY.md#release-history'],
    ['https://github.com/psf/requests?tab=readme-ov-file'],
    ['git+https://github.com/psf/requests.git@v2.32.3#egg=requests'],
    ['git+https://github.com/psf/requests@main'],
    ['git+ssh://git@github.com/psf/requests.git'],
    ['git@github.com:psf/requests.git'],
    ['github.com/psf/requests'],
    ['https://raw.githubusercontent.com/psf/requests/main/HISTORY.md'],
  ])('%s', (url) => {
    expect(parseRepoUrl(url)).toEqual(psf);
  });

  it.each([
    ['https://requests.readthedocs.io'],
    ['https://github.com/psf'],
    ['https://github.com/sponsors/psf'],
    ['https://github.com/orgs/psf/people'],
    ['https://github.com/features/actions'],
    ['https://gist.github.com/psf/0123abcd'],
    ['https://psf.github.io/requests'],
    ['https://github.com/-bad-/x'],
    ['mailto:me@kennethreitz.org'],
    [''],
  ])('ignores %s', (url) => {
    expect(parseRepoUrl(url)).toBeUndefined();
  });

  it('keeps GitLab subgroups and stops at /-/', () => {
    expect(parseRepoUrl('https://gitlab.com/acme/platform/acme-sdk/-/tree/main')).toEqual({
      host: 'gitlab.com',
      owner: 'acme/platform',
      repo: 'acme-sdk',
      url: 'https://gitlab.com/acme/platform/acme-sdk',
    });
    expect(parseRepoUrl('https://bitbucket.org/acme/acme-sdk/src/master/')?.url).toBe('https://bitbucket.org/acme/acme-sdk');
  });

  it('compares repositories case-insensitively', () => {
    expect(repoKey(parseRepoUrl('https://github.com/PSF/Requests')!)).toBe(repoKey(parseRepoUrl('https://github.com/psf/requests')!));
  });
});
