/**
 * Where code talks to: any network use (a capability), hard-coded IP addresses, the services
 * stealers send to (Discord and Slack webhooks, Telegram bots, paste and file-drop sites, request
 * catchers, tunnels), shady links (shorteners, dynamic DNS, .onion), DNS tunnelling, and the cloud
 * metadata endpoints that hand out instance credentials.
 */
import { constValue } from '../python.js';
import { METADATA_URL } from './credentials.js';
import type { Evidence, Rule } from '../types.js';
import { FETCH_CALLS, NETWORK_CALLS, at, atCall, callsTo, dedupe, exprContains, isAuxiliaryPath, stringHits } from './util.js';

const networkRequest: Rule = {
  id: 'network-request',
  description: 'makes network connections (HTTP clients, sockets, DNS, SMTP, FTP, ...)',
  severity: 'low',
  tags: ['network'],
  kind: 'capability',
  scope: 'file',
  explain: 'A capability: most libraries that talk to a service do this. It counts beside credential access or obfuscation in the same file.',
  checkFile(ctx) {
    return dedupe(callsTo(ctx, NETWORK_CALLS).map((c) => atCall(ctx, c, c.callee)), 5);
  },
};

const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}`;
const IP_URL = new RegExp(String.raw`\b(?:https?|ftp|wss?|tcp|udp)://(${IPV4})(?::\d+)?(?:[/?#]|\b)`, 'i');

/** Addresses that are not somewhere else: this host, private networks, link-local (metadata has its own rule). */
function isLocal(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 0 || a === 127 || a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254) || a >= 224 || PUBLIC_RESOLVERS.has(ip);
}

/**
 * Public DNS resolvers: `s.connect(('8.8.8.8', 80))` on a UDP socket is the common idiom for finding
 * the local address (nothing is sent), and code that checks connectivity pings them. A C2 server is
 * not one of them.
 */
