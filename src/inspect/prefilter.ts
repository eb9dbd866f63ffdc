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

/**
 * Python names some rule resolves calls to, matched exactly (Python names are case-sensitive, so
 * `Eval` in a comment is not `eval`).
 */
const CODE_WORDS = new Set([
  // running code (reaching it by a computed name is in SHAPES)
  'exec', 'eval', 'execfile', 'FunctionType', 'runpy',
  // decoding and assembling constants (a decoded URL or path is matched like a literal one)
  'chr', 'b64decode', 'b32decode', 'b16decode', 'b85decode', 'a85decode', 'urlsafe_b64decode', 'standard_b64decode',
  'decodebytes', 'decodestring', 'a2b_base64', 'a2b_hex', 'unhexlify', 'fromhex', 'codecs', 'decompress', 'decrypt',
  'decrypt_and_verify', 'Fernet', 'MultiFernet', 'Cipher', 'AESGCM', 'ChaCha20Poly1305',
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
  'pythonw', 'nohup', 'setsid', 'curl', 'wget', 'iwr', 'irm', 'certutil', 'bitsadmin', 'mshta', 'powershell', 'rundll32',
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
  'ipify', 'ipinfo', 'icanhazip', 'checkip', 'myip', 'ipapi', 'wtfismyip', 'httpbin', 'discord', 'discordapp', 'telegram',
  'webhook', 'webhooks', 'pipedream', 'requestcatcher', 'beeceptor', 'requestbin', 'burpcollaborator', 'oastify', 'dnslog',
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
const IMPORT_LINE = /^[ \t]*(?:import|from)[ \t]+[^\n]*/gm;

/** Parts of identifiers: `win32clipboard`, `clipboard_get`, `GetClipboardData`. */
const STEMS = /clipboard|keylog|getpixel|stegano|stegpy/;

/** Machine-mangled names (obfuscation-identifiers). */
const MANGLED = /^(?:[li1]{6,}|[o0]{6,}|_0x[0-9a-f]{3,}|__?[li1o0]{5,})$/;

/** Code shapes (case-sensitive, as Python is), matched on the glued text. */
const CODE_SHAPES = new RegExp(
  [
    String.raw`\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\N\{|\\[0-7]{3}`,
    // reaching exec, system or import by a computed name; importing a computed or inline-used module
    String.raw`::\s*-1\s*\]|\bbytes\s*\(\s*\[|\bbytearray\s*\(\s*\[|__dict__\s*\[|__builtins__\s*\[|\b(?:globals|locals)\(\)\s*\[|\bvars\([^)\n]*\)\s*\[|(?<![.\w])compile\s*\(|\.decode\s*\(\s*['"](?:hex|base64|rot.?13|zlib|bz2|uu)['"]|['"]\s*\.\s*decode\s*\(\s*\)`,
    String.raw`\bgetattr\s*\([^)\n]{0,200}['"](?:exec\w*|eval|compile|system|popen\w*|spawn\w*|startfile|Popen|call|check_call|check_output|run|getoutput|getstatusoutput|__import__|import_module|open|run_path|run_module|posix_spawnp?|create_subprocess_\w+|ShellExecute\w*|WinExec|CreateProcess\w*|Process)['"]`,
    // the environment as a whole, host identity, DNS lookups of encoded names
    String.raw`\b(?:dict|str|repr|list|dumps)\s*\(\s*(?:os\.)?environb?\b|\benvironb?\s*\.\s*(?:copy|items|keys|values)\b|\benvironb?\s+as\b`,
    String.raw`platform\.node|import[^\n]*\bnode\b|\buname\s*\(|code\.interact|stdin\s*=\s*[\w.]+\.fileno`,
    // credential, SSH and browser paths (those rules are case-sensitive)
    // (path components may be separate arguments of os.path.join, hence the loose gaps)
    String.raw`\.aws\b|git-credentials|\.docker\b|\.kube\b|\.azure\b|hosts\.yml|/etc/shadow|\.ssh\b|User Data|Login Data|Local State|Web Data|Network.{1,6}Cookies|logins\.json|cookies\.sqlite|Mozilla.{1,6}Firefox|\.profile\b|config\.fish`,
    String.raw`\S[ \t]{150}|[\u202A-\u202E\u2066-\u2069]`,
  ].join('|'),
);

/** Text shapes that case-insensitive rules match (commands, places, services), on the glued text. */
const TEXT_SHAPES = new RegExp(
  [
    String.raw`/dev/null\s+2>&1|\bstart\s+(?:/b|/min|""\s+/b)|-w(?:indowstyle)?\s+hidden|Invoke-|BitsTransfer|\.Download|\.dll\b|/dev/tcp|\bnc(?:at)?\b[^\n]{0,200}\s-e\s|bash\s+-i`,
    String.raw`Local Storage|\[\\w-\]\{(?:24|84)\}|wallet\.dat|Telegram Desktop|Programs.{1,6}Startup|\\Startup\\|shell:startup|\.config.{1,6}autostart|/etc/cron|spool/cron|ScheduledTask`,
    String.raw`\brm\s+-|\bdel\s+/|\bformat\s+[A-Za-z]:|\bdd\s+if=|cipher(?:\.exe)?\s+/w:|xmr-stak|2miners|donate-level|\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b`,
    String.raw`169\.254|metadata\.google|metadata\.azure|100\.100\.100\.200|fd00:ec2|meta-data|ip-api|ifconfig\.me|geolocation-db|slack\.com|interact\.sh|\boast\.|ceye\.io|paste\.ee|transfer\.sh|file\.io|temp\.sh|0x0\.st|loca\.lt|lhr\.life`,
    String.raw`bit\.ly|is\.gd|cutt\.ly|\bt\.ly|rb\.gy|goo\.gl|ow\.ly|rebrand\.ly|tiny\.cc|\bs\.id\b|\bv\.gd|bl\.ink|urlz\.fr|\bt\.co\b|no-ip|afraid\.org|\.onion\b|repl\.co|glitch\.me|free\.nf|rf\.gd`,
    String.raw`(?:https?|ftp|wss?|tcp|udp)://\d{1,3}\.\d|['"]\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}['"]`,
  ].join('|'),
  'i',
);

/**
 * An import of anything but a plain module name used plainly: `__import__('o' + 's')`,
 * `import_module(name)`, `__import__('os').system(...)` (on the raw text: gluing would make
 * `'o' + 's'` look like `'os'`).
 */
const COMPUTED_IMPORT = /(?:__import__|import_module)\s*\((?!\s*[rRbBuU]?['"][\w.]*['"]\s*\)(?!\s*\.))/;

/** A DNS lookup and an encoder in one file: a name built from encoded data (dns-exfil). */
const DNS_LOOKUP = /\b(?:resolver|gethostbyname|getaddrinfo)\b/;
const ENCODER = /b(?:64|32|16)encode|hexlify|\.hex\s*\(/;

/**
 * `''.join(['a', 'b'])`, `''.join(map(chr, [...]))`: a constant assembled from pieces, which the
 * analysis folds (checked before gluing, which eats `''`). A join of anything else is not folded.
 */
const JOIN = /['"][^'"\n]{0,3}['"]\s*\.\s*join\s*\(\s*(?:\[|\(|map\s*\(\s*chr\b)/;

/** `'ab' 'cd'`, `'ab' + 'cd'` and line-continued literals read as one: a split word is still found. */
const GLUE = /(['"])(?:[ \t]|\+|\\?\r?\n)+[rbuf]{0,2}(['"])/gi;

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Bracket nesting this deep is the start of what obfuscation-deep-nesting looks for. */
const DEEP_BRACKETS = 40;

/**
 * Whether a module could produce a threat finding, judged from its text alone. False means none of
 * the rules could fire on it (see the file comment); true means it has to be parsed to know.
 */
export function worthParsing(text: string): boolean {
  return parseReason(text) !== undefined;
}

/** What makes a module worth parsing (the first thing found), or undefined: for diagnostics and tests. */
export function parseReason(text: string): string | undefined {
  if (JOIN.test(text)) return 'join';
  const glued = text.includes('"') || text.includes("'") ? text.replace(GLUE, '') : text;
  const seen = new Set<string>();
  for (const m of glued.matchAll(IDENTIFIER)) {
    const w = m[0];
    if (seen.has(w)) continue;
    seen.add(w);
    if (CODE_WORDS.has(w)) return w;
    const lower = w.toLowerCase();
    if (TEXT_WORDS.has(lower) || STEMS.test(lower) || (w.length >= 6 && MANGLED.test(lower))) return w;
  }
  const shape = CODE_SHAPES.exec(glued) ?? TEXT_SHAPES.exec(glued);
  if (shape) return shape[0].slice(0, 40);
  if (COMPUTED_IMPORT.test(text)) return 'computed import';
  if (DNS_LOOKUP.test(text) && ENCODER.test(text)) return 'dns lookup of encoded data';
  for (const line of text.matchAll(IMPORT_LINE)) {
    const net = NETWORK_MODULES.exec(line[0]);
    if (net) return `import ${net[0]}`;
  }
  if (callsImportedAtTopLevel(text)) return 'import-time call';
  if (longEncodedRun(text)) return 'encoded run';
  return maxBracketDepth(text) >= DEEP_BRACKETS ? 'deep brackets' : undefined;
}

const FROM_IMPORT = /^from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)/gm;

/**
 * `from .grabber import collect` and then `collect()` at the top level: this file runs another
 * module's function on import, which decides the phase of that module's findings (the engine's
 * propagateImportTime needs this file's calls). A module-level call of an imported name is kept.
 */
function callsImportedAtTopLevel(text: string): boolean {
  const names: string[] = [];
  for (const m of text.matchAll(FROM_IMPORT)) {
    for (const part of m[1]!.replace(/[()\\]/g, ' ').split(',')) {
      const alias = part.trim().split(/\s+as\s+/).pop()!.trim();
      if (/^[A-Za-z_]\w*$/.test(alias)) names.push(alias);
    }
    if (names.length > 200) break;
  }
  if (names.length === 0) return false;
  return new RegExp(String.raw`^(?:[\w.]+[ \t]*=[ \t]*)?(?:${names.join('|')})[ \t]*\(`, 'm').test(text);
}

/**
 * A base64/hex-like run of 2,000 characters (obfuscation-encoded-blob), on one line or as 30 lines
 * of 60 or more such characters in a row (a wrapped literal). One pass, no backtracking.
 */
function longEncodedRun(text: string): boolean {
  let run = 0;
  let lineRun = 0;
  let lineOnlyEncoded = true;
  let wrappedLines = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const encoded = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 61 || c === 95 || c === 45;
    if (encoded) {
      if (++run >= 2000) return true;
      lineRun++;
      continue;
    }
    run = 0;
    if (c === 10) {
      wrappedLines = lineOnlyEncoded && lineRun >= 60 ? wrappedLines + 1 : 0;
      if (wrappedLines >= 30) return true;
      lineRun = 0;
      lineOnlyEncoded = true;
    } else if (c !== 32 && c !== 9 && c !== 13 && c !== 34 && c !== 39 && c !== 92) {
      lineOnlyEncoded = false;
    }
  }
  return false;
}

function maxBracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}
