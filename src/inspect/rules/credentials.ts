/**
 * What stealers are after: credential files, SSH keys, browser profiles, Discord tokens and crypto
 * wallets, environment secrets; and the flow that makes it theft, sensitive data reaching a
 * network call. A reference alone is often honest (an AWS SDK reads ~/.aws/credentials), so the
 * single references are low and the flow and the breadth of collection carry the weight.
 */
import { someExpr, valuesOf, type Expr } from '../python.js';
import type { Evidence, FileContext, Rule } from '../types.js';
import { FETCH_CALLS, NETWORK_CALLS, at, atCall, childrenOf, dedupe, exprContains, stringHits } from './util.js';

/** The cloud instance-metadata endpoints that hand out the instance's credentials. */
export const METADATA_URL = /\b169\.254\.169\.254\b|\bmetadata\.google\.internal\b|\b100\.100\.100\.200\b|\bfd00:ec2::254\b|\bmetadata\.azure\.com\b|\/latest\/meta-data\/iam\/security-credentials/i;

interface Category {
  name: string;
  re: RegExp;
  /**
   * What kind of access it is. credential-harvesting counts families, not files: a tool that logs
   * pip, npm and twine into one registry (awscli's codeartifact login) writes .pypirc, .npmrc and
   * .netrc, all one family; a stealer sweeps cloud keys, SSH keys and browsers.
   */
  family: 'cloud' | 'cluster' | 'registry' | 'system' | 'ssh' | 'browser' | 'tokens' | 'wallet';
}

