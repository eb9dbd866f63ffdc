import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainResolver } from '../../sources/dns/maildomain.js';
import { startDnsServer, type DnsServer } from '../../sources/dns/testdata/dns-server.js';
import { startServer, type TestServer } from '../../sources/osv/testdata/server.js';
import { PypiJsonClient, type ReleaseMetadata } from '../../sources/pypi/project.js';
import { newPypiState, pypiHandler, type PypiState } from '../../sources/pypi/testdata/pypi-server.js';
import { checkPublisher, compareReleases, emailAddresses, latestReleases } from './publisher.js';
import { pkg } from './testdata/packages.js';

const FAST = { backoffMs: 5, timeoutMs: 2000, requestsPerSecond: 0 };
let server: TestServer;
let state: PypiState;
let dns: DnsServer;
let pypi: PypiJsonClient;
let resolver: DomainResolver;

/** The world's DNS as the tests need it: live domains answer MX, lapsed ones NXDOMAIN. */
const ZONES = {
  'kennethreitz.org': { mx: [{ preference: 10, exchange: 'mx1.improvmx.com' }] },
  'acme-sdk.io': { mx: [{ preference: 10, exchange: 'aspmx.l.google.com' }] },
  'uni-example.cz': { mx: [{ preference: 10, exchange: 'relay.uni-example.cz' }] },
};

beforeEach(async () => {
  state = newPypiState();
  server = await startServer(pypiHandler(state));
  dns = await startDnsServer(ZONES);
  pypi = new PypiJsonClient({ ...FAST, baseUrl: server.url });
  resolver = new DomainResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
});
afterEach(async () => {
  await server.close();
  await dns.close();
});

function meta(version: string, fields: Partial<ReleaseMetadata>): ReleaseMetadata {
  return { name: 'x', version, projectUrls: {}, yanked: false, ...fields };
}

describe('emailAddresses', () => {
  it('reads the address lists core metadata allows', () => {
    expect(emailAddresses('"A. Random Developer" <Author@Example.com>, Jan Novak <jan@novak-software.cz>')).toEqual(['author@example.com', 'jan@novak-software.cz']);
    expect(emailAddresses('UNKNOWN')).toEqual([]);
    expect(emailAddresses(undefined)).toEqual([]);
  });

  it('finds the same addresses as the pattern does around stray @ and dots', () => {
    expect(emailAddresses('a@b@c.d, x.y@z.io. @q.r, m@n, .@e.f')).toEqual(['b@c.d', 'x.y@z.io', '.@e.f']);
    expect(emailAddresses('a@b.c.d@e.f')).toEqual(['a@b.c.d']);
  });

  it('a field of 200,000 address characters and no @ is one pass', () => {
    // The global regex restarted at each of them and rescanned the run to its end: 200,000 x 200,000 steps.
    expect(emailAddresses('a'.repeat(200_000))).toEqual([]);
    expect(emailAddresses(`${'a'.repeat(200_000)}@`)).toEqual([]);
    expect(emailAddresses(`x@${'a'.repeat(200_000)}`)).toEqual([]);
  });
});

describe('compareReleases', () => {
  const a = meta('1.0', { projectUrls: { Source: 'https://github.com/acme-corp/acme-sdk' }, authorEmail: 'dev@acme-sdk.io' });

  it('rates a new repository owner and new addresses together as high', () => {
    const b = meta('1.1', { projectUrls: { Source: 'https://github.com/someone-else/acme-sdk' }, authorEmail: 'x@proton.me' });
    expect(compareReleases(a, b)).toEqual({
      risk: 'high',
      evidence: [
        'source repository changed from https://github.com/acme-corp/acme-sdk (1.0) to https://github.com/someone-else/acme-sdk (1.1)',
        'maintainer e-mail changed from dev@acme-sdk.io (1.0) to x@proton.me (1.1)',
      ],
    });
  });

  it('rates either change alone lower', () => {
    expect(compareReleases(a, meta('1.1', { projectUrls: a.projectUrls, authorEmail: 'new@acme-sdk.io' }))?.risk).toBe('medium');
    expect(compareReleases(a, meta('1.1', { projectUrls: { Source: 'https://github.com/acme-corp/acme-python' }, authorEmail: 'dev@acme-sdk.io' }))?.risk).toBe('low');
    expect(compareReleases(a, meta('1.1', { authorEmail: 'dev@acme-sdk.io' }))).toEqual({ risk: 'low', evidence: ['1.1 no longer links a source repository (1.0 linked https://github.com/acme-corp/acme-sdk)'] });
  });

  it('ignores what only appears or stays the same', () => {
    expect(compareReleases(meta('1.0', {}), a)).toBeUndefined();
    expect(compareReleases(a, meta('1.1', { ...a, version: '1.1', maintainerEmail: 'second@acme-sdk.io' }))).toBeUndefined();
    expect(compareReleases(a, meta('1.1', { projectUrls: { Home: 'https://github.com/ACME-CORP/acme-sdk/tree/main' }, authorEmail: 'DEV@acme-sdk.io' }))).toBeUndefined();
  });
});

