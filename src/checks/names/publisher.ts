/**
 * Publisher continuity: account takeovers show up as a project whose newest release names another
 * source repository or other maintainer addresses than the ones before, and they start with an
 * e-mail domain that lapsed (whoever registers it can reset the PyPI password; the 2022 `ctx`
 * takeover went this way).
 *
 * Only the latest releases are compared (the latest and the one or two before it, by upload time),
 * each through PyPI's per-release JSON, which holds that release's metadata as it was uploaded;
 * fetching every release of a long-lived project would cost hundreds of requests for no gain.
 */
import type { NameFinding, Package, Risk } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { repoKey } from '../../sources/codehost/repo-url.js';
import { DomainResolver, type DomainCheck, type DomainResolverOptions } from '../../sources/dns/maildomain.js';
import { PypiJsonClient, type ProjectInfo, type PypiClientOptions, type ReleaseMetadata } from '../../sources/pypi/project.js';
import { addSkipped, emptyResult, offlineResult, publicRegistryPackages, where, type NameCheckResult } from './online.js';
import { repositoryMentions } from './repojacking.js';

export interface PublisherOptions {
  pypi?: PypiJsonClient;
  pypiOptions?: PypiClientOptions;
  /** DNS for the e-mail domain check; `dns` options build one when not given. */
  resolver?: DomainResolver;
  dns?: DomainResolverOptions;
  /** How many of the latest releases to compare (default 3: the latest and the two before it). */
  releases?: number;
  /** Resolve maintainer e-mail domains (default true). */
  checkDomains?: boolean;
  offline?: boolean;
  privateNames?: Iterable<string>;
}

/**
 * Mail providers whose domains cannot lapse; resolving them only costs time. An address there can
 * still be taken over, but not by registering a domain.
 */
const HOSTED_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'icloud.com', 'me.com',
  'protonmail.com', 'proton.me', 'pm.me', 'gmx.de', 'gmx.net', 'web.de', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', '126.com',
  'users.noreply.github.com',
]);

/** Addresses in an `author_email`-style field: `"A. Dev" <a@x.org>, b@y.org`, lower-cased. */
export function emailAddresses(field: string | undefined): string[] {
  if (!field) return [];
  return [...new Set(addressMatches(field).map((a) => a.toLowerCase()))];
}

const LOCAL_CHAR = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/;
/** A domain after `@`: labels joined by dots, at least two; sticky, tried once at each `@`. */
const DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/y;

/**
 * What `field.match(/LOCAL+@DOMAIN/g)` finds, from each `@` outwards. The regex was quadratic on a
 * hostile field: every start in a long run of local-part characters rescanned the run to its end.
 * Here each character is looked at a bounded number of times: runs on either side of an `@` stop
 * at the next `@`, which neither part contains.
 */
function addressMatches(field: string): string[] {
  const found: string[] = [];
  let end = 0;
  for (let at = field.indexOf('@'); at >= 0; at = field.indexOf('@', Math.max(at + 1, end))) {
    let start = at;
    while (start > end && LOCAL_CHAR.test(field[start - 1]!)) start--;
    if (start === at) continue;
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(field);
    if (domain === null) continue;
    end = at + 1 + domain[0].length;
    found.push(field.slice(start, end));
  }
  return found;
}

function addressesOf(meta: ReleaseMetadata): string[] {
  return [...new Set([...emailAddresses(meta.authorEmail), ...emailAddresses(meta.maintainerEmail)])];
}

/** The last `count` installable releases in upload order, oldest first. */
export function latestReleases(project: ProjectInfo, count: number): string[] {
  return project.releases
    .filter((r) => r.uploadTime !== undefined && !r.yanked)
    .sort((a, b) => Date.parse(a.uploadTime!) - Date.parse(b.uploadTime!))
    .slice(-count)
    .map((r) => r.version);
}

function fromProjectInfo(project: ProjectInfo, version: string): ReleaseMetadata {
  const { projectUrls, homePage, downloadUrl, author, authorEmail, maintainer, maintainerEmail } = project;
  const meta: ReleaseMetadata = { name: project.name, version, projectUrls, yanked: false };
  if (homePage !== undefined) meta.homePage = homePage;
  if (downloadUrl !== undefined) meta.downloadUrl = downloadUrl;
  if (author !== undefined) meta.author = author;
  if (authorEmail !== undefined) meta.authorEmail = authorEmail;
  if (maintainer !== undefined) meta.maintainer = maintainer;
  if (maintainerEmail !== undefined) meta.maintainerEmail = maintainerEmail;
  return meta;
}

