/**
 * What malware does to the host once it runs: stays (autostart, cron, registry Run keys, systemd
 * user units, shell rc files, sitecustomize), mines (stratum pools, xmrig), opens a shell for a
 * remote operator, injects into other processes, and watches the user (clipboard, keys, screen).
 */
import type { Evidence, Rule } from '../types.js';
import { PROCESS_CALLS, atCall, callsTo, commandText, dedupe, stringHits } from './util.js';

const AUTOSTART = new RegExp(
  [
    String.raw`Start Menu[/\\]+Programs[/\\]+Startup|shell:startup|\\Startup\\`,
    String.raw`CurrentVersion[/\\]+(?:Run|RunOnce|RunServices|Policies[/\\]+Explorer[/\\]+Run)\b`,
    String.raw`Winlogon[/\\]+(?:Shell|Userinit)\b`,
    String.raw`Library[/\\]+LaunchAgents|Library[/\\]+LaunchDaemons`,
    String.raw`\.config[/\\]+systemd[/\\]+user|systemctl\s+--user\s+enable|\/etc\/systemd\/system\/[\w.-]+\.service`,
    String.raw`\.config[/\\]+autostart\b`,
    String.raw`\bcrontab\s+(?:-l|-)|\/etc\/cron(?:tab|\.d|\.hourly|\.daily)|\/var\/spool\/cron`,
    String.raw`\bschtasks(?:\.exe)?\s+\/create\b|\bRegister-ScheduledTask\b`,
  ].join('|'),
  'i',
);

