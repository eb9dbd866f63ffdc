/**
 * PEP 740 attestations for a distribution on an index: one attestation object, an Integrity API
 * provenance response (`/integrity/<project>/<version>/<file>/provenance`), or a Sigstore bundle
 * of one. Each attestation becomes a Sigstore bundle (a DSSE envelope of type
 * `application/vnd.in-toto+json`), is verified offline, and is then judged beyond its signature:
 *
 * 1. signed by the expected Trusted Publisher (identity.ts: exact claims, no patterns);
 * 2. exactly one in-toto subject, whose file name parses to this distribution and whose sha256 is
 *    the file's;
 * 3. a predicate type PyPI defines (publish/v1, SLSA provenance v1); SLSA claims must also agree
 *    with the certificate.
 *
 * A valid signature from the real publisher is where this starts, not where it ends: Ultralytics
 * 8.3.41 was signed by its real (poisoned) workflow. Continuity across releases, which catches that
 * kind of change, is a separate check that compares these results with the project's history.
 */
import type { TrustedRootSource } from '../../sources/sigstore/trusted-root.js';
import { requireDsseBundle, verifySignatures, type LogEntrySummary } from './bundle.js';
import { distributionKey, sameDistribution } from './distfile.js';
import { VerifyError } from './errors.js';
import { checkPublisher, formatPublisherSpec, type CertificateIdentity, type PublisherSpec } from './identity.js';
import { IN_TOTO_PAYLOAD_TYPE, isObject, parseStatement, type Statement } from './intoto.js';
import { checkSlsaAgainstCertificate, isSlsaPredicate, readSlsaClaims, type SlsaClaims } from './slsa.js';

export const PYPI_PUBLISH_V1 = 'https://docs.pypi.org/attestations/publish/v1';
/** The predicate types PyPI accepts (pypi-attestations' AttestationType). */
export const KNOWN_PREDICATE_TYPES: readonly string[] = [PYPI_PUBLISH_V1, 'https://slsa.dev/provenance/v1'];

/** The file the attestations must be about. */
export interface Distribution {
  filename: string;
  /** Lower-case hex. */
  sha256: string;
}

/** What the index says about who published, in the Integrity API's own words. Unauthenticated. */
export interface ClaimedPublisher {
  kind: string;
  repository?: string;
  workflow?: string;
  environment?: string;
  email?: string;
}

export interface AttestationInput {
  /** Where it sits in the document: `attestation`, `attestation_bundles[0].attestations[1]`. */
  where: string;
  /** A Sigstore bundle (JSON), or why the attestation could not be turned into one. */
  bundle: unknown;
  conversionError?: VerifyError;
  claimedPublisher?: ClaimedPublisher;
}

export interface ProvenanceDocument {
  kind: 'attestation' | 'provenance' | 'bundle';
  attestations: AttestationInput[];
}

export interface AttestationResult {
  where: string;
  verified: boolean;
  error?: VerifyError;
  predicateType?: string;
  signer?: CertificateIdentity;
  claimedPublisher?: ClaimedPublisher;
  slsa?: SlsaClaims;
  tlogEntries?: LogEntrySummary[];
  signedAt?: string[];
}

export interface ProvenanceResult {
  verified: boolean;
  /** The first failure, the one that decides the verdict. */
  error?: VerifyError;
  attestations: AttestationResult[];
}

/** Recognizes the three shapes; anything else is bundle-malformed. */
export function readProvenanceDocument(json: unknown): ProvenanceDocument {
  if (!isObject(json)) throw new VerifyError('bundle-malformed', 'the attestation is not a JSON object');
  if ('attestation_bundles' in json) {
    if (json['version'] !== 1) throw new VerifyError('bundle-malformed', `unsupported provenance version ${JSON.stringify(json['version'])}`);
    const bundles = json['attestation_bundles'];
    if (!Array.isArray(bundles)) throw new VerifyError('bundle-malformed', 'attestation_bundles is not a list');
    const attestations: AttestationInput[] = [];
    bundles.forEach((b, i) => {
      if (!isObject(b) || !Array.isArray(b['attestations'])) {
        throw new VerifyError('bundle-malformed', `attestation_bundles[${i}] has no attestation list`);
      }
      const claimedPublisher = readClaimedPublisher(b['publisher']);
      b['attestations'].forEach((a: unknown, j: number) => {
        attestations.push({ ...convert(a, `attestation_bundles[${i}].attestations[${j}]`), ...(claimedPublisher ? { claimedPublisher } : {}) });
      });
    });
    return { kind: 'provenance', attestations };
  }
  if ('verification_material' in json || 'envelope' in json) {
    return { kind: 'attestation', attestations: [convert(json, 'attestation')] };
  }
  if ('mediaType' in json) return { kind: 'bundle', attestations: [{ where: 'bundle', bundle: json }] };
  if ('payloadType' in json && 'signatures' in json) {
    throw new VerifyError(
      'bundle-malformed',
      'a bare DSSE envelope (an .intoto.jsonl) carries no transparency-log proof, so it cannot be verified offline; use the Sigstore bundle the builder also publishes',
    );
  }
  throw new VerifyError('bundle-malformed', 'neither a PEP 740 attestation, an Integrity API provenance object, nor a Sigstore bundle');
}

