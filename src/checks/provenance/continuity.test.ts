/**
 * Continuity across releases, on identities read from the real certificates of
 * ../shared/vectors/provenance/pypi-attestations (each attestation verified first), and on copies of
 * those identities with one claim changed, for the cases no real vector shows (another workflow, a
 * branch, pull_request_target, a re-created repository).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveTrustedRoot } from '../../sources/sigstore/trusted-root.js';
import {
  asPublisherIdentity,
  assessContinuity,
  compareIdentity,
  firstIdentity,
  publisherIdentity,
  publisherLabel,
  specOf,
  type Baseline,
  type FileEvidence,
  type ReleaseEvidence,
} from './continuity.js';
import { parsePublisherSpec, type CertificateIdentity } from './identity.js';
import { readProvenanceDocument, verifyProvenance } from './pep740.js';

const PA = fileURLToPath(new URL('../../../../shared/vectors/provenance/pypi-attestations/', import.meta.url));
const trust = resolveTrustedRoot();

function signer(file: string, filename: string, sha256: string): CertificateIdentity {
  const doc = readProvenanceDocument(JSON.parse(readFileSync(PA + file, 'utf8')));
  const result = verifyProvenance(doc, { filename, sha256 }, undefined, trust);
  expect(result.error?.message).toBeUndefined();
  return result.attestations[0]!.signer!;
}

const PA19 = signer('pypi_attestations-0.0.19.tar.gz.provenance', 'pypi_attestations-0.0.19.tar.gz', '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3');
const GITLAB = signer('gitlab_oidc_project-0.0.3.tar.gz.publish.attestation', 'gitlab_oidc_project-0.0.3.tar.gz', 'c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8');
const MODELS = signer('pypi_attestation_models-0.0.4a2.tar.gz.attestation', 'pypi_attestation_models-0.0.4a2.tar.gz', 'c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef');

/** The 0.0.19 identity with some claims replaced (a derived case, not a real certificate). */
function variant(claims: Partial<CertificateIdentity['claims']>): CertificateIdentity {
  return { ...PA19, claims: { ...PA19.claims, ...claims } };
}

const attested = (version: string, ...signers: CertificateIdentity[]): ReleaseEvidence => ({
  version,
  files: signers.map((s, i): FileEvidence => ({ filename: `f${i}-${version}.tar.gz`, provenance: 'verified', signers: [s] })),
});
const bare = (version: string, files = 1): ReleaseEvidence => ({
  version,
  files: Array.from({ length: files }, (_, i): FileEvidence => ({ filename: `f${i}-${version}.tar.gz`, provenance: 'none', signers: [] })),
});
const HISTORY: Baseline = { source: 'history' };
const kinds = (releases: ReleaseEvidence[], baseline: Baseline = HISTORY): string[] =>
  assessContinuity(releases, baseline).map((f) => `${f.version} ${f.kind} ${f.risk}`);

describe('publisherIdentity: the claims of the real certificates', () => {
  it('GitHub: repository and owner with their numeric ids, the workflow in PyPI\'s spelling, ref, trigger, runner', () => {
    expect(publisherIdentity(PA19)).toEqual({
      kind: 'github',
      identity: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      issuer: 'https://token.actions.githubusercontent.com',
      repository: 'https://github.com/trailofbits/pypi-attestations',
      repositoryId: '772247423',
      owner: 'https://github.com/trailofbits',
      ownerId: '2314423',
      workflow: 'release.yml',
      ref: 'refs/tags/v0.0.19',
      trigger: 'release',
      runner: 'github-hosted',
    });
    expect(publisherLabel(publisherIdentity(PA19))).toBe('github:trailofbits/pypi-attestations@release.yml');
  });

  it('GitLab: the CI file path after the // of the Build Config URI', () => {
    const id = publisherIdentity(GITLAB);
    expect(id).toMatchObject({ kind: 'gitlab', workflow: '.gitlab-ci.yml', ref: 'refs/heads/main', trigger: 'push', runner: 'gitlab-hosted', repositoryId: '55235664' });
    expect(publisherLabel(id)).toBe('gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml');
  });

  it('specOf gives back the spec --expect-publisher takes, and a stored identity is validated', () => {
    expect(specOf(publisherIdentity(PA19))).toEqual(parsePublisherSpec('github:trailofbits/pypi-attestations@release.yml'));
    expect(specOf(publisherIdentity(GITLAB))).toEqual(parsePublisherSpec('gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml'));
    expect(asPublisherIdentity(JSON.parse(JSON.stringify(publisherIdentity(PA19))))).toEqual(publisherIdentity(PA19));
    expect(asPublisherIdentity({ kind: 'github' })).toBeUndefined();
    expect(asPublisherIdentity({ kind: 'github', identity: 'x', repositoryId: 7 })).toBeUndefined();
  });
});

