/**
 * Verifying a Sigstore bundle (media types v0.1, v0.2, v0.3 in both spellings) for an artifact,
 * offline, against a trusted root: the cryptography is @sigstore/verify's (certificate chain and
 * SCTs, Rekor inclusion promise and proof with its signed checkpoint, RFC 3161 timestamps, the
 * signature); around it, pyward adds what that library leaves to its callers or gets wrong for us:
 *
 * - strict parsing: the protobuf reader silently accepts bad base64, negative log indexes and
 *   unknown fields, so the JSON is checked first;
 * - no trust anchors from the bundle: a chain that carries its own root is refused;
 * - identity compared exactly (the library's policy is an unanchored regular expression);
 * - the artifact bound to the signature: the message digest, or the in-toto subject of a DSSE
 *   envelope, must be the artifact's;
 * - the log entry must record the bundle's own signing key, not just its signature;
 * - every failure becomes a VerifyError with a stable code.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bundleFromJSON, ValidationError, type Bundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { HashAlgorithm, type TransparencyLogEntry as ProtoTransparencyLogEntry } from '@sigstore/protobuf-specs';
import { PolicyError, toSignedEntity, VerificationError, Verifier, type SignedEntity } from '@sigstore/verify';
import { UsageError } from '../../core/errors.js';
import { trustMaterial, type TrustedRootSource } from '../../sources/sigstore/trusted-root.js';
import { VerifyError, type VerifyErrorCode } from './errors.js';
import { certificateIdentity, checkPublisher, type CertificateIdentity, type PublisherSpec } from './identity.js';
import { isObject, parseStatement, subjectsWithSha256 } from './intoto.js';

export const BUNDLE_MEDIA_TYPES = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
} as const;

/** What was signed: the file's bytes, or only its sha256 (enough for DSSE, whose signature covers the statement). */
export type Artifact = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'sha256'; sha256: string };

/** Who must have signed: a Fulcio identity (any PublisherSpec) or a managed public key. */
export type ExpectedSigner = { kind: 'publisher'; spec: PublisherSpec } | { kind: 'key'; key: KeyObject };

export type VerifiedSigner =
  | { kind: 'certificate'; identity: CertificateIdentity; certificate: X509Certificate }
  | { kind: 'key'; /** sha256 of the key's SubjectPublicKeyInfo, to say which key. */ keySha256: string };

export interface LogEntrySummary {
  logIndex: string;
  /** The Rekor shard the entry chains to, from the trusted root. */
  log: string | undefined;
  kind: string;
  version: string;
  /** ISO time the log integrated the entry; absent for Rekor v2, which relies on a timestamp authority. */
  integratedTime: string | undefined;
}

export interface VerifiedBundle {
  mediaType: string;
  content:
    | { kind: 'message-signature'; digestAlgorithm: string; digest: string }
    | { kind: 'dsse'; payloadType: string; payload: Buffer };
  signer: VerifiedSigner;
  tlogEntries: LogEntrySummary[];
  /** Every verified signing time (log integration times and RFC 3161 timestamps), ISO, ascending. */
  signedAt: string[];
}

/**
 * Verifies the bundle's cryptography against the root, without judging who signed: that is the
 * caller's next step (verifyBundle does it for cosign-style identities, pep740 for publishers).
 * A managed-key bundle needs `key`; without one it fails with key-mismatch.
 */
