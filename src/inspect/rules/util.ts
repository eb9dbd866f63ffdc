/**
 * Shared vocabulary of the rules: which resolved callees mean "runs code", "spawns a process",
 * "talks to the network", and helpers to turn a line into bounded, escaped evidence.
 */
import { escapeForDisplay } from '../../archive/index.js';
import { constValue, someExpr, valuesOf, type Expr, type PyCall } from '../python.js';
import type { Evidence, FileContext, Phase } from '../types.js';

export const EXEC_CALLS = new Set([
  'exec', 'eval', 'compile', 'execfile', 'types.FunctionType', 'runpy.run_path', 'runpy.run_module',
  'code.interact', 'builtins.exec',
]);

export const PROCESS_CALLS = new Set([
  'os.system', 'os.popen', 'os.popen2', 'os.popen3', 'os.popen4', 'os.startfile', 'os.execl', 'os.execle',
  'os.execlp', 'os.execlpe', 'os.execv', 'os.execve', 'os.execvp', 'os.execvpe', 'os.spawnl', 'os.spawnle',
  'os.spawnlp', 'os.spawnlpe', 'os.spawnv', 'os.spawnve', 'os.spawnvp', 'os.spawnvpe', 'os.posix_spawn',
  'os.posix_spawnp', 'subprocess.Popen', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output',
  'subprocess.run', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput',
  'commands.getstatusoutput', 'pty.spawn', 'asyncio.create_subprocess_shell', 'asyncio.create_subprocess_exec',
  'platform.popen', 'win32api.ShellExecute', 'win32process.CreateProcess', 'ctypes.windll.shell32.ShellExecuteW',
  'ctypes.windll.shell32.ShellExecuteA', 'ctypes.windll.kernel32.WinExec', 'multiprocessing.Process',
]);

export const NETWORK_CALLS = new Set([
  'requests.get', 'requests.post', 'requests.put', 'requests.patch', 'requests.delete', 'requests.head',
  'requests.request', 'requests.Session', 'requests.session', 'urllib.request.urlopen', 'urllib.request.urlretrieve',
  'urllib.request.Request', 'urllib.request.build_opener', 'urllib2.urlopen', 'urllib2.Request', 'urllib.urlopen',
  'urllib.urlretrieve', 'http.client.HTTPConnection', 'http.client.HTTPSConnection', 'httplib.HTTPConnection',
  'httplib.HTTPSConnection', 'socket.socket', 'socket.create_connection', 'httpx.get', 'httpx.post', 'httpx.Client',
  'httpx.AsyncClient', 'httpx.request', 'aiohttp.ClientSession', 'aiohttp.request', 'urllib3.PoolManager',
  'urllib3.request', 'pycurl.Curl', 'ftplib.FTP', 'ftplib.FTP_TLS', 'smtplib.SMTP', 'smtplib.SMTP_SSL',
  'telnetlib.Telnet', 'websocket.create_connection', 'websocket.WebSocketApp', 'websockets.connect',
  'paramiko.SSHClient', 'wget.download', 'dns.resolver.resolve', 'dns.resolver.query', 'socket.gethostbyname',
  'socket.getaddrinfo', 'discord_webhook.DiscordWebhook', 'telebot.TeleBot',
]);

/** Calls that fetch data from the network and return it (for download-and-execute). */
export const FETCH_CALLS = new Set([
  'requests.get', 'requests.post', 'requests.request', 'urllib.request.urlopen', 'urllib2.urlopen', 'urllib.urlopen',
  'httpx.get', 'httpx.request', 'urllib3.request', 'urllib.request.urlretrieve', 'urllib.urlretrieve', 'wget.download',
]);

/** Calls that decode or unpack data (the first half of decode-and-execute). */
export const DECODE_CALLS = new Set([
  'base64.b64decode', 'base64.b32decode', 'base64.b16decode', 'base64.b85decode', 'base64.a85decode',
  'base64.decodebytes', 'base64.decodestring', 'base64.standard_b64decode', 'base64.urlsafe_b64decode',
  'binascii.a2b_base64', 'binascii.unhexlify', 'binascii.a2b_hex', 'bytes.fromhex', 'bytearray.fromhex',
  'codecs.decode', 'zlib.decompress', 'gzip.decompress', 'bz2.decompress', 'lzma.decompress', 'marshal.loads',
  'pickle.loads', 'cPickle.loads', 'dill.loads',
]);

