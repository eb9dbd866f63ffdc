/**
 * Who owns a GitHub repository now, through the REST API (`GET {api}/repos/{owner}/{repo}`).
 *
 * Repojacking works because GitHub redirects the old name of a renamed or transferred repository
 * only until someone registers the old account name and creates a repository there: from then on
 * every `git+https://github.com/old/repo` and every project link serves the newcomer's code. So:
 * - 301 to `/repositories/{id}` (the API's answer for a moved repository): followed once to learn the
 *   new owner; the old owner's account is then looked up (`GET /users/{login}`): if it is gone,
 *   anyone can take the name.
 * - 200 whose `owner.login` differs from the URL's owner: the same, when something on the way
 *   followed the redirect for us.
 * - 404: the repository is gone (or private); if the account is gone too, anyone can re-create both.
 *
 * Redirects are not followed automatically, because the redirect is the finding. A token from
 * `GITHUB_TOKEN` (or `GH_TOKEN`) raises the rate limit from 60 to 5,000 requests an hour; when the
 * limit runs out the answer is "unknown", never "fine".
 */
import { join } from 'node:path';
import { SourceError } from '../../core/errors.js';
import { JsonCache } from '../cache.js';
import { cachedGet, jsonBody } from '../conditional.js';
import type { HttpOptions, HttpResponse } from '../http.js';
import { Throttle, type ThrottleOptions } from '../throttle.js';
import type { RepoRef } from './repo-url.js';
import { trimTrailingSlashes } from '../../core/text.js';

export const GITHUB_API = 'https://api.github.com';

export type RepoStatus =
  /** The repository is where the URL says. */
  | { state: 'ok'; ref: RepoRef; current: RepoRef }
  /** The URL's owner or name no longer holds it; `current` is where it lives now. */
  | { state: 'moved'; ref: RepoRef; current: RepoRef; ownerChanged: boolean; oldOwnerExists?: boolean }
  /** No such repository (deleted, renamed away and replaced, or private). */
  | { state: 'missing'; ref: RepoRef; ownerExists?: boolean }
  /** Could not tell: rate limit, a blocked repository, an unexpected answer. */
  | { state: 'unknown'; ref: RepoRef; reason: string };

export interface GitHubOptions extends HttpOptions, ThrottleOptions {
  /** API base, default https://api.github.com (GitHub Enterprise: https://host/api/v3). */
  apiUrl?: string;
  /** Defaults to `GITHUB_TOKEN`, then `GH_TOKEN`, from `env`. */
  token?: string;
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
  /** How long an answer is reused (default 24 hours). */
  ttlMs?: number;
  offline?: boolean;
  now?: () => number;
  throttle?: Throttle;
}

/** The facts kept from one API answer; this is what is cached. */
interface Answer {
  status: number;
  login?: string;
  name?: string;
  location?: string;
  /** A 403/429 that is GitHub's rate limit, not a permission problem. */
  rateLimited?: boolean;
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_BYTES = 4 * 1024 * 1024;
const CACHE_VERSION = 'v1';
const MAX_REDIRECTS = 3;

type Obj = Record<string, unknown>;
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAnswer(v: unknown): Answer | undefined {
  return isObj(v) && typeof v['status'] === 'number' ? (v as unknown as Answer) : undefined;
}

class RateLimited extends SourceError {}

export class GitHubClient {
  readonly apiUrl: string;
  private readonly options: GitHubOptions;
  private readonly token: string | undefined;
  private readonly cache: JsonCache | undefined;
  private readonly throttle: Throttle;
  /** Once GitHub says the limit is spent, later calls answer "unknown" without asking. */
  private limitedReason: string | undefined;

  constructor(options: GitHubOptions = {}) {
    const env = options.env ?? process.env;
    this.apiUrl = trimTrailingSlashes(options.apiUrl ?? GITHUB_API);
    this.token = options.token ?? (env['GITHUB_TOKEN'] || env['GH_TOKEN'] || undefined);
    this.options = options;
    this.cache = options.cacheDir ? new JsonCache(join(options.cacheDir, 'github')) : undefined;
    // Unauthenticated, GitHub allows 60 requests an hour; pace gently either way.
    this.throttle = options.throttle ?? new Throttle({ concurrency: options.concurrency ?? 4, requestsPerSecond: options.requestsPerSecond ?? 5 });
  }

  get authenticated(): boolean {
    return this.token !== undefined;
  }