export function verifySignatures(
  json: unknown,
  artifact: Artifact | undefined,
  trust: TrustedRootSource,
  key?: KeyObject,
): VerifiedBundle {
  preflight(json);
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new VerifyError('bundle-malformed', `${err.message}: ${err.fields.join(', ')}`, { cause: err });
    }
    throw new VerifyError('bundle-malformed', `unreadable bundle: ${(err as Error).message}`, { cause: err });
  }
  const mediaType = bundle.mediaType;
  refuseEmbeddedRoots(bundle);
  dropUnanchoredProofs(bundle);

  // The library would first complain about missing timestamps; the real problem is the log.
  if (bundle.verificationMaterial.tlogEntries.length === 0) {
    throw new VerifyError('tlog-invalid', 'the bundle has no transparency log entry: its signature was never logged publicly');
  }
  const vm = bundle.verificationMaterial.content;
  if (vm.$case === 'publicKey' && !key) {
    throw new VerifyError('key-mismatch', `the bundle is signed with a managed key (hint ${JSON.stringify(vm.publicKey.hint)}), not a Fulcio certificate: verify it with --key`);
  }
  if (vm.$case !== 'publicKey' && key) {
    throw new VerifyError('key-mismatch', 'the bundle is signed with a Fulcio certificate, not a managed key: verify it with --cert-identity and --cert-oidc-issuer');
  }

  const content = bundle.content;
  if (content.$case === 'messageSignature') {
    if (!artifact || artifact.kind !== 'bytes') {
      // Node's crypto cannot verify a signature over a digest it did not compute itself.
      throw new UsageError('a message-signature bundle is verified over the file itself: give the file, not only its digest');
    }
    checkMessageDigest(content.messageSignature, artifact.bytes);
  }

  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact?.kind === 'bytes' ? asBuffer(artifact.bytes) : undefined);
  } catch (err) {
    throw new VerifyError('bundle-malformed', `unreadable signing material: ${(err as Error).message}`, { cause: err });
  }

  const material = trustMaterial(
    trust,
    key ? () => ({ publicKey: key, validFor: () => true }) : undefined,
  );
  const verifier = new Verifier(material);
  let signerKey: KeyObject;
  try {
    signerKey = verifier.verify(entity).key;
  } catch (err) {
    throw mapLibraryError(err, entity, key);
  }

  let signer: VerifiedSigner;
  if (entity.key.$case === 'certificate') {
    signer = { kind: 'certificate', identity: certificateIdentity(entity.key.certificate), certificate: entity.key.certificate };
  } else {
    signer = { kind: 'key', keySha256: createHash('sha256').update(spki(signerKey)).digest('hex') };
  }
  for (const entry of bundle.verificationMaterial.tlogEntries) checkLoggedSigner(entry, signerKey);

  return {
    mediaType,
    content:
      content.$case === 'messageSignature'
        ? {
            kind: 'message-signature',
            digestAlgorithm: hashName(content.messageSignature.messageDigest.algorithm),
            digest: Buffer.from(content.messageSignature.messageDigest.digest).toString('hex'),
          }
        : { kind: 'dsse', payloadType: content.dsseEnvelope.payloadType, payload: Buffer.from(content.dsseEnvelope.payload) },
    signer,
    tlogEntries: bundle.verificationMaterial.tlogEntries.map((e) => summarizeEntry(e, trust)),
    signedAt: signingTimes(entity),
  };
}

/**
 * cosign-style verification of a file: the cryptography, then the expected signer exactly, then
 * the file bound to what was signed (for DSSE, an in-toto subject with the file's sha256).
 */
export function verifyBundle(json: unknown, artifact: Artifact, trust: TrustedRootSource, expected: ExpectedSigner): VerifiedBundle {
  const verified = verifySignatures(json, artifact, trust, expected.kind === 'key' ? expected.key : undefined);
  if (expected.kind === 'publisher') {
    if (verified.signer.kind !== 'certificate') throw new VerifyError('key-mismatch', 'the bundle is signed with a managed key');
    checkPublisher(verified.signer.identity, expected.spec);
  }
  if (verified.content.kind === 'dsse') {
    const sha256 = artifact.kind === 'sha256' ? artifact.sha256 : createHash('sha256').update(artifact.bytes).digest('hex');
    const statement = parseStatement(verified.content.payloadType, verified.content.payload);
    if (subjectsWithSha256(statement, sha256).length === 0) {
      throw new VerifyError('digest-mismatch', `no subject of the signed statement has the file's sha256 ${sha256}`);
    }
  }
  return verified;
}

/** A view, not a copy: the artifact may be large. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * For callers that only accept DSSE (PEP 740, SLSA): refuses a message-signature bundle up front,
 * as a verdict, before it could ask for the file's bytes.
 */
export function requireDsseBundle(json: unknown, what: string): void {
  if (isObject(json) && json['messageSignature'] !== undefined) {
    throw new VerifyError('bundle-malformed', `${what} is a DSSE envelope; this bundle signs a bare message`);
  }
}

