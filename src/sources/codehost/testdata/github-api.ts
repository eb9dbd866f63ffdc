/**
 * A GitHub REST API stand-in for tests, answering as api.github.com does for the situations that
 * matter to repojacking: a repository (200), a moved repository (301 to `/repositories/{id}` with
 * the documented body), a missing one (404 with GitHub's error body), accounts that exist or not,
 * and the rate limit (403 with `x-ratelimit-remaining: 0`). Owner and repository names match
 * case-insensitively, as on GitHub.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply } from '../../osv/testdata/server.js';

const dir = fileURLToPath(new URL('./', import.meta.url));
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
}

export interface GitHubWorld {
  /** `owner/repo` (lower case) -> repository object. */
  repos: Map<string, Record<string, unknown>>;
  /** `owner/repo` (lower case) of an old name -> id of the repository it moved to. */
  moved: Map<string, number>;
  /** Logins (lower case) that exist, with their user object when one is recorded. */
  users: Map<string, Record<string, unknown>>;
  /** Answer every request with the rate-limit 403 once this many have been answered. */
  limitAfter?: number;
  /** Authorization headers seen. */
  auth: (string | undefined)[];
  served: number;
}

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-github-api-version-selected': '2022-11-28', 'x-ratelimit-limit': '60', 'x-ratelimit-resource': 'core' };

function reply(status: number, body: unknown, extra: Record<string, string> = {}): Reply {
  return { status, headers: { ...HEADERS, ...extra }, body: JSON.stringify(body) };
}

export function githubHandler(world: GitHubWorld, baseUrl: () => string) {
  return (req: IncomingMessage): Reply => {
    world.auth.push(req.headers['authorization']);
    if (world.limitAfter !== undefined && world.served >= world.limitAfter) {
      return reply(403, fixture('rate-limited-403.json'), { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '60', 'x-ratelimit-reset': '1717243200' });
    }
    world.served++;
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
    let m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) {
      const key = `${m[1]}/${m[2]}`.toLowerCase();
      const repo = world.repos.get(key);
      if (repo) return reply(200, repo, { etag: `W/"${key}"`, 'x-ratelimit-remaining': '59' });
      const id = world.moved.get(key);
      if (id !== undefined) {
        const location = `${baseUrl()}/repositories/${id}`;
        return reply(301, { ...fixture('moved-301.json'), url: location }, { location });
      }
      return reply(404, fixture('repo-404.json'));
    }
    m = /^\/repositories\/(\d+)$/.exec(path);
    if (m) {
      const repo = [...world.repos.values()].find((r) => r['id'] === Number(m![1]));
      return repo ? reply(200, repo) : reply(404, fixture('repo-404.json'));
    }
    m = /^\/users\/([^/]+)$/.exec(path);
    if (m) {
      const login = m[1]!.toLowerCase();
      const user = world.users.get(login);
      return user ? reply(200, user) : reply(404, fixture('user-404.json'));
    }
    return reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  };
}

/**
 * The recorded world: psf/requests (moved there from kennethreitz/requests, whose account still
 * exists) and acme-sdk-dev/acme-sdk (moved there from acme-corp/acme-sdk, whose account is gone).
 */
export function defaultWorld(): GitHubWorld {
  const requests = fixture('repo-psf-requests.json');
  const acme = fixture('repo-acme-sdk-dev-acme-sdk.json');
  const kenneth = fixture('user-kennethreitz.json');
  return {
    repos: new Map([
      ['psf/requests', requests],
      ['acme-sdk-dev/acme-sdk', acme],
    ]),
    moved: new Map([
      ['kennethreitz/requests', 1362490],
      ['acme-corp/acme-sdk', 510123456],
    ]),
    users: new Map([
      ['kennethreitz', kenneth],
      ['psf', { login: 'psf', id: 50630501, type: 'Organization' }],
      ['acme-sdk-dev', { login: 'acme-sdk-dev', id: 161234567, type: 'User' }],
    ]),
    auth: [],
    served: 0,
  };
}