/** What changed from `older` to `newer`, as evidence lines and a risk; undefined when nothing did. */
export function compareReleases(older: ReleaseMetadata, newer: ReleaseMetadata): { risk: Risk; evidence: string[] } | undefined {
  const evidence: string[] = [];
  let risk: Risk = 'low';
  const raise = (r: Risk): void => {
    const order: Risk[] = ['low', 'medium', 'high', 'critical'];
    if (order.indexOf(r) > order.indexOf(risk)) risk = r;
  };

  const oldRepos = repositoryMentions(older).map((m) => m.ref);
  const newRepos = repositoryMentions(newer).map((m) => m.ref);
  const oldKeys = new Set(oldRepos.map(repoKey));
  let repoOwnerChanged = false;
  if (oldRepos.length > 0 && newRepos.length > 0 && !newRepos.some((r) => oldKeys.has(repoKey(r)))) {
    const oldOwners = new Set(oldRepos.map((r) => r.owner.toLowerCase()));
    repoOwnerChanged = !newRepos.some((r) => oldOwners.has(r.owner.toLowerCase()));
    evidence.push(
      `source repository changed from ${oldRepos.map((r) => r.url).join(', ')} (${older.version}) to ${newRepos.map((r) => r.url).join(', ')} (${newer.version})`,
    );
    raise(repoOwnerChanged ? 'medium' : 'low');
  } else if (oldRepos.length > 0 && newRepos.length === 0) {
    evidence.push(`${newer.version} no longer links a source repository (${older.version} linked ${oldRepos.map((r) => r.url).join(', ')})`);
  }

  const oldMail = addressesOf(older);
  const newMail = addressesOf(newer);
  const mailReplaced = oldMail.length > 0 && newMail.length > 0 && !newMail.some((a) => oldMail.includes(a));
  if (mailReplaced) {
    evidence.push(`maintainer e-mail changed from ${oldMail.join(', ')} (${older.version}) to ${newMail.join(', ')} (${newer.version})`);
    raise('medium');
  }
  // Either change happens in honest projects (a move to an organization, a new job); both at once
  // is what a new owner of the account looks like.
  if (repoOwnerChanged && mailReplaced) raise('high');
  return evidence.length ? { risk, evidence } : undefined;
}

function domainFinding(name: string, address: string, check: DomainCheck): Omit<NameFinding, 'location'> {
  const lapsed = check.registrable;
  return {
    kind: 'publisher-change',
    name,
    risk: 'high',
    evidence: [
      `maintainer e-mail ${address}: the domain ${check.domain} does not exist (NXDOMAIN)${check.registrable !== check.domain ? `, nor does ${check.registrable}` : ''}`,
      `anyone can register ${lapsed} and receive the password-reset mail for this address; if it is the PyPI account's address, that is the account`,
    ],
    suggestion: `stay on releases you have reviewed and report it to the maintainers (or security@pypi.org) so the account's e-mail is changed`,
  };
}

async function releaseMetadata(pypi: PypiJsonClient, project: ProjectInfo, version: string): Promise<ReleaseMetadata | undefined> {
  // The project answer's `info` already is the latest release's metadata: no need to fetch it twice.
  if (version === project.latestVersion) return fromProjectInfo(project, version);
  return pypi.release(project.name, version);
}

/** Compares the latest releases of each public package and checks its maintainers' mail domains. */
export async function checkPublisher(packages: readonly Package[], options: PublisherOptions = {}): Promise<NameCheckResult> {
  const checkDomains = options.checkDomains ?? true;
  if (options.offline) return offlineResult(checkDomains ? ['publisher continuity', 'e-mail domains'] : ['publisher continuity']);
  const pypi = options.pypi ?? new PypiJsonClient(options.pypiOptions);
  const resolver = checkDomains ? (options.resolver ?? new DomainResolver(options.dns)) : undefined;
  const count = Math.max(2, options.releases ?? 3);
  const result = emptyResult();

  const targets = publicRegistryPackages(packages, options.privateNames);
  await Promise.all(
    targets.map(async (pkg) => {
      const name = normalizeName(pkg.name);
      let metas: ReleaseMetadata[];
      let project: ProjectInfo;
      try {
        project = await pypi.project(name);
        if (!project.exists) return;
        const versions = latestReleases(project, count);
        metas = (await Promise.all(versions.map((v) => releaseMetadata(pypi, project, v)))).filter((m): m is ReleaseMetadata => m !== undefined);
      } catch (e) {
        if ((e as { code?: string }).code !== 'source-bad-response') throw e;
        addSkipped(result, { check: 'publisher continuity', reason: (e as Error).message, names: [name] });
        return;
      }

      const evidence: string[] = [];
      let risk: Risk | undefined;
      const order: Risk[] = ['low', 'medium', 'high', 'critical'];
      for (let i = 1; i < metas.length; i++) {
        const change = compareReleases(metas[i - 1]!, metas[i]!);
        if (!change) continue;
        evidence.push(...change.evidence);
        if (risk === undefined || order.indexOf(change.risk) > order.indexOf(risk)) risk = change.risk;
      }
      if (risk !== undefined) {
        result.findings.push({
          kind: 'publisher-change',
          name,
          risk,
          evidence,
          suggestion: `before upgrading ${name}, check that the new repository or maintainer is the same team (release notes, the project's own announcement); pin the last release you trust`,
          ...where(pkg),
        });
      }

      if (!resolver) return;
      const latest = metas.at(-1) ?? (project.latestVersion !== undefined ? fromProjectInfo(project, project.latestVersion) : undefined);
      if (!latest) return;
      for (const address of addressesOf(latest)) {
        const domain = address.slice(address.lastIndexOf('@') + 1);
        if (HOSTED_MAIL.has(domain)) continue;
        const check = await resolver.check(domain);
        if (check.state === 'unknown') {
          addSkipped(result, { check: 'e-mail domains', reason: `DNS lookup failed (${check.error ?? 'unknown error'})`, names: [name] });
        } else if (check.state === 'nxdomain' && check.registrableMissing) {
          result.findings.push({ ...domainFinding(name, address, check), ...where(pkg) });
        }
      }
    }),
  );
  // Answers arrive in any order; report in the input's.
  const rank = new Map(targets.map((p, i) => [normalizeName(p.name), i]));
  result.findings.sort((a, b) => (rank.get(a.name) ?? 0) - (rank.get(b.name) ?? 0));
  return result;
}
