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
  });
});
