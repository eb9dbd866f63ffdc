import { afterEach, describe, expect, it } from 'vitest';
import { DomainResolver, registrableDomain } from './maildomain.js';
import { startDnsServer, type DnsServer } from './testdata/dns-server.js';

let dns: DnsServer | undefined;
afterEach(async () => {
  await dns?.close();
  dns = undefined;
});

const ZONES = {
  'kennethreitz.org': { mx: [{ preference: 10, exchange: 'mx1.improvmx.com' }, { preference: 20, exchange: 'mx2.improvmx.com' }] },
  'uni-example.cz': { mx: [{ preference: 10, exchange: 'relay.uni-example.cz' }] },
  // A host that takes mail on its A record only (RFC 5321 implicit MX).
  'old-host.net': { a: ['192.0.2.25'] },
  // Exists, publishes neither MX nor A.
  'parked.io': {},
};

describe('registrableDomain', () => {
  it('keeps two labels, or three under a multi-label public suffix', () => {
    expect(registrableDomain('cs.uni-example.cz')).toBe('uni-example.cz');
    expect(registrableDomain('mail.cs.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('example.com.')).toBe('example.com');
    expect(registrableDomain('localhost')).toBe('localhost');
  });
});

describe('DomainResolver against a real DNS responder', () => {
  it('tells mail, address-only, no-mail and NXDOMAIN apart', async () => {
    dns = await startDnsServer(ZONES);
    const r = new DomainResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
    expect(await r.check('kennethreitz.org')).toEqual({ domain: 'kennethreitz.org', state: 'mail', registrable: 'kennethreitz.org', registrableMissing: false });
    expect((await r.check('old-host.net')).state).toBe('address');
    expect((await r.check('parked.io')).state).toBe('no-mail');
    expect(await r.check('novak-software.cz')).toEqual({ domain: 'novak-software.cz', state: 'nxdomain', registrable: 'novak-software.cz', registrableMissing: true });
    expect(dns.queries).toContain('kennethreitz.org MX');
    expect(dns.queries).toContain('old-host.net A');
  });

  it('does not call a missing subdomain registrable when its domain exists', async () => {
    dns = await startDnsServer(ZONES);
    const r = new DomainResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
    const c = await r.check('mail.uni-example.cz');
    expect(c).toMatchObject({ state: 'nxdomain', registrable: 'uni-example.cz', registrableMissing: false });
  });

  it('asks once per name', async () => {
    dns = await startDnsServer(ZONES);
    const r = new DomainResolver({ servers: [dns.server], timeoutMs: 1000, tries: 1 });
    await Promise.all([r.check('Kennethreitz.org'), r.check('kennethreitz.org')]);
    expect(dns.queries.filter((q) => q === 'kennethreitz.org MX')).toHaveLength(1);
  });

  it('reports a resolver that does not answer as unknown, not as a lapsed domain', async () => {
    dns = await startDnsServer(ZONES);
    const port = dns.server.split(':')[1];
    await dns.close();
    dns = undefined;
    const r = new DomainResolver({ servers: [`127.0.0.1:${port}`], timeoutMs: 200, tries: 1 });
    const c = await r.check('kennethreitz.org');
    expect(c.state).toBe('unknown');
    expect(c.error).toMatch(/^E[A-Z]+$/);
  });
});
