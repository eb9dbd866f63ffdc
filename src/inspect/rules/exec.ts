/**
 * Running code that is not in the file as code: exec/eval of decoded data, callables reached
 * through getattr or __dict__ lookups, imports of computed module names. Matched on the resolved
 * call structure, so aliases (`import base64 as b`, `e = exec`) and `__import__` do not hide them.
 */
import { constValue, someExpr, valuesOf, type Expr, type PyCall } from '../python.js';
import type { Evidence, FileContext, Rule } from '../types.js';
import { DECODE_CALLS, EXEC_CALLS, FETCH_CALLS, NETWORK_CALLS, PROCESS_CALLS, atCall, childrenOf, dedupe } from './util.js';

/**
 * Calls that pass their input through to what exec receives: decoders themselves, and the string
 * and bytes plumbing around them. The walk from exec's argument follows only these (and names,
 * operators, subscripts), so `eval(repr(x))` with some reversed list elsewhere is not a chain.
 */
const PASS_THROUGH = new Set([
  '.decode', '.encode', 'str', 'bytes', 'bytearray', '.join', 'compile', '.replace', '.strip', '.translate',
  '.read', '.format', 'types.CodeType', 'marshal.loads', '.lower', '.upper', 'bytes.decode', '.tobytes', 'memoryview',
]);

/**
 * A decoding step feeding an expression: a decoder call, a reversed literal, a chr()/XOR assembly,
 * whose input is a payload the package carries or fetches (see payloadSource). `minLiteral` is how
 * long a string constant has to be to count as that payload: code is long, a module or function
 * name (import-obfuscated, api-obfuscation) can be two characters.
 */
export function isDecodeStep(ctx: FileContext, e: Expr, minLiteral = 16): string | undefined {
  if (!ctx.py) return undefined;
  const stack: { e: Expr; hops: number }[] = [{ e, hops: 3 }];
  const seen = new Set<Expr>();
  let budget = 3000;
  while (stack.length > 0 && budget-- > 0) {
    const { e: x, hops } = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    const step = decodeStep(x, ctx);
    if (step && x.k === 'call' && !payloadSource(ctx, x.call, minLiteral)) continue;
    if (step) return step;
    if (x.k === 'call') {
      if (!PASS_THROUGH.has(x.call.callee) && !DECODE_CALLS.has(x.call.callee)) continue;
    }
    if (x.k === 'name') {
      if (hops > 0) for (const v of valuesOf(ctx.py, x)) stack.push({ e: v, hops: hops - 1 });
      continue;
    }
    if (x.k === 'other' && x.type === 'lambda') continue;
    for (const c of childrenOf(x)) stack.push({ e: c, hops });
  }
  return undefined;
}

function decodeStep(x: Expr, ctx: FileContext): string | undefined {
  if (x.k === 'call') {
    const c = x.call.callee;
    if (DECODE_CALLS.has(c)) return c;
    if (c === '.decode' && x.call.args[0]) {
      const codec = constValue(x.call.args[0])?.toLowerCase().replace(/[-_]/g, '');
      if (codec && ['rot13', 'hex', 'base64', 'zlib', 'bz2', 'uu'].includes(codec)) return `decode('${codec}')`;
    }
    if (c === '.join' && x.call.args[0] && hasChrOrXor(x.call.args[0])) return 'chr()/XOR assembly';
    // `Fernet(key).decrypt(token)`, `AES.new(key, mode).decrypt(blob)`: an encrypted payload is an
    // encoded one with a key (the March 2024 typosquats and the fake colorama ran theirs this way).
    if ((c === '.decrypt' || c === '.decrypt_and_verify') && x.call.receiver && isCipher(x.call.receiver, ctx)) return 'decryption';
    if (x.call.folded !== undefined && x.call.folded.length >= 8 && c === 'chr') return 'chr() assembly';
  }
  // Reversing a literal hides it; reversing data (a list, an array) is ordinary.
  if (x.k === 'sub' && x.reverse && constValue(x.value) !== undefined) return 'reversed string';
  // A name holding a string constant, reversed (`s = '...'; exec(s[::-1])`); a reversed list or
  // line buffer (sympy's lambdify reverses its lines) is data, not a hidden string.
  if (x.k === 'sub' && x.reverse && x.value.k === 'name') {
    const held = ctx.py ? valuesOf(ctx.py, x.value) : [];
    if (held.length > 0 && held.every((v) => constValue(v) !== undefined)) return 'reversed string';
  }
  return undefined;
}

const CIPHERS = /(^|\.)(Fernet|MultiFernet|AESGCM|ChaCha20Poly1305|Cipher)$|^(Crypto|Cryptodome)\.Cipher\.\w+\.new$/;

