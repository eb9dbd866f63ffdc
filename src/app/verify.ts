/**
 * `pyward verify` use cases: read the inputs, pick the trusted root, run the provenance checks,
 * and assemble a VerifyReport. A failed verification is a report with `verified: false`, not an
 * exception; exceptions are for input the user must fix (missing files, bad flags: exit 2).
 *
 * The file forms (PEP 740 attestation, bundle, SLSA) work offline: nothing there fetches. The
 * index forms below list a release's files on an index, fetch each file's provenance (PEP 691
 * `provenance`, the Integrity API) and compare the signers across releases.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatLocation, InputError, UsageError } from '../core/errors.js';
import { parseSdistFilename, parseWheelFilename } from '../core/filename.js';
import type { Risk } from '../core/model.js';
import { isValidName, normalizeName } from '../core/names.js';
import { compareVersions, parseVersion } from '../core/version.js';
import {
  asPublisherIdentity,
  assessContinuity,
  firstIdentity,
  publisherIdentity,
  publisherLabel,
  type Baseline,
  type ContinuityFinding,
  type FileEvidence,
  type PublisherIdentity,
  type ReleaseEvidence,
} from '../checks/provenance/continuity.js';
import { readPublisherPins, type PublisherPin } from '../checks/provenance/expectations.js';
import { readInputs } from '../inputs/registry.js';
import { JsonCache } from '../sources/cache.js';
import { redactCredentials } from '../sources/conditional.js';
import { mapLimit } from '../sources/http.js';
import { indexKey, jsonApiBase, PYPI_SIMPLE } from '../sources/pypi/indexes.js';
import { IntegrityClient, type ProvenanceAnswer } from '../sources/pypi/integrity.js';
import { PypiJsonClient } from '../sources/pypi/project.js';
import { fileVersion, SimpleIndexClient } from '../sources/pypi/simple.js';
import { verifyBundle, type ExpectedSigner, type LogEntrySummary, type VerifiedBundle } from '../checks/provenance/bundle.js';
import { distributionKey } from '../checks/provenance/distfile.js';
import { VerifyError } from '../checks/provenance/errors.js';
import { formatPublisherSpec, parsePublisherSpec, type CertificateIdentity, type PublisherSpec } from '../checks/provenance/identity.js';
import { parseStatement } from '../checks/provenance/intoto.js';
import { readProvenanceDocument, verifyProvenance, type AttestationResult, type ProvenanceDocument } from '../checks/provenance/pep740.js';
import { verifySlsaBundle, type SlsaExpectations } from '../checks/provenance/slsa.js';
import type {
  AttestationReport,
  ExpectedPublisherReport,
  ExpectedReport,
  FileReport,
  IndexVerifyReport,
  ProjectReport,
  ReleaseReport,
  ReportedError,
  SignerReport,
  SkippedReport,
  VerifyReport,
} from '../reporters/verify/types.js';
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

// ---------------------------------------------------------------------------------------------
// On an index: `NAME==VERSION`, `project NAME` (a walk of its releases) and lockfiles. Files are
// listed by the index with their sha256; each file's provenance comes from the PEP 691 page's
// `provenance` URL or the Integrity API, and is verified against that sha256 (no download: the
// attestation signs the digest). The signers are then compared across releases (continuity.ts).
// ---------------------------------------------------------------------------------------------

export interface IndexRequest {
  /** The simple index (`--index-url`); lockfile packages that name their own registry use that instead, unless this is given. */
  indexUrl?: string | undefined;
  cacheDir: string;
  offline?: boolean | undefined;
  /** `--expect-publisher`: pins the publisher of the one project asked about. */
  publisher?: string | undefined;
  /** `--policy FILE`: must exist. */
  policyFile?: string | undefined;
  /** Read when it exists and no --policy is given (the CLI passes ./pyward.toml). */
  defaultPolicyFile?: string | undefined;
  tofu?: boolean | undefined;
  /** Forget the stored identity and learn it again from this run. */
  tofuReset?: boolean | undefined;
  /** Walk the releases before the one asked about (always on for `project`). */
  history?: boolean | undefined;
  /** How many releases a walk covers, the one asked about included (default 10). */
  releases?: number | undefined;
  failOn?: Risk | undefined;
  /** Lockfile mode: a package without attestations fails too. */
  requireAttestations?: boolean | undefined;
  trustedRoot?: string | undefined;
  timeoutMs?: number | undefined;
}

