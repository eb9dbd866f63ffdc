/**
 * SLSA provenance (in-toto statements with a `https://slsa.dev/provenance/v0.2` or `/v1`
 * predicate, signed in DSSE through Sigstore): which builder built the artifact, from which source
 * repository and ref, checked the way slsa-verifier checks the generic generator.
 *
 * The predicate is written by the build itself, so on its own it proves only what the signer chose
 * to say. What makes it evidence is the Fulcio certificate: GitHub vouched for the workflow that
 * signed (Build Signer URI), the repository it ran for, its ref, commit and trigger. So every claim
 * of the predicate that the certificate also records must agree with it, and the user's
 * expectations are then checked against those agreed values. Comparisons are whole-string.
 */
import { createHash } from 'node:crypto';
import type { TrustedRootSource } from '../../sources/sigstore/trusted-root.js';
import { requireDsseBundle, verifySignatures, type LogEntrySummary } from './bundle.js';
import { VerifyError } from './errors.js';
import type { CertificateIdentity } from './identity.js';
import { isObject, parseStatement, subjectsWithSha256, type Statement } from './intoto.js';
import { trimTrailingSlashes } from '../../core/text.js';

export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** Build types whose external parameters name the GitHub workflow (actions/attest-build-provenance, slsa-github-generator v1). */
const GITHUB_WORKFLOW_BUILD_TYPES = new Set([
  'https://actions.github.io/buildtypes/workflow/v1',
  'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
]);

/** slsa-github-generator's reusable workflows: trusted builders when referenced at a release tag. */
const SLSA_GENERATOR_WORKFLOWS = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/';
const RELEASE_TAG = /^refs\/tags\/v\d+\.\d+\.\d+(?:-rc\.\d+)?$/;

export interface SlsaClaims {
  predicateType: string;
  builderId: string;
  buildType: string | undefined;
  /** Normalized `host/owner/repo`, e.g. `github.com/trailofbits/pypi-attestations`. */
  sourceRepository: string | undefined;
  /** `refs/tags/v1.2.3`, `refs/heads/main`. */
  sourceRef: string | undefined;
  /** The source commit (git sha1), when recorded. */
  sourceCommit: string | undefined;
  trigger: string | undefined;
  repositoryId: string | undefined;
  ownerId: string | undefined;
}

export function isSlsaPredicate(predicateType: string): boolean {
  return predicateType === SLSA_PROVENANCE_V02 || predicateType === SLSA_PROVENANCE_V1;
}

/** Reads the claims pyward checks; throws predicate-unknown for other predicates, bundle-malformed for missing fields. */
export function readSlsaClaims(statement: Statement): SlsaClaims {
  const p = statement.predicate;
  if (!isSlsaPredicate(statement.predicateType)) {
    throw new VerifyError('predicate-unknown', `not SLSA provenance: predicate type ${JSON.stringify(statement.predicateType)}`);
  }
  if (!isObject(p)) throw new VerifyError('bundle-malformed', 'the SLSA predicate is not an object');
  return statement.predicateType === SLSA_PROVENANCE_V1 ? readV1(p) : readV02(p);
}

function readV1(p: Record<string, unknown>): SlsaClaims {
  const def = obj(p['buildDefinition']);
  const builderId = str(obj(obj(p['runDetails'])['builder'])['id']);
  if (!builderId) throw new VerifyError('bundle-malformed', 'the SLSA v1 predicate has no runDetails.builder.id');
  const buildType = str(def['buildType']);
  const external = obj(def['externalParameters']);
  const deps = Array.isArray(def['resolvedDependencies']) ? def['resolvedDependencies'] : [];
  const firstDep = obj(deps[0]);
  let repository: string | undefined;
  let ref: string | undefined;
  if (buildType !== undefined && GITHUB_WORKFLOW_BUILD_TYPES.has(buildType)) {
    const workflow = obj(external['workflow']);
    repository = str(workflow['repository']);
    ref = str(workflow['ref']);
  } else {
    // slsa-verifier's generic reading: externalParameters.source is a resource descriptor `git+URI@REF`.
    [repository, ref] = splitGitUri(str(obj(external['source'])['uri']) ?? str(firstDep['uri']));
  }
  const github = obj(obj(def['internalParameters'])['github']);
  return {
    predicateType: SLSA_PROVENANCE_V1,
    builderId,
    buildType,
    sourceRepository: normalizeRepository(repository),
    sourceRef: ref,
    sourceCommit: str(obj(firstDep['digest'])['gitCommit']) ?? str(obj(firstDep['digest'])['sha1']),
    trigger: str(github['event_name']),
    repositoryId: str(github['repository_id']),
    ownerId: str(github['repository_owner_id']),
  };
}

