import { describe, expect, it } from 'vitest';
import { analysePython, unescapePython } from './python.js';

const callees = async (src: string) => (await analysePython(src)).calls.map((c) => c.callee);

describe('callee resolution', () => {
  it('resolves module aliases', async () => {
    expect(await callees('import base64 as b\nb.b64decode("aGk=")\n')).toEqual(['base64.b64decode']);
  });

  it('resolves from-imports with aliases', async () => {
    expect(await callees('from os import system as s\ns("true")\n')).toEqual(['os.system']);
  });

  it('resolves dotted imports to the full name', async () => {
    expect(await callees('import urllib.request\nurllib.request.urlopen("u")\n')).toEqual(['urllib.request.urlopen']);
  });

  it('resolves __import__ and importlib.import_module', async () => {
    expect(await callees("__import__('os').system('x')\n")).toEqual(['__import__', 'os.system']);
    expect(await callees("import importlib\nm = importlib.import_module('subprocess')\nm.run(['x'])\n")).toEqual([
      'importlib.import_module',
      'subprocess.run',
    ]);
  });

  it('resolves simple aliases of callables', async () => {
    expect(await callees('e = exec\ne("1")\nimport os\nrun = os.system\nrun("x")\n')).toEqual(['exec', 'os.system']);
  });

  it('resolves getattr with a constant or assembled name, and builtins lookups', async () => {
    expect(await callees("getattr(__builtins__, 'exec')('1')\n")).toContain('exec');
    expect(await callees("import os\ngetattr(os, 'sys' + 'tem')('x')\n")).toContain('os.system');
    expect(await callees("__builtins__.__dict__['eval']('1')\n")).toContain('eval');
    expect(await callees("import builtins\nbuiltins.exec('1')\n")).toEqual(['builtins.exec'.replace('builtins.', '')]);
  });

  it('treats method calls on variables as methods, not module functions', async () => {
    const a = await analysePython('with open("p") as f:\n    exec(f.read())\n');
    expect(a.calls.map((c) => c.callee)).toEqual(['open', '.read', 'exec']);
    expect(a.assignments.get('f')?.[0]).toMatchObject({ k: 'call' });
  });

  it('resolves star imports for names that are not builtins', async () => {
    expect(await callees('from os import *\nsystem("x")\nprint(1)\n')).toEqual(['os.system', 'print']);
  });
});

