/**
 * Staying quiet is half the job: on a fixed random sample of real PyPI names, few may be reported.
 * The full 10,000-name measurement is in bench/names/run.ts; this keeps a smaller sample under a
 * bound so a rule change that floods users with alerts fails here first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sampleNames } from '../../../bench/names/sample.js';
import { loadPopular } from '../../sources/popular/popular.js';
import { checkName } from './typosquat.js';

const NAMES = fileURLToPath(new URL('../../../../shared/data/pypi-names.tsv.gz', import.meta.url));

describe.skipIf(!existsSync(NAMES))('alert rate on real PyPI names', () => {
  it('reports under 3% of a fixed sample of 2,000 names, and never a popular one', () => {
    const index = loadPopular();
    const all = gunzipSync(readFileSync(NAMES))
      .toString('utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.slice(0, l.indexOf('\t')))
      .filter(Boolean);
    const sample = sampleNames(all, 2000, 1);
    const flagged = sample.filter((n) => checkName(n, index).length > 0);
    expect(flagged.filter((n) => index.has(n))).toEqual([]);
    expect(flagged.length / sample.length).toBeLessThan(0.03);
  });
});
