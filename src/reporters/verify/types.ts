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

/**
 * What `pyward verify NAME==VERSION`, `pyward verify project NAME` and `pyward verify lock FILE`
 * report: the files of releases found on an index, each one's provenance verified against the
 * index's sha256, and the releases compared with the expected publisher (continuity).
 *
 * - `verified` is the verdict of the whole run (exit 0 when true); when false, `error` is the first
 *   reason, from the first project that failed: a verification code (checks/provenance/errors.ts),
 *   a continuity finding's kind, `no-attestations` or `provenance-unavailable`.
 * - A field is added, never renamed or removed, without bumping `schemaVersion`.
 */
export interface IndexVerifyReport {
  schemaVersion: 1;
  mode: 'release' | 'project' | 'lockfile';
  verified: boolean;
  error?: ReportedError;
  /** The lowest finding risk that fails the run (`--fail-on`). */
  failOn: 'low' | 'medium' | 'high' | 'critical';
  trustedRoot: { source: 'embedded' | 'file'; label: string; sha256: string };
  projects: ProjectReport[];
  /** Lockfile packages that could not be verified, and why (unpinned, no hashes, not on the index, ...). */
  skipped: SkippedReport[];
  /** Inputs read (lockfile mode). */
  inputs?: { path: string; format: string }[];
  /** Problems with the inputs or index pages that did not stop the run. */
  diagnostics: { severity: 'error' | 'warning'; message: string; location?: string }[];
  summary: { projects: number; releases: number; files: number; verified: number; unattested: number; failed: number; unknown: number; findings: number };
  tool: { name: 'pyward'; version: string };
}

export interface SkippedReport {
  name: string;
  version?: string;
  reason: string;
  /** `file:line` of the package in the input. */
  location?: string;
}

export interface ExpectedPublisherReport {
  /**
   * What each release's signer was compared with: `flag` (--expect-publisher) and `policy`
   * (pyward.toml) pin a publisher; `tofu` is the identity stored on first use, `tofu-learned` one
   * stored by this run; `history` the release before; `none` when a single release was looked at.
   */
  source: 'flag' | 'policy' | 'tofu' | 'tofu-learned' | 'history' | 'none';
  /** `github:OWNER/REPO@WORKFLOW`, ... */
  publisher?: string;
  /** Where the pin came from (the policy file), or the TOFU store entry. */
  origin?: string;
  /** For `tofu` and `tofu-learned`: the release it was learned from, and when. */
  learnedFrom?: { version: string; at: string };
}

export interface ProjectReport {
  /** Normalized name. */
  name: string;
  verified: boolean;
  error?: ReportedError;
  /** The simple index the files were listed from, or the JSON API base for history walks (credentials redacted). */
  index: string;
  expected: ExpectedPublisherReport;
  /** Oldest upload first. */
  releases: ReleaseReport[];
  findings: FindingReport[];
  /** Where the package came from in a lockfile. */
  location?: string;
}

export interface ReleaseReport {
  version: string;
  uploadTime?: string;
  yanked: boolean;
  /** The release asked about (`NAME==VERSION`, the locked version, the newest of a walk). */
  target: boolean;
  /** How many files have attestations that verified, out of the files looked at. */
  attested: { verified: number; files: number };
  /** Distinct signers of the release's verified attestations (`github:OWNER/REPO@WORKFLOW`). */
  publishers: string[];
  files: FileReport[];
}

export interface FileReport {
  filename: string;
  sha256?: string;
  /**
   * `verified`: every attestation verified for this file; `invalid`: attestations that do not
   * (see `error`); `none`: the index has no provenance for the file; `unknown`: it could not be
   * established (see `error`).
   */
  provenance: 'verified' | 'invalid' | 'none' | 'unknown';
  /** Where the provenance was asked for (credentials redacted). */
  provenanceUrl?: string;
  error?: ReportedError;
  attestations: AttestationReport[];
}

export interface FindingReport {
  kind: string;
  risk: 'low' | 'medium' | 'high' | 'critical';
  version: string;
  files: string[];
  message: string;
  comparedWith?: { source: string; version?: string; publisher: string };
  evidence: string[];
}
