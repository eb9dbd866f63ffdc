/**
 * `pyward verify` use cases: read the inputs, pick the trusted root, run the provenance checks,
 * and assemble a VerifyReport. A failed verification is a report with `verified: false`, not an
 * exception; exceptions are for input the user must fix (missing files, bad flags: exit 2).
 *
 * All three work offline: nothing here fetches. Finding attestations on an index (PEP 691
 * `provenance`, the Integrity API) and continuity across releases are separate use cases.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import { verifyBundle, type ExpectedSigner, type LogEntrySummary, type VerifiedBundle } from '../checks/provenance/bundle.js';
import { distributionKey } from '../checks/provenance/distfile.js';
import { VerifyError } from '../checks/provenance/errors.js';
import { formatPublisherSpec, parsePublisherSpec, type CertificateIdentity, type PublisherSpec } from '../checks/provenance/identity.js';
import { parseStatement } from '../checks/provenance/intoto.js';
import { readProvenanceDocument, verifyProvenance, type AttestationResult, type ProvenanceDocument } from '../checks/provenance/pep740.js';
import { verifySlsaBundle, type SlsaExpectations } from '../checks/provenance/slsa.js';
import type { AttestationReport, ExpectedReport, SignerReport, VerifyReport } from '../reporters/verify/types.js';
import { resolveTrustedRoot, type TrustedRootSource } from '../sources/sigstore/trusted-root.js';
import { VERSION } from './version.js';

/** The distribution or file being verified: a path to hash, or a digest and a name. */
export interface ArtifactOptions {
  file?: string | undefined;
  sha256?: string | undefined;
  filename?: string | undefined;
}

/** Who must have signed: a publisher spec, or an exact identity and issuer. */
export interface SignerOptions {
  publisher?: string | undefined;
  identity?: string | undefined;
  issuer?: string | undefined;
}

export interface AttestationRequest extends ArtifactOptions, SignerOptions {
  attestation: string;
  trustedRoot?: string | undefined;
}

export interface BundleRequest {
  bundle: string;
  file: string;
  identity?: string | undefined;
  issuer?: string | undefined;
  key?: string | undefined;
  trustedRoot?: string | undefined;
}

export interface SlsaRequest extends ArtifactOptions, Omit<SlsaExpectations, 'sourceUri'> {
  provenance: string;
  sourceUri: string;
  trustedRoot?: string | undefined;
}

/** PEP 740: `pyward verify --attestation ATT (FILE | --sha256 HEX --filename NAME) --expect-publisher SPEC`. */
export async function verifyAttestationFile(req: AttestationRequest): Promise<VerifyReport> {
  const spec = signerSpec(req);
  const artifact = await resolveArtifact(req, { needsName: true });
  // The name is the caller's: refuse one that is no distribution name before judging anything.
  distributionKey(artifact.filename);
  const trust = resolveTrustedRoot({ file: req.trustedRoot });
  const report = baseReport('attestation', req.attestation, artifact, expectedFromSpec(spec), trust);

  let doc: ProvenanceDocument;
  try {
    doc = readProvenanceDocument(readJson(req.attestation));
  } catch (err) {
    return fail(report, err);
  }
  report.input.format = doc.kind;
  const result = verifyProvenance(doc, { filename: artifact.filename, sha256: artifact.sha256 }, spec, trust);
  report.attestations = result.attestations.map(attestationReport);
  report.verified = result.verified;
  if (result.error) report.error = errorReport(result.error);
  return report;
}

/** cosign-style: `pyward verify bundle --bundle B (--cert-identity I --cert-oidc-issuer U | --key K) FILE`. */
export async function verifyBundleFile(req: BundleRequest): Promise<VerifyReport> {
  let expected: ExpectedSigner;
  const expectedReport: ExpectedReport = {};
  if (req.key !== undefined) {
    if (req.identity !== undefined || req.issuer !== undefined) throw new UsageError('--key verifies a managed-key bundle; drop --cert-identity and --cert-oidc-issuer');
    const key = readKey(req.key);
    expected = { kind: 'key', key };
    expectedReport.keySha256 = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
  } else {
    if (req.identity === undefined || req.issuer === undefined) {
      throw new UsageError('give the expected signer: --cert-identity and --cert-oidc-issuer (both, matched exactly), or --key for a managed-key bundle');
    }
    expected = { kind: 'publisher', spec: { kind: 'identity', identity: req.identity, issuer: req.issuer } };
    expectedReport.identity = req.identity;
    expectedReport.issuer = req.issuer;
  }
  const bytes = readInput(req.file, 'file');
  const artifact = { filename: basename(req.file), sha256: createHash('sha256').update(bytes).digest('hex'), path: req.file };
  const trust = resolveTrustedRoot({ file: req.trustedRoot });
  const report = baseReport('bundle', req.bundle, artifact, expectedReport, trust);
  report.input.format = 'bundle';
  const entry: AttestationReport = { where: 'bundle', verified: false, transparencyLog: [], signedAt: [] };
  report.attestations = [entry];
  try {
    const verified = verifyBundle(readJson(req.bundle), { kind: 'bytes', bytes }, trust, expected);
    Object.assign(entry, bundleSummary(verified));
    entry.verified = true;
    report.verified = true;
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    entry.error = errorReport(err);
    return fail(report, err);
  }
  return report;
}

