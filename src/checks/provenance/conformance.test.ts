/**
 * The sigstore-conformance bundle-verify suite (v0.0.29, 70 cases), through verifyBundle: a case
 * whose folder ends in `_fail` must be rejected with a typed error, every other case must verify.
 * Case layout and defaults: ../shared/vectors/provenance/sigstore-conformance/bundle-verify/README.md
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PywardError } from '../../core/errors.js';
import { loadTrustedRootFile, resolveTrustedRoot } from '../../sources/sigstore/trusted-root.js';
import { verifyBundle, type ExpectedSigner } from './bundle.js';
import { VerifyError } from './errors.js';

const SUITE = fileURLToPath(new URL('../../../../shared/vectors/provenance/sigstore-conformance/bundle-verify/', import.meta.url));
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * Why each `_fail` case must be rejected, as pyward's error code: a rejection for another reason
 * (a parser tripping early, say) would pass the suite while hiding a gap in the check it targets.
 * `input-parse` is a user-supplied input pyward cannot use at all (a corrupt key.pub, a trusted
 * root whose log key has no validity start), reported as an input error rather than a verdict.
 */
const EXPECTED_CODES: Record<string, string> = {
  'bundle-empty-certificate-chain_fail': 'bundle-malformed',
  'bundle-from-wrong-instance_fail': 'certificate-invalid',
  'bundle-invalid-base64-signature_fail': 'bundle-malformed',
  'bundle-malformed-json_fail': 'bundle-malformed',
  'bundle-negative-log-index_fail': 'bundle-malformed',
  'bundle-unknown-version_fail': 'bundle-malformed',
  'bundle-with-root-cert_fail': 'certificate-invalid',
  'checkpoint-bad-keyhint_fail': 'tlog-invalid',
  'checkpoint-wrong-roothash_fail': 'tlog-invalid',
  'dsse-invalid-sig_fail': 'signature-invalid',
  'dsse-mismatch-envelope_fail': 'tlog-invalid',
  'dsse-mismatch-sig_fail': 'tlog-invalid',
  'inclusion-proof-corrupted-hash_fail': 'tlog-invalid',
  'incorrect-public-key_fail': 'tlog-invalid',
  'integrated-time-in-future_fail': 'certificate-invalid',
  'intoto-expired-certificate_fail': 'certificate-invalid',
  'intoto-log-entry-mismatch_fail': 'tlog-invalid',
  'intoto-missing-inclusion-proof_fail': 'bundle-malformed',
  'intoto-set-outside-signing-cert-validity_fail': 'certificate-invalid',
  'intoto-tsa-timestamp-outside-cert-validity_fail': 'certificate-invalid',
  'invalid-checkpoint-signature_fail': 'tlog-invalid',
  'invalid-ct-key_fail': 'certificate-invalid',
  'invalid-inclusion-proof_fail': 'bundle-malformed',
  'managed-key-no-key_fail': 'key-mismatch',
  'managed-key-wrong-key_fail': 'input-parse',
  'message-digest-mismatch_fail': 'digest-mismatch',
  'rekor2-checkpoint-missing-log-signature_fail': 'tlog-invalid',
  'rekor2-checkpoint-missing-origin_fail': 'tlog-invalid',
  'rekor2-checkpoint-missing-root-hash_fail': 'tlog-invalid',
  'rekor2-checkpoint-missing-size_fail': 'tlog-invalid',
  'rekor2-checkpoint-no-matching-signature_fail': 'tlog-invalid',
  'rekor2-dsse-invalid-sig_fail': 'signature-invalid',
  'rekor2-dsse-mismatch-envelope_fail': 'tlog-invalid',
  'rekor2-dsse-mismatch-sig_fail': 'tlog-invalid',
  'rekor2-no-inclusion-proof_fail': 'bundle-malformed',
  'rekor2-no-timestamp_fail': 'timestamp-invalid',
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': 'timestamp-invalid',
  'rekor2-timestamp-outside-tsa-cert-validity_fail': 'timestamp-invalid',
  'rekor2-timestamp-payload-mismatch_fail': 'timestamp-invalid',
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail': 'timestamp-invalid',
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': 'timestamp-invalid',
  'rekor2-timestamp-with-incorrect-time_fail': 'certificate-invalid',
  'set-invalid-signature_fail': 'tlog-invalid',
  'signature-mismatch_fail': 'signature-invalid',
  'trust-root-tlog-missing-validity-start_fail': 'input-parse',
  'wrong-hashedrekord-artifact_fail': 'tlog-invalid',
  'wrong-hashedrekord-cert-and-sig_fail': 'tlog-invalid',
  'wrong-hashedrekord-entry_fail': 'tlog-invalid',
  'wrong-material_fail': 'digest-mismatch',
};

const cases = readdirSync(SUITE)
  .filter((name) => statSync(join(SUITE, name)).isDirectory())
  .sort();

/** Runs one case the way the suite's harness would, returning the error when it was rejected. */
function runCase(name: string): { error?: unknown } {
  const dir = join(SUITE, name);
  const file = (f: string): string => join(dir, f);
  const read = (f: string): string => readFileSync(file(f), 'utf8').trim();
  try {
    const trust = existsSync(file('trusted_root.json')) ? loadTrustedRootFile(file('trusted_root.json')) : resolveTrustedRoot();
    const artifact = readFileSync(existsSync(file('artifact')) ? file('artifact') : join(SUITE, 'a.txt'));
    const expected: ExpectedSigner = existsSync(file('key.pub'))
      ? { kind: 'key', key: parseKey(readFileSync(file('key.pub'), 'utf8')) }
      : {
          kind: 'publisher',
          spec: {
            kind: 'identity',
            identity: existsSync(file('identity')) ? read('identity') : DEFAULT_IDENTITY,
            issuer: existsSync(file('issuer')) ? read('issuer') : DEFAULT_ISSUER,
          },
        };
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file('bundle.sigstore.json'), 'utf8'));
    } catch (err) {
      // The app layer reports unparsable JSON as bundle-malformed; mirror it.
      throw new VerifyError('bundle-malformed', (err as Error).message);
    }
    verifyBundle(json, { kind: 'bytes', bytes: artifact }, trust, expected);
    return {};
  } catch (error) {
    return { error };
  }
}

function parseKey(pem: string) {
  try {
    return createPublicKey(pem);
  } catch (err) {
    throw new PywardError('input-parse', `unreadable key.pub: ${(err as Error).message}`);
  }
}

describe('sigstore-conformance bundle-verify', () => {
  it('has the 70 cases of v0.0.29', () => {
    expect(cases).toHaveLength(70);
  });

  for (const name of cases) {
    const mustFail = name.endsWith('_fail');
    it(`${name} ${mustFail ? 'is rejected' : 'verifies'}`, () => {
      const { error } = runCase(name);
      if (mustFail) {
        expect(error, 'expected a rejection').toBeDefined();
        // A typed rejection, not a crash: a TypeError here would be a bug that happens to fail closed.
        expect(error instanceof VerifyError || error instanceof PywardError, String(error)).toBe(true);
        expect((error as VerifyError).code, String(error)).toBe(EXPECTED_CODES[name]);
      } else {
        expect(error === undefined ? undefined : String(error)).toBeUndefined();
      }
    });
  }
});