/** A cipher object (`Fernet(key)`, or a name assigned one), the receiver of a decrypt call. */
function isCipher(e: Expr, ctx: FileContext): boolean {
  if (e.k === 'call') return CIPHERS.test(e.call.callee);
  if (e.k === 'name') return (ctx.py ? valuesOf(ctx.py, e) : []).some((v) => v.k === 'call' && CIPHERS.test(v.call.callee));
  return false;
}

const BYTECODE_LOADS = /^(marshal\.loads|pickle\.loads|cPickle\.loads|dill\.loads)$/;
const FILE_READS = /^(open|io\.open|codecs\.open|\.read|\.read_bytes|\.read_text|\.readlines|pkgutil\.get_data|importlib\.resources\.(read_binary|read_text))$/;

/**
 * Where decoded data comes from decides what decoding it means. A constant in the package, a
 * network response or a file the package reads is a payload being unpacked; the arguments a
 * function was given are its caller's data (keras and TensorFlow rebuild saved Lambda layers with
 * FunctionType(marshal.loads(...)) from a model file the user loads). Bytecode loaded from a file
 * is how import caches work (future's import hook), so for marshal/pickle a file read is not a
 * payload source.
 */
function payloadSource(ctx: FileContext, step: PyCall, minLiteral: number): boolean {
  if (!ctx.py) return false;
  // A decoder of constants was folded by the analysis: its input is in the package.
  if (step.folded !== undefined) return true;
  const bytecode = BYTECODE_LOADS.test(step.callee);
  const inputs = [...step.args, ...step.kwargs.values(), ...(step.receiver ? [step.receiver] : [])];
  return inputs.some((a) =>
    someExpr(
      a,
      ctx.py!,
      (y) =>
        // (`'raw_unicode_escape'`, `'ascii'`: codec and mode names are arguments, not payloads)
        (y.k === 'str' && y.value.length >= minLiteral && !(minLiteral > 2 && /^[A-Za-z0-9_-]{1,24}$/.test(y.value))) ||
        (y.k === 'seq' && y.items.length >= 8 && y.items.every((i) => i.k === 'num')) ||
        (y.k === 'call' && (FETCH_CALLS.has(y.call.callee) || (!bytecode && FILE_READS.test(y.call.callee)))),
      3,
    ),
  );
}

/** `chr(...)` calls or `^` operators inside (a comprehension joined into a string is how XOR decoders look). */
function hasChrOrXor(e: Expr): boolean {
  const stack = [e];
  let budget = 2000;
  while (stack.length > 0 && budget-- > 0) {
    const x = stack.pop()!;
    if (x.k === 'call' && x.call.callee === 'chr') return true;
    if (x.k === 'bin' && x.op === '^') return true;
    if (x.k === 'name' && x.name === 'chr') return true;
    stack.push(...childrenOf(x));
  }
  return false;
}

const execDecoded: Rule = {
  id: 'exec-decoded',
  description: 'executes decoded data: exec/eval/compile of base64, zlib, marshal, hex, rot13, reversed, chr() or XOR-assembled content',
  severity: 'critical',
  tags: ['exec', 'obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Follows the argument of exec, eval, compile, types.FunctionType and runpy (through aliases and up to three ' +
    'assignments) and flags it when it passes through a decoder: base64/b32/b16/a85, binascii, bytes.fromhex, ' +
    "codecs.decode, zlib/gzip/bz2/lzma, marshal/pickle loads, str.decode('rot13'|'hex'), reversed slices, or chr()/XOR " +
    'assembly. Packers and stealers hide their payload this way; honest code has no reason to.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of ctx.py?.calls ?? []) {
      if (!EXEC_CALLS.has(c.callee)) continue;
      for (const a of [...c.args, ...c.kwargs.values()]) {
        const step = isDecodeStep(ctx, a);
        if (step) {
          out.push(atCall(ctx, c, `${c.callee} of ${step} output`));
          break;
        }
      }
    }
    return dedupe(out);
  },
};

const execDynamic: Rule = {
  id: 'exec-dynamic',
  description: 'exec/eval/compile of a string that is not a literal',
  severity: 'low',
  tags: ['exec'],
  kind: 'capability',
  scope: 'file',
  explain:
    'A capability, not a verdict: code generation with exec is common in honest libraries (namedtuple-style ' +
    'templates). It counts when the same file also obfuscates, downloads or runs at install time.',
  checkFile(ctx) {
    return dedupe(
      (ctx.py?.calls ?? [])
        .filter((c) => (c.callee === 'exec' || c.callee === 'eval' || c.callee === 'execfile') && c.args[0] && constValue(c.args[0]) === undefined)
        .map((c) => atCall(ctx, c)),
      5,
    );
  },
};

