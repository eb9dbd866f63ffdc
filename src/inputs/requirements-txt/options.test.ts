import { describe, expect, it } from 'vitest';
import { logicalLines, splitArgsOptions, stripComment } from './lines.js';
import { redactUrl, vcsRevision } from './links.js';
import { parseOptionWords, shlexSplit } from './options.js';

describe('shlexSplit (answers taken from Python 3.11 shlex.split)', () => {
  it.each([
    ['a "b c"d', ['a', 'b cd']],
    ["'x y'z", ['x yz']],
    ['a\\ b', ['a b']],
    ['"a\\"b\\n"', ['a"b\\n']],
    ['a "" b', ['a', '', 'b']],
    ['--hash=sha256:x   -C k=v', ['--hash=sha256:x', '-C', 'k=v']],
    ['', []],
  ])('%s', (input, words) => {
    expect(shlexSplit(input)).toEqual(words);
  });

  it('fails like shlex on an open quote or a trailing backslash', () => {
    expect(() => shlexSplit('"open')).toThrow('No closing quotation');
    expect(() => shlexSplit("'open")).toThrow('No closing quotation');
    expect(() => shlexSplit('x\\')).toThrow('No escaped character');
  });
});

describe('parseOptionWords (optparse rules)', () => {
  const names = (words: string[]) => parseOptionWords(words).options.map((o) => `${o.spec.name}=${o.value ?? ''}`);

  it('reads long, short, attached and abbreviated options', () => {
    expect(names(['-i', 'u1', '-iu2', '--index-url=u3', '--pypi-url', 'u4', '--extra-index', 'u5', '--pre', '-rf.txt'])).toEqual([
      '--index-url=u1',
      '--index-url=u2',
      '--index-url=u3',
      '--index-url=u4',
      '--extra-index-url=u5',
      '--pre=',
      '--requirement=f.txt',
    ]);
  });

  it('lets an exact name win over a longer one it prefixes (--pre, not --prefer-binary)', () => {
    expect(names(['--pre'])).toEqual(['--pre=']);
    expect(names(['--pref'])).toEqual(['--prefer-binary=']);
  });

  it('stops at the first problem, keeping what came before', () => {
    const r = parseOptionWords(['--pre', '--bogus', '--no-index']);
    expect(r.options.map((o) => o.spec.name)).toEqual(['--pre']);
    expect(r.problem).toEqual({ code: 'unsupported-option', message: 'unsupported option --bogus (pip would reject it too)' });
    expect(parseOptionWords(['--pre=yes']).problem?.message).toBe('option --pre takes no value (pip would reject it too)');
    expect(parseOptionWords(['--hash']).problem?.message).toBe('option --hash needs a value (pip would reject it too)');
  });

  it('collects words that are not options, and everything after --', () => {
    expect(parseOptionWords(['x', '--pre', '--', '--no-index']).positionals).toEqual(['x', '--no-index']);
  });
});

describe('lines', () => {
  it('splits args from options on single spaces only, like pip', () => {
    expect(splitArgsOptions('foo==1 ; python_version < "3" --hash=sha256:x')).toEqual({
      args: 'foo==1 ; python_version < "3"',
      options: '--hash=sha256:x',
      optionsStart: 30,
    });
    expect(splitArgsOptions('foo==1\t--hash=x').args).toBe('foo==1\t--hash=x');
  });

  it('maps every kept character back to its offset in the file', () => {
    const text = 'a==1 \\\n  --hash=x # c\n';
    const [line] = logicalLines(text);
    const kept = stripComment(line!);
    expect(kept.text).toBe('a==1   --hash=x');
    expect(kept.offsets.map((o) => text[o]).join('')).toBe(kept.text);
  });
});

describe('links', () => {
  it('redacts passwords and tokens but not ssh user names', () => {
    expect(redactUrl('https://u:p@h/x')).toBe('https://u:****@h/x');
    expect(redactUrl('https://tok@h/x')).toBe('https://****@h/x');
    expect(redactUrl('git+ssh://git@github.com/o/r.git')).toBe('git+ssh://git@github.com/o/r.git');
    expect(redactUrl('https://h/x@y')).toBe('https://h/x@y');
  });

  it('finds the VCS revision after the host, not the user', () => {
    expect(vcsRevision('git+ssh://git@github.com/o/r.git@v1#egg=r')).toBe('v1');
    expect(vcsRevision('git+ssh://git@github.com/o/r.git')).toBeUndefined();
    expect(vcsRevision('git+https://h/o/r.git@refs/pull/1/head')).toBe('refs/pull/1/head');
  });
});
