/**
 * What `pyward verify` reports, and the shape of its `--format json` output (a contract: fields
 * are added, never renamed or removed, without bumping `schemaVersion`).
 *
 * - `verified` is the verdict; when false, `error` says why with a stable `code` (see
 *   checks/provenance/errors.ts for the list).
 * - `expected` is what the signature was checked against, `attestations` what was found, one entry
 *   per signature (an Integrity API response may hold several).
 */
export interface VerifyReport {
  schemaVersion: 1;
  /** `attestation`: PEP 740 (an attestation, an Integrity API response, or a bundle of one); `bundle`: cosign-style; `slsa`: SLSA provenance. */
  mode: 'attestation' | 'bundle' | 'slsa';
  verified: boolean;
  error?: ReportedError;
  artifact: {
    filename: string;
    sha256: string;
    /** The file that was hashed, when one was given (absent for --sha256). */
    path?: string;
  };
  /** The attestation, bundle or provenance file, and what it turned out to be. */
  input: { path: string; format: 'attestation' | 'provenance' | 'bundle' | 'unknown' };
  expected: ExpectedReport;
  trustedRoot: { source: 'embedded' | 'file'; label: string; sha256: string };
  attestations: AttestationReport[];
  tool: { name: 'pyward'; version: string };
}

export interface ReportedError {
  code: string;
  message: string;
}

export interface ExpectedReport {
  /** `github:OWNER/REPO@WORKFLOW`, `gitlab:...`, `google:EMAIL`. */
  publisher?: string;
  /** Exact SAN and issuer (cosign's --certificate-identity / --certificate-oidc-issuer). */
  identity?: string;
  issuer?: string;
  /** sha256 of the managed key's SubjectPublicKeyInfo (DER). */
  keySha256?: string;
  sourceUri?: string;
  sourceTag?: string;
  sourceBranch?: string;
  builderId?: string;
}

export interface AttestationReport {
  /** Where in the input: `attestation`, `bundle`, `attestation_bundles[0].attestations[1]`. */
  where: string;
  verified: boolean;
  error?: ReportedError;
  /** in-toto predicate type, for DSSE envelopes whose statement was read. */
  predicateType?: string;
  signer?: SignerReport;
  /** What the index says about the publisher (Integrity API); unauthenticated, checked against `expected`. */
  claimedPublisher?: { kind: string; repository?: string; workflow?: string; environment?: string; email?: string };
  slsa?: SlsaReport;
  transparencyLog: { logIndex: string; log?: string; integratedTime?: string }[];
  /** Verified signing times (log integration, RFC 3161 timestamps), ISO 8601. */
  signedAt: string[];
}

/** The signer as the certificate states it. Fields absent from the certificate are absent here. */
export type SignerReport =
  | {
      kind: 'certificate';
      /** Subject alternative name: the workflow that ran (`...@ref`) or an e-mail. */
      identity: string;
      issuer?: string;
      repository?: string;
      repositoryId?: string;
      owner?: string;
      ownerId?: string;
      ref?: string;
      commit?: string;
      /** Build Config URI: the top-level workflow, what PyPI's Trusted Publishers bind. */
      workflow?: string;
      /** Build Signer URI: the workflow whose identity signed (a reusable workflow when one was called). */
      buildSigner?: string;
      trigger?: string;
      runner?: string;
      run?: string;
      visibility?: string;
      certificateValidity: { notBefore: string; notAfter: string };
    }
  | { kind: 'key'; keySha256: string };

export interface SlsaReport {
  predicateType: string;
  builderId: string;
  /** How the builder was accepted: named by --builder-id, slsa-github-generator at a release tag, or the source repository's own workflow. */
  builderTrust?: 'expected' | 'slsa-github-generator' | 'source-repository';
  buildType?: string;
  sourceRepository?: string;
  sourceRef?: string;
  sourceCommit?: string;
}
