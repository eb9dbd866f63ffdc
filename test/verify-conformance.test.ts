/**
 * The 70 sigstore-conformance bundle-verify cases through the built CLI, as the suite's own harness
 * drives a client: `pyward verify bundle FILE --bundle B` with the case's identity and issuer (or
 * --key), its trusted root when it has one. `_fail` cases must exit non-zero, the others 0 with
 * `verified: true`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pyward, SHARED } from './support/cli.js';

const SUITE = join(SHARED, 'vectors/provenance/sigstore-conformance/bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

const cases = readdirSync(SUITE).filter((n) => statSync(join(SUITE, n)).isDirectory()).sort();

function argsFor(name: string): string[] {
  const dir = join(SUITE, name);
  const has = (f: string) => existsSync(join(dir, f));
  const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
  const args = ['verify', 'bundle', has('artifact') ? join(dir, 'artifact') : join(SUITE, 'a.txt'), '--bundle', join(dir, 'bundle.sigstore.json'), '--format', 'json'];
  if (has('key.pub')) args.push('--key', join(dir, 'key.pub'));
  else args.push('--cert-identity', has('identity') ? read('identity') : DEFAULT_IDENTITY, '--cert-oidc-issuer', has('issuer') ? read('issuer') : DEFAULT_ISSUER);
  if (has('trusted_root.json')) args.push('--trusted-root', join(dir, 'trusted_root.json'));
  return args;
}

describe('sigstore-conformance bundle-verify through the CLI', () => {
  it('has 70 cases', () => expect(cases).toHaveLength(70));

  for (const name of cases) {
    const mustFail = name.endsWith('_fail');
    it(`${name} ${mustFail ? 'fails' : 'verifies'}`, () => {
      const r = pyward(argsFor(name));
      if (!mustFail) {
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect((JSON.parse(r.stdout) as { verified: boolean }).verified).toBe(true);
        return;
      }
      // 1: a verdict with an error code; 2: an input pyward cannot use (a corrupt key.pub, a trusted
      // root missing a validity start). Never a crash.
      expect([1, 2], r.stdout + r.stderr).toContain(r.code);
      if (r.code === 1) {
        const report = JSON.parse(r.stdout) as { verified: boolean; error: { code: string } };
        expect(report.verified).toBe(false);
        expect(report.error.code).toMatch(/^[a-z-]+$/);
      } else {
        expect(r.stderr).toMatch(/^pyward: /);
      }
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    });
  }
});
