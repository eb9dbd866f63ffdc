/**
 * Code written to be unreadable: encoded blobs, chr() chains, code pushed past the right margin,
 * commercial packers (PyArmor), machine-generated identifiers, Trojan Source bidi characters, and
 * payloads hidden in images. Honest libraries minify nothing in Python, so these are rare there.
 */
import type { Evidence, FileContext, Rule } from '../types.js';
import { EXEC_CALLS, at, atCall, callsTo, dedupe, entropy, phaseOf } from './util.js';

const B64_BLOB = /^[A-Za-z0-9+/=_\-\s]+$/;
const HEX_BLOB = /^[0-9a-fA-F\s]+$/;

const encodedBlob: Rule = {
  id: 'obfuscation-encoded-blob',
  description: 'a very long, high-entropy base64 or hex string literal (an encoded payload)',
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags string literals of at least 2,000 characters made only of base64 or hex characters with near-random ' +
    'entropy (over 5.0 bits/char for base64, 3.8 for hex). Packed payloads look like this; embedded icons and ' +
    'test vectors sometimes do too, which is why it is medium and weighs most beside exec or decoding.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const s of ctx.py?.strings ?? []) {
      if (s.via !== 'literal' || s.value.length < 2000) continue;
      const sample = s.value.length > 200_000 ? s.value.slice(0, 200_000) : s.value;
      if (isEmbeddedMedia(sample)) continue;
      if (HEX_BLOB.test(sample) && entropy(sample.replace(/\s/g, '')) > 3.8) {
        out.push(at(ctx, s.line, `${s.value.length}-character hex literal`));
      } else if (B64_BLOB.test(sample) && entropy(sample.replace(/\s/g, '')) > 5.0) {
        out.push(at(ctx, s.line, `${s.value.length}-character base64 literal`));
      }
    }
    return dedupe(out, 5);
  },
};

/**
 * Images and fonts embedded as base64 or hex (an app's icons: nltk's nemo_app, GUI toolkits):
 * they decode to a file format's magic bytes, which a code payload does not start with.
 */
const MEDIA_MAGIC = [
  [0x47, 0x49, 0x46, 0x38], // GIF8
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x00, 0x00, 0x01, 0x00], // ICO
  [0x52, 0x49, 0x46, 0x46], // RIFF (WebP, WAV)
  [0x25, 0x50, 0x44, 0x46], // %PDF
  [0x77, 0x4f, 0x46, 0x46], // wOFF
  [0x77, 0x4f, 0x46, 0x32], // wOF2
  [0x00, 0x01, 0x00, 0x00], // TrueType
  [0x4f, 0x54, 0x54, 0x4f], // OTTO
];

function isEmbeddedMedia(s: string): boolean {
  const head = s.replace(/\s/g, '').slice(0, 24);
  let bytes: Buffer;
  if (/^[0-9a-fA-F]{24}$/.test(head)) bytes = Buffer.from(head, 'hex');
  else if (/^[A-Za-z0-9+/_-]{24}$/.test(head)) bytes = Buffer.from(head.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  else return false;
  return MEDIA_MAGIC.some((m) => m.every((b, i) => bytes[i] === b));
}

const chrSequence: Rule = {
  id: 'obfuscation-chr',
  description: 'builds strings from chr() sequences (chr(101)+chr(120)+... or join(map(chr, [...])))',
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags strings of 8 or more characters assembled from chr() calls or join(map(chr, [numbers])). It hides ' +
    'words such as "exec", URLs and commands from text search; honest code writes the string.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const s of ctx.py?.strings ?? []) {
      if (s.via === 'chr' && s.value.length >= 8) out.push(at(ctx, s.line, `assembles ${JSON.stringify(s.value.slice(0, 60))}`));
    }
    // Long runs of chr(N)+chr(N)+... fold as concatenations of chr results.
    ctx.lines.forEach((l, i) => {
      if (l.length < 20000 && (l.match(/\bchr\(\s*\d+\s*\)/g)?.length ?? 0) >= 10) out.push(at(ctx, i + 1, 'ten or more chr() calls on one line'));
    });
    return dedupe(out, 5);
  },
};

