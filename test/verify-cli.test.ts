/**
 * End to end: `pyward verify` through the built CLI, offline, on the real provenance vectors in
 * ../shared/vectors/provenance and on copies tampered with at run time. Checks the exact
 * interface, the JSON contract (`verified`, `error.code`) and the exit codes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pyward, SHARED } from './support/cli.js';

const V = join(SHARED, 'vectors/provenance');
const PA = join(V, 'pypi-attestations');
const STAGING = join(V, 'trusted-roots/staging.trusted_root.json');
const tmp = mkdtempSync(join(tmpdir(), 'pyward-verify-'));

const SDIST = 'pypi_attestations-0.0.19.tar.gz';
const SDIST_SHA = '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3';
const PUBLISHER = 'github:trailofbits/pypi-attestations@release.yml';

interface Report {
  verified: boolean;
  error?: { code: string; message: string };
  artifact: { filename: string; sha256: string };
  expected: Record<string, string>;
  trustedRoot: { source: string; sha256: string };
  attestations: { verified: boolean; predicateType?: string; signer?: Record<string, unknown>; error?: { code: string } }[];
}

function verifyJson(args: string[]): { code: number; report: Report; stderr: string } {
  // Options follow the subcommand (`verify bundle ... --format json`); the PEP 740 form has none.
  const r = pyward(['verify', ...args, '--format', 'json']);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

/** The interface: --attestation ATT --sha256 HEX --filename NAME --expect-publisher SPEC. */
function attest(att: string, opts: { sha256?: string; filename?: string; publisher?: string; extra?: string[] } = {}) {
  return verifyJson([
    '--attestation', att,
    '--sha256', opts.sha256 ?? SDIST_SHA,
    '--filename', opts.filename ?? SDIST,
    ...(opts.publisher === undefined ? ['--expect-publisher', PUBLISHER] : opts.publisher === '' ? [] : ['--expect-publisher', opts.publisher]),
    ...(opts.extra ?? []),
  ]);
}

function expectVerified(r: { code: number; report: Report }): void {
  expect(r.report.error).toBeUndefined();
  expect(r.report.verified).toBe(true);
  expect(r.code).toBe(0);
}

function expectRejected(r: { code: number; report: Report }, code: string): void {
  expect(r.report.verified).toBe(false);
  expect(r.report.error?.code, r.report.error?.message).toBe(code);
  expect(r.code).toBe(1);
}