/** The signing key's SubjectPublicKeyInfo, DER: how keys are compared whatever their encoding. */
function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

function checkMessageDigest(sig: { messageDigest: { algorithm: HashAlgorithm; digest: Buffer } }, bytes: Uint8Array): void {
  const alg = hashName(sig.messageDigest.algorithm);
  if (!['sha256', 'sha384', 'sha512'].includes(alg)) {
    throw new VerifyError('bundle-malformed', `unsupported message digest algorithm ${alg}`);
  }
  const actual = createHash(alg).update(bytes).digest();
  if (!actual.equals(Buffer.from(sig.messageDigest.digest))) {
    throw new VerifyError('digest-mismatch', `the bundle signs ${alg}:${Buffer.from(sig.messageDigest.digest).toString('hex')}, the file is ${alg}:${actual.toString('hex')}`);
  }
}

function hashName(alg: HashAlgorithm): string {
  switch (alg) {
    case HashAlgorithm.SHA2_256:
    case HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED:
      return 'sha256';
    case HashAlgorithm.SHA2_384:
      return 'sha384';
    case HashAlgorithm.SHA2_512:
      return 'sha512';
    default:
      return `algorithm ${alg}`;
  }
}

/** @sigstore/verify error codes -> ours. */
const LIBRARY_CODES: Record<string, VerifyErrorCode> = {
  TLOG_ERROR: 'tlog-invalid',
  TLOG_BODY_ERROR: 'tlog-invalid',
  TLOG_INCLUSION_PROOF_ERROR: 'tlog-invalid',
  TLOG_INCLUSION_PROMISE_ERROR: 'tlog-invalid',
  TLOG_MISSING_INCLUSION_ERROR: 'tlog-invalid',
  CERTIFICATE_ERROR: 'certificate-invalid',
  TIMESTAMP_ERROR: 'timestamp-invalid',
  PUBLIC_KEY_ERROR: 'key-mismatch',
  SIGNATURE_ERROR: 'signature-invalid',
  UNTRUSTED_SIGNER_ERROR: 'identity-mismatch',
};

function mapLibraryError(err: unknown, entity: SignedEntity, key: KeyObject | undefined): VerifyError {
  if (err instanceof VerificationError || err instanceof PolicyError) {
    let code = LIBRARY_CODES[err.code] ?? 'signature-invalid';
    let message = err.message;
    if (err.cause instanceof Error && err.cause.message && err.cause.message !== message) message += ` (${err.cause.message})`;
    // The library checks the log entry before the signature, so an edited statement or artifact
    // first shows up as "the log entry records something else". When the signature does not
    // verify either, that is the more useful thing to say.
    if (err.code === 'TLOG_BODY_ERROR' && !signatureVerifies(entity, key)) {
      code = 'signature-invalid';
      message = `the signature does not verify over the signed content (and the log entry does not match it: ${err.message})`;
    }
    return new VerifyError(code, describe(code, message), { cause: err });
  }
  // Anything else is the library tripping over a shape it did not expect: fail closed.
  return new VerifyError('bundle-malformed', `the bundle could not be verified: ${(err as Error).message}`, { cause: err });
}

function describe(code: VerifyErrorCode, message: string): string {
  switch (code) {
    case 'tlog-invalid':
      return `transparency log entry rejected: ${message}`;
    case 'certificate-invalid':
      return `signing certificate rejected: ${message}`;
    case 'timestamp-invalid':
      return `no trusted signing time: ${message}`;
    default:
      return message;
  }
}

function signatureVerifies(entity: SignedEntity, key: KeyObject | undefined): boolean {
  try {
    const signingKey = entity.key.$case === 'certificate' ? createPublicKey({ key: entity.key.certificate.publicKey, format: 'der', type: 'spki' }) : key;
    return signingKey !== undefined && entity.signature.verifySignature(signingKey);
  } catch {
    return false;
  }
}

/**
 * A bundle's chain is only a hint for path building; trust comes from the trusted root. A root
 * certificate inside the bundle is either useless or an attempt to smuggle in an anchor, so it is
 * refused outright (the conformance suite requires this).
 */
