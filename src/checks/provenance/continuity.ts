/**
 * Continuity across releases: who published each release, compared with who is expected to.
 *
 * A valid attestation says which CI run signed a file; it does not say that run should have. The
 * Ultralytics compromise is the case to catch: 8.3.41 and 8.3.42 were signed by the project's real
 * (poisoned) workflow, and 8.3.45 and 8.3.46 had no attestations at all, uploaded with a stolen
 * token. So each release's signers are compared with a baseline:
 *
 * - `pinned`: a publisher the user named (`--expect-publisher`, or pyward.toml); anything else is
 *   `publisher-mismatch`, and a release without attestations is `attestations-missing`;
 * - `tofu`: the identity stored the first time the project was seen (trust on first use);
 * - `history`: the previous attested release in the same walk.
 *
 * Identity is compared on the certificate's Fulcio claims, numeric ids first: a repository renamed
 * (same repository and owner ids, new URL) is not a new publisher, while a deleted and re-created
 * repository of the same name is (repojacking gives the same URL and a new id).
 *
 * What cannot be seen here: a poisoned build in the real workflow at its usual ref and trigger
 * (Ultralytics 8.3.41 via a poisoned Actions cache) carries the same identity as a clean one. What
 * the certificate does record (the ref, the trigger, the runner) is compared, so a release built
 * from a branch or by `pull_request_target` stands out.
 */
import type { Risk } from '../../core/model.js';
import { VerifyError } from './errors.js';
import { checkPublisher, formatPublisherSpec, GITHUB_ISSUER, GITLAB_ISSUER, GOOGLE_ISSUER, type CertificateIdentity, type PublisherSpec } from './identity.js';

/** A signer reduced to what identifies a publisher and how it built; JSON-safe, so it can be stored. */
export interface PublisherIdentity {
  kind: 'github' | 'gitlab' | 'google' | 'other';
  /** The certificate's subject alternative name. */
  identity: string;
  issuer?: string;
  /** Source Repository URI, e.g. https://github.com/OWNER/REPO. */
  repository?: string;
  repositoryId?: string;
  owner?: string;
  ownerId?: string;
  /**
   * The top-level workflow in PyPI's spelling: the file name in .github/workflows/ for GitHub, the
   * path in the project for GitLab, else the Build Config URI without its ref.
   */
  workflow?: string;
  ref?: string;
  trigger?: string;
  runner?: string;
}

export type ContinuityKind =
  | 'attestations-missing'
  | 'publisher-mismatch'
  | 'publisher-changed'
  | 'repository-renamed'
  | 'workflow-changed'
  | 'trigger-changed'
  | 'runner-changed'
  | 'built-from-branch'
  | 'untrusted-trigger'
  /** The index lists, under a release, a file whose name is another project's or version's. */
  | 'file-not-in-release';

export type Baseline =
  | { source: 'pinned'; spec: PublisherSpec; origin: string }
  | { source: 'tofu'; identity: PublisherIdentity; version: string; learnedAt: string }
  | { source: 'history' };

export interface FileEvidence {
  filename: string;
  /**
   * `verified`: every attestation verified; `invalid`: there are attestations and one fails (reported
   * by the caller as a verification failure); `none`: the index has no provenance for the file;
   * `unknown`: it could not be established (no digest, no way to ask).
   */
  provenance: 'verified' | 'invalid' | 'none' | 'unknown';
  /** The signers of the verified attestations. */
  signers: CertificateIdentity[];
}

export interface ReleaseEvidence {
  version: string;
  uploadTime?: string;
  yanked?: boolean;
  files: FileEvidence[];
}

export interface ContinuityFinding {
  kind: ContinuityKind;
  risk: Risk;
  version: string;
  files: string[];
  message: string;
  /** What the release was compared with. */
  comparedWith?: { source: Baseline['source']; version?: string; publisher: string };
  evidence: string[];
}

/** Triggers that run with the repository's secrets on code a stranger can propose. */
const UNTRUSTED_TRIGGERS = new Set(['pull_request_target', 'pull_request', 'merge_request_event']);