export const DEFAULT_HISTORY_RELEASES = 10;
const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];

interface IndexContext {
  req: IndexRequest;
  mode: IndexVerifyReport['mode'];
  trust: TrustedRootSource;
  simple: SimpleIndexClient;
  integrity: IntegrityClient;
  jsonClients: Map<string, PypiJsonClient>;
  pins: Map<string, PublisherPin>;
  flagPin: PublisherSpec | undefined;
  tofuStore: JsonCache | undefined;
  failOn: Risk;
  window: number;
  diagnostics: IndexVerifyReport['diagnostics'];
  skipped: SkippedReport[];
}

/** What to verify for one project. */
interface Target {
  name: string;
  indexUrl: string;
  /** The release asked about; undefined for the newest (`project NAME`). */
  version?: string;
  /** Lockfile: only the target release's files with these sha256s. */
  sha256s?: Set<string>;
  location?: string;
  history: boolean;
}

interface FileToVerify {
  filename: string;
  sha256?: string;
  /** PEP 691 `provenance`. */
  provenanceUrl?: string;
}

interface ReleaseToVerify {
  version: string;
  uploadTime?: string;
  yanked: boolean;
  target: boolean;
  files: FileToVerify[];
}

/** `NAME` or `NAME==VERSION`, as a user types it. */
export function parseProjectArgument(text: string): { name: string; version?: string } {
  const m = /^\s*([^\s=<>!~;,\[]+)\s*(?:==\s*([^\s=;,*]+))?\s*$/.exec(text);
  if (!m || !isValidName(m[1]!)) {
    throw new UsageError(`${JSON.stringify(text)} is not NAME or NAME==VERSION (an exact version; ranges and wildcards are not releases)`);
  }
  const version = m[2];
  if (version !== undefined && parseVersion(version) === undefined) throw new UsageError(`${JSON.stringify(version)} is not a PEP 440 version`);
  return { name: normalizeName(m[1]!), ...(version !== undefined ? { version } : {}) };
}

/** `pyward verify NAME==VERSION`: every file of one release (and, with `history`, the releases before it). */
export async function verifyRelease(req: IndexRequest & { requirement: string }): Promise<IndexVerifyReport> {
  const { name, version } = parseProjectArgument(req.requirement);
  if (version === undefined) throw new UsageError(`give the release as ${name}==VERSION, or walk the project's releases with \`pyward verify project ${name}\``);
  const ctx = indexContext(req, 'release');
  const project = await verifyTarget(ctx, { name, version, indexUrl: req.indexUrl ?? PYPI_SIMPLE, history: req.history === true });
  if (!('releases' in project)) throw new InputError('input-not-found', project.reason);
  return indexReport(ctx, [project]);
}

/** `pyward verify project NAME[==VERSION]`: the last N releases up to the newest (or VERSION), and their continuity. */
export async function verifyProject(req: IndexRequest & { project: string }): Promise<IndexVerifyReport> {
  const { name, version } = parseProjectArgument(req.project);
  const ctx = indexContext(req, 'project');
  const project = await verifyTarget(ctx, { name, ...(version !== undefined ? { version } : {}), indexUrl: req.indexUrl ?? PYPI_SIMPLE, history: true });
  if (!('releases' in project)) throw new InputError('input-not-found', project.reason);
  return indexReport(ctx, [project]);
}

/**
 * Lockfiles and requirements: every pinned registry package with sha256 hashes. The inventory has
 * digests but no file names, and an attestation names its file, so the index's listing of the
 * locked release supplies the names (matched by digest). What cannot be verified is listed in
 * `skipped` with the reason.
 */
export async function verifyLockfiles(req: IndexRequest & { inputs: { path: string; format?: string }[] }): Promise<IndexVerifyReport> {
  if (req.publisher !== undefined) {
    throw new UsageError('--expect-publisher pins one project; for a lockfile, pin each project in pyward.toml under [verify.publishers]');
  }
  const ctx = indexContext(req, 'lockfile');
  const inventories = await readInputs(req.inputs);
  const targets = new Map<string, Target>();
  for (const inv of inventories) {
    for (const d of inv.diagnostics) {
      ctx.diagnostics.push({ severity: d.severity, message: d.message, ...(d.location ? { location: formatLocation(d.location) } : {}) });
    }
    for (const pkg of inv.packages) {
      const location = formatLocation(pkg.location);
      const skip = (reason: string): void =>
        void ctx.skipped.push({ name: pkg.name, ...(pkg.version !== undefined ? { version: pkg.version } : {}), reason, location });
      if (pkg.source.kind !== 'registry') {
        skip(`a ${pkg.source.kind} dependency${pkg.source.url ? ` (${redactCredentials(pkg.source.url)})` : ''}: no index lists it, so there is no provenance to fetch`);
        continue;
      }
      if (pkg.version === undefined) {
        skip('not pinned to one version');
        continue;
      }
      const sha256s = (pkg.hashes ?? []).filter((h) => h.toLowerCase().startsWith('sha256:')).map((h) => h.slice(7).toLowerCase());
      if (sha256s.length === 0) {
        skip('no sha256 hashes in the input, so no file to bind an attestation to (uv lock, pip-compile --generate-hashes and poetry lock record them)');
        continue;
      }
      const indexUrl = req.indexUrl ?? pkg.source.url ?? inv.indexUrls?.[0] ?? PYPI_SIMPLE;
      const key = `${indexKey(indexUrl)}|${pkg.name}|${pkg.version}`;
      const existing = targets.get(key);
      if (existing) for (const s of sha256s) existing.sha256s!.add(s);
      else targets.set(key, { name: pkg.name, version: pkg.version, indexUrl, sha256s: new Set(sha256s), location, history: req.history === true });
    }
  }
  const results = await mapLimit([...targets.values()], 4, (t) => verifyTarget(ctx, t));
  const projects: ProjectReport[] = [];
  for (const r of results) {
    if ('releases' in r) projects.push(r);
    else ctx.skipped.push(r);
  }
  const report = indexReport(ctx, projects);
  report.inputs = inventories.map((i) => ({ path: i.path, format: i.format }));
  return report;
}

function indexContext(req: IndexRequest, mode: IndexVerifyReport['mode']): IndexContext {
  const window = req.releases ?? DEFAULT_HISTORY_RELEASES;
  if (!Number.isInteger(window) || window < 1) throw new UsageError('--releases takes a whole number of releases, at least 1');
  const failOn = req.failOn ?? 'medium';
  if (!RISKS.includes(failOn)) throw new UsageError(`--fail-on takes one of ${RISKS.join(', ')}`);
  if (req.tofuReset && !req.tofu) throw new UsageError('--tofu-reset forgets an identity learned with --tofu; give both');
  const flagPin = req.publisher !== undefined ? parsePublisherSpec(req.publisher) : undefined;
  if (flagPin?.kind === 'identity') throw new UsageError('--expect-publisher takes a Trusted Publisher');
  const trust = resolveTrustedRoot({ file: req.trustedRoot });
  const http = { cacheDir: req.cacheDir, offline: req.offline === true, ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}) };
  return {
    req,
    mode,
    trust,
    simple: new SimpleIndexClient(http),
    integrity: new IntegrityClient(http),
    jsonClients: new Map(),
    pins: readPolicyPins(req),
    flagPin,
    tofuStore: req.tofu ? new JsonCache(join(req.cacheDir, 'verify-publishers')) : undefined,
    failOn,
    window,
    diagnostics: [],
    skipped: [],
  };
}

