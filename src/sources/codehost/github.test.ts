import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../osv/testdata/server.js';
import { GitHubClient } from './github.js';
import { parseRepoUrl } from './repo-url.js';
import { defaultWorld, githubHandler, type GitHubWorld } from './testdata/github-api.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0, env: {} };
let dir: string;
let server: TestServer | undefined;
let world: GitHubWorld;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-github-'));
  world = defaultWorld();
  server = await startServer(githubHandler(world, () => server!.url));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function ref(url: string) {
  return parseRepoUrl(url)!;
}

describe('GitHubClient.repository', () => {
  it('says a repository at its own name is ok', async () => {
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    const s = await gh.repository(ref('https://github.com/PSF/requests'));
    expect(s).toMatchObject({ state: 'ok', current: { owner: 'psf', repo: 'requests' } });
    expect(server!.requests).toEqual(['GET /repos/PSF/requests']);
  });

  it('follows a 301 to the new owner and finds the old account still there', async () => {
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    const s = await gh.repository(ref('https://github.com/kennethreitz/requests'));
    expect(s).toEqual({
      state: 'moved',
      ref: ref('https://github.com/kennethreitz/requests'),
      current: { host: 'github.com', owner: 'psf', repo: 'requests', url: 'https://github.com/psf/requests' },
      ownerChanged: true,
      oldOwnerExists: true,
    });
    expect(server!.requests).toEqual(['GET /repos/kennethreitz/requests', 'GET /repositories/1362490', 'GET /users/kennethreitz']);
  });

  it('follows a 301 and finds the old account gone: the name can be taken', async () => {
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    const s = await gh.repository(ref('https://github.com/acme-corp/acme-sdk'));
    expect(s).toMatchObject({ state: 'moved', current: { owner: 'acme-sdk-dev' }, ownerChanged: true, oldOwnerExists: false });
  });

  it('treats a 200 under another owner as moved (a proxy followed the redirect)', async () => {
    world.repos.set('kennethreitz/requests', world.repos.get('psf/requests')!);
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    const s = await gh.repository(ref('https://github.com/kennethreitz/requests'));
    expect(s).toMatchObject({ state: 'moved', current: { owner: 'psf' }, ownerChanged: true, oldOwnerExists: true });
  });

  it('does not call a repository renamed under the same owner an owner change', async () => {
    world.moved.set('psf/requests-old', 1362490);
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    const s = await gh.repository(ref('https://github.com/psf/requests-old'));
    expect(s).toMatchObject({ state: 'moved', ownerChanged: false });
    expect(s).not.toHaveProperty('oldOwnerExists');
  });

  it('looks up the account behind a 404', async () => {
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    expect(await gh.repository(ref('https://github.com/ghost-dev/ghost-lib'))).toMatchObject({ state: 'missing', ownerExists: false });
    expect(await gh.repository(ref('https://github.com/kennethreitz/deleted-repo'))).toMatchObject({ state: 'missing', ownerExists: true });
  });

  it('answers unknown once the rate limit is spent, and stops asking', async () => {
    world.limitAfter = 1;
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    expect((await gh.repository(ref('https://github.com/psf/requests'))).state).toBe('ok');
    const s = await gh.repository(ref('https://github.com/acme-corp/acme-sdk'));
    expect(s).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/rate limit.*GITHUB_TOKEN/) });
    const again = await gh.repository(ref('https://github.com/ghost-dev/ghost-lib'));
    expect(again.state).toBe('unknown');
    expect(server!.requests).toHaveLength(2);
  });

  it('sends GITHUB_TOKEN as a bearer token', async () => {
    const gh = new GitHubClient({ ...FAST, env: { GITHUB_TOKEN: 'ghp_example' }, apiUrl: server!.url });
    await gh.repository(ref('https://github.com/psf/requests'));
    expect(world.auth).toEqual(['Bearer ghp_example']);
    expect(gh.authenticated).toBe(true);
  });

  it('caches answers, including the redirect', async () => {
    const opts = { ...FAST, apiUrl: server!.url, cacheDir: dir };
    await new GitHubClient(opts).repository(ref('https://github.com/kennethreitz/requests'));
    const s = await new GitHubClient(opts).repository(ref('https://github.com/kennethreitz/requests'));
    expect(s.state).toBe('moved');
    expect(server!.requests).toHaveLength(3);
  });

  it('does not ask about hosts it cannot check', async () => {
    const gh = new GitHubClient({ ...FAST, apiUrl: server!.url });
    expect(await gh.repository(ref('https://gitlab.com/acme/acme-sdk'))).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/gitlab.com is not checked/) });
    expect(server!.requests).toEqual([]);
  });
});