describe('compareIdentity', () => {
  it('the same publisher at another tag is no change', () => {
    expect(compareIdentity(publisherIdentity(PA19), publisherIdentity(variant({ sourceRepositoryRef: 'refs/tags/v0.0.20' })))).toEqual([]);
  });

  it('a renamed repository keeps its ids (the real pypi-attestation-models -> pypi-attestations rename)', () => {
    expect(publisherIdentity(MODELS).repositoryId).toBe(publisherIdentity(PA19).repositoryId);
    expect(compareIdentity(publisherIdentity(MODELS), publisherIdentity(PA19))).toEqual([
      expect.objectContaining({ kind: 'repository-renamed', risk: 'medium' }),
    ]);
  });

  it('the same URL with a new repository id is a re-created repository (repojacking), not a rename', () => {
    const recreated = publisherIdentity(variant({ sourceRepositoryIdentifier: '999999999' }));
    expect(compareIdentity(publisherIdentity(PA19), recreated)).toEqual([
      expect.objectContaining({ kind: 'publisher-changed', risk: 'high', message: expect.stringMatching(/deleted and re-created/) }),
    ]);
  });

  it('a transfer to another owner keeps the repository id but not the owner id', () => {
    const moved = publisherIdentity(variant({ sourceRepositoryOwnerIdentifier: '1', sourceRepositoryOwnerUri: 'https://github.com/someone' }));
    expect(compareIdentity(publisherIdentity(PA19), moved).map((c) => c.kind)).toEqual(['publisher-changed']);
  });

  it('another workflow in the same repository', () => {
    const other = publisherIdentity(
      variant({ buildConfigUri: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/publish.yml@refs/tags/v0.0.19' }),
    );
    expect(other.workflow).toBe('publish.yml');
    expect(compareIdentity(publisherIdentity(PA19), other).map((c) => c.kind)).toEqual(['workflow-changed']);
  });

  it('GitHub to GitLab: another identity provider', () => {
    expect(compareIdentity(publisherIdentity(PA19), publisherIdentity(GITLAB))).toEqual([expect.objectContaining({ kind: 'publisher-changed', risk: 'high' })]);
  });
});

describe('assessContinuity', () => {
  it('attestations disappear after an attested release (Ultralytics 8.3.45/8.3.46)', () => {
    const findings = assessContinuity([attested('1.0', PA19), bare('1.1', 3), bare('1.2')], HISTORY);
    expect(findings.map((f) => `${f.version} ${f.kind} ${f.risk}`)).toEqual(['1.1 attestations-missing high', '1.2 attestations-missing high']);
    expect(findings[0]!.files).toHaveLength(3);
    expect(findings[0]!.comparedWith).toEqual({ source: 'history', version: '1.0', publisher: 'github:trailofbits/pypi-attestations@release.yml' });
  });

  it('releases before the first attested one are not flagged: that is a project adopting attestations', () => {
    expect(kinds([bare('0.9'), attested('1.0', PA19), attested('1.1', PA19)])).toEqual([]);
  });

  it('a release where some files are attested and one is not', () => {
    const mixed: ReleaseEvidence = { version: '1.0', files: [...attested('1.0', PA19).files, { filename: 'extra-1.0-py3-none-any.whl', provenance: 'none', signers: [] }] };
    expect(kinds([mixed])).toEqual(['1.0 attestations-missing high']);
  });

  it('a pinned publisher: a mismatch on every release, and a release without attestations', () => {
    const pinned: Baseline = { source: 'pinned', spec: parsePublisherSpec('github:trailofbits/pypi-attestations@release.yml'), origin: 'pyward.toml:2' };
    expect(kinds([attested('1.0', PA19), bare('1.1')], pinned)).toEqual(['1.1 attestations-missing high']);
    expect(kinds([attested('1.0', GITLAB)], pinned)).toEqual(['1.0 publisher-mismatch high', '1.0 built-from-branch low']);
  });

  it('the publisher changes: flagged at the change, in history mode once', () => {
    expect(kinds([attested('1.0', PA19), attested('1.1', GITLAB), attested('1.2', GITLAB)])).toEqual([
      '1.1 publisher-changed high',
      '1.1 built-from-branch high',
      '1.1 trigger-changed medium',
      '1.1 runner-changed medium',
      '1.2 built-from-branch low',
    ]);
  });

  it('against a stored identity (TOFU), every release that differs is flagged', () => {
    const tofu: Baseline = { source: 'tofu', identity: publisherIdentity(PA19), version: '0.0.19', learnedAt: '2024-12-05T00:00:00Z' };
    const findings = assessContinuity([attested('1.1', GITLAB), attested('1.2', GITLAB)], tofu).filter((f) => f.kind === 'publisher-changed');
    expect(findings.map((f) => f.version)).toEqual(['1.1', '1.2']);
    expect(findings[0]!.comparedWith).toMatchObject({ source: 'tofu', version: '0.0.19' });
    expect(kinds([bare('1.3')], tofu)).toEqual(['1.3 attestations-missing high']);
  });

  it('same repository and workflow, but built from a branch or by pull_request_target (the 8.3.41 questions)', () => {
    const branch = variant({
      sourceRepositoryRef: 'refs/heads/main',
      buildConfigUri: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/heads/main',
    });
    expect(kinds([attested('1.0', PA19), attested('1.1', branch)])).toEqual(['1.1 built-from-branch high']);
    const prt = variant({ buildTrigger: 'pull_request_target' });
    expect(kinds([attested('1.0', PA19), attested('1.1', prt)])).toEqual(['1.1 untrusted-trigger high', '1.1 trigger-changed medium']);
    const pr = variant({ sourceRepositoryRef: 'refs/pull/12/merge', buildConfigUri: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/pull/12/merge' });
    expect(kinds([attested('1.1', pr)])).toEqual(['1.1 built-from-branch high']);
    const selfHosted = variant({ runnerEnvironment: 'self-hosted' });
    expect(kinds([attested('1.0', PA19), attested('1.1', selfHosted)])).toEqual(['1.1 runner-changed medium']);
  });

  it('two publishers within one release', () => {
    expect(kinds([attested('1.0', PA19, GITLAB)])).toEqual(expect.arrayContaining(['1.0 publisher-changed high']));
  });

  it('invalid and unknown files are neither attested nor missing here (the caller reports them)', () => {
    const odd: ReleaseEvidence = {
      version: '1.1',
      files: [
        { filename: 'a-1.1.tar.gz', provenance: 'invalid', signers: [] },
        { filename: 'a-1.1-py3-none-any.whl', provenance: 'unknown', signers: [] },
      ],
    };
    expect(kinds([attested('1.0', PA19), odd])).toEqual([]);
  });

  it('firstIdentity: what trust on first use learns', () => {
    expect(firstIdentity([bare('0.9'), attested('1.0', PA19), attested('1.1', GITLAB)])).toEqual({ version: '1.0', identity: publisherIdentity(PA19) });
    expect(firstIdentity([bare('0.9')])).toBeUndefined();
  });
});