function convert(att: unknown, where: string): AttestationInput {
  try {
    return { where, bundle: attestationToBundle(att) };
  } catch (err) {
    if (err instanceof VerifyError) return { where, bundle: undefined, conversionError: err };
    throw err;
  }
}

/**
 * PEP 740 attestation -> Sigstore bundle v0.3. The attestation is a bundle with the envelope's
 * payload type left implicit (always in-toto) and the certificate alone; every field keeps its
 * base64 text, so the bundle reader's strict checks apply to it unchanged.
 */
export function attestationToBundle(att: unknown): Record<string, unknown> {
  if (!isObject(att)) throw new VerifyError('bundle-malformed', 'the attestation is not a JSON object');
  if (att['version'] !== 1) throw new VerifyError('bundle-malformed', `unsupported attestation version ${JSON.stringify(att['version'])} (PEP 740 defines 1)`);
  const vm = att['verification_material'];
  const env = att['envelope'];
  if (!isObject(vm) || typeof vm['certificate'] !== 'string') throw new VerifyError('bundle-malformed', 'verification_material.certificate is missing');
  const entries = vm['transparency_entries'];
  if (!Array.isArray(entries) || entries.length === 0) throw new VerifyError('bundle-malformed', 'verification_material.transparency_entries is empty');
  if (!isObject(env) || typeof env['statement'] !== 'string' || typeof env['signature'] !== 'string') {
    throw new VerifyError('bundle-malformed', 'envelope.statement and envelope.signature are required');
  }
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { certificate: { rawBytes: vm['certificate'] }, tlogEntries: entries },
    dsseEnvelope: {
      payload: env['statement'],
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: env['signature'], keyid: '' }],
    },
  };
}

function readClaimedPublisher(value: unknown): ClaimedPublisher | undefined {
  if (!isObject(value) || typeof value['kind'] !== 'string') return undefined;
  const out: ClaimedPublisher = { kind: value['kind'] };
  const copy = (from: string, to: keyof ClaimedPublisher): void => {
    if (typeof value[from] === 'string') out[to] = value[from];
  };
  copy('repository', 'repository');
  copy('workflow', 'workflow');
  copy('workflow_filepath', 'workflow');
  copy('environment', 'environment');
  copy('email', 'email');
  return out;
}

/**
 * Verifies every attestation in the document for the distribution. The verdict is positive only
 * when there is at least one and all verify: a bad attestation next to a good one is someone
 * trying something.
 *
 * `expected` undefined means the caller judges the signer itself (continuity across releases does,
 * against a pin, a stored identity or the history): the signature, log entry, certificate chain,
 * subject and digest are still verified, and an index's own account of the publisher must still
 * agree with the certificate.
 */
export function verifyProvenance(
  doc: ProvenanceDocument,
  dist: Distribution,
  expected: PublisherSpec | undefined,
  trust: TrustedRootSource,
): ProvenanceResult {
  // The file name is the caller's input: an unparsable one is a usage error, not a verdict.
  distributionKey(dist.filename);
  const attestations = doc.attestations.map((input) => verifyOne(input, dist, expected, trust));
  if (attestations.length === 0) {
    return {
      verified: false,
      error: new VerifyError('no-attestations', `the provenance object holds no attestation for ${dist.filename}`),
      attestations,
    };
  }
  const failed = attestations.find((a) => !a.verified);
  return failed?.error ? { verified: false, error: failed.error, attestations } : { verified: true, attestations };
}

function verifyOne(input: AttestationInput, dist: Distribution, expected: PublisherSpec | undefined, trust: TrustedRootSource): AttestationResult {
  const result: AttestationResult = { where: input.where, verified: false };
  if (input.claimedPublisher) result.claimedPublisher = input.claimedPublisher;
  try {
    if (input.conversionError) throw input.conversionError;
    requireDsseBundle(input.bundle, 'a PEP 740 attestation');
    const verified = verifySignatures(input.bundle, { kind: 'sha256', sha256: dist.sha256 }, trust);
    result.tlogEntries = verified.tlogEntries;
    result.signedAt = verified.signedAt;
    if (verified.signer.kind !== 'certificate') throw new VerifyError('key-mismatch', 'a PEP 740 attestation is signed with a Fulcio certificate, this one with a bare key');
    if (verified.content.kind !== 'dsse') throw new VerifyError('bundle-malformed', 'a PEP 740 attestation is a DSSE envelope, this bundle signs a bare message');
    result.signer = verified.signer.identity;
    if (expected) {
      checkPublisher(verified.signer.identity, expected);
      if (input.claimedPublisher) checkClaimedPublisher(input.claimedPublisher, expected);
    } else if (input.claimedPublisher) {
      checkClaimAgainstCertificate(input.claimedPublisher, verified.signer.identity);
    }
    const statement = parseStatement(verified.content.payloadType, verified.content.payload);
    result.predicateType = statement.predicateType;
    checkDistributionStatement(statement, dist);
    if (isSlsaPredicate(statement.predicateType)) {
      const claims = readSlsaClaims(statement);
      checkSlsaAgainstCertificate(claims, verified.signer.identity);
      result.slsa = claims;
    }
    result.verified = true;
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    result.error = err;
  }
  return result;
}