function readPolicyPins(req: IndexRequest): Map<string, PublisherPin> {
  const file = req.policyFile ?? (req.defaultPolicyFile !== undefined && existsSync(req.defaultPolicyFile) ? req.defaultPolicyFile : undefined);
  if (file === undefined) return new Map();
  return readPublisherPins(readInput(file, 'policy file').toString('utf8'), file);
}

function jsonClient(ctx: IndexContext, base: string): PypiJsonClient {
  let client = ctx.jsonClients.get(base);
  if (!client) {
    client = new PypiJsonClient({
      baseUrl: base,
      cacheDir: ctx.req.cacheDir,
      offline: ctx.req.offline === true,
      ...(ctx.req.timeoutMs !== undefined ? { timeoutMs: ctx.req.timeoutMs } : {}),
    });
    ctx.jsonClients.set(base, client);
  }
  return client;
}

function sameVersion(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const va = parseVersion(a);
  const vb = parseVersion(b);
  return va !== undefined && vb !== undefined && compareVersions(va, vb) === 0;
}

function earliestTime(times: (string | undefined)[]): string | undefined {
  return times.filter((t): t is string => t !== undefined).sort((x, y) => Date.parse(x) - Date.parse(y))[0];
}

/** One release from the PEP 691 page: the page lists files, their sha256 and their provenance URL. */
async function releaseFromSimple(ctx: IndexContext, t: Target & { version: string }): Promise<ReleaseToVerify[] | string> {
  const page = await ctx.simple.projectPage(t.indexUrl, t.name);
  for (const w of page.warnings) ctx.diagnostics.push({ severity: 'warning', message: w });
  if (!page.exists) return `${t.name} is not on ${redactCredentials(t.indexUrl)}`;
  const files = page.files.filter((f) => sameVersion(fileVersion(f.filename), t.version));
  if (files.length === 0) return `${t.name} ${t.version} has no files on ${redactCredentials(t.indexUrl)}`;
  return [
    {
      version: t.version,
      target: true,
      yanked: files.every((f) => f.yanked === true),
      ...optional('uploadTime', earliestTime(files.map((f) => f.uploadTime))),
      files: files.map((f) => ({ filename: f.filename, ...optional('sha256', f.hashes['sha256']), ...optional('provenanceUrl', f.provenance) })),
    },
  ];
}

