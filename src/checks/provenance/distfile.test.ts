/** When two distribution file names name the same file. */
import { describe, expect, it } from 'vitest';
import { sameDistribution } from './distfile.js';

describe('sameDistribution', () => {
  it('compressed tag sets in any order (the spt3g case)', () => {
    expect(
      sameDistribution(
        'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
        'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
      ),
    ).toBe(true);
    expect(sameDistribution('six-1.16.0-py2.py3-none-any.whl', 'six-1.16.0-py3.py2-none-any.whl')).toBe(true);
  });

  it('normalized names and canonical versions', () => {
    expect(sameDistribution('PyPI.Attestations-0.0.19.tar.gz', 'pypi_attestations-0.0.19.tar.gz')).toBe(true);
    expect(sameDistribution('foo-01.0-py3-none-any.whl', 'foo-1.0-py3-none-any.whl')).toBe(true);
  });

  it('different files', () => {
    const cases: [string, string][] = [
      ['spt3g-1.0-cp310-cp310-manylinux2014_x86_64.whl', 'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'],
      ['foo-1.0-py3-none-any.whl', 'foo-1.0.0-py3-none-any.whl'],
      ['foo-1.0-py3-none-any.whl', 'foo-1.0-1-py3-none-any.whl'],
      ['foo-1.0-1-py3-none-any.whl', 'foo-1.0-2-py3-none-any.whl'],
      ['foo-1.0.tar.gz', 'foo-1.0.zip'],
      ['foo-1.0.tar.gz', 'foo-1.0-py3-none-any.whl'],
      ['foo-1.0.tar.gz', 'fooo-1.0.tar.gz'],
      ['foo-1.0.tar.gz', 'not a file name'],
      ['../foo-1.0.tar.gz', '../foo-1.0.tar.gz'],
    ];
    for (const [a, b] of cases) expect(sameDistribution(a, b), `${a} vs ${b}`).toBe(false);
  });
});
