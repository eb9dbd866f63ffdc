/**
 * Who signed: the identity in a Fulcio certificate (its one subject alternative name, the OIDC
 * issuer, and the CI claims Fulcio copies from the OIDC token), and the exact comparison of that
 * identity with what the user expects.
 *
 * Every comparison here is string equality. @sigstore/verify's own policy treats the expected SAN
 * as an unanchored regular expression (`https://github.com/a/b` would accept
 * `https://github.com/a/b-evil/...`), so pyward never hands it a policy and checks here instead.
 *
 * Claim OIDs: https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md
 */
import { ASN1Obj, type X509Certificate } from '@sigstore/core';
import { UsageError } from '../../core/errors.js';
import { VerifyError } from './errors.js';

const FULCIO = '1.3.6.1.4.1.57264.1';

/** The claims of Fulcio's 1.3.6.1.4.1.57264.1.8 .. .22 extensions (DER UTF8String values). */
const CLAIM_OIDS = {
  issuer: `${FULCIO}.8`,
  buildSignerUri: `${FULCIO}.9`,
  buildSignerDigest: `${FULCIO}.10`,
  runnerEnvironment: `${FULCIO}.11`,
  sourceRepositoryUri: `${FULCIO}.12`,
  sourceRepositoryDigest: `${FULCIO}.13`,
  sourceRepositoryRef: `${FULCIO}.14`,
  sourceRepositoryIdentifier: `${FULCIO}.15`,
  sourceRepositoryOwnerUri: `${FULCIO}.16`,
  sourceRepositoryOwnerIdentifier: `${FULCIO}.17`,
  buildConfigUri: `${FULCIO}.18`,
  buildConfigDigest: `${FULCIO}.19`,
  buildTrigger: `${FULCIO}.20`,
  runInvocationUri: `${FULCIO}.21`,
  sourceRepositoryVisibilityAtSigning: `${FULCIO}.22`,
} as const;

/** The deprecated 1.1 issuer extension holds raw bytes, not DER; older certificates carry only it. */
const ISSUER_V1_OID = `${FULCIO}.1`;
const SAN_OID = '2.5.29.17';

export type ClaimName = keyof typeof CLAIM_OIDS;
export type FulcioClaims = Partial<Record<ClaimName, string>>;