const persistence: Rule = {
  id: 'persistence',
  description: 'installs itself to start again: autostart folders, registry Run keys, LaunchAgents, systemd user units, cron, scheduled tasks',
  severity: 'high',
  tags: ['persistence'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags the Windows Startup folder and Run/RunOnce/Winlogon registry keys (and registry writes in a file that names them), macOS LaunchAgents, systemd user units ' +
    'and `systemctl --user enable`, XDG autostart, crontab edits and /etc/cron paths, and schtasks /create. A library ' +
    'has no reason to arrange for code to run at the next login.',
  checkFile(ctx) {
    const out = stringHits(ctx, AUTOSTART, 5);
    // A registry write is persistence when the file names an autostart key (matched above); PEP 514
    // registration (findpython) and key-value stores write the registry honestly.
    if (out.length > 0) {
      for (const c of ctx.py?.calls ?? []) {
        if (/^(_?winreg|winreg)\.(SetValueEx|SetValue|CreateKey|CreateKeyEx)$/.test(c.callee)) out.push(atCall(ctx, c, c.callee));
      }
    }
    return dedupe(out, 5);
  },
};

const STARTUP_FILE = /(?:^|[/\\~'"])\.(?:bashrc|bash_profile|zshrc|zprofile|profile|bash_login|config[/\\]+fish[/\\]+config\.fish)\b|(?:^|[/\\])(?:sitecustomize|usercustomize)\.py\b/;

const shellRc: Rule = {
  id: 'persistence-startup-file',
  description: 'refers to shell or Python startup files (~/.bashrc, ~/.zshrc, ~/.profile, sitecustomize.py, usercustomize.py)',
  severity: 'low',
  tags: ['persistence'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags shell rc files and the Python startup hooks sitecustomize.py/usercustomize.py, which run before any program. ' +
    'Completion installers (argcomplete, click) and environment builders (pip, virtualenv) write them honestly, so this ' +
    'is low; beside obfuscation or a download in the same file it is persistence.',
  checkFile(ctx) {
    return stringHits(ctx, STARTUP_FILE, 3);
  },
};

const MINER = /\bstratum\d?\+(?:tcp|ssl|tls):\/\/|\bxmrig\b|\bxmr-stak\b|\bcpuminer\b|\bminerd\b|\b(?:pool\.)?(?:minexmr|supportxmr|moneroocean|nanopool|2miners|hashvault|f2pool|c3pool|herominers|unmineable|nicehash)\.(?:com|org|pro|stream|net)\b|--donate-level\b|\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/i;

const cryptominer: Rule = {
  id: 'cryptominer',
  description: 'cryptocurrency mining: stratum pool URLs, known pools, xmrig and similar miners, Monero wallet addresses',
  severity: 'critical',
  tags: ['mining'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags stratum+tcp/ssl URLs, the hosts of well-known mining pools, xmrig/xmr-stak/cpuminer, xmrig options and Monero ' +
    "addresses, also in decoded strings and shell scripts. Mining on a user's machine is the payload of many " +
    'compromised releases (Ultralytics 8.3.41 among them).',
  checkFile(ctx) {
    return stringHits(ctx, MINER, 5);
  },
};

const SHELL_PATH = /^(?:\/bin\/(?:ba|z|da)?sh|\/bin\/bash|\/usr\/bin\/(?:ba|z)?sh|sh|bash|cmd(?:\.exe)?|powershell(?:\.exe)?)$/i;
const SHELL_COMMAND = /\/dev\/tcp\/|\bnc(?:at)?\b[^\n]{0,200}\s-e\s|\bbash\s+-i\s+>&|\bsocat\b[^\n]{0,200}\bexec:|\bmkfifo\b[^\n]{0,200}\bnc\b/i;

const reverseShell: Rule = {
  id: 'reverse-shell',
  description: 'opens a shell for a remote operator (socket + dup2 + shell, pty.spawn over a socket, /dev/tcp, nc -e)',
  severity: 'critical',
  tags: ['remote-access', 'network', 'process'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags files that connect a socket and hand it to a shell: os.dup2 of a socket onto stdin/stdout plus a shell or ' +
    'pty.spawn, or a subprocess with the socket as its stdio; and command strings with /dev/tcp, nc -e, bash -i >& or ' +
    'socat exec. Terminal libraries use pty without sockets and are not flagged.',
  checkFile(ctx) {
    const out: Evidence[] = stringHits(ctx, SHELL_COMMAND, 3);
    if (!ctx.py) return out;
    const sockets = ctx.py.calls.filter((c) => c.callee === 'socket.socket' || c.callee === 'socket.create_connection' || c.callee === '.connect');
    if (sockets.length === 0) return out;
    const dup2 = ctx.py.calls.filter((c) => c.callee === 'os.dup2');
    const shells = ctx.py.calls.filter((c) => {
      if (c.callee === 'pty.spawn') return true;
      if (!PROCESS_CALLS.has(c.callee)) return false;
      const cmd = commandText(c);
      if (cmd !== undefined && SHELL_PATH.test(cmd.split(' ')[0] ?? '')) return true;
      const stdin = c.kwargs.get('stdin');
      return stdin?.k === 'call' && stdin.call.callee === '.fileno';
    });
    if ((dup2.length > 0 || shells.some((s) => s.kwargs.has('stdin'))) && shells.length > 0) {
      out.push(atCall(ctx, shells[0]!, 'a shell wired to a socket'));
      if (dup2[0]) out.push(atCall(ctx, dup2[0], 'socket duplicated onto standard streams'));
    }
    return dedupe(out, 5);
  },
};

/** The three steps of an injection: room in the target, the code written into it, a thread to run it. */
const ALLOC = /^(?:.*\.)?(VirtualAllocEx|NtUnmapViewOfSection|ZwUnmapViewOfSection|NtAllocateVirtualMemory)$/;
const WRITE = /^(?:.*\.)?(WriteProcessMemory|NtWriteVirtualMemory)$/;
const RUN = /^(?:.*\.)?(CreateRemoteThread|CreateRemoteThreadEx|NtCreateThreadEx|QueueUserAPC|SetThreadContext|RtlCreateUserThread)$/;
const DUMP = /^(?:.*\.)?MiniDumpWriteDump$/;

const processInjection: Rule = {
  id: 'process-injection',
  description: 'injects code into other processes (allocate, write and start a thread in one file) or dumps process memory (MiniDumpWriteDump, lsass)',
  severity: 'medium',
  tags: ['evasion', 'credentials'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags files that call all three steps of an injection through ctypes (VirtualAllocEx or an unmapping, ' +
    'WriteProcessMemory, then CreateRemoteThread/QueueUserAPC/SetThreadContext), MiniDumpWriteDump, and references ' +
    'to lsass. Debuggers read and write other processes too (debugpy vendors winappdbg), which is why it is medium: ' +
    'it weighs most beside a download, obfuscation or a hidden process in the same file.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    const calls = ctx.py?.calls ?? [];
    const alloc = calls.filter((c) => ALLOC.test(c.callee));
    const write = calls.filter((c) => WRITE.test(c.callee));
    const run = calls.filter((c) => RUN.test(c.callee));
    if (alloc.length > 0 && write.length > 0 && run.length > 0) {
      for (const c of [alloc[0]!, write[0]!, run[0]!]) out.push(atCall(ctx, c, c.callee.split('.').pop()));
    }
    for (const c of calls) if (DUMP.test(c.callee)) out.push(atCall(ctx, c, 'MiniDumpWriteDump'));
    out.push(...stringHits(ctx, /\blsass(?:\.exe)?\b/i, 2));
    return dedupe(out, 5);
  },
};

const DLL_LOLBAS = /\brundll32(?:\.exe)?\s|\bregsvr32(?:\.exe)?\s/i;

const dllHijacking: Rule = {
  id: 'dll-hijacking',
  description: 'plants or side-loads a DLL: writes a .dll next to a program, or runs rundll32/regsvr32',
  severity: 'medium',
  tags: ['evasion', 'process'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags writing a file named *.dll (open(..., "wb") or a copy to a .dll path) and rundll32/regsvr32 command lines. ' +
    'Windows loads a DLL from the program directory before the system one, so a planted DLL runs inside a trusted program.',
  checkFile(ctx) {
    const out: Evidence[] = stringHits(ctx, DLL_LOLBAS, 3);
    for (const c of ctx.py?.calls ?? []) {
      const target = c.callee === 'open' ? c.args[0] : /^shutil\.(copy|copyfile|copy2|move)$/.test(c.callee) ? c.args[1] : undefined;
      const mode = c.callee === 'open' ? c.args[1] : undefined;
      if (!target) continue;
      // `dir + '\\version.dll'`: the file name is the constant tail of the expression.
      const tail = target.k === 'bin' && target.op === '+' ? target.right : target;
      const path = tail.k === 'str' || tail.k === 'fstr' ? tail.value : tail.k === 'call' ? tail.call.folded : undefined;
      if (path === undefined || !/\.dll['"]?$/i.test(path)) continue;
      if (c.callee === 'open' && !(mode?.k === 'str' && /[wa]/.test(mode.value))) continue;
      out.push(atCall(ctx, c, `writes ${path.slice(-60)}`));
    }
    return dedupe(out, 5);
  },
};

const CLIPBOARD_CALLS = /^(pyperclip\.(paste|copy)|win32clipboard\.(GetClipboardData|SetClipboardData|OpenClipboard)|clipboard\.(paste|copy)|\.clipboard_get|\.clipboard_append|pyautogui\.hotkey|xerox\.(paste|copy)|klembord\.\w+|ctypes\.windll\.user32\.GetClipboardData)$/;
const CLIPBOARD_COMMANDS = /^(pbpaste|pbcopy|xclip|xsel|wl-paste|wl-copy)\b|Get-Clipboard|Set-Clipboard/i;

const clipboard: Rule = {
  id: 'clipboard-access',
  description: 'reads or replaces the clipboard (pyperclip, win32clipboard, tkinter, pbpaste/xclip)',
  severity: 'low',
  tags: ['surveillance'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags clipboard reads and writes. Copy-to-clipboard features are honest; clipboard hijackers read it in a loop ' +
    'to swap crypto addresses or leak what was copied, so it weighs more beside network access or a wallet pattern.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of ctx.py?.calls ?? []) {
      if (CLIPBOARD_CALLS.test(c.callee)) out.push(atCall(ctx, c, c.callee));
      else if (PROCESS_CALLS.has(c.callee) && CLIPBOARD_COMMANDS.test(commandText(c) ?? '')) out.push(atCall(ctx, c, commandText(c)));
    }
    return dedupe(out, 3);
  },
};

const KEYLOG = /^(pynput\.keyboard\.Listener|keyboard\.(on_press|on_release|hook|read_key|record|add_hotkey)|pyHook\.HookManager|ctypes\.windll\.user32\.(GetAsyncKeyState|SetWindowsHookExA|SetWindowsHookExW|GetKeyState))$/;
const SCREEN = /^(PIL\.ImageGrab\.grab|ImageGrab\.grab|pyautogui\.screenshot|mss\.mss|pyscreenshot\.grab|\.grab_screen|d3dshot\.create)$/;

const surveillance: Rule = {
  id: 'keylogging-screencapture',
  description: 'records keystrokes or captures the screen',
  severity: 'medium',
  tags: ['surveillance'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags keyboard hooks (pynput Listener, keyboard.hook/on_press, GetAsyncKeyState, SetWindowsHookEx) and screen ' +
    'grabs (ImageGrab.grab, pyautogui.screenshot, mss). Automation tools use them honestly; a library that does it ' +
    'at import time, or beside network access, is spying.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of ctx.py?.calls ?? []) {
      if (KEYLOG.test(c.callee)) out.push(atCall(ctx, c, `keyboard: ${c.callee}`));
      else if (SCREEN.test(c.callee)) out.push(atCall(ctx, c, `screen: ${c.callee}`));
    }
    return dedupe(out, 3);
  },
};

const WIPE_COMMAND = /\brm\s+-(?:rf|fr|r\s+-f)\s+(?:--no-preserve-root\s+)?(?:\/|~|\$HOME|\/home|\/\*)(?:\s|$|['"])|\bdel\s+\/[sfq](?:\s+\/[sfq])*\s+[A-Za-z]:\\|\bformat\s+[A-Za-z]:|\bmkfs(?:\.\w+)?\s+\/dev\/|\bdd\s+if=\/dev\/(?:zero|urandom)\s+of=\/dev\/[sh]d|\bvssadmin(?:\.exe)?\s+delete\s+shadows\b|\bcipher(?:\.exe)?\s+\/w:/i;

/** `shutil.rmtree` of a home or root directory, however it is spelled. */
function wipesHome(ctx: Parameters<NonNullable<Rule['checkFile']>>[0]): Evidence[] {
  const out: Evidence[] = [];
  for (const c of ctx.py?.calls ?? []) {
    if (c.callee !== 'shutil.rmtree' || !c.args[0]) continue;
    const a = c.args[0];
    const home =
      (a.k === 'call' && (a.call.callee === 'os.path.expanduser' || a.call.callee === 'pathlib.Path.home') && (a.call.args[0] === undefined || (a.call.args[0].k === 'str' && /^~[/\\]?$/.test(a.call.args[0].value)))) ||
      (a.k === 'str' && /^(\/|~|[A-Za-z]:\\?|\/home\/?|\/etc\/?|\/usr\/?)$/.test(a.value)) ||
      (a.k === 'name' && /^os\.(sep|path\.sep)$/.test(a.name));
    if (home) out.push(atCall(ctx, c, 'deletes a home or root directory'));
  }
  return out;
}

const destructive: Rule = {
  id: 'destructive-operation',
  description: 'destroys data: deletes home or root directories, wipes disks, removes shadow copies',
  severity: 'high',
  tags: ['tampering'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags shutil.rmtree of the home or a root directory and command lines such as rm -rf / or ~, del /s C:\\, ' +
    'format C:, mkfs on a device, dd over a disk, vssadmin delete shadows and cipher /w. Protestware and wipers ' +
    'do this; a library deletes only what it created.',
  checkFile(ctx) {
    return dedupe([...stringHits(ctx, WIPE_COMMAND, 3), ...wipesHome(ctx)], 5);
  },
};

export const hostRules: Rule[] = [destructive, persistence, shellRc, cryptominer, reverseShell, processInjection, dllHijacking, clipboard, surveillance];
