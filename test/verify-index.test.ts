/**
 * End to end: `pyward verify NAME==VERSION`, `verify project NAME` and `verify lock` through the
 * built CLI against a PyPI stand-in on 127.0.0.1 that speaks the three real wire formats: the PEP
 * 691 Simple API (with each file's `provenance` URL), the JSON API (`/pypi/NAME/json`) and the
 * Integrity API (`/integrity/NAME/VERSION/FILE/provenance`).
 *
 * What it serves is real Sigstore material from ../shared/vectors/provenance/pypi-attestations:
 * - pypi-attestations 0.0.19's sdist with its real Integrity API response (`.provenance`) and its
 *   real sha256 (DISTRIBUTIONS.sha256);
 * - the real `.publish.attestation` / `.attestation` of gitlab-oidc-project 0.0.3 and of
 *   pypi-attestation-models 0.0.4a2, each wrapped in the Integrity API's envelope with the
 *   publisher PyPI records for it (the envelope is built here; the attestation inside is unchanged).
 *
 * The release history around them is staged: 0.0.20 is a release with no attestations (its sha256
 * names no real file, which is all a missing attestation needs). An attestation binds its own file
 * name and digest, so the other publishers' attestations can only be served under their real file
 * names: 0.0.21 of pypi-attestations lists `gitlab_oidc_project-0.0.3.tar.gz` (a file of another
 * project, which pyward flags as such too), and it is that real attestation whose signer is
 * compared with 0.0.19's. The comparison logic alone, on identities read from these certificates,
 * is unit-tested in src/checks/provenance/continuity.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { json, startServer, type Reply, type TestServer } from '../src/sources/osv/testdata/server.js';
import { pywardAsync, SHARED } from './support/cli.js';

const PA = join(SHARED, 'vectors/provenance/pypi-attestations');
const SHA = Object.fromEntries(
  readFileSync(join(PA, 'DISTRIBUTIONS.sha256'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [sha, , name] = line.split(/\s+/);
      return [name!, sha!];
    }),
) as Record<string, string>;

const SDIST_19 = 'pypi_attestations-0.0.19.tar.gz';
const GITLAB_SDIST = 'gitlab_oidc_project-0.0.3.tar.gz';
const MODELS_SDIST = 'pypi_attestation_models-0.0.4a2.tar.gz';
const SDIST_20 = 'pypi_attestations-0.0.20.tar.gz';
/** Release 0.0.20 has no attestations; its sha256 only has to be a digest. */
const SHA_20 = createHash('sha256').update('pypi-attestations 0.0.20, a release without attestations').digest('hex');
const PUBLISHER = 'github:trailofbits/pypi-attestations@release.yml';

/** The real Integrity API response for 0.0.19. */
const provenance19 = (): Record<string, any> => JSON.parse(readFileSync(join(PA, `${SDIST_19}.provenance`), 'utf8'));

/** A real attestation in the Integrity API's envelope, with the publisher PyPI would record. */
function wrapped(attestationFile: string, publisher: Record<string, unknown>): Record<string, unknown> {
  const attestation = JSON.parse(readFileSync(join(PA, attestationFile), 'utf8')) as unknown;
  return { version: 1, attestation_bundles: [{ publisher, attestations: [attestation] }] };
}