export interface CertificateIdentity {
  /** The certificate's one subject alternative name: a URI for CI workflows, an e-mail for people. */
  san: string;
  sanType: 'uri' | 'email' | 'other-name';
  /** The OIDC issuer that vouched for the identity (extension .8, else the deprecated .1). */
  issuer: string | undefined;
  claims: FulcioClaims;
  notBefore: string;
  notAfter: string;
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITLAB_ISSUER = 'https://gitlab.com';
export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** Reads the identity; a certificate whose identity cannot be read unambiguously is invalid. */
export function certificateIdentity(cert: X509Certificate): CertificateIdentity {
  const { san, sanType } = subjectAlternativeName(cert);
  const claims: FulcioClaims = {};
  for (const [name, oid] of Object.entries(CLAIM_OIDS) as [ClaimName, string][]) {
    const ext = cert.extension(oid);
    if (ext) claims[name] = derUtf8String(ext.value, oid);
  }
  let issuer = claims.issuer;
  if (issuer === undefined) {
    const legacy = cert.extension(ISSUER_V1_OID);
    if (legacy) issuer = text(legacy.value, ISSUER_V1_OID);
  }
  return {
    san,
    sanType,
    issuer,
    claims,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/**
 * Fulcio puts exactly one name in the SAN. More than one would make "the identity" ambiguous (a
 * matcher that takes the first URI and one that takes any could disagree), so it is refused.
 */
function subjectAlternativeName(cert: X509Certificate): { san: string; sanType: CertificateIdentity['sanType'] } {
  const ext = cert.extension(SAN_OID);
  if (!ext) throw new VerifyError('certificate-invalid', 'the signing certificate has no subject alternative name');
  let names: ASN1Obj[];
  try {
    names = ASN1Obj.parseBuffer(Buffer.from(ext.value)).subs;
  } catch (err) {
    throw new VerifyError('certificate-invalid', `unreadable subject alternative name: ${(err as Error).message}`);
  }
  if (names.length !== 1) {
    throw new VerifyError('certificate-invalid', `the signing certificate has ${names.length} subject alternative names; Fulcio issues exactly one`);
  }
  const name = names[0]!;
  if (name.tag.isContextSpecific(0x06)) return { san: ascii(name.value), sanType: 'uri' };
  if (name.tag.isContextSpecific(0x01)) return { san: ascii(name.value), sanType: 'email' };
  if (name.tag.isContextSpecific(0x00) && name.subs.length === 2) {
    // Fulcio's username identities: otherName 1.3.6.1.4.1.57264.1.7 holding a UTF8String.
    const value = name.subs[1]!.subs[0];
    if (name.subs[0]!.toOID() === `${FULCIO}.7` && value) return { san: value.value.toString('utf8'), sanType: 'other-name' };
  }
  throw new VerifyError('certificate-invalid', 'the subject alternative name is neither a URI, an e-mail nor a Fulcio username');
}

/** IA5String contents: anything outside printable ASCII in an identity is an attack on whoever displays it. */
function ascii(bytes: Buffer): string {
  if (bytes.some((b) => b < 0x20 || b > 0x7e)) {
    throw new VerifyError('certificate-invalid', 'the subject alternative name contains non-printable or non-ASCII bytes');
  }
  return bytes.toString('latin1');
}

function derUtf8String(value: Buffer, oid: string): string {
  let obj: ASN1Obj;
  try {
    obj = ASN1Obj.parseBuffer(Buffer.from(value));
  } catch (err) {
    throw new VerifyError('certificate-invalid', `certificate extension ${oid} is not DER: ${(err as Error).message}`);
  }
  if (!obj.tag.isUniversal() || obj.tag.number !== 0x0c) {
    throw new VerifyError('certificate-invalid', `certificate extension ${oid} is not a UTF8String`);
  }
  return text(obj.value, oid);
}

function text(bytes: Buffer, oid: string): string {
  const s = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (/[\u0000-\u001f\u007f\ufffd]/.test(s)) {
    throw new VerifyError('certificate-invalid', `certificate extension ${oid} contains control characters or invalid UTF-8`);
  }
  return s;
}

/**
 * The expected signer. `github`, `gitlab` and `google` are PyPI's Trusted Publisher kinds;
 * `identity` is cosign's pair of --cert-identity and --cert-oidc-issuer.
 */
export type PublisherSpec =
  | { kind: 'github'; repository: string; workflow: string }
  | { kind: 'gitlab'; repository: string; workflowPath: string }
  | { kind: 'google'; email: string }
  | { kind: 'identity'; identity: string; issuer: string };

const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const REPO_SEGMENT = /^[A-Za-z0-9_.-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** `github:OWNER/REPO@WORKFLOW.yml`, `gitlab:NAMESPACE/PROJECT@PATH`, `google:EMAIL`. */
export function parsePublisherSpec(spec: string): PublisherSpec {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  const usage = (problem: string): never => {
    throw new UsageError(
      `invalid publisher ${JSON.stringify(spec)}: ${problem} (expected github:OWNER/REPO@WORKFLOW.yml, gitlab:NAMESPACE/PROJECT@PATH or google:EMAIL)`,
    );
  };
  switch (kind) {
    case 'github':
    case 'gitlab': {
      // Repository names cannot contain '@', so the first one ends the repository.
      const at = rest.indexOf('@');
      if (at < 0) usage('the workflow is missing: a Trusted Publisher is a repository and a workflow');
      const repository = rest.slice(0, at);
      const workflow = rest.slice(at + 1);
      const segments = repository.split('/');
      if (kind === 'github') {
        if (segments.length !== 2 || !GITHUB_OWNER.test(segments[0]!) || !REPO_SEGMENT.test(segments[1]!)) {
          usage('a GitHub repository is OWNER/REPO');
        }
        // PyPI's GitHub publisher names the workflow file, which always lives in .github/workflows/.
        if (workflow === '' || workflow.includes('/')) usage('the workflow is a file name in .github/workflows/, e.g. release.yml');
        return { kind, repository, workflow };
      }
      if (segments.length < 2 || !segments.every((s) => REPO_SEGMENT.test(s) && s !== '.' && s !== '..')) {
        usage('a GitLab project is NAMESPACE/PROJECT (subgroups allowed)');
      }
      if (workflow === '' || workflow.startsWith('/') || workflow.split('/').some((s) => s === '' || s === '..')) {
        usage('the CI file is a path inside the project, e.g. .gitlab-ci.yml');
      }
      return { kind, repository, workflowPath: workflow };
    }
    case 'google':
      if (!EMAIL.test(rest)) usage('a Google publisher is a service-account e-mail');
      return { kind, email: rest };
    default:
      return usage(`unknown publisher kind ${JSON.stringify(kind)}`);
  }
}

export function formatPublisherSpec(spec: PublisherSpec): string {
  switch (spec.kind) {
    case 'github':
      return `github:${spec.repository}@${spec.workflow}`;
    case 'gitlab':
      return `gitlab:${spec.repository}@${spec.workflowPath}`;
    case 'google':
      return `google:${spec.email}`;
    case 'identity':
      return `${spec.identity} (issuer ${spec.issuer})`;
  }
}

/**
 * Throws unless the certificate is exactly the expected publisher.
 *
 * For CI publishers the SAN alone is not enough: it names the workflow file that *ran*, which is a
 * reusable workflow when one is called. PyPI's Trusted Publishers (and pypi-attestations) bind the
 * top-level workflow instead, which Fulcio records as the Build Config URI, qualified by the ref or
 * commit it ran at. So: issuer, source repository, and Build Config URI at the certificate's own
 * ref or commit, all compared as whole strings.
 */
export function checkPublisher(id: CertificateIdentity, spec: PublisherSpec): void {
  switch (spec.kind) {
    case 'identity':
      if (id.san !== spec.identity) {
        throw new VerifyError('identity-mismatch', `signed by ${JSON.stringify(id.san)}, expected exactly ${JSON.stringify(spec.identity)}`);
      }
      if (id.issuer !== spec.issuer) {
        throw new VerifyError('issuer-mismatch', `identity issued by ${JSON.stringify(id.issuer ?? '(none)')}, expected exactly ${JSON.stringify(spec.issuer)}`);
      }
      return;
    case 'google':
      requireIssuer(id, GOOGLE_ISSUER, spec);
      if (id.sanType !== 'email' || id.san !== spec.email) {
        throw mismatch(spec, `signed by ${JSON.stringify(id.san)}`);
      }
      return;
    case 'github':
      return checkCiPublisher(id, spec, GITHUB_ISSUER, `https://github.com/${spec.repository}`, `/.github/workflows/${spec.workflow}`);
    case 'gitlab':
      // GitLab's Build Config URI separates project and file with '//'.
      return checkCiPublisher(id, spec, GITLAB_ISSUER, `https://gitlab.com/${spec.repository}`, `//${spec.workflowPath}`);
  }
}

function checkCiPublisher(id: CertificateIdentity, spec: PublisherSpec, issuer: string, repoUri: string, workflowPath: string): void {
  requireIssuer(id, issuer, spec);
  const { sourceRepositoryUri, buildConfigUri, sourceRepositoryRef, sourceRepositoryDigest } = id.claims;
  if (sourceRepositoryUri === undefined || buildConfigUri === undefined) {
    throw mismatch(spec, 'the certificate has no Source Repository URI or Build Config URI claim (issued before Fulcio recorded them), so its publisher cannot be established');
  }
  if (sourceRepositoryUri !== repoUri) throw mismatch(spec, `built from ${sourceRepositoryUri}`);
  const accepted = [sourceRepositoryRef, sourceRepositoryDigest]
    .filter((suffix): suffix is string => suffix !== undefined)
    .map((suffix) => `${repoUri}${workflowPath}@${suffix}`);
  if (!accepted.includes(buildConfigUri)) throw mismatch(spec, `built by ${buildConfigUri}`);
}

function requireIssuer(id: CertificateIdentity, issuer: string, spec: PublisherSpec): void {
  if (id.issuer !== issuer) throw mismatch(spec, `identity issued by ${JSON.stringify(id.issuer ?? '(none)')}, not ${issuer}`);
}

function mismatch(spec: PublisherSpec, actual: string): VerifyError {
  return new VerifyError('publisher-mismatch', `${actual}; expected publisher ${formatPublisherSpec(spec)}`);
}
