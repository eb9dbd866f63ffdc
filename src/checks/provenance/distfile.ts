/**
 * When two distribution file names name the same file. An attestation's subject is a file name
 * written by whoever signed, and the same wheel can be spelled several ways: the project name
 * unnormalized (`Foo.Bar` / `foo_bar`), the version non-canonical (`01.0` / `1.0`), and a
 * compressed tag set in any order (`manylinux_2_17_x86_64.manylinux2014_x86_64` or the
 * reverse). PyPI normalizes when it signs; other signers may not. So both names are parsed by
 * core/filename and compared as parsed values, never as strings or patterns.
 */
import { parseSdistFilename, parseWheelFilename } from '../../core/filename.js';

/** A canonical key for a wheel or sdist name; throws InputError when it is neither. */
export function distributionKey(filename: string): string {
  if (filename.endsWith('.whl')) {
    const wheel = parseWheelFilename(filename);
    const tags = wheel.tags.map((t) => `${t.python}-${t.abi}-${t.platform}`).sort();
    const build = wheel.build ? `${wheel.build.number}${wheel.build.suffix}` : '';
    return JSON.stringify(['wheel', wheel.name, wheel.version, build, tags]);
  }
  const sdist = parseSdistFilename(filename);
  return JSON.stringify(['sdist', sdist.name, sdist.version, sdist.extension]);
}

/** True when both parse and name the same distribution; false when they differ or one does not parse. */
export function sameDistribution(a: string, b: string): boolean {
  try {
    return distributionKey(a) === distributionKey(b);
  } catch {
    return false;
  }
}