/** What getattr/__dict__ lookups must not be used to reach. */
const HIDDEN_TARGETS = new Set([...EXEC_CALLS, ...PROCESS_CALLS, '__import__', 'importlib.import_module', 'open']);
const REFLECTED_MODULES = /^(builtins|__builtins__|__builtin__|os|subprocess|socket|importlib|globals|sys|ctypes|base64|marshal|zlib)$/;

const apiObfuscation: Rule = {
  id: 'api-obfuscation',
  description: 'reaches exec, eval, system or import through getattr, __dict__, globals() or vars() instead of calling them by name',
  severity: 'high',
  tags: ['obfuscation', 'exec'],
  kind: 'threat',
  scope: 'file',
  explain:
    "Flags `getattr(__builtins__, 'exec')`, `__builtins__.__dict__['eval']`, `globals()['__import__']`, " +
    "`vars(os)['system']` and getattr on builtins/os/subprocess/socket with a name decoded at run time. Honest code calls these " +
    'functions directly; looking them up by string is how scanners that match names are evaded.',
  checkFile(ctx) {
    if (!ctx.py) return [];
    const out: Evidence[] = [];
    for (const r of ctx.py.reflective) {
      // `getattr(builtins, 'exec')` names what it gets: the py2/py3 compatibility idiom of six,
      // future, SQLAlchemy and others. The call is resolved to exec all the same, so what it runs
      // is judged by the exec rules; only a subscript lookup or a computed name hides the callee.
      if (r.viaGetattr && r.nameExpr?.k === 'str') continue;
      const target = r.target === 'globals' ? r.name : r.name !== undefined ? normalize(`${r.target}.${r.name}`) : undefined;
      if (target !== undefined && HIDDEN_TARGETS.has(target)) {
        out.push(withPhase(ctx, r.line, `${target} looked up by name`));
      } else if (r.name === undefined && REFLECTED_MODULES.test(r.target) && r.nameExpr && isDecodeStep(ctx, r.nameExpr, 2)) {
        // A loop over operator names is ordinary; a name that had to be decoded first is hiding.
        out.push(withPhase(ctx, r.line, `getattr on ${r.target} with a decoded attribute name`));
      }
    }
    return dedupe(out);
  },
};

function normalize(dotted: string): string {
  return dotted.replace(/^(builtins|__builtins__|__builtin__)\./, '');
}

function withPhase(ctx: FileContext, line: number, detail: string): Evidence {
  const call = ctx.py?.calls.find((c) => c.line === line);
  return call ? atCall(ctx, call, detail) : atCall(ctx, { callee: '', args: [], kwargs: new Map(), line, topLevel: true, mainGuard: false }, detail);
}

const DANGEROUS_MODULES = /^(os|subprocess|socket|base64|marshal|zlib|ctypes|urllib|urllib\.request|requests|pty|winreg|builtins)$/;

const importObfuscated: Rule = {
  id: 'import-obfuscated',
  description: "imports a module by a computed or encoded name, or a dangerous module through __import__/importlib and calls it inline",
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    "Flags `__import__(base64.b64decode(...))`, `importlib.import_module('o'+'s')`, and `__import__('os').system(...)`-style " +
    'inline imports of os, subprocess, socket, base64, marshal, ctypes or urllib. Plugin loaders import computed names ' +
    'too, but from configuration, not from decoded constants.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const c of ctx.py?.calls ?? []) {
      if (c.callee !== '__import__' && c.callee !== 'importlib.import_module') continue;
      const a = c.args[0];
      if (!a) continue;
      const name = constValue(a);
      if (a.k !== 'str' && name !== undefined) out.push(atCall(ctx, c, `imports ${JSON.stringify(name)} assembled at run time`));
      else if (a.k !== 'str' && isDecodeStep(ctx, a, 2)) out.push(atCall(ctx, c, 'imports a decoded module name'));
      else if (name !== undefined && DANGEROUS_MODULES.test(name) && usedInline(ctx, c)) {
        out.push(atCall(ctx, c, `inline import of ${name}`));
      }
    }
    return dedupe(out);
  },
};

const INLINE_DANGER = new Set([...EXEC_CALLS, ...PROCESS_CALLS, ...NETWORK_CALLS, ...DECODE_CALLS]);

/**
 * `__import__('os').system(...)`: the import result is called on the spot, for something that runs,
 * spawns, connects or decodes. A lazy import for anything else (faiss's
 * `__import__('ctypes').CDLL(None).getauxval(16)` CPU probe) is only terse.
 */
function usedInline(ctx: FileContext, imp: PyCall): boolean {
  const root = constValue(imp.args[0]!)?.split('.')[0];
  return (ctx.py?.calls ?? []).some((c) => c.line === imp.line && c !== imp && INLINE_DANGER.has(c.callee) && c.callee.split('.')[0] === root);
}

export const execRules: Rule[] = [execDecoded, execDynamic, apiObfuscation, importObfuscated];
