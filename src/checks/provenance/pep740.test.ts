/**
 * PEP 740 attestations: the real pypi-attestations material (../shared/vectors/provenance), and the
 * README's negative cases, each made at run time by tampering with a copy of a real attestation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { loadTrustedRootFile, resolveTrustedRoot } from '../../sources/sigstore/trusted-root.js';
import { VerifyError } from './errors.js';
import { parsePublisherSpec, type PublisherSpec } from './identity.js';
import { parseStatement } from './intoto.js';
import {
  attestationToBundle,
  checkDistributionStatement,
  readProvenanceDocument,
  specFromClaim,
  verifyProvenance,
  type Distribution,
  type ProvenanceResult,
} from './pep740.js';

const VECTORS = fileURLToPath(new URL('../../../../shared/vectors/provenance/', import.meta.url));
const PA = `${VECTORS}pypi-attestations/`;
const production = resolveTrustedRoot();
const staging = loadTrustedRootFile(`${VECTORS}trusted-roots/staging.trusted_root.json`);

/** Fresh parsed JSON each time, so a test can tamper with it freely. */
function vector(name: string): Record<string, any> {
  return JSON.parse(readFileSync(PA + name, 'utf8')) as Record<string, any>;
}

const PA_SDIST: Distribution = {
  filename: 'pypi_attestations-0.0.19.tar.gz',
  sha256: '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3',
};
const PA_PUBLISHER = parsePublisherSpec('github:trailofbits/pypi-attestations@release.yml');
const YOSSARIAN: PublisherSpec = { kind: 'identity', identity: 'william@yossarian.net', issuer: 'https://github.com/login/oauth' };
const RFC8785_WHEEL: Distribution = {
  filename: 'rfc8785-0.1.2-py3-none-any.whl',
  sha256: 'c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201',
};

function verify(json: unknown, dist: Distribution, publisher: PublisherSpec, trust = production): ProvenanceResult {
  return verifyProvenance(readProvenanceDocument(json), dist, publisher, trust);
}

function expectFailure(result: ProvenanceResult, code: string): void {
  expect(result.verified).toBe(false);
  expect(result.error?.code, result.error?.message).toBe(code);
}

