/**
 * Which Python modules are worth parsing. Parsing is most of an inspection's cost, and most modules
 * of a big package (generated API types, data tables, plain algorithms) contain nothing any threat
 * rule looks for. A module that mentions none of the words, names and shapes below cannot produce a
 * threat finding, and its capabilities (a network call, a subprocess) could not count without one
 * in the same file, so its contribution to the verdict is nil whether or not it is parsed: it is
 * kept for the package's digests and stats but not analysed.
 *
 * Conservative by construction: the words are the names the rules resolve calls to (a module or
 * function has to be named somewhere to be imported or called, unless it is assembled at run time,
 * and assembling is itself on the list: __import__, getattr, chr, joins, decoders, escapes), the
 * strings the rule patterns match, and the text shapes of the text rules. Words are compared
 * case-insensitively, as the string rules match; string literals are glued across `'a' 'b'` and
 * `'a' + 'b'` first, so splitting a URL does not hide it. Install-time code (setup.py, .pth, build
 * backends) is always parsed. The rule tests and test/corpus check that skipping never changes a
 * threat finding or a score, and bench/inspect compares whole-corpus verdicts with and without it.
 *
 * It is one pass for the identifiers, one small regular expression for the shapes that are not
 * words, and a loop for long encoded runs: a few hundred MB/s, against a few MB/s for parsing.
 */

import { hexDigit, unescapePython } from './python.js';

/**
 * Python names some rule resolves calls to, matched exactly (Python names are case-sensitive, so
 * `Eval` in a comment is not `eval`).
 */
const CODE_WORDS = new Set([
  // running code (reaching it by a computed name is in SHAPES)
  'exec', 'eval', 'execfile', 'FunctionType', 'runpy',
  // decoding and assembling constants (a decoded URL or path is matched like a literal one)
  'chr', 'b64decode', 'b32decode', 'b16decode', 'b85decode', 'a85decode', 'urlsafe_b64decode', 'standard_b64decode',
  'decodebytes', 'decodestring', 'a2b_base64', 'a2b_hex', 'unhexlify', 'fromhex', 'codecs', 'decompress', 'Fernet', 'MultiFernet', 'Cipher', 'AESGCM', 'ChaCha20Poly1305',
  // processes started quietly, shells, injection
  'creationflags', 'startupinfo', 'DEVNULL', 'dup2', 'pty', 'VirtualAllocEx', 'WriteProcessMemory', 'CreateRemoteThread',
  'NtCreateThreadEx', 'QueueUserAPC', 'SetThreadContext', 'NtUnmapViewOfSection', 'ZwUnmapViewOfSection',
  'RtlCreateUserThread', 'ReadProcessMemory', 'MiniDumpWriteDump', 'CryptUnprotectData',
  // host identity
  'getuser', 'getlogin', 'gethostname', 'getnode',
  // persistence, destruction, surveillance
  'winreg', '_winreg', 'rmtree', 'pyperclip', 'xerox', 'klembord', 'pynput', 'keyboard', 'pyHook', 'ImageGrab', 'pyautogui',
  'mss', 'pyscreenshot', 'd3dshot', 'grab_screen', 'GetAsyncKeyState', 'GetKeyState', 'SetWindowsHookExA', 'SetWindowsHookExW',
  'pytransform', '__pyarmor__',
]);

/**
 * Words of the strings the string rules match, compared lower-cased as those rules do: commands,
 * secrets' names and paths, persistence places, miners, services that receive stolen data.
 */
const TEXT_WORDS = new Set([
  'pythonw', 'nohup', 'setsid', 'certutil', 'bitsadmin', 'mshta', 'powershell', 'rundll32',
  'regsvr32', 'socat', 'mkfifo', 'lsass',
  'aws_secret_access_key', 'aws_session_token', 'github_token', 'gh_token', 'gitlab_token', 'npm_token', 'pypi_token',
  'twine_password', 'ci_job_token', 'azure_client_secret', 'google_application_credentials', 'slack_token', 'openai_api_key',
  'discord_token', 'actions_runtime_token', 'actions_id_token_request_token', 'pypirc', 'netrc', '_netrc', 'npmrc', 'gcloud',
  'application_default_credentials', 'authorized_keys', 'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'leveldb',
  'dqw4w9wgxcq', 'exodus', 'electrum', 'metamask', 'tdata', 'key4', 'nkbihfbeogaeaoehlefnkodbefgpgknn',
  'currentversion', 'winlogon', 'launchagents', 'launchdaemons', 'systemd', 'systemctl', 'autostart', 'crontab', 'schtasks',
  'bashrc', 'bash_profile', 'zshrc', 'zprofile', 'bash_login', 'sitecustomize', 'usercustomize', 'mkfs', 'vssadmin',
  'stratum', 'xmrig', 'cpuminer', 'minerd', 'minexmr', 'supportxmr', 'moneroocean', 'nanopool', 'hashvault', 'f2pool',
  'c3pool', 'herominers', 'unmineable', 'nicehash', 'pbpaste', 'pbcopy', 'xsel', 'xclip', 'pyarmor',
  'ipinfo', 'icanhazip', 'checkip', 'myip', 'ipapi', 'wtfismyip', 'httpbin', 'discord', 'discordapp', 'telegram',
  'pipedream', 'requestcatcher', 'beeceptor', 'requestbin', 'burpcollaborator', 'oastify', 'dnslog',
  'pastebin', 'hastebin', 'rentry', 'dpaste', 'anonfiles', 'gofile', 'bashupload', 'catbox', 'ngrok', 'trycloudflare',
  'serveo', 'tinyurl', 'shorturl', 'duckdns', 'ddns', 'hopto', 'zapto', 'servebeer', 'serveftp', 'sytes', 'dynu', 'myftp',
  '3utilities', 'onthewifi', '000webhostapp', 'epizy',
]);

/**
 * Network modules: at import time their use is a threat (import-network), and a download can be
 * started (download-executable). The rules only see `requests.get` as a request when `requests` was
 * imported, so these count on import lines only: a parameter named `requests` in generated API
 * clients is not the library. (`__import__`/`import_module` are words of their own.)
 */
const NETWORK_MODULES = /\b(?:requests|httpx|urllib\d?|aiohttp|httplib|http\.client|socket|smtplib|ftplib|telnetlib|pycurl|websockets?|paramiko|discord_webhook|telebot|wget|dns|tornado\.httpclient|treq|grequests)\b/;

/** Parts of identifiers: `win32clipboard`, `clipboard_get`, `GetClipboardData`. */
const STEMS = /clipboard|keylog|getpixel|stegano|stegpy/;

/** Machine-mangled names (obfuscation-identifiers). */
const MANGLED = /^(?:[li1]{6,}|[o0]{6,}|_0x[0-9a-f]{3,}|__?[li1o0]{5,})$/;

/**
 * Shapes that are not single words, each keyed by the identifiers it contains: its pattern is only
 * tried on modules that have one of its keys (one pass over a module's identifiers gives them all),
 * so most modules pay for a handful of small patterns instead of every alternative at every
 * position. Code shapes are case-sensitive, as Python and those rules are; text shapes are not.
 */
interface Shape {
  keys: string[];
  re: RegExp;
  /** Finds what `re` finds (its first match, or one of them) where `re` would read a line once per start. */
  find?: (text: string) => string | undefined;
}

const shape = (keys: string[], source: string, flags = '', find?: (text: string) => string | undefined): Shape => ({
  keys,
  re: new RegExp(source, flags),
  ...(find ? { find } : {}),
});

