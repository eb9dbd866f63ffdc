import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubClient } from '../../sources/codehost/github.js';
import { defaultWorld, githubHandler, type GitHubWorld } from '../../sources/codehost/testdata/github-api.js';
import { startServer, type TestServer } from '../../sources/osv/testdata/server.js';
import { PypiJsonClient } from '../../sources/pypi/project.js';
import { newPypiState, PYPI_TESTDATA, pypiHandler, type PypiState } from '../../sources/pypi/testdata/pypi-server.js';
import { checkRepojacking, repositoryMentions, requirementMention } from './repojacking.js';
import { pkg, vcs } from './testdata/packages.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0 };
let pypiServer: TestServer;
let ghServer: TestServer;
let state: PypiState;
let world: GitHubWorld;
let pypi: PypiJsonClient;
let github: GitHubClient;

/** acme-sdk 1.5.1 as uploaded, still linking the repository's old home: a project frozen in time. */
function frozenAcme(): unknown {
  return JSON.parse(readFileSync(join(PYPI_TESTDATA, 'json', 'acme-sdk-1.5.1.json'), 'utf8'));
}

beforeEach(async () => {
  state = newPypiState();
  state.override = new Map([['/pypi/acme-sdk-legacy/json', frozenAcme()]]);
  pypiServer = await startServer(pypiHandler(state));
  world = defaultWorld();
  ghServer = await startServer(githubHandler(world, () => ghServer.url));
  pypi = new PypiJsonClient({ ...FAST, baseUrl: pypiServer.url });
  github = new GitHubClient({ ...FAST, env: {}, apiUrl: ghServer.url });
});
afterEach(async () => {
  await pypiServer.close();
  await ghServer.close();
});

describe('mentions', () => {
  it('collects each linked repository once, naming the field', () => {
    const m = repositoryMentions({
      projectUrls: { Source: 'https://github.com/psf/requests', Issues: 'https://github.com/psf/requests/issues', Docs: 'https://requests.readthedocs.io' },
      homePage: 'https://github.com/PSF/requests',
    });
    expect(m.map((x) => [x.ref.url, x.via])).toEqual([['https://github.com/psf/requests', 'project URL "Source"']]);
  });

  it('reads direct VCS requirements but not registry ones', () => {
    expect(requirementMention(vcs('acme-sdk', 'git+https://github.com/acme-corp/acme-sdk.git@v1.5.1'))?.ref.url).toBe('https://github.com/acme-corp/acme-sdk');
    expect(requirementMention(pkg('requests'))).toBeUndefined();
  });
});

describe('checkRepojacking', () => {
  it('reports a direct requirement on a repository whose old owner is gone as critical', async () => {
    const res = await checkRepojacking([vcs('acme-sdk', 'git+https://github.com/acme-corp/acme-sdk.git@v1.5.1#egg=acme-sdk', 4)], { pypi, github });
    expect(res.findings).toEqual([
      {
        kind: 'repojacking',
        name: 'acme-sdk',
        risk: 'critical',
        target: 'https://github.com/acme-sdk-dev/acme-sdk',
        evidence: [
          'the requirement installs from https://github.com/acme-corp/acme-sdk',
          'https://github.com/acme-corp/acme-sdk now redirects to https://github.com/acme-sdk-dev/acme-sdk',
          "the GitHub account 'acme-corp' no longer exists: anyone can register it and create acme-corp/acme-sdk, which replaces the redirect",
        ],
        suggestion: 'point the requirement at https://github.com/acme-sdk-dev/acme-sdk and pin a commit hash (git+https://github.com/acme-sdk-dev/acme-sdk@<sha>)',
        location: { file: 'requirements.txt', line: 4 },
      },
    ]);
    // VCS requirements are not looked up on PyPI: their name there may belong to someone else
    expect(pypiServer.requests).toEqual([]);
  });

  it('reports project links to such a repository as high', async () => {
    const res = await checkRepojacking([pkg('acme-sdk-legacy')], { pypi, github });
    expect(res.findings).toHaveLength(1);
    expect(res.findings[0]).toMatchObject({ kind: 'repojacking', name: 'acme-sdk-legacy', risk: 'high' });
    expect(res.findings[0]!.evidence[0]).toBe('its project URL "Homepage" is https://github.com/acme-corp/acme-sdk');
  });

  it('rates a transfer whose old owner still exists low for links and medium for requirements', async () => {
    const res = await checkRepojacking([vcs('requests', 'git+https://github.com/kennethreitz/requests@v2.0.0')], { pypi, github });
    expect(res.findings[0]).toMatchObject({ risk: 'medium', target: 'https://github.com/psf/requests' });
    expect(res.findings[0]!.evidence[2]).toMatch(/'kennethreitz' still exists/);
  });

  it('reports a requirement whose repository and account are both gone as critical', async () => {
    const res = await checkRepojacking([vcs('ghost-lib', 'git+https://github.com/ghost-dev/ghost-lib.git')], { pypi, github });
    expect(res.findings[0]).toMatchObject({ risk: 'critical', evidence: [expect.any(String), expect.stringMatching(/anyone can register 'ghost-dev'/)] });
  });

  it('stays quiet about projects whose links are where they say', async () => {
    const res = await checkRepojacking([pkg('requests'), pkg('acme-sdk')], { pypi, github });
    expect(res).toEqual({ findings: [], skipped: [], diagnostics: [] });
    // each linked repository asked once, even though requests links it twice
    expect(ghServer.requests.sort()).toEqual(['GET /repos/acme-sdk-dev/acme-sdk', 'GET /repos/psf/requests']);
  });

  it('asks about a repository once for all the packages that link it', async () => {
    await checkRepojacking([pkg('acme-sdk-legacy'), vcs('acme-sdk', 'git+https://github.com/acme-corp/acme-sdk')], { pypi, github });
    expect(ghServer.requests.filter((r) => r === 'GET /repos/acme-corp/acme-sdk')).toHaveLength(1);
  });

  it('lists what the rate limit kept it from checking', async () => {
    world.limitAfter = 0;
    const res = await checkRepojacking([pkg('requests'), vcs('ghost-lib', 'git+https://github.com/ghost-dev/ghost-lib.git')], { pypi, github });
    expect(res.findings).toEqual([]);
    expect(res.skipped).toEqual([{ check: 'repository ownership', reason: expect.stringMatching(/rate limit/), names: ['ghost-lib', 'requests'] }]);
  });

  it('says a GitHub it cannot reach left repositories unchecked, rather than failing the run', async () => {
    await ghServer.close();
    const res = await checkRepojacking([vcs('ghost-lib', 'git+https://github.com/ghost-dev/ghost-lib.git')], {
      pypi,
      github: new GitHubClient({ ...FAST, retries: 0, env: {}, apiUrl: ghServer.url }),
    });
    expect(res.skipped[0]).toMatchObject({ check: 'repository ownership', reason: expect.stringMatching(/could not fetch/) });
    ghServer = await startServer(() => ({ status: 500 }));
  });

  it('offline, asks nothing', async () => {
    const res = await checkRepojacking([vcs('ghost-lib', 'git+https://github.com/ghost-dev/ghost-lib.git')], { pypi, github, offline: true });
    expect(res.skipped).toEqual([{ check: 'repository ownership', reason: 'offline' }]);
    expect(ghServer.requests).toEqual([]);
  });
});