/**
 * A walk from the JSON API: releases in upload order (a history is what happened when, and a
 * backport uploaded after a newer major is the newer event), the last `window` of them up to the
 * one asked about.
 */
async function releasesFromJson(ctx: IndexContext, t: Target, base: string): Promise<ReleaseToVerify[] | string> {
  const project = await jsonClient(ctx, base).project(t.name);
  if (!project.exists) return `${t.name} is not on ${redactCredentials(base)}`;
  if (!project.releasesListed) {
    ctx.diagnostics.push({ severity: 'warning', message: `${project.source} lists only the latest release, so ${t.name} has no history to compare with` });
  }
  const dated = project.releases
    .filter((r) => r.files.length > 0 && r.uploadTime !== undefined)
    .sort((a, b) => Date.parse(a.uploadTime!) - Date.parse(b.uploadTime!));
  let end = dated.length - 1;
  if (t.version !== undefined) {
    end = dated.findIndex((r) => sameVersion(r.version, t.version!));
    if (end < 0) return `${t.name} ${t.version} has no files on ${redactCredentials(base)}`;
  }
  if (end < 0) return `${t.name} has no release with files on ${redactCredentials(base)}`;
  return dated.slice(Math.max(0, end - ctx.window + 1), end + 1).map((r, i, all) => ({
    version: r.version,
    target: i === all.length - 1,
    yanked: r.yanked,
    ...optional('uploadTime', r.uploadTime),
    files: r.files.map((f) => ({ filename: f.filename, ...optional('sha256', f.sha256) })),
  }));
}