/**
 * `vars(...)[`: whether some `vars(` is followed on its line by a `)` (the first one after it, as
 * `[^)\n]*` reads) and then `[`. The pattern tried at every `vars(` of a long line reads to the
 * line's end from each; here the `vars(` that share their first `)` or newline share one look at it.
 */
function findVarsSubscript(text: string): string | undefined {
  const start = /\bvars\(/g;
  const subscript = /\s*\[/y;
  let stop = -1;
  let checked = -1;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const from = m.index + m[0].length;
    if (stop < from) {
      stop = from;
      while (stop < text.length && text.charCodeAt(stop) !== 41 && text.charCodeAt(stop) !== 10) stop++;
    }
    if (checked === stop) continue;
    checked = stop;
    if (text.charCodeAt(stop) !== 41) continue;
    subscript.lastIndex = stop + 1;
    if (subscript.test(text)) return text.slice(m.index, Math.min(subscript.lastIndex, m.index + 40));
  }
  return undefined;
}

/**
 * `platform.node`, or `import` and then the word `node` on one line. The pattern would read each
 * line to its end from every `import` on it; the first `import` of a line is the one to look from
 * (a later one can only see less of the line), so each line is read once.
 */
function findNode(text: string): string | undefined {
  const platform = /platform\.node/.exec(text);
  let lineEnd = -1;
  for (let i = text.indexOf('import'); i >= 0; i = text.indexOf('import', i + 6)) {
    if (i < lineEnd) continue;
    lineEnd = text.indexOf('\n', i);
    if (lineEnd < 0) lineEnd = text.length;
    // (from the `t` of import: `\b` before node sees the character before it, as in the text)
    if (/\bnode\b/.test(text.slice(i + 5, lineEnd))) return platform && platform.index < i ? platform[0] : 'import ... node';
  }
  return platform?.[0];
}

const SHAPES: Shape[] = [
  // reaching exec, system or import by a computed name; assembling constants
  shape(['bytes'], String.raw`\bbytes\s*\(\s*\[`),
  shape(['bytearray'], String.raw`\bbytearray\s*\(\s*\[`),
  shape(['__dict__'], String.raw`__dict__\s*\[`),
  shape(['__builtins__'], String.raw`__builtins__\s*\[`),
  shape(['globals', 'locals'], String.raw`\b(?:globals|locals)\(\)\s*\[`),
  shape(['vars'], String.raw`\bvars\([^)\n]*\)\s*\[`, '', findVarsSubscript),
  shape(['compile'], String.raw`(?<![.\w])compile\s*\(`),
  shape(['decode'], String.raw`\.decode\s*\(\s*['"](?:hex|base64|rot.?13|zlib|bz2|uu)['"]|['"]\s*\.\s*decode\s*\(\s*\)`),
  shape(['getattr'], String.raw`\bgetattr\s*\([^)\n]{0,200}['"](?:exec\w*|eval|compile|system|popen\w*|spawn\w*|startfile|Popen|call|check_call|check_output|run|getoutput|getstatusoutput|__import__|import_module|open|run_path|run_module|posix_spawnp?|create_subprocess_\w+|ShellExecute\w*|WinExec|CreateProcess\w*|Process)['"]`),
  // the environment as a whole, host identity, shells on sockets
  shape(['environ', 'environb'], String.raw`\b(?:dict|str|repr|list|dumps)\s*\(\s*(?:os\.)?environb?\b|\benvironb?\s*\.\s*(?:copy|items|keys|values)\b|\benvironb?\s+as\b`),
  shape(['node'], String.raw`platform\.node|import[^\n]*\bnode\b`, '', findNode),
  shape(['uname'], String.raw`\buname\s*\(`),
  shape(['interact'], String.raw`code\.interact|interact\.sh`, 'i'),
  shape(['fileno'], String.raw`stdin\s*=\s*[\w.]+\.fileno`),
  // credential, SSH and browser paths (those rules are case-sensitive; path parts may be separate
  // arguments of os.path.join, hence the loose gaps)
  shape(['aws'], String.raw`\.aws\b`),
  shape(['credentials'], String.raw`git-credentials`),
  shape(['docker'], String.raw`\.docker\b`),
  shape(['kube'], String.raw`\.kube\b`),
  shape(['azure'], String.raw`\.azure\b`),
  shape(['yml'], String.raw`hosts\.yml`),
  shape(['shadow'], String.raw`/etc/shadow`),
  shape(['ssh'], String.raw`\.ssh\b`),
  shape(['user', 'login', 'web', 'state'], String.raw`User Data|Login Data|Local State|Web Data`),
  shape(['cookies'], String.raw`Network.{1,6}Cookies|cookies\.sqlite`),
  shape(['logins'], String.raw`logins\.json`),
  shape(['firefox'], String.raw`Mozilla.{1,6}Firefox`),
  shape(['profile'], String.raw`\.profile\b`),
  shape(['fish'], String.raw`config\.fish`),
  // commands, places, services (matched as the case-insensitive rules match)
  shape(['null'], String.raw`/dev/null\s+2>&1`, 'i'),
  shape(['start'], String.raw`\bstart\s+(?:/b|/min|""\s+/b)`, 'i'),
  shape(['hidden'], String.raw`-w(?:indowstyle)?\s+hidden`, 'i'),
  shape(['invoke'], String.raw`Invoke-`, 'i'),
  // curl and wget matter only piped into a shell (`curl ... | sh`); help texts and the docstrings of
  // generated API clients ("a browser or command-line HTTP tool (curl and wget)") mention them.
  // Between the pipe and the shell: blanks, quotes, `+`, comments and escapes (a value's pieces;
  // each alternative starts with its own characters, so a long run of them cannot backtrack).
  shape(['curl', 'wget'], String.raw`\|(?:[\s'"+]|#[^\n]*\n|\\(?:[0-7]{1,3}|[^0-7]))*(?:ba|z|da)?sh\b`, 'i'),
  // PowerShell's iwr/irm aliases count before whitespace, an escape that could be one (\x, \u, \U
  // and \N escapes are reasons of their own, see escapeReason), or where a literal ends, which the
  // value may continue: `Irm\u00e3os` is a place name in phonenumbers' geocoder data
  shape(['iwr', 'irm'], String.raw`\b(?:iwr|irm)(?:\s|['"]|\\[^xuUN])`, 'i'),
  shape(['bitstransfer'], String.raw`BitsTransfer`, 'i'),
  shape(['downloadstring', 'downloadfile', 'downloaddata'], String.raw`\.Download`, 'i'),
  shape(['dll'], String.raw`\.dll\b`, 'i'),
  shape(['tcp'], String.raw`/dev/tcp|tcp://\d{1,3}\.\d`, 'i'),
  shape(['nc', 'ncat'], String.raw`\bnc(?:at)?\b[^\n]{0,200}\s-e\s`, 'i'),
  shape(['bash'], String.raw`bash\s+-i`, 'i'),
  shape(['storage'], String.raw`Local Storage`, 'i'),
  shape(['w'], String.raw`\[\\w-\]\{(?:24|84)\}`),
  shape(['wallet'], String.raw`wallet\.dat`, 'i'),
  shape(['startup'], String.raw`Programs.{1,6}Startup|\\Startup\\|shell:startup`, 'i'),
  shape(['config'], String.raw`\.config.{1,6}autostart`, 'i'),
  shape(['cron'], String.raw`/etc/cron|spool/cron`, 'i'),
  shape(['scheduledtask'], String.raw`ScheduledTask`, 'i'),
  shape(['rm'], String.raw`\brm\s+-`, 'i'),
  shape(['del'], String.raw`\bdel\s+/`, 'i'),
  shape(['format'], String.raw`\bformat\s+[A-Za-z]:`, 'i'),
  shape(['dd'], String.raw`\bdd\s+if=`, 'i'),
  shape(['cipher'], String.raw`cipher(?:\.exe)?\s+/w:`, 'i'),
  shape(['xmr', 'stak'], String.raw`xmr-stak`, 'i'),
  shape(['miners'], String.raw`2miners`, 'i'),
  shape(['donate'], String.raw`donate-level`, 'i'),
  shape(['metadata'], String.raw`metadata\.google|metadata\.azure`, 'i'),
  shape(['fd00'], String.raw`fd00:ec2`, 'i'),
  shape(['meta'], String.raw`meta-data`, 'i'),
  shape(['api', 'ip'], String.raw`ip-api|no-ip`, 'i'),
  shape(['ifconfig'], String.raw`ifconfig\.me`, 'i'),
  // webhook.site; Discord's webhook URLs have 'discord' in them, Slack's are matched as slack.com
  shape(['webhook'], String.raw`webhook(?:\.(?:site|['"])|['"]|\\[^xuUN])`, 'i'),
  // (a carrier is called IPIFY LIMITED; the rule matches the service's host name)
  shape(['ipify'], String.raw`ipify(?:\.|['"]|\\[^xuUN])`, 'i'),
  shape(['geolocation'], String.raw`geolocation-db`, 'i'),
  shape(['slack'], String.raw`slack\.com`, 'i'),
  shape(['oast'], String.raw`\boast\.`, 'i'),
  shape(['ceye'], String.raw`ceye\.io`, 'i'),
  shape(['paste'], String.raw`paste\.ee`, 'i'),
  shape(['transfer', 'temp'], String.raw`transfer\.sh|temp\.sh`, 'i'),
  shape(['file'], String.raw`file\.io`, 'i'),
  shape(['x0'], String.raw`0x0\.st`, 'i'),
  shape(['loca'], String.raw`loca\.lt`, 'i'),
  shape(['lhr'], String.raw`lhr\.life`, 'i'),
  shape(['bit'], String.raw`bit\.ly`, 'i'),
  shape(['gd'], String.raw`is\.gd|v\.gd|rf\.gd`, 'i'),
  shape(['cutt'], String.raw`cutt\.ly`, 'i'),
  shape(['ly'], String.raw`\bt\.ly|ow\.ly|rebrand\.ly`, 'i'),
  shape(['gy'], String.raw`rb\.gy`, 'i'),
  shape(['goo'], String.raw`goo\.gl`, 'i'),
  shape(['tiny'], String.raw`tiny\.cc`, 'i'),
  shape(['id'], String.raw`\bs\.id\b`, 'i'),
  shape(['ink'], String.raw`bl\.ink`, 'i'),
  shape(['urlz'], String.raw`urlz\.fr`, 'i'),
  shape(['co'], String.raw`\bt\.co\b|repl\.co`, 'i'),
  shape(['afraid'], String.raw`afraid\.org`, 'i'),
  shape(['onion'], String.raw`\.onion\b`, 'i'),
  shape(['glitch'], String.raw`glitch\.me`, 'i'),
  shape(['nf'], String.raw`free\.nf`, 'i'),
  // (the scheme looked behind: a pattern that starts with `://` is searched for quickly)
  shape(['http', 'https', 'ftp', 'ws', 'wss', 'udp'], String.raw`(?<=(?:https?|ftp|wss?|udp))://\d{1,3}\.\d`, 'i'),
];

/** Shapes without a word to key on: reversed slices, numeric addresses, bidi controls (escapes: see escapes()). */
const UNKEYED = new RegExp(
  [
    String.raw`:\s*:\s*-\s*1\s*\]`,
    String.raw`169\.254|100\.100\.100\.200|['"]\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}['"]`,
    String.raw`[\u202A-\u202E\u2066-\u2069]`,
  ].join('|'),
);

const SHAPES_BY_KEY = new Map<string, Shape[]>();
for (const s of SHAPES) for (const k of s.keys) SHAPES_BY_KEY.set(k, [...(SHAPES_BY_KEY.get(k) ?? []), s]);

/** What an identifier is to the prefilter: nothing, a reason to parse, or a shape's key. */
const NOTHING = 0;
const WORD = 1;
const KEY = 2;

function classify(w: string): number {
  if (CODE_WORDS.has(w)) return WORD;
  const lower = w.toLowerCase();
  if (TEXT_WORDS.has(lower) || STEMS.test(lower) || (w.length >= 6 && MANGLED.test(lower))) return WORD;
  return SHAPES_BY_KEY.has(lower) ? KEY : NOTHING;
}

/**
 * Identifiers seen before and what they are, shared by every module (a run meets `self`, `return`
 * and `value` millions of times): a direct-mapped table, so an identifier met again is looked up
 * where it stands in the text, without copying it out. A slot holds the identifier's length and its
 * first 16 characters as two numbers (6 bits a character, exact in a double), so most identifiers
 * are recognised by comparing three numbers rather than their characters; only the characters after
 * the 16th are compared one by one.
 */
const CACHE_SIZE = 1 << 15;
const cachedIds: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE).fill(undefined);
const cachedLengths = new Int32Array(CACHE_SIZE);
const cachedHeads = new Float64Array(CACHE_SIZE);
const cachedNexts = new Float64Array(CACHE_SIZE);
const cachedKinds = new Uint8Array(CACHE_SIZE);
const cachedKeys: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE).fill(undefined);
/** The scan that last added a slot's key (each scan adds a key once). */
const keyScans = new Uint32Array(CACHE_SIZE);
let scans = 0;

