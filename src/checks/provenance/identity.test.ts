/** Certificate identities and publisher specs: claim extraction from real Fulcio certificates, exact matching. */
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { VerifyError } from './errors.js';
import { certificateIdentity, checkPublisher, formatPublisherSpec, parsePublisherSpec, type CertificateIdentity } from './identity.js';

const PA = fileURLToPath(new URL('../../../../shared/vectors/provenance/pypi-attestations/', import.meta.url));
// The .pem files open with a line of prose; Node's parser skips it and hands over the DER.
const pem = (name: string): CertificateIdentity =>
  certificateIdentity(X509Certificate.parse(Buffer.from(new NodeX509Certificate(readFileSync(PA + name)).raw)));
const attestationCert = (name: string): CertificateIdentity => {
  const att = JSON.parse(readFileSync(PA + name, 'utf8')) as { verification_material: { certificate: string } };
  return certificateIdentity(X509Certificate.parse(Buffer.from(att.verification_material.certificate, 'base64')));
};

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as VerifyError).code;
  }
}

describe('certificateIdentity', () => {
  it('reads the SAN, issuer and every CI claim of a GitHub Actions certificate', () => {
    const id = attestationCert('pypi_attestations-0.0.19.tar.gz.publish.attestation');
    expect(id).toMatchObject({
      san: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      sanType: 'uri',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    expect(id.claims).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      buildSignerUri: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      buildSignerDigest: '08802efe1f8e5fec4ad842d6b8ce97656092ee72',
      runnerEnvironment: 'github-hosted',
      sourceRepositoryUri: 'https://github.com/trailofbits/pypi-attestations',
      sourceRepositoryDigest: '08802efe1f8e5fec4ad842d6b8ce97656092ee72',
      sourceRepositoryRef: 'refs/tags/v0.0.19',
      sourceRepositoryIdentifier: '772247423',
      sourceRepositoryOwnerUri: 'https://github.com/trailofbits',
      sourceRepositoryOwnerIdentifier: '2314423',
      buildConfigUri: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      buildConfigDigest: '08802efe1f8e5fec4ad842d6b8ce97656092ee72',
      buildTrigger: 'release',
      runInvocationUri: 'https://github.com/trailofbits/pypi-attestations/actions/runs/12169989787/attempts/1',
      sourceRepositoryVisibilityAtSigning: 'public',
    });
    expect(id.notBefore).toBe('2024-12-04T23:14:01.000Z');
  });

  it('reads an e-mail identity (Google service account)', () => {
    const id = pem('200170367.pem');
    expect(id).toMatchObject({ san: '919436158236-compute@developer.gserviceaccount.com', sanType: 'email', issuer: 'https://accounts.google.com' });
    checkPublisher(id, parsePublisherSpec('google:919436158236-compute@developer.gserviceaccount.com'));
    expect(codeOf(() => checkPublisher(id, parsePublisherSpec('google:919436158236-compute@developer.gserviceaccount.co')))).toBe('publisher-mismatch');
  });

  it('a certificate without the Source Repository Ref claim still matches on the commit', () => {
    const id = pem('no-source-repository-ref-extension.pem');
    expect(id.claims.sourceRepositoryRef).toBeUndefined();
    checkPublisher(id, parsePublisherSpec('github:SWIFTSIM/swiftgalaxy@python-publish.yml'));
    expect(codeOf(() => checkPublisher(id, parsePublisherSpec('github:SWIFTSIM/swiftgalaxy@release.yml')))).toBe('publisher-mismatch');
  });
});

describe('checkPublisher', () => {
  const github = attestationCert('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const gitlab = attestationCert('gitlab_oidc_project-0.0.3.tar.gz.publish.attestation');

  it('GitHub: repository and workflow, exactly', () => {
    checkPublisher(github, parsePublisherSpec('github:trailofbits/pypi-attestations@release.yml'));
    for (const spec of ['github:trailofbits/pypi-attestations@release.yaml', 'github:trailofbits/pypi@release.yml', 'github:trailofbits/pypi-attestations2@release.yml']) {
      expect(codeOf(() => checkPublisher(github, parsePublisherSpec(spec)))).toBe('publisher-mismatch');
    }
  });

  it('a forged Build Config URI pointing at another repository does not pass on the repository alone', () => {
    const forged: CertificateIdentity = { ...github, claims: { ...github.claims, buildConfigUri: 'https://github.com/evil/fork/.github/workflows/release.yml@refs/tags/v0.0.19' } };
    expect(codeOf(() => checkPublisher(forged, parsePublisherSpec('github:trailofbits/pypi-attestations@release.yml')))).toBe('publisher-mismatch');
    const oldCert: CertificateIdentity = { ...github, claims: { issuer: github.issuer! } };
    expect(codeOf(() => checkPublisher(oldCert, parsePublisherSpec('github:trailofbits/pypi-attestations@release.yml')))).toBe('publisher-mismatch');
  });

  it('GitLab: project and CI file path, with GitLab\'s // separator', () => {
    checkPublisher(gitlab, parsePublisherSpec('gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml'));
    expect(codeOf(() => checkPublisher(gitlab, parsePublisherSpec('gitlab:facutuesca/gitlab-oidc-project@ci/.gitlab-ci.yml')))).toBe('publisher-mismatch');
    expect(codeOf(() => checkPublisher(gitlab, parsePublisherSpec('github:facutuesca/gitlab-oidc-project@.gitlab-ci.yml')))).toBe('publisher-mismatch');
    expect(codeOf(() => checkPublisher(github, parsePublisherSpec('gitlab:trailofbits/pypi-attestations@release.yml')))).toBe('publisher-mismatch');
  });
});

describe('parsePublisherSpec', () => {
  it('parses the three kinds and formats them back', () => {
    for (const spec of ['github:trailofbits/pypi-attestations@release.yml', 'gitlab:group/sub/project@ci/release.yml', 'google:a@b.iam.gserviceaccount.com']) {
      expect(formatPublisherSpec(parsePublisherSpec(spec))).toBe(spec);
    }
  });

  it('refuses what it cannot compare exactly', () => {
    for (const spec of [
      'trailofbits/pypi-attestations@release.yml',
      'github:trailofbits/pypi-attestations',
      'github:trailofbits@release.yml',
      'github:trailofbits/pypi-attestations@.github/workflows/release.yml',
      'github:trailofbits/pypi-attestations@',
      'github:trailofbits/*@release.yml',
      'gitlab:project@.gitlab-ci.yml',
      'gitlab:group/project@../x.yml',
      'google:not-an-email',
      'bitbucket:a/b@c',
    ]) {
      expect(() => parsePublisherSpec(spec), spec).toThrow(UsageError);
    }
  });
});