const CREDENTIAL_FILES: Category[] = [
  { name: 'AWS credentials', re: /\.aws[/\\]+(credentials|config)\b/, family: 'cloud' },
  { name: '.pypirc', re: /\.pypirc\b/, family: 'registry' },
  { name: '.netrc', re: /(^|[/\\~"'])[._]netrc\b/, family: 'registry' },
  { name: '.git-credentials', re: /\.git-credentials\b/, family: 'registry' },
  { name: 'Docker config', re: /\.docker[/\\]+config\.json\b/, family: 'cluster' },
  { name: 'kubeconfig', re: /\.kube[/\\]+config\b/, family: 'cluster' },
  { name: '.npmrc', re: /\.npmrc\b/, family: 'registry' },
  { name: 'gcloud credentials', re: /application_default_credentials\.json|\.config[/\\]+gcloud\b/, family: 'cloud' },
  { name: 'Azure credentials', re: /\.azure[/\\]+(accessTokens|msal_token_cache)/, family: 'cloud' },
  { name: 'GitHub CLI token', re: /\.config[/\\]+gh[/\\]+hosts\.yml/, family: 'registry' },
  { name: '/etc/shadow', re: /\/etc\/shadow\b/, family: 'system' },
];

const SSH: Category[] = [
  { name: 'SSH keys', re: /(?:^|[~/\\])\.ssh(?:[/\\]|$)|[/\\]id_(?:rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b/, family: 'ssh' },
];

const BROWSER: Category[] = [
  // The stores themselves. Profile folders alone ('User Data', 'Local State') are what browser
  // automation (playwright, browser-use) manages; a stealer opens the password and cookie databases.
  { name: 'Chromium profile', re: /\bLogin Data\b|\bWeb Data\b|Network[/\\]+Cookies\b|Default[/\\]+Cookies\b/, family: 'browser' },
  { name: 'Firefox profile', re: /\bkey4\.db\b|\blogins\.json\b|\bcookies\.sqlite\b|Mozilla[/\\]+Firefox[/\\]+Profiles/, family: 'browser' },
  { name: 'DPAPI decryption', re: /\bCryptUnprotectData\b/, family: 'browser' },
];

const TOKENS_WALLETS: Category[] = [
  { name: 'Discord token store', re: /discord(canary|ptb)?[/\\]+Local Storage[/\\]+leveldb|\bdQw4w9WgXcQ:|mfa\\?\.\[\\w-\]\{84\}|\[\\w-\]\{24\}\\\.\[\\w-\]\{6\}\\\.\[\\w-\]\{2[57]/i, family: 'tokens' },
  { name: 'crypto wallet', re: /\bwallet\.dat\b|Exodus[/\\]+exodus\.wallet|\bElectrum[/\\]+wallets\b|\bnkbihfbeogaeaoehlefnkodbefgpgknn\b|atomic[/\\]+Local Storage|\bMetaMask\b[^\n]{0,100}\bVault\b/i, family: 'wallet' },
  { name: 'Telegram session', re: /Telegram Desktop[/\\]+tdata/i, family: 'tokens' },
];

function categoryHits(ctx: FileContext, cats: Category[]): { cat: string; family: Category['family']; e: Evidence }[] {
  const out: { cat: string; family: Category['family']; e: Evidence }[] = [];
  for (const c of cats) {
    for (const e of stringHits(ctx, c.re, 3)) out.push({ cat: c.name, family: c.family, e: { ...e, detail: `${c.name}: ${e.detail ?? ''}` } });
  }
  return out;
}

function categoryRule(id: string, description: string, severity: Rule['severity'], cats: Category[], explain: string, tags: Rule['tags']): Rule {
  return {
    id,
    description,
    severity,
    tags,
    kind: 'threat',
    scope: 'file',
    explain,
    checkFile(ctx) {
      if (ctx.role === 'script' && ctx.path.endsWith('.md')) return [];
      return dedupe(categoryHits(ctx, cats).map((h) => h.e), 5);
    },
  };
}

const credentialFiles = categoryRule(
  'credential-files',
  'refers to credential files of other tools: ~/.aws/credentials, .pypirc, .netrc, .git-credentials, Docker and kube configs',
  'low',
  CREDENTIAL_FILES,
  'Flags paths of the files where AWS, PyPI, git, Docker, Kubernetes, npm, gcloud and the GitHub CLI keep credentials. ' +
    "Tools that manage those credentials refer to them honestly, so this alone is low; it is the base of the " +
    'exfiltrate-sensitive-data and credential-harvesting rules.',
  ['credentials'],
);

const sshKeys = categoryRule(
  'ssh-keys',
  'refers to SSH private keys or authorized_keys',
  'low',
  SSH,
  'Flags ~/.ssh/ paths and id_rsa/id_ed25519 names. SSH tooling (paramiko, fabric) refers to them honestly; an unrelated ' +
    'package reading them, or appending to authorized_keys, is stealing access or planting it.',
  ['credentials'],
);

const browserData = categoryRule(
  'browser-data',
  'reads browser credential stores: saved passwords (Login Data, logins.json), cookies, DPAPI decryption',
  'high',
  BROWSER,
  "Flags Chromium 'Login Data', 'Web Data' and cookie stores, Firefox key4.db/logins.json/cookies.sqlite, " +
    'and CryptUnprotectData. Only browsers, forensics tools and info-stealers open these.',
  ['credentials'],
);

const tokensWallets = categoryRule(
  'token-wallet-theft',
  'reads Discord token stores, Telegram sessions or crypto wallet files',
  'high',
  TOKENS_WALLETS,
  "Flags Discord's Local Storage leveldb and token patterns, Telegram Desktop tdata, wallet.dat, Exodus/Electrum wallet " +
    'folders and the MetaMask extension id: the loot of W4SP-style stealers.',
  ['credentials'],
);

/** The environment as a whole: `dict(os.environ)`, `os.environ.copy()`, `json.dumps(os.environ)`, `str(os.environ)`. */
function isEnvDump(e: Expr): boolean {
  if (e.k !== 'call') return false;
  const c = e.call;
  const isEnviron = (x: Expr | undefined): boolean => x?.k === 'name' && (x.name === 'os.environ' || x.name === 'os.environb');
  if ((c.callee === 'dict' || c.callee === 'str' || c.callee === 'repr' || c.callee === 'json.dumps' || c.callee === 'list') && isEnviron(c.args[0])) return true;
  if ((c.callee === 'os.environ.copy' || c.callee === 'os.environ.items' || c.callee === 'os.environ.keys' || c.callee === 'os.environ.values')) return true;
  return false;
}

const envDump: Rule = {
  id: 'env-dump',
  description: 'serializes the whole process environment (dict(os.environ), json.dumps(os.environ), str(os.environ))',
  severity: 'low',
  tags: ['env'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags the environment being turned into data as a whole. Copying it to pass to a subprocess is common and honest ' +
    '(os.environ.copy() is only counted when it is not passed as env=); sending it anywhere is the ctx-style theft ' +
    'that exfiltrate-sensitive-data reports.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    // Names handed to a process as its environment: `env = dict(os.environ); env['X'] = ...;
    // subprocess.run(..., env=env)` is how build scripts (Pillow's, lupa's setup.py) prepare a compiler.
    const envArgs = new Set<string>();
    for (const c of ctx.py?.calls ?? []) {
      const env = c.kwargs.get('env');
      if (env?.k === 'name') envArgs.add(env.name);
    }
    const dumps = (ctx.py?.calls ?? []).filter((c) => isEnvDump({ k: 'call', call: c, line: c.line }));
    if (dumps.length === 0) return [];
    const assigned = new Map<Expr, string>();
    for (const [key, values] of ctx.py?.assignments ?? []) for (const v of values) assigned.set(v, key.slice(key.lastIndexOf('\0') + 1));
    for (const c of dumps) {
      if (!isEnvDump({ k: 'call', call: c, line: c.line })) continue;
      if (c.callee === 'os.environ.copy' || c.callee === 'os.environ.items' || c.callee === 'os.environ.keys') continue;
      const target = [...assigned].find(([v]) => v.k === 'call' && v.call === c)?.[1];
      if (target !== undefined && envArgs.has(target)) continue;
      out.push(atCall(ctx, c, c.callee === 'dict' || c.callee === 'str' ? `${c.callee}(os.environ)` : c.callee));
    }
    return dedupe(out, 3);
  },
};

/**
 * Sensitive data inside an expression: the whole environment, the contents of a secret path,
 * host identity. A single variable (`os.environ['TOKEN']`, `os.getenv(...)`) is how API clients
 * authenticate and is not counted; the walk does not descend into it.
 */
function sensitiveSource(ctx: FileContext, e: Expr): string | undefined {
  // Six assignments cover a stealer's usual plumbing: path list -> loop variable -> open file ->
  // collected dict -> encoded body -> request (jeIlyfish-style key theft is five deep).
  const stack: { e: Expr; hops: number }[] = [{ e, hops: 6 }];
  const seen = new Set<Expr>();
  let identity: string | undefined;
  let budget = 5000;
  while (stack.length > 0 && budget-- > 0) {
    const { e: x, hops } = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (isEnvDump(x)) return 'the whole environment';
    if (x.k === 'name' && (x.name === 'os.environ' || x.name === 'os.environb')) return 'the whole environment';
    if (x.k === 'sub' && x.value.k === 'name' && x.value.name === 'os.environ') continue;
    if (x.k === 'call' && /^(os\.getenv|os\.environ\.get|os\.getenvb)$/.test(x.call.callee)) continue;
    if (x.k === 'call' && /^(getpass\.getuser|os\.getlogin|socket\.gethostname|platform\.node|uuid\.getnode)$/.test(x.call.callee)) {
      identity ??= `host identity (${x.call.callee})`;
    }
    // What an instance-metadata fetch returns is the instance's credentials. (The fetch itself is not
    // a send of them: only its result travelling on to another request is.)
    if (x.k === 'call' && FETCH_CALLS.has(x.call.callee) && x.call.args[0] && ctx.py && someExpr(x.call.args[0], ctx.py, (y) => y.k === 'str' && METADATA_URL.test(y.value), 2)) {
      return 'cloud instance credentials (metadata service)';
    }
    const v = x.k === 'str' ? x.value : x.k === 'call' ? x.call.folded : undefined;
    if (v !== undefined) {
      for (const c of [...CREDENTIAL_FILES, ...SSH, ...BROWSER, ...TOKENS_WALLETS]) if (c.re.test(v)) return c.name;
    }
    for (const child of childrenOf(x)) stack.push({ e: child, hops });
    if (x.k === 'name' && hops > 0 && ctx.py) for (const a of valuesOf(ctx.py, x)) stack.push({ e: a, hops: hops - 1 });
  }
  return identity;
}

/** A constant name part with two or more labels that is not a local zone: somebody's domain. */
const FOREIGN_ZONE = /\.(?!(?:local|localdomain|lan|home|internal|localhost)\.?$)[a-z0-9-]+\.[a-z][a-z0-9-]*\.?$/i;

const DNS_LOOKUP = /^(socket\.(gethostbyname|gethostbyname_ex|getaddrinfo)|dns\.resolver\.(resolve|query))$/;

/** Calls that send data somewhere: HTTP with a body or query, sockets, SMTP, webhook clients. */
const SEND = /^(requests\.(post|put|get|request|patch)|httpx\.(post|put|get|request|patch)|aiohttp\.request|urllib3\.request|urllib\.request\.(urlopen|Request)|urllib2\.(urlopen|Request)|\.sendall|\.send|\.sendto|\.sendmail|\.send_message|\.post|\.put|\.request|\.execute|\.storbinary|\.send_document|\.send_message|discord_webhook\.DiscordWebhook|\.urlopen)$/;

const exfiltrate: Rule = {
  id: 'exfiltrate-sensitive-data',
  description: 'sends sensitive data over the network: the environment, credential or key files, browser data, host identity',
  severity: 'critical',
  tags: ['exfiltration', 'network', 'credentials'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Follows the arguments of HTTP requests, socket sends, SMTP and webhook clients (through up to four assignments) ' +
    'back to the whole os.environ, the contents of credential/SSH/browser/wallet paths, or getuser/gethostname. The ' +
    'environment or a credential file reaching a request is the theft itself; host identity alone is reported the same ' +
    'way because dependency-confusion probes do exactly that to the machines that install them. A single variable ' +
    "(os.environ['TOKEN'] as an auth header) is how API clients work and is not counted.",
  checkFile(ctx) {
    if (!ctx.py) return [];
    const out: Evidence[] = [];
    for (const c of ctx.py.calls) {
      // Calls that carry data out. Opening a connection (socket.socket(family), HTTPConnection(host),
      // create_connection((host, port))) sends nothing of its arguments but an address.
      if (!SEND.test(c.callee) && !DNS_LOOKUP.test(c.callee)) continue;
      // Resolving the host's own name (`gethostbyname(gethostname())`) finds its address; a lookup
      // leaks data only when the data is built into the queried name (dependency-confusion probes).
      // Resolving `<hostname>.local` asks the local network for the host's own address (jupyter_client);
      // a leak needs the data encoded or a zone of someone else's (`<data>.probe.example.com`).
      if (DNS_LOOKUP.test(c.callee) && !(c.args[0] && exprContains(ctx, c.args[0], (x) => (x.k === 'call' && /^(\.hex|.*b(64|32|16)encode|.*hexlify)$/.test(x.call.callee)) || ((x.k === 'str' || x.k === 'fstr') && FOREIGN_ZONE.test(x.value)), 4))) continue;
      // A method named send/post/put counts only on an object that came from a network call:
      // queue.put(os.environ) is not a request.
      if (c.callee.startsWith('.') && !(c.receiver && exprContains(ctx, c.receiver, (x) => x.k === 'call' && NETWORK_CALLS.has(x.call.callee), 3))) continue;
      for (const a of [...c.args, ...c.kwargs.values()]) {
        const what = sensitiveSource(ctx, a);
        if (what) {
          out.push(atCall(ctx, c, `${c.callee} carries ${what}`));
          break;
        }
      }
    }
    return dedupe(out, 5);
  },
};

const harvesting: Rule = {
  id: 'credential-harvesting',
  description: 'one file goes after three or more families of secrets (cloud, cluster, package registries, SSH, browsers, tokens, wallets)',
  severity: 'high',
  tags: ['credentials'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Counts the families of secret locations referenced in one file: cloud keys (AWS, gcloud, Azure), cluster configs ' +
    '(kube, Docker), package-registry and VCS logins (.pypirc, .npmrc, .netrc, git and gh credentials), SSH keys, ' +
    'browser stores, messenger tokens, wallets. An SDK or a registry-login tool touches one family; a stealer sweeps ' +
    'them: three families in one file is the shape of a harvester.',
  checkFile(ctx) {
    const hits = categoryHits(ctx, [...CREDENTIAL_FILES, ...SSH, ...BROWSER, ...TOKENS_WALLETS]);
    const families = new Set(hits.map((h) => h.family));
    if (families.size < 3) return [];
    const kinds = new Set(hits.map((h) => h.cat));
    const first = hits[0]!.e;
    return [{ ...first, detail: `${families.size} kinds of secrets: ${[...kinds].join(', ')}` }];
  },
};

const SECRET_ENV = /^(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|GITHUB_TOKEN|GH_TOKEN|GITLAB_TOKEN|NPM_TOKEN|PYPI_TOKEN|TWINE_PASSWORD|CI_JOB_TOKEN|AZURE_CLIENT_SECRET|GOOGLE_APPLICATION_CREDENTIALS|SLACK_TOKEN|OPENAI_API_KEY|DISCORD_TOKEN|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN)$/;

const secretEnv: Rule = {
  id: 'secret-env-read',
  description: 'reads well-known secret environment variables (cloud keys, CI and registry tokens)',
  severity: 'low',
  tags: ['env'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags os.environ[...]/os.getenv(...) of AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, NPM_TOKEN, PYPI_TOKEN, TWINE_PASSWORD, ' +
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN and the like. Clients of those services read them honestly; at install time, in CI, ' +
    'they are what supply-chain worms collect.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const s of ctx.py?.strings ?? []) {
      if (SECRET_ENV.test(s.value)) out.push(at(ctx, s.line, s.value));
    }
    return dedupe(out, 3);
  },
};

export const credentialRules: Rule[] = [credentialFiles, sshKeys, browserData, tokensWallets, envDump, secretEnv, exfiltrate, harvesting];