/** The whole verification of one project: list, fetch, verify, compare, judge. */
async function verifyTarget(ctx: IndexContext, t: Target): Promise<ProjectReport | SkippedReport> {
  const shownIndex = redactCredentials(t.indexUrl);
  const skipped = (reason: string): SkippedReport => ({ name: t.name, ...optional('version', t.version), reason, ...optional('location', t.location) });
  let releases: ReleaseToVerify[] | string;
  // The Integrity API sits next to the JSON API (PyPI: https://pypi.org/integrity/...).
  const apiBase = jsonApiBase(t.indexUrl);
  if (t.history) {
    if (apiBase === undefined) {
      throw new UsageError(`${shownIndex} does not end in /simple, so pyward cannot tell where its JSON API is (needed to list the releases of a history)`);
    }
    releases = await releasesFromJson(ctx, t, apiBase);
  } else {
    if (t.version === undefined) throw new UsageError(`give the release as ${t.name}==VERSION, or walk its releases with \`pyward verify project ${t.name}\``);
    releases = await releaseFromSimple(ctx, { ...t, version: t.version });
  }
  if (typeof releases === 'string') return skipped(releases);

  if (t.sha256s) {
    const target = releases[releases.length - 1]!;
    const listed = new Set(target.files.map((f) => f.sha256));
    for (const sha of t.sha256s) {
      if (!listed.has(sha)) {
        ctx.skipped.push(skipped(`sha256 ${sha} from the input is not among the files ${shownIndex} lists for ${t.name} ${target.version} (another index's build, or a file since deleted)`));
      }
    }
    target.files = target.files.filter((f) => f.sha256 !== undefined && t.sha256s!.has(f.sha256));
    if (target.files.length === 0) return skipped(`none of its sha256 hashes is a file ${shownIndex} lists for ${t.name} ${target.version}`);
  }

  const jobs = releases.flatMap((r) => r.files.map((f) => ({ release: r, file: f })));
  const outcomes = await mapLimit(jobs, 8, ({ release, file }) => verifyIndexFile(ctx, t, release.version, file, apiBase));
  const byRelease = new Map<ReleaseToVerify, FileOutcome[]>();
  jobs.forEach((j, i) => byRelease.set(j.release, [...(byRelease.get(j.release) ?? []), outcomes[i]!]));

  const evidence: ReleaseEvidence[] = releases.map((r) => ({
    version: r.version,
    yanked: r.yanked,
    ...optional('uploadTime', r.uploadTime),
    files: (byRelease.get(r) ?? []).map((o) => o.evidence),
  }));
  const { baseline, expected, learn, tofuKey } = baselineFor(ctx, t, releases.length === 1);
  // Grouped by release, oldest first, as the releases are shown (the sort is stable).
  const findings: ContinuityFinding[] = [...membershipFindings(t.name, releases), ...assessContinuity(evidence, baseline)].sort(
    (a, b) => releases.findIndex((r) => r.version === a.version) - releases.findIndex((r) => r.version === b.version),
  );

  if (learn && ctx.tofuStore && tofuKey) {
    const first = firstIdentity(evidence);
    if (first) {
      const at = new Date().toISOString();
      ctx.tofuStore.set(tofuKey, { identity: first.identity, version: first.version, learnedAt: at });
      // The store is a cache file, whose writes fail silently; an identity that did not stick must be said.
      if (!readTofu(ctx.tofuStore, tofuKey)) {
        ctx.diagnostics.push({ severity: 'warning', message: `${t.name}: could not store the learned publisher in ${ctx.tofuStore.dir} (check that the cache dir is writable)` });
      }
      expected.publisher = publisherLabel(first.identity);
      expected.learnedFrom = { version: first.version, at };
      expected.origin = ctx.tofuStore.dir;
    } else {
      expected.source = releases.length === 1 ? 'none' : 'history';
      ctx.diagnostics.push({ severity: 'warning', message: `${t.name}: no verified attestation to learn a publisher from (--tofu stores one once there is)` });
    }
  }

  const releaseReports: ReleaseReport[] = releases.map((r) => {
    const files = byRelease.get(r) ?? [];
    const publishers = [...new Set(files.flatMap((o) => o.evidence.signers.map((s) => publisherLabel(publisherIdentity(s)))))];
    return {
      version: r.version,
      ...optional('uploadTime', r.uploadTime),
      yanked: r.yanked,
      target: r.target,
      attested: { verified: files.filter((o) => o.evidence.provenance === 'verified').length, files: files.length },
      publishers,
      files: files.map((o) => o.report),
    };
  });
  const project: ProjectReport = {
    name: t.name,
    verified: false,
    index: shownIndex,
    expected,
    releases: releaseReports,
    findings: findings.map((f) => ({ ...f })),
    ...optional('location', t.location),
  };
  const error = projectError(ctx, project);
  project.verified = error === undefined;
  if (error) project.error = error;
  return project;
}

interface FileOutcome {
  report: FileReport;
  evidence: FileEvidence;
}