describe('latestReleases', () => {
  it('takes the newest uploads, leaving out yanked and empty releases', async () => {
    const requests = await pypi.project('requests');
    expect(latestReleases(requests, 3)).toEqual(['0.2.0', '2.31.0', '2.32.3']);
    expect(latestReleases(requests, 2)).toEqual(['2.31.0', '2.32.3']);
  });
});

describe('checkPublisher', () => {
  it('reports a takeover-shaped change in the latest release, fetching only the latest three', async () => {
    const res = await checkPublisher([pkg('acme-sdk', { line: 3 })], { pypi, resolver });
    expect(res.findings).toEqual([
      {
        kind: 'publisher-change',
        name: 'acme-sdk',
        risk: 'high',
        evidence: [
          'source repository changed from https://github.com/acme-corp/acme-sdk (1.5.1) to https://github.com/acme-sdk-dev/acme-sdk (1.6.0)',
          'maintainer e-mail changed from dev@acme-sdk.io (1.5.1) to acme.sdk.dev@proton.me (1.6.0)',
        ],
        suggestion: expect.stringMatching(/pin the last release you trust/),
        location: { file: 'requirements.txt', line: 3 },
      },
    ]);
    // 1.6.0 is the project answer's own `info`; 1.4.0 is too old to matter
    expect(server.requests.sort()).toEqual(['GET /pypi/acme-sdk/1.5.0/json', 'GET /pypi/acme-sdk/1.5.1/json', 'GET /pypi/acme-sdk/json']);
    // proton.me is a mail provider, which cannot lapse: not resolved
    expect(dns.queries).toEqual([]);
  });

  it('reports a maintainer domain that no longer exists as high', async () => {
    const res = await checkPublisher([pkg('tinyfmt')], { pypi, resolver });
    expect(res.findings).toEqual([
      {
        kind: 'publisher-change',
        name: 'tinyfmt',
        risk: 'high',
        evidence: [
          'maintainer e-mail jan@novak-software.cz: the domain novak-software.cz does not exist (NXDOMAIN)',
          "anyone can register novak-software.cz and receive the password-reset mail for this address; if it is the PyPI account's address, that is the account",
        ],
        suggestion: expect.any(String),
        location: { file: 'requirements.txt', line: 1 },
      },
    ]);
    // mail.uni-example.cz is missing too, but only uni-example.cz's owner can create it
    expect(dns.queries).toContain('uni-example.cz MX');
  });

  it('stays quiet about a steady project with a live domain', async () => {
    const res = await checkPublisher([pkg('requests')], { pypi, resolver });
    expect(res).toEqual({ findings: [], skipped: [], diagnostics: [] });
    expect(dns.queries).toEqual(['kennethreitz.org MX']);
  });

  it('lists the domains it could not resolve instead of guessing', async () => {
    await dns.close();
    const res = await checkPublisher([pkg('tinyfmt')], { pypi, resolver: new DomainResolver({ servers: [dns.server], timeoutMs: 200, tries: 1 }) });
    expect(res.findings).toEqual([]);
    expect(res.skipped).toEqual([{ check: 'e-mail domains', reason: expect.stringMatching(/^DNS lookup failed \(E[A-Z]+\)$/), names: ['tinyfmt'] }]);
    dns = await startDnsServer({});
  });

  it('can leave DNS out', async () => {
    const res = await checkPublisher([pkg('tinyfmt')], { pypi, checkDomains: false });
    expect(res.findings).toEqual([]);
    expect(dns.queries).toEqual([]);
  });

  it('offline, asks nothing', async () => {
    const res = await checkPublisher([pkg('acme-sdk')], { pypi, resolver, offline: true });
    expect(res.skipped).toEqual([
      { check: 'publisher continuity', reason: 'offline' },
      { check: 'e-mail domains', reason: 'offline' },
    ]);
    expect(server.requests).toEqual([]);
  });
});