const gitlabProvenance = () =>
  wrapped(`${GITLAB_SDIST}.publish.attestation`, { kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project', workflow_filepath: '.gitlab-ci.yml', environment: null });
const modelsProvenance = () =>
  wrapped(`${MODELS_SDIST}.attestation`, { kind: 'GitHub', repository: 'trailofbits/pypi-attestation-models', workflow: 'release.yml', environment: null });

interface ServedFile {
  filename: string;
  sha256: string;
  provenance?: unknown;
}

interface ServedRelease {
  version: string;
  uploadTime: string;
  files: ServedFile[];
  yanked?: boolean;
}

const R19: ServedRelease = { version: '0.0.19', uploadTime: '2024-12-04T23:14:30.000000Z', files: [{ filename: SDIST_19, sha256: SHA[SDIST_19]!, provenance: provenance19() }] };
const R20: ServedRelease = { version: '0.0.20', uploadTime: '2024-12-10T10:00:00.000000Z', files: [{ filename: SDIST_20, sha256: SHA_20 }] };
const R21_GITLAB: ServedRelease = {
  version: '0.0.21',
  uploadTime: '2024-12-20T10:00:00.000000Z',
  files: [{ filename: GITLAB_SDIST, sha256: SHA[GITLAB_SDIST]!, provenance: gitlabProvenance() }],
};
const R18_MODELS: ServedRelease = {
  version: '0.0.18',
  uploadTime: '2024-06-10T19:48:00.000000Z',
  files: [{ filename: MODELS_SDIST, sha256: SHA[MODELS_SDIST]!, provenance: modelsProvenance() }],
};

interface Index extends TestServer {
  simple: string;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * pypi-attestations on a PyPI stand-in: PEP 691 JSON pages (only when asked for them, as
 * Warehouse negotiates), the JSON API, and the Integrity API with 404 for files without provenance.
 */
async function startIndex(releases: ServedRelease[], project = 'pypi-attestations'): Promise<Index> {
  const handler = (req: IncomingMessage): Reply => {
    const path = (req.url ?? '').split('?')[0]!;
    const origin = `http://${req.headers.host}`;
    const fileEntry = (r: ServedRelease, f: ServedFile) => ({ r, f });
    const all = releases.flatMap((r) => r.files.map((f) => fileEntry(r, f)));
    if (path === `/simple/${project}/`) {
      if (!String(req.headers.accept ?? '').includes('application/vnd.pypi.simple.v1+json')) return { status: 406, body: 'JSON only here' };
      const page = {
        meta: { 'api-version': '1.1' },
        name: project,
        versions: releases.map((r) => r.version),
        files: all.map(({ r, f }) => ({
          filename: f.filename,
          url: `${origin}/files/${f.filename}`,
          hashes: { sha256: f.sha256 },
          'requires-python': '>=3.9',
          'upload-time': r.uploadTime,
          yanked: r.yanked === true,
          size: 1000,
          provenance: f.provenance ? `${origin}/integrity/${project}/${r.version}/${f.filename}/provenance` : null,
        })),
      };
      return { status: 200, headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' }, body: JSON.stringify(page) };
    }
    if (path === `/pypi/${project}/json`) {
      const entry = (r: ServedRelease, f: ServedFile) => ({
        filename: f.filename,
        digests: { sha256: f.sha256, md5: createHash('md5').update(f.sha256).digest('hex') },
        packagetype: 'sdist',
        size: 1000,
        upload_time: r.uploadTime.replace(/\.\d+Z$/, ''),
        upload_time_iso_8601: r.uploadTime,
        url: `${origin}/files/${f.filename}`,
        yanked: r.yanked === true,
        yanked_reason: null,
      });
      const latest = releases[releases.length - 1]!;
      return json({
        info: { name: project, version: latest.version, summary: 'Stand-in', description: '' },
        last_serial: 1,
        releases: Object.fromEntries(releases.map((r) => [r.version, r.files.map((f) => entry(r, f))])),
        urls: latest.files.map((f) => entry(latest, f)),
        vulnerabilities: [],
      });
    }
    const m = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance$/.exec(path);
    if (m && m[1] === project) {
      const hit = all.find(({ r, f }) => r.version === decodeURIComponent(m[2]!) && f.filename === decodeURIComponent(m[3]!));
      if (hit?.f.provenance) return { status: 200, headers: { 'content-type': 'application/vnd.pypi.integrity.v1+json' }, body: JSON.stringify(hit.f.provenance) };
      return json({ message: 'Not Found' }, 404);
    }
    return json({ message: 'Not Found' }, 404);
  };
  const server = await startServer(handler);
  servers.push(server);
  return Object.assign(server, { simple: `${server.url}/simple/` });
}

interface FileReport {
  filename: string;
  provenance: string;
  error?: { code: string };
  attestations: { signer?: Record<string, unknown> }[];
}
interface Report {
  mode: string;
  verified: boolean;
  error?: { code: string; message: string };
  projects: {
    name: string;
    verified: boolean;
    location?: string;
    expected: { source: string; publisher?: string; learnedFrom?: { version: string } };
    releases: { version: string; target: boolean; attested: { verified: number; files: number }; publishers: string[]; files: FileReport[] }[];
    findings: { kind: string; risk: string; version: string; files: string[]; message: string; comparedWith?: { source: string; version?: string } }[];
  }[];
  skipped: { name: string; reason: string }[];
  summary: Record<string, number>;
}

const work = mkdtempSync(join(tmpdir(), 'pyward-verify-index-'));

async function verify(args: string[], cacheDir = mkdtempSync(join(work, 'cache-'))): Promise<{ code: number; report: Report; stderr: string }> {
  // cwd is a scratch dir, so a pyward.toml in the repository never becomes the policy by accident.
  const r = await pywardAsync(['verify', ...args, '--format', 'json', '--cache-dir', cacheDir], { cwd: work });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

const kinds = (r: Report): string[] => r.projects.flatMap((p) => p.findings.map((f) => `${f.version} ${f.kind} ${f.risk}`));

describe('pyward verify NAME==VERSION (PEP 691 page + provenance URL)', () => {
  it('0.0.19: the real Integrity API response verifies against the sha256 on the page, no download', async () => {
    const index = await startIndex([R19, R20]);
    const r = await verify(['pypi-attestations==0.0.19', '--index-url', index.simple]);
    expect(r.report.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ mode: 'release', verified: true, summary: { files: 1, verified: 1 } });
    const project = r.report.projects[0]!;
    expect(project.expected.source).toBe('none');
    expect(project.releases).toHaveLength(1);
    expect(project.releases[0]!.publishers).toEqual([PUBLISHER]);
    expect(project.releases[0]!.files[0]!.attestations[0]!.signer).toMatchObject({ repositoryId: '772247423', ref: 'refs/tags/v0.0.19', trigger: 'release' });
    // The page's provenance URL was followed; nothing was downloaded.
    expect(index.requests).toContain('GET /integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance');
    expect(index.requests.some((q) => q.includes('/files/'))).toBe(false);
  });

  it('the same through the explicit subcommand, pinned to the right publisher', async () => {
    const index = await startIndex([R19]);
    const r = await verify(['release', 'pypi-attestations==0.0.19', '--index-url', index.simple, '--expect-publisher', PUBLISHER]);
    expect(r.code).toBe(0);
    expect(r.report.projects[0]!.expected).toEqual({ source: 'flag', publisher: PUBLISHER });
  });

  it('pinned to another publisher: publisher-mismatch', async () => {
    const index = await startIndex([R19]);
    const r = await verify(['pypi-attestations==0.0.19', '--index-url', index.simple, '--expect-publisher', 'github:trailofbits/pypi-attestations@publish.yml']);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('publisher-mismatch');
  });

  it('0.0.20 without attestations and nothing known about the project: no-attestations', async () => {
    const index = await startIndex([R19, R20]);
    const r = await verify(['pypi-attestations==0.0.20', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('no-attestations');
    expect(r.report.projects[0]!.releases[0]!.files[0]!.provenance).toBe('none');
  });

  it('0.0.20 with --history: attestations-missing (high), because 0.0.19 had them', async () => {
    const index = await startIndex([R19, R20]);
    const r = await verify(['pypi-attestations==0.0.20', '--history', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('attestations-missing');
    expect(kinds(r.report)).toEqual(['0.0.20 attestations-missing high']);
    expect(r.report.projects[0]!.findings[0]!.comparedWith).toMatchObject({ source: 'history', version: '0.0.19' });
  });

  it('with --history, findings on the releases before are reported but only the release asked about decides', async () => {
    const index = await startIndex([R19, R20, R21_GITLAB]);
    const r = await verify(['pypi-attestations==0.0.21', '--history', '--index-url', index.simple]);
    expect(r.report.error?.code).toBe('publisher-changed');
    expect(kinds(r.report)).toContain('0.0.20 attestations-missing high');

    // 0.0.18 serves 0.0.19's attestation (its subject names another file): reported, and it fails
    // the project walk, but 0.0.19 asked about verifies.
    const R18_REPLAYED: ServedRelease = { version: '0.0.18', uploadTime: '2024-11-01T00:00:00.000000Z', files: [{ filename: 'pypi_attestations-0.0.18.tar.gz', sha256: SHA_20, provenance: provenance19() }] };
    const replay = await startIndex([R18_REPLAYED, R19]);
    const ok = await verify(['pypi-attestations==0.0.19', '--history', '--index-url', replay.simple]);
    expect(ok.code).toBe(0);
    expect(ok.report.projects[0]!.releases.map((x) => [x.version, x.files[0]!.provenance, x.files[0]!.error?.code])).toEqual([
      ['0.0.18', 'invalid', 'subject-mismatch'],
      ['0.0.19', 'verified', undefined],
    ]);
    const walk = await verify(['project', 'pypi-attestations', '--index-url', replay.simple]);
    expect(walk.code).toBe(1);
    expect(walk.report.error?.code).toBe('subject-mismatch');
  });

  it('a pin in pyward.toml makes a release without attestations attestations-missing on its own', async () => {
    const index = await startIndex([R19, R20]);
    const policy = join(work, 'pin.toml');
    writeFileSync(policy, `[verify.publishers]\nPypi_Attestations = "${PUBLISHER}"\n`);
    const r = await verify(['pypi-attestations==0.0.20', '--index-url', index.simple, '--policy', policy]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('attestations-missing');
    expect(r.report.projects[0]!.expected).toMatchObject({ source: 'policy', publisher: PUBLISHER, origin: `${policy}:2` });
  });

  it('a release that is not on the index is an input error (exit 2)', async () => {
    const index = await startIndex([R19]);
    const r = await pywardAsync(['verify', 'pypi-attestations==9.9', '--index-url', index.simple, '--cache-dir', join(work, 'c-missing')], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pypi-attestations 9\.9 has no files/);
  });
});

describe('pyward verify project NAME (JSON API + Integrity API): continuity', () => {
  it('the last release loses its attestations: attestations-missing, high, exit 1', async () => {
    const index = await startIndex([R19, R20]);
    const r = await verify(['project', 'pypi-attestations', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.verified).toBe(false);
    expect(r.report.error?.code).toBe('attestations-missing');
    const p = r.report.projects[0]!;
    expect(p.expected.source).toBe('history');
    expect(p.releases.map((x) => [x.version, x.attested.verified, x.attested.files])).toEqual([
      ['0.0.19', 1, 1],
      ['0.0.20', 0, 1],
    ]);
    expect(p.findings).toEqual([
      expect.objectContaining({ kind: 'attestations-missing', risk: 'high', version: '0.0.20', files: [SDIST_20] }),
    ]);
    // Releases came from the JSON API and provenance from the Integrity API (a 404 for 0.0.20).
    expect(index.requests).toEqual(
      expect.arrayContaining([
        'GET /pypi/pypi-attestations/json',
        'GET /integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance',
        'GET /integrity/pypi-attestations/0.0.20/pypi_attestations-0.0.20.tar.gz/provenance',
      ]),
    );
  });

  it('`verify --history NAME` is the same walk', async () => {
    const index = await startIndex([R19, R20]);
    const r = await verify(['--history', 'pypi-attestations', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.mode).toBe('project');
    expect(r.report.error?.code).toBe('attestations-missing');
  });

  it('a later release signed by another publisher (the real GitLab attestation): publisher-changed', async () => {
    const index = await startIndex([R19, R21_GITLAB]);
    const r = await verify(['project', 'pypi-attestations', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('publisher-changed');
    const p = r.report.projects[0]!;
    // The GitLab attestation itself verifies: the signature is valid, for its own file.
    expect(p.releases[1]!.files[0]).toMatchObject({ filename: GITLAB_SDIST, provenance: 'verified' });
    expect(p.releases[1]!.publishers).toEqual(['gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml']);
    expect(kinds(r.report)).toEqual([
      '0.0.21 file-not-in-release medium',
      '0.0.21 publisher-changed high',
      '0.0.21 built-from-branch high',
      '0.0.21 trigger-changed medium',
      '0.0.21 runner-changed medium',
    ]);
    const changed = p.findings.find((f) => f.kind === 'publisher-changed')!;
    expect(changed.comparedWith).toMatchObject({ source: 'history', version: '0.0.19' });
    expect(changed.message).toMatch(/gitlab:facutuesca\/gitlab-oidc-project@\.gitlab-ci\.yml instead of github:trailofbits\/pypi-attestations@release\.yml/);
  });

  it('a renamed repository (same numeric ids, the real pypi-attestation-models certificate): repository-renamed, medium', async () => {
    const index = await startIndex([R18_MODELS, R19]);
    const r = await verify(['project', 'pypi-attestations', '--index-url', index.simple]);
    expect(r.report.error?.code).toBe('repository-renamed');
    expect(kinds(r.report)).toEqual(['0.0.18 file-not-in-release medium', '0.0.19 repository-renamed medium']);
    // Below the threshold, the same history passes.
    const lenient = await verify(['project', 'pypi-attestations', '--index-url', index.simple, '--fail-on', 'high']);
    expect(lenient.code).toBe(0);
    expect(lenient.report.verified).toBe(true);
  });

  it('--releases bounds the walk', async () => {
    const index = await startIndex([R19, R20]);
    const r = await verify(['project', 'pypi-attestations', '--index-url', index.simple, '--releases', '1']);
    expect(r.report.projects[0]!.releases.map((x) => x.version)).toEqual(['0.0.20']);
    expect(r.report.error?.code).toBe('no-attestations');
  });

  it('trust on first use: learned from 0.0.19, stored, and a later run compares with it', async () => {
    const cache = mkdtempSync(join(work, 'tofu-'));
    const history = [R19];
    const index = await startIndex(history);
    const learned = await verify(['pypi-attestations==0.0.19', '--index-url', index.simple, '--tofu'], cache);
    expect(learned.code).toBe(0);
    expect(learned.report.projects[0]!.expected).toMatchObject({ source: 'tofu-learned', publisher: PUBLISHER, learnedFrom: { version: '0.0.19' } });

    // The index later serves a release signed by someone else; the walk covers only that release,
    // so the only thing it can be compared with is what was stored.
    history.push(R21_GITLAB);
    const r = await verify(['project', 'pypi-attestations', '--index-url', index.simple, '--tofu', '--releases', '1'], cache);
    expect(r.code).toBe(1);
    expect(r.report.projects[0]!.releases.map((x) => x.version)).toEqual(['0.0.21']);
    expect(r.report.projects[0]!.expected).toMatchObject({ source: 'tofu', publisher: PUBLISHER, learnedFrom: { version: '0.0.19' } });
    expect(r.report.error?.code).toBe('publisher-changed');
    expect(r.report.projects[0]!.findings.find((f) => f.kind === 'publisher-changed')!.comparedWith).toMatchObject({ source: 'tofu', version: '0.0.19' });

    // --tofu-reset forgets and learns again from the oldest attested release of the walk.
    const reset = await verify(['project', 'pypi-attestations', '--index-url', index.simple, '--tofu', '--tofu-reset', '--releases', '1'], cache);
    expect(reset.report.projects[0]!.expected).toMatchObject({ source: 'tofu-learned', publisher: 'gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml' });
  });
});

describe('pyward verify: attestations that do not verify, and an index that lies', () => {
  it('an edited statement in the served provenance: signature-invalid', async () => {
    const bad = provenance19();
    const att = bad['attestation_bundles'][0].attestations[0];
    const statement = JSON.parse(Buffer.from(att.envelope.statement, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = 'ab'.repeat(32);
    att.envelope.statement = Buffer.from(JSON.stringify(statement)).toString('base64');
    const index = await startIndex([{ ...R19, files: [{ ...R19.files[0]!, provenance: bad }] }]);
    const r = await verify(['pypi-attestations==0.0.19', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('signature-invalid');
    expect(r.report.projects[0]!.releases[0]!.files[0]!.provenance).toBe('invalid');
  });

  it('the index lists another sha256 for the file than the attestation signs: digest-mismatch', async () => {
    const index = await startIndex([{ ...R19, files: [{ ...R19.files[0]!, sha256: SHA_20 }] }]);
    const r = await verify(['pypi-attestations==0.0.19', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('digest-mismatch');
  });

  it("the index's publisher claim disagrees with the certificate: publisher-mismatch, even with nothing pinned", async () => {
    const lying = provenance19();
    lying['attestation_bundles'][0].publisher.repository = 'someone-else/pypi-attestations';
    const index = await startIndex([{ ...R19, files: [{ ...R19.files[0]!, provenance: lying }] }]);
    const r = await verify(['pypi-attestations==0.0.19', '--index-url', index.simple]);
    expect(r.code).toBe(1);
    expect(r.report.error?.code).toBe('publisher-mismatch');
    expect(r.report.error?.message).toMatch(/the index names the publisher github:someone-else\/pypi-attestations@release\.yml/);
  });
});

describe('pyward verify lock: lockfiles and requirements with hashes', () => {
  it('the file is found on the index by its locked sha256; what cannot be verified is listed', async () => {
    const index = await startIndex([R19, R20]);
    const req = join(work, 'requirements.txt');
    writeFileSync(
      req,
      [
        `pypi-attestations==0.0.19 --hash=sha256:${SHA[SDIST_19]} --hash=sha256:${'cd'.repeat(32)}`,
        'requests==2.32.3',
        'idna>=3',
        '',
      ].join('\n'),
    );
    const r = await verify(['lock', '-r', req, '--index-url', index.simple]);
    expect(r.report.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.report.mode).toBe('lockfile');
    expect(r.report.summary).toMatchObject({ projects: 1, files: 1, verified: 1 });
    expect(r.report.skipped.map((s) => [s.name, s.reason.split(' ').slice(0, 3).join(' ')])).toEqual([
      ['requests', 'no sha256 hashes'],
      ['idna', 'not pinned to'],
      ['pypi-attestations', `sha256 ${'cd'.repeat(32)} from`],
    ]);
  });

  it("uv.lock: each package's own registry is the index asked", async () => {
    const index = await startIndex([R19, R20]);
    const dir = mkdtempSync(join(work, 'uv-'));
    writeFileSync(
      join(dir, 'uv.lock'),
      [
        'version = 1',
        'revision = 2',
        'requires-python = ">=3.11"',
        '',
        '[[package]]',
        'name = "pypi-attestations"',
        'version = "0.0.19"',
        `source = { registry = "${index.url}/simple" }`,
        `sdist = { url = "${index.url}/files/${SDIST_19}", hash = "sha256:${SHA[SDIST_19]}", size = 29882 }`,
        '',
        '[[package]]',
        'name = "tool"',
        'version = "1.0"',
        'source = { git = "https://github.com/example/tool?rev=v1#0123456789abcdef0123456789abcdef01234567" }',
        '',
      ].join('\n'),
    );
    const r = await verify([join(dir, 'uv.lock')]);
    expect(r.report.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.report.projects.map((p) => [p.name, p.releases[0]!.publishers])).toEqual([['pypi-attestations', [PUBLISHER]]]);
    expect(r.report.projects[0]!.location).toMatch(/uv\.lock:6$/);
    expect(r.report.skipped).toEqual([expect.objectContaining({ name: 'tool', reason: expect.stringMatching(/^a vcs dependency/) })]);
  });

  it('a locked release without attestations passes unless the project is expected to have them', async () => {
    const index = await startIndex([R19, R20]);
    const req = join(work, 'requirements-20.txt');
    writeFileSync(req, `pypi-attestations==0.0.20 --hash=sha256:${SHA_20}\n`);
    const plain = await verify([req, '--index-url', index.simple]);
    expect(plain.code).toBe(0);
    expect(plain.report.summary).toMatchObject({ files: 1, unattested: 1 });
    const required = await verify(['lock', req, '--index-url', index.simple, '--require-attestations']);
    expect(required.code).toBe(1);
    expect(required.report.error?.code).toBe('no-attestations');
    const history = await verify(['lock', req, '--index-url', index.simple, '--history']);
    expect(history.code).toBe(1);
    expect(history.report.error?.code).toBe('attestations-missing');
  });
});

describe('pyward verify on an index: exit codes', () => {
  it('an index that cannot be reached exits 3', async () => {
    const r = await pywardAsync(['verify', 'pypi-attestations==0.0.19', '--index-url', 'http://127.0.0.1:9/simple/', '--cache-dir', join(work, 'c-unreachable'), '--timeout', '2'], { cwd: work });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/could not fetch http:\/\/127\.0\.0\.1:9\/simple\/pypi-attestations\//);
  });

  it('offline, a cached run answers again and a miss exits 3', async () => {
    const cache = mkdtempSync(join(work, 'offline-'));
    const index = await startIndex([R19, R20]);
    expect((await verify(['project', 'pypi-attestations', '--index-url', index.simple], cache)).code).toBe(1);
    await index.close();
    const cached = await verify(['project', 'pypi-attestations', '--index-url', index.simple, '--offline'], cache);
    expect(cached.report.error?.code).toBe('attestations-missing');
    const miss = await pywardAsync(['verify', 'pypi-attestations==0.0.19', '--index-url', index.simple, '--offline', '--cache-dir', cache], { cwd: work });
    expect(miss.code).toBe(3);
    expect(miss.stderr).toMatch(/offline/);
  });

  it.each([
    [['verify', 'pypi-attestations'], /--attestation is required/],
    [['verify', 'project', 'pypi-attestations', '--releases', '0'], /--releases takes a positive number/],
    [['verify', 'pypi-attestations==1.*'], /not NAME or NAME==VERSION/],
    [['verify', 'release', 'pypi-attestations'], /give the release as pypi-attestations==VERSION/],
    [['verify', 'project', 'x', '--tofu-reset'], /give both/],
    [['verify', 'project', 'x', '--index-url', 'http://127.0.0.1:9/root/'], /JSON API/],
    [['verify', 'project', 'x', '--expect-publisher', 'github:a/b'], /workflow is missing/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await pywardAsync([...args, '--cache-dir', join(work, 'c-usage')], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a bad pin in the policy file names the file and line', async () => {
    const policy = join(work, 'bad.toml');
    writeFileSync(policy, '[verify.publishers]\n# pins\npypi-attestations = "github:trailofbits/pypi-attestations"\n');
    const r = await pywardAsync(['verify', 'project', 'pypi-attestations', '--policy', policy, '--cache-dir', join(work, 'c-policy')], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${policy}:3: [verify.publishers] pypi-attestations: invalid publisher`);
  });

  it('the table says what was compared, per release, and why it failed', async () => {
    const index = await startIndex([R19, R20]);
    const r = await pywardAsync(['verify', 'project', 'pypi-attestations', '--index-url', index.simple, '--cache-dir', join(work, 'c-table')], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NOT VERIFIED {2}pypi-attestations/);
    expect(r.stdout).toMatch(/0\.0\.19 +2024-12-04 +1\/1 attested +github:trailofbits\/pypi-attestations@release\.yml +\(refs\/tags\/v0\.0\.19, release\)/);
    expect(r.stdout).toMatch(/0\.0\.20 +2024-12-10 +0\/1 attested/);
    expect(r.stdout).toMatch(/high +attestations-missing +0\.0\.20: 0\.0\.20 has no attestations, but 0\.0\.19 was attested by github:trailofbits\/pypi-attestations@release\.yml/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});