function refuseEmbeddedRoots(bundle: Bundle): void {
  const vm = bundle.verificationMaterial.content;
  if (vm.$case !== 'x509CertificateChain') return;
  for (const [i, raw] of vm.x509CertificateChain.certificates.entries()) {
    let cert: X509Certificate;
    try {
      cert = X509Certificate.parse(Buffer.from(raw.rawBytes));
    } catch (err) {
      throw new VerifyError('bundle-malformed', `certificate ${i} of the bundle's chain is not DER X.509: ${(err as Error).message}`);
    }
    if (cert.subject.equals(cert.issuer) && safeVerify(cert)) {
      throw new VerifyError('certificate-invalid', `the bundle's certificate chain contains a self-signed root (certificate ${i}); roots come only from the trusted root`);
    }
  }
}

function safeVerify(cert: X509Certificate): boolean {
  try {
    return cert.verify();
  } catch {
    return false;
  }
}

/**
 * v0.1 bundles (sigstore-python 1.x) may carry an inclusion proof without a checkpoint. A Merkle
 * proof against a root hash nobody signed proves nothing, and @sigstore/verify crashes on it; the
 * v0.1 format's required inclusion promise (Rekor's signed entry timestamp) is what vouches for
 * the entry, so the unanchored proof is set aside rather than half-checked.
 */
function dropUnanchoredProofs(bundle: Bundle): void {
  if (BUNDLE_MEDIA_TYPES[bundle.mediaType as keyof typeof BUNDLE_MEDIA_TYPES] !== '0.1') return;
  for (const entry of bundle.verificationMaterial.tlogEntries) {
    if (entry.inclusionProof && !entry.inclusionProof.checkpoint) entry.inclusionProof = undefined;
  }
}

/**
 * The library checks that the log entry records the bundle's signature and digest; it does not
 * look at the key or certificate the entry records. They must be the bundle's signer too, or the
 * entry vouches for someone else's signing event.
 */
function checkLoggedSigner(entry: ProtoTransparencyLogEntry, signerKey: KeyObject): void {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(entry.canonicalizedBody).toString('utf8'));
  } catch {
    return; // Already rejected by the library if it mattered; the body was verified as JSON there.
  }
  const recorded = loggedVerifiers(body);
  const want = spki(signerKey);
  for (const material of recorded) {
    let got: Buffer;
    try {
      got = material.kind === 'pem' ? spkiFromPem(material.text) : spkiFromDer(material.der, material.isCertificate);
    } catch (err) {
      throw new VerifyError('tlog-invalid', `the log entry records an unreadable signing key: ${(err as Error).message}`);
    }
    if (!got.equals(want)) {
      throw new VerifyError('tlog-invalid', `log entry ${entry.logIndex} records a different signing key than the bundle's`);
    }
  }
}

type RecordedVerifier = { kind: 'pem'; text: string } | { kind: 'der'; der: Buffer; isCertificate: boolean };

