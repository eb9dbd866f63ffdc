/**
 * Download-and-execute: code fetched at run time and executed in memory, or written to disk and
 * started. The Ultralytics 8.3.41 compromise fetched a miner this way.
 */
import type { Evidence, FileContext, Rule } from '../types.js';
import { EXEC_CALLS, FETCH_CALLS, NETWORK_CALLS, PROCESS_CALLS, atCall, callsTo, dedupe, exprContains, stringHits } from './util.js';

const EXECUTABLE_URL_AT = /\bhttps?:\/\/[^\s'"]+\.(?:exe|msi|scr|bat|cmd|ps1|vbs|hta|jar|sh|bin|elf|dll|so|dylib|apk|dmg|pkg)(?:\?[^\s'"]*)?(?:$|['"\s])/iy;
const URL_START = /\bhttps?:\/\//gi;

/**
 * The first match of EXECUTABLE_URL_AT without its sticky flag, tried once per word: every URL start
 * in a word shares the word's end, so when the first fails, the later ones do too. The plain regex
 * retried at each of them and read to the word's end each time, quadratic on `http://` repeated.
 */
export const EXECUTABLE_URL = {
  exec(text: string): RegExpExecArray | null {
    URL_START.lastIndex = 0;
    for (let start = URL_START.exec(text); start !== null; start = URL_START.exec(text)) {
      EXECUTABLE_URL_AT.lastIndex = start.index;
      const m = EXECUTABLE_URL_AT.exec(text);
      if (m !== null) return m;
      const end = text.slice(start.index).search(/[\s'"]/);
      if (end < 0) return null;
      URL_START.lastIndex = start.index + end;
    }
    return null;
  },
};

const execRemote: Rule = {
  id: 'exec-remote',
  description: 'executes code downloaded at run time (exec/eval of a network response)',
  severity: 'critical',
  tags: ['exec', 'download', 'network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Follows the argument of exec/eval/compile (through up to four assignments) to an HTTP fetch (requests, urllib, ' +
    'httpx). Whatever the server sends then runs, and it can change after the package was reviewed.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of callsTo(ctx, EXEC_CALLS)) {
      // `requests.get(u).text` and `urlopen(u).read()` keep the fetch call inside the expression.
      if (c.args.some((a) => exprContains(ctx, a, (x) => x.k === 'call' && FETCH_CALLS.has(x.call.callee), 4))) {
        out.push(atCall(ctx, c, `${c.callee} of downloaded content`));
      }
    }
    return dedupe(out, 3);
  },
};

const STARTS_FILE = new Set([...PROCESS_CALLS, 'os.chmod', 'os.startfile', 'ctypes.CDLL', 'ctypes.WinDLL', 'ctypes.cdll.LoadLibrary', 'ctypes.windll.LoadLibrary']);

const downloadExecutable: Rule = {
  id: 'download-executable',
  description: 'downloads a file and starts it or makes it executable',
  severity: 'high',
  tags: ['download', 'process', 'network'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags files that fetch from the network and then run, chmod or load what they fetched: a process or chmod whose ' +
    'argument is the downloaded path, or a download of a URL ending in .exe/.sh/.ps1/.dll/... together with a ' +
    'process start. Installers of native tools do this in their own CLI; doing it at install or import time is a dropper.',
  checkFile(ctx) {
    if (!ctx.py) return [];
    const downloads = ctx.py.calls.filter((c) => FETCH_CALLS.has(c.callee) || NETWORK_CALLS.has(c.callee));
    if (downloads.length === 0) return [];
    const starts = callsTo(ctx, STARTS_FILE);
    if (starts.length === 0) return [];
    const out: Evidence[] = [];
    // The path a download was saved under (urlretrieve(url, path), or open(path, 'wb') in a function
    // that fetches) reaching a start in the same function: the same variable name in two unrelated
    // functions is not a flow.
    const fetchingScopes = new Set(downloads.map((c) => c.func ?? ''));
    const saved = new Set<string>();
    for (const c of ctx.py.calls) {
      const scope = c.func ?? '';
      if ((c.callee === 'urllib.request.urlretrieve' || c.callee === 'urllib.urlretrieve' || c.callee === 'wget.download') && c.args[1]?.k === 'name') saved.add(`${scope}\0${c.args[1].name}`);
      if (c.callee === 'open' && fetchingScopes.has(scope) && c.args[0]?.k === 'name' && c.args[1]?.k === 'str' && /[wa]/.test(c.args[1].value) && c.args[1].value.includes('b')) saved.add(`${scope}\0${c.args[0].name}`);
      // `Path(file).write_bytes(r.content)` in a function that fetches.
      const r = c.receiver;
      if (c.callee === '.write_bytes' && fetchingScopes.has(scope) && r?.k === 'call' && /(^|\.)Path$/.test(r.call.callee) && r.call.args[0]?.k === 'name') saved.add(`${scope}\0${r.call.args[0].name}`);
      // A helper of this file that fetches (`safe_download(url, target)`, as in Ultralytics 8.3.41):
      // the names handed to it are where the download lands.
      if (/^[A-Za-z_]\w*$/.test(c.callee) && fetchingScopes.has(c.callee) && c.callee !== scope) {
        for (const a of c.args.slice(1)) if (a.k === 'name') saved.add(`${scope}\0${a.name}`);
      }
    }
    for (const s of starts) {
      const scope = s.func ?? '';
      if (s.args.some((a) => exprContains(ctx, a, (x) => x.k === 'name' && saved.has(`${scope}\0${x.name}`), 1))) {
        out.push(atCall(ctx, s, `${s.callee} of a downloaded file`));
      }
    }
    const exeUrls = stringHits(ctx, EXECUTABLE_URL, 3);
    if (exeUrls.length > 0 && starts.some((s) => PROCESS_CALLS.has(s.callee) || s.callee === 'os.chmod')) {
      out.push(...exeUrls.map((e) => ({ ...e, detail: `executable download: ${e.detail ?? ''}` })));
    }
    return dedupe(out, 5);
  },
};

export const downloadRules: Rule[] = [execRemote, downloadExecutable];
