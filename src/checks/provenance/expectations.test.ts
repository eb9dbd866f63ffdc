/** Publisher pins from pyward.toml's [verify.publishers]. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { readPublisherPins } from './expectations.js';

function failure(text: string): InputError {
  try {
    readPublisherPins(text, 'pyward.toml');
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('readPublisherPins', () => {
  it('reads one pin per project, names normalized, with the line it came from', () => {
    const pins = readPublisherPins(
      ['[audit]', 'ignore = []', '', '[verify.publishers]', 'Pypi_Attestations = "github:trailofbits/pypi-attestations@release.yml"', '"gitlab-oidc-project" = "gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml"', ''].join('\n'),
      'pyward.toml',
    );
    expect([...pins.keys()]).toEqual(['pypi-attestations', 'gitlab-oidc-project']);
    expect(pins.get('pypi-attestations')).toEqual({ spec: { kind: 'github', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' }, origin: 'pyward.toml:5' });
    expect(pins.get('gitlab-oidc-project')!.origin).toBe('pyward.toml:6');
  });

  it('a file without [verify] pins nothing', () => {
    expect(readPublisherPins('[audit]\nx = 1\n', 'pyward.toml').size).toBe(0);
  });

  it('a bad entry is an error at its line, never a pin that does nothing', () => {
    expect(failure('[verify.publishers]\n\nfoo = "github:a/b"\n').location).toEqual({ file: 'pyward.toml', line: 3 });
    expect(failure('[verify.publishers]\nfoo = "github:a/b"\n').message).toMatch(/workflow is missing/);
    expect(failure('[verify.publishers]\nfoo = 3\n').message).toMatch(/is a string/);
    expect(failure('[verify.publishers]\nfoo_bar = "github:a/b@c.yml"\nfoo-bar = "github:a/b@c.yml"\n').message).toMatch(/twice/);
    expect(failure('[verify.publishers]\n"-bad-" = "github:a/b@c.yml"\n').message).toMatch(/not a project name/);
    expect(failure('[verify]\npublishers = "github:a/b@c.yml"\n').message).toMatch(/must be a table/);
    expect(failure('[verify.publishers\n').location?.line).toBe(1);
    expect(failure('[verify.publishers]\n  "-bad-" = "github:a/b@c.yml"\n').location?.line).toBe(2);
    expect(failure('x = 1\n\n  [ verify ]\npublishers = 3\n').location?.line).toBe(3);
  });

  it('200,000 blank lines before the tables are passed once, not once per line', () => {
    // A multiline `^\s*\[...` pattern rescanned every blank line below from each line start.
    const blank = '\n'.repeat(200_000);
    expect(failure(`${blank}verify = 1\n`).location).toEqual({ file: 'pyward.toml' });
    expect(readPublisherPins(`${blank}[verify]\npublishers = {}\n`, 'pyward.toml').size).toBe(0);
  });

  it('30,000 pins find their lines in one pass', () => {
    // Each key was searched for from the header, and its line counted from the top: 30,000 x 900 KB.
    const n = 30_000;
    const text = `[verify.publishers]\n${Array.from({ length: n }, (_, i) => `p${i} = "github:o/r@w.yml"\n`).join('')}`;
    const pins = readPublisherPins(text, 'pyward.toml');
    expect([...pins.values()].every((pin, i) => pin.origin === `pyward.toml:${i + 2}`)).toBe(true);
  });
});