/** One file: its provenance from the index, verified against the index's (or the lockfile's) sha256. */
async function verifyIndexFile(ctx: IndexContext, t: Target, version: string, file: FileToVerify, apiBase: string | undefined): Promise<FileOutcome> {
  const report: FileReport = { filename: file.filename, ...optional('sha256', file.sha256), provenance: 'unknown', attestations: [] };
  const outcome = (provenance: FileReport['provenance'], signers: CertificateIdentity[] = []): FileOutcome => {
    report.provenance = provenance;
    return { report, evidence: { filename: file.filename, provenance, signers } };
  };
  if (file.sha256 === undefined) {
    report.error = { code: 'digest-unknown', message: 'the index gives no sha256 for this file, and an attestation signs a digest: nothing to check it against' };
    return outcome('unknown');
  }
  let answer: ProvenanceAnswer;
  if (file.provenanceUrl !== undefined) answer = await ctx.integrity.provenanceAt(file.provenanceUrl, t.indexUrl);
  else if (apiBase !== undefined) answer = await ctx.integrity.provenance(apiBase, t.name, version, file.filename);
  else {
    report.error = { code: 'provenance-unavailable', message: 'the index page gives no provenance URL and has no Integrity API pyward can locate (its URL does not end in /simple)' };
    return outcome('unknown');
  }
  report.provenanceUrl = answer.url;
  if (!answer.found) return outcome('none');
  try {
    if (answer.unparsable !== undefined) throw new VerifyError('bundle-malformed', `the provenance at ${answer.url} is unusable: ${answer.unparsable}`);
    const doc = readProvenanceDocument(answer.body);
    const result = verifyProvenance(doc, { filename: file.filename, sha256: file.sha256 }, undefined, ctx.trust);
    report.attestations = result.attestations.map(attestationReport);
    if (!result.verified) {
      report.error = errorReport(result.error ?? new VerifyError('no-attestations', 'no attestation verified'));
      return outcome('invalid');
    }
    return outcome('verified', result.attestations.flatMap((a) => (a.signer ? [a.signer] : [])));
  } catch (err) {
    if (err instanceof VerifyError) {
      report.error = errorReport(err);
      return outcome('invalid');
    }
    // The index's file name is not a wheel or sdist name, so no attestation subject can match it.
    if (err instanceof InputError) {
      report.error = { code: 'subject-mismatch', message: `${file.filename} is not a wheel or sdist name: ${err.message}` };
      return outcome('invalid');
    }
    throw err;
  }
}

/**
 * Files the index lists under a release whose names are another project's or version's. PyPI
 * refuses such uploads, so on an index that serves one, the listing itself is not to be trusted.
 */
function membershipFindings(name: string, releases: ReleaseToVerify[]): ContinuityFinding[] {
  const findings: ContinuityFinding[] = [];
  for (const r of releases) {
    const foreign = r.files.filter((f) => {
      const owner = fileOwner(f.filename);
      return owner !== undefined && (owner.name !== name || !sameVersion(owner.version, r.version));
    });
    if (foreign.length > 0) {
      findings.push({
        kind: 'file-not-in-release',
        risk: 'medium',
        version: r.version,
        files: foreign.map((f) => f.filename),
        message: `the index lists ${foreign.length === 1 ? 'a file' : `${foreign.length} files`} under ${name} ${r.version} that ${foreign.length === 1 ? 'names' : 'name'} another project or version`,
        evidence: foreign.map((f) => {
          const owner = fileOwner(f.filename)!;
          return `${f.filename} is ${owner.name} ${owner.version}`;
        }),
      });
    }
  }
  return findings;
}

function fileOwner(filename: string): { name: string; version: string } | undefined {
  try {
    const parsed = filename.endsWith('.whl') ? parseWheelFilename(filename) : parseSdistFilename(filename, { legacy: true });
    return { name: normalizeName(parsed.name), version: parsed.version };
  } catch {
    return undefined;
  }
}

/** What the signers are compared with: a pin (flag, then policy), then a stored identity, then the history. */
function baselineFor(ctx: IndexContext, t: Target, single: boolean): { baseline: Baseline; expected: ExpectedPublisherReport; learn: boolean; tofuKey?: string } {
  if (ctx.flagPin) {
    return { baseline: { source: 'pinned', spec: ctx.flagPin, origin: '--expect-publisher' }, expected: { source: 'flag', publisher: formatPublisherSpec(ctx.flagPin) }, learn: false };
  }
  const pin = ctx.pins.get(t.name);
  if (pin) {
    return { baseline: { source: 'pinned', spec: pin.spec, origin: pin.origin }, expected: { source: 'policy', publisher: formatPublisherSpec(pin.spec), origin: pin.origin }, learn: false };
  }
  if (ctx.tofuStore) {
    const tofuKey = `${TOFU_VERSION}:${indexKey(t.indexUrl)}|${t.name}`;
    const stored = ctx.req.tofuReset ? undefined : readTofu(ctx.tofuStore, tofuKey);
    if (stored) {
      return {
        baseline: { source: 'tofu', identity: stored.identity, version: stored.version, learnedAt: stored.learnedAt },
        expected: { source: 'tofu', publisher: publisherLabel(stored.identity), origin: ctx.tofuStore.dir, learnedFrom: { version: stored.version, at: stored.learnedAt } },
        learn: false,
      };
    }
    // Learned now: this run compares each release with the one before; later runs with what is stored.
    return { baseline: { source: 'history' }, expected: { source: 'tofu-learned' }, learn: true, tofuKey };
  }
  return { baseline: { source: 'history' }, expected: { source: single ? 'none' : 'history' }, learn: false };
}

