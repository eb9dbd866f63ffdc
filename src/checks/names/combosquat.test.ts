import { describe, expect, it } from 'vitest';
import { loadPopular, PopularIndex } from '../../sources/popular/popular.js';
import { checkName } from './typosquat.js';

const index = loadPopular();

function combo(name: string, idx = index) {
  const f = checkName(name, idx)[0];
  return f && { kind: f.kind, target: f.target, risk: f.risk, evidence: f.evidence };
}

describe('combosquats', () => {
  it('a popular name with words that only claim an edition', () => {
    expect(combo('requests-secure')).toEqual({
      kind: 'combosquat',
      target: 'requests',
      risk: 'high',
      evidence: ["'requests' (rank 6) with 'secure' added, words that name no feature"],
    });
    expect(combo('requests-darwin-lite')?.target).toBe('requests');
    expect(combo('pillow-simd')?.target).toBe('pillow');
    expect(combo('numpy-lite')?.target).toBe('numpy');
  });

  it('python-flask: a py/python affix as a word of its own', () => {
    expect(combo('python-flask')).toMatchObject({ kind: 'combosquat', target: 'flask' });
  });

  it('two famous projects outside any namespace, the longer name as the target', () => {
    expect(combo('beautifulsoup-numpy')).toMatchObject({ kind: 'combosquat', target: 'beautifulsoup4' });
    expect(combo('beautifulsoup-requests')).toMatchObject({ kind: 'combosquat', target: 'beautifulsoup4' });
    expect(combo('torchtriton')).toMatchObject({ kind: 'combosquat', target: 'triton' });
  });

  it('a misspelled long core next to an edition word', () => {
    expect(combo('ttensorflow-gpu')).toMatchObject({ kind: 'combosquat', target: 'tensorflow' });
  });

  it('integrations in a popular namespace are quiet', () => {
    // django-*, flask-*, requests-* and pandas-* each have many popular members: django-redis is the
    // normal shape of an integration. requests-flask and pandas-numpy look odd, but a rule that flagged
    // them would flag every integration too (0.7% of all PyPI names join two popular names).
    for (const name of ['django-redis', 'flask-sqlalchemy-extra-tools', 'requests-flask', 'pandas-numpy', 'fsspec-polars-io']) {
      expect(combo(name), name).toBeUndefined();
    }
  });

  it('feature words make a project of its own', () => {
    for (const name of ['django-utils', 'requests-cache', 'flask-login', 'numpy-financial', 'requests-foo']) {
      expect(combo(name), name).toBeUndefined();
    }
  });

  it('a pair is reported only when both halves are well known', () => {
    const small = PopularIndex.fromNames(['alpha', 'bravo', ...Array.from({ length: 2000 }, (_, i) => `filler${i}`), 'charlie']);
    expect(combo('alpha-bravo', small)).toMatchObject({ kind: 'combosquat', target: 'alpha' });
    expect(combo('alpha-charlie', small)).toBeUndefined();
  });
});
