/**
 * SLSA provenance: the real pypi-attestations 0.0.19 provenance (v1, GitHub workflow build type),
 * and hand-written statements in the shape slsa-github-generator's generic generator writes (v0.2),
 * checked against certificate claims.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { resolveTrustedRoot } from '../../sources/sigstore/trusted-root.js';
import { VerifyError } from './errors.js';
import { certificateIdentity, type CertificateIdentity } from './identity.js';
import { parseStatement, type Statement } from './intoto.js';
import { attestationToBundle } from './pep740.js';
import { checkSlsaAgainstCertificate, checkSlsaExpectations, readSlsaClaims, verifySlsaBundle, type SlsaExpectations } from './slsa.js';

const PA = fileURLToPath(new URL('../../../../shared/vectors/provenance/pypi-attestations/', import.meta.url));
const SHA = '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3';
const production = resolveTrustedRoot();
const attestation = (name: string) => JSON.parse(readFileSync(PA + name, 'utf8')) as { envelope: { statement: string }; verification_material: { certificate: string } };
const slsaBundle = () => attestationToBundle(attestation('pypi_attestations-0.0.19.tar.gz.slsa.attestation'));
const EXPECT: SlsaExpectations = { sourceUri: 'github.com/trailofbits/pypi-attestations', sourceTag: 'v0.0.19' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof VerifyError) return err.code;
    throw err;
  }
}

describe('verifySlsaBundle on the real pypi-attestations provenance', () => {
  it('verifies: builder, source repository and tag, subject digest, all tied to the certificate', () => {
    const v = verifySlsaBundle(slsaBundle(), SHA, EXPECT, production);
    expect(v.builderTrust).toBe('source-repository');
    expect(v.claims).toMatchObject({
      predicateType: 'https://slsa.dev/provenance/v1',
      builderId: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      sourceRepository: 'github.com/trailofbits/pypi-attestations',
      sourceRef: 'refs/tags/v0.0.19',
      repositoryId: '772247423',
      ownerId: '2314423',
    });
    for (const sourceUri of ['https://github.com/trailofbits/pypi-attestations', 'git+https://github.com/trailofbits/pypi-attestations.git']) {
      expect(verifySlsaBundle(slsaBundle(), SHA, { sourceUri }, production).builderTrust).toBe('source-repository');
    }
  });

  it('rejects another source, tag, branch or builder', () => {
    expect(codeOf(() => verifySlsaBundle(slsaBundle(), SHA, { sourceUri: 'github.com/trailofbits/pypi-attestation' }, production))).toBe('source-mismatch');
    expect(codeOf(() => verifySlsaBundle(slsaBundle(), SHA, { ...EXPECT, sourceTag: 'v0.0.1' }, production))).toBe('source-mismatch');
    expect(codeOf(() => verifySlsaBundle(slsaBundle(), SHA, { ...EXPECT, sourceTag: undefined, sourceBranch: 'main' }, production))).toBe('source-mismatch');
    const builder = 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml';
    expect(verifySlsaBundle(slsaBundle(), SHA, { ...EXPECT, builderId: builder }, production).builderTrust).toBe('expected');
    expect(verifySlsaBundle(slsaBundle(), SHA, { ...EXPECT, builderId: `${builder}@refs/tags/v0.0.19` }, production).builderTrust).toBe('expected');
    expect(codeOf(() => verifySlsaBundle(slsaBundle(), SHA, { ...EXPECT, builderId: `${builder}@refs/heads/main` }, production))).toBe('builder-mismatch');
    expect(codeOf(() => verifySlsaBundle(slsaBundle(), SHA, { ...EXPECT, builderId: builder.replace('release', 'build') }, production))).toBe('builder-mismatch');
  });

  it('rejects another artifact, and a statement that is not SLSA provenance', () => {
    expect(codeOf(() => verifySlsaBundle(slsaBundle(), SHA.replace('9', '8'), EXPECT, production))).toBe('digest-mismatch');
    const publish = attestationToBundle(attestation('pypi_attestations-0.0.19.tar.gz.publish.attestation'));
    expect(codeOf(() => verifySlsaBundle(publish, SHA, EXPECT, production))).toBe('predicate-unknown');
  });
});

describe('predicate claims against the certificate', () => {
  const att = attestation('pypi_attestations-0.0.19.tar.gz.slsa.attestation');
  const id = certificateIdentity(X509Certificate.parse(Buffer.from(att.verification_material.certificate, 'base64')));
  const statement = (edit: (s: any) => void = () => {}): Statement => {
    const s = JSON.parse(Buffer.from(att.envelope.statement, 'base64').toString('utf8'));
    edit(s);
    return parseStatement('application/vnd.in-toto+json', Buffer.from(JSON.stringify(s)));
  };

  it('the real statement agrees with its certificate', () => {
    expect(codeOf(() => checkSlsaAgainstCertificate(readSlsaClaims(statement()), id))).toBeUndefined();
  });

  it('a predicate that claims another builder, repository, ref, trigger or id does not', () => {
    const edits: [string, (s: any) => void][] = [
      ['builder-mismatch', (s) => (s.predicate.runDetails.builder.id = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0')],
      ['source-mismatch', (s) => (s.predicate.buildDefinition.externalParameters.workflow.repository = 'https://github.com/evil/pypi-attestations')],
      ['source-mismatch', (s) => (s.predicate.buildDefinition.externalParameters.workflow.ref = 'refs/heads/main')],
      ['source-mismatch', (s) => (s.predicate.buildDefinition.internalParameters.github.event_name = 'pull_request_target')],
      ['source-mismatch', (s) => (s.predicate.buildDefinition.internalParameters.github.repository_id = '1')],
      ['source-mismatch', (s) => (s.predicate.buildDefinition.resolvedDependencies[0].digest.gitCommit = '0'.repeat(40))],
    ];
    for (const [code, edit] of edits) expect(codeOf(() => checkSlsaAgainstCertificate(readSlsaClaims(statement(edit)), id))).toBe(code);
  });
});

describe('SLSA v0.2, the generic generator\'s shape', () => {
  const GENERATOR = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml';
  const v02 = (builderRef: string, sourceRef = 'refs/tags/v1.2.3'): Statement =>
    parseStatement(
      'application/vnd.in-toto+json',
      Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: 'https://slsa.dev/provenance/v0.2',
          subject: [
            { name: 'example-1.2.3.tar.gz', digest: { sha256: 'aa'.repeat(32) } },
            { name: 'example-1.2.3-py3-none-any.whl', digest: { sha256: 'bb'.repeat(32) } },
          ],
          predicate: {
            builder: { id: `${GENERATOR}@${builderRef}` },
            buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
            invocation: {
              configSource: { uri: `git+https://github.com/example/project@${sourceRef}`, digest: { sha1: 'c'.repeat(40) }, entryPoint: '.github/workflows/release.yml' },
              environment: { github_event_name: 'push', github_repository_id: '42', github_repository_owner_id: '7', github_ref: sourceRef, github_sha1: 'c'.repeat(40) },
            },
            materials: [{ uri: `git+https://github.com/example/project@${sourceRef}`, digest: { sha1: 'c'.repeat(40) } }],
          },
        }),
      ),
    );
  const certFor = (builderRef: string, sourceRef = 'refs/tags/v1.2.3'): CertificateIdentity => ({
    san: `${GENERATOR}@${builderRef}`,
    sanType: 'uri',
    issuer: 'https://token.actions.githubusercontent.com',
    claims: {
      buildSignerUri: `${GENERATOR}@${builderRef}`,
      sourceRepositoryUri: 'https://github.com/example/project',
      sourceRepositoryRef: sourceRef,
      sourceRepositoryDigest: 'c'.repeat(40),
      buildTrigger: 'push',
      sourceRepositoryIdentifier: '42',
      sourceRepositoryOwnerIdentifier: '7',
    },
    notBefore: '',
    notAfter: '',
  });

  it('trusts slsa-github-generator at a release tag', () => {
    const claims = readSlsaClaims(v02('refs/tags/v2.0.0'));
    checkSlsaAgainstCertificate(claims, certFor('refs/tags/v2.0.0'));
    expect(checkSlsaExpectations(claims, { sourceUri: 'github.com/example/project', sourceTag: 'v1.2.3' })).toBe('slsa-github-generator');
  });

  it('refuses it at a branch, and refuses a source the materials contradict', () => {
    const claims = readSlsaClaims(v02('refs/heads/main'));
    checkSlsaAgainstCertificate(claims, certFor('refs/heads/main'));
    expect(codeOf(() => checkSlsaExpectations(claims, { sourceUri: 'github.com/example/project' }))).toBe('builder-mismatch');
    const s = v02('refs/tags/v2.0.0');
    (s.predicate as any).materials[0].uri = 'git+https://github.com/evil/project@refs/tags/v1.2.3';
    expect(codeOf(() => readSlsaClaims(s))).toBe('source-mismatch');
  });

  it('a certificate issued to another workflow than the claimed builder', () => {
    expect(codeOf(() => checkSlsaAgainstCertificate(readSlsaClaims(v02('refs/tags/v2.0.0')), certFor('refs/tags/v2.0.1')))).toBe('builder-mismatch');
  });
});