const hiddenMargin: Rule = {
  id: 'obfuscation-hidden-margin',
  description: 'code hidden past the right margin: a line with a long run of whitespace followed by code',
  severity: 'high',
  tags: ['obfuscation', 'evasion'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags lines where 150 or more spaces or tabs separate a statement from more code (`import os;' +
    '<200 spaces>exec(...)`), which an editor without wrapping never shows. Typosquats of popular packages ' +
    'have hidden their payload this way. Whitespace before a comment is not flagged.',
  checkFile(ctx) {
    if (ctx.role === 'script') return [];
    const out: Evidence[] = [];
    ctx.lines.forEach((l, i) => {
      if (l.length < 160) return;
      const m = /\S([ \t]{150,})(?=\S)/.exec(l);
      if (!m) return;
      const rest = l.slice(m.index + 1 + m[1]!.length);
      if (rest.startsWith('#')) return;
      // What hides there is a statement: an import, or a name that is called, assigned or
      // dereferenced. Wide tables of numbers (in code or in a quoted matrix) are layout, not hiding.
      if (!/^[;\s]*(?:import\s|from\s|[A-Za-z_][\w.]*\s*[(=[.])/.test(rest)) return;
      const call = ctx.py?.calls.find((c) => c.line === i + 1);
      out.push(at(ctx, i + 1, `${m[1]!.length} whitespace characters, then: ${rest.slice(0, 80)}`, call ? phaseOf(ctx, call) : phaseOf(ctx)));
    });
    return dedupe(out, 5);
  },
};

const pyarmor: Rule = {
  id: 'obfuscation-pyarmor',
  description: 'PyArmor-protected code (an encrypted bytecode blob and its runtime)',
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags `__pyarmor__(...)` calls, `from pytransform import pyarmor_runtime` and `pyarmor_runtime_` imports. ' +
    'PyArmor is a commercial protector with honest users, but it makes the package impossible to review, and ' +
    'malware uses it for exactly that.',
  checkFile(ctx) {
    const out: Evidence[] = [];
    for (const i of ctx.py?.imports ?? []) {
      // The protected code runs when its module is imported: that is when the runtime is loaded.
      if (/^(\.*pytransform|pyarmor_runtime\w*)(\.|$)/.test(i.module) || /^pyarmor_runtime/.test(i.name ?? '')) out.push(at(ctx, i.line, 'PyArmor runtime', i.topLevel ? phaseOf(ctx) : undefined));
    }
    for (const c of ctx.py?.calls ?? []) {
      if (c.callee === '__pyarmor__' || c.callee === 'pyarmor' || c.callee.endsWith('.__pyarmor__')) out.push(atCall(ctx, c, 'PyArmor-encrypted code'));
    }
    if (!ctx.py) {
      ctx.lines.forEach((l, i) => {
        if (/__pyarmor__\(|pyarmor_runtime/.test(l)) out.push(at(ctx, i + 1, 'PyArmor marker'));
      });
    }
    return dedupe(out, 3);
  },
};

/** Names such as `lIlIIl`, `O0O0OO` and `_0x3f2a` that obfuscators generate. */
const MANGLED = /^(?:[lI1]{6,}|[O0]{6,}|_0x[0-9a-f]{3,}|__{1,2}[lI1O0]{5,})$/;

const mangledIdentifiers: Rule = {
  id: 'obfuscation-identifiers',
  description: 'machine-mangled identifiers (IlIlIl, O0O0O0, _0x1f2e) of the kind obfuscators generate',
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags files that assign or define 10 or more distinct names made only of l/I/1, O/0, or _0x-hex. Python ' +
    'obfuscators rename everything this way; people do not.',
  checkFile(ctx) {
    if (!ctx.py) return [];
    const names = new Set<string>();
    for (const key of ctx.py.assignments.keys()) {
      const n = key.slice(key.lastIndexOf('\0') + 1);
      if (MANGLED.test(n)) names.add(n);
    }
    let firstLine: number | undefined;
    // `import base64 as IlIlIl` defines a name as much as an assignment does.
    for (const i of ctx.py.imports) if (MANGLED.test(i.alias)) names.add(i.alias);
    for (const c of ctx.py.calls) {
      if (MANGLED.test(c.callee)) {
        names.add(c.callee);
        firstLine ??= c.line;
      }
    }
    if (names.size < 10) return [];
    const line = firstLine ?? ctx.py.calls[0]?.line ?? 1;
    return [at(ctx, line, `${names.size} mangled names, e.g. ${[...names].slice(0, 3).join(', ')}`)];
  },
};

const deepNesting: Rule = {
  id: 'obfuscation-deep-nesting',
  description: 'expressions nested deeper than any hand-written code (generated, layered obfuscation)',
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags files whose expressions nest more than 150 levels deep, which layered encoders (exec(decode(exec(...)))) ' +
    'and some obfuscators produce; analysis of such expressions stops at that depth.',
  checkFile(ctx) {
    return ctx.py?.deepNesting !== undefined ? [at(ctx, ctx.py.deepNesting, 'nesting limit reached')] : [];
  },
};

/** The controls trojan-source looks for, to pass over the files (nearly all) that have none. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

const trojanSource: Rule = {
  id: 'trojan-source',
  description: 'bidirectional control characters in source (Trojan Source, CVE-2021-42574): code that reads differently than it runs',
  severity: 'high',
  tags: ['obfuscation', 'evasion'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags the Unicode bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) in ' +
    'Python sources and .pth files. They reorder how code is displayed, so a reviewer reads one program and Python ' +
    'runs another. Right-to-left text in string literals uses marks, not these controls.',
  checkFile(ctx) {
    if (ctx.role === 'script' || !BIDI.test(ctx.text)) return [];
    const out: Evidence[] = [];
    // Lines wholly inside a docstring hold no code to misread (bandit documents this attack with
    // its own example in one); a comment or a one-line string can hide code after it.
    const insideDocstring = new Set<number>();
    for (const s of ctx.py?.strings ?? []) {
      if (s.via !== 'docstring') continue;
      const last = s.line + (s.value.match(/\n/g)?.length ?? 0);
      if (last === s.line || !closesDocstring(ctx.lines[last - 1] ?? '')) continue;
      for (let n = s.line; n <= last; n++) insideDocstring.add(n);
    }
    ctx.lines.forEach((l, i) => {
      if (insideDocstring.has(i + 1)) return;
      for (let j = 0; j < l.length; j++) {
        const c = l.charCodeAt(j);
        if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
          out.push(at(ctx, i + 1, `U+${c.toString(16).toUpperCase().padStart(4, '0')} at column ${j + 1}`));
          return;
        }
      }
    });
    return dedupe(out, 5);
  },
};

const STEGO_CALLS = /^(stegano\.|stegano$|stegpy\.|lsb\.reveal$|stegano\.lsb\.reveal$|.*\.exifHeader\.reveal$|steganography\.)/;

const steganography: Rule = {
  id: 'steganography',
  description: 'decodes data hidden in an image and executes it',
  severity: 'high',
  tags: ['obfuscation', 'exec'],
  kind: 'threat',
  scope: 'file',
  explain:
    'Flags files that both read hidden data from an image (stegano/stegpy reveal, or PIL pixel access with ' +
    'getpixel/getdata/load) and call exec, eval or compile: a payload fetched inside a picture.',
  checkFile(ctx) {
    if (!ctx.py) return [];
    const execs = callsTo(ctx, EXEC_CALLS);
    if (execs.length === 0) return [];
    const stego = ctx.py.calls.filter((c) => STEGO_CALLS.test(c.callee));
    const pixels =
      ctx.py.calls.some((c) => /^PIL\.Image\.open$|^Image\.open$/.test(c.callee)) &&
      ctx.py.calls.filter((c) => c.callee === '.getpixel' || c.callee === '.getdata' || c.callee === '.load');
    const sources = [...stego, ...(pixels || [])];
    if (sources.length === 0) return [];
    return dedupe([...sources.map((c) => atCall(ctx, c, 'reads hidden image data')), atCall(ctx, execs[0]!, 'and executes code')], 5);
  },
};

export const obfuscationRules: Rule[] = [
  encodedBlob,
  chrSequence,
  hiddenMargin,
  pyarmor,
  mangledIdentifiers,
  deepNesting,
  trojanSource,
  steganography,
];

/**
 * `/['"]{3}\s*(#.*)?$/.test(line)` as scans: three quotes, blanks, then the end or a comment that
 * runs to the end (one after the line's last U+2028/U+2029/CR, which `.` does not cross). The regex
 * was quadratic on a hostile line of `"""#` repeated before such a separator.
 */
export function closesDocstring(line: string): boolean {
  const quotesBefore = (end: number): boolean => {
    let i = end;
    while (i > 0 && /\s/.test(line[i - 1]!)) i--;
    return i >= 3 && [1, 2, 3].every((k) => line[i - k] === '"' || line[i - k] === "'");
  };
  if (quotesBefore(line.length)) return true;
  const from = Math.max(line.lastIndexOf('\r'), line.lastIndexOf('\n'), line.lastIndexOf('\u2028'), line.lastIndexOf('\u2029')) + 1;
  for (let hash = line.indexOf('#', from); hash >= 0; hash = line.indexOf('#', hash + 1)) if (quotesBefore(hash)) return true;
  return false;
}