export function publisherIdentity(cert: CertificateIdentity): PublisherIdentity {
  const c = cert.claims;
  const kind = cert.issuer === GITHUB_ISSUER ? 'github' : cert.issuer === GITLAB_ISSUER ? 'gitlab' : cert.issuer === GOOGLE_ISSUER ? 'google' : 'other';
  const out: PublisherIdentity = { kind, identity: cert.san };
  const set = <K extends keyof PublisherIdentity>(key: K, value: PublisherIdentity[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('issuer', cert.issuer);
  set('repository', c.sourceRepositoryUri);
  set('repositoryId', c.sourceRepositoryIdentifier);
  set('owner', c.sourceRepositoryOwnerUri);
  set('ownerId', c.sourceRepositoryOwnerIdentifier);
  set('workflow', workflowOf(kind, c.sourceRepositoryUri, c.buildConfigUri, [c.sourceRepositoryRef, c.sourceRepositoryDigest]));
  set('ref', c.sourceRepositoryRef);
  set('trigger', c.buildTrigger);
  set('runner', c.runnerEnvironment);
  return out;
}

/**
 * The Build Config URI is `{repository}/.github/workflows/{file}@{ref}` (GitHub) or
 * `{project}//{path}@{ref}` (GitLab); the ref is the certificate's own ref or commit, so it is cut
 * by matching those rather than at an `@` a file name could contain.
 */
function workflowOf(kind: PublisherIdentity['kind'], repo: string | undefined, buildConfig: string | undefined, refs: (string | undefined)[]): string | undefined {
  if (buildConfig === undefined) return undefined;
  let path = buildConfig;
  const suffix = refs.find((r) => r !== undefined && buildConfig.endsWith(`@${r}`));
  if (suffix !== undefined) path = buildConfig.slice(0, -(suffix.length + 1));
  else if (buildConfig.lastIndexOf('@') > buildConfig.indexOf('//') + 1) path = buildConfig.slice(0, buildConfig.lastIndexOf('@'));
  if (repo === undefined || !path.startsWith(repo)) return path;
  const rest = path.slice(repo.length);
  if (kind === 'github' && rest.startsWith('/.github/workflows/')) return rest.slice('/.github/workflows/'.length);
  if (kind === 'gitlab' && rest.startsWith('//')) return rest.slice(2);
  return path;
}

const HOSTS: Partial<Record<PublisherIdentity['kind'], string>> = { github: 'https://github.com/', gitlab: 'https://gitlab.com/' };

/** `github:OWNER/REPO@release.yml`, the form `--expect-publisher` takes; other signers by SAN and issuer. */
export function publisherLabel(p: PublisherIdentity): string {
  const host = HOSTS[p.kind];
  if (host !== undefined && p.repository?.startsWith(host) && p.workflow !== undefined) {
    return `${p.kind}:${p.repository.slice(host.length)}@${p.workflow}`;
  }
  if (p.kind === 'google') return `google:${p.identity}`;
  return `${p.identity} (issuer ${p.issuer ?? 'unknown'})`;
}

/** The publisher spec a stored identity pins, for the same exact checks as a user's pin. */
export function specOf(p: PublisherIdentity): PublisherSpec | undefined {
  const host = HOSTS[p.kind];
  if (host !== undefined && p.repository?.startsWith(host) && p.workflow !== undefined) {
    const repository = p.repository.slice(host.length);
    return p.kind === 'github' ? { kind: 'github', repository, workflow: p.workflow } : { kind: 'gitlab', repository, workflowPath: p.workflow };
  }
  if (p.kind === 'google') return { kind: 'google', email: p.identity };
  return p.issuer !== undefined ? { kind: 'identity', identity: p.identity, issuer: p.issuer } : undefined;
}

/** Validates a stored identity (the TOFU store is a file anyone with the cache dir could edit). */
export function asPublisherIdentity(v: unknown): PublisherIdentity | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!['github', 'gitlab', 'google', 'other'].includes(o['kind'] as string) || typeof o['identity'] !== 'string') return undefined;
  const fields = ['issuer', 'repository', 'repositoryId', 'owner', 'ownerId', 'workflow', 'ref', 'trigger', 'runner'];
  if (fields.some((f) => o[f] !== undefined && typeof o[f] !== 'string')) return undefined;
  return o as unknown as PublisherIdentity;
}

type RefKind = 'tag' | 'branch' | 'pull-request' | 'other';

function refKind(ref: string | undefined): RefKind | undefined {
  if (ref === undefined) return undefined;
  if (ref.startsWith('refs/tags/')) return 'tag';
  if (ref.startsWith('refs/heads/')) return 'branch';
  if (ref.startsWith('refs/pull/') || ref.startsWith('refs/merge-requests/')) return 'pull-request';
  return 'other';
}

/** One line that says who built it and how, for evidence. */
export function describeBuild(p: PublisherIdentity): string {
  const ids = [p.repositoryId ? `repository id ${p.repositoryId}` : '', p.ownerId ? `owner id ${p.ownerId}` : ''].filter(Boolean).join(', ');
  const how = [p.ref, p.trigger ? `trigger ${p.trigger}` : '', p.runner].filter(Boolean).join(', ');
  return `${publisherLabel(p)}${ids ? ` (${ids})` : ''}${how ? `, ${how}` : ''}`;
}