/** The signer recorded in a Rekor body, for the kinds Rekor v1 and v2 write. */
function loggedVerifiers(body: unknown): RecordedVerifier[] {
  if (!isObject(body) || !isObject(body['spec'])) return [];
  const spec = body['spec'];
  const out: RecordedVerifier[] = [];
  const pem = (b64: unknown): void => {
    if (typeof b64 === 'string' && b64 !== '') out.push({ kind: 'pem', text: Buffer.from(b64, 'base64').toString('utf8') });
  };
  const v2 = (verifier: unknown): void => {
    if (!isObject(verifier)) return;
    const cert = verifier['x509Certificate'];
    const key = verifier['publicKey'];
    if (isObject(cert) && typeof cert['rawBytes'] === 'string') out.push({ kind: 'der', der: Buffer.from(cert['rawBytes'], 'base64'), isCertificate: true });
    else if (isObject(key) && typeof key['rawBytes'] === 'string') out.push({ kind: 'der', der: Buffer.from(key['rawBytes'], 'base64'), isCertificate: false });
  };
  const kind = body['kind'];
  if (kind === 'hashedrekord') {
    const sig = spec['signature'];
    if (isObject(sig) && isObject(sig['publicKey'])) pem(sig['publicKey']['content']);
    const v002 = spec['hashedRekordV002'];
    if (isObject(v002) && isObject(v002['signature'])) v2(v002['signature']['verifier']);
  } else if (kind === 'dsse') {
    for (const s of arrayOf(spec['signatures'])) if (isObject(s)) pem(s['verifier']);
    const v002 = spec['dsseV002'];
    if (isObject(v002)) for (const s of arrayOf(v002['signatures'])) if (isObject(s)) v2(s['verifier']);
  } else if (kind === 'intoto') {
    const content = spec['content'];
    const envelope = isObject(content) ? content['envelope'] : undefined;
    if (isObject(envelope)) for (const s of arrayOf(envelope['signatures'])) if (isObject(s)) pem(s['publicKey']);
  }
  return out;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function spkiFromPem(text: string): Buffer {
  if (text.includes('CERTIFICATE')) return Buffer.from(X509Certificate.parse(text).publicKey);
  return spki(createPublicKey(text));
}

function spkiFromDer(der: Buffer, isCertificate: boolean): Buffer {
  if (isCertificate) return Buffer.from(X509Certificate.parse(Buffer.from(der)).publicKey);
  return spki(createPublicKey({ key: der, format: 'der', type: 'spki' }));
}

function summarizeEntry(entry: ProtoTransparencyLogEntry, trust: TrustedRootSource): LogEntrySummary {
  const logId = Buffer.from(entry.logId?.keyId ?? []);
  const log = trust.root.tlogs.find((t) => (t.checkpointKeyId ? Buffer.from(t.checkpointKeyId.keyId) : Buffer.from(t.logId?.keyId ?? [])).equals(logId));
  const integrated = entry.integratedTime && entry.integratedTime !== '0' ? new Date(Number(entry.integratedTime) * 1000).toISOString() : undefined;
  return {
    logIndex: entry.logIndex,
    log: log?.baseUrl,
    kind: entry.kindVersion?.kind ?? '',
    version: entry.kindVersion?.version ?? '',
    integratedTime: integrated,
  };
}

function signingTimes(entity: SignedEntity): string[] {
  const times = entity.timestamps.map((t) =>
    t.$case === 'transparency-log' ? new Date(Number(t.tlogEntry.integratedTime) * 1000) : t.timestamp.signingTime,
  );
  return times.map((d) => d.toISOString()).sort();
}

// ---------------------------------------------------------------------------------------------
// Strict reading of the bundle JSON, before the lenient protobuf reader sees it.

/** Standard or URL-safe base64 (both are valid protobuf JSON), padded or not, nothing else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;
const UINT64 = /^(?:0|[1-9][0-9]{0,19})$/;

function preflight(json: unknown): void {
  const problems: string[] = [];
  const fail = (): never => {
    throw new VerifyError('bundle-malformed', `invalid bundle: ${problems.join('; ')}`);
  };
  if (!isObject(json)) {
    problems.push('not a JSON object');
    fail();
  }
  const b = json as Record<string, unknown>;
  const mediaType = b['mediaType'];
  if (typeof mediaType !== 'string' || !Object.hasOwn(BUNDLE_MEDIA_TYPES, mediaType)) {
    problems.push(`unsupported media type ${JSON.stringify(mediaType)} (known: Sigstore bundle v0.1, v0.2, v0.3)`);
    fail();
  }
  const base64 = (value: unknown, where: string, required = true): void => {
    if (value === undefined && !required) return;
    // Line breaks are tolerated because Go's decoder (sigstore-go, cosign) skips them and tools
    // write `base64` output wrapped at 76 columns; anything else outside the alphabet is refused.
    const text = typeof value === 'string' ? value.replace(/\r?\n/g, '') : value;
    if (typeof text !== 'string' || text === '' || !(BASE64.test(text) || BASE64URL.test(text))) {
      problems.push(`${where} is ${value === undefined ? 'missing' : 'not base64'}`);
    }
  };
  const uint = (value: unknown, where: string, required = true): void => {
    if (value === undefined && !required) return;
    const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text !== 'string' || !UINT64.test(text)) problems.push(`${where} is not a non-negative integer: ${JSON.stringify(value)}`);
  };

  const hasMessage = b['messageSignature'] !== undefined;
  const hasDsse = b['dsseEnvelope'] !== undefined;
  if (hasMessage === hasDsse) problems.push('exactly one of messageSignature and dsseEnvelope is required');
  if (hasMessage) {
    const m = b['messageSignature'];
    if (!isObject(m)) problems.push('messageSignature is not an object');
    else {
      base64(m['signature'], 'messageSignature.signature');
      const d = m['messageDigest'];
      if (!isObject(d)) problems.push('messageSignature.messageDigest is missing');
      else base64(d['digest'], 'messageSignature.messageDigest.digest');
    }
  }
  if (hasDsse) {
    const e = b['dsseEnvelope'];
    if (!isObject(e)) problems.push('dsseEnvelope is not an object');
    else {
      base64(e['payload'], 'dsseEnvelope.payload');
      if (typeof e['payloadType'] !== 'string') problems.push('dsseEnvelope.payloadType is missing');
      const sigs = e['signatures'];
      if (!Array.isArray(sigs) || sigs.length !== 1) problems.push('dsseEnvelope must carry exactly one signature');
      else sigs.forEach((s, i) => base64(isObject(s) ? s['sig'] : undefined, `dsseEnvelope.signatures[${i}].sig`));
    }
  }

  const vm = b['verificationMaterial'];
  if (!isObject(vm)) {
    problems.push('verificationMaterial is missing');
    fail();
  }
  const material = vm as Record<string, unknown>;
  const kinds = ['x509CertificateChain', 'certificate', 'publicKey'].filter((k) => material[k] !== undefined);
  if (kinds.length !== 1) problems.push('verificationMaterial needs exactly one of x509CertificateChain, certificate and publicKey');
  const chain = material['x509CertificateChain'];
  if (chain !== undefined) {
    const certs = isObject(chain) ? chain['certificates'] : undefined;
    if (!Array.isArray(certs) || certs.length === 0) problems.push('the certificate chain is empty');
    else certs.forEach((c, i) => base64(isObject(c) ? c['rawBytes'] : undefined, `x509CertificateChain.certificates[${i}].rawBytes`));
  }
  const cert = material['certificate'];
  if (cert !== undefined) base64(isObject(cert) ? cert['rawBytes'] : undefined, 'certificate.rawBytes');

  const entries = material['tlogEntries'];
  if (!Array.isArray(entries)) problems.push('verificationMaterial.tlogEntries is missing');
  else {
    entries.forEach((e, i) => {
      const at = `tlogEntries[${i}]`;
      if (!isObject(e)) {
        problems.push(`${at} is not an object`);
        return;
      }
      uint(e['logIndex'], `${at}.logIndex`);
      uint(e['integratedTime'], `${at}.integratedTime`, false);
      base64(isObject(e['logId']) ? e['logId']['keyId'] : undefined, `${at}.logId.keyId`);
      base64(e['canonicalizedBody'], `${at}.canonicalizedBody`);
      const promise = e['inclusionPromise'];
      if (promise !== undefined) base64(isObject(promise) ? promise['signedEntryTimestamp'] : undefined, `${at}.inclusionPromise.signedEntryTimestamp`);
      const proof = e['inclusionProof'];
      if (proof !== undefined) {
        if (!isObject(proof)) problems.push(`${at}.inclusionProof is not an object`);
        else {
          uint(proof['logIndex'], `${at}.inclusionProof.logIndex`);
          uint(proof['treeSize'], `${at}.inclusionProof.treeSize`);
          base64(proof['rootHash'], `${at}.inclusionProof.rootHash`);
          const hashes = proof['hashes'] ?? [];
          if (!Array.isArray(hashes)) problems.push(`${at}.inclusionProof.hashes is not a list`);
          else hashes.forEach((h, j) => base64(h, `${at}.inclusionProof.hashes[${j}]`));
        }
      }
    });
  }
  const tsData = material['timestampVerificationData'];
  if (tsData !== undefined && isObject(tsData)) {
    const stamps = tsData['rfc3161Timestamps'] ?? [];
    if (!Array.isArray(stamps)) problems.push('timestampVerificationData.rfc3161Timestamps is not a list');
    else stamps.forEach((s, i) => base64(isObject(s) ? s['signedTimestamp'] : undefined, `rfc3161Timestamps[${i}].signedTimestamp`));
  }
  if (problems.length > 0) fail();
}
