import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { MAX_WHEEL_TAGS, parseSdistFilename, parseWheelFilename } from './filename.js';

interface WheelCase {
  file: string;
  ok: boolean;
  name?: string;
  version?: string;
  tags?: string[];
  build?: [number, string];
}
interface SdistCase {
  file: string;
  ok: boolean;
  name?: string;
  version?: string;
}

const oracle = JSON.parse(readFileSync(new URL('./testdata/filenames.json', import.meta.url), 'utf8')) as {
  wheels: WheelCase[];
  sdists: SdistCase[];
};

function rejected(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('invalid-filename');
    return err as InputError;
  }
  throw new Error('expected the file name to be rejected');
}

describe('wheel file names agree with pypa/packaging', () => {
  for (const c of oracle.wheels) {
    it(`${c.ok ? 'accepts' : 'rejects'} ${c.file}`, () => {
      if (!c.ok) {
        rejected(() => parseWheelFilename(c.file));
        return;
      }
      const w = parseWheelFilename(c.file);
      expect(w.name).toBe(c.name);
      expect(w.version).toBe(c.version);
      expect(w.tags.map((t) => `${t.python}-${t.abi}-${t.platform}`).sort()).toEqual(c.tags);
      expect(w.build === undefined ? undefined : [w.build.number, w.build.suffix]).toEqual(c.build);
    });
  }
});

describe('sdist file names agree with pypa/packaging', () => {
  for (const c of oracle.sdists) {
    it(`${c.ok ? 'accepts' : 'rejects'} ${c.file}`, () => {
      if (!c.ok) {
        rejected(() => parseSdistFilename(c.file));
        return;
      }
      const s = parseSdistFilename(c.file);
      expect(s.name).toBe(c.name);
      expect(s.version).toBe(c.version);
    });
  }
});

describe('wheels', () => {
  it('a compressed tag set expands in python, abi, platform order', () => {
    expect(parseWheelFilename('foo-1.0-cp38.cp39-abi3-manylinux1_x86_64.musllinux_1_1_x86_64.whl').tags).toEqual([
      { python: 'cp38', abi: 'abi3', platform: 'manylinux1_x86_64' },
      { python: 'cp38', abi: 'abi3', platform: 'musllinux_1_1_x86_64' },
      { python: 'cp39', abi: 'abi3', platform: 'manylinux1_x86_64' },
      { python: 'cp39', abi: 'abi3', platform: 'musllinux_1_1_x86_64' },
    ]);
  });

  it('tags are lowercased and duplicates dropped', () => {
    expect(parseWheelFilename('foo-1.0-PY3.py3-NONE-Any.whl').tags).toEqual([
      { python: 'py3', abi: 'none', platform: 'any' },
    ]);
  });

  it('the version is canonical', () => {
    expect(parseWheelFilename('foo-1.0RC1-py3-none-any.whl').version).toBe('1.0rc1');
  });

  it('build tag is split into its number and the rest', () => {
    expect(parseWheelFilename('foo-1.0-12custom-py3-none-any.whl').build).toEqual({
      number: 12,
      suffix: 'custom',
      text: '12custom',
    });
    expect(parseWheelFilename('foo-1.0-py3-none-any.whl').build).toBeUndefined();
  });

  it('a build tag beyond 2^53 keeps its exact text', () => {
    expect(parseWheelFilename('foo-1.0-123456789012345678901234-py3-none-any.whl').build?.text).toBe(
      '123456789012345678901234',
    );
  });

  it('a build tag must start with a digit', () => {
    expect(rejected(() => parseWheelFilename('foo-1.0-abc-py3-none-any.whl')).message).toContain('start with a digit');
  });

  it('a build tag of 200,000 digits before a line separator is refused in one pass', () => {
    // `^([0-9]+)(.*)$` gave back one digit at a time and rescanned the rest: 200,000 x 200,000 steps.
    const name = `foo-1.0-${'1'.repeat(200_000)}\u2028-py3-none-any.whl`;
    expect(rejected(() => parseWheelFilename(name)).message).toContain('start with a digit');
  });

  it('a dash in the project name is refused (it must be escaped as _)', () => {
    expect(rejected(() => parseWheelFilename('foo-bar-1.0-py3-none-any.whl')).message).toContain('invalid version');
  });

  it('the python tag must be an identifier', () => {
    expect(rejected(() => parseWheelFilename('foo-1.0-3py-none-any.whl')).message).toContain('invalid python tag');
  });

  it('a tag set that would expand to thousands of tags is refused', () => {
    const many = Array.from({ length: 20 }, (_, i) => `p${i}`).join('.');
    const name = `foo-1.0-${many}-${many}-${many}.whl`;
    expect(20 ** 3).toBeGreaterThan(MAX_WHEEL_TAGS);
    expect(rejected(() => parseWheelFilename(name)).message).toContain('8000 tags');
  });

  it('the error names the file and the problem', () => {
    expect(rejected(() => parseWheelFilename('foo-1.0.whl')).message).toBe(
      `invalid distribution file name "foo-1.0.whl": expected name-version(-build)-python-abi-platform.whl, found 2 parts separated by '-'`,
    );
  });
});

describe('sdists', () => {
  it('the name is everything before the last dash', () => {
    expect(parseSdistFilename('zope.interface-foo-5.4.0.tar.gz')).toEqual({
      name: 'zope-interface-foo',
      version: '5.4.0',
      extension: '.tar.gz',
    });
  });

  it('zip sdists', () => {
    expect(parseSdistFilename('foo-1.0.zip').extension).toBe('.zip');
  });

  it('legacy archive types only when asked for', () => {
    rejected(() => parseSdistFilename('foo-1.0.tar.bz2'));
    expect(parseSdistFilename('foo-1.0.tar.bz2', { legacy: true })).toEqual({
      name: 'foo',
      version: '1.0',
      extension: '.tar.bz2',
    });
    expect(parseSdistFilename('foo-1.0.tgz', { legacy: true }).extension).toBe('.tgz');
    expect(parseSdistFilename('foo-1.0.tar', { legacy: true }).extension).toBe('.tar');
    expect(parseSdistFilename('foo-1.0.tar.gz', { legacy: true }).extension).toBe('.tar.gz');
    expect(parseSdistFilename('foo-1.0.tar.xz', { legacy: true }).extension).toBe('.tar.xz');
  });

  it('a legacy version is refused even in legacy mode', () => {
    rejected(() => parseSdistFilename('foo-1.0-beta.tar.gz', { legacy: true }));
  });

  it('an empty project name is refused', () => {
    expect(rejected(() => parseSdistFilename('-1.0.tar.gz')).message).toContain('empty');
  });
});

describe('hostile file names (stricter than packaging)', () => {
  it('path separators are refused', () => {
    // packaging accepts a '/' inside a build tag or platform tag; a file name from an index page
    // is a basename, and a separator in it is a path traversal attempt.
    rejected(() => parseWheelFilename('foo-1.0-1/../../x-py3-none-any.whl'));
    rejected(() => parseWheelFilename('foo-1.0-py3-none-any\\..\\x.whl'));
    rejected(() => parseSdistFilename('../../foo-1.0.tar.gz'));
  });

  it('control characters are refused', () => {
    rejected(() => parseSdistFilename('foo\u0000-1.0.tar.gz'));
    rejected(() => parseWheelFilename('foo-1.0-1\n-py3-none-any.whl'));
  });

  it('a very long name is quoted only in part in the error message', () => {
    const err = rejected(() => parseSdistFilename(`${'a'.repeat(100000)}.tar.gz`));
    expect(err.message.length).toBeLessThan(400);
  });
});
