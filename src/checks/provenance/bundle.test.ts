/**
 * Bundles for plain files: the sigstore-python test bundles (staging-signed), and the cosign-style
 * expectations around them: exact identity and issuer, the file bound to the signature, managed keys.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { loadTrustedRootFile, resolveTrustedRoot } from '../../sources/sigstore/trusted-root.js';
import { verifyBundle, verifySignatures, type ExpectedSigner } from './bundle.js';
import { VerifyError } from './errors.js';

const VECTORS = fileURLToPath(new URL('../../../../shared/vectors/provenance/', import.meta.url));
const SP = `${VECTORS}sigstore-python/`;
const CONFORMANCE = `${VECTORS}sigstore-conformance/bundle-verify/`;
const staging = loadTrustedRootFile(`${VECTORS}trusted-roots/staging.trusted_root.json`);
const production = resolveTrustedRoot();
const GITHUB_LOGIN = 'https://github.com/login/oauth';
const BEACON =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';

function bundleFor(artifact: string): unknown {
  const path = [`${SP}${artifact}.sigstore`, `${SP}${artifact}.sigstore.json`].find((p) => existsSync(p))!;
  return JSON.parse(readFileSync(path, 'utf8'));
}

function identity(san: string, issuer = GITHUB_LOGIN): ExpectedSigner {
  return { kind: 'publisher', spec: { kind: 'identity', identity: san, issuer } };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof VerifyError) return err.code;
    throw err;
  }
}

describe('sigstore-python bundles (staging root)', () => {
  const pass: [string, string][] = [
    ['bundle.txt', 'a@tny.town'],
    ['bundle_v3.txt', 'william@yossarian.net'],
    ['bundle_v3_alt.txt', 'william@yossarian.net'],
    ['staging-rekor-v2.txt', 'jku@goto.fi'],
  ];
  it.each(pass)('%s verifies for %s', (artifact, san) => {
    const v = verifyBundle(bundleFor(artifact), { kind: 'bytes', bytes: readFileSync(SP + artifact) }, staging, identity(san));
    expect(v.signer.kind).toBe('certificate');
    expect(v.content.kind).toBe('message-signature');
    // ... and not against production (Rekor v2 bundles fail first on the staging timestamp authority).
    const code = codeOf(() => verifyBundle(bundleFor(artifact), { kind: 'bytes', bytes: readFileSync(SP + artifact) }, production, identity(san)));
    expect(['certificate-invalid', 'timestamp-invalid']).toContain(code);
  });

  it('a.dsse.staging-rekor-v2.txt: DSSE over Rekor v2 verifies as sigstore-python does (verify_dsse, no artifact)', () => {
    const v = verifySignatures(bundleFor('a.dsse.staging-rekor-v2.txt'), undefined, staging);
    expect(v.content.kind).toBe('dsse');
    expect(v.tlogEntries[0]).toMatchObject({ kind: 'hashedrekord', version: '0.0.2', integratedTime: undefined });
    expect(v.signer.kind === 'certificate' && v.signer.identity.san).toBe(BEACON);
    // Its statement's subject is the conformance suite's a.txt, so that is the file it binds...
    const expected = identity(BEACON, 'https://token.actions.githubusercontent.com');
    verifyBundle(bundleFor('a.dsse.staging-rekor-v2.txt'), { kind: 'bytes', bytes: readFileSync(`${CONFORMANCE}a.txt`) }, staging, expected);
    // ... and not the text file it is named after.
    expect(
      codeOf(() => verifyBundle(bundleFor('a.dsse.staging-rekor-v2.txt'), { kind: 'bytes', bytes: readFileSync(`${SP}a.dsse.staging-rekor-v2.txt`) }, staging, expected)),
    ).toBe('digest-mismatch');
  });

  const fail: [string, string][] = [
    ['bundle_cve_2022_36056.txt', 'tlog-invalid'],
    ['bundle_v3_no_signed_time.txt', 'timestamp-invalid'],
    ['bundle_invalid_version.txt', 'bundle-malformed'],
    ['bundle_no_cert_v1.txt', 'bundle-malformed'],
    ['bundle_no_checkpoint.txt', 'bundle-malformed'],
    ['bundle_no_log_entry.txt', 'tlog-invalid'],
  ];
  it.each(fail)('%s is rejected: %s', (artifact, code) => {
    // The identity does not matter: each must fail before identity is looked at.
    const got = codeOf(() => verifySignatures(bundleFor(artifact), { kind: 'bytes', bytes: readFileSync(SP + artifact) }, staging));
    expect(got).toBe(code);
  });
});

describe('cosign-style expectations', () => {
  const artifact = { kind: 'bytes' as const, bytes: readFileSync(`${SP}bundle_v3.txt`) };

  it('identity and issuer are compared exactly', () => {
    const b = bundleFor('bundle_v3.txt');
    expect(codeOf(() => verifyBundle(b, artifact, staging, identity('william@yossarian.net')))).toBeUndefined();
    for (const san of ['william@yossarian.ne', 'illiam@yossarian.net', 'William@yossarian.net', '.*', 'william@yossarian.net ']) {
      expect(codeOf(() => verifyBundle(b, artifact, staging, identity(san)))).toBe('identity-mismatch');
    }
    for (const issuer of ['https://github.com/login/oauth/', 'https://github.com/login', 'https://accounts.google.com']) {
      expect(codeOf(() => verifyBundle(b, artifact, staging, identity('william@yossarian.net', issuer)))).toBe('issuer-mismatch');
    }
  });

  it('the file must be the signed one', () => {
    const other = { kind: 'bytes' as const, bytes: Buffer.concat([artifact.bytes, Buffer.from('x')]) };
    expect(codeOf(() => verifyBundle(bundleFor('bundle_v3.txt'), other, staging, identity('william@yossarian.net')))).toBe('digest-mismatch');
  });

  it('a message signature needs the file, not just its digest', () => {
    expect(() =>
      verifyBundle(bundleFor('bundle_v3.txt'), { kind: 'sha256', sha256: '00'.repeat(32) }, staging, identity('william@yossarian.net')),
    ).toThrow(UsageError);
  });

  it('a managed key is refused for a certificate bundle, and the other way round', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(codeOf(() => verifyBundle(bundleFor('bundle_v3.txt'), artifact, staging, { kind: 'key', key: publicKey }))).toBe('key-mismatch');
    const managed = JSON.parse(readFileSync(`${CONFORMANCE}managed-key-happy-path/bundle.sigstore.json`, 'utf8'));
    const a = { kind: 'bytes' as const, bytes: readFileSync(`${CONFORMANCE}a.txt`) };
    expect(codeOf(() => verifyBundle(managed, a, production, identity('x')))).toBe('key-mismatch');
    const key = createPublicKey(readFileSync(`${CONFORMANCE}managed-key-happy-path/key.pub`, 'utf8'));
    const v = verifyBundle(managed, a, production, { kind: 'key', key });
    expect(v.signer.kind).toBe('key');
    // A well-formed key that is not the signer's.
    expect(codeOf(() => verifyBundle(managed, a, production, { kind: 'key', key: publicKey }))).toBe('signature-invalid');
  });
});
