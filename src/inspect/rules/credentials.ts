/**
 * What stealers are after: credential files, SSH keys, browser profiles, Discord tokens and crypto
 * wallets, environment secrets; and the flow that makes it theft, sensitive data reaching a
 * network call. A reference alone is often honest (an AWS SDK reads ~/.aws/credentials), so the
 * single references are low and the flow and the breadth of collection carry the weight.
 */
import type { Expr } from '../python.js';
import type { Evidence, FileContext, Rule } from '../types.js';
import { NETWORK_CALLS, at, atCall, childrenOf, dedupe, exprContains, stringHits } from './util.js';

interface Category {
  name: string;
  re: RegExp;
}

const CREDENTIAL_FILES: Category[] = [
  { name: 'AWS credentials', re: /\.aws[/\\]+(credentials|config)\b/ },
  { name: '.pypirc', re: /\.pypirc\b/ },
  { name: '.netrc', re: /(^|[/\\~"'])[._]netrc\b/ },
  { name: '.git-credentials', re: /\.git-credentials\b/ },
  { name: 'Docker config', re: /\.docker[/\\]+config\.json\b/ },
  { name: 'kubeconfig', re: /\.kube[/\\]+config\b/ },
  { name: '.npmrc', re: /\.npmrc\b/ },
  { name: 'gcloud credentials', re: /application_default_credentials\.json|\.config[/\\]+gcloud\b/ },
  { name: 'Azure credentials', re: /\.azure[/\\]+(accessTokens|msal_token_cache)/ },
  { name: 'GitHub CLI token', re: /\.config[/\\]+gh[/\\]+hosts\.yml/ },
  { name: '/etc/shadow', re: /\/etc\/shadow\b/ },
];

const SSH: Category[] = [
  { name: 'SSH keys', re: /(?:^|[~/\\])\.ssh(?:[/\\]|$)|[/\\]id_(?:rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b/ },
];

const BROWSER: Category[] = [
  { name: 'Chromium profile', re: /User Data[/\\]+(Default|Profile)|\bLogin Data\b|\bLocal State\b|\bWeb Data\b|Network[/\\]+Cookies\b/ },
  { name: 'Firefox profile', re: /\bkey4\.db\b|\blogins\.json\b|\bcookies\.sqlite\b|Mozilla[/\\]+Firefox[/\\]+Profiles/ },
  { name: 'DPAPI decryption', re: /\bCryptUnprotectData\b/ },
];

const TOKENS_WALLETS: Category[] = [
  { name: 'Discord token store', re: /discord(canary|ptb)?[/\\]+Local Storage[/\\]+leveldb|\bdQw4w9WgXcQ:|mfa\\?\.\[\\w-\]\{84\}|\[\\w-\]\{24\}\\\.\[\\w-\]\{6\}\\\.\[\\w-\]\{2[57]/i },
  { name: 'crypto wallet', re: /\bwallet\.dat\b|Exodus[/\\]+exodus\.wallet|\bElectrum[/\\]+wallets\b|\bnkbihfbeogaeaoehlefnkodbefgpgknn\b|atomic[/\\]+Local Storage|\bMetaMask\b[^\n]{0,100}\bVault\b/i },
  { name: 'Telegram session', re: /Telegram Desktop[/\\]+tdata/i },
];

function categoryHits(ctx: FileContext, cats: Category[]): { cat: string; e: Evidence }[] {
  const out: { cat: string; e: Evidence }[] = [];
  for (const c of cats) {
    for (const e of stringHits(ctx, c.re, 3)) out.push({ cat: c.name, e: { ...e, detail: `${c.name}: ${e.detail ?? ''}` } });
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
  'reads browser profiles: saved passwords (Login Data, logins.json), cookies, Local State keys, DPAPI decryption',
  'high',
  BROWSER,
  "Flags Chromium 'Login Data', 'Local State', 'Web Data' and cookie stores, Firefox key4.db/logins.json/cookies.sqlite, " +
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
    for (const c of ctx.py?.calls ?? []) {
      if (!isEnvDump({ k: 'call', call: c, line: c.line })) continue;
      if (c.callee === 'os.environ.copy' || c.callee === 'os.environ.items' || c.callee === 'os.environ.keys') continue;
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
  const stack: { e: Expr; hops: number }[] = [{ e, hops: 4 }];
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
    const v = x.k === 'str' ? x.value : x.k === 'call' ? x.call.folded : undefined;
    if (v !== undefined) {
      for (const c of [...CREDENTIAL_FILES, ...SSH, ...BROWSER, ...TOKENS_WALLETS]) if (c.re.test(v)) return c.name;
    }
    for (const child of childrenOf(x)) stack.push({ e: child, hops });
    if (x.k === 'name' && hops > 0) for (const a of ctx.py?.assignments.get(x.name) ?? []) stack.push({ e: a, hops: hops - 1 });
  }
  return identity;
}

/** Calls that send data somewhere: HTTP with a body or query, sockets, SMTP, webhook clients. */
const SEND = /^(requests\.(post|put|get|request|patch)|httpx\.(post|put|get|request)|urllib\.request\.(urlopen|Request)|urllib2\.(urlopen|Request)|\.sendall|\.send|\.sendto|\.sendmail|\.send_message|\.post|\.put|\.request|\.execute|\.storbinary|\.send_document|\.send_message|discord_webhook\.DiscordWebhook|\.urlopen)$/;

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
      if (!SEND.test(c.callee) && !NETWORK_CALLS.has(c.callee)) continue;
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
  description: 'one file goes after three or more kinds of secrets (cloud, SSH, browser, tokens, wallets, package-registry credentials)',
  severity: 'high',
  tags: ['credentials'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Counts distinct kinds of secret locations referenced in one file. An SDK touches its own; a stealer sweeps them ' +
    'all: three different kinds in one file is the shape of a harvester.',
  checkFile(ctx) {
    const hits = categoryHits(ctx, [...CREDENTIAL_FILES, ...SSH, ...BROWSER, ...TOKENS_WALLETS]);
    const kinds = new Set(hits.map((h) => h.cat));
    if (kinds.size < 3) return [];
    const first = hits[0]!.e;
    return [{ ...first, detail: `${kinds.size} kinds of secrets: ${[...kinds].join(', ')}` }];
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