/** Writes a tampered copy of a vector and returns its path. */
function tampered(name: string, edit: (json: any) => void): string {
  const json = JSON.parse(readFileSync(join(PA, name), 'utf8'));
  edit(json);
  const path = join(tmp, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

function editStatement(json: any, edit: (statement: any) => void): void {
  const statement = JSON.parse(Buffer.from(json.envelope.statement, 'base64').toString('utf8'));
  edit(statement);
  json.envelope.statement = Buffer.from(JSON.stringify(statement)).toString('base64');
}

describe('pyward verify (PEP 740), the real pypi-attestations vectors', () => {
  it.each([
    'pypi_attestations-0.0.19.tar.gz.publish.attestation',
    'pypi_attestations-0.0.19.tar.gz.slsa.attestation',
    'pypi_attestations-0.0.19.tar.gz.provenance',
  ])('%s verifies for the sdist, GitHub trailofbits/pypi-attestations release.yml', (name) => {
    const r = attest(join(PA, name));
    expectVerified(r);
    expect(r.report.expected).toEqual({ publisher: PUBLISHER });
    expect(r.report.trustedRoot).toMatchObject({ source: 'embedded', sha256: '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66' });
    expect(r.report.attestations[0]!.signer).toMatchObject({
      identity: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      repository: 'https://github.com/trailofbits/pypi-attestations',
      ref: 'refs/tags/v0.0.19',
      repositoryId: '772247423',
      ownerId: '2314423',
      trigger: 'release',
    });
  });

  it('GitLab facutuesca/gitlab-oidc-project', () => {
    expectVerified(
      attest(join(PA, 'gitlab_oidc_project-0.0.3.tar.gz.publish.attestation'), {
        sha256: 'c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8',
        filename: 'gitlab_oidc_project-0.0.3.tar.gz',
        publisher: 'gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml',
      }),
    );
  });

  it.each(['pypi_attestation_models-0.0.4a2.tar.gz.attestation', 'pypi_attestation_models-0.0.4a2.tar.gz.sigstore'])(
    '%s: GitHub trailofbits/pypi-attestation-models',
    (name) => {
      expectVerified(
        attest(join(PA, name), {
          sha256: 'c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef',
          filename: 'pypi_attestation_models-0.0.4a2.tar.gz',
          publisher: 'github:trailofbits/pypi-attestation-models@release.yml',
        }),
      );
    },
  );

  const rfc8785 = {
    sha256: 'c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201',
    filename: 'rfc8785-0.1.2-py3-none-any.whl',
    publisher: '',
  };
  const yossarian = ['--cert-identity', 'william@yossarian.net', '--cert-oidc-issuer', 'https://github.com/login/oauth'];
  it.each(['rfc8785-0.1.2-py3-none-any.whl.attestation', 'rfc8785-0.1.2-py3-none-any.whl.publish.attestation', 'rfc8785-0.1.2-py3-none-any.whl.sigstore'])(
    'staging-signed %s verifies with --trusted-root staging, and not against the embedded production root',
    (name) => {
      expectVerified(attest(join(PA, name), { ...rfc8785, extra: [...yossarian, '--trusted-root', STAGING] }));
      expectRejected(attest(join(PA, name), { ...rfc8785, extra: yossarian }), 'certificate-invalid');
    },
  );

  it('spt3g: the wheel name with its platform tags in the other order, digest only', () => {
    const r = attest(join(PA, 'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation'), {
      sha256: 'd2772f9a5199f05ed1be8d9aa78b879e51772e3ead9d73fe8057257b1aec7cf8',
      filename: 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
      publisher: '',
      extra: [...yossarian, '--trusted-root', STAGING],
    });
    expectVerified(r);
  });
});

describe('pyward verify (PEP 740), negative cases made by tampering', () => {
  const publish = 'pypi_attestations-0.0.19.tar.gz.publish.attestation';

  it('wrong workflow, wrong repository', () => {
    expectRejected(attest(join(PA, publish), { publisher: 'github:trailofbits/pypi-attestations@publish.yml' }), 'publisher-mismatch');
    expectRejected(attest(join(PA, publish), { publisher: 'github:trailofbits/pypi-attestation@release.yml' }), 'publisher-mismatch');
  });

  it('one changed byte of the distribution (a file with the right name and other content)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pyward-dist-')), SDIST);
    writeFileSync(file, 'not the real sdist\n');
    const r = verifyJson([file, '--attestation', join(PA, publish), '--expect-publisher', PUBLISHER]);
    expectRejected(r, 'digest-mismatch');
    expect(r.report.artifact.filename).toBe(SDIST);
    const flipped = SDIST_SHA.slice(0, 10) + (SDIST_SHA[10] === 'a' ? 'b' : 'a') + SDIST_SHA.slice(11);
    expectRejected(attest(join(PA, publish), { sha256: flipped }), 'digest-mismatch');
  });

  it('a renamed distribution', () => {
    expectRejected(attest(join(PA, publish), { filename: 'pypi_attestations-0.0.20.tar.gz' }), 'subject-mismatch');
  });

  it('two subjects, an unknown predicate type, an edited statement: the signature no longer covers them', () => {
    const edits: ((s: any) => void)[] = [
      (s) => s.subject.push({ name: 'other-1.0.tar.gz', digest: { sha256: 'ab'.repeat(32) } }),
      (s) => (s.predicateType = 'https://example.com/predicate/v1'),
      (s) => (s.subject[0].name = 'pypi_attestations-0.0.20.tar.gz'),
    ];
    for (const edit of edits) {
      expectRejected(attest(tampered(publish, (j) => editStatement(j, edit))), 'signature-invalid');
    }
  });

  it('an edited inclusion proof, a moved integrated time', () => {
    const proof = tampered(publish, (j) => {
      const hashes = j.verification_material.transparency_entries[0].inclusionProof.hashes;
      hashes[hashes.length - 1] = Buffer.alloc(32, 1).toString('base64');
    });
    expectRejected(attest(proof), 'tlog-invalid');
    const moved = tampered(publish, (j) => {
      const e = j.verification_material.transparency_entries[0];
      e.integratedTime = String(Number(e.integratedTime) + 30);
    });
    expectRejected(attest(moved), 'tlog-invalid');
  });

  it('a staging attestation against the production root', () => {
    expectRejected(
      attest(join(PA, 'rfc8785-0.1.2-py3-none-any.whl.publish.attestation'), {
        sha256: 'c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201',
        filename: 'rfc8785-0.1.2-py3-none-any.whl',
        publisher: 'google:william@yossarian.net',
      }),
      'certificate-invalid',
    );
  });

  it('an attestation file that is not JSON is a failed verification (exit 1), not a usage error', () => {
    const path = join(tmp, 'truncated.attestation');
    writeFileSync(path, readFileSync(join(PA, publish), 'utf8').slice(0, 200));
    expectRejected(attest(path), 'bundle-malformed');
  });

  it('table output says why, without color codes', () => {
    const r = pyward(['verify', '--attestation', join(PA, publish), '--sha256', SDIST_SHA, '--filename', SDIST, '--expect-publisher', 'github:a/b@c.yml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT VERIFIED/);
    expect(r.stdout).toMatch(/publisher-mismatch/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});

describe('pyward verify: usage and input errors exit 2', () => {
  const att = join(PA, 'pypi_attestations-0.0.19.tar.gz.publish.attestation');
  it.each([
    [['verify', '--sha256', SDIST_SHA, '--filename', SDIST, '--expect-publisher', PUBLISHER], /--attestation is required/],
    [['verify', '--attestation', att, '--sha256', SDIST_SHA, '--filename', SDIST], /expected publisher/],
    [['verify', '--attestation', att, '--sha256', SDIST_SHA, '--filename', SDIST, '--expect-publisher', 'github:trailofbits/pypi-attestations'], /workflow is missing/],
    [['verify', '--attestation', att, '--sha256', 'abc', '--filename', SDIST, '--expect-publisher', PUBLISHER], /64 hex digits/],
    [['verify', '--attestation', att, '--sha256', SDIST_SHA, '--expect-publisher', PUBLISHER], /--filename/],
    [['verify', '--attestation', att, '--sha256', SDIST_SHA, '--filename', 'README.md', '--expect-publisher', PUBLISHER], /invalid distribution file name/],
    [['verify', '--attestation', join(tmp, 'missing.json'), '--sha256', SDIST_SHA, '--filename', SDIST, '--expect-publisher', PUBLISHER], /cannot read/],
    [['verify', '--attestation', att, '--sha256', SDIST_SHA, '--filename', SDIST, '--expect-publisher', PUBLISHER, '--trusted-root', join(tmp, 'nope.json')], /trusted root/],
    [['verify', 'bundle', join(V, 'sigstore-conformance/bundle-verify/a.txt'), '--bundle', att], /--cert-identity and --cert-oidc-issuer/],
  ])('%j', (args, message) => {
    const r = pyward(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('pyward verify bundle and slsa', () => {
  const SP = join(V, 'sigstore-python');

  it.each([
    ['bundle.txt', 'a@tny.town', 0],
    ['bundle_v3.txt', 'william@yossarian.net', 0],
    ['bundle_v3_alt.txt', 'william@yossarian.net', 0],
    ['staging-rekor-v2.txt', 'jku@goto.fi', 0],
    ['bundle_cve_2022_36056.txt', 'william@yossarian.net', 1],
    ['bundle_v3_no_signed_time.txt', 'william@yossarian.net', 1],
    ['bundle_invalid_version.txt', 'william@yossarian.net', 1],
    ['bundle_no_cert_v1.txt', 'william@yossarian.net', 1],
    ['bundle_no_checkpoint.txt', 'william@yossarian.net', 1],
    ['bundle_no_log_entry.txt', 'william@yossarian.net', 1],
  ] as const)('sigstore-python %s (staging root), signed by %s, exits %i', (name, identity, code) => {
    const bundle = [`${name}.sigstore`, `${name}.sigstore.json`].map((b) => join(SP, b)).find((b) => {
      try {
        readFileSync(b);
        return true;
      } catch {
        return false;
      }
    })!;
    const r = verifyJson(['bundle', join(SP, name), '--bundle', bundle, '--cert-identity', identity, '--cert-oidc-issuer', 'https://github.com/login/oauth', '--trusted-root', STAGING]);
    expect(r.code, JSON.stringify(r.report.error)).toBe(code);
    expect(r.report.verified).toBe(code === 0);
  });

  it('a.dsse.staging-rekor-v2.txt: a DSSE bundle binds the file its statement names (the conformance a.txt)', () => {
    const args = ['--bundle', join(SP, 'a.dsse.staging-rekor-v2.txt.sigstore.json'), '--trusted-root', STAGING,
      '--cert-identity', 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
      '--cert-oidc-issuer', 'https://token.actions.githubusercontent.com'];
    const ok = verifyJson(['bundle', join(V, 'sigstore-conformance/bundle-verify/a.txt'), ...args]);
    expectVerified(ok);
    expect(ok.report.attestations[0]!.predicateType).toBe('https://slsa.dev/provenance/v1');
    expectRejected(verifyJson(['bundle', join(SP, 'a.dsse.staging-rekor-v2.txt'), ...args]), 'digest-mismatch');
  });

  it('identity is matched exactly, not as a pattern', () => {
    const args = (identity: string) => ['bundle', join(SP, 'bundle_v3.txt'), '--bundle', join(SP, 'bundle_v3.txt.sigstore'), '--cert-identity', identity, '--cert-oidc-issuer', 'https://github.com/login/oauth', '--trusted-root', STAGING];
    expectRejected(verifyJson(args('.*')), 'identity-mismatch');
    expectRejected(verifyJson(args('yossarian.net')), 'identity-mismatch');
  });

  it('slsa: builder, source repository and tag of the pypi-attestations provenance', () => {
    const base = ['slsa', '--provenance', join(PA, 'pypi_attestations-0.0.19.tar.gz.slsa.attestation'), '--sha256', SDIST_SHA, '--source-uri', 'github.com/trailofbits/pypi-attestations'];
    const ok = verifyJson([...base, '--source-tag', 'v0.0.19']);
    expectVerified(ok);
    expect(ok.report.attestations[0]).toMatchObject({ slsa: { builderTrust: 'source-repository', sourceRef: 'refs/tags/v0.0.19' } });
    expectRejected(verifyJson([...base, '--source-tag', 'v0.0.18']), 'source-mismatch');
    expectRejected(verifyJson([...base, '--builder-id', 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml']), 'builder-mismatch');
  });

  it('--output writes the report to a file', () => {
    const out = join(tmp, 'report.json');
    const r = pyward(['verify', '--format', 'json', '-o', out, '--attestation', join(PA, 'pypi_attestations-0.0.19.tar.gz.provenance'), '--sha256', SDIST_SHA, '--filename', SDIST, '--expect-publisher', PUBLISHER]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as Report).verified).toBe(true);
  });
});
