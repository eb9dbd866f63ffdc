import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { environmentFor, evaluateMarker, parseMarker } from './marker.js';
import { normalizeName } from './names.js';
import { SyntaxInputError, parseRequirement } from './requirement.js';

interface OracleCase {
  text: string;
  ok: boolean;
  rawName?: string;
  extras?: string[];
  specifier?: string;
  url?: string;
  marker?: string;
}

const oracle = JSON.parse(readFileSync(new URL('./testdata/requirements.json', import.meta.url), 'utf8')) as {
  cases: OracleCase[];
};

function syntaxError(text: string): SyntaxInputError {
  try {
    parseRequirement(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SyntaxInputError);
    expect((err as SyntaxInputError).code).toBe('invalid-requirement');
    return err as SyntaxInputError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('requirements agree with pypa/packaging', () => {
  for (const c of oracle.cases) {
    it(`${c.ok ? 'accepts' : 'rejects'} ${JSON.stringify(c.text)}`, () => {
      if (!c.ok) {
        expect(() => parseRequirement(c.text)).toThrow(InputError);
        return;
      }
      const r = parseRequirement(c.text);
      expect(r.rawName).toBe(c.rawName);
      expect(r.name).toBe(normalizeName(c.rawName!));
      expect(r.extras).toEqual([...new Set(c.extras!.map(normalizeName))].sort());
      expect(r.specifier).toBe(c.specifier);
      expect(r.url).toBe(c.url);
      if (c.marker === undefined) {
        expect(r.marker).toBeUndefined();
        expect(r.markerText).toBeUndefined();
      } else {
        expect(r.marker).toEqual(parseMarker(c.marker));
        expect(parseMarker(r.markerText!)).toEqual(r.marker);
      }
    });
  }
});

describe('names and extras', () => {
  it('the name is normalized and the spelling kept', () => {
    expect(parseRequirement('Zope.Interface_Foo>=1')).toMatchObject({
      name: 'zope-interface-foo',
      rawName: 'Zope.Interface_Foo',
    });
  });

  it('extras are normalized, sorted and deduplicated', () => {
    expect(parseRequirement('foo[Socks, security,SOCKS,use_chardet.on-py3]').extras).toEqual([
      'security',
      'socks',
      'use-chardet-on-py3',
    ]);
  });

  it('empty brackets mean no extras', () => {
    expect(parseRequirement('foo[ ]').extras).toEqual([]);
  });

  it('a name may not end in a separator', () => {
    syntaxError('foo-');
    syntaxError('foo_ >=1');
  });

  it('extras need commas between them, and the error points at the second name', () => {
    const err = syntaxError('foo[bar baz]');
    expect(err.message).toContain("expected ',' between extra names");
    expect(err.column).toBe(9);
  });

  it('an unclosed extras bracket names where it was opened', () => {
    expect(syntaxError('foo[bar').message).toContain("close the '[' at column 4");
  });
});

describe('version specifiers', () => {
  it('specifier text is canonical and sorted as packaging prints it', () => {
    expect(parseRequirement('foo >= 1.0 , < 2').specifier).toBe('<2,>=1.0');
  });

  it('parenthesised specifiers', () => {
    expect(parseRequirement('foo (>=1.0, <2) ; python_version < "3.9"')).toMatchObject({
      specifier: '<2,>=1.0',
      markerText: 'python_version < "3.9"',
    });
    expect(parseRequirement('foo()').specifier).toBe('');
  });

  it('arbitrary equality ===', () => {
    expect(parseRequirement('foo===1.0-custom.build').specifier).toBe('===1.0-custom.build');
  });

  it('a trailing comma is accepted, as pip accepts it', () => {
    expect(parseRequirement('foo>=1.0,').specifier).toBe('>=1.0');
    syntaxError('foo>=1.0,,<2');
  });

  it('a bad specifier is named with its column', () => {
    const err = syntaxError('foo>=1.0, <=2.0+local');
    expect(err.column).toBe(11);
    expect(err.message).toContain('"<=2.0+local"');
  });

  it('text after the name that is not a specifier says what could come there', () => {
    const err = syntaxError('foo bar');
    expect(err.column).toBe(5);
    expect(err.message).toContain('expected a version specifier');
  });

  it('an unclosed parenthesis names where it was opened', () => {
    expect(syntaxError('foo (>=1.0').message).toContain("close the '(' at column 5");
  });

  it('a specifier and a URL cannot be combined', () => {
    syntaxError('foo>=1.0 @ https://example.com/foo.whl');
  });
});

describe('URLs', () => {
  it('name @ url', () => {
    expect(parseRequirement('foo @ https://example.com/foo-1.0.tar.gz#sha256=abc')).toEqual({
      name: 'foo',
      rawName: 'foo',
      extras: [],
      specifier: '',
      url: 'https://example.com/foo-1.0.tar.gz#sha256=abc',
    });
  });

  it('url requirement needs a space before the marker', () => {
    const r = parseRequirement('foo @ https://example.com/foo.whl ; python_version < "3.9"');
    expect(r.url).toBe('https://example.com/foo.whl');
    expect(r.markerText).toBe('python_version < "3.9"');
  });

  it('a ; right after a URL is part of the URL, as pip reads it', () => {
    const r = parseRequirement('foo @ https://example.com/foo.whl;python_version<"3.9"');
    expect(r.url).toBe('https://example.com/foo.whl;python_version<"3.9"');
    expect(r.marker).toBeUndefined();
  });

  it('a ; glued to the URL with a marker after a space is an error', () => {
    // The URL swallows the ';', and then "python_version" is not a ';'.
    syntaxError('foo @ https://example.com/foo.whl; python_version < "3.9"');
  });

  it('a VCS URL keeps its @ and #', () => {
    expect(parseRequirement('foo[bar] @ git+https://github.com/org/foo.git@v1.0#egg=foo').url).toBe(
      'git+https://github.com/org/foo.git@v1.0#egg=foo',
    );
  });

  it('@ with nothing after it', () => {
    expect(syntaxError('foo @ ').message).toContain("expected a URL after '@'");
  });
});

describe('markers', () => {
  it('the marker is parsed and kept as written', () => {
    const r = parseRequirement('pywin32>=300 ; sys_platform == "win32"  and python_version>="3.8"');
    expect(r.markerText).toBe('sys_platform == "win32"  and python_version>="3.8"');
    expect(evaluateMarker(r.marker!, environmentFor('3.12', 'win32'))).toBe(true);
    expect(evaluateMarker(r.marker!, environmentFor('3.12', 'linux'))).toBe(false);
  });

  it('a marker error is an invalid requirement with a column in the whole line', () => {
    const err = syntaxError('foo>=1 ; python_version < "3.8" junk');
    expect(err.column).toBe(33);
    expect(err.message).toContain("expected 'and', 'or' or the end of the requirement");
  });

  it('an empty marker after ; is an error', () => {
    expect(syntaxError('foo ;').message).toContain('expected a marker variable');
  });

  it('extra markers from core metadata', () => {
    const r = parseRequirement('PySocks!=1.5.7,>=1.5.6; extra == "Socks"');
    expect(r.name).toBe('pysocks');
    expect(r.specifier).toBe('!=1.5.7,>=1.5.6');
    expect(evaluateMarker(r.marker!, environmentFor('3.12'), ['socks'])).toBe(true);
    expect(evaluateMarker(r.marker!, environmentFor('3.12'))).toBe(false);
  });
});

describe('whitespace and hostile input', () => {
  it('leading and trailing spaces and tabs are allowed', () => {
    expect(parseRequirement(' \tfoo [bar] >=1 ; os_name == "nt" \t')).toMatchObject({
      name: 'foo',
      extras: ['bar'],
      specifier: '>=1',
      markerText: 'os_name == "nt"',
    });
  });

  it('a newline is not whitespace', () => {
    syntaxError('foo\n');
    syntaxError('foo>=1\n; os_name == "nt"');
  });

  it('non-ASCII in a specifier is refused', () => {
    syntaxError('foo>=1.0\u00a0');
  });

  it('an empty string names the problem', () => {
    expect(syntaxError('').message).toContain('expected a package name');
  });

  it('a huge line is quoted only in part in the error message', () => {
    const err = syntaxError(`foo ${'>'.repeat(1_000_000)}`);
    expect(err.message.length).toBeLessThan(500);
  });

  it('a long requirement parses in linear time', () => {
    const many = Array.from({ length: 20000 }, (_, i) => `!=${i}.0`).join(',');
    const started = Date.now();
    expect(parseRequirement(`foo${many}`).specifier.length).toBeGreaterThan(100000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('name==version, the common case', () => {
  it('parses exactly as the grammar does (a space sends the same text through the grammar)', () => {
    for (const [name, version] of [
      ['requests', '2.31.0'],
      ['Foo_Bar.baz-qux', '1'],
      ['a', '0.0.0.0.1'],
      ['zope.interface', '007.10'],
      ['x9', '123456789012345.1'],
    ]) {
      expect(parseRequirement(`${name}==${version}`)).toEqual(parseRequirement(`${name} ==${version}`));
    }
    // what the shortcut must leave to the grammar
    expect(parseRequirement('a==1.0rc1').specifier).toBe('==1.0rc1');
    expect(() => parseRequirement(`a==${'9'.repeat(5000)}`)).toThrow(SyntaxInputError);
    expect(() => parseRequirement('-a==1')).toThrow(SyntaxInputError);
    expect(() => parseRequirement('a-==1')).toThrow(SyntaxInputError);
  });
});

describe('hostile length', () => {
  it('a pin of 11 MB is refused as an invalid version, not a RangeError from the fast path regex', () => {
    expect(() => parseRequirement(`a==${'1.'.repeat(5_500_000)}1`)).toThrow(/invalid version specifier/);
  });
});
