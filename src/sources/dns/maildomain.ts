/**
 * Does an e-mail domain still exist? A maintainer address at a domain that has lapsed is an account
 * takeover waiting to happen: whoever registers the domain receives PyPI's password-reset mail
 * (the 2022 `ctx` hijack went exactly this way).
 *
 * Asked through node:dns with configurable servers (tests point them at a local responder):
 * MX first; a name with no MX but an A record still receives mail; NXDOMAIN means the name does not
 * exist. A missing subdomain (`cs.example.edu`) is only a risk when its registrable domain
 * (`example.edu`) is missing too, because only that domain's owner can create the subdomain.
 */
import { Resolver } from 'node:dns/promises';

export type DomainState =
  /** Has MX records. */
  | 'mail'
  /** No MX, but an address record, which mail falls back to. */
  | 'address'
  /** The name exists but publishes neither. */
  | 'no-mail'
  /** NXDOMAIN: no such name. */
  | 'nxdomain'
  /** The resolver failed (timeout, SERVFAIL, refused). */
  | 'unknown';

export interface DomainCheck {
  domain: string;
  state: DomainState;
  /** The domain someone would have to register to own `domain` (approximately; see `registrableDomain`). */
  registrable: string;
  /** True when `domain` is NXDOMAIN and so is its registrable domain: anyone can register it. */
  registrableMissing: boolean;
  /** The resolver's error code for `unknown`. */
  error?: string;
}

export interface DomainResolverOptions {
  /** DNS servers (`ip` or `ip:port`); the system's when unset. */
  servers?: string[];
  /** Per-query timeout (default 3 s). */
  timeoutMs?: number;
  /** Attempts per server (default 2). */
  tries?: number;
}

/**
 * Second-level labels under which registrations happen one level deeper (`example.co.uk`). A small
 * stand-in for the Public Suffix List, covering the suffixes maintainer addresses commonly use.
 */
const MULTI_LABEL_SUFFIXES = new Set([
  'ac.uk', 'co.uk', 'gov.uk', 'ltd.uk', 'me.uk', 'net.uk', 'org.uk', 'plc.uk', 'sch.uk',
  'com.au', 'edu.au', 'gov.au', 'net.au', 'org.au', 'asn.au', 'id.au',
  'ac.nz', 'co.nz', 'geek.nz', 'net.nz', 'org.nz',
  'ac.jp', 'co.jp', 'ne.jp', 'or.jp', 'go.jp',
  'com.br', 'net.br', 'org.br', 'edu.br',
  'com.cn', 'edu.cn', 'net.cn', 'org.cn', 'gov.cn',
  'com.tw', 'edu.tw', 'org.tw', 'com.hk', 'edu.hk', 'org.hk', 'com.sg', 'edu.sg',
  'ac.in', 'co.in', 'net.in', 'org.in', 'ac.il', 'co.il', 'org.il',
  'ac.kr', 'co.kr', 'or.kr', 'ac.za', 'co.za', 'org.za', 'ac.th', 'co.th',
  'co.id', 'ac.id', 'com.my', 'edu.my', 'com.mx', 'com.ar', 'com.tr', 'edu.tr', 'com.ua', 'com.pl', 'com.vn', 'edu.vn',
]);

/** `mail.cs.example.co.uk` -> `example.co.uk`; `cs.example.edu` -> `example.edu`. */
export function registrableDomain(domain: string): string {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length <= 2) return labels.join('.');
  const lastTwo = labels.slice(-2).join('.');
  return labels.slice(MULTI_LABEL_SUFFIXES.has(lastTwo) ? -3 : -2).join('.');
}

function code(e: unknown): string {
  return (e as { code?: string }).code ?? 'EUNKNOWN';
}

export class DomainResolver {
  private readonly resolver: Resolver;
  private readonly memo = new Map<string, Promise<DomainState | { error: string }>>();

  constructor(options: DomainResolverOptions = {}) {
    this.resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
    if (options.servers?.length) this.resolver.setServers(options.servers);
  }

  private state(name: string): Promise<DomainState | { error: string }> {
    let p = this.memo.get(name);
    if (!p) {
      p = this.lookup(name);
      this.memo.set(name, p);
    }
    return p;
  }

  private async lookup(name: string): Promise<DomainState | { error: string }> {
    try {
      const mx = await this.resolver.resolveMx(name);
      if (mx.length > 0) return 'mail';
    } catch (e) {
      const c = code(e);
      if (c === 'ENOTFOUND') return 'nxdomain';
      if (c !== 'ENODATA') return { error: c };
    }
    try {
      const a = await this.resolver.resolve4(name);
      return a.length > 0 ? 'address' : 'no-mail';
    } catch (e) {
      const c = code(e);
      if (c === 'ENODATA') return 'no-mail';
      if (c === 'ENOTFOUND') return 'nxdomain';
      return { error: c };
    }
  }

  async check(domain: string): Promise<DomainCheck> {
    const name = domain.toLowerCase().replace(/\.$/, '');
    const registrable = registrableDomain(name);
    const s = await this.state(name);
    if (typeof s !== 'string') return { domain: name, state: 'unknown', registrable, registrableMissing: false, error: s.error };
    let registrableMissing = false;
    if (s === 'nxdomain') {
      if (registrable === name) registrableMissing = true;
      else {
        const parent = await this.state(registrable);
        registrableMissing = parent === 'nxdomain';
      }
    }
    return { domain: name, state: s, registrable, registrableMissing };
  }
}
