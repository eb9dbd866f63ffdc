/**
 * Why a provenance check failed, as a stable string code (the `error.code` of `pyward verify
 * --format json`). Every failure of the Sigstore libraries is mapped onto one of these, so callers
 * never see a library's own error names, which change between releases.
 */
export type VerifyErrorCode =
  /** Not a bundle / attestation of a known version, or a field is missing or not decodable. */
  | 'bundle-malformed'
  /** The signature does not verify over the artifact or the DSSE envelope. */
  | 'signature-invalid'
  /** A transparency-log entry, its inclusion promise (SET), inclusion proof or checkpoint does not verify, or the entry records something else than the bundle. */
  | 'tlog-invalid'
  /** An RFC 3161 timestamp does not verify, or there is no verified time at all. */
  | 'timestamp-invalid'
  /** The signing certificate does not chain to the trusted root, was not valid at signing time, or its SCT is bad. */
  | 'certificate-invalid'
  /** The bundle is signed with a key, and that is not the key given (or none was given), or the other way round. */
  | 'key-mismatch'
  /** The certificate's subject alternative name is not the expected identity. */
  | 'identity-mismatch'
  /** The certificate's OIDC issuer is not the expected one. */
  | 'issuer-mismatch'
  /** The signed digest is not the file's digest. */
  | 'digest-mismatch'
  /** The in-toto statement's subject does not name this distribution (or there is not exactly one). */
  | 'subject-mismatch'
  /** The in-toto predicate type is not one pyward knows how to judge. */
  | 'predicate-unknown'
  /** The certificate's Trusted Publisher claims (repository, workflow, issuer, e-mail) are not the expected publisher. */
  | 'publisher-mismatch'
  /** SLSA provenance names another source repository or ref than expected, or than its certificate. */
  | 'source-mismatch'
  /** SLSA provenance names another builder than expected, or than its certificate. */
  | 'builder-mismatch'
  /** The provenance object holds no attestation at all. */
  | 'no-attestations';

export class VerifyError extends Error {
  readonly code: VerifyErrorCode;
  constructor(code: VerifyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifyError';
    this.code = code;
  }
}