describe('strings and folding', () => {
  it('decodes escapes and keeps raw strings raw', async () => {
    const a = await analysePython(String.raw`x = "a\x41\n"; y = r"a\x41"; z = b"\x00\xff"` + '\n');
    expect(a.strings.map((s) => s.value)).toEqual(['aA\n', 'a\\x41', '\x00\xff']);
  });

  it('reads names and strings exactly after non-ASCII and astral characters', async () => {
    // Node text is sliced from the source by tree-sitter's indices: they must be UTF-16 code units.
    const a = await analysePython('s = "héllo 😀 wörld"  # ünïcode 😀\nimport os as ø\nø.system("é😀x")\nv = "\\u00e9"\n');
    expect(a.strings.map((s) => s.value)).toEqual(['héllo 😀 wörld', 'é😀x', 'é']);
    expect(a.imports.map((i) => i.alias)).toEqual(['ø']);
    expect(a.calls.map((c) => c.callee)).toEqual(['os.system']);
  });

  it('reads plain string literals from their text with the values the parse tree gives', async () => {
    // [literal, strings recorded]: prefixes, quotes, escapes, and the grammar's raw-string quirk
    // (a raw body of only escaped pairs, `r'\\'`, parses as part of the closing quote: no value).
    const cases: [string, string[]][] = [
      [String.raw`r'\\'`, []],
      [String.raw`r'\\\\'`, []],
      [String.raw`r'\''`, []],
      [String.raw`r'a\\'`, ['a\\\\']],
      [String.raw`R"\d+"`, ['\\d+']],
      [String.raw`rb'\x00'`, ['\\x00']],
      [String.raw`'\\'`, ['\\']],
      ["'a\\\nb'", ['ab']],
      [String.raw`b'\N{DASH}\u1234\x41'`, ['\\N{DASH}\\u1234A']],
      [String.raw`u'\u00e9'`, ['é']],
      [`'''a'b"c'''`, [`a'b"c`]],
      ['""', []],
      ["''''''", []],
      [String.raw`'\q\''`, ["\\q'"]],
      ["Ur'x'", ['x']],
      ['BR"y"', ['y']],
      [String.raw`'\101\0'`, ['A\0']],
      ["f'a{b}c'", ['a{}c']],
    ];
    for (const [literal, strings] of cases) {
      const a = await analysePython(`x = ${literal}\n`);
      expect([literal, a.strings.map((s) => s.value)]).toEqual([literal, strings]);
    }
  });

  it('folds concatenation, reversal, chr and decoders, and records the decoded values', async () => {
    const a = await analysePython(
      [
        "a = 'ht' + 'tp://203.0.113.5/x'",
        "b = 'x/5.311.0.302//:ptth'[::-1]",
        "c = ''.join([chr(104), chr(105)])",
        "d = ''.join(map(chr, [104, 105]))",
        "import base64, codecs",
        "e = base64.b64decode('aHR0cDovLzIwMy4wLjExMy41L3g=')",
        "f = bytes.fromhex('6869')",
        "g = codecs.decode('uv', 'rot13')",
      ].join('\n'),
    );
    const folded = a.strings.filter((s) => s.via !== 'literal').map((s) => [s.via, s.value]);
    expect(folded).toEqual([
      ['concat', 'http://203.0.113.5/x'],
      ['reverse', 'http://203.0.113.5/x'],
      ['chr', 'h'],
      ['chr', 'i'],
      ['chr', 'hi'],
      ['chr', 'hi'],
      ['base64', 'http://203.0.113.5/x'],
      ['hex', 'hi'],
      ['rot13', 'hi'],
    ]);
  });

  it('marks docstrings so string rules can skip documentation', async () => {
    const a = await analysePython('def f():\n    """see ~/.ssh/id_rsa"""\n    return 1\n');
    expect(a.strings[0]).toMatchObject({ via: 'docstring' });
  });

  it('unescapes Python escapes like Python', () => {
    expect(unescapePython(String.raw`\x41\101\u00e9\q\N{BULLET}`, false)).toBe('AAé\\q\\N{BULLET}');
    expect(unescapePython(String.raw`\u00e9`, true)).toBe('\\u00e9');
  });

  it('unescapes many \\N{ without a closing brace in linear time', () => {
    // A regex (and a search for `}` per escape) would rescan the rest of the text for each one.
    const s = '\\N{x'.repeat(200_000);
    const start = performance.now();
    expect(unescapePython(s, false)).toBe(s);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('unescapes exactly as the regular expression it replaced, on random escape soup', () => {
    const reference = (s: string, bytes: boolean): string =>
      s.replace(/\\(?:(\r?\n)|([\\'"abfnrtv])|x([0-9a-fA-F]{2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{[^}]*\}|(.))/g,
        (m, nl?: string, simple?: string, hex?: string, oct?: string, u4?: string, u8?: string) => {
          if (nl !== undefined) return '';
          if (simple !== undefined) return ({ '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[simple]!;
          if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
          if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8) & 0xff);
          if (!bytes && u4 !== undefined) return String.fromCharCode(parseInt(u4, 16));
          if (!bytes && u8 !== undefined) {
            const cp = parseInt(u8, 16);
            return cp < 0x110000 ? String.fromCodePoint(cp) : m;
          }
          return m;
        });
    const alphabet = ['\\', '\\', '\\', 'x', 'u', 'U', 'N', '{', '}', '0', '1', '7', '8', '9', 'a', 'f', 'F', 'g', 'n', 'r', 't', 'v', "'", '"',
      '\n', '\r', '\u2028', '\u2029', 'é', '\ud83d', '\ude00', ' ', '0', '1', '0', 'A', 'b', 'c', 'e', 'D'];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 20000; k++) {
      let s = '';
      const length = random(24);
      for (let i = 0; i < length; i++) s += alphabet[random(alphabet.length)];
      for (const bytes of [false, true]) expect([s, bytes, unescapePython(s, bytes)]).toEqual([s, bytes, reference(s, bytes)]);
    }
  });
});

describe('scopes', () => {
  it('knows what runs at import: top level and class bodies, not functions or the main guard', async () => {
    const a = await analysePython(
      [
        'import os',
        'os.system("a")',
        'class K:',
        '    os.system("b")',
        '    def run(self):',
        '        os.system("c")',
        'if __name__ == "__main__":',
        '    os.system("d")',
      ].join('\n'),
    );
    expect(a.calls.map((c) => [c.line, c.topLevel, c.mainGuard])).toEqual([
      [2, true, false],
      [4, true, false],
      [6, false, false],
      [8, true, true],
    ]);
    expect(a.calls[2]!.cls?.name).toBe('K');
    expect(a.calls[2]!.func).toBe('run');
  });

  it('keeps going past syntax errors', async () => {
    const a = await analysePython('import os\ndef broken(:\n    pass\nos.system("x")\nprint "python 2"\n');
    expect(a.hasErrors).toBe(true);
    expect(a.calls.map((c) => c.callee)).toContain('os.system');
  });

  it('stays linear with many imports and assignments of names', async () => {
    // Whether an assigned name is a module or callable was asked of every alias in turn.
    let src = '';
    for (let i = 0; i < 20_000; i++) src += `import m${i}\n`;
    for (let i = 0; i < 20_000; i++) src += `x${i} = y\n`;
    src += 'o = os\nimport os\np = os\np.system("x")\n';
    const start = performance.now();
    const a = await analysePython(src);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(a.calls.map((c) => c.callee)).toEqual(['os.system']);
  });

  it('bounds expression depth on generated code', async () => {
    const deep = 'x = ' + '('.repeat(400) + '1' + ')'.repeat(400) + '\n' + 'y = ' + '['.repeat(400) + ']'.repeat(400) + '\n';
    const a = await analysePython(deep);
    expect(a.deepNesting).toBe(1);
  });
});

describe('parse input in chunks', () => {
  it('finds the same calls with included ranges over many chunks as in the whole text', async () => {
    const { analyseWith, pythonParser } = await import('./python.js');
    const parser = await pythonParser();
    // Long enough to cross many of the chunks tree-sitter is handed, with non-ASCII text (and a
    // surrogate pair) and ranges that start and end between them.
    const blocks = Array.from({ length: 400 }, (_, i) => `def f${i}(a, b='é😀'):\n    return g${i}(a) + "${'x'.repeat(i % 97)}"\n`);
    const src = blocks.join('');
    let at = 0;
    const ranges = [];
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      if (i % 3 !== 1) {
        const row = i * 2;
        ranges.push({ startIndex: at, endIndex: at + b.length, startPosition: { row, column: 0 }, endPosition: { row: row + 2, column: 0 } });
      }
      at += b.length;
    }
    const whole = analyseWith(parser, src);
    const some = analyseWith(parser, src, 0, false, ranges);
    expect(whole.calls).toHaveLength(400);
    expect(some.calls.map((c) => [c.callee, c.line])).toEqual(whole.calls.map((c) => [c.callee, c.line]).filter((_, i) => i % 3 !== 1));
    const kept = (line: number): boolean => Math.floor((line - 1) / 2) % 3 !== 1;
    expect(some.strings.map((s) => [s.value, s.line])).toEqual(whole.strings.filter((s) => kept(s.line)).map((s) => [s.value, s.line]));
  });

  it('reads surrogate pairs that a chunk boundary splits', async () => {
    // Emoji strings of 1 to 7 pairs after a shifting prefix put chunk ends inside pairs somewhere.
    for (let pad = 0; pad < 4; pad++) {
      let src = `#${'x'.repeat(pad)}\nimport os\n`;
      for (let i = 0; i < 3000; i++) src += `s${i} = "${'😀'.repeat(1 + (i % 7))}"\nos.system("a${i}")\n`;
      const a = await analysePython(src);
      expect(a.hasErrors).toBe(false);
      expect(a.calls.filter((c) => c.callee === 'os.system')).toHaveLength(3000);
      expect(a.strings.filter((s) => /^(😀)+$/u.test(s.value))).toHaveLength(3000);
    }
  });
});
