import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import {
  SyntaxInputError,
  environmentFor,
  evaluateMarker,
  markerToString,
  parseMarker,
  type MarkerGroup,
  type MarkerEnvironment,
} from './marker.js';

interface OracleCase {
  text: string;
  ok: boolean;
  str?: string;
  results?: (boolean | 'undefined')[];
}
interface Oracle {
  origin: string;
  environments: Record<string, MarkerEnvironment>;
  contexts: { environment: string; extras: string[]; dependency_groups: string[] }[];
  cases: OracleCase[];
}

const oracle = JSON.parse(readFileSync(new URL('./testdata/markers.json', import.meta.url), 'utf8')) as Oracle;

const linux312 = environmentFor('3.12.4', 'linux');

function evaluate(text: string, env: MarkerEnvironment = linux312, extras: string[] = []): boolean {
  return evaluateMarker(parseMarker(text), env, extras);
}

function syntaxError(text: string): SyntaxInputError {
  try {
    parseMarker(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SyntaxInputError);
    return err as SyntaxInputError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('markers agree with pypa/packaging', () => {
  for (const c of oracle.cases) {
    const label = c.text.length > 80 ? `${c.text.slice(0, 77)}...` : c.text;
    it(`${c.ok ? 'accepts' : 'rejects'} ${JSON.stringify(label)}`, () => {
      if (!c.ok) {
        expect(() => parseMarker(c.text)).toThrow(InputError);
        return;
      }
      const m = parseMarker(c.text);
      // packaging prints the same marker; reading its print gives our tree back.
      expect(parseMarker(c.str!)).toEqual(m);
      oracle.contexts.forEach((ctx, i) => {
        const env: MarkerEnvironment = {
          ...oracle.environments[ctx.environment]!,
          extras: ctx.extras,
          dependency_groups: ctx.dependency_groups,
        };
        const expected = c.results![i];
        if (expected === 'undefined') {
          expect(() => evaluateMarker(m, env, ctx.extras), ctx.environment).toThrow(InputError);
        } else {
          expect(evaluateMarker(m, env, ctx.extras), `${ctx.environment} ${ctx.extras.join(',')}`).toBe(expected);
        }
      });
    });
  }
});

describe('parsing', () => {
  it('and binds tighter than or', () => {
    const m = parseMarker('os_name == "a" or os_name == "b" and os_name == "c"');
    expect(m.kind).toBe('or');
    expect((m as MarkerGroup).items.map((x) => x.kind)).toEqual(['compare', 'and']);
    const nt = { ...linux312, os_name: 'a' };
    expect(evaluateMarker(m, nt)).toBe(true);
    expect(evaluateMarker(m, { ...linux312, os_name: 'b' })).toBe(false);
  });

  it('parentheses override precedence', () => {
    const m = parseMarker('(os_name == "a" or os_name == "b") and os_name == "c"');
    expect(m.kind).toBe('and');
    expect(evaluateMarker(m, { ...linux312, os_name: 'a' })).toBe(false);
  });

  it('chains of the same operator flatten into one group', () => {
    const m = parseMarker('os_name == "a" and (os_name == "b" and os_name == "c") and os_name == "d"');
    expect(m).toMatchObject({ kind: 'and' });
    expect((m as MarkerGroup).items).toHaveLength(4);
  });

  it('both quote styles', () => {
    expect(parseMarker(`os_name == 'posix'`)).toEqual(parseMarker(`os_name == "posix"`));
  });

  it('a string holding one quote style is printed with the other', () => {
    expect(markerToString(parseMarker(`os_name == 'a"b'`))).toBe(`os_name == 'a"b'`);
    expect(markerToString(parseMarker(`os_name == "a'b"`))).toBe(`os_name == "a'b"`);
  });

  it('variables on either side', () => {
    const m = parseMarker('"3.9" <= python_version');
    expect(m).toEqual({
      kind: 'compare',
      left: { kind: 'string', value: '3.9' },
      op: '<=',
      right: { kind: 'variable', name: 'python_version' },
    });
  });

  it('legacy dotted names read as their modern spelling', () => {
    expect(markerToString(parseMarker('os.name == "nt" and sys.platform == "win32"'))).toBe(
      'os_name == "nt" and sys_platform == "win32"',
    );
    expect(markerToString(parseMarker('python_implementation == "PyPy"'))).toBe(
      'platform_python_implementation == "PyPy"',
    );
  });

  it('not in needs whitespace between not and in', () => {
    expect(parseMarker('os_name not \t in "nt"')).toMatchObject({ op: 'not in' });
    syntaxError('os_name notin "nt"');
  });

  it('extra literals are normalized when parsed', () => {
    expect(markerToString(parseMarker('extra == "Foo_Bar.baz"'))).toBe('extra == "foo-bar-baz"');
    expect(markerToString(parseMarker('"Dev_Tools" in dependency_groups'))).toBe('"dev-tools" in dependency_groups');
  });

  it('a syntax error says what is wrong and at which column', () => {
    const err = syntaxError('python_version >> "3.8"');
    expect(err.code).toBe('invalid-marker');
    expect(err.column).toBe(17);
    expect(err.message).toContain('expected a marker variable');
    expect(err.message).toContain('column 17');
  });

  it('an unclosed parenthesis names where it was opened', () => {
    const err = syntaxError('os_name == "a" and (os_name == "b"');
    expect(err.message).toContain("close the '(' at column 20");
  });

  it('an unterminated string points at its opening quote', () => {
    expect(syntaxError('os_name == "posix').column).toBe(12);
  });

  it('a backslash in a marker string is refused (packaging would read it as a Python escape)', () => {
    // packaging turns "\x41" into "A" via ast.literal_eval; PEP 508's grammar has no backslash.
    expect(syntaxError('os_name == "a\\x41"').message).toContain('backslash');
  });

  it('comparing two strings is refused when parsed (packaging fails only when evaluating)', () => {
    expect(syntaxError('"a" == "a"').message).toContain('with a variable');
  });

  it('comparing two variables is refused (packaging compares with the second name as text)', () => {
    expect(syntaxError('python_version == python_full_version').message).toContain('not with another variable');
  });

  it('nesting deeper than 200 levels is a syntax error, not a stack overflow', () => {
    const deep = `${'('.repeat(5000)}os_name == "a"${')'.repeat(5000)}`;
    expect(syntaxError(deep).message).toContain('nested more than 200');
  });

  it('a very long chain of or parses and evaluates without deep recursion', () => {
    const text = Array.from({ length: 20000 }, (_, i) => `os_name == "x${i}"`).join(' or ');
    const m = parseMarker(text);
    expect(evaluateMarker(m, linux312)).toBe(false);
    expect(markerToString(m)).toBe(text);
  });

  it('a parenthesised group of 200,000 comparisons is flattened without a stack overflow', () => {
    // Spreading the group's items into push() passed each as an argument: past ~125,000 it threw RangeError.
    const inner = Array.from({ length: 200_000 }, () => `extra == "a"`).join(' and ');
    const m = parseMarker(`(${inner}) and os_name == "posix"`);
    expect(m.kind === 'and' && m.items.length).toBe(200_001);
    expect(evaluateMarker(m, linux312)).toBe(false);
  });

  it('a long hostile input is quoted only in part in the error message', () => {
    const err = syntaxError(`os_name == "a" ${'x'.repeat(100000)}`);
    expect(err.message.length).toBeLessThan(400);
  });

  it('a newline is not whitespace', () => {
    syntaxError('os_name == "a"\nand os_name == "b"');
  });
});

describe('printing', () => {
  it('nested groups are parenthesised and parse back to the same tree', () => {
    const m = parseMarker('os_name == "a" or os_name == "b" and (os_name == "c" or extra == "t")');
    const text = markerToString(m);
    expect(text).toBe('os_name == "a" or (os_name == "b" and (os_name == "c" or extra == "t"))');
    expect(parseMarker(text)).toEqual(m);
  });

  it('whitespace is normalized', () => {
    expect(markerToString(parseMarker('(os_name=="a")and(python_version>\'3\')'))).toBe(
      'os_name == "a" and python_version > "3"',
    );
  });
});

describe('evaluation', () => {
  it('versions compare as versions, not strings', () => {
    const py310 = environmentFor('3.10', 'linux');
    expect(evaluate('python_version > "3.8"', py310)).toBe(true);
    expect(evaluate('python_version < "3.9"', py310)).toBe(false);
  });

  it('python_version == "3.8" is not prefix matching', () => {
    expect(evaluate('python_version == "3.1"', environmentFor('3.10'))).toBe(false);
    expect(evaluate('python_version == "3.1.*"', environmentFor('3.10'))).toBe(false);
    expect(evaluate('python_version == "3.*"', environmentFor('3.10'))).toBe(true);
  });

  it('in is a substring test, so "3.1" is in "3.10"', () => {
    expect(evaluate('python_version in "3.10 3.11"', environmentFor('3.1'))).toBe(true);
    expect(evaluate('"3.1" in python_version', environmentFor('3.10'))).toBe(true);
  });

  it('python_full_version with a + suffix', () => {
    // An interpreter built from an untagged checkout reports "3.13.0+".
    const env = { ...environmentFor('3.13.0'), python_full_version: '3.13.0+' };
    expect(evaluate('python_full_version >= "3.13"', env)).toBe(true);
    expect(evaluate('python_full_version == "3.13.0"', env)).toBe(true);
    expect(evaluate('python_full_version < "3.13"', env)).toBe(false);
  });

  it('pre-release interpreters match version comparisons', () => {
    const rc = environmentFor('3.13.0rc1');
    expect(rc.python_full_version).toBe('3.13.0rc1');
    expect(evaluate('python_full_version >= "3.13.0rc1"', rc)).toBe(true);
    // PEP 440: `<3.13` excludes pre-releases of 3.13 itself, even with pre-releases allowed.
    expect(evaluate('python_full_version < "3.13"', rc)).toBe(false);
    expect(evaluate('python_full_version < "3.14"', rc)).toBe(true);
  });

  it('a version variable that is not a version does not match ordering', () => {
    const env = { ...linux312, platform_release: '5.15.0-1057-azure' };
    expect(evaluate('platform_release >= "5.0"', env)).toBe(false);
    expect(evaluate('platform_release === "5.15.0-1057-AZURE"', env)).toBe(true);
    expect(evaluate('platform_release == "5.15.0-1057-azure"', env)).toBe(true);
  });

  it('string variables compare as strings even when they look like versions', () => {
    expect(evaluate('os_name == "1.0"', { ...linux312, os_name: '1.0.0' })).toBe(false);
  });

  it('ordering on plain strings is never less and equal only when equal, as in packaging 26', () => {
    expect(evaluate('sys_platform < "zzz"')).toBe(false);
    expect(evaluate('sys_platform > "a"')).toBe(false);
    expect(evaluate('sys_platform <= "linux"')).toBe(true);
    expect(evaluate('sys_platform >= "linux"')).toBe(true);
  });

  it('extra comparison is normalized', () => {
    expect(evaluate('extra == "Foo_Bar"', linux312, ['foo.bar'])).toBe(true);
    expect(evaluate('extra == "foo-bar"', linux312, ['FOO__BAR'])).toBe(true);
    expect(evaluate('"FOO.BAR" == extra', linux312, ['foo-bar'])).toBe(true);
  });

  it('extra is tested against every selected extra', () => {
    expect(evaluate('extra == "docs"', linux312, ['test', 'docs'])).toBe(true);
    expect(evaluate('extra != "docs"', linux312, ['test', 'docs'])).toBe(false);
    expect(evaluate('extra == "test" and extra == "docs"', linux312, ['test', 'docs'])).toBe(true);
  });

  it('with no extras selected, extra is the empty string', () => {
    expect(evaluate('extra == "test"')).toBe(false);
    expect(evaluate('extra != "test"')).toBe(true);
    expect(evaluate('extra == ""')).toBe(true);
  });

  it('extras and dependency_groups are sets tested with in', () => {
    const env = { ...linux312, extras: ['Test_Extra'], dependency_groups: ['dev'] };
    expect(evaluate('"test-extra" in extras', env)).toBe(true);
    expect(evaluate('"test" in extras', env)).toBe(false);
    expect(evaluate('"dev" in dependency_groups', env)).toBe(true);
    expect(evaluate('"docs" not in dependency_groups', env)).toBe(true);
    // Without env.extras the selected extras stand in.
    expect(evaluate('"docs" in extras', linux312, ['Docs'])).toBe(true);
    expect(evaluate('"dev" in dependency_groups')).toBe(false);
  });

  it('undefined comparisons throw instead of quietly dropping the dependency', () => {
    expect(() => evaluate('sys_platform ~= "linux"')).toThrow(/cannot evaluate marker/);
    expect(() => evaluate('extra < "test"', linux312, ['test'])).toThrow(InputError);
    expect(() => evaluate('extras == "test"')).toThrow(/is a set/);
    try {
      evaluate('sys_platform === "linux"');
    } catch (err) {
      expect((err as InputError).code).toBe('invalid-marker');
    }
  });

  it('evaluation short-circuits', () => {
    // The undefined comparison on the right is never reached.
    expect(evaluate('os_name == "posix" or sys_platform ~= "x"')).toBe(true);
  });
});

describe('environmentFor', () => {
  it('linux', () => {
    expect(environmentFor('3.12.4')).toEqual({
      implementation_name: 'cpython',
      implementation_version: '3.12.4',
      os_name: 'posix',
      platform_machine: 'x86_64',
      platform_python_implementation: 'CPython',
      platform_release: '6.8.0',
      platform_system: 'Linux',
      platform_version: '#1 SMP PREEMPT_DYNAMIC',
      python_full_version: '3.12.4',
      python_version: '3.12',
      sys_platform: 'linux',
    });
  });

  it('darwin and win32', () => {
    expect(environmentFor('3.11', 'darwin')).toMatchObject({
      os_name: 'posix',
      sys_platform: 'darwin',
      platform_system: 'Darwin',
      platform_machine: 'arm64',
    });
    expect(environmentFor('3.11', 'win32')).toMatchObject({
      os_name: 'nt',
      sys_platform: 'win32',
      platform_system: 'Windows',
      platform_machine: 'AMD64',
    });
  });

  it('only major.minor gives a .0 full version', () => {
    const env = environmentFor('3.9');
    expect(env.python_version).toBe('3.9');
    expect(env.python_full_version).toBe('3.9.0');
  });

  it('a version with leading zeros is written canonically', () => {
    expect(environmentFor('3.09.01').python_full_version).toBe('3.9.1');
  });

  it('rejects something that is not a Python version', () => {
    expect(() => environmentFor('3')).toThrow(InputError);
    expect(() => environmentFor('py3.12')).toThrow(/not a Python version/);
  });

  it('a typical marker from real metadata', () => {
    const m = parseMarker('platform_python_implementation == "CPython" and python_version < "3.13" and sys_platform != "win32"');
    expect(evaluateMarker(m, environmentFor('3.12', 'linux'))).toBe(true);
    expect(evaluateMarker(m, environmentFor('3.12', 'win32'))).toBe(false);
    expect(evaluateMarker(m, environmentFor('3.13', 'darwin'))).toBe(false);
  });
});

describe('hand-built input', () => {
  it('an environment missing a value is an error, not a crash', () => {
    const partial = { ...linux312 } as Partial<MarkerEnvironment>;
    delete partial.platform_machine;
    expect(() => evaluate('platform_machine == "x86_64"', partial as MarkerEnvironment)).toThrow(
      /the environment has no platform_machine/,
    );
  });
});