export function isCall(e: Expr, set: Set<string>): e is Extract<Expr, { k: 'call' }> {
  return e.k === 'call' && set.has(e.call.callee);
}

export function calls(ctx: FileContext, pred: (c: PyCall) => boolean): PyCall[] {
  return ctx.py ? ctx.py.calls.filter(pred) : [];
}

export function callsTo(ctx: FileContext, set: Set<string>): PyCall[] {
  return calls(ctx, (c) => set.has(c.callee));
}

/**
 * The PEP 517 hooks pip calls in a build backend (as functions or as methods of the backend object).
 */
export const BACKEND_HOOKS = new Set([
  'build_wheel', 'build_sdist', 'build_editable', 'get_requires_for_build_wheel', 'get_requires_for_build_sdist',
  'get_requires_for_build_editable', 'prepare_metadata_for_build_wheel', 'prepare_metadata_for_build_editable',
]);

/** When a call in this file runs. */
export function phaseOf(ctx: FileContext, call?: PyCall): Phase {
  if (ctx.role === 'pth') return 'install';
  if (ctx.role === 'setup' || ctx.role === 'build-backend') {
    // setup.py's top level (`if __name__ == '__main__'` included: pip runs it as the main script),
    // the methods of the commands an install runs, and the functions those reach run at install; a
    // custom `setup.py coverage` or `upload` command runs when someone asks for it. A build
    // backend's module level and its PEP 517 hooks run at install.
    if (call?.commandGuard) return 'runtime';
    if (!call || call.func === undefined) return 'install';
    if (call.cls !== undefined) return ctx.installClasses?.has(call.cls) || (ctx.role === 'build-backend' && BACKEND_HOOKS.has(call.func)) ? 'install' : 'runtime';
    return ctx.py?.calledAtTopLevel.has(call.func) || (ctx.role === 'build-backend' && BACKEND_HOOKS.has(call.func)) ? 'install' : 'runtime';
  }
  if (call && call.topLevel && !call.mainGuard) return 'import';
  // A function the module calls on import runs on import (one level: `def _update(): ...; _update()`).
  if (call?.func !== undefined && !call.mainGuard && ctx.py?.calledAtTopLevel.has(call.func) && call.cls === undefined) return 'import';
  if (!call && ctx.role !== 'script') return 'import';
  return 'runtime';
}

const SNIPPET_MAX = 160;

/** A source line as evidence: trimmed, bounded, control and bidi characters escaped. */
export function snippet(text: string | undefined, column = 0): string | undefined {
  if (text === undefined) return undefined;
  let s = text;
  if (column > 40) s = '… ' + s.slice(column);
  // Code hidden far to the right stays visible in the snippet: long runs of blanks are counted, not printed.
  s = s.trim().replace(/[ \t]{20,}/g, (m) => ` ⟨${m.length} blanks⟩ `);
  return escapeForDisplay(s.length > SNIPPET_MAX ? s.slice(0, SNIPPET_MAX) : s, SNIPPET_MAX + 40) + (s.length > SNIPPET_MAX ? '…' : '');
}

export function at(ctx: FileContext, line: number, detail?: string, phase?: Phase): Evidence {
  const e: Evidence = { file: ctx.path, line };
  const s = snippet(ctx.lines[line - 1]);
  if (s !== undefined) e.snippet = s;
  if (detail !== undefined) e.detail = detail;
  if (phase !== undefined) e.phase = phase;
  return e;
}

export function atCall(ctx: FileContext, call: PyCall, detail?: string): Evidence {
  return at(ctx, call.line, detail, phaseOf(ctx, call));
}