function readV02(p: Record<string, unknown>): SlsaClaims {
  const builderId = str(obj(p['builder'])['id']);
  if (!builderId) throw new VerifyError('bundle-malformed', 'the SLSA v0.2 predicate has no builder.id');
  const invocation = obj(p['invocation']);
  const config = obj(invocation['configSource']);
  const env = obj(invocation['environment']);
  const [repository, ref] = splitGitUri(str(config['uri']));
  // The generic generator also lists the source as the first material; both must agree.
  const materials = Array.isArray(p['materials']) ? p['materials'] : [];
  const [materialRepo, materialRef] = splitGitUri(str(obj(materials[0])['uri']));
  if (materialRepo !== undefined && (normalizeRepository(materialRepo) !== normalizeRepository(repository) || (materialRef && materialRef !== ref))) {
    throw new VerifyError('source-mismatch', `the provenance's source (${repository}@${ref}) and first material (${materialRepo}@${materialRef}) differ`);
  }
  return {
    predicateType: SLSA_PROVENANCE_V02,
    builderId,
    buildType: str(p['buildType']),
    sourceRepository: normalizeRepository(repository),
    sourceRef: ref ?? str(env['github_ref']),
    sourceCommit: str(obj(config['digest'])['sha1']) ?? str(env['github_sha1']),
    trigger: str(env['github_event_name']),
    repositoryId: str(env['github_repository_id']),
    ownerId: str(env['github_repository_owner_id']),
  };
}

/**
 * The predicate's claims against the certificate GitHub vouched for. A claim the certificate does
 * not record cannot be checked and is left out of what is reported as verified.
 */
export function checkSlsaAgainstCertificate(claims: SlsaClaims, id: CertificateIdentity): void {
  const c = id.claims;
  if (c.buildSignerUri === undefined) {
    throw new VerifyError('builder-mismatch', 'the certificate has no Build Signer URI claim, so the builder cannot be tied to it');
  }
  if (claims.builderId !== c.buildSignerUri) {
    throw new VerifyError('builder-mismatch', `the provenance names builder ${claims.builderId}, but the certificate was issued to ${c.buildSignerUri}`);
  }
  const certRepo = normalizeRepository(c.sourceRepositoryUri);
  if (claims.sourceRepository === undefined || certRepo === undefined || claims.sourceRepository !== certRepo) {
    throw new VerifyError('source-mismatch', `the provenance names source ${claims.sourceRepository ?? '(none)'}, the certificate ${certRepo ?? '(none)'}`);
  }
  const pairs: [string, string | undefined, string | undefined][] = [
    ['ref', claims.sourceRef, c.sourceRepositoryRef],
    ['commit', claims.sourceCommit, c.sourceRepositoryDigest],
    ['trigger', claims.trigger, c.buildTrigger],
    ['repository id', claims.repositoryId, c.sourceRepositoryIdentifier],
    ['owner id', claims.ownerId, c.sourceRepositoryOwnerIdentifier],
  ];
  for (const [what, claimed, certified] of pairs) {
    if (claimed !== undefined && certified !== undefined && claimed !== certified) {
      throw new VerifyError('source-mismatch', `the provenance's ${what} ${JSON.stringify(claimed)} is not the certificate's ${JSON.stringify(certified)}`);
    }
  }
  if (claims.sourceRef === undefined && c.sourceRepositoryRef === undefined) {
    throw new VerifyError('source-mismatch', 'neither the provenance nor the certificate records the source ref');
  }
}

export interface SlsaExpectations {
  /** `github.com/OWNER/REPO`, with or without `https://` or `git+https://`. */
  sourceUri: string;
  sourceTag?: string | undefined;
  sourceBranch?: string | undefined;
  /**
   * Exact builder id (`...workflow.yml@refs/tags/v2.1.0`), or without `@ref` to accept any ref.
   * When absent, the builder must be slsa-github-generator at a release tag, or a workflow of the
   * source repository itself (a project that builds and attests its own artifacts).
   */
  builderId?: string | undefined;
}

export type BuilderTrust = 'expected' | 'slsa-github-generator' | 'source-repository';