const PUBLIC_RESOLVERS = new Set(['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '149.112.112.112', '208.67.222.222', '208.67.220.220']);

const hardcodedIp: Rule = {
  id: 'hardcoded-ip',
  description: 'connects to a hard-coded public IP address (a URL or socket address with a literal IP)',
  severity: 'medium',
  tags: ['network', 'exfiltration'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags URLs whose host is a literal public IPv4 address, and socket connect()/create_connection() to one. ' +
    'Command-and-control servers and payload hosts often have no domain; honest services do. Loopback, private and ' +
    'link-local addresses are not flagged.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const s of ctx.strings) {
      if (s.via === 'docstring') continue;
      const m = IP_URL.exec(s.value);
      if (m && !isLocal(m[1]!)) out.push(at(ctx, s.line, `${s.via === 'literal' ? '' : `decoded (${s.via}) `}address ${m[1]}`));
    }
    for (const c of ctx.py?.calls ?? []) {
      if (c.callee !== '.connect' && c.callee !== 'socket.create_connection' && c.callee !== '.connect_ex') continue;
      const a = c.args[0];
      if (a?.k !== 'seq') continue;
      const host = a.items[0] ? constValue(a.items[0]) : undefined;
      if (host !== undefined && new RegExp(`^${IPV4}$`).test(host) && !isLocal(host)) out.push(atCall(ctx, c, `socket to ${host}`));
    }
    return dedupe(out, 10);
  },
};

/**
 * Services that hand whatever is sent to whoever holds the URL: what stealers post to. Each pattern
 * needs the part that names one receiver (a webhook id and token, a bot token, a bin id), which a
 * hard-coded drop has and a library wrapping the service does not.
 */
/**
 * Starts `[\w-]+\.host` only at the first word boundary of a run of `[\w-]`: every later start in
 * the run reads to the same end and fails or matches the same way, and trying each of them made
 * a hostile `a-a-a-...` string quadratic (44 s for 200 KB).
 */
const FIRST_IN_WORD = String.raw`(?<=(?:^|[^\w-])-*)`;

const EXFIL_ENDPOINT = new RegExp(
  [
    String.raw`(?:discord(?:app)?\.com|ptb\.discord\.com|canary\.discord\.com)/api(?:/v\d+)?/webhooks/\d{5,}/[\w-]{6,}`,
    String.raw`api\.telegram\.org/bot\d{4,}:[\w-]{6,}`,
    String.raw`hooks\.slack\.com/(?:services|workflows)/[\w-]+/[\w-]+`,
    String.raw`webhook\.site/[\w-]{8,}`,
    String.raw`\b${FIRST_IN_WORD}[\w-]+\.(?:m\.pipedream\.net|requestcatcher\.com|free\.beeceptor\.com|requestbin\.(?:net|com))\b`,
    String.raw`\b${FIRST_IN_WORD}[\w-]+\.(?:burpcollaborator\.net|oastify\.com|interact\.sh|oast\.(?:fun|live|me|online|pro|site)|dnslog\.cn|ceye\.io)\b`,
    String.raw`\b(?:pastebin\.com/raw/\w+|paste\.ee/r/\w+|hastebin\.com/raw/\w+|rentry\.(?:co|org)/\w+/raw|dpaste\.(?:com|org)/\w+/raw)`,
    String.raw`\b(?:transfer\.sh|file\.io|anonfiles\.com|gofile\.io|bashupload\.com|temp\.sh|0x0\.st|catbox\.moe)/\w+`,
    String.raw`\b${FIRST_IN_WORD}[\w-]+\.(?:ngrok\.io|ngrok-free\.app|ngrok\.app|trycloudflare\.com|serveo\.net|loca\.lt|lhr\.life)\b`,
  ].join('|'),
  'i',
);

const exfilEndpoint: Rule = {
  id: 'exfil-endpoint',
  description: 'hard-codes a data drop: a Discord/Slack webhook, a Telegram bot token, a request catcher, a raw paste, a file drop or a tunnel',
  severity: 'high',
  tags: ['exfiltration', 'network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags complete drop addresses (also decoded ones): Discord and Slack webhook URLs with their id and token, ' +
    'api.telegram.org/bot<token>, webhook.site and RequestBin/Pipedream bins, interaction catchers (Burp Collaborator, ' +
    'interact.sh, dnslog), raw paste URLs, anonymous file drops (transfer.sh, file.io, gofile) and tunnels (ngrok, ' +
    'trycloudflare). Anyone with the URL reads what is sent there, which is why stealers hard-code them; libraries that ' +
    'wrap these services take the token from their caller, and their base URLs are only messaging-api.',
  checkFile(ctx) {
    return stringHits(ctx, EXFIL_ENDPOINT, 5, true);
  },
};

const MESSAGING_API = /(?:discord(?:app)?\.com\/api(?:\/v\d+)?\/webhooks|api\.telegram\.org\/bot|hooks\.slack\.com\/services|\bpastebin\.com\/api|\bwebhook\.site\b|\bpipedream\.net\b|\bngrok\.(?:io|app)\b)/i;

const messagingApi: Rule = {
  id: 'messaging-api',
  description: 'uses a webhook, bot or paste API that stealers also use (base URL only, no embedded token)',
  severity: 'low',
  tags: ['exfiltration'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags the base URLs of Discord and Slack webhooks, the Telegram bot API, paste APIs, webhook.site, Pipedream and ' +
    'ngrok without a hard-coded receiver. Integrations (tqdm.contrib.telegram, logging handlers) use them honestly, so ' +
    'this counts only beside credential, environment or host-identity collection in the same file.',
  checkFile(ctx) {
    return stringHits(ctx, MESSAGING_API, 3);
  },
};

const SHADY = new RegExp(
  [
    String.raw`\bhttps?://(?:bit\.ly|tinyurl\.com|is\.gd|cutt\.ly|t\.ly|rb\.gy|shorturl\.at|goo\.gl|ow\.ly|rebrand\.ly|tiny\.cc|s\.id|v\.gd|bl\.ink|urlz\.fr|t\.co)/`,
    String.raw`\bhttps?://[\w.-]+\.(?:duckdns\.org|ddns\.net|no-ip\.(?:org|biz|info)|hopto\.org|zapto\.org|servebeer\.com|serveftp\.com|sytes\.net|dynu\.net|freedns\.afraid\.org|myftp\.(?:biz|org)|3utilities\.com|onthewifi\.com)\b`,
    String.raw`\b[a-z2-7]{16}(?:[a-z2-7]{40})?\.onion\b`,
    String.raw`\bhttps?://[\w.-]+\.(?:000webhostapp\.com|repl\.co|glitch\.me|free\.nf|rf\.gd|epizy\.com)\b`,
  ].join('|'),
  'i',
);

const shadyLink: Rule = {
  id: 'shady-link',
  description: 'links to URL shorteners, dynamic DNS, free hosting or .onion addresses',
  severity: 'medium',
  tags: ['network', 'download'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags URLs behind shorteners (bit.ly, tinyurl, ...), dynamic DNS names (duckdns, no-ip, ...), free hosting ' +
    '(000webhostapp, repl.co, glitch.me) and Tor .onion names in code. They hide where a download really comes from. ' +
    'Docs and READMEs are not scanned. Cheap TLDs alone are not flagged: too many honest sites use them.',
  checkFile(ctx) {
    return stringHits(ctx, SHADY, 5, true);
  },
};

const IP_LOOKUP = /\b(?:api\.ipify\.org|ipinfo\.io|ip-api\.com|ifconfig\.me|icanhazip\.com|checkip\.amazonaws\.com|api\.myip\.com|ipapi\.co|wtfismyip\.com|geolocation-db\.com|httpbin\.org\/ip)\b/i;

const systemInfo: Rule = {
  id: 'system-info',
  description: 'collects host identity: user name, host name, public IP address, MAC address',
  severity: 'low',
  tags: ['sysinfo'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags getpass.getuser, os.getlogin, socket.gethostname, platform.node, uuid.getnode and public-IP lookup ' +
    'services (ipify, ipinfo, ifconfig.me, ...). Harmless alone; beside network access in the same file it is how ' +
    'dependency-confusion probes and stealers fingerprint their victims.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of ctx.py?.calls ?? []) {
      // (os.uname/platform.uname are left out: setup scripts read them for the machine type.)
      if (/^(getpass\.getuser|os\.getlogin|socket\.gethostname|platform\.node|uuid\.getnode)$/.test(c.callee)) {
        out.push(atCall(ctx, c, c.callee));
      }
    }
    out.push(...stringHits(ctx, IP_LOOKUP, 3));
    return dedupe(out, 5);
  },
};


const cloudMetadata: Rule = {
  id: 'cloud-metadata',
  description: 'contacts a cloud instance-metadata endpoint (169.254.169.254, metadata.google.internal), where instance credentials live',
  severity: 'low',
  tags: ['credentials'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags the AWS/Azure/GCP/Alibaba metadata addresses and the IAM credentials path. Cloud SDKs use them honestly; ' +
    'in an unrelated package, at install time, or beside a data-drop URL, it is credential theft from the build machine.',
  checkFile(ctx) {
    return stringHits(ctx, METADATA_URL, 3);
  },
};

const dnsExfil: Rule = {
  id: 'dns-exfil',
  description: 'resolves host names built from encoded data (DNS tunnelling to leak data past firewalls)',
  severity: 'high',
  tags: ['exfiltration', 'network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags gethostbyname/getaddrinfo/dns.resolver lookups whose host name is assembled at run time from base64, ' +
    'hex or base32 encodings. Honest code resolves names it was given, not ones built from encoded data.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of ctx.py?.calls ?? []) {
      if (!/^(socket\.gethostbyname|socket\.gethostbyname_ex|socket\.getaddrinfo|dns\.resolver\.resolve|dns\.resolver\.query|\.resolve|\.query)$/.test(c.callee)) continue;
      const a = c.args[0];
      if (!a || constValue(a) !== undefined) continue;
      if (exprContains(ctx, a, (x) => x.k === 'call' && /b64encode|b32encode|b16encode|hexlify|\.hex$|urlsafe_b64encode/.test(x.call.callee))) {
        out.push(atCall(ctx, c, 'host name built from encoded data'));
      }
    }
    return dedupe(out, 3);
  },
};

/** Calls that actually reach out when made (creating a Session or a socket object does not). */
const CONNECTS = new Set([
  ...FETCH_CALLS, 'socket.create_connection', 'socket.gethostbyname', 'socket.gethostbyname_ex', 'socket.getaddrinfo',
  'smtplib.SMTP', 'smtplib.SMTP_SSL', 'ftplib.FTP', 'telnetlib.Telnet', 'http.client.HTTPConnection', 'http.client.HTTPSConnection',
  'dns.resolver.resolve', 'dns.resolver.query', 'requests.put', 'requests.head', 'requests.patch', 'requests.delete', 'httpx.post',
]);

const importNetwork: Rule = {
  id: 'import-network',
  description: 'reaches out over the network at import time (a request or lookup at module top level)',
  severity: 'medium',
  tags: ['network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags HTTP requests, downloads, connections and DNS lookups at module top level, which run as soon as the ' +
    'package is imported, before the user called anything. Dependency-confusion probes phone home this way; honest ' +
    'libraries connect when asked to. (Install-time code is covered by install-network; tests, docs and examples, ' +
    'which are run as scripts rather than imported, are not flagged.)',
  checkFile(ctx) {
    if (ctx.role !== 'init' && ctx.role !== 'module') return [];
    if (ctx.auxiliary ?? isAuxiliaryPath(ctx.path)) return [];
    return dedupe(
      callsTo(ctx, CONNECTS)
        .filter((c) => c.topLevel && !c.mainGuard && c.cls === undefined)
        .map((c) => atCall(ctx, c, `${c.callee} on import`)),
      3,
    );
  },
};

export const networkRules: Rule[] = [networkRequest, importNetwork, hardcodedIp, exfilEndpoint, messagingApi, shadyLink, systemInfo, cloudMetadata, dnsExfil];