describe('real attestations verify', () => {
  it('pypi-attestations 0.0.19 publish attestation: GitHub trailofbits/pypi-attestations, release.yml at refs/tags/v0.0.19', () => {
    const r = verify(vector('pypi_attestations-0.0.19.tar.gz.publish.attestation'), PA_SDIST, PA_PUBLISHER);
    expect(r.error?.message).toBeUndefined();
    expect(r.verified).toBe(true);
    const a = r.attestations[0]!;
    expect(a.predicateType).toBe('https://docs.pypi.org/attestations/publish/v1');
    expect(a.signer?.san).toBe('https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19');
    expect(a.signer?.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(a.signer?.claims).toMatchObject({
      sourceRepositoryUri: 'https://github.com/trailofbits/pypi-attestations',
      sourceRepositoryRef: 'refs/tags/v0.0.19',
      sourceRepositoryDigest: '08802efe1f8e5fec4ad842d6b8ce97656092ee72',
      sourceRepositoryIdentifier: '772247423',
      sourceRepositoryOwnerIdentifier: '2314423',
      buildTrigger: 'release',
      runnerEnvironment: 'github-hosted',
    });
    expect(a.tlogEntries?.[0]).toMatchObject({ logIndex: '153454663', log: 'https://rekor.sigstore.dev', kind: 'dsse' });
    expect(a.signedAt).toEqual(['2024-12-04T23:14:01.000Z']);
  });

  it('pypi-attestations 0.0.19 SLSA provenance attestation, its claims tied to the certificate', () => {
    const r = verify(vector('pypi_attestations-0.0.19.tar.gz.slsa.attestation'), PA_SDIST, PA_PUBLISHER);
    expect(r.error?.message).toBeUndefined();
    expect(r.attestations[0]!.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(r.attestations[0]!.slsa).toMatchObject({
      builderId: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      sourceRepository: 'github.com/trailofbits/pypi-attestations',
      sourceRef: 'refs/tags/v0.0.19',
      sourceCommit: '08802efe1f8e5fec4ad842d6b8ce97656092ee72',
      trigger: 'release',
    });
  });

  it('pypi-attestations 0.0.19 Integrity API provenance response, with the index\'s publisher claim', () => {
    const r = verify(vector('pypi_attestations-0.0.19.tar.gz.provenance'), PA_SDIST, PA_PUBLISHER);
    expect(r.error?.message).toBeUndefined();
    expect(r.verified).toBe(true);
    expect(r.attestations).toHaveLength(1);
    expect(r.attestations[0]!.where).toBe('attestation_bundles[0].attestations[0]');
    expect(r.attestations[0]!.claimedPublisher).toMatchObject({ kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' });
  });

  it('GitLab facutuesca/gitlab-oidc-project, .gitlab-ci.yml', () => {
    const r = verify(
      vector('gitlab_oidc_project-0.0.3.tar.gz.publish.attestation'),
      { filename: 'gitlab_oidc_project-0.0.3.tar.gz', sha256: 'c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8' },
      parsePublisherSpec('gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml'),
    );
    expect(r.error?.message).toBeUndefined();
    expect(r.attestations[0]!.signer?.san).toBe('https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main');
  });

  const models: Distribution = {
    filename: 'pypi_attestation_models-0.0.4a2.tar.gz',
    sha256: 'c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef',
  };
  it.each(['pypi_attestation_models-0.0.4a2.tar.gz.attestation', 'pypi_attestation_models-0.0.4a2.tar.gz.sigstore'])(
    'GitHub trailofbits/pypi-attestation-models, release.yml: %s',
    (file) => {
      const r = verify(vector(file), models, parsePublisherSpec('github:trailofbits/pypi-attestation-models@release.yml'));
      expect(r.error?.message).toBeUndefined();
      expect(r.verified).toBe(true);
    },
  );

  it.each([
    'rfc8785-0.1.2-py3-none-any.whl.attestation',
    'rfc8785-0.1.2-py3-none-any.whl.publish.attestation',
    'rfc8785-0.1.2-py3-none-any.whl.sigstore',
  ])('staging-signed %s verifies with the staging root only', (file) => {
    const r = verify(vector(file), RFC8785_WHEEL, YOSSARIAN, staging);
    expect(r.error?.message).toBeUndefined();
    expect(r.verified).toBe(true);
    expectFailure(verify(vector(file), RFC8785_WHEEL, YOSSARIAN, production), 'certificate-invalid');
  });

  it('spt3g: the wheel named with its platform tags in the other order (digest only, no file)', () => {
    const dist = {
      filename: 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
      sha256: 'd2772f9a5199f05ed1be8d9aa78b879e51772e3ead9d73fe8057257b1aec7cf8',
    };
    const file = 'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation';
    const r = verify(vector(file), dist, YOSSARIAN, staging);
    expect(r.error?.message).toBeUndefined();
    expect(r.verified).toBe(true);
    // The same name as signed verifies too; a different platform does not.
    expect(verify(vector(file), { ...dist, filename: file.replace('.publish.attestation', '') }, YOSSARIAN, staging).verified).toBe(true);
    expectFailure(
      verify(vector(file), { ...dist, filename: 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.whl' }, YOSSARIAN, staging),
      'subject-mismatch',
    );
  });
});

describe('the README\'s negative cases, by tampering at run time', () => {
  const att = (): Record<string, any> => vector('pypi_attestations-0.0.19.tar.gz.publish.attestation');

  it('wrong workflow', () => {
    expectFailure(verify(att(), PA_SDIST, parsePublisherSpec('github:trailofbits/pypi-attestations@publish.yml')), 'publisher-mismatch');
  });

  it('wrong repository, including a prefix of the real one (no unanchored matching)', () => {
    for (const spec of [
      'github:trailofbits/pypi-attestation-models@release.yml',
      'github:trailofbits/pypi-attestation@release.yml',
      'github:trailofbit/pypi-attestations@release.yml',
      'github:TrailOfBits/pypi-attestations@release.yml',
      'github:trailofbits/pypi-attestations@release.ym',
    ]) {
      expectFailure(verify(att(), PA_SDIST, parsePublisherSpec(spec)), 'publisher-mismatch');
    }
  });

  it('another kind of publisher (GitLab spec, Google spec, exact identity of another workflow)', () => {
    expectFailure(verify(att(), PA_SDIST, parsePublisherSpec('gitlab:trailofbits/pypi-attestations@release.yml')), 'publisher-mismatch');
    expectFailure(verify(att(), PA_SDIST, parsePublisherSpec('google:someone@example.com')), 'publisher-mismatch');
    const san = 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19';
    expectFailure(verify(att(), PA_SDIST, { kind: 'identity', identity: san.slice(0, -1), issuer: 'https://token.actions.githubusercontent.com' }), 'identity-mismatch');
    expectFailure(verify(att(), PA_SDIST, { kind: 'identity', identity: san, issuer: 'https://token.actions.githubusercontent.co' }), 'issuer-mismatch');
    expect(verify(att(), PA_SDIST, { kind: 'identity', identity: san, issuer: 'https://token.actions.githubusercontent.com' }).verified).toBe(true);
  });

  it('one changed byte of the distribution: its sha256 is not the attested one', () => {
    // The distributions are not in the vectors; the verifier only ever sees the file's digest, so
    // a changed file is a changed digest.
    const changed = PA_SDIST.sha256.slice(0, -1) + (PA_SDIST.sha256.endsWith('3') ? '4' : '3');
    expectFailure(verify(att(), { ...PA_SDIST, sha256: changed }, PA_PUBLISHER), 'digest-mismatch');
  });

  it('a renamed distribution', () => {
    for (const filename of [
      'pypi_attestations-0.0.20.tar.gz',
      'pypi_attestation-0.0.19.tar.gz',
      'pypi_attestations-0.0.19.zip',
      'pypi_attestations-0.0.19-py3-none-any.whl',
    ]) {
      expectFailure(verify(att(), { ...PA_SDIST, filename }, PA_PUBLISHER), 'subject-mismatch');
    }
    // Spellings of the same name are the same distribution.
    expect(verify(att(), { ...PA_SDIST, filename: 'PyPI.Attestations-0.0.19.tar.gz' }, PA_PUBLISHER).verified).toBe(true);
  });

  it('a distribution name that is no distribution name at all is a usage error, not a verdict', () => {
    expect(() => verify(att(), { ...PA_SDIST, filename: 'not-a-distribution.txt' }, PA_PUBLISHER)).toThrow(InputError);
  });

  /** Re-encodes the statement after `edit`: the signature no longer covers it. */
  function withStatement(edit: (statement: any) => void): Record<string, any> {
    const a = att();
    const statement = JSON.parse(Buffer.from(a['envelope'].statement, 'base64').toString('utf8'));
    edit(statement);
    a['envelope'].statement = Buffer.from(JSON.stringify(statement)).toString('base64');
    return a;
  }

  it('two subjects: the signature no longer covers the statement', () => {
    const a = withStatement((s) => s.subject.push({ name: 'evil-1.0.tar.gz', digest: { sha256: '00'.repeat(32) } }));
    expectFailure(verify(a, PA_SDIST, PA_PUBLISHER), 'signature-invalid');
  });

  it('an unknown predicate type: the signature no longer covers the statement', () => {
    const a = withStatement((s) => (s.predicateType = 'https://example.com/attestations/evil/v1'));
    expectFailure(verify(a, PA_SDIST, PA_PUBLISHER), 'signature-invalid');
  });

  it('an edited statement (the subject digest swapped for another file\'s)', () => {
    const other = '1'.repeat(64);
    const a = withStatement((s) => (s.subject[0].digest.sha256 = other));
    expectFailure(verify(a, { ...PA_SDIST, sha256: other }, PA_PUBLISHER), 'signature-invalid');
    // Even an edit that keeps the meaning (whitespace) breaks the signature.
    const b = att();
    b['envelope'].statement = Buffer.from(Buffer.from(b['envelope'].statement, 'base64').toString('utf8') + ' ').toString('base64');
    expectFailure(verify(b, PA_SDIST, PA_PUBLISHER), 'signature-invalid');
  });

  it('the signature of another attestation', () => {
    const a = att();
    a['envelope'].signature = vector('pypi_attestations-0.0.19.tar.gz.slsa.attestation')['envelope'].signature;
    expectFailure(verify(a, PA_SDIST, PA_PUBLISHER), 'signature-invalid');
  });

  it('an edited inclusion proof', () => {
    const a = att();
    const proof = a['verification_material'].transparency_entries[0].inclusionProof;
    const hash = Buffer.from(proof.hashes[0], 'base64');
    hash[0]! ^= 1;
    proof.hashes[0] = hash.toString('base64');
    expectFailure(verify(a, PA_SDIST, PA_PUBLISHER), 'tlog-invalid');
  });

  it('an edited checkpoint (root hash) and an edited log index', () => {
    const a = att();
    const proof = a['verification_material'].transparency_entries[0].inclusionProof;
    proof.checkpoint.envelope = proof.checkpoint.envelope.replace(proof.rootHash, Buffer.alloc(32, 7).toString('base64'));
    expectFailure(verify(a, PA_SDIST, PA_PUBLISHER), 'tlog-invalid');
    const b = att();
    const entry = b['verification_material'].transparency_entries[0];
    entry.logIndex = String(Number(entry.logIndex) + 1);
    expectFailure(verify(b, PA_SDIST, PA_PUBLISHER), 'tlog-invalid');
  });

  it('a moved integrated time (earlier, later, and inside the certificate\'s 10 minutes)', () => {
    for (const delta of [-3600, 60, 1]) {
      const a = att();
      const entry = a['verification_material'].transparency_entries[0];
      entry.integratedTime = String(Number(entry.integratedTime) + delta);
      const r = verify(a, PA_SDIST, PA_PUBLISHER);
      expect(r.verified).toBe(false);
      expect(['tlog-invalid', 'certificate-invalid']).toContain(r.error?.code);
    }
  });

  it('a staging attestation against the production root', () => {
    expectFailure(verify(vector('rfc8785-0.1.2-py3-none-any.whl.publish.attestation'), RFC8785_WHEEL, YOSSARIAN, production), 'certificate-invalid');
  });

  it('a production attestation against the staging root', () => {
    expectFailure(verify(att(), PA_SDIST, PA_PUBLISHER, staging), 'certificate-invalid');
  });

  it('another certificate (a valid one, from the SLSA attestation of the same release)', () => {
    const a = att();
    a['verification_material'].certificate = vector('pypi_attestations-0.0.19.tar.gz.slsa.attestation')['verification_material'].certificate;
    const r = verify(a, PA_SDIST, PA_PUBLISHER);
    expect(r.verified).toBe(false);
    expect(['signature-invalid', 'tlog-invalid', 'certificate-invalid']).toContain(r.error?.code);
  });

  it('malformed attestations are bundle-malformed', () => {
    const cases: [string, (a: Record<string, any>) => void][] = [
      ['version 2', (a) => (a['version'] = 2)],
      ['no transparency entries', (a) => (a['verification_material'].transparency_entries = [])],
      ['certificate not base64', (a) => (a['verification_material'].certificate = 'not base64!')],
      ['signature missing', (a) => delete a['envelope'].signature],
      ['negative log index', (a) => (a['verification_material'].transparency_entries[0].logIndex = '-1')],
    ];
    for (const [what, edit] of cases) {
      const a = att();
      edit(a);
      expectFailure(verify(a, PA_SDIST, PA_PUBLISHER), 'bundle-malformed');
      expect(what).toBeTruthy();
    }
    // A Sigstore bundle over a bare message is no PEP 740 attestation: a verdict, not a request for the file.
    const messageBundle = JSON.parse(readFileSync(`${VECTORS}sigstore-python/bundle_v3.txt.sigstore`, 'utf8'));
    expectFailure(verify(messageBundle, PA_SDIST, PA_PUBLISHER), 'bundle-malformed');
    // A bare DSSE envelope (.intoto.jsonl) has no log proof to verify offline.
    expect(() => readProvenanceDocument({ payloadType: 'application/vnd.in-toto+json', payload: '', signatures: [] })).toThrow(/no transparency-log proof/);
    expect(() => readProvenanceDocument([1, 2])).toThrow(VerifyError);
    expect(() => readProvenanceDocument({ hello: 'world' })).toThrow(VerifyError);
  });

  it('a provenance object with no attestations, or with one bad attestation next to a good one', () => {
    const p = vector('pypi_attestations-0.0.19.tar.gz.provenance');
    p['attestation_bundles'][0].attestations = [];
    expectFailure(verify(p, PA_SDIST, PA_PUBLISHER), 'no-attestations');

    const q = vector('pypi_attestations-0.0.19.tar.gz.provenance');
    const bad = att();
    bad['envelope'].signature = vector('pypi_attestations-0.0.19.tar.gz.slsa.attestation')['envelope'].signature;
    q['attestation_bundles'][0].attestations.push(bad);
    const r = verify(q, PA_SDIST, PA_PUBLISHER);
    expectFailure(r, 'signature-invalid');
    expect(r.attestations.map((a) => a.verified)).toEqual([true, false]);
  });

  it('the index naming another publisher than its attestation proves', () => {
    const p = vector('pypi_attestations-0.0.19.tar.gz.provenance');
    p['attestation_bundles'][0].publisher.workflow = 'other.yml';
    expectFailure(verify(p, PA_SDIST, PA_PUBLISHER), 'publisher-mismatch');
  });

  it('with no publisher expected, everything else is still verified, and the index\'s claim must match the certificate', () => {
    const none = (json: unknown, dist = PA_SDIST) => verifyProvenance(readProvenanceDocument(json), dist, undefined, production);
    const ok = none(vector('pypi_attestations-0.0.19.tar.gz.provenance'));
    expect(ok.verified).toBe(true);
    expect(ok.attestations[0]!.signer?.san).toMatch(/release\.yml@refs\/tags\/v0\.0\.19$/);
    // A bare attestation carries no claim: any signer, but still this file.
    expect(none(vector('pypi_attestations-0.0.19.tar.gz.publish.attestation')).verified).toBe(true);
    expectFailure(none(vector('pypi_attestations-0.0.19.tar.gz.publish.attestation'), { ...PA_SDIST, sha256: 'ab'.repeat(32) }), 'digest-mismatch');
    const lying = vector('pypi_attestations-0.0.19.tar.gz.provenance');
    lying['attestation_bundles'][0].publisher.repository = 'trailofbits/pypi-attestation';
    const r = none(lying);
    expectFailure(r, 'publisher-mismatch');
    expect(r.error?.message).toMatch(/the index names the publisher github:trailofbits\/pypi-attestation@release\.yml/);
    // A claim of a kind PyPI does not define says nothing checkable.
    const odd = vector('pypi_attestations-0.0.19.tar.gz.provenance');
    odd['attestation_bundles'][0].publisher = { kind: 'Buildkite', repository: 'x' };
    expect(none(odd).verified).toBe(true);
  });
});

describe('checks on a verified statement', () => {
  // The real statement, edited: what checkDistributionStatement sees after a signature verified.
  const real = vector('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const payload = Buffer.from(real['envelope'].statement, 'base64');
  const edited = (edit: (s: any) => void) => {
    const s = JSON.parse(payload.toString('utf8'));
    edit(s);
    return parseStatement('application/vnd.in-toto+json', Buffer.from(JSON.stringify(s)));
  };
  const code = (fn: () => void): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      return (err as VerifyError).code;
    }
  };

  it('accepts the statement as signed', () => {
    expect(code(() => checkDistributionStatement(edited(() => {}), PA_SDIST))).toBeUndefined();
  });

  it('exactly one subject', () => {
    expect(code(() => checkDistributionStatement(edited((s) => s.subject.push(s.subject[0])), PA_SDIST))).toBe('subject-mismatch');
    expect(code(() => checkDistributionStatement(edited((s) => (s.subject = [])), PA_SDIST))).toBe('subject-mismatch');
  });

  it('a known predicate type', () => {
    expect(code(() => checkDistributionStatement(edited((s) => (s.predicateType = 'https://example.com/v1')), PA_SDIST))).toBe('predicate-unknown');
    expect(code(() => checkDistributionStatement(edited((s) => (s.predicateType = 'https://slsa.dev/provenance/v0.2')), PA_SDIST))).toBe('predicate-unknown');
  });

  it('a subject name that parses and a sha256 digest', () => {
    expect(code(() => checkDistributionStatement(edited((s) => (s.subject[0].name = 'README.md')), PA_SDIST))).toBe('subject-mismatch');
    expect(code(() => checkDistributionStatement(edited((s) => delete s.subject[0].name), PA_SDIST))).toBe('subject-mismatch');
    expect(code(() => checkDistributionStatement(edited((s) => (s.subject[0].digest = { sha512: 'ab' })), PA_SDIST))).toBe('digest-mismatch');
  });

  it('only in-toto statements', () => {
    expect(code(() => parseStatement('application/json', payload))).toBe('bundle-malformed');
    expect(code(() => parseStatement('application/vnd.in-toto+json', Buffer.from('{"_type":"x"}')))).toBe('bundle-malformed');
  });
});

describe('specFromClaim', () => {
  it("PyPI's publisher kinds, complete claims only", () => {
    expect(specFromClaim({ kind: 'GitHub', repository: 'a/b', workflow: 'r.yml' })).toEqual({ kind: 'github', repository: 'a/b', workflow: 'r.yml' });
    expect(specFromClaim({ kind: 'GitLab', repository: 'g/p', workflow: '.gitlab-ci.yml' })).toEqual({ kind: 'gitlab', repository: 'g/p', workflowPath: '.gitlab-ci.yml' });
    expect(specFromClaim({ kind: 'Google', email: 'x@y.iam.gserviceaccount.com' })).toEqual({ kind: 'google', email: 'x@y.iam.gserviceaccount.com' });
    expect(specFromClaim({ kind: 'GitHub', repository: 'a/b' })).toBeUndefined();
    expect(specFromClaim({ kind: 'ActiveState' })).toBeUndefined();
  });
});

describe('attestationToBundle', () => {
  it('makes a v0.3 bundle with an in-toto DSSE envelope and the certificate alone', () => {
    const b = attestationToBundle(vector('pypi_attestations-0.0.19.tar.gz.publish.attestation')) as any;
    expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(b.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(b.dsseEnvelope.signatures).toHaveLength(1);
    expect(Object.keys(b.verificationMaterial)).toEqual(['certificate', 'tlogEntries']);
  });
});
