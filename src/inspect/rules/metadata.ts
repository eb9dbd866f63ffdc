/**
 * Rules about what the index says of a project rather than what its code does: the marks of a
 * throwaway upload (no description, a single release, a disposable mailbox, links that lead nowhere
 * or to someone else's repository). Each is common enough among honest small projects that it is
 * low or medium, and together they are capped below the suspicious threshold (score.ts): metadata
 * makes a package with dubious code more suspicious, never a package with clean code suspicious.
 *
 * They run only on packages downloaded from an index while online (app/inspect-sources.ts builds
 * the ProjectSignals from the PyPI JSON API); a local file has no index to ask.
 */
import { parseRepoUrl } from '../../sources/codehost/repo-url.js';
import { registrableDomain } from '../../sources/dns/maildomain.js';
import type { Evidence, ProjectSignals, Rule } from '../types.js';

/** A long description shorter than this says nothing about the project. */
export const MIN_DESCRIPTION_CHARS = 40;

/**
 * Disposable and throwaway mailbox services: an address there cannot be contacted next week, which
 * is what someone uploading a one-off package wants. A small list of the widely used services, not
 * an exhaustive one; a subdomain of one counts as the service.
 */
export const DISPOSABLE_DOMAINS: ReadonlySet<string> = new Set([
  '10minutemail.com', '10minutemail.net', '20minutemail.com', '33mailbox.com', 'anonbox.net', 'burnermail.io',
  'byom.de', 'discard.email', 'dispostable.com', 'dropmail.me', 'emailfake.com', 'emailondeck.com', 'fakeinbox.com',
  'fakemail.net', 'getairmail.com', 'getnada.com', 'guerrillamail.biz', 'guerrillamail.com', 'guerrillamail.de',
  'guerrillamail.info', 'guerrillamail.net', 'guerrillamail.org', 'guerrillamailblock.com', 'grr.la', 'harakirimail.com',
  'inboxkitten.com', 'mail.tm', 'mailcatch.com', 'maildrop.cc', 'mailinator.com', 'mailinator.net', 'mailnesia.com',
  'mailpoof.com', 'mintemail.com', 'mohmal.com', 'moakt.com', 'mytemp.email', 'nada.email', 'sharklasers.com',
  'spam4.me', 'spamgourmet.com', 'temp-mail.io', 'temp-mail.org', 'tempail.com', 'tempmail.com', 'tempmail.dev',
  'tempmail.net', 'tempmailo.com', 'tempr.email', 'throwawaymail.com', 'tmail.ws', 'tmpmail.net', 'tmpmail.org',
  'trashmail.com', 'trashmail.de', 'trashmail.net', 'yopmail.com', 'yopmail.fr', 'yopmail.net', '1secmail.com',
  '1secmail.net', '1secmail.org', 'mailto.plus', 'fexpost.com', 'emltmp.com', 'dcctb.com',
]);

/** The disposable service an address is at, or undefined. */
export function disposableDomain(address: string): string | undefined {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  if (DISPOSABLE_DOMAINS.has(domain)) return domain;
  const registrable = registrableDomain(domain);
  return DISPOSABLE_DOMAINS.has(registrable) ? registrable : undefined;
}

/** Hosts that stand for no site of the project: placeholders, and sites every project could name. */
const PLACEHOLDER_HOSTS = new Set([
  'example.com', 'example.org', 'example.net', 'localhost', 'google.com', 'pypi.org', 'pypi.python.org', 'python.org',
  'github.com', 'gitlab.com', 'bitbucket.org', 'test.com', 'domain.com', 'yoursite.com', 'website.com',
]);

/** Words that relate any two Python projects, so they relate none. */
const GENERIC_TOKENS = new Set(['python', 'py', 'lib', 'libs', 'sdk', 'api', 'client', 'the', 'pypi', 'package', 'tools', 'utils', 'core', 'www', 'com', 'org', 'net', 'io', 'dev', 'app']);

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length >= 3 && !GENERIC_TOKENS.has(t));
}

/** Whether a repository or host name shares a distinctive word with the project name (`psf/requests` for `requests`, `pallets/flask` for `flask`). */
export function relatedTo(name: string, candidate: string): boolean {
  const own = tokens(name);
  const squashed = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (squashed.length >= 3 && candidate.toLowerCase().replace(/[^a-z0-9]/g, '').includes(squashed)) return true;
  return tokens(candidate).some((c) => own.some((t) => c.includes(t) || (c.length >= 4 && t.includes(c))));
}

type LinkKind = { kind: 'related' } | { kind: 'unrelated'; why: string };

function classifyLink(name: string, url: string): LinkKind {
  const repo = parseRepoUrl(url);
  if (repo) {
    return relatedTo(name, repo.repo) || relatedTo(name, repo.owner) ? { kind: 'related' } : { kind: 'unrelated', why: `another project's repository (${repo.owner}/${repo.repo})` };
  }
  let host: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return { kind: 'unrelated', why: `not a web address` };
    host = u.hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return { kind: 'unrelated', why: 'not a URL' };
  }
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return { kind: 'unrelated', why: 'a bare IP address' };
  if (PLACEHOLDER_HOSTS.has(host) || PLACEHOLDER_HOSTS.has(registrableDomain(host))) return { kind: 'unrelated', why: 'a placeholder or generic site' };
  return relatedTo(name, host) ? { kind: 'related' } : { kind: 'unrelated', why: `a site whose name shares nothing with ${name}` };
}