/** ASCII character classes: 1 starts an identifier, 2 continues one (digits), 0 neither. */
const IDENT = new Uint8Array(128);
for (let c = 0; c < 128; c++) IDENT[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 ? 1 : c >= 48 && c <= 57 ? 2 : 0;

/** IDENT for every UTF-16 code unit (0 past ASCII), so that the scan needs no range test. */
const IDENT16 = new Uint8Array(0x10000);
IDENT16.set(IDENT);

/** Identifier characters numbered 1 to 63 (never 0, so lengths stay apart): 6 bits each in cachedHeads. */
const DIGIT64 = new Uint8Array(128);
for (let c = 0, v = 1; c < 128; c++) if (IDENT[c] !== 0) DIGIT64[c] = v++;

/**
 * One pass over a module's identifiers: the first word a rule keys on, or the identifiers (as
 * lower-cased keys) for the shape patterns. A token of 90+ characters is checked as a Monero address.
 */
function scanWords(glued: string): { word: string } | { keys: Set<string>; long: boolean } {
  const keys = new Set<string>();
  let long = false;
  const scan = (scans = (scans + 1) >>> 0);
  // A hand-written scan: a regular expression's match objects cost more than the identifiers.
  const n = glued.length;
  for (let i = 0; i < n; ) {
    const c = glued.charCodeAt(i);
    if (IDENT16[c] !== 1) {
      i++;
      continue;
    }
    const start = i++;
    let h = c;
    // characters 1-8 and 9-16 in base 64: below 2^48, so exact. One loop for each part of the
    // identifier (rather than a test of the position at every character), as most are short.
    let head = DIGIT64[c]!;
    let next = 0;
    let d = 0;
    const end8 = Math.min(n, start + 8);
    for (; i < end8 && IDENT16[(d = glued.charCodeAt(i))] !== 0; i++) {
      h = (Math.imul(h, 31) + d) | 0;
      head = head * 64 + DIGIT64[d]!;
    }
    if (i === end8 && i < n) {
      const end16 = Math.min(n, start + 16);
      for (; i < end16 && IDENT16[(d = glued.charCodeAt(i))] !== 0; i++) {
        h = (Math.imul(h, 31) + d) | 0;
        next = next * 64 + DIGIT64[d]!;
      }
      if (i === end16) for (; i < n && IDENT16[(d = glued.charCodeAt(i))] !== 0; i++) h = (Math.imul(h, 31) + d) | 0;
    }
    const len = i - start;
    if (len >= 90) {
      long = true;
      const w = glued.slice(start, i);
      const kind = classify(w);
      if (kind === WORD) return { word: w };
      if (kind === KEY) keys.add(w.toLowerCase());
      continue;
    }
    const slot = (h ^ (h >>> 15)) & (CACHE_SIZE - 1);
    let hit = cachedLengths[slot] === len && cachedHeads[slot] === head && cachedNexts[slot] === next;
    if (hit && len > 16) {
      // (compared here: a call to startsWith for each of millions of identifiers costs more)
      const cached = cachedIds[slot]!;
      for (let k = 16; hit && k < len; k++) if (cached.charCodeAt(k) !== glued.charCodeAt(start + k)) hit = false;
    }
    if (!hit) {
      const w = glued.slice(start, i);
      cachedIds[slot] = w;
      cachedLengths[slot] = len;
      cachedHeads[slot] = head;
      cachedNexts[slot] = next;
      cachedKinds[slot] = classify(w);
      cachedKeys[slot] = cachedKinds[slot] === KEY ? w.toLowerCase() : undefined;
      keyScans[slot] = 0;
    }
    const kind = cachedKinds[slot]!;
    if (kind === WORD) return { word: cachedIds[slot]! };
    if (kind === KEY && keyScans[slot] !== scan) {
      keyScans[slot] = scan;
      keys.add(cachedKeys[slot]!);
    }
  }
  return { keys, long };
}

/** The first shape found in a module's (glued) text, given its identifier keys. */
function findShape(glued: string, keys: Set<string>, long: boolean, decoded = false): string | undefined {
  const tried = new Set<Shape>();
  for (const k of keys) {
    for (const s of SHAPES_BY_KEY.get(k)!) {
      if (tried.has(s)) continue;
      tried.add(s);
      if (s.find) {
        const found = s.find(glued);
        if (found !== undefined) return found.slice(0, 40);
        continue;
      }
      const m = s.re.exec(glued);
      if (m) return m[0].slice(0, 40);
    }
  }
  const u = UNKEYED.exec(glued);
  if (u) return u[0].slice(0, 40);
  if (long && /\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/.test(glued)) return 'monero address';
  return decoded ? undefined : escapeReason(glued);
}

/**
 * Escapes in string literals: the rules see the values, so `'\x65xec'` or `'cu\162l'` is a word
 * the text hides. An escape of an ASCII character (or of whitespace, which `\s` in a rule's
 * pattern matches) is a reason to parse as it stands. An escape of any other character cannot spell
 * an ASCII word itself, but it can still hide one: in the text its hex digits run into the next
 * word (`\u00e9curl` reads as one identifier, the value is `écurl`), and it is longer than the
 * character it stands for (a `.{1,6}` gap). So a module whose only escapes are of such characters
 * (translations, data tables: phonenumbers' geocoder data is 19 MB of them) is looked at again with
 * every escape decoded, as the values read, and parsed if that text has a reason.
 */
function escapeReason(glued: string): string | undefined {
  let other = false;
  for (let i = glued.indexOf('\\'); i >= 0 && i < glued.length - 1; i = glued.indexOf('\\', i)) {
    const e = escapeAt(glued, i);
    if (e.cp !== undefined) {
      if (e.cp < 0x80 || isJsSpace(e.cp)) return glued.slice(i, i + e.length);
      other = true;
    } else if (e.named) return glued.slice(i, i + 3);
    i += e.length;
  }
  if (!other) return undefined;
  const text = decodeEscapes(glued);
  const words = scanWords(text);
  if ('word' in words) return `${words.word} (escapes decoded)`;
  const found = findShape(text, words.keys, words.long, true);
  if (found !== undefined) return `${found} (escapes decoded)`;
  return encodedOrDeep(text) === 'encoded run' ? 'encoded run (escapes decoded)' : undefined;
}

/**
 * The escape at `i` (a backslash): its length, and the code point of a \x, \u, \U or three-digit
 * octal escape (the kinds that were always reasons to parse; other escapes are decoded only for the
 * second look). `\\` is one escape, so the backslash after it starts nothing.
 */
function escapeAt(s: string, i: number): { length: number; cp?: number; named?: boolean } {
  // (character codes, not slices and patterns: data tables have millions of escapes)
  const c = s.charCodeAt(i + 1);
  if (c === 120 || c === 117 || c === 85) {
    // \x, \u, \U: 2, 4 or 8 hex digits
    const n = c === 120 ? 2 : c === 117 ? 4 : 8;
    let cp = 0;
    for (let k = 0; k < n; k++) {
      const d = hexDigit(s.charCodeAt(i + 2 + k));
      if (d < 0) return { length: 2 };
      cp = cp * 16 + d;
    }
    return { length: 2 + n, cp };
  }
  if (c === 78 && s.charCodeAt(i + 2) === 123) return { length: 3, named: true };
  const o1 = c - 48;
  const o2 = s.charCodeAt(i + 2) - 48;
  const o3 = s.charCodeAt(i + 3) - 48;
  if (o1 >= 0 && o1 <= 7 && o2 >= 0 && o2 <= 7 && o3 >= 0 && o3 <= 7) return { length: 4, cp: (o1 * 64 + o2 * 8 + o3) & 0xff };
  return { length: 2 };
}

/** What JavaScript's `\s` matches beyond ASCII (the rules' patterns are JavaScript). */
function isJsSpace(cp: number): boolean {
  return cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0xfeff;
}

/** Every escape decoded as a str literal's value reads (python.ts unescapePython), wherever it is. */
function decodeEscapes(s: string): string {
  return unescapePython(s, false);
}

/**
 * An import of anything but a plain module name used plainly: `__import__('o' + 's')`,
 * `import_module(name)`, `__import__('os').system(...)` (on the raw text: gluing would make
 * `'o' + 's'` look like `'os'`).
 */
const COMPUTED_IMPORT = /(?:__import__|import_module)\s*\((?!\s*[rRbBuU]?['"][\w.]*['"]\s*\)(?!\s*\.))/;

/**
 * A DNS lookup and an encoder in one file: a name built from encoded data (dns-exfil). The encoder
 * is looked for first: its pattern is the quicker to rule out.
 */
const DNS_LOOKUP = /\b(?:resolver|gethostbyname|getaddrinfo)\b/;
const ENCODER = /b(?:64|32|16)encode|hexlify|\.hex\s*\(/;

/**
 * `''.join(['a', 'b'])`, `''.join(map(chr, [...]))`: a constant assembled from pieces, which the
 * analysis folds (checked before gluing, which eats `''`). A join of anything else is not folded,
 * and neither is a list whose first item is not a constant: a name, a number, an f-string or a
 * comprehension (`', '.join([str(x) for x in xs])` is everywhere). A constant item starts with a
 * quote, a bracket, chr or bytes, str() of a constant, or a decoder's name (a reason of its own).
 */
const JOIN = /['"][^'"\n]{0,3}['"]\s*\.\s*join\s*\(\s*(?:[[(]\s*(?:[rRbBuU]{0,2}['"]|[(#\\]|(?:chr|bytes|bytearray)\b|str\s*\(\s*(?:[rRbBuU]{0,2}['"]|[(#\\]|(?:chr|str|bytes|bytearray)\b))|map\s*\(\s*chr\b)/;

/** `'ab' 'cd'`, `'ab' + 'cd'` and line-continued literals read as one: a split word is still found. */
const GLUE = /(['"])(?:[ \t]|\+|\\?\r?\n)+[rbuf]{0,2}(['"])/gi;


/** Bracket nesting this deep is the start of what obfuscation-deep-nesting looks for. */
const DEEP_BRACKETS = 40;

/**
 * Whether a module could produce a threat finding, judged from its text alone. False means none of
 * the rules could fire on it (see the file comment); true means it has to be parsed to know.
 */
export function worthParsing(text: string): boolean {
  return parseReason(text) !== undefined;
}

/**
 * How much of a module to analyse: `skip` (nothing any rule looks for), `shallow` (module level
 * only: what it does on import is all that can matter, because the only thing found is an import of
 * a network module, or a call of an imported function at the top level, and nothing that could be
 * started or exec'd), `full` otherwise.
 */
export function parseMode(text: string): 'skip' | 'shallow' | 'full' {
  const reason = parseReason(text);
  if (reason === undefined) return 'skip';
  const importOnly = reason === 'import-time call' || reason.startsWith('network call at import: ');
  // (an encoded literal or deep nesting later in the file needs the function bodies too)
  if (importOnly && !START_WORDS.test(text) && encodedOrDeep(text) === undefined) return 'shallow';
  return 'full';
}

/** What could start a downloaded file (download-executable needs a fetch and one of these). */
const START_WORDS = /subprocess|\bsystem\b|popen|spawn|\bexecv|\bexecl|startfile|chmod|CDLL|LoadLibrary|WinDLL|windll|\bexec\b|\beval\b/;

/** What makes a module worth parsing (the first thing found), or undefined: for diagnostics and tests. */
export function parseReason(text: string): string | undefined {
  // (JOIN has `join` in every match; looking for the word first halves its cost)
  if (text.includes('join') && JOIN.test(text)) return 'join';
  const glued = text.includes('"') || text.includes("'") ? text.replace(GLUE, '') : text;
  const words = scanWords(glued);
  if ('word' in words) return words.word;
  const found = findShape(glued, words.keys, words.long);
  if (found !== undefined) return found;
  if (COMPUTED_IMPORT.test(text)) return 'computed import';
  if (ENCODER.test(text) && DNS_LOOKUP.test(text)) return 'dns lookup of encoded data';
  // Network use matters when it happens on import (import-network) or when something could start
  // what was fetched (download-executable); inside functions, with nothing else, it is a capability
  // that cannot count.
  const net = networkNames(text);
  if (net === 'star') return 'star import of a network module';
  if (net.size > 0) {
    if (START_WORDS.test(text)) return 'network and a way to start a file';
    const at = networkCallAtModuleLevel(text, net);
    if (at !== undefined) return `network call at import: ${at}`;
  }
  if (callsImportedAtTopLevel(text)) return 'import-time call';
  return encodedOrDeep(text);
}

const FROM_IMPORT = /^from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)/gmy;
const IMPORT_ANY = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))/gmy;

/**
 * Whether the text has line terminators other than `\n` that `^` also follows (the `\r` of a
 * `\r\n` starts no statement): looked for with indexOf, which is much faster than a pattern here.
 */
function otherLineEnds(text: string): boolean {
  if (text.indexOf('\u2028') >= 0 || text.indexOf('\u2029') >= 0) return true;
  for (let r = text.indexOf('\r'); r >= 0; r = text.indexOf('\r', r + 1)) if (text.charCodeAt(r + 1) !== 10) return true;
  return false;
}

/**
 * What `text.matchAll(re)` gives for an import-statement pattern: one that starts at a line start
 * (`^`, multiline) and has `import` on its first line. The pattern is tried only at the starts of the
 * lines that have `import` rather than at every position of the text. `re` must be sticky and global.
 *
 * A parenthesised list of names (`\([^)]*\)`) reads on to the next `)` wherever it is; after the
 * last `)` of the text it cannot match, and trying it there would read to the end of the text for
 * every import line (quadratic: `from a import (` lines). There the pattern without that
 * alternative is tried, which gives the same matches.
 */
export function* importStatements(text: string, re: RegExp): Generator<RegExpExecArray> {
  const lastClose = text.lastIndexOf(')');
  const plain = withoutParenthesisedNames(re);
  const at = (p: number): RegExpExecArray | null => {
    const r = p > lastClose ? plain : re;
    r.lastIndex = p;
    return r.exec(text);
  };
  let end = 0;
  if (otherLineEnds(text)) {
    // every line start, as `^` reads them (after \n, \r, \u2028 or \u2029), in order
    for (let p = 0; p <= text.length; p++) {
      if (p >= end) {
        const m = at(p);
        if (m) {
          end = p + m[0].length;
          yield m;
        }
      }
      while (p < text.length && !isLineTerminator(text.charCodeAt(p))) p++;
    }
    return;
  }
  let lineStart = 0;
  let lineEnd = -1;
  for (let i = text.indexOf('import'); i >= 0; i = text.indexOf('import', i + 6)) {
    // (each stretch of the text is searched for newlines once, however long its lines)
    if (i > lineEnd) {
      lineStart = text.lastIndexOf('\n', i) + 1;
      lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = text.length;
    }
    if (lineStart < end) continue;
    const m = at(lineStart);
    if (!m) continue;
    end = lineStart + m[0].length;
    yield m;
  }
}

function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** `re` without its alternative for a parenthesised list of names (the same pattern when it has none). */
const withoutParens = new Map<RegExp, RegExp>();
function withoutParenthesisedNames(re: RegExp): RegExp {
  let plain = withoutParens.get(re);
  if (plain === undefined) {
    plain = new RegExp(re.source.replace(String.raw`(\([^)]*\)|`, '('), re.flags);
    withoutParens.set(re, plain);
  }
  return plain;
}

/**
 * `text.split(/\s+as\s+/)` with forward searches: V8 retried the separator's leading `\s+` from
 * every blank of a long run and read the run to its end each time, quadratic on a hostile import
 * line of blanks. Pieces are exactly split's: a separator takes every blank around its `as`.
 */
export function splitAs(text: string): string[] {
  const out: string[] = [];
  const sep = /\sas\s/g;
  const blank = (at: number): boolean => /\s/.test(text[at]!);
  let from = 0;
  for (;;) {
    sep.lastIndex = from;
    const m = sep.exec(text);
    if (m === null) break;
    let start = m.index;
    while (start > from && blank(start - 1)) start--;
    let end = m.index + 3;
    while (end < text.length && blank(end)) end++;
    out.push(text.slice(from, start));
    from = end;
  }
  out.push(text.slice(from));
  return out;
}

/**
 * The local names bound to network modules or their functions (`import requests as rq`,
 * `from urllib.request import urlopen`, `import urllib.request` binds `urllib`), or 'star' for a
 * star import from one (then any name could be one).
 */
function networkNames(text: string): Set<string> | 'star' {
  const out = new Set<string>();
  for (const m of importStatements(text, IMPORT_ANY)) {
    if (m[3] !== undefined) {
      for (const part of m[3].split(',')) {
        const [mod, alias] = splitAs(part.trim()).map((x) => x.trim());
        if (mod && NETWORK_MODULES.test(mod)) out.add(alias ?? mod.split('.')[0]!);
      }
      continue;
    }
    const from = m[1]!;
    const names = m[2]!.replace(/[()\\]/g, ' ').split(',').map((x) => x.trim()).filter(Boolean);
    // `from urllib import request`, `from http import client` name the module itself.
    const netModule = NETWORK_MODULES.test(from) || names.some((n) => NETWORK_MODULES.test(`${from}.${splitAs(n)[0]}`));
    if (!netModule) continue;
    for (const n of names) {
      if (n === '*') return 'star';
      const [name, alias] = splitAs(n).map((x) => x.trim());
      if (name) out.add(alias ?? name);
    }
  }
  return out;
}

/**
 * Where a network name is called outside any function (module level, class bodies, top-level
 * if/try/with blocks), judged by indentation: the nearest less-indented line above each call is
 * followed up to the margin, and a `def` on the way means the call runs only when called. Lines
 * inside triple-quoted strings are passed over. Anything unclear counts as module level, which
 * only means the module gets parsed.
 */
function networkCallAtModuleLevel(text: string, names: Set<string>): string | undefined {
  const escaped = [...names].filter((n) => /^\w+$/.test(n));
  if (escaped.length === 0) return undefined;
  const call = new RegExp(String.raw`(?<![\w.])(?:${escaped.join('|')})\b(?:\s*\.\s*[A-Za-z_]\w*)*\s*\(`);
  const lines = text.split('\n');
  const inString = tripleQuotedLines(lines);
  const indent = (l: string): number => {
    let n = 0;
    for (const ch of l) {
      if (ch === ' ') n++;
      else if (ch === '\t') n += 8 - (n % 8);
      else break;
    }
    return n;
  };
  const ignorable = (j: number): boolean => inString[j]! || /^\s*(#|$)/.test(lines[j]!);
  // The nearest less-indented line above a line is its parent, and a line's verdict is its own
  // when it is a def or a lambda (inside a function if its signature ends on it), module level when
  // it is at the margin, else its parent's: each line's is found once, from its parent's, instead
  // of walking up from every call (a long function of network calls made that quadratic).
  // `stack`: the lines that can still be a later line's parent, their indents strictly increasing.
  const stack: number[] = [];
  const stackIndents: number[] = [];
  const verdicts = new Uint8Array(lines.length);
  const parentOf = (ind: number): number => {
    let lo = 0;
    let hi = stack.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (stackIndents[mid]! < ind) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? stack[lo - 1]! : -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const ind = indent(l);
    if (call.test(l)) {
      if (ind === 0) return l.trim().slice(0, 60);
      const parent = parentOf(ind);
      if (parent < 0 || verdicts[parent] !== IN_FUNCTION) return l.trim().slice(0, 60);
    }
    if (ignorable(i)) continue;
    if (/^\s*(?:(?:async\s+)?def|lambda)\b/.test(l)) {
      // A signature that continues past this line may hold default values, which run at def time.
      verdicts[i] = /\)\s*(->[^:#]*)?:\s*(#.*)?$/.test(l.trim()) ? IN_FUNCTION : MODULE_LEVEL;
    } else if (ind === 0) {
      verdicts[i] = MODULE_LEVEL;
    } else {
      const parent = parentOf(ind);
      verdicts[i] = parent < 0 ? MODULE_LEVEL : verdicts[parent]!;
    }
    while (stack.length > 0 && stackIndents[stackIndents.length - 1]! >= ind) {
      stack.pop();
      stackIndents.pop();
    }
    stack.push(i);
    stackIndents.push(ind);
  }
  return undefined;
}

/** What runs a line: a function when called (its signature ended), or the module on import. */
const IN_FUNCTION = 1;
const MODULE_LEVEL = 2;

/** Lines that lie wholly inside a triple-quoted string (a docstring's body). */
function tripleQuotedLines(lines: string[]): boolean[] {
  const out: boolean[] = new Array<boolean>(lines.length).fill(false);
  let open: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (open !== undefined) out[i] = true;
    if (!l.includes('"""') && !l.includes("'''")) continue;
    for (const m of l.matchAll(/"""|'''/g)) {
      if (m.index > 0 && l[m.index - 1] === '\\') continue;
      if (open === undefined) open = m[0];
      else if (open === m[0]) open = undefined;
    }
  }
  return out;
}

/**
 * `from .grabber import collect` and then `collect()` at the top level: this file runs another
 * module's function on import, which decides the phase of that module's findings (the engine's
 * propagateImportTime needs this file's calls). A module-level call of an imported name is kept.
 */
function callsImportedAtTopLevel(text: string): boolean {
  const names: string[] = [];
  for (const m of importStatements(text, FROM_IMPORT)) {
    for (const part of m[1]!.replace(/[()\\]/g, ' ').split(',')) {
      const alias = splitAs(part.trim()).pop()!.trim();
      if (/^[A-Za-z_]\w*$/.test(alias)) names.push(alias);
    }
    if (names.length > 200) break;
  }
  if (names.length === 0) return false;
  if (otherLineEnds(text)) return new RegExp(String.raw`^(?:[\w.]+[ \t]*=[ \t]*)?(?:${names.join('|')})[ \t]*\(`, 'm').test(text);
  // `^(?:[\w.]+[ \t]*=[ \t]*)?(?:NAMES)[ \t]*\(` at each line start, without building that pattern
  const called = new Set(names);
  const n = text.length;
  const word = (c: number): boolean => c < 128 && IDENT[c] !== 0;
  const runOf = (from: number, dots: boolean): number => {
    let i = from;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (!word(c) && !(dots && c === 46)) break;
    }
    return i;
  };
  const blanks = (from: number): number => {
    let i = from;
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    return i;
  };
  const callOf = (from: number): boolean => {
    const to = runOf(from, false);
    return to > from && called.has(text.slice(from, to)) && text.charCodeAt(blanks(to)) === 40;
  };
  for (let ls = 0; ls < n; ) {
    if (word(text.charCodeAt(ls)) || text.charCodeAt(ls) === 46) {
      if (callOf(ls)) return true;
      const target = runOf(ls, true);
      const eq = blanks(target);
      if (text.charCodeAt(eq) === 61 && callOf(blanks(eq + 1))) return true;
    }
    const nl = text.indexOf('\n', ls);
    if (nl < 0) break;
    ls = nl + 1;
  }
  return false;
}

/**
 * A base64/hex-like run of 2,000 characters (obfuscation-encoded-blob), on one line or as 30 lines
 * of 60 or more such characters in a row (a wrapped literal), or 150 spaces and tabs after
 * something (obfuscation-hidden-margin); else brackets nested DEEP_BRACKETS deep. One pass, no
 * backtracking (for a module with no other reason, every pass over its text counts).
 */
function encodedOrDeep(text: string): 'encoded run' | 'deep brackets' | undefined {
  let lineRun = 0;
  let lineOnlyEncoded = true;
  let wrappedLines = 0;
  let blanks = 0;
  let afterCode = false;
  let depth = 0;
  let deep = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const k = RUN_CLASS[text.charCodeAt(i)]!;
    if (k === ENCODED) {
      // a whole run at once (most characters are in one: every identifier is)
      let j = i + 1;
      while (j < n && RUN_CLASS[text.charCodeAt(j)] === ENCODED) j++;
      if (j - i >= 2000) return 'encoded run';
      blanks = 0;
      afterCode = true;
      lineRun += j - i;
      i = j - 1;
      continue;
    }
    if (k === BLANK) {
      if (afterCode && ++blanks >= 150) return 'encoded run';
      continue;
    }
    blanks = 0;
    if (k === NEWLINE) {
      afterCode = false;
      wrappedLines = lineOnlyEncoded && lineRun >= 60 ? wrappedLines + 1 : 0;
      if (wrappedLines >= 30) return 'encoded run';
      lineRun = 0;
      lineOnlyEncoded = true;
      continue;
    }
    if (k === IN_LITERAL) {
      // (a carriage return ends the code before a margin as a newline does)
      afterCode = text.charCodeAt(i) !== 13;
      continue;
    }
    afterCode = true;
    lineOnlyEncoded = false;
    if (k === OPEN) {
      if (++depth >= DEEP_BRACKETS) deep = true;
    } else if (k === CLOSE && depth > 0) depth--;
  }
  return deep ? 'deep brackets' : undefined;
}

/**
 * What a character is to encodedOrDeep, looked up rather than compared (it reads every character
 * of most modules): base64/hex-like, a blank, a newline, one that a wrapped literal's lines may hold
 * besides the encoded ones (quotes, backslashes, carriage returns), a bracket, or anything else.
 */
const OTHER = 0;
const ENCODED = 1;
const BLANK = 2;
const NEWLINE = 3;
const IN_LITERAL = 4;
const OPEN = 5;
const CLOSE = 6;
const RUN_CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  RUN_CLASS[c] = /[0-9A-Za-z+/=_-]/.test(ch) ? ENCODED : ch === ' ' || ch === '\t' ? BLANK : ch === '\n' ? NEWLINE : /[\r"'\\]/.test(ch) ? IN_LITERAL : /[([{]/.test(ch) ? OPEN : /[)\]}]/.test(ch) ? CLOSE : OTHER;
}

/** A part of the source to parse, in characters and lines (tree-sitter's included ranges). */
export interface SourceRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

/** Calls that are capabilities: they matter beside a threat in another function of the same module. */
const CAPABILITY_WORDS = /subprocess|\bsystem\b|popen|spawn|\bexecv|\bexecl|startfile|Popen|ShellExecute|WinExec|CreateProcess|multiprocessing|\bpty\b|\bexec\b|\beval\b|\bcompile\b|getattr|__import__|import_module/;

/**
 * Which parts of a module to parse when only some of its top-level functions and classes could
 * matter: module-level statements always (imports, assignments, top-level calls), and each
 * top-level `def`/`class` whose text has something a rule looks for (parseReason's words and
 * shapes), a capability (a process, exec, a network name of the module), or calls a function that
 * is kept. The rest cannot produce a finding or change one: its calls are capabilities nothing in
 * it could pair with, and its variables are its own. Undefined means parse everything.
 *
 * Blocks are found by indentation: a top-level statement starts at column 0 outside brackets,
 * strings and continued lines; decorators belong to the def or class after them.
 */
export function relevantRanges(text: string): SourceRange[] | undefined {
  if (text.length < 10_000) return undefined;
  const lines = text.split('\n');
  const fresh = freshLines(text, lines.length);
  const starts = topLevelStarts(lines, fresh);
  if (starts.length < 4) return undefined;
  const net = networkNames(text);
  if (net === 'star') return undefined;
  const netRe = net.size > 0 ? new RegExp(String.raw`(?<![\w.])(?:${[...net].filter((n) => /^\w+$/.test(n)).join('|') || '(?!)'})\b`) : undefined;
  interface Block {
    from: number;
    to: number;
    def?: string;
    keep: boolean;
    text: string;
  }
  const blocks: Block[] = [];
  for (let b = 0; b < starts.length; b++) {
    const from = starts[b]!;
    const to = b + 1 < starts.length ? starts[b + 1]! : lines.length;
    const prev = blocks.at(-1);
    if (prev && prev.def === undefined && /^@/.test(lines[prev.from]!)) {
      // decorators and the def or class they belong to are one block
      prev.to = to;
      const d = /^(?:async\s+def|def|class)\s+(\w+)/.exec(lines[from]!);
      if (d) prev.def = d[1]!;
      continue;
    }
    const m = /^(?:async\s+def|def|class)\s+(\w+)/.exec(lines[from]!);
    blocks.push({ from, to, keep: !m && !/^@/.test(lines[from]!), text: '', ...(m ? { def: m[1]! } : {}) });
  }
  const { offsets, endOf } = lineOffsets(text, lines);
  for (const b of blocks) {
    if (b.keep) continue;
    b.text = text.slice(offsets[b.from]!, endOf(b.to));
    // (the two single patterns first: either keeps the block without blockMatters' several passes)
    b.keep = b.def === undefined || (netRe?.test(b.text) ?? false) || CAPABILITY_WORDS.test(b.text) || blockMatters(b.text);
  }
  // A dropped function that calls a kept one would carry that one's import-time phase: from the
  // kept names, keep every dropped function that calls one, and so on (a work list over who calls
  // whom, so a long chain of calls costs its length and not its length squared).
  const kept = blocks.filter((b) => b.keep && b.def !== undefined).map((b) => b.def!);
  if (kept.length > 0) {
    const callers = new Map<string, Block[]>();
    for (const b of blocks) {
      if (b.keep) continue;
      for (const m of b.text.matchAll(/(?<![\w.])([A-Za-z_]\w*)\s*\(/g)) {
        const list = callers.get(m[1]!);
        if (list === undefined) callers.set(m[1]!, [b]);
        else if (list.at(-1) !== b) list.push(b);
      }
    }
    const seen = new Set<string>(kept);
    for (let k = 0; k < kept.length; k++) {
      for (const b of callers.get(kept[k]!) ?? []) {
        if (b.keep) continue;
        b.keep = true;
        if (!seen.has(b.def!)) {
          seen.add(b.def!);
          kept.push(b.def!);
        }
      }
    }
  }
  // A big class kept for one method keeps only that method (and its class-level statements): API
  // clients are classes of hundreds of methods.
  const pieces: { from: number; to: number }[] = [];
  let split = false;
  for (const b of blocks) {
    if (!b.keep) continue;
    if (b.def !== undefined && b.to - b.from > 40) {
      const parts = classMembers(lines, fresh, text, offsets, endOf, b.from, b.to, netRe);
      if (parts) {
        pieces.push(...parts);
        split = true;
        continue;
      }
    }
    pieces.push({ from: b.from, to: b.to });
  }
  if (!split && blocks.every((b) => b.keep)) return undefined;
  return toRanges(pieces, offsets, endOf);
}

/** Where each line starts in the text (lines split at `\n`), and the end of row `row`. */
function lineOffsets(text: string, lines: string[]): { offsets: number[]; endOf: (row: number) => number } {
  const offsets: number[] = [];
  let off = 0;
  for (const l of lines) {
    offsets.push(off);
    off += l.length + 1;
  }
  return { offsets, endOf: (row) => (row < lines.length ? offsets[row]! : text.length) };
}

/** Whole lines `from` to `to` (exclusive) as tree-sitter ranges, adjacent pieces merged. */
function toRanges(pieces: { from: number; to: number }[], offsets: number[], endOf: (row: number) => number): SourceRange[] {
  const ranges: SourceRange[] = [];
  for (const b of pieces) {
    const last = ranges.at(-1);
    const endIndex = endOf(b.to);
    if (last && last.endPosition.row === b.from) {
      last.endIndex = endIndex;
      last.endPosition = { row: b.to, column: 0 };
    } else {
      ranges.push({ startIndex: offsets[b.from]!, endIndex, startPosition: { row: b.from, column: 0 }, endPosition: { row: b.to, column: 0 } });
    }
  }
  return ranges;
}

/** A top-level def whose signature (on its first line) can call nothing: no parentheses but its own, no quotes. */
const PLAIN_DEF = /^(?:async[ \t]+)?def[ \t]+\w+[ \t]*\([^()'"#\n]*\)[ \t]*(?:->[^()'"#\n:]*)?:/;

/**
 * Which parts of a module to parse for a shallow analysis (module level only, see parseMode): all
 * but its undecorated top-level functions whose signature calls nothing. A shallow walk passes over
 * a function's body and reads only its decorators and default values, which run when the def runs,
 * so such a function contributes nothing to it. Undefined means parse everything.
 */
export function shallowRanges(text: string): SourceRange[] | undefined {
  if (text.length < 10_000) return undefined;
  const lines = text.split('\n');
  const starts = topLevelStarts(lines, freshLines(text, lines.length));
  if (starts.length < 4) return undefined;
  const { offsets, endOf } = lineOffsets(text, lines);
  const pieces: { from: number; to: number }[] = [];
  for (let b = 0; b < starts.length; b++) {
    const from = starts[b]!;
    const to = b + 1 < starts.length ? starts[b + 1]! : lines.length;
    const decorated = b > 0 && /^@/.test(lines[starts[b - 1]!]!);
    if (decorated || !PLAIN_DEF.test(lines[from]!)) pieces.push({ from, to });
  }
  // (what comes before the first statement, comments and a shebang, is nothing to a walk)
  return pieces.length < starts.length && pieces.length > 0 ? toRanges(pieces, offsets, endOf) : undefined;
}

/**
 * The parts of a class block to keep: its header and class-level statements, and the methods that
 * could matter (as for top-level functions). Undefined when it is not a class, when nothing can be
 * dropped, or when dropping would leave an empty body (keep it whole then).
 */
function classMembers(
  lines: string[],
  fresh: Uint8Array,
  text: string,
  offsets: number[],
  endOf: (row: number) => number,
  from: number,
  to: number,
  netRe: RegExp | undefined,
): { from: number; to: number }[] | undefined {
  let classLine = from;
  // (each search stops at the statement it looks for: a class with many decorators stays linear)
  while (classLine < to && /^@/.test(lines[classLine]!)) classLine = statementStarts(lines, fresh, classLine, to, 0, 2)[1] ?? to;
  if (classLine >= to || !/^class\s/.test(lines[classLine]!)) return undefined;
  // The first statement of the body: the next statement start after the class line, at any indent.
  const first = statementStarts(lines, fresh, classLine, to, undefined, 2)[1];
  if (first === undefined) return undefined;
  const indent = /^[ \t]*/.exec(lines[first]!)![0];
  if (indent.length === 0 || indent.includes('\t')) return undefined;
  const starts = statementStarts(lines, fresh, first, to, indent.length);
  const members: { from: number; to: number; def: boolean; keep: boolean }[] = [];
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k]!;
    const e = k + 1 < starts.length ? starts[k + 1]! : to;
    const body = lines[s]!.slice(indent.length);
    const prev = members.at(-1);
    if (prev && !prev.def && /^@/.test(lines[prev.from]!.slice(indent.length)) && !prev.keep) {
      prev.to = e;
      prev.def = /^(?:async\s+def|def)\s/.test(body);
      continue;
    }
    const isDef = /^(?:async\s+def|def)\s/.test(body);
    members.push({ from: s, to: e, def: isDef, keep: !isDef && !/^@/.test(body) });
  }
  let dropped = 0;
  for (const m of members) {
    if (m.keep || !m.def) {
      m.keep = true;
      continue;
    }
    const t = text.slice(offsets[m.from]!, endOf(m.to));
    m.keep = (netRe?.test(t) ?? false) || CAPABILITY_WORDS.test(t) || blockMatters(t);
    if (!m.keep) dropped++;
  }
  if (dropped === 0 || !members.some((m) => m.keep)) return undefined;
  return [{ from, to: first }, ...members.filter((m) => m.keep).map((m) => ({ from: m.from, to: m.to }))];
}

/**
 * Lines where a statement starts, from `from` to `to`: at indent `indent` (undefined: any), outside
 * strings, brackets and continued lines; the first `limit` of them. `from` is itself such a line, so
 * the module's line states (freshLines) are the states a scan from `from` would find.
 */
function statementStarts(lines: string[], fresh: Uint8Array, from: number, to: number, indent: number | undefined, limit = Infinity): number[] {
  const out: number[] = [];
  for (let i = from; i < to && out.length < limit; i++) {
    const l = lines[i]!;
    if (fresh[i] === 1 && l.trim() !== '' && !/^\s*#/.test(l)) {
      const ind = /^ */.exec(l)![0].length;
      if (indent === undefined ? true : ind === indent && !/^[ ]*\t/.test(l)) out.push(i);
    }
  }
  return out;
}

/** parseReason's checks on a part of a module (without the module-level ones). */
function blockMatters(text: string): boolean {
  if (text.includes('join') && JOIN.test(text)) return true;
  const glued = text.includes('"') || text.includes("'") ? text.replace(GLUE, '') : text;
  const words = scanWords(glued);
  if ('word' in words || findShape(glued, words.keys, words.long) !== undefined) return true;
  return COMPUTED_IMPORT.test(text) || (ENCODER.test(text) && DNS_LOOKUP.test(text)) || encodedOrDeep(text) !== undefined;
}

/** Characters that change nothing for freshLines (all but # quotes brackets and the backslash): passed over with one look. */
const FRESH_PLAIN = new Uint8Array(0x10000).fill(1);
for (const ch of '#"\'()[]{}\\') FRESH_PLAIN[ch.charCodeAt(0)] = 0;

const TRIPLE_DOUBLE = '"'.repeat(3);
const TRIPLE_SINGLE = "'".repeat(3);

/**
 * Which lines (of `text.split('\n')`, `count` of them) start outside strings, brackets and
 * continued lines (1), where a statement can start: one scan of the module that topLevelStarts and
 * statementStarts share. It follows strings, comments and brackets over the text itself (character
 * codes, no line copies: this reads every character of big modules), and passes over the body of
 * a triple-quoted string with one search for its end.
 */
function freshLines(text: string, count: number): Uint8Array {
  const out = new Uint8Array(count);
  const n = text.length;
  let depth = 0;
  let triple: string | undefined;
  let continued = false;
  let ls = 0;
  for (let row = 0; row < count; row++) {
    let le = text.indexOf('\n', ls);
    if (le < 0) le = n;
    if (triple === undefined && depth === 0 && !continued) out[row] = 1;
    continued = false;
    let j = ls;
    while (j < le) {
      if (triple !== undefined) {
        const end = text.indexOf(triple, j);
        // never closed: no later line starts a statement
        if (end < 0) return out;
        // closed on a later line: the lines up to that one start inside the string
        while (end >= le) {
          row++;
          ls = le + 1;
          le = text.indexOf('\n', ls);
          if (le < 0) le = n;
        }
        j = end + 3;
        triple = undefined;
        continue;
      }
      const c = text.charCodeAt(j);
      if (FRESH_PLAIN[c] === 1) {
        j++;
        continue;
      }
      if (c === 35) break;
      if (c === 34 || c === 39) {
        if (text.charCodeAt(j + 1) === c && text.charCodeAt(j + 2) === c) {
          triple = c === 34 ? TRIPLE_DOUBLE : TRIPLE_SINGLE;
          j += 3;
          continue;
        }
        // a one-line string: to its closing quote, escapes skipped
        j++;
        while (j < le && text.charCodeAt(j) !== c) j += text.charCodeAt(j) === 92 ? 2 : 1;
        j++;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
      else if (c === 92 && j === le - 1) continued = true;
      j++;
    }
    ls = le + 1;
  }
  return out;
}

/** Lines where a top-level statement starts (column 0, outside strings, brackets and continuations). */
function topLevelStarts(lines: string[], fresh: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (fresh[i] === 1 && l.length > 0 && !/^[\s#]/.test(l)) out.push(i);
  }
  return out;
}