interface Seen {
  version: string;
  identity: PublisherIdentity;
  source: Baseline['source'];
}

interface Change {
  kind: ContinuityKind;
  risk: Risk;
  message: string;
}

/** The differences in who the publisher is; several can hold at once (renamed and another workflow). */
export function compareIdentity(before: PublisherIdentity, now: PublisherIdentity): Change[] {
  if (before.kind !== now.kind || before.issuer !== now.issuer) {
    return [{ kind: 'publisher-changed', risk: 'high', message: `signed by ${publisherLabel(now)} instead of ${publisherLabel(before)}, through another identity provider (${now.issuer ?? 'unknown'})` }];
  }
  if (now.kind !== 'github' && now.kind !== 'gitlab') {
    return before.identity === now.identity ? [] : [{ kind: 'publisher-changed', risk: 'high', message: `signed by ${now.identity} instead of ${before.identity}` }];
  }
  const changes: Change[] = [];
  const idsKnown = before.repositoryId !== undefined && now.repositoryId !== undefined;
  if (idsKnown && before.repositoryId !== now.repositoryId) {
    changes.push({
      kind: 'publisher-changed',
      risk: 'high',
      message:
        before.repository === now.repository
          ? `built from a different repository under the same name ${now.repository ?? ''} (repository id ${now.repositoryId} instead of ${before.repositoryId}): deleted and re-created, or taken over`
          : `built from another repository: ${now.repository ?? 'unknown'} (id ${now.repositoryId}) instead of ${before.repository ?? 'unknown'} (id ${before.repositoryId})`,
    });
  } else if (before.ownerId !== undefined && now.ownerId !== undefined && before.ownerId !== now.ownerId) {
    changes.push({ kind: 'publisher-changed', risk: 'high', message: `the repository moved to another owner: ${now.owner ?? now.ownerId} instead of ${before.owner ?? before.ownerId}` });
  } else if (before.repository !== now.repository) {
    changes.push(
      idsKnown
        ? { kind: 'repository-renamed', risk: 'medium', message: `the repository was renamed: ${now.repository ?? 'unknown'} was ${before.repository ?? 'unknown'} (same repository id ${now.repositoryId})` }
        : { kind: 'publisher-changed', risk: 'high', message: `built from another repository: ${now.repository ?? 'unknown'} instead of ${before.repository ?? 'unknown'}` },
    );
  }
  if (before.workflow !== now.workflow) {
    changes.push({ kind: 'workflow-changed', risk: 'high', message: `built by another workflow: ${now.workflow ?? 'unknown'} instead of ${before.workflow ?? 'unknown'}` });
  }
  return changes;
}

/**
 * Findings for a walk of releases, oldest first. `baseline` says what the first release is compared
 * with; later ones are also compared with the release before them (how it was built: trigger,
 * runner, ref), and with the release before them for who built it unless a pin or a stored identity
 * decides that.
 */