/** SLSA: `pyward verify slsa --provenance P --source-uri URI [--source-tag T] [--builder-id ID] FILE`. */
export async function verifySlsaFile(req: SlsaRequest): Promise<VerifyReport> {
  const artifact = await resolveArtifact(req, { needsName: false });
  const trust = resolveTrustedRoot({ file: req.trustedRoot });
  if (req.sourceTag !== undefined && req.sourceBranch !== undefined) throw new UsageError('give --source-tag or --source-branch, not both');
  const expectations: SlsaExpectations = { sourceUri: req.sourceUri, sourceTag: req.sourceTag, sourceBranch: req.sourceBranch, builderId: req.builderId };
  const expected: ExpectedReport = { sourceUri: req.sourceUri };
  if (req.sourceTag !== undefined) expected.sourceTag = req.sourceTag;
  if (req.sourceBranch !== undefined) expected.sourceBranch = req.sourceBranch;
  if (req.builderId !== undefined) expected.builderId = req.builderId;
  const report = baseReport('slsa', req.provenance, artifact, expected, trust);
  const entry: AttestationReport = { where: 'bundle', verified: false, transparencyLog: [], signedAt: [] };
  report.attestations = [entry];
  try {
    // SLSA provenance arrives as a Sigstore bundle, or as a PEP 740 attestation on PyPI.
    const doc = readProvenanceDocument(readJson(req.provenance));
    report.input.format = doc.kind;
    if (doc.attestations.length !== 1) throw new VerifyError('bundle-malformed', `expected one provenance statement, found ${doc.attestations.length}`);
    const only = doc.attestations[0]!;
    entry.where = only.where;
    if (only.conversionError) throw only.conversionError;
    const v = verifySlsaBundle(only.bundle, artifact.sha256, expectations, trust);
    entry.signer = signerReport(v.signer);
    entry.predicateType = v.claims.predicateType;
    entry.slsa = {
      predicateType: v.claims.predicateType,
      builderId: v.claims.builderId,
      ...compact({
        builderTrust: v.builderTrust,
        buildType: v.claims.buildType,
      sourceRepository: v.claims.sourceRepository,
      sourceRef: v.claims.sourceRef,
        sourceCommit: v.claims.sourceCommit,
      }),
    };
    entry.transparencyLog = v.tlogEntries.map(logReport);
    entry.signedAt = v.signedAt;
    entry.verified = true;
    report.verified = true;
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    entry.error = errorReport(err);
    return fail(report, err);
  }
  return report;
}

function signerSpec(req: SignerOptions): PublisherSpec {
  if (req.publisher !== undefined) {
    if (req.identity !== undefined || req.issuer !== undefined) {
      throw new UsageError('give --expect-publisher, or --cert-identity with --cert-oidc-issuer, not both');
    }
    return parsePublisherSpec(req.publisher);
  }
  if (req.identity !== undefined && req.issuer !== undefined) return { kind: 'identity', identity: req.identity, issuer: req.issuer };
  throw new UsageError(
    'give the expected publisher: --expect-publisher github:OWNER/REPO@WORKFLOW.yml (or gitlab:..., google:EMAIL), or --cert-identity with --cert-oidc-issuer',
  );
}

function expectedFromSpec(spec: PublisherSpec): ExpectedReport {
  return spec.kind === 'identity' ? { identity: spec.identity, issuer: spec.issuer } : { publisher: formatPublisherSpec(spec) };
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

async function resolveArtifact(req: ArtifactOptions, { needsName }: { needsName: boolean }): Promise<VerifyReport['artifact']> {
  if (req.file !== undefined) {
    if (req.sha256 !== undefined) throw new UsageError('give the file or --sha256, not both');
    const sha256 = await hashFile(req.file);
    return { filename: req.filename ?? basename(req.file), sha256, path: req.file };
  }
  if (req.sha256 === undefined) throw new UsageError('give the distribution file, or its --sha256 and --filename');
  if (!SHA256_HEX.test(req.sha256)) throw new UsageError(`--sha256 must be 64 hex digits, got ${JSON.stringify(req.sha256)}`);
  if (needsName && req.filename === undefined) throw new UsageError('--sha256 needs --filename: the attestation names the file it is for');
  return { filename: req.filename ?? '', sha256: req.sha256.toLowerCase() };
}

/** Streamed: a distribution can be gigabytes (CUDA wheels), and only its digest is needed. */
async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    throw inputError(err, path, 'file');
  }
  return hash.digest('hex');
}