/** The statement is about this file and of a kind PyPI defines (pypi-attestations' order of checks). */
export function checkDistributionStatement(statement: Statement, dist: Distribution): void {
  if (statement.subjects.length !== 1) {
    throw new VerifyError('subject-mismatch', `the statement has ${statement.subjects.length} subjects; a PEP 740 attestation names exactly one`);
  }
  const subject = statement.subjects[0]!;
  if (subject.name === undefined || subject.name === '') throw new VerifyError('subject-mismatch', 'the statement\'s subject has no name');
  if (!sameDistribution(subject.name, dist.filename)) {
    throw new VerifyError('subject-mismatch', `the attestation is for ${JSON.stringify(subject.name)}, not ${JSON.stringify(dist.filename)}`);
  }
  const digest = subject.digest['sha256'];
  if (digest === undefined) throw new VerifyError('digest-mismatch', 'the statement\'s subject has no sha256 digest');
  if (digest !== dist.sha256.toLowerCase()) {
    throw new VerifyError('digest-mismatch', `the attestation is for sha256 ${digest}, the file is ${dist.sha256.toLowerCase()}`);
  }
  if (!KNOWN_PREDICATE_TYPES.includes(statement.predicateType)) {
    throw new VerifyError('predicate-unknown', `unknown attestation type ${JSON.stringify(statement.predicateType)} (known: ${KNOWN_PREDICATE_TYPES.join(', ')})`);
  }
}

/**
 * The index's account of the publisher must agree with the expected one too. The certificate is
 * what proves it; a disagreement means the index and its own attestations tell different stories.
 */
function checkClaimedPublisher(claim: ClaimedPublisher, expected: PublisherSpec): void {
  const disagree = (what: string): never => {
    throw new VerifyError('publisher-mismatch', `the index names ${what}, expected ${formatPublisherSpec(expected)}`);
  };
  const kind = claim.kind.toLowerCase();
  if (expected.kind === 'github' || expected.kind === 'gitlab') {
    if (kind !== expected.kind) disagree(`a ${claim.kind} publisher`);
    const workflow = expected.kind === 'github' ? expected.workflow : expected.workflowPath;
    if (claim.repository !== expected.repository || claim.workflow !== workflow) {
      disagree(`publisher ${claim.kind} ${claim.repository ?? '?'} @ ${claim.workflow ?? '?'}`);
    }
  } else if (expected.kind === 'google') {
    if (kind !== 'google' || claim.email !== expected.email) disagree(`publisher ${claim.kind} ${claim.email ?? ''}`);
  }
}

/**
 * The Trusted Publisher an index claims, as a spec; undefined when the claim is not one of PyPI's
 * kinds or lacks a field (then it says nothing checkable).
 */
export function specFromClaim(claim: ClaimedPublisher): PublisherSpec | undefined {
  switch (claim.kind.toLowerCase()) {
    case 'github':
      return claim.repository !== undefined && claim.workflow !== undefined ? { kind: 'github', repository: claim.repository, workflow: claim.workflow } : undefined;
    case 'gitlab':
      return claim.repository !== undefined && claim.workflow !== undefined ? { kind: 'gitlab', repository: claim.repository, workflowPath: claim.workflow } : undefined;
    case 'google':
      return claim.email !== undefined ? { kind: 'google', email: claim.email } : undefined;
    default:
      return undefined;
  }
}

/**
 * With nothing pinned, the index's claim is still a statement that can be false: PyPI writes it
 * from the Trusted Publisher that uploaded, so a certificate from anyone else means the index (or
 * something between it and us) and its attestations tell different stories.
 */
function checkClaimAgainstCertificate(claim: ClaimedPublisher, signer: CertificateIdentity): void {
  const spec = specFromClaim(claim);
  if (spec === undefined) return;
  try {
    checkPublisher(signer, spec);
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    throw new VerifyError('publisher-mismatch', `the index names the publisher ${formatPublisherSpec(spec)}, but the certificate says otherwise: ${err.message}`);
  }
}