/** One evidence per line: several hits on one line say nothing more. */
export function dedupe(evidence: Evidence[], max = 20): Evidence[] {
  const seen = new Set<string>();
  const out: Evidence[] = [];
  for (const e of evidence) {
    const key = `${e.file}:${e.line ?? 0}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * Prose that mentions the match (a help text, a field description, an example in a message) rather
 * than a value that is the match: at least five words of text besides it. A URL or command an
 * attacker uses is a value of its own; documentation of a service quotes it in a sentence.
 */
export function inProse(value: string, match: string): boolean {
  const rest = value.replace(match, ' ');
  // The words `/[A-Za-z]{2,}[,.:;]?(?=\s)/g` finds, counted run by run: that regex retried at every
  // letter of a run not followed by a blank and read to its end each time, quadratic on a long one.
  let words = 0;
  for (const run of rest.matchAll(/[A-Za-z]+/g)) {
    if (run[0].length < 2) continue;
    let next = run.index + run[0].length;
    if (',.:;'.includes(rest[next] ?? '\n') && /\s/.test(rest[next + 1] ?? '')) next++;
    if (/\s/.test(rest[next] ?? '') && ++words >= 5) return true;
  }
  return false;
}

/**
 * Strings (literals, decoded and folded values; lines of text files) that match. With `skipProse`,
 * literal strings that only mention the match in a sentence are left out (decoded ones never are).
 */
export function stringHits(ctx: FileContext, re: Pick<RegExp, 'exec'>, max = 20, skipProse = false): Evidence[] {
  const out: Evidence[] = [];
  for (const s of ctx.strings) {
    if (s.value.length > 1_000_000 || s.via === 'docstring') continue;
    const m = re.exec(s.value);
    if (!m) continue;
    if (skipProse && s.via === 'literal' && inProse(s.value, m[0])) continue;
    const shown = JSON.stringify(trimMatch(m[0]));
    out.push(at(ctx, s.line, s.via === 'literal' ? `matches ${shown}` : s.via === 'path-join' ? `joined path: ${shown}` : `decoded (${s.via}): ${shown}`));
    if (out.length >= max) break;
  }
  return dedupe(out, max);
}

function trimMatch(s: string): string {
  return escapeForDisplay(s.length > 80 ? s.slice(0, 80) + '…' : s, 120);
}

/** True when the expression (through up to `hops` assignments) contains a call matching pred. */
export function containsCall(ctx: FileContext, e: Expr, pred: (c: PyCall) => boolean, hops = 3): boolean {
  if (!ctx.py) return false;
  return someExpr(e, ctx.py, (x) => x.k === 'call' && pred(x.call), hops);
}

export function argsOf(call: PyCall): Expr[] {
  const out = [...call.args, ...call.kwargs.values()];
  if (call.receiver) out.push(call.receiver);
  return out;
}

/** The constant text of a call's command argument(s) (a string, or a list of strings joined by spaces). */
export function commandText(call: PyCall): string | undefined {
  const first = call.args[0] ?? call.kwargs.get('args') ?? call.kwargs.get('cmd') ?? call.kwargs.get('command');
  if (!first) return undefined;
  if (first.k === 'seq') {
    const parts = first.items.map((i) => constValue(i) ?? '…');
    return parts.join(' ');
  }
  return constValue(first) ?? (first.k === 'fstr' ? first.value : undefined);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Tests, docs, examples and benchmarks: files an install does not run and an import does not load
 * (scripts in them run only when someone runs them), and which are full of deliberately odd code.
 */
export function isAuxiliaryPath(path: string): boolean {
  return /(^|\/)(tests?|testing|docs?|examples?|benchmarks?|test_[^/]*\.py|[^/]*_test\.py|conftest\.py)(\/|$)/i.test(path);
}

/** True when some sub-expression matches, following names through up to `hops` assignments. */
export function exprContains(ctx: FileContext, e: Expr, pred: (x: Expr) => boolean, hops = 3): boolean {
  let hit = false;
  const stack: { e: Expr; hops: number }[] = [{ e, hops }];
  const seen = new Set<Expr>();
  let budget = 5000;
  while (stack.length > 0 && budget-- > 0 && !hit) {
    const { e: x, hops } = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (pred(x)) hit = true;
    for (const child of childrenOf(x)) stack.push({ e: child, hops });
    if (x.k === 'name' && hops > 0 && ctx.py) for (const v of valuesOf(ctx.py, x)) stack.push({ e: v, hops: hops - 1 });
  }
  return hit;
}

export function childrenOf(x: Expr): Expr[] {
  switch (x.k) {
    case 'call':
      return [...x.call.args, ...x.call.kwargs.values(), ...(x.call.receiver ? [x.call.receiver] : [])];
    case 'seq':
      return x.items;
    case 'dict':
      return x.entries.flatMap((e) => (e.key ? [e.key, e.value] : [e.value]));
    case 'bin':
      return [x.left, x.right];
    case 'sub':
      return [x.value, x.index];
    case 'fstr':
    case 'other':
      return x.parts;
    default:
      return [];
  }
}