function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw inputError(err, path, what);
  }
}

function inputError(err: unknown, path: string, what: string): InputError {
  const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'input-not-found' : 'input-unreadable';
  return new InputError(code, `cannot read the ${what}: ${(err as Error).message}`, { file: path });
}

/** Unparsable JSON is a bad attestation (a verdict), not a bad command line. */
function readJson(path: string): unknown {
  const text = readInput(path, 'attestation').toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new VerifyError('bundle-malformed', `${path} is not JSON: ${(err as Error).message}`);
  }
}

function readKey(path: string): KeyObject {
  const pem = readInput(path, 'key');
  try {
    return createPublicKey(pem);
  } catch (err) {
    throw new InputError('input-parse', `not a PEM public key: ${(err as Error).message}`, { file: path });
  }
}

function baseReport(
  mode: VerifyReport['mode'],
  inputPath: string,
  artifact: VerifyReport['artifact'],
  expected: ExpectedReport,
  trust: TrustedRootSource,
): VerifyReport {
  return {
    schemaVersion: 1,
    mode,
    verified: false,
    artifact,
    input: { path: inputPath, format: 'unknown' },
    expected,
    trustedRoot: { source: trust.kind, label: trust.label, sha256: trust.sha256 },
    attestations: [],
    tool: { name: 'pyward', version: VERSION },
  };
}

function fail(report: VerifyReport, err: unknown): VerifyReport {
  if (!(err instanceof VerifyError)) throw err;
  report.verified = false;
  report.error = errorReport(err);
  return report;
}

function errorReport(err: VerifyError): { code: string; message: string } {
  return { code: err.code, message: err.message };
}

function attestationReport(a: AttestationResult): AttestationReport {
  // Built in the order the JSON shows it: verdict, what was signed, by whom, where it was logged.
  return {
    where: a.where,
    verified: a.verified,
    ...(a.error ? { error: errorReport(a.error) } : {}),
    ...(a.predicateType !== undefined ? { predicateType: a.predicateType } : {}),
    ...(a.signer ? { signer: signerReport(a.signer) } : {}),
    ...(a.claimedPublisher ? { claimedPublisher: a.claimedPublisher } : {}),
    ...(a.slsa
      ? {
          slsa: {
            predicateType: a.slsa.predicateType,
            builderId: a.slsa.builderId,
            ...compact({
              buildType: a.slsa.buildType,
              sourceRepository: a.slsa.sourceRepository,
              sourceRef: a.slsa.sourceRef,
              sourceCommit: a.slsa.sourceCommit,
            }),
          },
        }
      : {}),
    transparencyLog: (a.tlogEntries ?? []).map(logReport),
    signedAt: a.signedAt ?? [],
  };
}

function bundleSummary(v: VerifiedBundle): Partial<AttestationReport> {
  const out: Partial<AttestationReport> = {
    transparencyLog: v.tlogEntries.map(logReport),
    signedAt: v.signedAt,
    signer: v.signer.kind === 'certificate' ? signerReport(v.signer.identity) : { kind: 'key', keySha256: v.signer.keySha256 },
  };
  if (v.content.kind === 'dsse') {
    try {
      out.predicateType = parseStatement(v.content.payloadType, v.content.payload).predicateType;
    } catch {
      // A DSSE payload that is not in-toto was already refused by verifyBundle; nothing to add.
    }
  }
  return out;
}

function signerReport(id: CertificateIdentity): SignerReport {
  const c = id.claims;
  return {
    kind: 'certificate',
    identity: id.san,
    ...compact({
      issuer: id.issuer,
      repository: c.sourceRepositoryUri,
      repositoryId: c.sourceRepositoryIdentifier,
      owner: c.sourceRepositoryOwnerUri,
      ownerId: c.sourceRepositoryOwnerIdentifier,
      ref: c.sourceRepositoryRef,
      commit: c.sourceRepositoryDigest,
      workflow: c.buildConfigUri,
      buildSigner: c.buildSignerUri,
      trigger: c.buildTrigger,
      runner: c.runnerEnvironment,
      run: c.runInvocationUri,
      visibility: c.sourceRepositoryVisibilityAtSigning,
    }),
    certificateValidity: { notBefore: id.notBefore, notAfter: id.notAfter },
  };
}

function logReport(e: LogEntrySummary): AttestationReport['transparencyLog'][number] {
  return { logIndex: e.logIndex, ...compact({ log: e.log, integratedTime: e.integratedTime }) };
}

/** Drops undefined fields so the JSON has no `"x": null` noise and absent means absent. */
function compact<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