const TOFU_VERSION = 'v1';

function readTofu(store: JsonCache, key: string): { identity: PublisherIdentity; version: string; learnedAt: string } | undefined {
  const hit = store.get(key);
  if (!hit || typeof hit.value !== 'object' || hit.value === null) return undefined;
  const v = hit.value as Record<string, unknown>;
  const identity = asPublisherIdentity(v['identity']);
  if (!identity || typeof v['version'] !== 'string' || typeof v['learnedAt'] !== 'string') return undefined;
  return { identity, version: v['version'], learnedAt: v['learnedAt'] };
}

function riskAtLeast(risk: Risk, threshold: Risk): boolean {
  return RISKS.indexOf(risk) >= RISKS.indexOf(threshold);
}

/**
 * Why a project fails, or undefined: an attestation that does not verify comes first (someone
 * served a bad one), then the worst finding at or above --fail-on, then having nothing verified
 * when a release or project was asked for by name (or, with --require-attestations, locked).
 */
function projectError(ctx: IndexContext, p: ProjectReport): ReportedError | undefined {
  // When one release was asked about, the releases before it are its context: what is wrong with
  // them is reported, but judges the project only in a project walk.
  const judged = ctx.mode === 'project' ? p.releases : p.releases.filter((r) => r.target);
  const versions = new Set(judged.map((r) => r.version));
  const invalid = judged.flatMap((r) => r.files).find((f) => f.provenance === 'invalid');
  if (invalid) return { code: invalid.error!.code, message: `${invalid.filename}: ${invalid.error!.message}` };
  // The worst finding; among equals the latest release's, which is what would be installed now.
  const order = (version: string): number => p.releases.findIndex((r) => r.version === version);
  const flagged = p.findings
    .filter((f) => riskAtLeast(f.risk, ctx.failOn) && versions.has(f.version))
    .sort((a, b) => RISKS.indexOf(b.risk) - RISKS.indexOf(a.risk) || order(b.version) - order(a.version))[0];
  if (flagged) return { code: flagged.kind, message: `${p.name} ${flagged.version}: ${flagged.message}` };
  if (judged.some((r) => r.files.some((f) => f.provenance === 'verified'))) return undefined;
  if (ctx.mode === 'lockfile' && !ctx.req.requireAttestations) return undefined;
  const unknown = judged.flatMap((r) => r.files).find((f) => f.provenance === 'unknown');
  if (unknown?.error) return { code: 'provenance-unavailable', message: `${p.name}: ${unknown.filename}: ${unknown.error.message}` };
  const listed = judged.map((r) => r.version).join(', ');
  return { code: 'no-attestations', message: `${p.name} ${listed}: the index has no attestations for ${judged.length > 1 ? 'these releases' : 'this release'}, so there is nothing to verify` };
}

function indexReport(ctx: IndexContext, projects: ProjectReport[]): IndexVerifyReport {
  const files = projects.flatMap((p) => p.releases.flatMap((r) => r.files));
  const failed = projects.find((p) => !p.verified);
  return {
    schemaVersion: 1,
    mode: ctx.mode,
    verified: failed === undefined,
    ...(failed?.error ? { error: failed.error } : {}),
    failOn: ctx.failOn,
    trustedRoot: { source: ctx.trust.kind, label: ctx.trust.label, sha256: ctx.trust.sha256 },
    projects,
    skipped: ctx.skipped,
    diagnostics: ctx.diagnostics,
    summary: {
      projects: projects.length,
      releases: projects.reduce((n, p) => n + p.releases.length, 0),
      files: files.length,
      verified: files.filter((f) => f.provenance === 'verified').length,
      unattested: files.filter((f) => f.provenance === 'none').length,
      failed: files.filter((f) => f.provenance === 'invalid').length,
      unknown: files.filter((f) => f.provenance === 'unknown').length,
      findings: projects.reduce((n, p) => n + p.findings.length, 0),
    },
    tool: { name: 'pyward', version: VERSION },
  };
}

/** `{ key: value }` when the value is defined, else `{}`: absent means absent in the JSON. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