function days(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  return d <= 0 ? 'today' : d === 1 ? '1 day ago' : `${d} days ago`;
}

const noDescription: Rule = {
  id: 'metadata-no-description',
  description: 'the project publishes no description on the index (empty, UNKNOWN, or a line)',
  severity: 'low',
  tags: ['metadata'],
  kind: 'threat',
  scope: 'index',
  explain:
    `Flags projects whose long description (the README shown on the index) is missing, UNKNOWN or under ${MIN_DESCRIPTION_CHARS} characters. ` +
    'Packages uploaded to be installed by mistake (typosquats, slopsquats, dependency-confusion probes) seldom bother to describe ' +
    'themselves; plenty of small honest projects do not either, which is why it is low and counts only in the capped metadata share of the score.',
  checkProject(p: ProjectSignals): Evidence[] {
    if (p.descriptionLength >= MIN_DESCRIPTION_CHARS) return [];
    const what = p.descriptionLength === 0 ? 'no description' : `a description of ${p.descriptionLength} characters`;
    return [{ file: '', detail: `${what}${p.summary ? ` (summary: ${JSON.stringify(p.summary.slice(0, 80))})` : ', no summary either'}` }];
  },
};

const firstRelease: Rule = {
  id: 'metadata-first-release',
  description: 'the project has a single release on the index: no history to judge it by',
  severity: 'low',
  tags: ['metadata'],
  kind: 'threat',
  scope: 'index',
  explain:
    'Flags projects with exactly one release that has files. Malicious uploads are usually a fresh name with one release, deleted ' +
    'when found; every project starts that way too, so this is low. The evidence says how long ago the first file was uploaded. ' +
    'Not judged when the index does not list the releases (a mirror that serves only the latest).',
  checkProject(p: ProjectSignals): Evidence[] {
    if (p.releaseCount !== 1) return [];
    const age = p.firstUpload !== undefined && !Number.isNaN(Date.parse(p.firstUpload)) ? `, uploaded ${days(p.now - Date.parse(p.firstUpload))}` : '';
    return [{ file: '', detail: `the only release of ${p.name}${age}` }];
  },
};

const disposableEmail: Rule = {
  id: 'metadata-disposable-email',
  description: 'an author or maintainer e-mail address is at a disposable mailbox service',
  severity: 'medium',
  tags: ['metadata'],
  kind: 'threat',
  scope: 'index',
  explain:
    'Flags author and maintainer addresses at throwaway mailbox services (mailinator, guerrillamail, yopmail, 10minutemail and ' +
    'a few dozen more, subdomains included). Nobody can reach such an address next week, which is the point for an uploader ' +
    'who does not want to be reached; an honest maintainer has no reason to hide behind one. A shipped list, not a lookup: ' +
    'lapsed domains are pyward check\'s publisher check.',
  checkProject(p: ProjectSignals): Evidence[] {
    const out: Evidence[] = [];
    for (const address of p.emails) {
      const service = disposableDomain(address);
      if (service) out.push({ file: '', detail: `${address} (${service} is a disposable mailbox service)` });
    }
    return out.slice(0, 3);
  },
};

const noSourceLink: Rule = {
  id: 'metadata-no-source-link',
  description: "no project URL points to the package's own source: no links, placeholders, or another project's repository",
  severity: 'low',
  tags: ['metadata'],
  kind: 'threat',
  scope: 'index',
  explain:
    'Flags projects whose metadata links nowhere (no home page, no project URLs), or only to placeholders (example.com, ' +
    'a bare github.com, an IP address) and to repositories or sites whose names share no word with the project. Copies of ' +
    'popular packages link to the original repository to borrow its stars and credibility (starjacking: a typosquat of ' +
    'requests naming github.com/psf/requests). A repository is related when its owner or name shares a distinctive word with ' +
    'the project (azure-sdk-for-python for azure-storage-blob); projects that only link a company site with another name are ' +
    'the honest exception, so this is low.',
  checkProject(p: ProjectSignals): Evidence[] {
    if (p.urls.length === 0) return [{ file: '', detail: 'the metadata links nowhere: no home page, no project URLs' }];
    const unrelated: string[] = [];
    for (const { label, url } of p.urls) {
      const c = classifyLink(p.name, url);
      if (c.kind === 'related') return [];
      unrelated.push(`${label}: ${url} (${c.why})`);
    }
    return [{ file: '', detail: `no link leads to ${p.name}'s own source: ${unrelated.slice(0, 3).join('; ')}` }];
  },
};

export const metadataRules: readonly Rule[] = [noDescription, firstRelease, disposableEmail, noSourceLink];