export function assessContinuity(releases: readonly ReleaseEvidence[], baseline: Baseline): ContinuityFinding[] {
  const findings: ContinuityFinding[] = [];
  const pinnedLabel = baseline.source === 'pinned' ? formatPublisherSpec(baseline.spec) : undefined;
  const stored: Seen | undefined = baseline.source === 'tofu' ? { version: baseline.version, identity: baseline.identity, source: 'tofu' } : undefined;
  let previous: Seen | undefined = stored;

  for (const release of releases) {
    const verified = release.files.filter((f) => f.provenance === 'verified' && f.signers.length > 0);
    const missing = release.files.filter((f) => f.provenance === 'none');
    const add = (f: Omit<ContinuityFinding, 'version'>): void => void findings.push({ version: release.version, ...f });

    if (missing.length > 0) {
      const files = missing.map((f) => f.filename);
      const all = verified.length === 0;
      if (previous !== undefined || pinnedLabel !== undefined || !all) {
        const message = !all
          ? `${missing.length} of ${release.files.length} files of ${release.version} have no attestations while the others do: added outside the publishing workflow`
          : previous !== undefined
            ? `${release.version} has no attestations, but ${previous.version} was attested by ${publisherLabel(previous.identity)}${previous.source === 'tofu' ? ' (the identity stored on first use)' : ''}: uploaded outside Trusted Publishing, as with a leaked API token`
            : `${release.version} has no attestations, but the pinned publisher ${pinnedLabel!} is expected to sign every release: uploaded outside Trusted Publishing, as with a leaked API token`;
        add({
          kind: 'attestations-missing',
          risk: 'high',
          files,
          message,
          ...(previous ? { comparedWith: { source: previous.source, version: previous.version, publisher: publisherLabel(previous.identity) } } : pinnedLabel ? { comparedWith: { source: 'pinned' as const, publisher: pinnedLabel } } : {}),
          evidence: files.map((f) => `${f}: the index has no provenance for it`),
        });
      }
    }

    // One group per distinct signer, with the files it signed.
    const groups = new Map<string, { identity: PublisherIdentity; cert: CertificateIdentity; files: string[] }>();
    for (const file of verified) {
      for (const cert of file.signers) {
        const identity = publisherIdentity(cert);
        const key = JSON.stringify(identity);
        const group = groups.get(key) ?? { identity, cert, files: [] };
        if (!group.files.includes(file.filename)) group.files.push(file.filename);
        groups.set(key, group);
      }
    }

    let first: Seen | undefined;
    for (const { identity, cert, files } of groups.values()) {
      const now = describeBuild(identity);
      // Who: a pin decides alone; else the stored identity; else the release before (or, for a
      // second signer within one release, the first).
      if (baseline.source === 'pinned') {
        try {
          checkPublisher(cert, baseline.spec);
        } catch (err) {
          if (!(err instanceof VerifyError)) throw err;
          add({
            kind: 'publisher-mismatch',
            risk: 'high',
            files,
            message: `signed by ${publisherLabel(identity)}, not the pinned publisher ${pinnedLabel!} (${baseline.origin})`,
            comparedWith: { source: 'pinned', publisher: pinnedLabel! },
            evidence: [err.message, `now: ${now}`],
          });
        }
      } else {
        const who = stored ?? previous ?? first;
        if (who !== undefined) {
          for (const change of compareIdentity(who.identity, identity)) {
            add({
              ...change,
              files,
              comparedWith: { source: who.source, version: who.version, publisher: publisherLabel(who.identity) },
              evidence: [`before (${who.version}): ${describeBuild(who.identity)}`, `now: ${now}`],
            });
          }
        }
      }

      // How: compared with the release before, whatever decides who.
      const how = previous ?? first;
      const kind = refKind(identity.ref);
      const before = how ? refKind(how.identity.ref) : undefined;
      if (kind === 'branch' || kind === 'pull-request') {
        const fromTags = before === 'tag';
        add({
          kind: 'built-from-branch',
          risk: kind === 'pull-request' || fromTags ? 'high' : 'low',
          files,
          message:
            kind === 'pull-request'
              ? `built from a pull request ref (${identity.ref}), not a release tag`
              : fromTags
                ? `built from the branch ${identity.ref}, while ${how!.version} was built from the tag ${how!.identity.ref}`
                : `built from the branch ${identity.ref}, not a tag (anyone who can push to it can publish)`,
          ...(how ? { comparedWith: { source: how.source, version: how.version, publisher: publisherLabel(how.identity) } } : {}),
          evidence: [`now: ${now}`, ...(how ? [`before (${how.version}): ${describeBuild(how.identity)}`] : [])],
        });
      }
      if (identity.trigger !== undefined && UNTRUSTED_TRIGGERS.has(identity.trigger)) {
        add({
          kind: 'untrusted-trigger',
          risk: 'high',
          files,
          message: `built by a ${identity.trigger} run, which executes on code proposed by others with the repository's credentials`,
          evidence: [`now: ${now}`],
        });
      }
      if (how !== undefined) {
        const ctx = { comparedWith: { source: how.source, version: how.version, publisher: publisherLabel(how.identity) }, evidence: [`before (${how.version}): ${describeBuild(how.identity)}`, `now: ${now}`] };
        if (identity.trigger !== undefined && how.identity.trigger !== undefined && identity.trigger !== how.identity.trigger) {
          add({ kind: 'trigger-changed', risk: 'medium', files, message: `triggered by ${identity.trigger}, while ${how.version} was triggered by ${how.identity.trigger}`, ...ctx });
        }
        if (identity.runner !== undefined && how.identity.runner !== undefined && identity.runner !== how.identity.runner) {
          add({ kind: 'runner-changed', risk: 'medium', files, message: `built on a ${identity.runner} runner, while ${how.version} was built on ${how.identity.runner}`, ...ctx });
        }
      }
      first ??= { version: release.version, identity, source: 'history' };
    }
    if (first !== undefined) previous = first;
  }
  return findings;
}

/** The oldest attested release's signer: what trust on first use learns from a walk. */
export function firstIdentity(releases: readonly ReleaseEvidence[]): { version: string; identity: PublisherIdentity } | undefined {
  for (const release of releases) {
    const file = release.files.find((f) => f.provenance === 'verified' && f.signers.length > 0);
    if (file) return { version: release.version, identity: publisherIdentity(file.signers[0]!) };
  }
  return undefined;
}