/** The user's expectations against claims already tied to the certificate. */
export function checkSlsaExpectations(claims: SlsaClaims, expected: SlsaExpectations): BuilderTrust {
  const want = normalizeRepository(expected.sourceUri);
  if (claims.sourceRepository !== want) {
    throw new VerifyError('source-mismatch', `built from ${claims.sourceRepository ?? '(unknown)'}, expected ${want}`);
  }
  const ref = claims.sourceRef ?? '';
  if (expected.sourceTag !== undefined && ref !== `refs/tags/${expected.sourceTag}`) {
    throw new VerifyError('source-mismatch', `built from ${ref}, expected tag ${expected.sourceTag}`);
  }
  if (expected.sourceBranch !== undefined && ref !== `refs/heads/${expected.sourceBranch}`) {
    throw new VerifyError('source-mismatch', `built from ${ref}, expected branch ${expected.sourceBranch}`);
  }
  const at = claims.builderId.lastIndexOf('@');
  const builderName = at < 0 ? claims.builderId : claims.builderId.slice(0, at);
  const builderRef = at < 0 ? '' : claims.builderId.slice(at + 1);
  if (expected.builderId !== undefined) {
    const ok = expected.builderId.includes('@') ? claims.builderId === expected.builderId : builderName === expected.builderId;
    if (!ok) throw new VerifyError('builder-mismatch', `built by ${claims.builderId}, expected ${expected.builderId}`);
    return 'expected';
  }
  if (builderName.startsWith(SLSA_GENERATOR_WORKFLOWS) && !builderName.slice(SLSA_GENERATOR_WORKFLOWS.length).includes('/')) {
    // The generator's workflows are trusted only at release tags: a branch ref runs unreviewed code.
    if (!RELEASE_TAG.test(builderRef)) {
      throw new VerifyError('builder-mismatch', `slsa-github-generator must be referenced at a release tag, not ${builderRef || '(no ref)'}`);
    }
    return 'slsa-github-generator';
  }
  if (builderName.startsWith(`https://${want}/.github/workflows/`)) return 'source-repository';
  throw new VerifyError('builder-mismatch', `built by ${claims.builderId}, which is neither slsa-github-generator nor a workflow of ${want}; pass --builder-id to accept it`);
}

export interface SlsaVerification {
  claims: SlsaClaims;
  builderTrust: BuilderTrust;
  signer: CertificateIdentity;
  tlogEntries: LogEntrySummary[];
  signedAt: string[];
}

/**
 * Verifies a Sigstore bundle holding SLSA provenance for an artifact: signature and log, subject
 * digest, claims against the certificate, then the expectations.
 */
export function verifySlsaBundle(
  bundleJson: unknown,
  artifactSha256: string,
  expected: SlsaExpectations,
  trust: TrustedRootSource,
): SlsaVerification {
  requireDsseBundle(bundleJson, 'SLSA provenance');
  const verified = verifySignatures(bundleJson, { kind: 'sha256', sha256: artifactSha256 }, trust);
  if (verified.signer.kind !== 'certificate') throw new VerifyError('key-mismatch', 'SLSA provenance must be signed with a Fulcio certificate');
  if (verified.content.kind !== 'dsse') throw new VerifyError('bundle-malformed', 'SLSA provenance comes in a DSSE envelope, this bundle signs a bare message');
  const statement = parseStatement(verified.content.payloadType, verified.content.payload);
  // Unlike a PEP 740 attestation, one provenance may cover every artifact of a release.
  if (subjectsWithSha256(statement, artifactSha256).length === 0) {
    throw new VerifyError('digest-mismatch', `no subject of the provenance has the artifact's sha256 ${artifactSha256}`);
  }
  const claims = readSlsaClaims(statement);
  checkSlsaAgainstCertificate(claims, verified.signer.identity);
  const builderTrust = checkSlsaExpectations(claims, expected);
  return { claims, builderTrust, signer: verified.signer.identity, tlogEntries: verified.tlogEntries, signedAt: verified.signedAt };
}

/** `github.com/owner/repo` from `git+https://github.com/owner/repo.git` and its variants. */
export function normalizeRepository(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  let s = uri.trim();
  if (s.startsWith('git+')) s = s.slice(4);
  s = s.replace(/^https?:\/\//, '');
  if (s.endsWith('.git')) s = s.slice(0, -4);
  return trimTrailingSlashes(s);
}

/** `git+https://github.com/o/r@refs/tags/v1` -> [repository, ref]; refs contain no '@'. */
function splitGitUri(uri: string | undefined): [string | undefined, string | undefined] {
  if (uri === undefined) return [undefined, undefined];
  const at = uri.lastIndexOf('@');
  return at < 0 ? [uri, undefined] : [uri.slice(0, at), uri.slice(at + 1)];
}

function obj(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** For callers that hold the file: its sha256, the digest SLSA subjects are matched on. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
