/**
 * Processes: spawning at all (a capability), spawning so nobody sees (evasion), and the shell
 * one-liners of droppers and reverse shells (curl | sh, powershell -enc, /dev/tcp).
 */
import { constValue } from '../python.js';
import type { Evidence, FileContext, Rule } from '../types.js';
import { PROCESS_CALLS, argsOf, at, atCall, callsTo, commandText, dedupe, exprContains, phaseOf } from './util.js';

const processSpawn: Rule = {
  id: 'process-spawn',
  description: 'starts other processes (subprocess, os.system, os.exec*, pty.spawn, ...)',
  severity: 'low',
  tags: ['process'],
  kind: 'capability',
  scope: 'file',
  explain: 'A capability: many honest libraries run programs. It counts beside downloads, obfuscation or evasion in the same file.',
  checkFile(ctx) {
    return dedupe(callsTo(ctx, PROCESS_CALLS).map((c) => atCall(ctx, c, c.callee)), 5);
  },
};

const HIDDEN_WINDOW = /CREATE_NO_WINDOW|DETACHED_PROCESS|0x0*8000000\b|0x0*8\b|SW_HIDE|STARTF_USESHOWWINDOW/;

function silentEvidence(ctx: FileContext): Evidence[] {
  const out: Evidence[] = [];
  for (const c of callsTo(ctx, PROCESS_CALLS)) {
    const flags = c.kwargs.get('creationflags') ?? c.kwargs.get('startupinfo');
    const flagText = flags ? exprText(flags) : '';
    const quiet = (k: string): boolean => {
      const v = c.kwargs.get(k);
      return v !== undefined && (v.k === 'name' && /DEVNULL$/.test(v.name));
    };
    const cmd = commandText(c) ?? '';
    if (HIDDEN_WINDOW.test(flagText)) out.push(atCall(ctx, c, `${c.callee} with a hidden window (${flagText})`));
    else if (/(^|[\s"'])start\s+(\/b|\/min|""\s+\/b)\b/i.test(cmd) || /\bpythonw(\.exe)?\b/i.test(cmd) || /-w(indowstyle)?\s+hidden/i.test(cmd)) {
      out.push(atCall(ctx, c, `${c.callee} runs ${JSON.stringify(cmd.slice(0, 60))} without a window`));
    } else if (/\bnohup\b[^\n]{0,200}&\s*$|>\s*\/dev\/null\s+2>&1\s*&\s*$|\bsetsid\b/.test(cmd)) {
      out.push(atCall(ctx, c, `${c.callee} detaches ${JSON.stringify(cmd.slice(0, 60))} into the background`));
    } else if (quiet('stdout') && quiet('stderr') && (c.kwargs.has('start_new_session') || c.kwargs.has('preexec_fn'))) {
      // Discarding a compiler probe's output is tidy; discarding everything of a process that is
      // also detached from the session is a payload meant to outlive the install unseen.
      out.push(atCall(ctx, c, `${c.callee} with every output discarded in a detached session`));
    }
  }
  return out;
}

function exprText(e: Parameters<typeof constValue>[0]): string {
  if (e.k === 'name') return e.name;
  if (e.k === 'num') return `0x${e.value.toString(16)}`;
  if (e.k === 'bin') return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
  return constValue(e) ?? '';
}

const silentProcess: Rule = {
  id: 'silent-process',
  description: 'starts a process hidden from the user: no window, detached, all output discarded',
  severity: 'medium',
  tags: ['process', 'evasion'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags process calls with creationflags CREATE_NO_WINDOW/DETACHED_PROCESS, `start /b`, pythonw, ' +
    '`-WindowStyle Hidden`, nohup/setsid backgrounding, or all of stdin/stdout/stderr sent to DEVNULL in a new ' +
    'session. Running a helper quietly is sometimes honest; combined with downloads it is how droppers start payloads.',
  checkFile(ctx) {
    return dedupe(silentEvidence(ctx), 5);
  },
};

/**
 * Command lines that fetch and run, or LOLBAS tools abused for it. Gaps are bounded ({0,200}) so
 * a crafted megabyte string of repeated keywords cannot make matching quadratic.
 */
const DOWNLOAD_COMMAND =
  /\b(curl|wget)\b[^|;&\n]{0,200}\|\s*(ba|z|da)?sh\b|\b(iwr|irm|Invoke-WebRequest|Invoke-RestMethod|Start-BitsTransfer)\s[^\n]{0,200}https?:\/\/|\.Download(String|File|Data)\s*\(|\bcertutil(\.exe)?\s+-urlcache\b|\bbitsadmin(\.exe)?\s+\/transfer\b|\bmshta(\.exe)?\s+https?:|\bregsvr32\b[^\n]{0,200}\/i:https?:|\bpowershell(\.exe)?\b[^\n]{0,200}\s-(e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}/i;

const shellDownload: Rule = {
  id: 'shell-download-command',
  description: 'a shell command that downloads and runs code (curl | sh, PowerShell download cradles, certutil, bitsadmin, mshta, encoded PowerShell)',
  severity: 'high',
  tags: ['download', 'process'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags `curl ... | sh`, Invoke-WebRequest/DownloadString, certutil -urlcache, bitsadmin /transfer, mshta or ' +
    'regsvr32 with a URL, and powershell -EncodedCommand: in install-time code and scripts wherever they appear, in ' +
    'decoded strings always, and in modules when the file runs the command (the string reaches a process call). ' +
    "A CLI that offers to install a tool (huggingface_hub's `curl -LsSf https://hf.co/cli/install.sh | bash`) builds " +
    'such a command in one function and runs it in another; help texts quote them; docs are not scanned.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    const module = ctx.role === 'module' || ctx.role === 'init';
    const procs = module ? callsTo(ctx, PROCESS_CALLS) : [];
    for (const s of ctx.strings) {
      if (s.via === 'docstring' || s.value.length > 1_000_000) continue;
      const m = DOWNLOAD_COMMAND.exec(s.value);
      // (No prose test here: a command line is all words and flags; help texts that quote a
      // command are told apart by never reaching a process call.)
      if (!m) continue;
      const shown = JSON.stringify(m[0].slice(0, 80));
      if (!module || s.via !== 'literal') {
        out.push(at(ctx, s.line, s.via === 'literal' ? `matches ${shown}` : `decoded (${s.via}): ${shown}`, module ? phaseOf(ctx) : undefined));
        continue;
      }
      const runner = procs.find((c) => c.line === s.line || argsOf(c).some((a) => exprContains(ctx, a, (x) => (x.k === 'str' || x.k === 'fstr') && x.line === s.line, 3)));
      if (runner) out.push({ ...at(ctx, s.line, `${runner.callee} runs ${shown}`), phase: atCall(ctx, runner).phase! });
    }
    return dedupe(out, 5);
  },
};

export const processRules: Rule[] = [processSpawn, silentProcess, shellDownload];