  private async get(path: string): Promise<Answer> {
    if (this.limitedReason) throw new RateLimited('source-unreachable', this.limitedReason);
    const url = path.startsWith('http') ? path : `${this.apiUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    // Private repositories answer differently with a token, so answers are kept apart.
    const key = `${CACHE_VERSION}:${this.token ? 'auth' : 'anon'}:${url}`;
    const answer = await cachedGet<Answer>(
      { url, key, headers, maxBytes: MAX_BYTES, redirect: 'manual', what: `GitHub's answer for ${path}` },
      (res) => this.interpret(url, res),
      isAnswer,
      {
        ...this.options,
        cache: this.cache,
        throttle: this.throttle,
        ttlMs: this.options.ttlMs ?? DEFAULT_TTL_MS,
        unreachableHint: 'check the network or proxy settings, or run with --offline to skip the repository checks',
      },
    );
    if (answer.rateLimited) {
      this.limitedReason = `GitHub's API rate limit is used up${this.token ? '' : ' (60 requests an hour without a token: set GITHUB_TOKEN)'}`;
      throw new RateLimited('source-unreachable', this.limitedReason);
    }
    return answer;
  }

  private interpret(url: string, res: HttpResponse): Answer {
    if (res.status === 200) {
      const body = jsonBody(url, res);
      if (!isObj(body)) throw new SourceError('source-bad-response', `${url}: not a JSON object`);
      const answer: Answer = { status: 200 };
      if (typeof body['name'] === 'string') answer.name = body['name'];
      // Repositories carry `owner.login`; users and organizations carry `login` themselves.
      const owner = body['owner'];
      if (isObj(owner) && typeof owner['login'] === 'string') answer.login = owner['login'];
      else if (typeof body['login'] === 'string') answer.login = body['login'];
      return answer;
    }
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location') ?? undefined;
      let fromBody: string | undefined;
      try {
        const body = JSON.parse(res.body.toString('utf8')) as unknown;
        if (isObj(body) && typeof body['url'] === 'string') fromBody = body['url'];
      } catch {
        // the Location header is enough
      }
      const target = location ?? fromBody;
      return target ? { status: res.status, location: new URL(target, url).toString() } : { status: res.status };
    }
    if ((res.status === 403 || res.status === 429) && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after'))) {
      return { status: res.status, rateLimited: true };
    }
    return { status: res.status };
  }

  /** Whether a user or organization named `login` exists; undefined when GitHub would not say. */
  async accountExists(login: string): Promise<boolean | undefined> {
    try {
      const a = await this.get(`/users/${encodeURIComponent(login)}`);
      if (a.status === 200) return true;
      if (a.status === 404) return false;
      return undefined;
    } catch (e) {
      if (e instanceof RateLimited) return undefined;
      throw e;
    }
  }

  /** Where `ref` lives now, and whether its old name could be taken over. */
  async repository(ref: RepoRef): Promise<RepoStatus> {
    if (ref.host !== 'github.com') return { state: 'unknown', ref, reason: `${ref.host} is not checked (only GitHub is)` };
    try {
      let answer = await this.get(`/repos/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}`);
      let redirected = false;
      for (let hops = 0; answer.status >= 300 && answer.status < 400 && hops < MAX_REDIRECTS; hops++) {
        if (!answer.location) return { state: 'unknown', ref, reason: `GitHub answered HTTP ${answer.status} without a Location` };
        // Only follow redirects that stay on the API host: the token must not travel elsewhere.
        if (new URL(answer.location).origin !== new URL(this.apiUrl).origin) {
          return { state: 'unknown', ref, reason: `GitHub redirected to another host (${new URL(answer.location).host})` };
        }
        redirected = true;
        answer = await this.get(answer.location);
      }
      if (answer.status === 200) {
        const login = answer.login ?? ref.owner;
        const name = answer.name ?? ref.repo;
        const current: RepoRef = { host: 'github.com', owner: login, repo: name, url: `https://github.com/${login}/${name}` };
        const ownerChanged = login.toLowerCase() !== ref.owner.toLowerCase();
        if (!redirected && !ownerChanged && name.toLowerCase() === ref.repo.toLowerCase()) return { state: 'ok', ref, current };
        const moved: RepoStatus = { state: 'moved', ref, current, ownerChanged };
        if (ownerChanged) {
          const exists = await this.accountExists(ref.owner);
          if (exists !== undefined) moved.oldOwnerExists = exists;
        }
        return moved;
      }
      if (answer.status === 404) {
        const missing: RepoStatus = { state: 'missing', ref };
        const exists = await this.accountExists(ref.owner);
        if (exists !== undefined) missing.ownerExists = exists;
        return missing;
      }
      if (answer.status === 401) return { state: 'unknown', ref, reason: 'GitHub rejected the token (HTTP 401): check GITHUB_TOKEN' };
      if (answer.status === 451) return { state: 'unknown', ref, reason: 'GitHub blocks access to the repository (HTTP 451)' };
      return { state: 'unknown', ref, reason: `GitHub answered HTTP ${answer.status}` };
    } catch (e) {
      if (e instanceof RateLimited) return { state: 'unknown', ref, reason: e.message };
      throw e;
    }
  }
}
